/*
 * bench_model.c: how fast the model runs a scenario, and how much memory it holds.
 *
 *   bench_model SCENARIO [--scales 100,10,default,1] [--horizon H] [--seed S] [--repeat R]
 *               [--set PATH=VALUE]...
 *
 * Loads SCENARIO (ur_scenario_load), and for each agent scale (persons per agent, set
 * with --set scenario.agent_scale=X; `default` keeps the scenario's own and is printed
 * as `default=X`) runs one replication to the horizon with an observer that discards
 * what it is told, and prints one CSV row on stdout:
 *   agent_scale, agents, decisions, state_changes, events, engine_events, create_s,
 *   run_s, cpu_s, decisions_per_s, events_per_s, ns_per_decision, model_mib,
 *   max_rss_mib, create_cpu_s, replication_cpu_s
 * run_s is the wall-clock time of ur_model_run and cpu_s the processor time it took
 * (the fastest of --repeat runs, each a new model with the same seed, hence the same
 * work); the rates and ns_per_decision are per processor second, that is per core,
 * which a machine shared with other work leaves nearly unchanged while it stretches
 * the wall clock. create_s is the wall-clock time of ur_model_create, which draws the
 * agents, and create_cpu_s its processor time; replication_cpu_s is the processor time
 * of one replication, creation and run (the fastest of --repeat). The agents are those
 * made by the end of the run (docs/model.md, "Who can act"). events counts every decision as an event
 * (summary.csv's `events`); engine_events those the engine dispatched. model_mib is
 * what the model allocated; max_rss_mib the process's peak resident set
 * (getrusage ru_maxrss) after the row's runs: scales run in the order given, so list
 * them from the fewest agents to the most for each row's peak to be its own. --set
 * overrides any other setting, as on unrestsim's command line (e.g.
 * agents.stratified=true to make every adult an agent).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "unrest/model.h"
#include "unrest/rng.h"
#include "unrest/scenario.h"

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int discard_sample(void *context, const struct ur_model_sample *sample)
{
	(void)context;
	(void)sample;
	return 0;
}

static int discard_event(void *context, const struct ur_model_event *event)
{
	(void)context;
	(void)event;
	return 0;
}

static double max_rss_mib(void)
{
	struct rusage usage;
	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return -1.0;
	return (double)usage.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

enum { MAX_SETS = 32 };

static int run_scale(const char *path, const char *scale, const char *horizon, uint64_t seed,
		     int repeat, const char *const *extra, size_t nextra)
{
	char set_scale[64], set_horizon[64];
	const char *sets[MAX_SETS + 2];
	size_t nsets = 0;
	for (size_t i = 0; i < nextra; ++i)
		sets[nsets++] = extra[i];
	/* "default": the scenario's own agent_scale, whatever it is; the row names it as
	 * default=X so that a change of the scenario's default shows in the output. */
	if (strcmp(scale, "default") != 0) {
		snprintf(set_scale, sizeof set_scale, "scenario.agent_scale=%s", scale);
		sets[nsets++] = set_scale;
	}
	if (horizon != NULL) {
		snprintf(set_horizon, sizeof set_horizon, "scenario.horizon=%s", horizon);
		sets[nsets++] = set_horizon;
	}
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	enum ur_scenario_status status;
	struct ur_scenario *sc = ur_scenario_load(path, sets, nsets, &diag, &status);
	if (sc == NULL) {
		ur_diag_print(&diag, stderr);
		ur_diag_finish(&diag);
		return 1;
	}
	ur_diag_finish(&diag);
	const struct ur_params *p = ur_scenario_params(sc);
	struct ur_observer obs = {.sample = discard_sample, .event = discard_event};
	double best_run = 1e300, best_create = 1e300, best_cpu = 1e300;
	double best_create_cpu = 1e300, best_replication = 1e300;
	struct ur_model_summary s = {0};
	struct ur_model_stats st = {0};
	for (int i = 0; i < repeat; ++i) {
		double c0 = cpu_seconds();
		double t0 = seconds();
		struct ur_model *m = ur_model_create(p, seed, &obs, NULL);
		double t1 = seconds();
		double c01 = cpu_seconds();
		if (m == NULL) {
			fprintf(stderr, "bench_model: out of memory at agent_scale %s\n", scale);
			ur_scenario_destroy(sc);
			return 1;
		}
		double c1 = cpu_seconds();
		enum ur_model_status rc = ur_model_run(m);
		double c2 = cpu_seconds();
		double t2 = seconds();
		if (rc != UR_MODEL_OK) {
			fprintf(stderr, "bench_model: run failed: %s\n", ur_model_error(m));
			ur_model_destroy(m);
			ur_scenario_destroy(sc);
			return 1;
		}
		ur_model_summary(m, &s);
		ur_model_stats(m, &st);
		if (t2 - t1 < best_run)
			best_run = t2 - t1;
		if (c2 - c1 < best_cpu)
			best_cpu = c2 - c1;
		if (t1 - t0 < best_create)
			best_create = t1 - t0;
		if (c01 - c0 < best_create_cpu)
			best_create_cpu = c01 - c0;
		if (c2 - c0 < best_replication)
			best_replication = c2 - c0;
		if (i + 1 == repeat) {
			char label[64];
			if (strcmp(scale, "default") == 0)
				snprintf(label, sizeof label, "default=%g", p->scenario.agent_scale);
			else
				snprintf(label, sizeof label, "%s", scale);
			printf("%s,%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			       ",%.3f,%.3f,%.3f,%.4g,%.4g,%.2f,%.1f,%.1f,%.3f,%.3f\n",
			       label, ur_model_agents(m), s.decisions, st.state_changes, s.events,
			       s.engine_events, best_create, best_run, best_cpu,
			       (double)s.decisions / best_cpu, (double)s.events / best_cpu,
			       1e9 * best_cpu / (double)s.decisions,
			       (double)st.bytes / (1024.0 * 1024.0), max_rss_mib(), best_create_cpu,
			       best_replication);
			fflush(stdout);
		}
		ur_model_destroy(m);
	}
	ur_scenario_destroy(sc);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"scales", required_argument, NULL, 'a'},
		{"horizon", required_argument, NULL, 'H'},
		{"seed", required_argument, NULL, 's'},
		{"repeat", required_argument, NULL, 'r'},
		{"set", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	char scales_default[] = "100,10,default,1";
	char *scales = scales_default;
	const char *horizon = NULL;
	uint64_t seed = 1;
	int repeat = 1;
	const char *extra[MAX_SETS];
	size_t nextra = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			scales = optarg;
			break;
		case 'H':
			horizon = optarg;
			break;
		case 's':
			if (ur_rng_seed_parse(optarg, &seed) != 0) {
				fprintf(stderr, "bench_model: bad seed %s\n", optarg);
				return 64;
			}
			break;
		case 'r':
			repeat = atoi(optarg);
			if (repeat < 1)
				repeat = 1;
			break;
		case 'S':
			if (nextra == MAX_SETS) {
				fprintf(stderr, "bench_model: at most %d --set\n", MAX_SETS);
				return 64;
			}
			extra[nextra++] = optarg;
			break;
		default:
			return 64;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: bench_model SCENARIO [--scales 100,10,default,1] [--horizon H] "
				"[--seed S] [--repeat R] [--set PATH=VALUE]...\n");
		return 64;
	}
	const char *path = argv[optind];
	printf("agent_scale,agents,decisions,state_changes,events,engine_events,create_s,run_s,"
	       "cpu_s,decisions_per_s,events_per_s,ns_per_decision,model_mib,max_rss_mib,"
	       "create_cpu_s,replication_cpu_s\n");
	for (char *save = NULL, *scale = strtok_r(scales, ",", &save); scale != NULL;
	     scale = strtok_r(NULL, ",", &save))
		if (run_scale(path, scale, horizon, seed, repeat, extra, nextra) != 0)
			return 1;
	return 0;
}
