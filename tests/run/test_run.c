/*
 * test_run.c: the run driver: the same bytes for any number of threads (with the model,
 * and with a stand-in whose replications finish in a forced reverse order), rows that
 * depend on (seed, replication) alone, failed replications recorded in the manifest and
 * left out of the tables, progress reports, and the statuses of an output that cannot
 * be created or written.
 * Usage: test_run SCENARIO   (scenarios/minimal.cfg)
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>

#include <cmocka.h>
#include <libconfig.h>

#include "unrest/output.h"
#include "unrest/rng.h"
#include "unrest/run.h"
#include "unrest/scenario.h"

#include "testutil.h"

static const char *scenario_path;

/* ---- utilities ---------------------------------------------------------------------- */

static struct ur_scenario *load(const char *const *sets, size_t nsets)
{
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	enum ur_scenario_status status;
	struct ur_scenario *s = ur_scenario_load(scenario_path, sets, nsets, &diag, &status);
	if (!s)
		ur_diag_print(&diag, stderr);
	ur_diag_finish(&diag);
	assert_non_null(s);
	return s;
}

/* The names in a folder, sorted, one per line in a static buffer. */
static const char *listing(const char *dir)
{
	static char buf[4096];
	char names[32][256];
	size_t n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		assert_true(n < 32);
		snprintf(names[n++], sizeof names[0], "%s", e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(buf, names[i]);
		strcat(buf, "\n");
	}
	return buf;
}

/* Every file of folder a is in folder b with the same bytes, and nothing else is. */
static void assert_same_folders(const char *a, const char *b)
{
	char list_a[4096];
	snprintf(list_a, sizeof list_a, "%s", listing(a));
	assert_string_equal(list_a, listing(b));
	char *save = NULL;
	for (char *name = strtok_r(list_a, "\n", &save); name;
	     name = strtok_r(NULL, "\n", &save)) {
		size_t la, lb;
		char *fa = testutil_read_file(a, name, &la);
		char *fb = testutil_read_file(b, name, &lb);
		assert_non_null(fa);
		assert_non_null(fb);
		if (la != lb || memcmp(fa, fb, la) != 0) {
			fprintf(stderr, "%s differs between %s and %s\n", name, a, b);
			fail();
		}
		free(fa);
		free(fb);
	}
}

static const char *const test_argv[] = {"unrestsim", "run", "minimal.cfg"};

static struct ur_run_options options(uint64_t seed, uint64_t reps, unsigned jobs)
{
	return (struct ur_run_options){
		.seed = seed,
		.replications = reps,
		.jobs = jobs,
		.version = "test",
		.scenario_path = "minimal.cfg",
		.argc = 3,
		.argv = test_argv,
	};
}

/* Runs into a new folder and returns it (caller removes and frees). */
static char *run_into(const struct ur_scenario *s, const struct ur_run_options *o,
		      enum ur_run_status want, struct ur_run_result *result)
{
	char *base = testutil_temp_dir("test-run");
	char *dir = testutil_path(base, "out");
	free(base);
	struct ur_run_result r;
	enum ur_run_status status = ur_run(s, dir, o, &r);
	if (status != want)
		fprintf(stderr, "ur_run: %d (%s), expected %d\n", status, r.message, want);
	assert_int_equal(status, want);
	assert_int_equal(r.status, status);
	if (result)
		*result = r;
	return dir;
}

static void remove_run(char *dir)
{
	testutil_remove_tree(dir);
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	rmdir(dir);
	free(dir);
}

/* ---- with the model ----------------------------------------------------------------- */

static void test_model_same_bytes_for_any_jobs(void **state)
{
	(void)state;
	struct ur_scenario *s = load(NULL, 0);
	struct ur_run_options o1 = options(7, 4, 1), o2 = options(7, 4, 2),
			      o4 = options(7, 4, 4);
	struct ur_run_result r;
	char *d1 = run_into(s, &o1, UR_RUN_OK, &r);
	assert_int_equal(r.done, 4);
	assert_int_equal(r.failed, 0);
	assert_string_equal(r.message, "");
	char *d2 = run_into(s, &o2, UR_RUN_OK, NULL);
	char *d4 = run_into(s, &o4, UR_RUN_OK, NULL);
	char *again = run_into(s, &o1, UR_RUN_OK, NULL);
	assert_same_folders(d1, d2);
	assert_same_folders(d1, d4);
	assert_same_folders(d1, again);
	/* The files the scenario enables, and the two configuration files. */
	const struct ur_params *p = ur_scenario_params(s);
	char want[512] = "";
	const char *all[] = {"events.csv", "manifest.cfg", "national.csv", "scenario.cfg",
			     "summary.csv", "timeseries.csv"};
	for (size_t i = 0; i < 6; i++) {
		bool on = true;
		for (int t = 0; t < UR_TABLE_COUNT; t++)
			if (strcmp(all[i], ur_table_file((enum ur_table)t)) == 0)
				on = ur_table_enabled(&p->output, (enum ur_table)t);
		if (on) {
			strcat(want, all[i]);
			strcat(want, "\n");
		}
	}
	assert_string_equal(listing(d1), want);
	/* scenario.cfg is the resolved scenario. */
	size_t len;
	char *cfg = testutil_read_file(d1, "scenario.cfg", &len);
	assert_string_equal(cfg, ur_scenario_text(s));
	free(cfg);
	remove_run(d1);
	remove_run(d2);
	remove_run(d4);
	remove_run(again);
	ur_scenario_destroy(s);
}

/* Replication k's rows depend on (seed, k) only: a run of 2 replications is the start
 * of a run of 4 with the same seed; another seed gives other rows. */
static void test_model_rows_depend_on_seed_and_index(void **state)
{
	(void)state;
	struct ur_scenario *s = load(NULL, 0);
	struct ur_run_options o2 = options(9, 2, 2), o4 = options(9, 4, 3),
			      other = options(10, 2, 2);
	char *d2 = run_into(s, &o2, UR_RUN_OK, NULL);
	char *d4 = run_into(s, &o4, UR_RUN_OK, NULL);
	char *dx = run_into(s, &other, UR_RUN_OK, NULL);
	const char *tables[] = {"summary.csv", "national.csv", "timeseries.csv"};
	for (size_t i = 0; i < 3; i++) {
		size_t l2, l4, lx;
		char *f2 = testutil_read_file(d2, tables[i], &l2);
		char *f4 = testutil_read_file(d4, tables[i], &l4);
		char *fx = testutil_read_file(dx, tables[i], &lx);
		assert_non_null(f2);
		assert_non_null(f4);
		assert_non_null(fx);
		assert_true(l2 < l4);
		assert_memory_equal(f2, f4, l2);
		/* Row 2 of the 4-replication file starts a replication-2 row. */
		assert_memory_equal(f4 + l2, "2,", 2);
		if (i == 0)
			assert_false(l2 == lx && memcmp(f2, fx, l2) == 0);
		free(f2);
		free(f4);
		free(fx);
	}
	/* The summary's seed is the replication seed. */
	size_t len;
	char *summary = testutil_read_file(d4, "summary.csv", &len);
	char seed_text[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(ur_rng_replication_seed(9, 3), seed_text);
	char row_start[64];
	snprintf(row_start, sizeof row_start, "\n3,%s,", seed_text);
	assert_non_null(strstr(summary, row_start));
	free(summary);
	remove_run(d2);
	remove_run(d4);
	remove_run(dx);
	ur_scenario_destroy(s);
}

/* ---- with a stand-in ---------------------------------------------------------------- */

/* Replications finish in reverse order within each group of `group` (replication k
 * waits until k + 1 is done, except the last of a group), so a run on `group` threads
 * writes rows that were finished out of order. Replications in `fail` fail. */
struct stand_in {
	unsigned group;
	uint64_t fail[4];
	size_t nfail;
	pthread_mutex_t lock;
	pthread_cond_t finished_one;
	bool done[64];
	uint64_t order[64];         /* replications in the order they finished */
	size_t nfinished;
};

static enum ur_model_status stand_in_replicate(void *context, const struct ur_params *p,
					       uint64_t k, uint64_t seed,
					       const struct ur_observer *observer,
					       char *why, size_t size)
{
	struct stand_in *si = context;
	assert_true(k < 64);
	if (si->group > 1 && (k + 1) % si->group != 0) {
		pthread_mutex_lock(&si->lock);
		while (!si->done[k + 1])
			pthread_cond_wait(&si->finished_one, &si->lock);
		pthread_mutex_unlock(&si->lock);
	}

	enum ur_model_status status = UR_MODEL_OK;
	struct ur_region_row regions[UR_MAX_REGIONS];
	for (int h = 0; h <= 3 && status == UR_MODEL_OK; h++) {
		struct ur_model_sample sample = {.hour = 0.5 * h, .nregions = p->nregions,
						 .regions = regions};
		sample.national = (struct ur_national_row){
			.hour = sample.hour, .active = (double)(100 * k + (uint64_t)h),
			.connectivity = 1.0 / 3.0, .legitimacy = 0.5, .damage_usd = (double)NAN,
		};
		for (size_t r = 0; r < p->nregions; r++)
			regions[r] = (struct ur_region_row){.active = (double)r,
							    .security = 2.5,
							    .internet = UR_NET_OFF};
		if (observer->sample(observer->context, &sample) != 0)
			status = UR_MODEL_OBSERVER;
	}
	struct ur_model_event event = {
		.hour = 1.25, .kind = UR_MEV_CLASH, .name = "clash", .region = 0,
		.value = 2.0, .detail = "security=1, \"injured\"=3",
		.level = UR_EVENTS_MAJOR,
	};
	if (status == UR_MODEL_OK && observer->event(observer->context, &event) != 0)
		status = UR_MODEL_OBSERVER;
	struct ur_model_summary summary = {
		.replication_seed = seed, .outcome = UR_OUTCOME_UNRESOLVED,
		.peak_active = 2.5, .csto_request_hour = (double)NAN, .order_restored_hour = (double)NAN,
		.events = k, .fingerprint = seed ^ 1,
	};
	if (status == UR_MODEL_OK && observer->summary(observer->context, &summary) != 0)
		status = UR_MODEL_OBSERVER;
	for (size_t i = 0; i < si->nfail; i++) {
		if (si->fail[i] == k) {
			snprintf(why, size, "stand-in failure of replication %" PRIu64, k);
			status = UR_MODEL_INVARIANT;
		}
	}

	pthread_mutex_lock(&si->lock);
	si->done[k] = true;
	si->order[si->nfinished++] = k;
	pthread_cond_broadcast(&si->finished_one);
	pthread_mutex_unlock(&si->lock);
	return status;
}

static void stand_in_init(struct stand_in *si, unsigned group)
{
	memset(si, 0, sizeof *si);
	si->group = group;
	pthread_mutex_init(&si->lock, NULL);
	pthread_cond_init(&si->finished_one, NULL);
}

static void stand_in_finish(struct stand_in *si)
{
	pthread_cond_destroy(&si->finished_one);
	pthread_mutex_destroy(&si->lock);
}

/* All tables on, events at every level. */
static const char *const all_tables[] = {
	"output.summary=true", "output.national=true", "output.timeseries=true",
	"output.events=\"all\"",
};

static void test_stand_in_out_of_order(void **state)
{
	(void)state;
	struct ur_scenario *s = load(all_tables, 4);
	struct stand_in serial, parallel;
	stand_in_init(&serial, 1);
	stand_in_init(&parallel, 4);
	struct ur_run_options o1 = options(3, 12, 1), o4 = options(3, 12, 4);
	o1.replicate = stand_in_replicate;
	o1.replicate_context = &serial;
	o4.replicate = stand_in_replicate;
	o4.replicate_context = &parallel;
	char *d1 = run_into(s, &o1, UR_RUN_OK, NULL);
	char *d4 = run_into(s, &o4, UR_RUN_OK, NULL);
	/* The test did what it set out to: replication 3 finished before 0. */
	assert_int_equal(parallel.nfinished, 12);
	assert_int_equal(parallel.order[0], 3);
	assert_same_folders(d1, d4);

	/* The rows as the format says. */
	size_t len;
	char *national = testutil_read_file(d1, "national.csv", &len);
	assert_memory_equal(national,
			    "rep,hour,time,active,held,detained,killed,injured,security,"
			    "csto_troops,connectivity,legitimacy,facilities_held,damage_usd\n"
			    "0,0.0,2022-01-01T00:00:00+06:00,0,0,0,0,0,0.0,0,"
			    "0.333333333,0.5,0,\n"
			    "0,0.5,2022-01-01T00:30:00+06:00,1,0,0,0,0,0.0,0,",
			    strlen("rep,hour,time,active,held,detained,killed,injured,security,"
				   "csto_troops,connectivity,legitimacy,facilities_held,"
				   "damage_usd\n"
				   "0,0.0,2022-01-01T00:00:00+06:00,0,0,0,0,0,0.0,0,"
				   "0.333333333,0.5,0,\n"
				   "0,0.5,2022-01-01T00:30:00+06:00,1,0,0,0,0,0.0,0,"));
	assert_non_null(strstr(national, "\n11,1.5,2022-01-01T01:30:00+06:00,1103,"));
	free(national);
	char *events = testutil_read_file(d1, "events.csv", &len);
	const struct ur_params *p = ur_scenario_params(s);
	char row[256];
	snprintf(row, sizeof row,
		 "\n0,1.25,2022-01-01T01:15:00+06:00,clash,%s,2.0,"
		 "\"security=1, \"\"injured\"\"=3\"\n1,",
		 p->regions[0].id);
	assert_non_null(strstr(events, row));
	free(events);
	char *series = testutil_read_file(d1, "timeseries.csv", &len);
	/* timeseries.csv has no time column by default (output.timeseries_columns). */
	snprintf(row, sizeof row, "\n0,0.0,%s,1,0,0,0,0,2.5,0,off\n",
		 p->regions[1].id);
	assert_non_null(strstr(series, row));
	free(series);
	char *summary = testutil_read_file(d1, "summary.csv", &len);
	char seed[UR_RNG_SEED_TEXT_SIZE], fp[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(ur_rng_replication_seed(3, 5), seed);
	ur_rng_seed_format(ur_rng_replication_seed(3, 5) ^ 1, fp);
	/* peak_active 2.5 persons is a count: whole persons. */
	snprintf(row, sizeof row, "\n5,%s,unresolved,3,0.0,0,0,0,0,0,0.0,0.0,,0,,5,%s,,\n",
		 seed, fp);
	assert_non_null(strstr(summary, row));
	free(summary);

	remove_run(d1);
	remove_run(d4);
	stand_in_finish(&serial);
	stand_in_finish(&parallel);
	ur_scenario_destroy(s);
}

static void test_stand_in_failures(void **state)
{
	(void)state;
	struct ur_scenario *s = load(all_tables, 4);
	struct stand_in serial, parallel;
	stand_in_init(&serial, 1);
	stand_in_init(&parallel, 3);
	serial.fail[0] = parallel.fail[0] = 2;
	serial.fail[1] = parallel.fail[1] = 4;
	serial.nfail = parallel.nfail = 2;
	struct ur_run_options o1 = options(5, 6, 1), o3 = options(5, 6, 3);
	o1.replicate = stand_in_replicate;
	o1.replicate_context = &serial;
	o3.replicate = stand_in_replicate;
	o3.replicate_context = &parallel;
	struct ur_run_result r;
	char *d1 = run_into(s, &o1, UR_RUN_SOFTWARE, &r);
	assert_int_equal(r.done, 6);
	assert_int_equal(r.failed, 2);
	assert_non_null(strstr(r.message, "2 of 6 replications failed"));
	assert_non_null(strstr(r.message, "stand-in failure of replication 2"));
	char *d3 = run_into(s, &o3, UR_RUN_SOFTWARE, NULL);
	assert_same_folders(d1, d3);

	/* No rows of the failed replications. */
	size_t len;
	const char *tables[] = {"summary.csv", "national.csv", "timeseries.csv",
				"events.csv"};
	for (size_t i = 0; i < 4; i++) {
		char *text = testutil_read_file(d1, tables[i], &len);
		assert_non_null(strstr(text, "\n1,"));
		assert_non_null(strstr(text, "\n3,"));
		assert_null(strstr(text, "\n2,"));
		assert_null(strstr(text, "\n4,"));
		free(text);
	}
	/* The manifest says which failed and why. */
	char *text = testutil_read_file(d1, "manifest.cfg", &len);
	config_t cfg;
	config_init(&cfg);
	assert_int_equal(config_read_string(&cfg, text), CONFIG_TRUE);
	int n;
	assert_true(config_lookup_int(&cfg, "units_done", &n));
	assert_int_equal(n, 4);
	assert_true(config_lookup_int(&cfg, "units_failed", &n));
	assert_int_equal(n, 2);
	const char *str;
	assert_true(config_lookup_string(&cfg, "units.[4].status", &str));
	assert_string_equal(str, "failed");
	assert_true(config_lookup_string(&cfg, "units.[4].reason", &str));
	assert_string_equal(str, "stand-in failure of replication 4");
	assert_true(config_lookup_string(&cfg, "units.[3].status", &str));
	assert_string_equal(str, "done");
	char seed[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(ur_rng_replication_seed(5, 3), seed);
	assert_true(config_lookup_string(&cfg, "units.[3].seed", &str));
	assert_string_equal(str, seed);
	assert_true(config_lookup_string(&cfg, "master_seed", &str));
	assert_string_equal(str, "0x0000000000000005");
	char hash[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(ur_scenario_hash(s), hash);
	assert_true(config_lookup_string(&cfg, "scenario_hash", &str));
	assert_string_equal(str, hash);
	config_destroy(&cfg);
	free(text);

	remove_run(d1);
	remove_run(d3);
	stand_in_finish(&serial);
	stand_in_finish(&parallel);
	ur_scenario_destroy(s);
}

struct progress_log {
	size_t calls;
	uint64_t last_done;
	double last_elapsed;
	bool ordered;
};

static void log_progress(void *context, const struct ur_run_progress *p)
{
	struct progress_log *log = context;
	if (log->calls > 0 &&
	    (p->done != log->last_done + 1 || p->elapsed_s < log->last_elapsed))
		log->ordered = false;
	if (log->calls == 0 && p->done != 0)
		log->ordered = false;
	if (p->total != 5)
		log->ordered = false;
	log->calls++;
	log->last_done = p->done;
	log->last_elapsed = p->elapsed_s;
}

static void test_progress(void **state)
{
	(void)state;
	struct ur_scenario *s = load(NULL, 0);
	struct stand_in si;
	stand_in_init(&si, 1);
	struct progress_log log = {.ordered = true};
	struct ur_run_options o = options(1, 5, 2);
	o.replicate = stand_in_replicate;
	o.replicate_context = &si;
	o.progress = log_progress;
	o.progress_context = &log;
	char *d = run_into(s, &o, UR_RUN_OK, NULL);
	assert_int_equal(log.calls, 6);
	assert_int_equal(log.last_done, 5);
	assert_true(log.ordered);
	remove_run(d);
	stand_in_finish(&si);
	ur_scenario_destroy(s);
}

/* A folder that cannot be made: 73, and nothing is made. */
static void test_cannot_create(void **state)
{
	(void)state;
	struct ur_scenario *s = load(NULL, 0);
	char *base = testutil_temp_dir("test-run");
	char *file = testutil_path(base, "file");
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	char *dir = testutil_path(file, "out");
	struct ur_run_options o = options(1, 2, 1);
	struct ur_run_result r;
	assert_int_equal(ur_run(s, dir, &o, &r), UR_RUN_CANTCREAT);
	assert_non_null(strstr(r.message, dir));
	assert_string_equal(listing(base), "file\n");
	free(dir);
	unlink(file);
	free(file);
	rmdir(base);
	free(base);
	ur_scenario_destroy(s);
}

/* A write that fails (the file size limit stands in for a full disk): 74, and neither
 * a final-named file nor a temporary one is left. */
static void test_write_error(void **state)
{
	(void)state;
	struct ur_scenario *s = load(all_tables, 4);
	struct rlimit saved;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 1 << 20)
		skip();
	struct stand_in si;
	stand_in_init(&si, 1);
	struct ur_run_options o = options(1, 60, 2);
	o.replicate = stand_in_replicate;
	o.replicate_context = &si;
	char *base = testutil_temp_dir("test-run");
	char *dir = testutil_path(base, "out");
	/* scenario.cfg fits; the rows of 60 replications do not. */
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit small = saved;
	small.rlim_cur = strlen(ur_scenario_text(s)) + 2048;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	struct ur_run_result r;
	enum ur_run_status status = ur_run(s, dir, &o, &r);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old);
	assert_int_equal(status, UR_RUN_IOERR);
	assert_non_null(strstr(r.message, ".csv"));
	assert_string_equal(listing(dir), "");
	rmdir(dir);
	free(dir);
	rmdir(base);
	free(base);
	stand_in_finish(&si);
	ur_scenario_destroy(s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_run SCENARIO\n");
		return 2;
	}
	scenario_path = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_same_bytes_for_any_jobs),
		cmocka_unit_test(test_model_rows_depend_on_seed_and_index),
		cmocka_unit_test(test_stand_in_out_of_order),
		cmocka_unit_test(test_stand_in_failures),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_cannot_create),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
