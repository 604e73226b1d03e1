/*
 * fuzz_scenario.c: libFuzzer harness of the scenario loader (docs/fuzzing.md).
 *
 * The input is a scenario file; its leading `#set PATH=VALUE` lines (comments to
 * libconfig) are also passed as --set overrides, so one input exercises the parser,
 * the text checks, the overrides and the whole validation. Beyond crashes and
 * sanitizer reports, it checks the loader's contract:
 *   - a load succeeds exactly when its status is OK, and a failure leaves a message;
 *   - the printout of a loaded scenario loads again, prints to the same bytes and
 *     hashes the same (the round trip `unrestsim check` promises);
 *   - with overrides, the scenario derived from the file loaded without them
 *     (ur_scenario_derive, on its fast path and on the tree) is what the load with
 *     them gave: the same status, the same messages and the same printout (a sweep's
 *     points are built that way).
 * A violated contract aborts, which libFuzzer reports as a crash.
 */
#include <stdbool.h>
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

static bool same_messages(const struct ur_diag *a, const struct ur_diag *b)
{
	if (ur_diag_count(a) != ur_diag_count(b))
		return false;
	for (size_t i = 0; i < ur_diag_count(a); i++)
		if (strcmp(ur_diag_message(a, i), ur_diag_message(b, i)) != 0)
			return false;
	return true;
}

/* The derive contract, for a load with overrides that gave sc (or NULL, status and
 * the messages in diag). */
static void check_derive(const char *text, size_t size, const char *const *sets,
			 size_t nsets, const struct ur_scenario *sc,
			 enum ur_scenario_status status, const struct ur_diag *diag)
{
	struct ur_diag bdiag;
	enum ur_scenario_status bstatus;
	struct ur_scenario *base;

	ur_diag_init(&bdiag, 0);
	base = ur_scenario_load_buffer("fuzz.cfg", text, size, NULL, 0, &bdiag, &bstatus);
	for (unsigned flags = 0; base && flags <= UR_DERIVE_EXACT; flags++) {
		struct ur_diag ddiag;
		enum ur_scenario_status dstatus;
		struct ur_scenario *d;

		ur_diag_init(&ddiag, 0);
		d = ur_scenario_derive(base, sets, nsets, flags, &ddiag, &dstatus);
		if (dstatus == UR_SCENARIO_NOMEM || status == UR_SCENARIO_NOMEM) {
			/* memory ran out in one of them: nothing to compare */
		} else if (dstatus != status || (d != NULL) != (sc != NULL) ||
			   !same_messages(&ddiag, diag) ||
			   (d && strcmp(ur_scenario_text(d), ur_scenario_text(sc)) != 0)) {
			abort();
		}
		ur_scenario_destroy(d);
		ur_diag_finish(&ddiag);
	}
	ur_scenario_destroy(base);
	ur_diag_finish(&bdiag);
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
	if (nsets > 0)
		check_derive(text, size, (const char *const *)sets, nsets, sc, status, &diag);
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
