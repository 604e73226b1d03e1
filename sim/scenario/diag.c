/*
 * diag.c: the list of messages a scenario load leaves for the command line to print.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unrest/scenario.h"

void ur_diag_init(struct ur_diag *diag, size_t limit)
{
	assert(diag);
	*diag = (struct ur_diag){ .limit = limit ? limit : UR_DIAG_DEFAULT_LIMIT };
}

void ur_diag_finish(struct ur_diag *diag)
{
	if (!diag)
		return;
	for (size_t i = 0; i < diag->count; i++)
		free(diag->entries[i].text);
	free(diag->entries);
	*diag = (struct ur_diag){ .limit = diag->limit };
}

size_t ur_diag_count(const struct ur_diag *diag)
{
	assert(diag);
	return diag->count;
}

const char *ur_diag_message(const struct ur_diag *diag, size_t i)
{
	assert(diag && i < diag->count);
	return diag->entries[i].text;
}

int ur_diag_print(const struct ur_diag *diag, FILE *stream)
{
	assert(diag && stream);
	for (size_t i = 0; i < diag->count; i++)
		if (fprintf(stream, "%s\n", diag->entries[i].text) < 0)
			return -1;
	return fflush(stream) == 0 ? 0 : -1;
}

int sc_diag_add(struct ur_diag *diag, const char *text)
{
	char *copy;

	if (diag->count == diag->capacity) {
		size_t capacity = diag->capacity ? 2 * diag->capacity : 8;
		struct ur_diag_entry *entries =
			realloc(diag->entries, capacity * sizeof *entries);
		if (!entries)
			goto nomem;
		diag->entries = entries;
		diag->capacity = capacity;
	}
	copy = strdup(text);
	if (!copy)
		goto nomem;
	diag->entries[diag->count++].text = copy;
	return 0;
nomem:
	diag->truncated = 1;
	return -1;
}

int ur_diag_add(struct ur_diag *diag, const char *text)
{
	assert(diag && text);
	diag->total++;
	return diag->count < diag->limit ? sc_diag_add(diag, text) : 0;
}
