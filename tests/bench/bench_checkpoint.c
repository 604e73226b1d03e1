/*
 * bench_checkpoint.c: what a sweep's checkpoint (a commit of its folder) costs.
 *
 *   bench_checkpoint SCENARIO DIR [--units N] [--repeat R]
 *
 * Writes a sweep file over SCENARIO into DIR (a `list` design of N/100 points of one
 * parameter, 100 replications each), and runs it R times into DIR/out with units that
 * cost nothing: a stand-in replication reports a summary of plausible numbers drawn
 * from the unit's seed, so the rows are as long as the model's. Every unit is done
 * before the one commit at the end (checkpoint_s = 0), so the sweep's
 * checkpoint_seconds is the cost of one checkpoint of N units: sweep.csv and
 * sweep_stats.csv made from the rows, every file written, synced and renamed, and the
 * manifest. Prints CSV: units, points, commit_ms (each run), sweep_csv_bytes.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_rng.h>

#include "unrest/model.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

/* A summary of the model's shape, from the seed: no model runs. */
static enum ur_model_status stand_in(void *context, const struct ur_params *params,
				     uint64_t replication, uint64_t seed,
				     const struct ur_observer *observer, char *why,
				     size_t size)
{
	(void)context, (void)params, (void)why, (void)size;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		return UR_MODEL_NOMEM;
	gsl_rng_set(r, (unsigned long)(seed ^ replication));
	struct ur_model_summary s = {
		.replication_seed = seed,
		.outcome = (enum ur_outcome)(gsl_rng_uniform_int(r, UR_OUTCOME_COUNT)),
		.peak_active = floor(1e5 * gsl_rng_uniform(r)),
		.peak_hour = 200 * gsl_rng_uniform(r),
		.regions_joined = (unsigned)gsl_rng_uniform_int(r, 17),
		.killed = floor(300 * gsl_rng_uniform(r)),
		.killed_security = floor(30 * gsl_rng_uniform(r)),
		.injured = floor(5000 * gsl_rng_uniform(r)),
		.detained = floor(1e4 * gsl_rng_uniform(r)),
		.damage_usd = 2e8 * gsl_rng_uniform(r),
		.shutdown_region_hours = 1000 * gsl_rng_uniform(r),
		.csto_request_hour = gsl_rng_uniform(r) < 0.5 ? 80 * gsl_rng_uniform(r) : (double)NAN,
		.csto_troops_peak = floor(2500 * gsl_rng_uniform(r)),
		.order_restored_hour = 300 * gsl_rng_uniform(r),
		.events = gsl_rng_uniform_int(r, 1000000),
		.fingerprint = seed * 0x9e3779b97f4a7c15ull,
	};
	gsl_rng_free(r);
	return observer->summary(observer->context, &s) == 0 ? UR_MODEL_OK : UR_MODEL_OBSERVER;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: bench_checkpoint SCENARIO DIR [--units N] [--repeat R]\n", stderr);
		return 64;
	}
	const char *scenario = argv[1], *dir = argv[2];
	unsigned long units = 10000, repeat = 5;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--units") == 0)
			units = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--repeat") == 0)
			repeat = strtoul(argv[i + 1], NULL, 10);
	}
	unsigned long points = units / 100 ? units / 100 : 1;
	mkdir(dir, 0777);
	char path[4096], out[4096];
	snprintf(path, sizeof path, "%s/bench.cfg", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return 73;
	fprintf(f, "scenario = \"%s\";\nreplications = 100;\nseed = 1;\ndesign = \"lhs\";\n"
		"points = %lu;\nparameters = ( { path = \"agents.w_s\"; min = 0.1; max = 0.5; } );\n",
		scenario, points);
	fclose(f);
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	enum ur_scenario_status st;
	struct ur_sweep *sw = ur_sweep_load(path, &diag, &st);
	if (!sw) {
		ur_diag_print(&diag, stderr);
		ur_diag_finish(&diag);
		return (int)st;
	}
	ur_diag_finish(&diag);
	const char *args[] = {"bench_checkpoint"};
	printf("units,points,commit_ms,commit_cpu_ms,sweep_csv_bytes\n");
	for (unsigned long k = 0; k < repeat; k++) {
		struct ur_sweep_options o = {
			.jobs = 2, .shard = 1, .shards = 1, .checkpoint_s = 0,
			.version = "bench", .sweep_path = path, .argc = 1, .argv = args,
			.replicate = stand_in,
		};
		struct ur_sweep_result r;
		if (ur_sweep_run(sw, out, &o, &r) != UR_RUN_OK) {
			fprintf(stderr, "bench_checkpoint: %s\n", r.message);
			ur_sweep_destroy(sw);
			return (int)r.status;
		}
		char csv[4200];
		snprintf(csv, sizeof csv, "%s/sweep.csv", out);
		struct stat sb;
		long long bytes = stat(csv, &sb) == 0 ? (long long)sb.st_size : -1;
		printf("%" PRIu64 ",%lu,%.1f,%.1f,%lld\n", r.units, points,
		       1e3 * r.checkpoint_seconds / r.checkpoints,
		       1e3 * r.checkpoint_cpu_seconds / r.checkpoints, bytes);
	}
	ur_sweep_destroy(sw);
	return 0;
}
