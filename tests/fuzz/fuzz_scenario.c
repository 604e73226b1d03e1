/*
 * fuzz_scenario.c: libFuzzer harness of the scenario loader (docs/fuzzing.md).
 *
 * The input is a scenario file; its leading `#set PATH=VALUE` lines (comments to
 * libconfig) are also passed as --set overrides, so one input exercises the parser,
 * the text checks, the overrides and the whole validation. Beyond crashes and
 * sanitizer reports, it checks the loader's contract:
 *   - a load succeeds exactly when its status is OK, and a failure leaves a message;
 *   - the printout of a loaded scenario loads again, prints to the same bytes and
 *     hashes the same (the round trip `unrestsim check` promises).
 * A violated contract aborts, which libFuzzer reports as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unrest/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SETS 8

static size_t leading_sets(const char *text, size_t size, char **sets)
{
	size_t n = 0, at = 0;

	while (n < MAX_SETS && size - at > 5 && memcmp(text + at, "#set ", 5) == 0) {
		const char *end = memchr(text + at, '\n', size - at);
		size_t len = (end ? (size_t)(end - text) : size) - at - 5;
		sets[n] = malloc(len + 1);
		if (!sets[n])
			break;
		memcpy(sets[n], text + at + 5, len);
		sets[n][len] = '\0';
		n++;
		if (!end)
			break;
		at = (size_t)(end - text) + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char *sets[MAX_SETS];
	size_t nsets = leading_sets(text, size, sets);
	struct ur_diag diag;
	enum ur_scenario_status status;
	struct ur_scenario *sc;

	ur_diag_init(&diag, 0);
	sc = ur_scenario_load_buffer("fuzz.cfg", text, size, (const char *const *)sets, nsets,
				     &diag, &status);
	if ((sc != NULL) != (status == UR_SCENARIO_OK))
		abort();
	if (!sc && ur_diag_count(&diag) == 0)
		abort();
	if (sc) {
		const char *printed = ur_scenario_text(sc);
		struct ur_diag diag2;
		enum ur_scenario_status status2;
		struct ur_scenario *again;

		ur_diag_init(&diag2, 0);
		again = ur_scenario_load_buffer("printout.cfg", printed, strlen(printed), NULL, 0,
						&diag2, &status2);
		if (!again && status2 != UR_SCENARIO_NOMEM)
			abort();
		if (again && (strcmp(ur_scenario_text(again), printed) != 0 ||
			      ur_scenario_hash(again) != ur_scenario_hash(sc)))
			abort();
		ur_scenario_destroy(again);
		ur_diag_finish(&diag2);
	}
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
	for (size_t i = 0; i < nsets; i++)
		free(sets[i]);
	return 0;
}
