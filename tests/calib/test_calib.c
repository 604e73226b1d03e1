/*
 * test_calib.c: calibration (calib.h): the ABC-SMC recovers a posterior known in
 * closed form, its files are the same bytes for any -j, any shard split and a run
 * stopped by a signal and resumed, the weighted quantile's known answers, the bad
 * calibration-file corpus with its exact messages, a posterior that loads in a
 * scenario naming it (also when distances overflow), a calibration that no finite
 * distance can measure stopped with no posterior, and a foreign folder refused.
 *
 * The known posterior. A stand-in for the model (the sweep's replicate hook) reports
 * damage_usd = 1e6 * theta + e, e ~ N(0, sigma^2) with sigma = 2e4, theta the setting
 * agents.w_s, prior uniform on [0, 1]; the target is y = 4e5 with scale s = 2e4 and
 * grade A, one replication a particle. A particle is accepted at tolerance tau when
 * ((1e6 theta + e - y) / s)^2 <= tau, i.e. |1e6 theta + e - y| <= h = s sqrt(tau):
 * the ABC posterior of theta is the flat prior times P(|u + e| <= h), u = 1e6 theta
 * - y, which is symmetric about theta = 0.4 with variance (sigma^2 + h^2 / 3) / 1e12
 * (the convolution of N(0, sigma^2) with a uniform on [-h, h]). As tau -> 0 it is the
 * exact posterior N(0.4, 0.02^2).
 *
 * Usage: test_calib SCENARIO BAD_DIR (SCENARIO: scenarios/minimal.cfg).
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "bad_corpus.h"
#include "testutil.h"
#include "unrest/calib.h"
#include "unrest/output.h"
#include "unrest/posterior.h"
#include "unrest/rng.h"
#include "unrest/scenario.h"

static const char *scenario_path;
static const char *bad_dir;

#define SIGMA 2e4
#define TRUE_Y 4e5

struct stand_in {
	volatile sig_atomic_t flag;     /* set at the unit below, as a signal would */
	double stop_at_theta;           /* < 0: never */
};

static enum ur_model_status stand_in(void *context, const struct ur_params *params,
				     uint64_t replication, uint64_t seed,
				     const struct ur_observer *observer, char *why, size_t size)
{
	(void)replication;
	(void)why;
	(void)size;
	struct stand_in *s = context;
	double theta = params->agents.w_s;
	if (s && s->stop_at_theta >= 0 && theta == s->stop_at_theta)
		s->flag = SIGTERM;
	/* Units after the flag are slow, so that the sweep sees it (within 0.1 s)
	 * while units remain, however loaded the machine. */
	if (s && s->flag)
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	gsl_rng *rng = ur_rng_create(seed);
	struct ur_model_summary sum = {.replication_seed = seed, .outcome = UR_OUTCOME_UNRESOLVED};
	sum.damage_usd = fmax(0, 1e6 * theta + gsl_ran_gaussian(rng, SIGMA));
	sum.peak_active = 10;
	/* Noise no parameter explains: test_term_cap's always-missed target. */
	sum.killed = 1000 + 100 * gsl_ran_gaussian(rng, 1.0);
	ur_rng_destroy(rng);
	if (observer->summary)
		observer->summary(observer->context, &sum);
	return UR_MODEL_OK;
}

/* Writes the stand-in's calibration file into dir and returns its path; kernel or
 * proposal NULL: the file does not name one (the default). */
static char *calibration_file(const char *dir, unsigned particles, unsigned generations,
			      const char *kernel, const char *proposal)
{
	char line[64] = "", pline[64] = "";
	if (kernel)
		snprintf(line, sizeof line, "kernel = \"%s\";\n", kernel);
	if (proposal)
		snprintf(pline, sizeof pline, "proposal = \"%s\";\n", proposal);
	return testutil_write_file(dir, "cal.cfg",
		"scenario = \"%s\";\nseed = 2022;\nparticles = %u;\nreplications = 1;\n"
		"generations = %u;\nquantile = 0.5;\n%s%s"
		"priors = ( { path = \"agents.w_s\"; dist = \"uniform\"; min = 0.0; "
		"max = 1.0; } );\n"
		"targets = ( { metric = \"damage_usd\"; value = 400000.0; low = 380000.0; "
		"high = 420000.0; grade = \"A\"; } );\n", scenario_path, particles, generations,
		line, pline);
}

static struct ur_calib_spec *read_spec(const char *path)
{
	struct ur_diag d;
	ur_diag_init(&d, 20);
	enum ur_scenario_status st;
	struct ur_calib_spec *spec = ur_calib_spec_read(path, &d, &st);
	if (!spec) {
		ur_diag_print(&d, stderr);
		fail_msg("the calibration file was refused");
	}
	ur_diag_finish(&d);
	return spec;
}

static int calibrate(const struct ur_calib_spec *spec, const char *dir, unsigned jobs,
		     unsigned shard, unsigned shards, bool resume, struct stand_in *s,
		     struct ur_calib_result *r)
{
	static const char *const argv[] = {"unrestsim", "calibrate", "cal.cfg"};
	const struct ur_calib_options o = {
		.jobs = jobs, .shard = shard, .shards = shards, .resume = resume,
		.version = "test", .argc = 3, .argv = argv,
		.interrupt = s ? &s->flag : NULL,
		.replicate = stand_in, .replicate_context = s,
	};
	return ur_calibrate(spec, dir, &o, r);
}

/* Reads a CSV file's rows as numbers: values[row][col] of the columns named. */
static size_t read_column(const char *dir, const char *file, const char *column,
			  double *out, size_t max)
{
	char *text = testutil_read_file(dir, file, NULL);
	assert_non_null(text);
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	int col = -1, k = 0;
	for (char *p = line, *q; p; p = q ? q + 1 : NULL, k++) {
		q = strchr(p, ',');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		if (strlen(column) == n && strncmp(p, column, n) == 0)
			col = k;
	}
	assert_true(col >= 0);
	size_t rows = 0;
	while ((line = strtok_r(NULL, "\n", &save)) && rows < max) {
		char *p = line;
		for (int i = 0; i < col; i++)
			p = strchr(p, ',') + 1;
		out[rows++] = strtod(p, NULL);
	}
	free(text);
	return rows;
}

/* Writes a calibration of w_s by damage_usd into dir/NAME.cfg, with term_cap, and
 * optionally a target on `killed` that every particle misses by about 999 scales
 * (the stand-in's killed is 1000 +- 100, whatever w_s); runs it into dir/NAME and
 * returns posterior.csv without its distance column. */
static char *capped_posterior(const char *dir, const char *name, const char *cap,
			      bool missed)
{
	char file[64];
	snprintf(file, sizeof file, "%s.cfg", name);
	char *path = testutil_write_file(dir, file,
		"scenario = \"%s\";\nseed = 7;\nparticles = 60;\nreplications = 1;\n"
		"generations = 3;\nterm_cap = %s;\n"
		"priors = ( { path = \"agents.w_s\"; dist = \"uniform\"; min = 0.0; "
		"max = 1.0; } );\n"
		"targets = ( { metric = \"damage_usd\"; value = 400000.0; low = 380000.0; "
		"high = 420000.0; grade = \"A\"; }%s );\n", scenario_path, cap,
		missed ? ", { metric = \"killed\"; value = 1000000.0; low = 1000000.0; "
			 "high = 1000000.0; scale = 1000.0; grade = \"A\"; }" : "");
	struct ur_calib_spec *spec = read_spec(path);
	char *out = testutil_path(dir, name);
	struct ur_calib_result r;
	assert_int_equal(calibrate(spec, out, 2, 1, 1, false, NULL, &r), 0);
	char *text = testutil_read_file(out, "posterior.csv", NULL);
	assert_non_null(text);
	/* Each line without its last field (distance, which the constant term shifts). */
	char *o = text;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *comma = p + n;
		while (comma > p && *comma != ',')
			comma--;
		assert_true(*comma == ',');
		memmove(o, p, (size_t)(comma - p));
		o += comma - p;
		*o++ = '\n';
		p += n + (nl != NULL);
	}
	*o = '\0';
	ur_calib_spec_destroy(spec);
	free(out);
	free(path);
	return text;
}

/* Fails the test unless scenarios/minimal.cfg naming out/posterior.csv loads, its
 * posterior of one row per line of posterior.csv after the header, each distance a
 * finite number: what a scenario drawing from the calibration needs. */
static void assert_posterior_loads(const char *out)
{
	char *file = testutil_path(out, "posterior.csv");
	char set[1100];
	snprintf(set, sizeof set, "scenario.posterior=\"%s\"", file);
	const char *sets[] = {set};
	struct ur_diag d;
	ur_diag_init(&d, 20);
	enum ur_scenario_status st;
	struct ur_scenario *sc = ur_scenario_load(scenario_path, sets, 1, &d, &st);
	if (!sc) {
		ur_diag_print(&d, stderr);
		fail_msg("a scenario naming %s was refused", file);
	}
	char *text = testutil_read_file(out, "posterior.csv", NULL);
	assert_non_null(text);
	size_t lines = 0;
	for (const char *c = text; *c; c++)
		lines += *c == '\n';
	assert_true(lines >= 3);
	assert_int_equal(ur_posterior_rows(ur_scenario_posterior(sc)), lines - 1);
	double dist[1000];
	size_t n = read_column(out, "posterior.csv", "distance", dist, 1000);
	assert_int_equal(n, lines - 1);
	for (size_t i = 0; i < n; i++)
		assert_true(isfinite(dist[i]) && dist[i] >= 0);
	free(text);
	ur_scenario_destroy(sc);
	ur_diag_finish(&d);
	free(file);
}

/* A calibration of w_s by one target `metric` of value 0 (low = high = 0) at `scale`,
 * into dir/NAME: calibrate's status. */
static int point_calibration(const char *dir, const char *name, const char *metric,
			     const char *scale, unsigned particles, const char *quantile,
			     struct ur_calib_result *r)
{
	char file[64];
	snprintf(file, sizeof file, "%s.cfg", name);
	char *path = testutil_write_file(dir, file,
		"scenario = \"%s\";\nseed = 11;\nparticles = %u;\nreplications = 1;\n"
		"generations = 3;\nquantile = %s;\n"
		"priors = ( { path = \"agents.w_s\"; dist = \"uniform\"; min = 0.0; "
		"max = 1.0; } );\n"
		"targets = ( { metric = \"%s\"; value = 0.0; low = 0.0; high = 0.0; "
		"scale = %s; grade = \"A\"; } );\n", scenario_path, particles, quantile, metric,
		scale);
	struct ur_calib_spec *spec = read_spec(path);
	char *out = testutil_path(dir, name);
	int st = calibrate(spec, out, 2, 1, 1, false, NULL, r);
	ur_calib_spec_destroy(spec);
	free(out);
	free(path);
	return st;
}

/* A posterior written by calibrate loads in a scenario that names it, also when some
 * of generation 0's distances overflow: damage_usd at scale 1e-149 gives a finite term
 * only below about 1.3e5 dollars (w_s below about 0.13), so more than half the
 * particles are infinitely far and the median tolerance was infinite: every particle
 * was accepted, and posterior.csv held distances of inf, which the scenario refused.
 * An infinite distance is never accepted: the tolerance stops at the last finite one. */
static void test_posterior_loads(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("calib-loads");
	struct ur_calib_result r;
	assert_int_equal(point_calibration(dir, "mixed", "damage_usd", "1e-149", 60, "0.5", &r),
			 0);
	char *out = testutil_path(dir, "mixed");
	assert_posterior_loads(out);
	/* Only the particles of a finite distance were accepted in generation 0. */
	double acc[4];
	assert_int_equal(read_column(out, "history.csv", "accepted", acc, 4), r.generations);
	assert_true(acc[0] >= 2 && acc[0] < 30);
	free(out);

	/* And an ordinary calibration's. */
	char *file = calibration_file(dir, 40, 2, NULL, NULL);
	struct ur_calib_spec *spec = read_spec(file);
	out = testutil_path(dir, "plain");
	assert_int_equal(calibrate(spec, out, 1, 1, 1, false, NULL, &r), 0);
	assert_posterior_loads(out);
	ur_calib_spec_destroy(spec);
	free(file);
	free(out);
	testutil_remove_tree(dir);
	free(dir);
}

/* A calibration whose every distance overflows (peak_active, 10 in every replication
 * of the stand-in, against 0 at scale 1e-200: the file cannot know the miss) stops
 * with EX_DATAERR in generation 0 and leaves no posterior.csv, not even one of an
 * earlier calibration in its folder. Before, it exited 0 with a posterior of
 * distances inf. So does one whose generation 0 accepts a single particle (4
 * particles, quantile 0.01): it wrote a posterior.csv of no parameter and no row. */
static void test_no_finite_distance(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("calib-inf");
	struct ur_calib_result r;
	/* An earlier, sound calibration in the same folder. */
	assert_int_equal(point_calibration(dir, "out", "damage_usd", "2e4", 8, "0.5", &r), 0);
	assert_int_equal(testutil_exists(dir, "out/posterior.csv"), 1);
	assert_int_equal(point_calibration(dir, "out", "peak_active", "1e-200", 8, "0.5", &r),
			 UR_RUN_DATAERR);
	assert_non_null(strstr(r.message, "no particle's distance is finite"));
	assert_non_null(strstr(r.message, "peak_active"));
	for (const char *const *name = (const char *const[]){"out/posterior.csv",
			"out/posterior_summary.csv", "out/history.csv", "out/targets.csv", NULL};
	     *name; name++)
		assert_int_equal(testutil_exists(dir, *name), 0);

	assert_int_equal(point_calibration(dir, "one", "damage_usd", "2e4", 4, "0.01", &r),
			 UR_RUN_DATAERR);
	assert_non_null(strstr(r.message, "generation 0 accepted 1 of 4 particles"));
	assert_int_equal(testutil_exists(dir, "one/posterior.csv"), 0);
	testutil_remove_tree(dir);
	free(dir);
}

/* A folder that is not a calibration's is refused (UR_RUN_CANTCREAT) before anything in
 * it changes: a user's posterior.csv and scenario.cfg there were overwritten. A
 * calibration's own folder is taken again (same_bytes: --resume and shards). */
static void test_foreign_folder(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("calib-foreign");
	char *file = calibration_file(dir, 8, 1, NULL, NULL);
	struct ur_calib_spec *spec = read_spec(file);
	char *mine = testutil_path(dir, "mine");
	assert_int_equal(mkdir(mine, 0777), 0);
	char *a = testutil_write_file(dir, "mine/posterior.csv", "x,weight\n1,1\n");
	char *b = testutil_write_file(dir, "mine/scenario.cfg", "# my scenario\n");
	struct ur_calib_result r;
	assert_int_equal(calibrate(spec, mine, 1, 1, 1, false, NULL, &r), UR_RUN_CANTCREAT);
	assert_non_null(strstr(r.message, "not empty and not the folder of a calibration "
				       "(it holds no gen-00.cfg of a calibration)"));
	assert_int_equal(calibrate(spec, mine, 1, 1, 1, true, NULL, &r), UR_RUN_CANTCREAT);
	char *text = testutil_read_file(mine, "posterior.csv", NULL);
	assert_string_equal(text, "x,weight\n1,1\n");
	free(text);
	text = testutil_read_file(mine, "scenario.cfg", NULL);
	assert_string_equal(text, "# my scenario\n");
	free(text);
	assert_int_equal(testutil_exists(mine, "gen-00.cfg"), 0);
	assert_int_equal(testutil_exists(mine, "gen-00"), 0);

	/* A calibration's own folder: run again, and resumed. */
	char *own = testutil_path(dir, "own");
	assert_int_equal(calibrate(spec, own, 1, 1, 1, false, NULL, &r), 0);
	assert_int_equal(calibrate(spec, own, 1, 1, 1, false, NULL, &r), 0);
	assert_int_equal(calibrate(spec, own, 1, 1, 1, true, NULL, &r), 0);
	/* With a file of the user's beside it: refused, naming it. */
	char *c = testutil_write_file(dir, "own/notes.txt", "mine\n");
	assert_int_equal(calibrate(spec, own, 1, 1, 1, true, NULL, &r), UR_RUN_CANTCREAT);
	assert_non_null(strstr(r.message, "(it holds 'notes.txt')"));
	ur_calib_spec_destroy(spec);
	free(a);
	free(b);
	free(c);
	free(own);
	free(mine);
	free(file);
	testutil_remove_tree(dir);
	free(dir);
}

/* A target every particle misses by more than sqrt(term_cap) scales adds the same
 * term to every distance: the posterior (particles and weights) is the one without
 * it. Uncapped (term_cap 1e6, above its terms of about 998,000 +- 200), its noise
 * decides which particles pass, and the posterior is another. */
static void test_term_cap(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("calib-cap");
	char *alone = capped_posterior(dir, "alone", "400.0", false);
	char *capped = capped_posterior(dir, "capped", "400.0", true);
	assert_string_equal(alone, capped);
	char *alone_open = capped_posterior(dir, "alone-open", "1000000.0", false);
	char *open = capped_posterior(dir, "open", "1000000.0", true);
	assert_string_not_equal(alone_open, open);
	free(alone);
	free(capped);
	free(alone_open);
	free(open);
	testutil_remove_tree(dir);
	free(dir);
}

/* The posterior's weighted mean and sd match the ABC posterior's closed form at the
 * last tolerance: the mean within 4 standard errors (sd / sqrt(ESS)) of 0.4, the sd
 * within 4 relative standard errors (1 / sqrt(2 ESS)) of the closed form's. With a
 * common seed for every particle (as sweeps give by default) the sd came out 0.0045
 * against 0.0206: each generation conditioned on one draw of the noise. Run with
 * each kernel and each proposal; returns the last generation's effective sample
 * size. */
static double known_posterior(const char *kernel, const char *proposal)
{
	char *dir = testutil_temp_dir("calib");
	char *file = calibration_file(dir, 600, 6, kernel, proposal);
	struct ur_calib_spec *spec = read_spec(file);
	char *out = testutil_path(dir, "out");
	struct ur_calib_result r;
	assert_int_equal(calibrate(spec, out, 2, 1, 1, false, NULL, &r), 0);
	assert_int_equal(r.generations, 6);
	assert_int_equal(r.simulated, 3600);

	double theta[1000], w[1000], tol[16], ess[16];
	size_t n = read_column(out, "posterior.csv", "agents.w_s", theta, 1000);
	assert_int_equal(read_column(out, "posterior.csv", "weight", w, 1000), n);
	size_t g = read_column(out, "history.csv", "tolerance", tol, 16);
	assert_int_equal(read_column(out, "history.csv", "ess", ess, 16), g);
	assert_int_equal(g, 6);
	/* The tolerance only shrinks. */
	for (size_t i = 1; i < g; i++)
		assert_true(tol[i] <= tol[i - 1]);
	double mean = 0, var = 0, sw = 0;
	for (size_t i = 0; i < n; i++) {
		mean += w[i] * theta[i];
		sw += w[i];
	}
	assert_true(fabs(sw - 1) < 1e-9);
	for (size_t i = 0; i < n; i++)
		var += w[i] * (theta[i] - mean) * (theta[i] - mean);
	double h = 2e4 * sqrt(tol[g - 1]);
	double sd_abc = sqrt(SIGMA * SIGMA + h * h / 3) / 1e6;
	double se = sd_abc / sqrt(ess[g - 1]);
	print_message("kernel %s, proposal %s: posterior mean %.4f sd %.4f; closed form 0.4, "
		      "%.4f (h %.0f); ess by generation", kernel, proposal, mean, sqrt(var),
		      sd_abc, h);
	for (size_t i = 0; i < g; i++)
		print_message(" %.0f", ess[i]);
	print_message("\n");
	assert_true(ess[g - 1] >= 50);
	assert_true(fabs(mean - 0.4) < 4 * se);
	assert_true(fabs(sqrt(var) / sd_abc - 1) < 4 / sqrt(2 * ess[g - 1]));
	/* The exact posterior's sd is 0.02: the ABC one is at most a little wider. */
	assert_true(sd_abc < 0.03);

	ur_calib_spec_destroy(spec);
	testutil_remove_tree(dir);
	free(out);
	free(file);
	free(dir);
	return ess[g - 1];
}

static void test_known_posterior_olcm_logit(void **state)
{
	(void)state;
	known_posterior("olcm", "logit");
}

static void test_known_posterior_global_logit(void **state)
{
	(void)state;
	known_posterior("global", "logit");
}

static void test_known_posterior_olcm_bounded(void **state)
{
	(void)state;
	known_posterior("olcm", "bounded");
}

static void test_known_posterior_global_bounded(void **state)
{
	(void)state;
	known_posterior("global", "bounded");
}

static const char *const result_files[] = {
	"posterior.csv", "posterior_summary.csv", "history.csv", "targets.csv",
	"scenario.cfg", "gen-00.cfg", "gen-00/sweep.csv", "gen-01.cfg", "gen-01/sweep.csv",
	"gen-02.cfg", "gen-02/sweep.csv", "gen-02/sweep_stats.csv",
};

static void assert_same_files(const char *a, const char *b)
{
	testutil_assert_same_files(a, b, result_files,
				   sizeof result_files / sizeof *result_files);
}

/* -j 1, -j 2, shards 1..3 of 3 run in turn (each waiting for the others as a job
 * array would), and a calibration stopped by a signal in generation 1 and resumed:
 * the same bytes in every file, with the kernel and proposal named (NULL: the
 * default). Returns the folder of the -j 1 run, which the caller removes with its
 * parent. */
static char *same_bytes(const char *kernel, const char *proposal)
{
	char *dir = testutil_temp_dir("calib");
	char *file = calibration_file(dir, 60, 3, kernel, proposal);
	struct ur_calib_spec *spec = read_spec(file);
	char *j1 = testutil_path(dir, "j1"), *j2 = testutil_path(dir, "j2"),
	     *sh = testutil_path(dir, "sh"), *rs = testutil_path(dir, "rs");
	struct ur_calib_result r;
	assert_int_equal(calibrate(spec, j1, 1, 1, 1, false, NULL, &r), 0);
	assert_int_equal(calibrate(spec, j2, 2, 1, 1, false, NULL, &r), 0);
	assert_same_files(j1, j2);

	/* Shards: each shard run waits (75) until the last of a generation merges it. */
	int rounds = 0, st;
	do {
		st = 0;
		for (unsigned k = 1; k <= 3; k++) {
			int s = calibrate(spec, sh, 1, k, 3, true, NULL, &r);
			assert_true(s == 0 || s == UR_CALIB_WAITING);
			if (s != 0)
				st = s;
		}
		rounds++;
	} while (st != 0 && rounds < 10);
	assert_int_equal(st, 0);
	assert_true(rounds <= 4);
	assert_same_files(j1, sh);

	/* Stopped at a particle of generation 1: the units finished are committed, the
	 * calibration says so, and --resume completes the same bytes. */
	double theta[100];
	size_t n = read_column(j1, "gen-01/sweep.csv", "agents.w_s", theta, 100);
	assert_true(n > 10);
	struct stand_in s = {.stop_at_theta = theta[10]};
	assert_int_equal(calibrate(spec, rs, 2, 1, 1, false, &s, &r), UR_RUN_INTERRUPTED);
	assert_int_equal(r.signal, SIGTERM);
	assert_int_equal(testutil_exists(rs, "posterior.csv"), 0);
	assert_int_equal(testutil_exists(rs, "gen-02"), 0);
	s = (struct stand_in){.stop_at_theta = -1};
	assert_int_equal(calibrate(spec, rs, 2, 1, 1, true, &s, &r), 0);
	assert_same_files(j1, rs);

	ur_calib_spec_destroy(spec);
	free(j2);
	free(sh);
	free(rs);
	free(file);
	free(dir);
	return j1;
}

/* Asserts that folders a and b have the same generation 0 (the priors' draws, alike
 * for every kernel and proposal) and another generation 1. */
static void assert_part_from_generation_1(const char *a, const char *b)
{
	char *x = testutil_read_file(a, "gen-00.cfg", NULL),
	     *y = testutil_read_file(b, "gen-00.cfg", NULL);
	assert_string_equal(x, y);
	free(x);
	free(y);
	x = testutil_read_file(a, "gen-01.cfg", NULL);
	y = testutil_read_file(b, "gen-01.cfg", NULL);
	assert_string_not_equal(x, y);
	free(x);
	free(y);
}

/* Each kernel with each proposal, and the defaults: the same bytes whatever the jobs,
 * shards and resumes; the default is the global kernel's, bounded, and
 * another kernel or proposal differs from generation 1 on (they move the particles
 * differently). */
static void test_same_bytes(void **state)
{
	(void)state;
	char *olcm = same_bytes("olcm", "logit"), *global = same_bytes("global", "logit"),
	     *dflt = same_bytes(NULL, NULL), *olcm_b = same_bytes("olcm", "bounded"),
	     *global_b = same_bytes("global", "bounded");
	assert_same_files(global_b, dflt);
	assert_part_from_generation_1(olcm, global);
	assert_part_from_generation_1(olcm_b, global_b);
	assert_part_from_generation_1(global, global_b);
	assert_part_from_generation_1(olcm, olcm_b);
	char *paths[] = {olcm, global, dflt, olcm_b, global_b};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char *parent = strdup(paths[i]);
		*strrchr(parent, '/') = '\0';
		testutil_remove_tree(parent);
		free(parent);
		free(paths[i]);
	}
}

/* ---- the prior's invariance -------------------------------------------------------
 *
 * With a target the stand-in always meets (peak_active is 10 in every replication)
 * every distance is 0, so every tolerance is 0 and every particle is accepted: the
 * importance weights prior / proposal then make each generation's weighted particles a
 * sample of the prior itself, however far the kernels moved them. In logit
 * coordinates that holds only with the prior's density taken in u, pi(x(u)) |dx/du|:
 * with pi(x) alone the weights favour the draws the kernel puts far out in u, which
 * are the values next to the bounds (checked: the uniform marginal's variance then
 * comes out far above (b - a)^2 / 12). */

/* A prior as the calibration file gives it. */
struct marginal {
	const char *path;
	const char *dist;              /* "uniform", "loguniform" or "normal" */
	double min, max, mean, sd;     /* mean and sd: normal only */
};

/* The exact mean and variance of prior m's marginal in y = x (ln x for a loguniform
 * prior). */
static void marginal_moments(const struct marginal *m, double *mean, double *var)
{
	if (strcmp(m->dist, "normal") != 0) {
		bool lg = strcmp(m->dist, "loguniform") == 0;
		double a = lg ? log(m->min) : m->min, b = lg ? log(m->max) : m->max;
		*mean = (a + b) / 2;
		*var = (b - a) * (b - a) / 12;
		return;
	}
	/* The truncated normal's (Johnson, Kotz and Balakrishnan 1994, 10.1). */
	double al = (m->min - m->mean) / m->sd, be = (m->max - m->mean) / m->sd;
	double z = gsl_cdf_ugaussian_P(be) - gsl_cdf_ugaussian_P(al);
	double pa = gsl_ran_ugaussian_pdf(al), pb = gsl_ran_ugaussian_pdf(be);
	*mean = m->mean + m->sd * (pa - pb) / z;
	*var = m->sd * m->sd * (1 + (al * pa - be * pb) / z - (pa - pb) * (pa - pb) / (z * z));
}

/* Prior m's distribution function at y (y = ln x for a loguniform prior). */

static double marginal_cdf(const struct marginal *m, double y)
{
	if (strcmp(m->dist, "normal") != 0) {
		bool lg = strcmp(m->dist, "loguniform") == 0;
		double a = lg ? log(m->min) : m->min, b = lg ? log(m->max) : m->max;
		return fmin(fmax((y - a) / (b - a), 0), 1);
	}
	double pa = gsl_cdf_ugaussian_P((m->min - m->mean) / m->sd);
	double pb = gsl_cdf_ugaussian_P((m->max - m->mean) / m->sd);
	return (gsl_cdf_ugaussian_P((y - m->mean) / m->sd) - pa) / (pb - pa);
}

/* The weighted sample (x, w) of n particles, effective sample size ess, against
 * marginal m: the mean and the variance each within 4 standard errors of the exact
 * ones, and the weighted Kolmogorov-Smirnov distance below 1.95 / sqrt(ess), the
 * one-sample test's 0.001 critical value for ess draws. The standard errors are the
 * self-normalized importance sampler's (the delta method: se^2 = sum_i w_i^2 (f_i -
 * E f)^2 with normalized weights, f = y for the mean and (y - mean)^2 for the
 * variance), which count how the weights go with the value; sd / sqrt(ess) does not
 * (it put the bounded proposal's loguniform mean 3.4 of its "standard errors" off,
 * 2.8 of these; seeds 12 to 14 put it 0.5, 0.2 and 0.8 off). */
static void assert_marginal(const struct marginal *m, const double *x, const double *w,
			    size_t n, double ess)
{
	bool lg = strcmp(m->dist, "loguniform") == 0;
	double *y = malloc(n * sizeof *y);
	size_t *idx = malloc(n * sizeof *idx);
	assert_non_null(y);
	assert_non_null(idx);
	double mean = 0, var = 0, sw = 0;
	for (size_t i = 0; i < n; i++) {
		assert_true(x[i] >= m->min && x[i] <= m->max);
		y[i] = lg ? log(x[i]) : x[i];
		mean += w[i] * y[i];
		sw += w[i];
	}
	mean /= sw;
	for (size_t i = 0; i < n; i++)
		var += w[i] / sw * (y[i] - mean) * (y[i] - mean);
	gsl_sort_index(idx, y, 1, n);
	double cum = 0, ks = 0;
	for (size_t k = 0; k < n; k++) {
		double f = marginal_cdf(m, y[idx[k]]);
		ks = fmax(ks, fabs(cum - f));
		cum += w[idx[k]] / sw;
		ks = fmax(ks, fabs(cum - f));
	}
	double mu, v0;
	marginal_moments(m, &mu, &v0);
	double se_mean = 0, se_var = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = w[i] / sw, c = (y[i] - mean) * (y[i] - mean);
		se_mean += wi * wi * c;
		se_var += wi * wi * (c - var) * (c - var);
	}
	se_mean = sqrt(se_mean);
	se_var = sqrt(se_var);
	print_message("  %s (%s%s): mean %.5g against %.5g (%.1f se), variance %.4g against "
		      "%.4g (%.1f se), KS %.4f against %.4f\n", m->path, m->dist,
		      lg ? ", of ln x" : "", mean, mu, (mean - mu) / se_mean, var, v0,
		      (var - v0) / se_var, ks, 1.95 / sqrt(ess));
	assert_true(fabs(mean - mu) < 4 * se_mean);
	assert_true(fabs(var - v0) < 4 * se_var);
	assert_true(ks < 1.95 / sqrt(ess));
	free(y);
	free(idx);
}

/* What run_everything_accepted returns: generation 1's draws, the last effective
 * sample size. */
struct accepted_run {
	double draws_1, ess;
};

/* Writes a calibration of the priors m[0..np) that the stand-in always meets (every
 * particle accepted), runs it into dir/NAME and checks it: every generation accepts
 * every particle; in logit coordinates each makes exactly one draw per particle; the
 * posterior's columns of the priors check[0..ncheck) follow their marginals
 * (assert_marginal). */
static struct accepted_run run_everything_accepted(const char *dir, const char *name,
					const struct marginal *m, size_t np, unsigned particles,
					unsigned generations, const char *proposal,
					const size_t *check, size_t ncheck)
{
	char *priors = NULL;
	size_t plen = 0;
	FILE *f = open_memstream(&priors, &plen);
	assert_non_null(f);
	for (size_t a = 0; a < np; a++) {
		fprintf(f, "%s\n  { path = \"%s\"; dist = \"%s\"; min = %.17g; max = %.17g;",
			a ? "," : "", m[a].path, m[a].dist, m[a].min, m[a].max);
		if (strcmp(m[a].dist, "normal") == 0)
			fprintf(f, " mean = %.17g; sd = %.17g;", m[a].mean, m[a].sd);
		fputs(" }", f);
	}
	assert_int_equal(fclose(f), 0);
	char file[64];
	snprintf(file, sizeof file, "%s.cfg", name);
	char *path = testutil_write_file(dir, file,
		"scenario = \"%s\";\nseed = 11;\nparticles = %u;\nreplications = 1;\n"
		"generations = %u;\nproposal = \"%s\";\npriors = (%s\n);\n"
		"targets = ( { metric = \"peak_active\"; value = 10.0; low = 5.0; high = 15.0; "
		"grade = \"A\"; } );\n", scenario_path, particles, generations, proposal, priors);
	free(priors);
	struct ur_calib_spec *spec = read_spec(path);
	char *out = testutil_path(dir, name);
	struct ur_calib_result r;
	assert_int_equal(calibrate(spec, out, 2, 1, 1, false, NULL, &r), 0);
	assert_int_equal(r.generations, generations);

	double acc[16], draws[16], ess[16];
	size_t g = read_column(out, "history.csv", "accepted", acc, 16);
	assert_int_equal(g, generations);
	assert_int_equal(read_column(out, "history.csv", "draws", draws, 16), g);
	assert_int_equal(read_column(out, "history.csv", "ess", ess, 16), g);
	print_message("%s, %zu priors, proposal %s: draws by generation", name, np, proposal);
	for (size_t i = 0; i < g; i++)
		print_message(" %.0f", draws[i]);
	print_message("; ess");
	for (size_t i = 0; i < g; i++)
		print_message(" %.1f", ess[i]);
	print_message("\n");
	for (size_t i = 0; i < g; i++) {
		assert_true(acc[i] == particles);
		assert_true(draws[i] >= particles);
		if (strcmp(proposal, "logit") == 0)
			assert_true(draws[i] == particles);
	}
	double *x = malloc(particles * sizeof *x), *w = malloc(particles * sizeof *w);
	assert_non_null(x);
	assert_non_null(w);
	assert_int_equal(read_column(out, "posterior.csv", "weight", w, particles), particles);
	for (size_t c = 0; c < ncheck; c++) {
		assert_int_equal(read_column(out, "posterior.csv", m[check[c]].path, x,
					     particles), particles);
		assert_marginal(&m[check[c]], x, w, particles, ess[g - 1]);
	}
	free(x);
	free(w);
	ur_calib_spec_destroy(spec);
	free(out);
	free(path);
	return (struct accepted_run){draws[1], ess[g - 1]};
}

static const struct marginal invariance_priors[] = {
	{"agents.w_s", "uniform", 1.0, 3.0, 0, 0},
	{"arrests.probability", "loguniform", 0.001, 0.1, 0, 0},
	{"agents.w_n", "normal", 0.1, 1.0, 0.4, 0.2},
};

/* 1,000 particles, 5 generations, each prior's family: the last generation's
 * weighted particles are the prior's sample (assert_marginal), and the weights have
 * not collapsed: an effective sample size of at least a tenth of the particles
 * (seed 11: logit 357, bounded 353; without the Jacobian 9.8, and its uniform
 * marginal's variance 0.79 against 0.33). */
static void prior_invariance(const char *proposal)
{
	char *dir = testutil_temp_dir("calib-prior");
	static const size_t all[] = {0, 1, 2};
	struct accepted_run r = run_everything_accepted(dir, "prior", invariance_priors, 3,
							1000, 5, proposal, all, 3);
	assert_true(r.ess >= 100);
	testutil_remove_tree(dir);
	free(dir);
}

static void test_prior_invariance_logit(void **state)
{
	(void)state;
	prior_invariance("logit");
}

static void test_prior_invariance_bounded(void **state)
{
	(void)state;
	prior_invariance("bounded");
}

/* 30 narrow priors (the reference's calibration has 26): in logit coordinates every
 * generation makes one draw per particle and keeps the prior. The same priors' first
 * 12 proposed in the values need many draws per particle (all 30 would need about
 * 0.65^-30, 4e5, each: minutes), which is what the logit proposal removes. */
static void test_many_priors(void **state)
{
	(void)state;
	static const char *const paths[30] = {
		"network.mu", "network.nationwide", "agents.w_g", "agents.w_s", "agents.w_n",
		"agents.beta_b", "agents.eta", "agents.sigma_fuel", "agents.legitimacy",
		"agents.politicization", "agents.fatigue", "agents.example_cost",
		"security.morale_fall_rate", "security.morale_recovery_rate",
		"security.morale_min", "arrests.probability", "casualties.security_share",
		"elite.stand_down", "csto.probability", "agents.k", "agents.reconsider_rate",
		"network.distance_exponent", "fuel.gamma", "security.police_scale",
		"security.overwhelm_ratio", "agents.example_share", "internet.throttled_street",
		"internet.off_street", "network.min_distance", "arrests.interval",
	};
	struct marginal m[30];
	for (size_t a = 0; a < 30; a++)
		m[a] = (struct marginal){paths[a], a % 3 == 2 ? "loguniform" : "uniform",
					 0.3 + 0.001 * (double)a, 0.31 + 0.001 * (double)a, 0, 0};
	char *dir = testutil_temp_dir("calib-many");
	run_everything_accepted(dir, "logit", m, 30, 300, 4, "logit", NULL, 0);
	struct accepted_run bounded = run_everything_accepted(dir, "bounded", m, 12, 100, 2,
							      "bounded", NULL, 0);
	assert_true(bounded.draws_1 > 10 * 100);
	testutil_remove_tree(dir);
	free(dir);
}

static void test_weighted_quantile(void **state)
{
	(void)state;
	const double x[] = {1, 2, 3, 4};
	const double w[] = {0.1, 0.4, 0.4, 0.1};
	assert_true(ur_calib_weighted_quantile(x, w, 4, 0.05) == 1);
	assert_true(ur_calib_weighted_quantile(x, w, 4, 0.1) == 1);
	assert_true(ur_calib_weighted_quantile(x, w, 4, 0.11) == 2);
	assert_true(ur_calib_weighted_quantile(x, w, 4, 0.5) == 2);
	assert_true(ur_calib_weighted_quantile(x, w, 4, 0.51) == 3);
	assert_true(ur_calib_weighted_quantile(x, w, 4, 0.95) == 4);
	/* Weights need not be normalized. */
	const double w2[] = {1, 4, 4, 1};
	assert_true(ur_calib_weighted_quantile(x, w2, 4, 0.5) == 2);
}

/* A target's value in one replication from its sweep.csv field: the timing targets
 * count region_onsets' regions at or before by_hour and take a region's hour; an
 * absent region is "never" (NaN); a field that is not ID=HOUR pairs is refused. */
static void test_target_values(void **state)
{
	(void)state;
	const char *onsets = "EAST=0.5;WEST=24;NORTH=24.000000001";
	const size_t len = strlen(onsets);
	struct ur_calib_target by = {.metric = "regions_joined", .by_hour = 24.0};
	double v;
	assert_int_equal(ur_calib_target_value(&by, onsets, len, &v), 0);
	assert_true(v == 2); /* an onset at the hour itself counts */
	by.by_hour = 0.0;
	assert_int_equal(ur_calib_target_value(&by, onsets, len, &v), 0);
	assert_true(v == 0);
	by.by_hour = 72.0;
	assert_int_equal(ur_calib_target_value(&by, onsets, len, &v), 0);
	assert_true(v == 3);
	assert_int_equal(ur_calib_target_value(&by, "", 0, &v), 0);
	assert_true(v == 0); /* no region joined: none by any hour */
	assert_string_equal(ur_calib_target_column(&by), "region_onsets");
	char label[64];
	ur_calib_target_label(&by, label, sizeof label);
	assert_string_equal(label, "regions_joined_by_hour_72");

	struct ur_calib_target onset = {.metric = UR_CALIB_ONSET_METRIC, .by_hour = nan(""),
					.region = "WEST"};
	assert_int_equal(ur_calib_target_value(&onset, onsets, len, &v), 0);
	assert_true(v == 24);
	onset.region = "SOUTH";
	assert_int_equal(ur_calib_target_value(&onset, onsets, len, &v), 0);
	assert_true(isnan(v)); /* never joined */
	ur_calib_target_label(&onset, label, sizeof label);
	assert_string_equal(label, "onset_hour.SOUTH");

	/* An action's hour: from action_hours, NaN when the action is absent (it never
	 * took effect). */
	const char *hours = "envoys=25.5;address_1=93";
	struct ur_calib_target act = {.metric = UR_CALIB_ACTION_METRIC, .by_hour = nan(""),
				      .action = "address_1"};
	assert_int_equal(ur_calib_target_value(&act, hours, strlen(hours), &v), 0);
	assert_true(v == 93);
	act.action = "address";  /* a prefix of an id is another id */
	assert_int_equal(ur_calib_target_value(&act, hours, strlen(hours), &v), 0);
	assert_true(isnan(v));
	assert_int_equal(ur_calib_target_value(&act, "", 0, &v), 0);
	assert_true(isnan(v));
	assert_string_equal(ur_calib_target_column(&act), "action_hours");
	ur_calib_target_label(&act, label, sizeof label);
	assert_string_equal(label, "action_hour.address");
	assert_int_equal(ur_calib_target_value(&act, "address=soon", 12, &v), -1);

	/* Not ID=HOUR pairs: refused, whatever the target. */
	const char *bad[] = {"EAST", "EAST=", "EAST=x", "EAST=-1", "EAST=inf", "EAST=1;",
			     "=1", "1A=2", "EAST=1,WEST=2", "EAST=1;;WEST=2"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(ur_calib_target_value(&by, bad[i], strlen(bad[i]), &v), -1);
		assert_int_equal(ur_onsets_parse(bad[i], strlen(bad[i]), NULL, NULL), -1);
	}

	/* A plain metric: its number, empty as NaN, text refused. */
	struct ur_calib_target plain = {.metric = "killed", .by_hour = nan("")};
	assert_int_equal(ur_calib_target_value(&plain, "227", 3, &v), 0);
	assert_true(v == 227);
	assert_int_equal(ur_calib_target_value(&plain, "", 0, &v), 0);
	assert_true(isnan(v));
	assert_int_equal(ur_calib_target_value(&plain, "many", 4, &v), -1);
	assert_string_equal(ur_calib_target_column(&plain), "killed");
}

static bool read_calib(const char *path, struct ur_diag *diag,
		       enum ur_scenario_status *status)
{
	struct ur_calib_spec *spec = ur_calib_spec_read(path, diag, status);
	bool accepted = spec != NULL;
	ur_calib_spec_destroy(spec);
	return accepted;
}

/* Every bad/NAME.cfg gives exactly the messages and status of bad/NAME.expected
 * (@DIR@ stands for the corpus folder). */
static void test_bad_corpus(void **state)
{
	(void)state;
	testutil_check_bad_corpus(bad_dir, read_calib, 10);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_calib SCENARIO BAD_DIR\n");
		return 2;
	}
	scenario_path = argv[1];
	bad_dir = argv[2];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weighted_quantile),
		cmocka_unit_test(test_target_values),
		cmocka_unit_test(test_term_cap),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_posterior_loads),
		cmocka_unit_test(test_no_finite_distance),
		cmocka_unit_test(test_foreign_folder),
		cmocka_unit_test(test_known_posterior_olcm_logit),
		cmocka_unit_test(test_known_posterior_global_logit),
		cmocka_unit_test(test_known_posterior_olcm_bounded),
		cmocka_unit_test(test_known_posterior_global_bounded),
		cmocka_unit_test(test_prior_invariance_logit),
		cmocka_unit_test(test_prior_invariance_bounded),
		cmocka_unit_test(test_many_priors),
		cmocka_unit_test(test_same_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
