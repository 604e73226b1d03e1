/*
 * run_scenario.c: an example program built on libunrest alone (docs/library.md):
 * loads a scenario file, runs its replications through the model's API, one after
 * the other on this thread, and prints one line per replication and a summary: the
 * share of each outcome and the mean of a few metrics.
 *
 * Replication k runs with ur_rng_replication_seed(SEED, k), as `unrestsim run` does,
 * so its line matches row k of the summary.csv that `unrestsim run FILE -s SEED`
 * writes (the fingerprint is the same).
 *
 * Build it against an installed unrestsim:
 *   cc -std=c11 run_scenario.c $(pkg-config --cflags --libs unrest) -o run_scenario
 * Usage: run_scenario FILE [REPLICATIONS [SEED]]   (defaults: the scenario's own)
 * Exit status: 0 done, 64 usage, 65 bad scenario, 66 missing file, 70 a replication
 * failed or memory ran out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "unrest/model.h"
#include "unrest/rng.h"
#include "unrest/scenario.h"

/* A whole number from text, or -1 for anything else. */
static long long parse_whole(const char *text)
{
	char *end;
	long long v = strtoll(text, &end, 0);
	return (text[0] >= '0' && text[0] <= '9' && *end == '\0' && v >= 0) ? v : -1;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s FILE [REPLICATIONS [SEED]]\n", argv[0]);
		return 64;
	}
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	enum ur_scenario_status status;
	struct ur_scenario *scenario = ur_scenario_load(argv[1], NULL, 0, &diag, &status);
	if (!scenario) {
		ur_diag_print(&diag, stderr);
		ur_diag_finish(&diag);
		return (int)status;
	}
	ur_diag_finish(&diag);

	const struct ur_params *params = ur_scenario_params(scenario);
	long long reps = (long long)params->scenario.replications;
	long long seed = (long long)params->scenario.seed;
	if (argc > 2 && (reps = parse_whole(argv[2])) < 1) {
		fprintf(stderr, "%s: REPLICATIONS must be a whole number >= 1, got '%s'\n",
			argv[0], argv[2]);
		ur_scenario_destroy(scenario);
		return 64;
	}
	if (argc > 3 && (seed = parse_whole(argv[3])) < 0) {
		fprintf(stderr, "%s: SEED must be a whole number >= 0, got '%s'\n", argv[0],
			argv[3]);
		ur_scenario_destroy(scenario);
		return 64;
	}

	printf("scenario %s: %s\n", params->scenario.name, params->scenario.description);
	printf("rep,outcome,peak_active,killed,damage_usd,fingerprint\n");
	unsigned outcomes[UR_OUTCOME_COUNT] = {0};
	double peak = 0, killed = 0, damage = 0;
	int exit_status = 0;
	for (long long k = 0; k < reps; k++) {
		uint64_t rep_seed = ur_rng_replication_seed((uint64_t)seed, (uint64_t)k);
		struct ur_model *model = ur_model_create(params, rep_seed, NULL, NULL);
		if (!model) {
			fprintf(stderr, "%s: out of memory\n", argv[0]);
			exit_status = 70;
			break;
		}
		if (ur_model_run(model) != UR_MODEL_OK) {
			fprintf(stderr, "%s: replication %lld failed: %s\n", argv[0], k,
				ur_model_error(model));
			ur_model_destroy(model);
			exit_status = 70;
			break;
		}
		struct ur_model_summary s;
		ur_model_summary(model, &s);
		ur_model_destroy(model);
		printf("%lld,%s,%.17g,%.17g,%.17g,0x%016" PRIx64 "\n", k,
		       ur_outcome_name(s.outcome), s.peak_active, s.killed, s.damage_usd,
		       s.fingerprint);
		outcomes[s.outcome]++;
		peak += s.peak_active;
		killed += s.killed;
		damage += s.damage_usd;
	}
	if (exit_status == 0) {
		printf("%lld replications, seed %lld:", reps, seed);
		for (int o = 0; o < UR_OUTCOME_COUNT; o++)
			printf(" %s %.1f%%", ur_outcome_name((enum ur_outcome)o),
			       100.0 * outcomes[o] / (double)reps);
		printf("\nmean peak active %.1f, killed %.1f, damage %.4g USD\n",
		       peak / (double)reps, killed / (double)reps, damage / (double)reps);
	}
	ur_scenario_destroy(scenario);
	return exit_status;
}
