/*
 * test_sweep.c: sweeps: the designs (grid with zip groups, Latin hypercube strata,
 * Sobol against GSL's sequence, list), the bad sweep-file corpus with its exact
 * messages, identical files for any number of jobs, shards merged byte for byte,
 * resume after an interruption, failed units, sweep_stats.csv against statistics
 * computed here from sweep.csv's rows, and Wilson intervals with known answers.
 *
 * Usage: test_sweep MINIMAL_CFG BAD_CORPUS_DIR
 */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "unrest/output.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

#include "bad_corpus.h"
#include "testutil.h"

static const char *minimal_cfg;
static const char *bad_dir;


static struct ur_sweep *load_ok(const char *path)
{
	struct ur_diag diag;
	ur_diag_init(&diag, 20);
	enum ur_scenario_status st;
	struct ur_sweep *sw = ur_sweep_load(path, &diag, &st);
	if (!sw) {
		ur_diag_print(&diag, stderr);
		fail_msg("%s does not load (status %d)", path, (int)st);
	}
	ur_diag_finish(&diag);
	return sw;
}

static double value_of(const struct ur_sweep *sw, size_t p, size_t j)
{
	return ur_sweep_value(sw, p, j)->real;
}

/* ---- designs ------------------------------------------------------------------------- */

static void test_grid_product_with_zip(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-grid");
	char *path = testutil_write_file(dir, "g.cfg",
		"scenario = \"%s\"; design = \"grid\"; replications = 2;\n"
		"parameters = (\n"
		"  { path = \"agents.legitimacy\"; values = [0.5, 1.0]; },\n"
		"  { zip = ( { path = \"agents.w_s\"; from = 0.1; to = 0.3; step = 0.1; },\n"
		"            { path = \"scenario.horizon\"; values = [24.0, 48.0, 72.0]; } ); },\n"
		"  { path = \"agents.sigma_fuel\"; from = 0; to = 1; count = 2; }\n"
		");\n", minimal_cfg);
	struct ur_sweep *sw = load_ok(path);
	/* 2 x 3 (the zip group is one dimension) x 2, the first dimension slowest. */
	assert_int_equal(ur_sweep_points(sw), 12);
	assert_int_equal(ur_sweep_params(sw), 4);
	assert_string_equal(ur_sweep_param_path(sw, 2), "scenario.horizon");
	const double w_s[3] = {0.1, 0.2, 0.3}, horizon[3] = {24, 48, 72};
	for (size_t p = 0; p < 12; p++) {
		size_t a = p / 6, b = (p / 2) % 3, c = p % 2;
		assert_near(value_of(sw, p, 0), a ? 1.0 : 0.5, 0);
		/* 0.1 + 2 * 0.1 is 0.30000000000000004: within one ulp of 0.3. */
		assert_near(value_of(sw, p, 1), w_s[b], 1e-15);
		assert_near(value_of(sw, p, 2), horizon[b], 0);
		/* Whole-number ends and count: integer values. */
		assert_int_equal(ur_sweep_value(sw, p, 3)->type, UR_SWEEP_INT);
		assert_int_equal(ur_sweep_value(sw, p, 3)->integer, (int64_t)c);
	}
	/* Each point's scenario carries its values. */
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	enum ur_scenario_status st;
	struct ur_scenario *sc = ur_sweep_point_scenario(sw, 11, &diag, &st);
	assert_non_null(sc);
	assert_near(ur_scenario_params(sc)->scenario.horizon_h, 72.0, 0);
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(path);
	free(dir);
}

static void test_lhs_one_point_per_stratum(void **state)
{
	(void)state;
	/* The bare design: in every dimension, floor(x n) is a permutation of 0..n-1. */
	enum { N = 37, D = 5 };
	double x[N * D];
	gsl_rng *rng = ur_rng_create(12345);
	ur_sweep_lhs(N, D, rng, x);
	ur_rng_destroy(rng);
	for (size_t j = 0; j < D; j++) {
		int seen[N] = {0};
		for (size_t i = 0; i < N; i++) {
			assert_true(x[i * D + j] >= 0 && x[i * D + j] < 1);
			seen[(int)(x[i * D + j] * N)]++;
		}
		for (size_t s = 0; s < N; s++)
			assert_int_equal(seen[s], 1);
	}

	/* Through a sweep file: the same over the ranges, and reproducible from the seed. */
	char *dir = testutil_temp_dir("sweep-lhs");
	char *path = testutil_write_file(dir, "l.cfg",
		"scenario = \"%s\"; design = \"lhs\"; points = 20; seed = 9;\n"
		"parameters = ( { path = \"agents.w_s\"; min = 0.2; max = 0.6; },\n"
		"               { path = \"agents.legitimacy\"; min = 0.5; max = 1.0; } );\n",
		minimal_cfg);
	struct ur_sweep *sw = load_ok(path), *again = load_ok(path);
	const double lo[2] = {0.2, 0.5}, hi[2] = {0.6, 1.0};
	for (size_t j = 0; j < 2; j++) {
		int seen[20] = {0};
		for (size_t p = 0; p < 20; p++) {
			double v = value_of(sw, p, j);
			assert_near(v, value_of(again, p, j), 0);
			int s = (int)((v - lo[j]) / (hi[j] - lo[j]) * 20);
			assert_true(s >= 0 && s < 20);
			seen[s]++;
		}
		for (size_t s = 0; s < 20; s++)
			assert_int_equal(seen[s], 1);
	}
	ur_sweep_destroy(sw);
	ur_sweep_destroy(again);
	testutil_remove_tree(dir);
	free(path);
	free(dir);
}

static void test_sobol_is_gsl_scaled(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-sobol");
	char *path = testutil_write_file(dir, "s.cfg",
		"scenario = \"%s\"; design = \"sobol\"; points = 16;\n"
		"parameters = ( { path = \"agents.w_s\"; min = 0.2; max = 0.6; },\n"
		"               { path = \"agents.legitimacy\"; min = 0.5; max = 1.0; },\n"
		"               { path = \"scenario.horizon\"; min = 10; max = 20; "
		"integer = true; } );\n", minimal_cfg);
	struct ur_sweep *sw = load_ok(path);
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 3);
	for (size_t p = 0; p < 16; p++) {
		double x[3];
		gsl_qrng_get(q, x);
		assert_near(value_of(sw, p, 0), 0.2 + x[0] * (0.6 - 0.2), 0);
		assert_near(value_of(sw, p, 1), 0.5 + x[1] * (1.0 - 0.5), 0);
		/* Integers 10..20, each 1/11 of [0, 1). */
		assert_int_equal(ur_sweep_value(sw, p, 2)->integer, (int64_t)(10 + x[2] * 11));
	}
	gsl_qrng_free(q);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(path);
	free(dir);
}

static void test_list_points(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-list");
	char *path = testutil_write_file(dir, "l.cfg",
		"scenario = \"%s\"; design = \"list\"; replications = 1;\n"
		"parameters = [ \"agents.legitimacy\", \"agents.stratified\", "
		"\"agents.threshold.dist\" ];\n"
		"points = ( ( 0.5, true, \"normal\" ), ( 1, false, \"normal\" ) );\n",
		minimal_cfg);
	struct ur_sweep *sw = load_ok(path);
	assert_int_equal(ur_sweep_points(sw), 2);
	assert_int_equal(ur_sweep_value(sw, 0, 1)->type, UR_SWEEP_BOOL);
	assert_true(ur_sweep_value(sw, 0, 1)->boolean);
	assert_int_equal(ur_sweep_value(sw, 1, 0)->type, UR_SWEEP_INT);
	assert_string_equal(ur_sweep_value(sw, 1, 2)->text, "normal");
	/* --list: one row per unit, the replication's seed. */
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(ur_sweep_list(sw, 1, 1, f), 0);
	fclose(f);
	char seed[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(ur_rng_replication_seed(ur_sweep_seed(sw), 0), seed);
	char want[512];
	snprintf(want, sizeof want, "point,replication,agents.legitimacy,agents.stratified,"
		 "agents.threshold.dist,seed\n0,0,0.5,true,normal,%s\n1,0,1,false,normal,%s\n",
		 seed, seed);
	assert_string_equal(out, want);
	free(out);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(path);
	free(dir);
}

/* ---- the bad corpus ------------------------------------------------------------------- */

static bool read_sweep(const char *path, struct ur_diag *diag,
		       enum ur_scenario_status *status)
{
	struct ur_sweep *sw = ur_sweep_load(path, diag, status);
	bool accepted = sw != NULL;
	ur_sweep_destroy(sw);
	return accepted;
}

/* Every bad/NAME.cfg gives exactly the messages and status of bad/NAME.expected, in
 * which @DIR@ stands for the corpus folder. */
static void test_bad_corpus(void **state)
{
	(void)state;
	testutil_check_bad_corpus(bad_dir, read_sweep, 10);
}

/* ---- running ----------------------------------------------------------------------- */

/* A small grid over minimal.cfg: 3 points x 4 replications. */
static char *small_sweep(const char *dir)
{
	return testutil_write_file(dir, "small.cfg",
		"scenario = \"%s\"; design = \"grid\"; replications = 4; seed = 11;\n"
		"parameters = ( { path = \"government.actions.[rollback].delay.median\";\n"
		"                 values = [2.0, 8.0, 24.0]; } );\n", minimal_cfg);
}

static const char *const argv_fixed[] = {"unrestsim", "sweep", "small.cfg"};

static struct ur_sweep_options options(unsigned jobs, unsigned shard, unsigned shards)
{
	return (struct ur_sweep_options){
		.jobs = jobs, .shard = shard, .shards = shards, .version = "test",
		.sweep_path = "small.cfg", .argc = 3, .argv = argv_fixed,
	};
}

static const char *const data_files[] = {"scenario.cfg", "sweep.cfg", "sweep.csv",
					 "sweep_stats.csv"};

/* The data files of a and b are the same bytes, and their manifests too but for the
 * command and command_line lines. */
static void assert_same_folder(const char *a, const char *b)
{
	testutil_assert_same_files(a, b, data_files, sizeof data_files / sizeof *data_files);
	char *x = testutil_read_file(a, "manifest.cfg", NULL);
	char *y = testutil_read_file(b, "manifest.cfg", NULL);
	assert_non_null(x);
	assert_non_null(y);
	const char *tail_x = strstr(x, "scenario = "), *tail_y = strstr(y, "scenario = ");
	assert_non_null(tail_x);
	assert_non_null(tail_y);
	assert_string_equal(tail_x, tail_y);
	free(x);
	free(y);
}

static void run_ok(const struct ur_sweep *sw, const char *dir,
		   const struct ur_sweep_options *o)
{
	struct ur_sweep_result r;
	if (ur_sweep_run(sw, dir, o, &r) != UR_RUN_OK)
		fail_msg("sweep into %s: %s", dir, r.message);
}

static void test_jobs_and_shards_same_bytes(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-shards");
	char *path = small_sweep(dir);
	struct ur_sweep *sw = load_ok(path);
	char *one = testutil_path(dir, "one"), *two = testutil_path(dir, "two");
	struct ur_sweep_options o1 = options(1, 1, 1), o2 = options(2, 1, 1);
	run_ok(sw, one, &o1);
	run_ok(sw, two, &o2);
	assert_same_folder(one, two);

	char *shard[3];
	for (unsigned k = 0; k < 3; k++) {
		char name[16];
		snprintf(name, sizeof name, "shard%u", k + 1);
		shard[k] = testutil_path(dir, name);
		struct ur_sweep_options o = options(2, k + 1, 3);
		run_ok(sw, shard[k], &o);
	}
	/* Shard 2 of 3 holds units 1, 4, 7, 10: its manifest says so. */
	char *m2 = testutil_read_file(shard[1], "manifest.cfg", NULL);
	assert_non_null(strstr(m2, "units_total = 4;"));
	assert_non_null(strstr(m2, "{ point = 0; replication = 1;"));
	assert_non_null(strstr(m2, "{ point = 2; replication = 2;"));
	free(m2);

	char *merged = testutil_path(dir, "merged");
	struct ur_sweep_result r;
	/* Given in any order. */
	const char *const order[3] = {shard[2], shard[0], shard[1]};
	assert_int_equal(ur_sweep_merge(merged, order, 3, "test", 3, argv_fixed, &r), 0);
	assert_same_folder(one, merged);

	/* A missing shard, an overlap, and a shard of another sweep are refused. */
	char *bad = testutil_path(dir, "bad");
	assert_int_equal(ur_sweep_merge(bad, (const char *const *)shard, 2, "test", 3,
					argv_fixed, &r), 65);
	assert_non_null(strstr(r.message, "4 of 12 units are in none of the folders"));
	const char *const twice[4] = {shard[0], shard[1], shard[2], shard[1]};
	assert_int_equal(ur_sweep_merge(bad, twice, 4, "test", 3, argv_fixed, &r), 65);
	assert_non_null(strstr(r.message, "shards overlap"));
	char *other_path = testutil_write_file(dir, "other.cfg",
		"scenario = \"%s\"; design = \"grid\"; replications = 4; seed = 12;\n"
		"parameters = ( { path = \"government.actions.[rollback].delay.median\";\n"
		"                 values = [2.0, 8.0, 24.0]; } );\n", minimal_cfg);
	struct ur_sweep *other = load_ok(other_path);
	char *other_shard = testutil_path(dir, "other3");
	struct ur_sweep_options o3 = options(1, 3, 3);
	run_ok(other, other_shard, &o3);
	const char *const mixed[3] = {shard[0], shard[1], other_shard};
	assert_int_equal(ur_sweep_merge(bad, mixed, 3, "test", 3, argv_fixed, &r), 65);
	assert_non_null(strstr(r.message, "hold different sweeps"));
	assert_int_equal(testutil_exists(dir, "bad"), 0);

	ur_sweep_destroy(other);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	for (int k = 0; k < 3; k++)
		free(shard[k]);
	free(other_shard);
	free(other_path);
	free(bad);
	free(merged);
	free(one);
	free(two);
	free(path);
	free(dir);
}

/* The point a stand-in replication picks out, by its value of the swept rollback
 * delay (minimal.cfg's only action): a point's scenario is loaded anew for each
 * worker, so its params are known by their values, not by their address. */
struct target {
	double rollback_delay;
};

static bool at_target(const struct target *t, const struct ur_params *params)
{
	return params->government.nactions == 1 &&
	       params->government.actions[0].delay_h.median == t->rollback_delay;
}

/* Stops the sweep (as out of memory would) at the unit of replication 2 of point 1:
 * the folder then holds at most its last checkpoint, like a killed sweep's. */
static enum ur_model_status interrupted(void *context, const struct ur_params *params,
					uint64_t replication, uint64_t seed,
					const struct ur_observer *observer, char *why,
					size_t size)
{
	const struct target *stop_at = context;
	if (stop_at && at_target(stop_at, params) && replication == 2)
		return UR_MODEL_NOMEM;
	struct ur_model *model = ur_model_create(params, seed, observer, NULL);
	if (!model)
		return UR_MODEL_NOMEM;
	enum ur_model_status st = ur_model_run(model);
	if (st != UR_MODEL_OK)
		snprintf(why, size, "%s", ur_model_error(model));
	ur_model_destroy(model);
	return st;
}

/* Removes the manifest's lines of the units of point `point`. */
static void forget_point(const char *dir, int point)
{
	char *m = testutil_read_file(dir, "manifest.cfg", NULL);
	assert_non_null(m);
	char *path = testutil_path(dir, "manifest.cfg");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	char key[32];
	snprintf(key, sizeof key, "{ point = %d;", point);
	for (char *line = strtok(m, "\n"); line; line = strtok(NULL, "\n"))
		if (!strstr(line, key))
			fprintf(f, "%s\n", line);
	fclose(f);
	free(path);
	free(m);
}

static void test_resume_same_bytes(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-resume");
	char *path = small_sweep(dir);
	struct ur_sweep *sw = load_ok(path);
	char *full = testutil_path(dir, "full"), *part = testutil_path(dir, "part");
	struct ur_sweep_options o = options(2, 1, 1);
	run_ok(sw, full, &o);

	/* Units deleted from the manifest are run again, whatever sweep.csv holds. */
	run_ok(sw, part, &o);
	forget_point(part, 1);
	struct ur_sweep_options resume = options(1, 1, 1);
	resume.resume = true;
	struct ur_sweep_result r;
	assert_int_equal(ur_sweep_run(sw, part, &resume, &r), UR_RUN_OK);
	assert_int_equal(r.skipped, 8);
	assert_int_equal(r.done, 4);
	assert_same_folder(full, part);

	/* An interrupted sweep with checkpoints resumes to the same files. */
	char *cut = testutil_path(dir, "cut");
	struct ur_sweep_options stopping = options(1, 1, 1);
	stopping.checkpoint_s = 1e-9;
	stopping.replicate = interrupted;
	struct target at = {8.0}; /* point 1 */
	stopping.replicate_context = &at;
	assert_int_equal(ur_sweep_run(sw, cut, &stopping, &r), UR_RUN_SOFTWARE);
	assert_int_equal(r.failed, 0);
	assert_int_equal(ur_sweep_run(sw, cut, &resume, &r), UR_RUN_OK);
	assert_true(r.skipped <= 6);
	assert_same_folder(full, cut);

	/* A folder of another sweep is not resumed into. */
	char *other_path = testutil_write_file(dir, "other.cfg",
		"scenario = \"%s\"; design = \"grid\"; replications = 4; seed = 12;\n"
		"parameters = ( { path = \"agents.legitimacy\"; values = [0.5]; } );\n", minimal_cfg);
	struct ur_sweep *other = load_ok(other_path);
	assert_int_equal(ur_sweep_run(other, full, &resume, &r), UR_RUN_CANTCREAT);
	assert_non_null(strstr(r.message, "holds another sweep"));

	ur_sweep_destroy(other);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(other_path);
	free(cut);
	free(full);
	free(part);
	free(path);
	free(dir);
}

/* The flag a signal handler would set, set instead by the unit of replication 1 of
 * point 1 (one worker: units run in order, so units 0..4 finish before it). */
struct signalling {
	volatile sig_atomic_t flag;
	struct target at;
};

static enum ur_model_status raising(void *context, const struct ur_params *params,
				    uint64_t replication, uint64_t seed,
				    const struct ur_observer *observer, char *why,
				    size_t size)
{
	struct signalling *sg = context;
	if (at_target(&sg->at, params) && replication == 1)
		sg->flag = SIGTERM;
	/* Units after the flag are slow, so that the sweep sees it (within 0.1 s)
	 * while units remain, however loaded the machine. */
	if (sg->flag)
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	return interrupted(NULL, params, replication, seed, observer, why, size);
}

/* A signal's flag stops the sweep after a commit of the units finished: status
 * INTERRUPTED with the signal, a manifest that claims at least the units finished
 * before the flag was set, and --resume finishes with the bytes of a whole sweep. No
 * checkpoint comes before (checkpoint_s = 0): the commit is the signal's. */
static void test_interrupt_commits_then_resumes(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-signal");
	char *path = small_sweep(dir);
	struct ur_sweep *sw = load_ok(path);
	char *full = testutil_path(dir, "full"), *cut = testutil_path(dir, "cut");
	struct ur_sweep_options o = options(2, 1, 1);
	run_ok(sw, full, &o);

	struct signalling sg = {0, {8.0}};
	struct ur_sweep_options stopping = options(1, 1, 1);
	stopping.replicate = raising;
	stopping.replicate_context = &sg;
	stopping.interrupt = &sg.flag;
	struct ur_sweep_result r;
	assert_int_equal(ur_sweep_run(sw, cut, &stopping, &r), UR_RUN_INTERRUPTED);
	assert_int_equal(r.signal, SIGTERM);
	assert_non_null(strstr(r.message, "--resume"));
	assert_true(r.done >= 5 && r.done < 12);
	char *m = testutil_read_file(cut, "manifest.cfg", NULL);
	assert_non_null(m);
	size_t claimed = 0;
	for (const char *p = m; (p = strstr(p, "status = \"done\"")); p++)
		claimed++;
	assert_int_equal(claimed, r.done);
	free(m);

	struct ur_sweep_options resume = options(2, 1, 1);
	resume.resume = true;
	assert_int_equal(ur_sweep_run(sw, cut, &resume, &r), UR_RUN_OK);
	assert_int_equal(r.skipped, claimed);
	assert_same_folder(full, cut);

	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(cut);
	free(full);
	free(path);
	free(dir);
}

/* Fails replication 1 of the point whose params are the context. */
static enum ur_model_status failing(void *context, const struct ur_params *params,
				    uint64_t replication, uint64_t seed,
				    const struct ur_observer *observer, char *why, size_t size)
{
	const struct target *at = context;
	if (at_target(at, params) && replication == 1) {
		snprintf(why, size, "an invariant failed on purpose");
		return UR_MODEL_INVARIANT;
	}
	return interrupted(NULL, params, replication, seed, observer, why, size);
}

/* Counts the replications asked for, and runs none. */
static enum ur_model_status counting(void *context, const struct ur_params *params,
				     uint64_t replication, uint64_t seed,
				     const struct ur_observer *observer, char *why, size_t size)
{
	(void)params, (void)replication, (void)seed, (void)observer;
	atomic_fetch_add((atomic_uint *)context, 1u);
	snprintf(why, size, "not run");
	return UR_MODEL_INVARIANT;
}

/* A folder the writer would refuse (it holds a user's file) is refused before any
 * unit runs, and is left as it was. */
static void test_refused_folder_runs_nothing(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-refused");
	char *path = small_sweep(dir);
	struct ur_sweep *sw = load_ok(path);
	char *out = testutil_path(dir, "out");
	assert_int_equal(mkdir(out, 0777), 0);
	free(testutil_write_file(out, "notes.txt", "mine\n"));
	atomic_uint calls = 0;
	struct ur_sweep_options o = options(2, 1, 1);
	o.replicate = counting;
	o.replicate_context = &calls;
	struct ur_sweep_result r;
	assert_int_equal(ur_sweep_run(sw, out, &o, &r), UR_RUN_CANTCREAT);
	assert_int_equal(atomic_load(&calls), 0);
	assert_non_null(strstr(r.message, "notes.txt"));
	assert_false(testutil_exists(out, "manifest.cfg"));
	assert_false(testutil_exists(out, "sweep.csv"));
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(out);
	free(path);
	free(dir);
}

/* Defect 1: a sweep reads its scenario and base files once, at the start. The hook
 * below edits both files while the first unit runs; every unit must still run with
 * the original values, and the folder (scenario.cfg, the manifest's hash) must name
 * the scenario that ran. */
struct editing {
	const char *dir;
	char *base_text;               /* minimal.cfg with agent_scale 20 */
	unsigned calls;
	unsigned off;                  /* units whose horizon or agent_scale differ */
};

static enum ur_model_status edit_files(void *context, const struct ur_params *params,
				       uint64_t replication, uint64_t seed,
				       const struct ur_observer *observer, char *why,
				       size_t size)
{
	struct editing *e = context;
	if (e->calls++ == 0) {
		free(testutil_write_file(e->dir, "top.cfg",
				"base = \"base.cfg\";\nscenario = { horizon = 96.0; };\n"));
		free(testutil_write_file(e->dir, "base.cfg", "%s", e->base_text));
	}
	if (params->scenario.horizon_h != 48.0 || params->scenario.agent_scale != 10.0)
		e->off++;
	return interrupted(NULL, params, replication, seed, observer, why, size);
}

static void test_files_read_once(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-once");
	char *minimal = testutil_read_file("", minimal_cfg, NULL);
	assert_non_null(minimal);
	char *scale = strstr(minimal, "agent_scale = 10.0;");
	assert_non_null(scale);
	free(testutil_write_file(dir, "base.cfg", "%s", minimal));
	free(testutil_write_file(dir, "top.cfg",
			"base = \"base.cfg\";\nscenario = { horizon = 48.0; };\n"));
	scale[strlen("agent_scale = ")] = '2';
	char *path = testutil_write_file(dir, "once.cfg",
		"scenario = \"%s/top.cfg\"; design = \"grid\"; replications = 4; seed = 3;\n"
		"parameters = ( { path = \"government.actions.[rollback].delay.median\";\n"
		"                 values = [2.0, 8.0, 24.0]; } );\n", dir);
	struct ur_sweep *sw = load_ok(path);
	struct editing e = {.dir = dir, .base_text = minimal};
	struct ur_sweep_options o = options(1, 1, 1);
	o.replicate = edit_files;
	o.replicate_context = &e;
	char *out = testutil_path(dir, "out");
	struct ur_sweep_result r;
	assert_int_equal(ur_sweep_run(sw, out, &o, &r), UR_RUN_OK);
	assert_int_equal(e.calls, 12);
	assert_int_equal(e.off, 0);
	assert_int_equal(r.failed, 0);

	char *cfg = testutil_read_file(out, "scenario.cfg", NULL);
	assert_non_null(cfg);
	assert_non_null(strstr(cfg, "horizon = 48.0;"));
	assert_non_null(strstr(cfg, "agent_scale = 10.0;"));
	free(cfg);
	struct ur_diag diag;
	ur_diag_init(&diag, 4);
	enum ur_scenario_status st;
	char *mpath = testutil_path(out, "manifest.cfg");
	struct ur_sweep_manifest *m = ur_sweep_manifest_read(mpath, &diag, &st);
	assert_non_null(m);
	assert_true(m->scenario_hash == ur_sweep_hash(sw));
	assert_int_equal(m->nunits, 12);
	ur_sweep_manifest_destroy(m);
	ur_diag_finish(&diag);

	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(mpath);
	free(out);
	free(path);
	free(minimal);
	free(dir);
}

static void test_failed_unit_recorded(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-fail");
	char *path = small_sweep(dir);
	struct ur_sweep *sw = load_ok(path);
	char *out = testutil_path(dir, "out");
	struct ur_sweep_options o = options(2, 1, 1);
	o.replicate = failing;
	struct target at = {24.0}; /* point 2 */
	o.replicate_context = &at;
	struct ur_sweep_result r;
	assert_int_equal(ur_sweep_run(sw, out, &o, &r), UR_RUN_SOFTWARE);
	assert_int_equal(r.failed, 1);
	assert_string_equal(r.message, "1 of 12 units failed (see manifest.cfg); point 2 "
				       "replication 1: an invariant failed on purpose");
	char *m = testutil_read_file(out, "manifest.cfg", NULL);
	assert_non_null(strstr(m, "{ point = 2; replication = 1; seed = \""));
	assert_non_null(strstr(m, "status = \"failed\"; reason = \"an invariant failed on "
				  "purpose\"; }"));
	assert_non_null(strstr(m, "units_failed = 1;"));
	free(m);
	char *csv = testutil_read_file(out, "sweep.csv", NULL);
	assert_null(strstr(csv, "\n2,24.0,1,"));
	assert_non_null(strstr(csv, "\n2,24.0,2,"));
	free(csv);
	char *stats = testutil_read_file(out, "sweep_stats.csv", NULL);
	assert_non_null(strstr(stats, "\n2,24.0,killed,3,"));
	assert_non_null(strstr(stats, "\n1,8.0,killed,4,"));
	free(stats);
	/* Resuming runs the failed unit again. */
	struct ur_sweep_options resume = options(1, 1, 1);
	resume.resume = true;
	assert_int_equal(ur_sweep_run(sw, out, &resume, &r), UR_RUN_OK);
	assert_int_equal(r.done, 1);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(out);
	free(path);
	free(dir);
}

/* ---- statistics -------------------------------------------------------------------- */

/* The fields of one CSV line without quotes (the test's files have none). */
static size_t split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *s = line;
	for (;;) {
		if (n < max)
			fields[n] = s;
		n++;
		char *comma = strchr(s, ',');
		if (!comma)
			break;
		*comma = '\0';
		s = comma + 1;
	}
	return n;
}

static void test_stats_against_gsl(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sweep-stats");
	char *path = testutil_write_file(dir, "st.cfg",
		"scenario = \"%s\"; design = \"grid\"; replications = 9; seed = 5;\n"
		"parameters = ( { path = \"agents.legitimacy\"; values = [0.6, 1.0]; } );\n",
		minimal_cfg);
	struct ur_sweep *sw = load_ok(path);
	char *out = testutil_path(dir, "out");
	struct ur_sweep_options o = options(2, 1, 1);
	run_ok(sw, out, &o);

	/* Columns of sweep.csv: point, agents.legitimacy, rep, seed, outcome, peak_active (5),
	 * ..., damage_usd (12), ..., order_restored_hour (16). */
	const int columns[3] = {5, 12, 16};
	const char *names[3] = {"peak_active", "damage_usd", "order_restored_hour"};
	double data[2][3][9];
	size_t n[2][3] = {{0}};
	size_t restored[2] = {0}, rows[2] = {0};
	char *csv = testutil_read_file(out, "sweep.csv", NULL);
	char *save;
	char *line = strtok_r(csv, "\n", &save); /* header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *f[24];
		assert_int_equal(split(line, f, 24), 21);
		int p = atoi(f[0]);
		rows[p]++;
		restored[p] += strcmp(f[4], "order_restored") == 0;
		for (int c = 0; c < 3; c++)
			if (f[columns[c]][0])
				data[p][c][n[p][c]++] = strtod(f[columns[c]], NULL);
	}
	free(csv);
	assert_int_equal(rows[0] + rows[1], 18);

	char *stats = testutil_read_file(out, "sweep_stats.csv", NULL);
	int checked = 0;
	line = strtok_r(stats, "\n", &save);
	assert_string_equal(line, "point,agents.legitimacy,metric,count,mean,sd,ci_low,ci_high,"
				  "p5,p50,p95");
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *f[16];
		assert_int_equal(split(line, f, 16), 11);
		int p = atoi(f[0]);
		if (strcmp(f[2], "outcome.order_restored") == 0) {
			/* The Wilson interval from its formula, z = 1.959963984540054. */
			double k = (double)restored[p], m = (double)rows[p], z = 1.959963984540054;
			double c = (k / m + z * z / (2 * m)) / (1 + z * z / m);
			double h = z / (1 + z * z / m) *
				   sqrt(k / m * (1 - k / m) / m + z * z / (4 * m * m));
			assert_int_equal(atoi(f[3]), (int)rows[p]);
			/* Quantities are written to 1e-9, relatively (docs/output.md). */
			assert_near(strtod(f[4], NULL), k / m, 1e-9);
			assert_near(strtod(f[6], NULL), fmax(0, c - h), 1e-9);
			assert_near(strtod(f[7], NULL), fmin(1, c + h), 1e-9);
			checked++;
			continue;
		}
		for (int c = 0; c < 3; c++) {
			if (strcmp(f[2], names[c]) != 0)
				continue;
			size_t k = n[p][c];
			assert_int_equal(atoi(f[3]), (int)k);
			if (k < 2)
				break;
			double *x = data[p][c];
			double mean = gsl_stats_mean(x, 1, k), sd = gsl_stats_sd(x, 1, k);
			double half = gsl_cdf_tdist_Pinv(0.975, (double)k - 1) * sd / sqrt((double)k);
			gsl_sort(x, 1, k);
			/* The same arithmetic on the same rows, written to 1e-9 relatively
			 * (docs/output.md): 1e-9 of the values' scale. */
			double tol = 1e-9 * (fabs(mean) + sd + 1);
			assert_near(strtod(f[4], NULL), mean, tol);
			assert_near(strtod(f[5], NULL), sd, tol);
			assert_near(strtod(f[6], NULL), mean - half, tol);
			assert_near(strtod(f[7], NULL), mean + half, tol);
			assert_near(strtod(f[8], NULL),
				    gsl_stats_quantile_from_sorted_data(x, 1, k, 0.05), tol);
			assert_near(strtod(f[9], NULL),
				    gsl_stats_quantile_from_sorted_data(x, 1, k, 0.5), tol);
			assert_near(strtod(f[10], NULL),
				    gsl_stats_quantile_from_sorted_data(x, 1, k, 0.95), tol);
			checked++;
		}
	}
	free(stats);
	assert_true(checked >= 6);
	ur_sweep_destroy(sw);
	testutil_remove_tree(dir);
	free(out);
	free(path);
	free(dir);
}

static void test_wilson_known_answers(void **state)
{
	(void)state;
	/* Known answers (z = 1.96 to 4 decimals): 0/10: [0, 0.2775]; 5/10: [0.2366,
	 * 0.7634]; 10/10: [0.7225, 1]; 81/263: [0.2553, 0.3662] (Newcombe 1998, table I
	 * rounds the same interval to 0.2553, 0.3662). */
	double lo, hi;
	ur_sweep_wilson(0, 10, &lo, &hi);
	assert_near(lo, 0, 0);
	assert_near(hi, 0.2775, 5e-5);
	ur_sweep_wilson(5, 10, &lo, &hi);
	assert_near(lo, 0.2366, 5e-5);
	assert_near(hi, 0.7634, 5e-5);
	ur_sweep_wilson(10, 10, &lo, &hi);
	assert_near(lo, 0.7225, 5e-5);
	assert_near(hi, 1, 0);
	ur_sweep_wilson(81, 263, &lo, &hi);
	assert_near(lo, 0.2553, 5e-5);
	assert_near(hi, 0.3662, 5e-5);
}

/* The splitter calibrate and sensitivity read sweep.csv with: fields in place, quotes
 * removed and doubled quotes made single, empty fields kept, at most max filled. */
static void test_split_line(void **state)
{
	(void)state;
	char line[] = "0,,\"a,b\",\"say \"\"hi\"\"\",EAST=1;WEST=2,";
	char *f[8];
	size_t n = ur_sweep_split_line(line, f, 8);
	assert_int_equal(n, 6);
	assert_string_equal(f[0], "0");
	assert_string_equal(f[1], "");
	assert_string_equal(f[2], "a,b");
	assert_string_equal(f[3], "say \"hi\"");
	assert_string_equal(f[4], "EAST=1;WEST=2");
	assert_string_equal(f[5], "");
	char two[] = "x,y,z";
	assert_int_equal(ur_sweep_split_line(two, f, 2), 2);
	assert_string_equal(f[0], "x");
	assert_string_equal(f[1], "y");
	char empty[] = "";
	assert_int_equal(ur_sweep_split_line(empty, f, 8), 1);
	assert_string_equal(f[0], "");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s MINIMAL_CFG BAD_CORPUS_DIR\n", argv[0]);
		return 2;
	}
	minimal_cfg = argv[1];
	bad_dir = argv[2];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid_product_with_zip),
		cmocka_unit_test(test_lhs_one_point_per_stratum),
		cmocka_unit_test(test_sobol_is_gsl_scaled),
		cmocka_unit_test(test_list_points),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_jobs_and_shards_same_bytes),
		cmocka_unit_test(test_resume_same_bytes),
		cmocka_unit_test(test_interrupt_commits_then_resumes),
		cmocka_unit_test(test_failed_unit_recorded),
		cmocka_unit_test(test_files_read_once),
		cmocka_unit_test(test_refused_folder_runs_nothing),
		cmocka_unit_test(test_stats_against_gsl),
		cmocka_unit_test(test_wilson_known_answers),
		cmocka_unit_test(test_split_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
