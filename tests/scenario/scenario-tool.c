/*
 * scenario-tool.c: a small driver of the scenario module for the tests and for
 * maintainers.
 *
 *   scenario-tool check FILE     loads FILE, taking its leading `#set PATH=VALUE`
 *                                comment lines as --set overrides (the convention of
 *                                the bad corpus), and prints the messages and the
 *                                status as the .expected files hold them
 *   scenario-tool print FILE [PATH=VALUE]...   prints the resolved scenario
 *   scenario-tool reference      prints the generated part of
 *                                docs/scenario-reference.md
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "unrest/scenario.h"

static int usage(void)
{
	fputs("usage: scenario-tool check FILE | print FILE [PATH=VALUE]... | reference\n",
	      stderr);
	return 64;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "reference") == 0)
		return ur_params_write_reference(stdout) == 0 ? 0 : 74;
	if (argc == 3 && strcmp(argv[1], "check") == 0) {
		char *out = corpus_run(argv[2]);
		if (!out)
			return 70;
		fputs(out, stdout);
		free(out);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "print") == 0) {
		struct ur_diag diag;
		enum ur_scenario_status status;
		struct ur_scenario *sc;
		int rc;

		ur_diag_init(&diag, 0);
		sc = ur_scenario_load(argv[2], (const char *const *)argv + 3, (size_t)argc - 3,
				      &diag, &status);
		if (sc)
			rc = ur_scenario_write(sc, stdout) == 0 ? 0 : 74;
		else
			rc = (ur_diag_print(&diag, stderr), (int)status);
		ur_scenario_destroy(sc);
		ur_diag_finish(&diag);
		return rc;
	}
	return usage();
}
