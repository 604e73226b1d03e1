/*
 * test_posterior.c: a scenario's posterior (posterior.h) in runs: replication k draws
 * the same row in every scenario that names the same file (common random numbers),
 * the draws follow the weights, a one-row posterior runs exactly as the same values
 * given by --set, and the files are the same bytes for any number of threads.
 * Usage: test_posterior SCENARIO   (scenarios/minimal.cfg, the base of the test's
 * scenarios)
 */
/* realpath(3) is XSI. */
#define _XOPEN_SOURCE 700

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include "unrest/posterior.h"
#include "unrest/rng.h"
#include "unrest/run.h"
#include "unrest/scenario.h"

#include "testutil.h"

static const char *minimal_path;

/* Three parameter sets of minimal.cfg's agents, weighted 0.5, 0.3, 0.2 (weights need
 * not sum to 1: they are normalized). */
static const char three_rows[] =
	"particle,agents.w_s,agents.threshold.mean,weight,distance\n"
	"0,0.3,0.05,5,1.2\n"
	"1,0.6,0.12,3,0.8\n"
	"2,0.9,0.2,2,2.5\n";

struct fixture {
	char *dir;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = testutil_path(dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(path);
}

/* DIR/NAME: a scenario on minimal.cfg with `extra` settings (libconfig text). */
static void write_scenario(const char *dir, const char *name, const char *extra)
{
	char text[2048];
	snprintf(text, sizeof text, "base = \"%s\";\n%s\n", minimal_path, extra);
	write_file(dir, name, text);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = testutil_temp_dir("test-posterior");
	write_file(f->dir, "post.csv", three_rows);
	write_scenario(f->dir, "a.cfg", "scenario = { posterior = \"post.csv\"; };");
	/* A counterfactual: another value of a setting the posterior does not draw. */
	write_scenario(f->dir, "b.cfg", "scenario = { posterior = \"post.csv\"; };\n"
					"agents = { sigma_fuel = 0.9; };");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	testutil_remove_tree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct ur_scenario *load(const char *dir, const char *name, const char *const *sets,
				size_t nsets)
{
	char *path = name[0] == '/' ? strdup(name) : testutil_path(dir, name);
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	enum ur_scenario_status status;
	struct ur_scenario *s = ur_scenario_load(path, sets, nsets, &diag, &status);
	if (!s)
		ur_diag_print(&diag, stderr);
	ur_diag_finish(&diag);
	free(path);
	assert_non_null(s);
	return s;
}

static const char *test_argv[] = {"unrestsim", "run", "x.cfg"};

/* Runs the scenario into DIR/OUT with R replications on J threads. */
static void run(const struct ur_scenario *s, const char *dir, const char *out, uint64_t R,
		unsigned J)
{
	struct ur_run_options o = {
		.seed = 42,
		.replications = R,
		.jobs = J,
		.version = "test",
		.scenario_path = "x.cfg",
		.argc = 3,
		.argv = test_argv,
	};
	char *path = testutil_path(dir, out);
	struct ur_run_result r;
	enum ur_run_status st = ur_run(s, path, &o, &r);
	if (st != UR_RUN_OK)
		fprintf(stderr, "%s\n", r.message);
	assert_int_equal(st, UR_RUN_OK);
	free(path);
}

/* The last field of each data row of summary.csv, checking that the header's last
 * column is `want` (NULL: any). rows[] gets up to max of them as numbers. */
static size_t last_column(const char *dir, const char *out, const char *want, long *rows,
			  size_t max)
{
	char *folder = testutil_path(dir, out);
	char *text = testutil_read_file(folder, "summary.csv", NULL);
	assert_non_null(text);
	size_t n = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *comma = strrchr(line, ',');
		assert_non_null(comma);
		if (line == text) {
			if (want)
				assert_string_equal(comma + 1, want);
			continue;
		}
		if (n < max)
			rows[n] = strtol(comma + 1, NULL, 10);
		n++;
	}
	free(text);
	free(folder);
	return n;
}

/* Replication k draws the same row in two scenarios naming the same posterior, the row
 * the posterior's stream of k's seed picks; and not always the same row. */
static void test_same_row_in_counterfactuals(void **state)
{
	struct fixture *f = *state;
	struct ur_scenario *a = load(f->dir, "a.cfg", NULL, 0);
	struct ur_scenario *b = load(f->dir, "b.cfg", NULL, 0);
	const struct ur_posterior *P = ur_scenario_posterior(a);
	assert_non_null(P);
	assert_int_equal(ur_posterior_rows(P), 3);
	assert_int_equal(ur_posterior_parameters(P), 2);
	run(a, f->dir, "same-a", 24, 2);
	run(b, f->dir, "same-b", 24, 2);
	long ra[24], rb[24];
	assert_int_equal(last_column(f->dir, "same-a", "posterior_row", ra, 24), 24);
	assert_int_equal(last_column(f->dir, "same-b", "posterior_row", rb, 24), 24);
	bool seen[4] = {false};
	for (uint64_t k = 0; k < 24; k++) {
		assert_int_equal(ra[k], rb[k]);
		size_t row = ur_posterior_draw(P, ur_rng_replication_seed(42, k));
		assert_int_equal(ra[k], (long)row + 1);
		assert_true(ra[k] >= 1 && ra[k] <= 3);
		seen[ra[k]] = true;
	}
	assert_true(seen[1] && seen[2] && seen[3]);
	ur_scenario_destroy(b);
	ur_scenario_destroy(a);
}

/* The draws follow the weights: 30,000 replication seeds of master seed 2022, counts of
 * the three rows against 0.5, 0.3, 0.2 by Pearson's chi-square, 2 degrees of freedom.
 * Tolerance: below 13.82, its 0.999 quantile (a fixed seed: the statistic is a fixed
 * number, 0.93 when written; a draw that ignored the weights, uniform over the rows,
 * gives about 4,400). Each share is also within 4 standard errors,
 * sqrt(p (1 - p) / N), about 0.0029 for p = 0.5. */
static void test_draws_follow_weights(void **state)
{
	struct fixture *f = *state;
	struct ur_scenario *a = load(f->dir, "a.cfg", NULL, 0);
	const struct ur_posterior *P = ur_scenario_posterior(a);
	const double p[3] = {0.5, 0.3, 0.2};
	for (size_t i = 0; i < 3; i++)
		assert_near(ur_posterior_weight(P, i), p[i], 1e-15);
	const size_t N = 30000;
	double count[3] = {0, 0, 0};
	for (uint64_t k = 0; k < N; k++) {
		size_t row = ur_posterior_draw(P, ur_rng_replication_seed(2022, k));
		assert_true(row < 3);
		count[row] += 1;
	}
	double chi2 = 0;
	for (size_t i = 0; i < 3; i++) {
		double e = p[i] * (double)N;
		chi2 += (count[i] - e) * (count[i] - e) / e;
		assert_near(count[i] / (double)N, p[i], 4 * sqrt(p[i] * (1 - p[i]) / (double)N));
	}
	printf("chi-square %.3f (counts %.0f %.0f %.0f)\n", chi2, count[0], count[1], count[2]);
	assert_true(chi2 < 13.82);
	/* The draw is a function of the replication seed alone. */
	assert_int_equal(ur_posterior_draw(P, 7), ur_posterior_draw(P, 7));
	ur_scenario_destroy(a);
}

/* Two files of a folder: both present and equal, or both absent. */
static void assert_same_file(const char *x, const char *y, const char *name)
{
	size_t lx = 0, ly = 0;
	char *a = testutil_read_file(x, name, &lx);
	char *b = testutil_read_file(y, name, &ly);
	assert_int_equal(a == NULL, b == NULL);
	if (a) {
		if (lx != ly || memcmp(a, b, lx) != 0)
			fail_msg("%s differs between %s and %s", name, x, y);
	}
	free(a);
	free(b);
}

/* summary.csv without its last column. */
static char *without_last_column(const char *dir)
{
	char *text = testutil_read_file(dir, "summary.csv", NULL);
	assert_non_null(text);
	char *out = malloc(strlen(text) + 1), *o = out;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *comma = strrchr(line, ',');
		assert_non_null(comma);
		*comma = '\0';
		o += sprintf(o, "%s\n", line);
	}
	free(text);
	return out;
}

/* A one-row posterior runs, byte for byte, as the scenario with those values given by
 * --set: the values reach the model through the same judgement, and the posterior's
 * stream leaves the model's streams as they are. */
static void test_one_row_equals_set(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "one.csv", "agents.w_s,agents.threshold.mean,weight\n0.9,0.2,1\n");
	write_scenario(f->dir, "one.cfg", "scenario = { posterior = \"one.csv\"; };");
	struct ur_scenario *one = load(f->dir, "one.cfg", NULL, 0);
	const char *sets[] = {"agents.w_s=0.9", "agents.threshold.mean=0.2"};
	struct ur_scenario *set = load(NULL, minimal_path, sets, 2);
	run(one, f->dir, "one-posterior", 6, 2);
	run(set, f->dir, "one-set", 6, 2);
	char *x = testutil_path(f->dir, "one-posterior");
	char *y = testutil_path(f->dir, "one-set");
	const char *tables[] = {"national.csv", "timeseries.csv", "events.csv"};
	for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
		assert_same_file(x, y, tables[t]);
	long rows[6];
	assert_int_equal(last_column(f->dir, "one-posterior", "posterior_row", rows, 6), 6);
	for (size_t k = 0; k < 6; k++)
		assert_int_equal(rows[k], 1);
	last_column(f->dir, "one-set", "action_hours", rows, 0);
	char *a = without_last_column(x);
	char *b = testutil_read_file(y, "summary.csv", NULL);
	assert_string_equal(a, b);
	/* And the values did change the run: the scenario's own values give other rows. */
	struct ur_scenario *plain = load(NULL, minimal_path, NULL, 0);
	run(plain, f->dir, "one-plain", 6, 2);
	char *plain_dir = testutil_path(f->dir, "one-plain");
	char *c = testutil_read_file(plain_dir, "summary.csv", NULL);
	assert_string_not_equal(b, c);
	free(a);
	free(b);
	free(c);
	free(plain_dir);
	free(x);
	free(y);
	ur_scenario_destroy(plain);
	ur_scenario_destroy(set);
	ur_scenario_destroy(one);
}

/* One thread or two: the same bytes in every file, manifest included. */
static void test_jobs_same_bytes(void **state)
{
	struct fixture *f = *state;
	struct ur_scenario *a = load(f->dir, "a.cfg", NULL, 0);
	run(a, f->dir, "j1", 16, 1);
	run(a, f->dir, "j2", 16, 2);
	char *x = testutil_path(f->dir, "j1");
	char *y = testutil_path(f->dir, "j2");
	const char *files[] = {"summary.csv", "national.csv", "timeseries.csv", "events.csv",
			       "scenario.cfg", "manifest.cfg"};
	for (size_t t = 0; t < sizeof files / sizeof *files; t++)
		assert_same_file(x, y, files[t]);
	char *manifest = testutil_read_file(x, "manifest.cfg", NULL);
	assert_non_null(strstr(manifest, "posterior_checksum = \"0x"));
	free(manifest);
	free(x);
	free(y);
	ur_scenario_destroy(a);
}

/* A scenario without a posterior has no posterior_row column; the posterior's bytes
 * are part of the scenario's identity (its hash), not only its name. */
static void test_identity(void **state)
{
	struct fixture *f = *state;
	struct ur_scenario *plain = load(NULL, minimal_path, NULL, 0);
	assert_null(ur_scenario_posterior(plain));
	run(plain, f->dir, "plain", 2, 1);
	long rows[2];
	last_column(f->dir, "plain", "action_hours", rows, 2);

	write_file(f->dir, "c.csv", three_rows);
	write_scenario(f->dir, "c.cfg", "scenario = { posterior = \"c.csv\"; };");
	struct ur_scenario *c1 = load(f->dir, "c.cfg", NULL, 0);
	write_file(f->dir, "c.csv", "particle,agents.w_s,agents.threshold.mean,weight,distance\n"
				    "0,0.3,0.05,5,1.2\n1,0.6,0.12,3,0.8\n2,0.9,0.2,2.5,2.5\n");
	struct ur_scenario *c2 = load(f->dir, "c.cfg", NULL, 0);
	/* The same printout but for the content's checksum of the posterior's line. */
	const char *t1 = ur_scenario_text(c1), *t2 = ur_scenario_text(c2);
	const char *m1 = strstr(t1, "; # content 0x"), *m2 = strstr(t2, "; # content 0x");
	assert_non_null(m1);
	assert_non_null(m2);
	assert_int_equal(m1 - t1, m2 - t2);
	assert_memory_equal(t1, t2, (size_t)(m1 - t1));
	assert_string_equal(m1 + 30, m2 + 30);
	assert_memory_not_equal(m1, m2, 30);
	assert_true(ur_scenario_hash(c1) != ur_scenario_hash(c2));
	assert_true(ur_posterior_checksum(ur_scenario_posterior(c1)) !=
		    ur_posterior_checksum(ur_scenario_posterior(c2)));
	ur_scenario_destroy(c2);
	ur_scenario_destroy(c1);
	ur_scenario_destroy(plain);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_posterior SCENARIO\n");
		return 2;
	}
	minimal_path = realpath(argv[1], NULL);
	if (!minimal_path)
		return 2;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_row_in_counterfactuals),
		cmocka_unit_test(test_draws_follow_weights),
		cmocka_unit_test(test_one_row_equals_set),
		cmocka_unit_test(test_jobs_same_bytes),
		cmocka_unit_test(test_identity),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	free((char *)(uintptr_t)minimal_path);
	return rc;
}
