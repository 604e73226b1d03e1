/*
 * test_sens.c: global sensitivity (sens.h): the Sobol estimators recover the Ishigami
 * function's analytic indices, directly and through the whole command's machinery (a
 * stand-in for the model computes the function from the points' settings); Morris's
 * statistics on additive functions with known elementary effects; the designs' shape;
 * the same bytes for any -j, any shard split and a run stopped by a signal and
 * resumed; and the bad sensitivity-file corpus with its exact messages.
 *
 * Ishigami (Ishigami and Homma 1990), x_i uniform on [-pi, pi]:
 *   f = sin x1 + a sin^2 x2 + b x3^4 sin x1, a = 7, b = 0.1;
 *   V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8,
 *   V13 = 8 b^2 pi^8 / 225: S1 = V1/V = 0.314, S2 = V2/V = 0.442, S3 = 0,
 *   ST1 = (V1 + V13)/V = 0.558, ST2 = S2, ST3 = V13/V = 0.244.
 * The tolerance of each index is from its bootstrap: the 90% interval's half-width
 * over 1.645 is the standard error, and the estimate is within 3.5 of them (the
 * bootstrap treats the quasi-random rows as independent, so it overstates the error
 * a little: the test is, if anything, lenient by that much, never flaky).
 *
 * Usage: test_sens SCENARIO BAD_DIR (SCENARIO: scenarios/minimal.cfg).
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

#include <cmocka.h>

#include "bad_corpus.h"
#include "testutil.h"
#include "unrest/rng.h"
#include "unrest/sens.h"

static const char *scenario_path;
static const char *bad_dir;

#define ISHIGAMI_A 7.0
#define ISHIGAMI_B 0.1
#define Z90 1.6448536269514722
#define PI 3.14159265358979323846

static double ishigami(double x1, double x2, double x3)
{
	double s2 = sin(x2);
	return sin(x1) + ISHIGAMI_A * s2 * s2 + ISHIGAMI_B * pow(x3, 4) * sin(x1);
}

/* The analytic indices: s1[3], st[3]. */
static void ishigami_indices(double *s1, double *st)
{
	double a = ISHIGAMI_A, b = ISHIGAMI_B, p4 = pow(PI, 4), p8 = pow(PI, 8);
	double v = a * a / 8 + b * p4 / 5 + b * b * p8 / 18 + 0.5;
	double v1 = 0.5 * (1 + b * p4 / 5) * (1 + b * p4 / 5), v2 = a * a / 8;
	double v13 = 8 * b * b * p8 / 225;
	s1[0] = v1 / v;
	s1[1] = v2 / v;
	s1[2] = 0;
	st[0] = (v1 + v13) / v;
	st[1] = v2 / v;
	st[2] = v13 / v;
}

/* Each index within 3.5 bootstrap standard errors of the analytic value; the
 * standard errors below `max_se`, so that the check can tell the indices apart. */
static void assert_ishigami(const struct ur_sens_sobol_index *got, double max_se)
{
	double s1[3], st[3];
	ishigami_indices(s1, st);
	for (int i = 0; i < 3; i++) {
		double se1 = (got[i].s1_high - got[i].s1_low) / (2 * Z90);
		double set = (got[i].st_high - got[i].st_low) / (2 * Z90);
		print_message("x%d: S1 %.4f [%.4f, %.4f] (true %.4f, se %.4f); ST %.4f [%.4f, "
			      "%.4f] (true %.4f, se %.4f)\n", i + 1, got[i].s1, got[i].s1_low,
			      got[i].s1_high, s1[i], se1, got[i].st, got[i].st_low,
			      got[i].st_high, st[i], set);
		assert_true(se1 > 0 && se1 < max_se);
		assert_true(set > 0 && set < max_se);
		assert_true(fabs(got[i].s1 - s1[i]) < 3.5 * se1);
		assert_true(fabs(got[i].st - st[i]) < 3.5 * set);
		assert_true(got[i].s1_low <= got[i].s1_high && got[i].st_low <= got[i].st_high);
	}
}

/* The estimators on the design, 8192 base rows (40,960 evaluations): standard errors
 * about 0.01. */
static void test_ishigami_estimators(void **state)
{
	(void)state;
	size_t n = 8192, d = 3, np = n * (d + 2);
	double *u = malloc(np * d * sizeof *u), *y = malloc(np * sizeof *y);
	assert_non_null(u);
	assert_non_null(y);
	assert_int_equal(ur_sens_saltelli_design(n, d, u), 0);
	for (size_t p = 0; p < np; p++) {
		double *x = &u[p * d];
		y[p] = ishigami(-PI + 2 * PI * x[0], -PI + 2 * PI * x[1],
				-PI + 2 * PI * x[2]);
	}
	gsl_rng *rng = ur_rng_create(2022);
	struct ur_sens_sobol_index got[3];
	assert_int_equal(ur_sens_sobol(n, d, y, 1000, 0.9, rng, got), 0);
	assert_ishigami(got, 0.02);
	/* A constant output has no indices (NaN), not a division by zero. */
	for (size_t p = 0; p < np; p++)
		y[p] = 5;
	assert_int_equal(ur_sens_sobol(n, d, y, 10, 0.9, rng, got), 0);
	assert_true(isnan(got[0].s1) && isnan(got[0].st) && isnan(got[0].s1_low));
	ur_rng_destroy(rng);
	free(u);
	free(y);
}

/* Saltelli's design: AB_i is A with column i from B; every coordinate in (0, 1); the
 * rows of A are distinct from those of B (the 2d-dimensional sequence). With 2d > 40
 * the reverse Halton sequence stands in for Sobol's. */
static void test_saltelli_design(void **state)
{
	(void)state;
	size_t dims[] = {3, 25};
	for (size_t c = 0; c < 2; c++) {
		size_t n = 64, d = dims[c];
		double *u = malloc(n * (d + 2) * d * sizeof *u);
		assert_int_equal(ur_sens_saltelli_design(n, d, u), 0);
		for (size_t j = 0; j < n; j++) {
			const double *a = &u[j * (d + 2) * d], *b = a + d;
			bool differ = false;
			for (size_t i = 0; i < d; i++) {
				assert_true(a[i] > 0 && a[i] < 1 && b[i] > 0 && b[i] < 1);
				differ = differ || a[i] != b[i];
			}
			assert_true(differ);
			for (size_t k = 0; k < d; k++)
				for (size_t i = 0; i < d; i++)
					assert_true(a[(2 + k) * d + i] == (i == k ? b[i] : a[i]));
		}
		free(u);
	}
}

/* Morris's trajectories: each step moves exactly one parameter by +-Delta, each
 * parameter once per trajectory, on the grid k / (p - 1) inside [0, 1]. */
static void test_morris_design(void **state)
{
	(void)state;
	size_t r = 50, d = 5;
	unsigned p = 6;
	double delta = p / (2.0 * (p - 1));
	double *x = malloc(r * (d + 1) * d * sizeof *x);
	gsl_rng *rng = ur_rng_create(7);
	ur_sens_morris_design(r, d, p, rng, x);
	for (size_t t = 0; t < r; t++) {
		int moved[8] = {0};
		for (size_t k = 0; k <= d; k++)
			for (size_t i = 0; i < d; i++) {
				double v = x[(t * (d + 1) + k) * d + i];
				double level = v * (p - 1);
				assert_true(v >= 0 && v <= 1);
				assert_true(fabs(level - round(level)) < 1e-9);
			}
		for (size_t k = 1; k <= d; k++) {
			int changed = 0;
			for (size_t i = 0; i < d; i++) {
				double s = x[(t * (d + 1) + k) * d + i] -
					   x[(t * (d + 1) + k - 1) * d + i];
				if (s != 0) {
					changed++;
					moved[i]++;
					assert_true(fabs(fabs(s) - delta) < 1e-12);
				}
			}
			assert_int_equal(changed, 1);
		}
		for (size_t i = 0; i < d; i++)
			assert_int_equal(moved[i], 1);
	}
	ur_rng_destroy(rng);
	free(x);
}

/* An additive linear function y = sum c_i x_i: every elementary effect of x_i is c_i,
 * so mu* = |c_i|, mu = c_i and sigma = 0; an interaction x4 x5 gives x4 and x5 a
 * sigma > 0 and leaves the others' at 0. */
static void test_morris_linear(void **state)
{
	(void)state;
	size_t r = 20, d = 5, np = r * (d + 1);
	const double c[5] = {1, -2, 4, 8, 0};
	double *x = malloc(np * d * sizeof *x), *y = malloc(np * sizeof *y);
	gsl_rng *rng = ur_rng_create(11);
	ur_sens_morris_design(r, d, 4, rng, x);
	for (size_t p = 0; p < np; p++) {
		y[p] = 3;
		for (size_t i = 0; i < d; i++)
			y[p] += c[i] * x[p * d + i];
	}
	struct ur_sens_morris_index m[5];
	assert_int_equal(ur_sens_morris(r, d, x, y, 200, 0.9, rng, m), 0);
	for (size_t i = 0; i < d; i++) {
		assert_true(fabs(m[i].mu_star - fabs(c[i])) < 1e-9);
		assert_true(fabs(m[i].mu - c[i]) < 1e-9);
		assert_true(m[i].sigma < 1e-9);
		/* Every effect the same: the bootstrap interval is the point. */
		assert_true(fabs(m[i].mu_star_low - m[i].mu_star) < 1e-9 &&
			    fabs(m[i].mu_star_high - m[i].mu_star) < 1e-9);
	}
	/* mu* in proportion to the coefficients. */
	assert_true(fabs(m[3].mu_star / m[0].mu_star - 8) < 1e-9);
	assert_true(fabs(m[2].mu_star / m[1].mu_star - 2) < 1e-9);

	for (size_t p = 0; p < np; p++)
		y[p] = x[p * d] + 4 * x[p * d + 3] * x[p * d + 4];
	assert_int_equal(ur_sens_morris(r, d, x, y, 200, 0.9, rng, m), 0);
	assert_true(m[0].sigma < 1e-9 && fabs(m[0].mu_star - 1) < 1e-9);
	assert_true(m[1].mu_star < 1e-9 && m[2].mu_star < 1e-9);
	assert_true(m[3].sigma > 0.5 && m[4].sigma > 0.5);
	/* The interval of mu* holds it and has width when the effects vary. */
	assert_true(m[3].mu_star_low < m[3].mu_star && m[3].mu_star < m[3].mu_star_high);
	ur_rng_destroy(rng);
	free(x);
	free(y);
}

/* ---- the command's machinery, with a stand-in for the model ------------------------ */

struct stand_in {
	volatile sig_atomic_t flag;     /* set at the unit below, as a signal would */
	double stop_at;                 /* agents.w_s of the unit that sets it; < 0: never */
};

/* Reports damage_usd = 20 + Ishigami(x), x_i = -pi + 2 pi v_i, v the settings
 * agents.w_s, agents.w_g and agents.w_n (each swept over [0, 1]); 20 keeps it
 * positive, as a summary's damage is, and moves no index. */
static enum ur_model_status stand_in(void *context, const struct ur_params *params,
				     uint64_t replication, uint64_t seed,
				     const struct ur_observer *observer, char *why, size_t size)
{
	(void)replication;
	(void)why;
	(void)size;
	struct stand_in *s = context;
	double v1 = params->agents.w_s, v2 = params->agents.w_g, v3 = params->agents.w_n;
	if (s && s->stop_at >= 0 && v1 == s->stop_at)
		s->flag = SIGTERM;
	/* Units after the flag are slow, so that the sweep sees it while units remain. */
	if (s && s->flag)
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	struct ur_model_summary sum = {.replication_seed = seed,
				       .outcome = UR_OUTCOME_UNRESOLVED};
	sum.damage_usd = 20 + ishigami(-PI + 2 * PI * v1, -PI + 2 * PI * v2,
				       -PI + 2 * PI * v3);
	sum.peak_active = 10;
	if (observer->summary)
		observer->summary(observer->context, &sum);
	return UR_MODEL_OK;
}

static char *sensitivity_file(const char *dir, const char *method, unsigned samples)
{
	return testutil_write_file(dir, "sens.cfg",
		"scenario = \"%s\";\nseed = 2022;\nmethod = \"%s\";\nsamples = %u;\n"
		"replications = 1;\nparameters = (\n"
		"  { path = \"agents.w_s\"; min = 0.0; max = 1.0; },\n"
		"  { path = \"agents.w_g\"; min = 0.0; max = 1.0; },\n"
		"  { path = \"agents.w_n\"; dist = \"uniform\"; min = 0.0; max = 1.0; }\n);\n"
		"outputs = [ \"damage_usd\", \"outcome.unresolved\" ];\n", scenario_path, method,
		samples);
}

static struct ur_sens_spec *read_spec(const char *path)
{
	struct ur_diag d;
	ur_diag_init(&d, 20);
	enum ur_scenario_status st;
	struct ur_sens_spec *spec = ur_sens_spec_read(path, &d, &st);
	if (!spec) {
		ur_diag_print(&d, stderr);
		fail_msg("the sensitivity file was refused");
	}
	ur_diag_finish(&d);
	return spec;
}

static int analyse(const struct ur_sens_spec *spec, const char *dir, unsigned jobs,
		   unsigned shard, unsigned shards, bool resume, struct stand_in *s,
		   struct ur_sens_result *r)
{
	static const char *const argv[] = {"unrestsim", "sensitivity", "sens.cfg"};
	const struct ur_sens_options o = {
		.jobs = jobs, .shard = shard, .shards = shards, .resume = resume,
		.version = "test", .argc = 3, .argv = argv,
		.interrupt = s ? &s->flag : NULL,
		.replicate = stand_in, .replicate_context = s,
	};
	return ur_sensitivity(spec, dir, &o, r);
}

/* sensitivity.csv's rows for one output: the indices of the three parameters. */
static void read_indices(const char *dir, const char *output, struct ur_sens_sobol_index *out)
{
	char *text = testutil_read_file(dir, "sensitivity.csv", NULL);
	assert_non_null(text);
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	assert_string_equal(line, "parameter,output,S1,S1_low,S1_high,ST,ST_low,ST_high");
	int k = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char param[64], out_name[64];
		struct ur_sens_sobol_index x;
		if (sscanf(line, "%63[^,],%63[^,],%lf,%lf,%lf,%lf,%lf,%lf", param, out_name, &x.s1,
			   &x.s1_low, &x.s1_high, &x.st, &x.st_low, &x.st_high) == 8 &&
		    strcmp(out_name, output) == 0 && k < 3)
			out[k++] = x;
	}
	assert_int_equal(k, 3);
	free(text);
}

/* The whole machinery (design, sweep file, sweep, rows read back, estimators, CSV) on
 * Ishigami: 1024 base rows, 5,120 units; standard errors about 0.03. */
static void test_ishigami_through_sweep(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("sens");
	char *file = sensitivity_file(dir, "sobol", 1024);
	struct ur_sens_spec *spec = read_spec(file);
	char *out = testutil_path(dir, "out");
	struct ur_sens_result r;
	assert_int_equal(analyse(spec, out, 2, 1, 1, false, NULL, &r), 0);
	assert_int_equal(r.points, 1024 * 5);
	assert_int_equal(r.simulated, 1024 * 5);
	struct ur_sens_sobol_index got[3];
	read_indices(out, "damage_usd", got);
	assert_ishigami(got, 0.05);
	/* An output that never varies has empty indices. */
	char *text = testutil_read_file(out, "sensitivity.csv", NULL);
	assert_non_null(strstr(text, "agents.w_s,outcome.unresolved,,,,,,\n"));
	free(text);
	ur_sens_spec_destroy(spec);
	testutil_remove_tree(dir);
	free(out);
	free(file);
	free(dir);
}

static const char *const result_files[] = {
	"sensitivity.csv", "points.csv", "points.cfg", "scenario.cfg", "points/sweep.csv",
	"points/sweep_stats.csv", "points/sweep.cfg",
};

static void assert_same_files(const char *a, const char *b)
{
	testutil_assert_same_files(a, b, result_files,
				   sizeof result_files / sizeof *result_files);
}

/* -j 1, -j 2, shards 1..3 of 3 run in turn, and a run stopped by a signal and
 * resumed: the same bytes in every file, for both methods. */
static void test_same_bytes(void **state)
{
	(void)state;
	const char *methods[] = {"sobol", "morris"};
	for (int m = 0; m < 2; m++) {
		char *dir = testutil_temp_dir("sens");
		char *file = sensitivity_file(dir, methods[m], 24);
		struct ur_sens_spec *spec = read_spec(file);
		char *j1 = testutil_path(dir, "j1"), *j2 = testutil_path(dir, "j2"),
		     *sh = testutil_path(dir, "sh"), *rs = testutil_path(dir, "rs");
		struct ur_sens_result r;
		assert_int_equal(analyse(spec, j1, 1, 1, 1, false, NULL, &r), 0);
		assert_int_equal(analyse(spec, j2, 2, 1, 1, false, NULL, &r), 0);
		assert_same_files(j1, j2);

		/* Shards 1 and 2 wait (75) for shard 3, which merges. */
		for (unsigned k = 1; k <= 3; k++) {
			int s = analyse(spec, sh, 1, k, 3, false, NULL, &r);
			assert_int_equal(s, k < 3 ? UR_SENS_WAITING : 0);
			assert_int_equal(r.signal, 0);
		}
		assert_same_files(j1, sh);
		/* A shard run again with --resume finds everything done. */
		assert_int_equal(analyse(spec, sh, 1, 1, 3, true, NULL, &r), 0);
		assert_same_files(j1, sh);

		/* Stopped at a point: nothing of the results is written; --resume
		 * completes the same bytes. */
		char *text = testutil_read_file(j1, "points.csv", NULL);
		assert_non_null(text);
		char *line = text;
		for (int i = 0; i < 12; i++)
			line = strchr(line, '\n') + 1;
		/* point,group,role,moved,agents.w_s,...: the fifth field. */
		char *field = line;
		for (int i = 0; i < 4; i++)
			field = strchr(field, ',') + 1;
		struct stand_in s = {.stop_at = strtod(field, NULL)};
		free(text);
		assert_int_equal(analyse(spec, rs, 2, 1, 1, false, &s, &r), UR_RUN_INTERRUPTED);
		assert_int_equal(r.signal, SIGTERM);
		assert_int_equal(testutil_exists(rs, "sensitivity.csv"), 0);
		s = (struct stand_in){.stop_at = -1};
		assert_int_equal(analyse(spec, rs, 2, 1, 1, true, &s, &r), 0);
		assert_same_files(j1, rs);

		ur_sens_spec_destroy(spec);
		testutil_remove_tree(dir);
		free(j1);
		free(j2);
		free(sh);
		free(rs);
		free(file);
		free(dir);
	}
}

/* The shipped examples are valid sensitivity files: their scenario takes every
 * parameter's bounds (each parameter is set alone, so every point of the design is
 * inside the ranges checked). */
static void test_examples(void **state)
{
	(void)state;
	const char *names[] = {"kazakhstan-2022-sobol.cfg", "kazakhstan-2022-morris.cfg",
			       "kazakhstan-2022-sobol-quick.cfg"};
	const uint64_t points[] = {2560, 340, 640};
	char *root = strdup(scenario_path);
	char *slash = strrchr(root, '/');
	assert_non_null(slash);
	*slash = '\0';
	char *folder = testutil_path(root, "sensitivity");
	for (int i = 0; i < 3; i++) {
		char *path = testutil_path(folder, names[i]);
		struct ur_sens_spec *spec = read_spec(path);
		assert_true(ur_sens_points(spec) == points[i]);
		ur_sens_spec_destroy(spec);
		free(path);
	}
	free(folder);
	free(root);
}

static bool read_sens(const char *path, struct ur_diag *diag,
		      enum ur_scenario_status *status)
{
	struct ur_sens_spec *spec = ur_sens_spec_read(path, diag, status);
	bool accepted = spec != NULL;
	ur_sens_spec_destroy(spec);
	return accepted;
}

/* Every bad/NAME.cfg gives exactly the messages and status of bad/NAME.expected
 * (@DIR@ stands for the corpus folder). */
static void test_bad_corpus(void **state)
{
	(void)state;
	testutil_check_bad_corpus(bad_dir, read_sens, 10);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_sens SCENARIO BAD_DIR\n");
		return 2;
	}
	scenario_path = argv[1];
	bad_dir = argv[2];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saltelli_design),
		cmocka_unit_test(test_morris_design),
		cmocka_unit_test(test_ishigami_estimators),
		cmocka_unit_test(test_morris_linear),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_ishigami_through_sweep),
		cmocka_unit_test(test_same_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
