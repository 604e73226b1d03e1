/*
 * corpus.c: one case of the bad-scenario corpus (see corpus.h).
 */
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unrest/scenario.h"

#define MAX_SETS 16

char *corpus_run(const char *path)
{
	char *sets[MAX_SETS];
	size_t nsets = 0;
	char line[1024];
	FILE *f = fopen(path, "rb");
	struct ur_diag diag;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	char *out = NULL;
	size_t size = 0;
	FILE *mem;

	/* Leading "#set " lines are the overrides. */
	while (f && nsets < MAX_SETS && fgets(line, sizeof line, f) &&
	       strncmp(line, "#set ", 5) == 0) {
		line[strcspn(line, "\n")] = '\0';
		sets[nsets] = strdup(line + 5);
		if (!sets[nsets])
			break;
		nsets++;
	}
	if (f)
		fclose(f);
	ur_diag_init(&diag, 0);
	sc = ur_scenario_load(path, (const char *const *)sets, nsets, &diag, &status);
	mem = open_memstream(&out, &size);
	if (mem) {
		ur_diag_print(&diag, mem);
		fprintf(mem, "status %d\n", (int)status);
		fclose(mem);
	}
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
	for (size_t i = 0; i < nsets; i++)
		free(sets[i]);
	return out;
}
