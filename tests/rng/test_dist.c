/*
 * test_dist.c: the distributions (dist.h). `test_dist unit` checks validation messages
 * word for word, quantiles against known values and against the CDF, stratified
 * samples against the quantiles, exact moments against independent computations, and
 * the prepare/finish lifetime; `test_dist stat` checks the mean and variance of 10^6
 * draws of every family against the exact values, and the shape of the continuous ones
 * with a Kolmogorov-Smirnov statistic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "unrest/dist.h"
#include "unrest/rng.h"

#include "testutil.h"

/* A double NaN: NAN is a float, which -Wdouble-promotion flags in double context. */
#define UNSET ((double)NAN)

/* ---- constructors of test distributions ------------------------------------------ */

static struct ur_dist constant(double value)
{
	struct ur_dist d = ur_dist_make(UR_DIST_CONSTANT);
	d.value = value;
	return d;
}

static struct ur_dist uniform(double min, double max)
{
	struct ur_dist d = ur_dist_make(UR_DIST_UNIFORM);
	d.min = min;
	d.max = max;
	return d;
}

static struct ur_dist exponential(double mean)
{
	struct ur_dist d = ur_dist_make(UR_DIST_EXPONENTIAL);
	d.mean = mean;
	return d;
}

/* min, max UNSET for an open side. */
static struct ur_dist normal(double mean, double sd, double min, double max)
{
	struct ur_dist d = ur_dist_make(UR_DIST_NORMAL);
	d.mean = mean;
	d.sd = sd;
	d.min = min;
	d.max = max;
	return d;
}

static struct ur_dist lognormal(double mu, double median, double sigma)
{
	struct ur_dist d = ur_dist_make(UR_DIST_LOGNORMAL);
	d.mu = mu;
	d.median = median;
	d.sigma = sigma;
	return d;
}

static struct ur_dist shape_scale(enum ur_dist_family family, double shape, double scale)
{
	struct ur_dist d = ur_dist_make(family);
	d.shape = shape;
	d.scale = scale;
	return d;
}

static struct ur_dist beta(double alpha, double b)
{
	struct ur_dist d = ur_dist_make(UR_DIST_BETA);
	d.alpha = alpha;
	d.beta = b;
	return d;
}

static struct ur_dist triangular(double min, double mode, double max)
{
	struct ur_dist d = ur_dist_make(UR_DIST_TRIANGULAR);
	d.min = min;
	d.mode = mode;
	d.max = max;
	return d;
}

static struct ur_dist poisson(double mean)
{
	struct ur_dist d = ur_dist_make(UR_DIST_POISSON);
	d.mean = mean;
	return d;
}

static struct ur_dist binomial(double trials, double p)
{
	struct ur_dist d = ur_dist_make(UR_DIST_BINOMIAL);
	d.trials = trials;
	d.p = p;
	return d;
}

static struct ur_dist bernoulli(double p)
{
	struct ur_dist d = ur_dist_make(UR_DIST_BERNOULLI);
	d.p = p;
	return d;
}

static struct ur_dist discrete(size_t count, double *values, double *weights)
{
	struct ur_dist d = ur_dist_make(UR_DIST_DISCRETE);
	d.count = count;
	d.values = values;
	d.weights = weights;
	return d;
}

static void prepare(struct ur_dist *d)
{
	struct ur_dist_error err;
	if (ur_dist_validate(d, &err) != 0)
		fail_msg("%s: %s: %s", ur_dist_family_name(d->family), err.param, err.message);
	assert_int_equal(ur_dist_prepare(d), 0);
}

/* One distribution of every family and of each sampling path (truncated normals in
 * both tails, far out and one-sided; gamma below and above shape 1; Poisson below and
 * above GSL's switch at mean 10). Values and weights of the discrete one are static. */
static double discrete_values[] = {5.0, 1.0, 2.0, 2.5};
static double discrete_weights[] = {0.3, 0.2, 0.5, 0.0};

struct example {
	const char *name;
	struct ur_dist d;
	bool continuous;
};

static size_t examples(struct example *out)
{
	struct example list[] = {
		{"constant", constant(3.25), false},
		{"uniform", uniform(2.0, 5.0), true},
		{"exponential", exponential(3.0), true},
		{"normal", normal(1.0, 2.0, UNSET, UNSET), true},
		{"normal [0, inf)", normal(0.5, 1.0, 0.0, UNSET), true},
		{"normal [-1, 2]", normal(0.0, 1.0, -1.0, 2.0), true},
		{"normal [5, 6] sd", normal(10.0, 2.0, 20.0, 22.0), true},
		{"normal [30, inf) sd", normal(0.0, 1.0, 30.0, UNSET), true},
		{"normal (-inf, -4] sd", normal(3.0, 0.5, UNSET, 1.0), true},
		{"lognormal median", lognormal(UNSET, 24.0, 0.5), true},
		{"lognormal mu", lognormal(0.3, UNSET, 0.25), true},
		{"gamma", shape_scale(UR_DIST_GAMMA, 2.5, 1.5), true},
		{"gamma shape < 1", shape_scale(UR_DIST_GAMMA, 0.5, 2.0), true},
		{"weibull", shape_scale(UR_DIST_WEIBULL, 1.5, 2.0), true},
		{"beta", beta(2.0, 5.0), true},
		{"triangular", triangular(0.0, 1.0, 4.0), true},
		{"poisson", poisson(3.5), false},
		{"poisson large", poisson(40.0), false},
		{"binomial", binomial(20.0, 0.3), false},
		{"bernoulli", bernoulli(0.3), false},
		{"discrete", discrete(4, discrete_values, discrete_weights), false},
	};
	size_t n = sizeof list / sizeof list[0];
	if (out != NULL)
		memcpy(out, list, sizeof list);
	return n;
}

/* ---- unit: names and validation -------------------------------------------------- */

static void test_family_names(void **state)
{
	(void)state;
	for (int f = 0; f < UR_DIST_FAMILY_COUNT; ++f) {
		const char *name = ur_dist_family_name((enum ur_dist_family)f);
		assert_non_null(name);
		assert_int_equal(ur_dist_family_from_name(name), f);
	}
	assert_string_equal(ur_dist_family_name(UR_DIST_LOGNORMAL), "lognormal");
	assert_int_equal(ur_dist_family_from_name("Normal"), UR_DIST_FAMILY_COUNT);
	assert_int_equal(ur_dist_family_from_name("gauss"), UR_DIST_FAMILY_COUNT);
	assert_int_equal(ur_dist_family_from_name(NULL), UR_DIST_FAMILY_COUNT);
	assert_null(ur_dist_family_name(UR_DIST_FAMILY_COUNT));
}

static void test_make_leaves_fields_unset(void **state)
{
	(void)state;
	struct ur_dist d = ur_dist_make(UR_DIST_GAMMA);
	assert_int_equal(d.family, UR_DIST_GAMMA);
	assert_true(isnan(d.shape) && isnan(d.scale) && isnan(d.mean) && isnan(d.median));
	assert_true(d.count == 0 && d.values == NULL && d.table == NULL && !d.prepared);
	struct ur_dist_error err;
	assert_int_equal(ur_dist_validate(&d, &err), -1);
	assert_string_equal(err.param, "shape");
	assert_string_equal(err.message, "must be a finite number, got nan");
}

static void test_examples_are_valid(void **state)
{
	(void)state;
	struct example ex[32];
	size_t n = examples(ex);
	for (size_t i = 0; i < n; ++i) {
		struct ur_dist_error err;
		if (ur_dist_validate(&ex[i].d, &err) != 0)
			fail_msg("%s: %s: %s", ex[i].name, err.param, err.message);
	}
	/* Boundary values that are valid. */
	struct ur_dist edge[] = {
		triangular(0.0, 0.0, 1.0), triangular(0.0, 1.0, 1.0), poisson(0.0),
		binomial(0.0, 0.5), binomial(UR_DIST_BINOMIAL_TRIALS_MAX, 0.5), bernoulli(0.0),
		bernoulli(1.0), shape_scale(UR_DIST_GAMMA, UR_DIST_SHAPE_MAX, 1.0),
		beta(UR_DIST_SHAPE_MAX, UR_DIST_SHAPE_MAX), shape_scale(UR_DIST_WEIBULL, 0.02, 1.0),
		lognormal(UNSET, 1.0, 18.0),
		normal(0.0, 1.0, 37.0, UNSET), normal(0.0, 1.0, UNSET, -37.0),
		poisson(UR_DIST_POISSON_MEAN_MAX),
	};
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; ++i) {
		struct ur_dist_error err;
		if (ur_dist_validate(&edge[i], &err) != 0)
			fail_msg("edge %zu: %s: %s", i, err.param, err.message);
	}
	/* err may be NULL. */
	struct ur_dist bad = exponential(-1.0);
	assert_int_equal(ur_dist_validate(&bad, NULL), -1);
}

static void test_validation_messages(void **state)
{
	(void)state;
	static double one_value[] = {1.0}, three_values[] = {1.0, 2.0, 3.0};
	static double three_values_huge[] = {-1e200, 0.0, 1e200};
	static double nan_value[] = {1.0, 2.0, UNSET};
	static double zero_weights[] = {0.0, 0.0, 0.0}, negative_weight[] = {1.0, -1.0, 1.0};
	static double inf_weight[] = {HUGE_VAL, 1.0, 1.0}, one_weight[] = {1.0};
	static double huge_weights[] = {1e308, 1e308, 1.0}, weights[] = {1.0, 1.0, 1.0};
	struct {
		struct ur_dist d;
		const char *param, *message;
	} cases[] = {
		{constant(UNSET), "value", "must be a finite number, got nan"},
		{constant(-UNSET), "value", "must be a finite number, got nan"},
		{constant(HUGE_VAL), "value", "must be a finite number, got inf"},
		{uniform(5.0, 3.0), "min", "must be < max (3), got 5"},
		{uniform(3.0, 3.0), "min", "must be < max (3), got 3"},
		{uniform(-HUGE_VAL, 3.0), "min", "must be a finite number, got -inf"},
		{uniform(0.0, UNSET), "max", "must be a finite number, got nan"},
		{uniform(-1e308, 1e308), "max",
		 "must be closer to min (max - min overflows), got 1e+308"},
		{uniform(0.1, 0.1), "min", "must be < max (0.1), got 0.1"},
		{uniform(1.0000000000000002, 1.0), "min", "must be < max (1), got 1.0000000000000002"},
		{exponential(-1.0), "mean", "must be > 0, got -1"},
		{exponential(0.0), "mean", "must be > 0, got 0"},
		{normal(0.0, 0.0, UNSET, UNSET), "sd", "must be > 0, got 0"},
		{normal(0.0, -1.0, UNSET, UNSET), "sd", "must be > 0, got -1"},
		{normal(UNSET, 1.0, UNSET, UNSET), "mean", "must be a finite number, got nan"},
		{normal(0.0, HUGE_VAL, UNSET, UNSET), "sd", "must be a finite number, got inf"},
		{normal(0.0, 1.0, 2.0, 1.0), "min", "must be < max (1), got 2"},
		{normal(0.0, 1.0, HUGE_VAL, UNSET), "min", "must be a finite number, got inf"},
		{normal(0.0, 1.0, UNSET, -HUGE_VAL), "max", "must be a finite number, got -inf"},
		{normal(0.0, 1.0, 40.0, UNSET), "min",
		 "must leave probability mass between min and max (mean 0, sd 1), got 40"},
		{normal(0.0, 1.0, 40.0, 41.0), "min",
		 "must leave probability mass between min and max (mean 0, sd 1), got 40"},
		{normal(5.0, 0.1, UNSET, 1.0), "max",
		 "must leave probability mass between min and max (mean 5, sd 0.1), got 1"},
		{normal(0.0, 1e20, -1.0, 1.0), "min",
		 "must leave probability mass between min and max (mean 0, sd 1e+20), got -1"},
		/* Both bounds within rounding of the mean: the tails are equal. */
		{normal(0.0, 1e300, 1.0, 2.0), "min",
		 "must leave probability mass between min and max (mean 0, sd 1e+300), got 1"},
		{lognormal(UNSET, 24.0, 0.0), "sigma", "must be > 0, got 0"},
		{lognormal(UNSET, UNSET, 0.5), "median", "must be given (or mu), got neither"},
		{lognormal(3.0, 24.0, 0.5), "median", "must not be given with mu, got 24"},
		{lognormal(UNSET, -1.0, 0.5), "median", "must be > 0, got -1"},
		{lognormal(HUGE_VAL, UNSET, 0.5), "mu", "must be a finite number, got inf"},
		{shape_scale(UR_DIST_GAMMA, -1.0, 1.0), "shape", "must be > 0, got -1"},
		{shape_scale(UR_DIST_GAMMA, 2.0, 0.0), "scale", "must be > 0, got 0"},
		{shape_scale(UR_DIST_WEIBULL, 2.0, UNSET), "scale", "must be a finite number, got nan"},
		{shape_scale(UR_DIST_WEIBULL, 0.0, 1.0), "shape", "must be > 0, got 0"},
		{shape_scale(UR_DIST_GAMMA, 2e5, 1.0), "shape", "must be <= 1e+05, got 2e+05"},
		{beta(1e6, 1.0), "alpha", "must be <= 1e+05, got 1e+06"},
		{beta(1.0, 1e6), "beta", "must be <= 1e+05, got 1e+06"},
		/* Finite parameters whose mean or variance overflows. */
		{shape_scale(UR_DIST_WEIBULL, 0.001, 1.0), "shape",
		 "must give a finite mean and variance, got 0.001"},
		{shape_scale(UR_DIST_WEIBULL, 1.0, 1e200), "scale",
		 "must give a finite mean and variance, got 1e+200"},
		{lognormal(UNSET, 1.0, 19.0), "sigma", "must give a finite mean and variance, got 19"},
		{lognormal(400.0, UNSET, 1.0), "mu", "must give a finite mean and variance, got 400"},
		{normal(0.0, 1e200, UNSET, UNSET), "sd", "must give a finite mean and variance, got 1e+200"},
		{exponential(1e300), "mean", "must give a finite mean and variance, got 1e+300"},
		{uniform(0.0, 1e160), "max", "must give a finite mean and variance, got 1e+160"},
		{shape_scale(UR_DIST_GAMMA, 2.0, 1e160), "scale",
		 "must give a finite mean and variance, got 1e+160"},
		{discrete(3, three_values_huge, weights), "values",
		 "must give a finite mean and variance"},
		{beta(0.0, 1.0), "alpha", "must be > 0, got 0"},
		{beta(1.0, -2.0), "beta", "must be > 0, got -2"},
		{triangular(0.0, -1.0, 3.0), "mode", "must be >= min (0), got -1"},
		{triangular(0.0, 5.0, 3.0), "mode", "must be <= max (3), got 5"},
		{triangular(3.0, 3.0, 3.0), "min", "must be < max (3), got 3"},
		{triangular(0.0, UNSET, 3.0), "mode", "must be a finite number, got nan"},
		{poisson(-0.5), "mean", "must be >= 0, got -0.5"},
		{poisson(1e12), "mean", "must be <= 1e+06, got 1e+12"},
		{poisson(1000001.0), "mean", "must be <= 1e+06, got 1000001"},
		{poisson(UNSET), "mean", "must be a finite number, got nan"},
		{binomial(2.5, 0.5), "trials", "must be a whole number, got 2.5"},
		{binomial(-1.0, 0.5), "trials", "must be >= 0, got -1"},
		{binomial(2e6, 0.5), "trials", "must be <= 1e+06, got 2e+06"},
		{binomial(10.0, 1.5), "p", "must be in [0, 1], got 1.5"},
		{binomial(10.0, -0.1), "p", "must be in [0, 1], got -0.1"},
		{binomial(10.0, UNSET), "p", "must be a finite number, got nan"},
		{bernoulli(2.0), "p", "must be in [0, 1], got 2"},
		{bernoulli(-HUGE_VAL), "p", "must be a finite number, got -inf"},
		{discrete(0, one_value, one_weight), "values", "must hold at least 1 value, got 0"},
		{discrete(3, three_values, negative_weight), "weights.[1]", "must be >= 0, got -1"},
		{discrete(3, three_values, zero_weights), "weights",
		 "must not all be zero, got 3 zero weights"},
		{discrete(3, nan_value, weights), "values.[2]", "must be a finite number, got nan"},
		{discrete(3, three_values, inf_weight), "weights.[0]",
		 "must be a finite number, got inf"},
		{discrete(3, three_values, huge_weights), "weights",
		 "must have a finite sum, got inf"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		struct ur_dist_error err = {"unset", "unset"};
		if (ur_dist_validate(&cases[i].d, &err) != -1)
			fail_msg("case %zu (%s %s) validated", i,
				 ur_dist_family_name(cases[i].d.family), cases[i].param);
		if (strcmp(err.param, cases[i].param) != 0 ||
		    strcmp(err.message, cases[i].message) != 0)
			fail_msg("case %zu: got \"%s: %s\", expected \"%s: %s\"", i, err.param,
				 err.message, cases[i].param, cases[i].message);
	}

	struct ur_dist unknown = constant(1.0);
	unknown.family = (enum ur_dist_family)99;
	struct ur_dist_error err;
	assert_int_equal(ur_dist_validate(&unknown, &err), -1);
	assert_string_equal(err.param, "dist");
	assert_string_equal(err.message, "must name a known family, got number 99");
}

/* ---- unit: quantiles and CDF ----------------------------------------------------- */

static void test_quantile_known_values(void **state)
{
	(void)state;
	static double values[] = {3.0, 1.0, 2.0}, weights[] = {1.0, 1.0, 2.0};
	struct {
		struct ur_dist d;
		double q, expected;
	} cases[] = {
		{normal(0.0, 1.0, UNSET, UNSET), 0.975, 1.959963984540054},
		{normal(10.0, 2.0, UNSET, UNSET), 0.025, 10.0 - 2.0 * 1.959963984540054},
		{exponential(2.0), 0.5, 2.0 * M_LN2},
		{uniform(2.0, 4.0), 0.25, 2.5},
		{lognormal(UNSET, 24.0, 0.5), 0.5, 24.0},
		{lognormal(log(24.0), UNSET, 0.5), 0.5, 24.0},
		{triangular(0.0, 1.0, 2.0), 0.5, 1.0},
		{triangular(0.0, 1.0, 2.0), 0.125, 0.5},
		{triangular(0.0, 1.0, 2.0), 0.875, 1.5},
		{shape_scale(UR_DIST_WEIBULL, 1.0, 3.0), 0.5, 3.0 * M_LN2},
		{shape_scale(UR_DIST_GAMMA, 1.0, 3.0), 0.5, 3.0 * M_LN2},
		{beta(1.0, 1.0), 0.3, 0.3},
		/* Symmetric truncation: the median is the mean. */
		{normal(1.0, 1.0, 0.0, 2.0), 0.5, 1.0},
		/* Poisson(3): F(2) = 0.4232, F(3) = 0.6472. */
		{poisson(3.0), 0.42, 2.0},
		{poisson(3.0), 0.43, 3.0},
		{poisson(3.0), 0.999999, 14.0}, /* 1 - F(13) = 3.4e-6, 1 - F(14) = 6.7e-7 */
		{poisson(0.0), 0.9, 0.0},
		/* Binomial(10, 1/2): F(4) = 0.3770, F(5) = 0.6230. */
		{binomial(10.0, 0.5), 0.5, 5.0},
		{binomial(10.0, 0.5), 0.37, 4.0},
		{binomial(10.0, 1.0), 0.01, 10.0},
		{binomial(10.0, 0.0), 0.99, 0.0},
		{bernoulli(0.3), 0.7, 0.0},
		{bernoulli(0.3), 0.71, 1.0},
		/* Sorted: 1 (1/4), 2 (1/2), 3 (1/4). */
		{discrete(3, values, weights), 0.25, 1.0},
		{discrete(3, values, weights), 0.26, 2.0},
		{discrete(3, values, weights), 0.75, 2.0},
		{discrete(3, values, weights), 0.76, 3.0},
		{constant(-2.0), 0.3, -2.0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		prepare(&cases[i].d);
		double x = ur_dist_quantile(&cases[i].d, cases[i].q);
		if (!(fabs(x - cases[i].expected) <= 1e-12 * fmax(1.0, fabs(cases[i].expected))))
			fail_msg("case %zu (%s): quantile(%g) = %.17g, expected %.17g", i,
				 ur_dist_family_name(cases[i].d.family), cases[i].q, x,
				 cases[i].expected);
		ur_dist_finish(&cases[i].d);
	}
}

static const double probe_q[] = {1e-9, 1e-6, 0.001, 0.01, 0.1, 0.25, 0.5,
				 0.75, 0.9, 0.99, 0.999, 1 - 1e-6, 1 - 1e-9};

/* The quantile inverts the CDF. Continuous: F(Q(q)) = q to 1e-9 relative to the
 * smaller tail min(q, 1-q) (the precision of GSL's inverses, and of the tail-aware
 * truncated normal), plus the rounding of a CDF near 1 (4 ulps) and the change of F
 * over 4 ulps of x (the rounding of x itself, which dominates where the support starts
 * far from 0 and q is tiny). Discrete families: Q(q) is the smallest support point reaching
 * q, i.e. F(Q(q)) >= q and F(x) < q just below Q(q). */
static void test_quantile_inverts_cdf(void **state)
{
	(void)state;
	struct example ex[32];
	size_t n = examples(ex);
	for (size_t i = 0; i < n; ++i) {
		struct ur_dist *d = &ex[i].d;
		prepare(d);
		for (size_t k = 0; k < sizeof probe_q / sizeof probe_q[0]; ++k) {
			double q = probe_q[k], x = ur_dist_quantile(d, q);
			double f = ur_dist_cdf(d, x);
			if (ex[i].continuous) {
				double dx = 4 * DBL_EPSILON * fabs(x);
				double tol = 1e-9 * fmin(q, 1.0 - q) + 4 * DBL_EPSILON +
					     ur_dist_cdf(d, x + dx) - ur_dist_cdf(d, x - dx);
				if (!(fabs(f - q) <= tol))
					fail_msg("%s: F(Q(%g)) = %.17g", ex[i].name, q, f);
			} else if (d->family != UR_DIST_CONSTANT) {
				/* The support points below x: integers, or the listed values. */
				double below = nextafter(x, -HUGE_VAL);
				if (d->family != UR_DIST_DISCRETE)
					below = x - 1.0;
				if (!(f >= q) || !(ur_dist_cdf(d, below) < q))
					fail_msg("%s: Q(%g) = %g, F = %.17g, F below = %.17g",
						 ex[i].name, q, x, f, ur_dist_cdf(d, below));
			}
		}
		ur_dist_finish(d);
	}
}

/* Quantiles far in a tail keep their precision: an interval far in the lower tail is
 * the mirror image of one far in the upper tail. */
static void test_truncated_normal_tails(void **state)
{
	(void)state;
	struct ur_dist up = normal(0.0, 1.0, 30.0, UNSET), down = normal(0.0, 1.0, UNSET, -30.0);
	struct ur_dist band_up = normal(0.0, 1.0, 36.0, 36.5);
	struct ur_dist band_down = normal(0.0, 1.0, -36.5, -36.0);
	prepare(&up);
	prepare(&down);
	prepare(&band_up);
	prepare(&band_down);
	for (size_t k = 0; k < sizeof probe_q / sizeof probe_q[0]; ++k) {
		double q = probe_q[k];
		double x = ur_dist_quantile(&up, q);
		assert_true(x >= 30.0);
		assert_near(ur_dist_quantile(&down, 1.0 - q), -x, 1e-13 * x);
		double b = ur_dist_quantile(&band_up, q);
		assert_true(b >= 36.0 && b <= 36.5);
		assert_near(ur_dist_quantile(&band_down, 1.0 - q), -b, 1e-13 * b);
	}
	/* The mean of N(0,1) above x is phi(x)/Q(x) = x + 1/x - 2/x^3 + 10/x^5 - 74/x^7 +
	 * ... (error < 4e-11 at x = 30); the variance 1/x^2 - 6/x^4 + O(1/x^6) (7e-8). */
	double x = 30.0;
	assert_near(ur_dist_mean(&up),
		    x + 1 / x - 2 / pow(x, 3) + 10 / pow(x, 5) - 74 / pow(x, 7), 1e-9);
	assert_near(ur_dist_variance(&up), 1 / (x * x) - 6 / pow(x, 4), 2e-7);
	assert_near(ur_dist_mean(&down), -ur_dist_mean(&up), 1e-12);
	ur_dist_finish(&band_down);
	ur_dist_finish(&band_up);
	ur_dist_finish(&down);
	ur_dist_finish(&up);
}

/* GSL errors raised while a test runs: the library must never reach the GSL error
 * handler with valid parameters (a program's default handler aborts). */
static int gsl_errors;

static void count_gsl_error(const char *reason, const char *file, int line, int code)
{
	fprintf(stderr, "GSL error %d at %s:%d: %s\n", code, file, line, reason);
	++gsl_errors;
}

/* Valid parameters at the edges of the accepted ranges, where GSL's own inverses
 * fail: quantiles are finite, in the support, non-decreasing, F(Q(q)) = q below the
 * median (relative 1e-9, plus the change of F over 4 ulps of x, and nothing where Q
 * underflows to 0), and no GSL error is raised. */
static void test_extreme_parameters(void **state)
{
	(void)state;
	const double q_grid[] = {1e-12, 5e-7, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 5e-7};
	struct ur_dist cases[] = {
		shape_scale(UR_DIST_GAMMA, 0.01, 1.0), shape_scale(UR_DIST_GAMMA, 0.1, 2.0),
		shape_scale(UR_DIST_GAMMA, UR_DIST_SHAPE_MAX, 1.0),
		beta(0.01, 0.01), beta(0.01, 1.0), beta(1.0, 0.01), beta(0.05, UR_DIST_SHAPE_MAX),
		beta(UR_DIST_SHAPE_MAX, UR_DIST_SHAPE_MAX), beta(2.0, 0.5),
		poisson(UR_DIST_POISSON_MEAN_MAX), binomial(UR_DIST_BINOMIAL_TRIALS_MAX, 0.3),
		normal(0.0, 1.0, 37.0, 37.5), triangular(0.0, 0.0, 1.0),
	};
	gsl_error_handler_t *previous = gsl_set_error_handler(count_gsl_error);
	gsl_errors = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		struct ur_dist *d = &cases[i];
		prepare(d);
		double last = -HUGE_VAL;
		for (size_t k = 0; k < sizeof q_grid / sizeof q_grid[0]; ++k) {
			double q = q_grid[k], x = ur_dist_quantile(d, q);
			if (!isfinite(x) || !(x >= last) || !(ur_dist_cdf(d, x) >= 0.0))
				fail_msg("case %zu (%s): Q(%g) = %.17g after %.17g", i,
					 ur_dist_family_name(d->family), q, x, last);
			last = x;
			bool integer = d->family == UR_DIST_POISSON || d->family == UR_DIST_BINOMIAL;
			if (q > 0.5 || integer || x == 0.0)
				continue;
			double dx = 4 * DBL_EPSILON * fabs(x), f = ur_dist_cdf(d, x);
			double slack = ur_dist_cdf(d, x + dx) - ur_dist_cdf(d, x - dx);
			if (!(fabs(f - q) <= 1e-9 * q + slack))
				fail_msg("case %zu (%s): F(Q(%g)) = %.17g", i,
					 ur_dist_family_name(d->family), q, f);
		}
		ur_dist_finish(d);
	}
	gsl_set_error_handler(previous);
	assert_int_equal(gsl_errors, 0);
}

/* ---- unit: exact moments against independent computations ------------------------ */

struct normal_integrand {
	int power;
};

static double z_power_phi(double z, void *params)
{
	const struct normal_integrand *p = params;
	return pow(z, p->power) * gsl_ran_ugaussian_pdf(z);
}

/* Moments of N(0,1) on [a, b] by quadrature (GSL's QAGS), independent of the closed
 * forms in dist.c. */
static void truncated_moments_by_quadrature(double a, double b, double *mean, double *var)
{
	gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
	assert_non_null(w);
	double m[3];
	for (int k = 0; k < 3; ++k) {
		struct normal_integrand p = {k};
		gsl_function f = {z_power_phi, &p};
		double error;
		assert_int_equal(gsl_integration_qags(&f, a, b, 0.0, 1e-13, 1000, w, &m[k],
						      &error), 0);
	}
	gsl_integration_workspace_free(w);
	*mean = m[1] / m[0];
	*var = m[2] / m[0] - *mean * *mean;
}

static void test_exact_moments(void **state)
{
	(void)state;
	const double bands[][2] = {{-1.0, 2.0}, {0.5, 1.5}, {-3.0, -2.0}, {5.0, 6.0}};
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; ++i) {
		double mean, var;
		truncated_moments_by_quadrature(bands[i][0], bands[i][1], &mean, &var);
		/* In units: mean 2, sd 3. */
		struct ur_dist d = normal(2.0, 3.0, 2.0 + 3.0 * bands[i][0],
					  2.0 + 3.0 * bands[i][1]);
		assert_near(ur_dist_mean(&d), 2.0 + 3.0 * mean, 1e-9);
		assert_near(ur_dist_variance(&d), 9.0 * var, 1e-9 * 9.0 * var);
	}

	/* Symmetric [-1, 1]: var = 1 - 2 phi(1) / (2 Phi(1) - 1). */
	struct ur_dist d = normal(0.0, 1.0, -1.0, 1.0);
	assert_near(ur_dist_mean(&d), 0.0, 1e-15);
	assert_near(ur_dist_variance(&d), 0.29112509477279314, 1e-14);

	d = triangular(0.0, 1.0, 2.0);
	assert_near(ur_dist_mean(&d), 1.0, 1e-15);
	assert_near(ur_dist_variance(&d), 1.0 / 6.0, 1e-15);
	/* Far from 0 and narrow: no cancellation. */
	d = triangular(1e9, 1e9 + 1.0, 1e9 + 2.0);
	assert_near(ur_dist_variance(&d), 1.0 / 6.0, 1e-12);

	/* Weibull of shape 1 is the exponential. */
	d = shape_scale(UR_DIST_WEIBULL, 1.0, 3.0);
	assert_near(ur_dist_mean(&d), 3.0, 1e-13);
	assert_near(ur_dist_variance(&d), 9.0, 1e-12);
	/* Shape 2: mean l sqrt(pi)/2, var l^2 (1 - pi/4). */
	d = shape_scale(UR_DIST_WEIBULL, 2.0, 3.0);
	assert_near(ur_dist_mean(&d), 1.5 * sqrt(M_PI), 1e-13);
	assert_near(ur_dist_variance(&d), 9.0 * (1.0 - M_PI / 4.0), 1e-12);

	struct ur_dist by_median = lognormal(UNSET, 24.0, 0.5);
	struct ur_dist by_mu = lognormal(log(24.0), UNSET, 0.5);
	assert_near(ur_dist_mean(&by_median), 24.0 * exp(0.125), 1e-12);
	assert_near(ur_dist_mean(&by_mu), ur_dist_mean(&by_median), 1e-12);
	assert_near(ur_dist_variance(&by_mu), ur_dist_variance(&by_median), 1e-10);

	d = discrete(4, discrete_values, discrete_weights);
	/* 0.3*5 + 0.2*1 + 0.5*2 = 2.7; E[X^2] = 7.5 + 0.2 + 2 = 9.7. */
	assert_near(ur_dist_mean(&d), 2.7, 1e-15);
	assert_near(ur_dist_variance(&d), 9.7 - 2.7 * 2.7, 1e-14);
}

/* ---- unit: stratified sampling and lifetime -------------------------------------- */

/* n stratified draws are the quantiles at (i + 0.5)/n, each once, in shuffled order. */
static void test_stratified_hits_quantiles(void **state)
{
	(void)state;
	enum { N = 1000 };
	double out[N], expected[N];
	gsl_rng *rng = ur_rng_create(11);
	assert_non_null(rng);
	struct example ex[32];
	size_t n = examples(ex);
	for (size_t i = 0; i < n; ++i) {
		struct ur_dist *d = &ex[i].d;
		prepare(d);
		ur_dist_sample_n(d, rng, N, true, out);
		for (size_t k = 0; k < N; ++k) {
			expected[k] = ur_dist_quantile(d, ((double)k + 0.5) / N);
			if (k > 0 && !(expected[k] >= expected[k - 1]))
				fail_msg("%s: quantile decreases at %zu", ex[i].name, k);
		}
		bool shuffled = memcmp(out, expected, sizeof out) != 0;
		gsl_sort(out, 1, N);
		for (size_t k = 0; k < N; ++k)
			if (out[k] != expected[k])
				fail_msg("%s: sorted draw %zu = %.17g, quantile %.17g", ex[i].name, k,
					 out[k], expected[k]);
		if (d->family != UR_DIST_CONSTANT && !shuffled)
			fail_msg("%s: stratified draws not shuffled", ex[i].name);
		ur_dist_finish(d);
	}

	/* n = 1 is the median; n = 0 writes nothing. */
	struct ur_dist d = exponential(2.0);
	prepare(&d);
	ur_dist_sample_n(&d, rng, 1, true, out);
	assert_near(out[0], 2.0 * M_LN2, 1e-15);
	ur_dist_sample_n(&d, rng, 0, true, NULL);
	ur_dist_sample_n(&d, rng, 0, false, NULL);
	ur_dist_finish(&d);
	ur_rng_destroy(rng);
}

/* Independent draws come from the stream: the same seed gives the same draws, through
 * sample and sample_n alike. */
static void test_sampling_reproducible(void **state)
{
	(void)state;
	enum { N = 100 };
	struct example ex[32];
	size_t n = examples(ex);
	gsl_rng *a = ur_rng_create(5), *b = ur_rng_create(5);
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; ++i) {
		struct ur_dist *d = &ex[i].d;
		prepare(d);
		double batch[N];
		ur_dist_sample_n(d, a, N, false, batch);
		for (size_t k = 0; k < N; ++k) {
			double x = ur_dist_sample(d, b);
			if (memcmp(&x, &batch[k], sizeof x) != 0)
				fail_msg("%s: draw %zu differs", ex[i].name, k);
			/* Within the support. */
			if (!(ur_dist_cdf(d, x) > 0.0) && d->family != UR_DIST_CONSTANT)
				fail_msg("%s: draw %.17g outside the support", ex[i].name, x);
		}
		ur_dist_finish(d);
	}
	ur_rng_destroy(b);
	ur_rng_destroy(a);
}

static void test_prepare_finish(void **state)
{
	(void)state;
	double values[] = {1.0, 2.0}, weights[] = {1.0, 3.0};
	struct ur_dist d = discrete(2, values, weights);
	prepare(&d);
	assert_true(d.prepared && d.table != NULL && d.order != NULL);
	ur_dist_finish(&d);
	assert_true(!d.prepared && d.table == NULL && d.order == NULL && d.cumulative == NULL);
	ur_dist_finish(&d); /* twice: no-op */
	ur_dist_finish(NULL);
	struct ur_dist unprepared = constant(1.0);
	ur_dist_finish(&unprepared);
	/* Prepared again after finish, it samples as before. */
	prepare(&d);
	gsl_rng *rng = ur_rng_create(3);
	assert_non_null(rng);
	for (int i = 0; i < 100; ++i) {
		double x = ur_dist_sample(&d, rng);
		assert_true(x == 1.0 || x == 2.0);
	}
	ur_rng_destroy(rng);
	ur_dist_finish(&d);

	/* Degenerate laws sample their one value, independently or stratified, and their
	 * CDF is a step there. */
	struct ur_dist always[] = {bernoulli(0.0), bernoulli(1.0), binomial(7.0, 1.0),
				   binomial(7.0, 0.0), binomial(0.0, 0.5), poisson(0.0),
				   constant(2.5)};
	const double value[] = {0.0, 1.0, 7.0, 0.0, 0.0, 0.0, 2.5};
	rng = ur_rng_create(4);
	assert_non_null(rng);
	for (size_t i = 0; i < sizeof always / sizeof always[0]; ++i) {
		prepare(&always[i]);
		double out[50];
		ur_dist_sample_n(&always[i], rng, 50, true, out);
		for (int k = 0; k < 50; ++k) {
			assert_true(ur_dist_sample(&always[i], rng) == value[i]);
			assert_true(out[k] == value[i]);
		}
		assert_true(ur_dist_cdf(&always[i], value[i]) == 1.0);
		assert_true(ur_dist_cdf(&always[i], value[i] - 0.5) == 0.0);
		assert_true(ur_dist_mean(&always[i]) == value[i]);
		assert_true(ur_dist_variance(&always[i]) == 0.0);
		ur_dist_finish(&always[i]);
	}
	ur_rng_destroy(rng);
}

/* ---- stat: moments and shape of 10^6 draws --------------------------------------- */

/* Raw moments E[Z^k], k = 0..4, of N(0,1) on [a, b]: M_k = (k-1) M_{k-2} +
 * (a^{k-1} phi(a) - b^{k-1} phi(b)) / Z, from integrating z^{k-1} z phi(z) by parts. */
static void truncated_raw_moments(double a, double b, double m[5])
{
	double za = isinf(a) ? 0.0 : gsl_ran_ugaussian_pdf(a);
	double zb = isinf(b) ? 0.0 : gsl_ran_ugaussian_pdf(b);
	double mass = a >= 0.0 ? gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b)
				: gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
	m[0] = 1.0;
	for (int k = 1; k <= 4; ++k) {
		double ta = isinf(a) ? 0.0 : pow(a, k - 1) * za;
		double tb = isinf(b) ? 0.0 : pow(b, k - 1) * zb;
		m[k] = (k >= 2 ? (k - 1) * m[k - 2] : 0.0) + (ta - tb) / mass;
	}
}

/* The fourth central moment mu4 of each family, which the standard error of the
 * sample variance needs: Var(s^2) = mu4/n - sigma^4 (n-3)/(n(n-1)). From the
 * family's kurtosis where it has a closed form, from raw moments otherwise. */
static double fourth_central_moment(const struct ur_dist *d)
{
	double v = ur_dist_variance(d);
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return 0.0;
	case UR_DIST_UNIFORM:
		return pow(d->max - d->min, 4) / 80.0;
	case UR_DIST_EXPONENTIAL:
		return 9.0 * v * v;
	case UR_DIST_NORMAL: {
		if (isnan(d->min) && isnan(d->max))
			return 3.0 * v * v;
		double a = isnan(d->min) ? -HUGE_VAL : (d->min - d->mean) / d->sd;
		double b = isnan(d->max) ? HUGE_VAL : (d->max - d->mean) / d->sd;
		double m[5];
		truncated_raw_moments(a, b, m);
		double c4 = m[4] - 4 * m[1] * m[3] + 6 * m[1] * m[1] * m[2] - 3 * pow(m[1], 4);
		return c4 * pow(d->sd, 4);
	}
	case UR_DIST_LOGNORMAL: {
		double s2 = d->sigma * d->sigma;
		return v * v * (exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3);
	}
	case UR_DIST_GAMMA:
		return (3.0 + 6.0 / d->shape) * v * v;
	case UR_DIST_WEIBULL: {
		double r[5];
		for (int k = 1; k <= 4; ++k)
			r[k] = pow(d->scale, k) * gsl_sf_gamma(1.0 + k / d->shape);
		return r[4] - 4 * r[3] * r[1] + 6 * r[2] * r[1] * r[1] - 3 * pow(r[1], 4);
	}
	case UR_DIST_BETA: {
		double a = d->alpha, b = d->beta;
		double excess = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) /
				(a * b * (a + b + 2) * (a + b + 3));
		return (3.0 + excess) * v * v;
	}
	case UR_DIST_TRIANGULAR:
		return 2.4 * v * v; /* excess kurtosis -3/5 */
	case UR_DIST_POISSON:
		return d->mean + 3 * d->mean * d->mean;
	case UR_DIST_BINOMIAL: {
		double pq = d->p * (1 - d->p);
		return d->trials * pq * (1 + 3 * (d->trials - 2) * pq);
	}
	case UR_DIST_BERNOULLI: {
		double pq = d->p * (1 - d->p);
		return pq * (1 - 3 * pq);
	}
	case UR_DIST_DISCRETE: {
		double total = 0, sum = 0, mean = ur_dist_mean(d);
		for (size_t i = 0; i < d->count; ++i) {
			total += d->weights[i];
			sum += d->weights[i] * pow(d->values[i] - mean, 4);
		}
		return sum / total;
	}
	case UR_DIST_FAMILY_COUNT:
		break;
	}
	fail_msg("no fourth moment for family %d", (int)d->family);
	return UNSET;
}

/* Sample mean and variance of 10^6 independent draws within 4 standard errors of the
 * exact values: SE(mean) = sqrt(var/n), SE(s^2) = sqrt(mu4/n - var^2 (n-3)/(n(n-1))).
 * At 4 SE one statistic fails by chance with probability 6e-5 (normal approximation,
 * good at n = 10^6 for these light- to moderately heavy-tailed laws); the seeds are
 * fixed, so the outcome is deterministic. */
static void test_moments_of_draws(void **state)
{
	(void)state;
	enum { N = 1000000 };
	double *x = malloc(N * sizeof *x);
	assert_non_null(x);
	struct example ex[32];
	size_t n = examples(ex);
	for (size_t i = 0; i < n; ++i) {
		struct ur_dist *d = &ex[i].d;
		prepare(d);
		gsl_rng *rng = ur_rng_create(
			ur_rng_stream_seed(ur_rng_replication_seed(2022, i), UR_STREAM_AGENTS));
		assert_non_null(rng);
		ur_dist_sample_n(d, rng, N, false, x);
		double mean = ur_dist_mean(d), var = ur_dist_variance(d);
		double mu4 = fourth_central_moment(d);
		double m = gsl_stats_mean(x, 1, N), s2 = gsl_stats_variance_m(x, 1, N, m);
		double se_mean = sqrt(var / N);
		double se_var = sqrt(mu4 / N - var * var * (N - 3.0) / ((double)N * (N - 1.0)));
		if (var == 0.0) {
			assert_true(m == mean && s2 == 0.0);
		} else {
			if (!(fabs(m - mean) <= 4 * se_mean))
				fail_msg("%s: mean %.10g, exact %.10g, %.2f SE", ex[i].name, m, mean,
					 (m - mean) / se_mean);
			if (!(fabs(s2 - var) <= 4 * se_var))
				fail_msg("%s: variance %.10g, exact %.10g, %.2f SE", ex[i].name, s2,
					 var, (s2 - var) / se_var);
		}
		ur_rng_destroy(rng);
		ur_dist_finish(d);
	}
	free(x);
}

/* Kolmogorov-Smirnov: D = sup |F_n - F| of 10^5 draws against the family's CDF, for
 * the continuous families; sqrt(n) D exceeds 1.9495 with probability 0.001 under the
 * null (Kolmogorov's limit law). Catches errors of shape that two moments miss. */
static void test_shape_of_draws(void **state)
{
	(void)state;
	enum { N = 100000 };
	double *x = malloc(N * sizeof *x);
	assert_non_null(x);
	struct example ex[32];
	size_t n = examples(ex);
	for (size_t i = 0; i < n; ++i) {
		if (!ex[i].continuous)
			continue;
		struct ur_dist *d = &ex[i].d;
		prepare(d);
		gsl_rng *rng = ur_rng_create(
			ur_rng_stream_seed(ur_rng_replication_seed(1917, i), UR_STREAM_AGENTS));
		assert_non_null(rng);
		ur_dist_sample_n(d, rng, N, false, x);
		gsl_sort(x, 1, N);
		double dmax = 0.0;
		for (size_t k = 0; k < N; ++k) {
			double f = ur_dist_cdf(d, x[k]);
			dmax = fmax(dmax, fmax(f - (double)k / N, (double)(k + 1) / N - f));
		}
		if (!(sqrt((double)N) * dmax <= 1.9495))
			fail_msg("%s: sqrt(n) D = %.4f", ex[i].name, sqrt((double)N) * dmax);
		ur_rng_destroy(rng);
		ur_dist_finish(d);
	}
	free(x);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_family_names),
		cmocka_unit_test(test_make_leaves_fields_unset),
		cmocka_unit_test(test_examples_are_valid),
		cmocka_unit_test(test_validation_messages),
		cmocka_unit_test(test_quantile_known_values),
		cmocka_unit_test(test_quantile_inverts_cdf),
		cmocka_unit_test(test_truncated_normal_tails),
		cmocka_unit_test(test_extreme_parameters),
		cmocka_unit_test(test_exact_moments),
		cmocka_unit_test(test_stratified_hits_quantiles),
		cmocka_unit_test(test_sampling_reproducible),
		cmocka_unit_test(test_prepare_finish),
	};
	const struct CMUnitTest stat[] = {
		cmocka_unit_test(test_moments_of_draws),
		cmocka_unit_test(test_shape_of_draws),
	};
	const char *group = argc > 1 ? argv[1] : "unit";
	if (strcmp(group, "unit") == 0)
		return cmocka_run_group_tests_name("dist unit", unit, NULL, NULL);
	if (strcmp(group, "stat") == 0)
		return cmocka_run_group_tests_name("dist stat", stat, NULL, NULL);
	fprintf(stderr, "usage: %s unit|stat\n", argv[0]);
	return 2;
}
