/*
 * dist.c: the distributions of scenario files (dist.h): validation with messages,
 * sampling, stratified sampling, quantiles, exact moments.
 *
 * Densities and moments, x the variate (units are those of the parameter set):
 *   uniform      1/(b-a) on [a, b)                 mean (a+b)/2, var (b-a)^2/12
 *   exponential  exp(-x/m)/m                       mean m, var m^2
 *   normal       N(mu, sd^2), truncated to [min, max]: with a, b the bounds in sd units,
 *                Z = Phi(b) - Phi(a), lambda = (phi(a) - phi(b))/Z,
 *                mean mu + sd*lambda, var sd^2 (1 + (a phi(a) - b phi(b))/Z - lambda^2)
 *   lognormal    log x ~ N(mu, sigma^2)            mean exp(mu + sigma^2/2),
 *                                                  var expm1(sigma^2) exp(2mu + sigma^2)
 *   gamma        x^(k-1) exp(-x/t) / (Gamma(k) t^k) mean k t, var k t^2
 *   weibull      (k/l) (x/l)^(k-1) exp(-(x/l)^k)   mean l G1, var l^2 (G2 - G1^2),
 *                                                  Gn = Gamma(1 + n/k)
 *   beta         x^(a-1) (1-x)^(b-1) / B(a, b)     mean a/(a+b),
 *                                                  var ab / ((a+b)^2 (a+b+1))
 *   triangular   min a, mode c, max b              mean (a+b+c)/3,
 *                                                  var (w^2 - wu + u^2)/18,
 *                                                  w = b - a, u = c - a
 *   poisson      mean m                            var m
 *   binomial     n trials, p                       mean np, var np(1-p)
 *   bernoulli    p                                 mean p, var p(1-p)
 *   discrete     value v_i with weight w_i         from the normalized weights
 *
 * Quantiles: closed forms or GSL's inverses where these are exact and robust; the
 * truncated normal between its tail probabilities; gamma and beta by a bracketed
 * Newton solver on GSL's CDFs (GSL's own inverses fail for many valid parameters);
 * poisson and binomial by a search on GSL's CDFs; discrete by a search on the
 * cumulative weights. The limits of dist.h keep every parameter where GSL's CDFs
 * work: valid parameters never reach the GSL error handler (tests/rng checks).
 */
#include "unrest/dist.h"

#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>

/* A double NaN, the "unset" of dist.h: NAN is a float, which -Wdouble-promotion flags
 * in double context. */
#define UNSET ((double)NAN)

static const char *const family_names[UR_DIST_FAMILY_COUNT] = {
	[UR_DIST_CONSTANT] = "constant",
	[UR_DIST_UNIFORM] = "uniform",
	[UR_DIST_EXPONENTIAL] = "exponential",
	[UR_DIST_NORMAL] = "normal",
	[UR_DIST_LOGNORMAL] = "lognormal",
	[UR_DIST_GAMMA] = "gamma",
	[UR_DIST_WEIBULL] = "weibull",
	[UR_DIST_BETA] = "beta",
	[UR_DIST_TRIANGULAR] = "triangular",
	[UR_DIST_POISSON] = "poisson",
	[UR_DIST_BINOMIAL] = "binomial",
	[UR_DIST_BERNOULLI] = "bernoulli",
	[UR_DIST_DISCRETE] = "discrete",
};

const char *ur_dist_family_name(enum ur_dist_family family)
{
	if ((unsigned)family >= UR_DIST_FAMILY_COUNT)
		return NULL;
	return family_names[family];
}

enum ur_dist_family ur_dist_family_from_name(const char *name)
{
	if (name == NULL)
		return UR_DIST_FAMILY_COUNT;
	for (int f = 0; f < UR_DIST_FAMILY_COUNT; ++f)
		if (strcmp(name, family_names[f]) == 0)
			return (enum ur_dist_family)f;
	return UR_DIST_FAMILY_COUNT;
}

struct ur_dist ur_dist_make(enum ur_dist_family family)
{
	struct ur_dist d = {
		.family = family,
		.value = UNSET, .min = UNSET, .max = UNSET, .mode = UNSET,
		.mean = UNSET, .sd = UNSET, .mu = UNSET, .sigma = UNSET, .median = UNSET,
		.shape = UNSET, .scale = UNSET, .alpha = UNSET, .beta = UNSET,
		.p = UNSET, .trials = UNSET,
		.count = 0, .values = NULL, .weights = NULL, .table = NULL,
		.prepared = false,
		.cdf_min = UNSET, .sf_min = UNSET, .cdf_max = UNSET, .sf_max = UNSET,
		.order = NULL, .cumulative = NULL,
	};
	return d;
}

/* ---- validation ------------------------------------------------------------------ */

/* The shortest %g text that reads back as x ("0.1", "40", "1e+12"), so that a message
 * never shows two different numbers alike; "nan" whatever the sign bit of a NaN. */
static void number_text(double x, char *text, size_t size)
{
	if (isnan(x)) {
		snprintf(text, size, "nan");
		return;
	}
	if (isinf(x)) {
		snprintf(text, size, "%s", x > 0 ? "inf" : "-inf");
		return;
	}
	/* Shortest by length, not by precision: "40" rather than "4e+01". */
	char best[40] = "", candidate[40];
	for (int precision = 1; precision <= DBL_DECIMAL_DIG; ++precision) {
		snprintf(candidate, sizeof candidate, "%.*g", precision, x);
		if (strtod(candidate, NULL) == x &&
		    (best[0] == '\0' || strlen(candidate) < strlen(best)))
			memcpy(best, candidate, sizeof best);
	}
	snprintf(text, size, "%s", best);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(struct ur_dist_error *err, const char *param, const char *format, ...)
{
	if (err != NULL) {
		snprintf(err->param, sizeof err->param, "%s", param);
		va_list args;
		va_start(args, format);
		vsnprintf(err->message, sizeof err->message, format, args);
		va_end(args);
	}
	return -1;
}

/* Each check returns 0 when the value passes, else fail()'s -1 with the message. */

static int check_finite(struct ur_dist_error *err, const char *param, double x)
{
	if (isfinite(x))
		return 0;
	char got[32];
	number_text(x, got, sizeof got);
	return fail(err, param, "must be a finite number, got %s", got);
}

static int check_above(struct ur_dist_error *err, const char *param, double x,
		       double bound, bool inclusive)
{
	if (check_finite(err, param, x) != 0)
		return -1;
	if (inclusive ? x >= bound : x > bound)
		return 0;
	char got[32], limit[32];
	number_text(x, got, sizeof got);
	number_text(bound, limit, sizeof limit);
	return fail(err, param, "must be %s %s, got %s", inclusive ? ">=" : ">", limit, got);
}

static int check_positive(struct ur_dist_error *err, const char *param, double x)
{
	return check_above(err, param, x, 0.0, false);
}

static int check_non_negative(struct ur_dist_error *err, const char *param, double x)
{
	return check_above(err, param, x, 0.0, true);
}

static int check_at_most(struct ur_dist_error *err, const char *param, double x, double max)
{
	if (x <= max)
		return 0;
	char got[32], limit[32];
	number_text(x, got, sizeof got);
	number_text(max, limit, sizeof limit);
	return fail(err, param, "must be <= %s, got %s", limit, got);
}

/* x against another parameter: "must be < max (3), got 5". Both are finite. */
static int check_against(struct ur_dist_error *err, const char *param, double x,
			 const char *relation, const char *other_name, double other)
{
	bool holds = strcmp(relation, "<") == 0    ? x < other
		     : strcmp(relation, ">=") == 0 ? x >= other
						   : x <= other;
	if (holds)
		return 0;
	char got[32], limit[32];
	number_text(x, got, sizeof got);
	number_text(other, limit, sizeof limit);
	return fail(err, param, "must be %s %s (%s), got %s", relation, other_name, limit,
		    got);
}

static int check_probability(struct ur_dist_error *err, const char *param, double x)
{
	if (check_finite(err, param, x) != 0)
		return -1;
	if (x >= 0.0 && x <= 1.0)
		return 0;
	char got[32];
	number_text(x, got, sizeof got);
	return fail(err, param, "must be in [0, 1], got %s", got);
}

/* An interval [min, max] whose width b - a is used in arithmetic must not overflow. */
static int check_interval(struct ur_dist_error *err, double min, double max)
{
	if (check_finite(err, "min", min) != 0 || check_finite(err, "max", max) != 0 ||
	    check_against(err, "min", min, "<", "max", max) != 0)
		return -1;
	if (isfinite(max - min))
		return 0;
	char got[32];
	number_text(max, got, sizeof got);
	return fail(err, "max", "must be closer to min (max - min overflows), got %s", got);
}

/* The bounds of a truncated normal in sd units; an open side is infinite. */
static double z_of_min(const struct ur_dist *d)
{
	return isnan(d->min) ? -HUGE_VAL : (d->min - d->mean) / d->sd;
}

static double z_of_max(const struct ur_dist *d)
{
	return isnan(d->max) ? HUGE_VAL : (d->max - d->mean) / d->sd;
}

static bool is_truncated(const struct ur_dist *d)
{
	return !isnan(d->min) || !isnan(d->max);
}

/* Standard normal tails at the bounds, and the mass between them taken as a
 * difference of the tails that are small there (upper tails when the interval lies
 * above the mean), so that an interval far in a tail keeps its relative precision. */
struct normal_tails {
	double cdf_min, sf_min, cdf_max, sf_max, mass;
};

static struct normal_tails normal_tails_of(double z_min, double z_max)
{
	struct normal_tails t = {
		.cdf_min = gsl_cdf_ugaussian_P(z_min), .sf_min = gsl_cdf_ugaussian_Q(z_min),
		.cdf_max = gsl_cdf_ugaussian_P(z_max), .sf_max = gsl_cdf_ugaussian_Q(z_max),
	};
	if (z_min >= 0.0)
		t.mass = t.sf_min - t.sf_max;
	else if (z_max <= 0.0)
		t.mass = t.cdf_max - t.cdf_min;
	else
		t.mass = 1.0 - t.cdf_min - t.sf_max;
	return t;
}

static int validate_normal(const struct ur_dist *d, struct ur_dist_error *err)
{
	if (check_finite(err, "mean", d->mean) != 0 || check_positive(err, "sd", d->sd) != 0)
		return -1;
	if (!isnan(d->min) && check_finite(err, "min", d->min) != 0)
		return -1;
	if (!isnan(d->max) && check_finite(err, "max", d->max) != 0)
		return -1;
	if (!isnan(d->min) && !isnan(d->max) &&
	    check_against(err, "min", d->min, "<", "max", d->max) != 0)
		return -1;
	if (!is_truncated(d))
		return 0;
	/* Refuse an interval without probability mass in double precision (beyond about
	 * 37.5 sd tails underflow), or with so little that the tails are subnormal and
	 * inversion would lose its precision. */
	double z_min = z_of_min(d), z_max = z_of_max(d);
	struct normal_tails t = normal_tails_of(z_min, z_max);
	if (t.mass >= DBL_MIN)
		return 0;
	/* Blame the bound nearer the mean: the other side is open or farther out. */
	bool below = z_max <= 0.0;
	const char *param = below ? "max" : "min";
	char got[32], mean[32], sd[32];
	number_text(below ? d->max : d->min, got, sizeof got);
	number_text(d->mean, mean, sizeof mean);
	number_text(d->sd, sd, sizeof sd);
	return fail(err, param,
		    "must leave probability mass between min and max (mean %s, sd %s), got %s",
		    mean, sd, got);
}

static int validate_lognormal(const struct ur_dist *d, struct ur_dist_error *err)
{
	if (check_positive(err, "sigma", d->sigma) != 0)
		return -1;
	if (isnan(d->mu) && isnan(d->median))
		return fail(err, "median", "must be given (or mu), got neither");
	if (!isnan(d->mu) && !isnan(d->median)) {
		char got[32];
		number_text(d->median, got, sizeof got);
		return fail(err, "median", "must not be given with mu, got %s", got);
	}
	if (!isnan(d->median))
		return check_positive(err, "median", d->median);
	return check_finite(err, "mu", d->mu);
}

static int validate_binomial(const struct ur_dist *d, struct ur_dist_error *err)
{
	if (check_non_negative(err, "trials", d->trials) != 0)
		return -1;
	char got[32];
	number_text(d->trials, got, sizeof got);
	if (d->trials != floor(d->trials))
		return fail(err, "trials", "must be a whole number, got %s", got);
	if (check_at_most(err, "trials", d->trials, UR_DIST_BINOMIAL_TRIALS_MAX) != 0)
		return -1;
	return check_probability(err, "p", d->p);
}

static int validate_discrete(const struct ur_dist *d, struct ur_dist_error *err)
{
	if (d->count == 0)
		return fail(err, "values", "must hold at least 1 value, got 0");
	assert(d->values != NULL && d->weights != NULL);
	if (d->values == NULL || d->weights == NULL)
		return fail(err, d->values == NULL ? "values" : "weights", "must be given");
	char param[32];
	double total = 0.0;
	for (size_t i = 0; i < d->count; ++i) {
		snprintf(param, sizeof param, "values.[%zu]", i);
		if (check_finite(err, param, d->values[i]) != 0)
			return -1;
		snprintf(param, sizeof param, "weights.[%zu]", i);
		if (check_non_negative(err, param, d->weights[i]) != 0)
			return -1;
		total += d->weights[i];
	}
	if (total == 0.0)
		return fail(err, "weights", "must not all be zero, got %zu zero weight%s",
			    d->count, d->count == 1 ? "" : "s");
	if (!isfinite(total))
		return fail(err, "weights", "must have a finite sum, got inf");
	return 0;
}

static void moments(const struct ur_dist *d, double *mean, double *var);

/* log Gamma(1 + n/shape) for the Weibull's moments, +inf where it is so large that the
 * moment overflows anyway; GSL's log-gamma would report an overflow through the error
 * handler for a tiny shape (n/shape near 1e306). */
static double weibull_log_gamma(double n, double shape)
{
	double x = 1.0 + n / shape;
	return x <= 1e6 ? gsl_sf_lngamma(x) : HUGE_VAL;
}

static double lognormal_mu(const struct ur_dist *d)
{
	return isnan(d->median) ? d->mu : log(d->median);
}

/* The parameter to blame when a family's mean or variance overflows. */
static const char *overflow_param(const struct ur_dist *d, double *value)
{
	switch (d->family) {
	case UR_DIST_UNIFORM:
	case UR_DIST_TRIANGULAR:
		*value = d->max;
		return "max";
	case UR_DIST_EXPONENTIAL:
		*value = d->mean;
		return "mean";
	case UR_DIST_NORMAL:
		*value = d->sd;
		return "sd";
	case UR_DIST_LOGNORMAL:
		/* log var ~ 2 sigma^2 + 2 mu: blame the larger term. */
		if (d->sigma * d->sigma >= fabs(lognormal_mu(d))) {
			*value = d->sigma;
			return "sigma";
		}
		*value = isnan(d->median) ? d->mu : d->median;
		return isnan(d->median) ? "mu" : "median";
	case UR_DIST_GAMMA:
		*value = d->scale;
		return "scale";
	case UR_DIST_WEIBULL:
		/* Gamma(1 + 2/shape) alone overflows below a shape of about 0.0118. */
		if (!(weibull_log_gamma(2.0, d->shape) < log(DBL_MAX))) {
			*value = d->shape;
			return "shape";
		}
		*value = d->scale;
		return "scale";
	case UR_DIST_DISCRETE:
		*value = UNSET;
		return "values";
	default:
		*value = UNSET;
		return "dist";
	}
}

/* The parameters of each family, in the order of the header's list. */
static int validate_family(const struct ur_dist *d, struct ur_dist_error *err)
{
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return check_finite(err, "value", d->value);
	case UR_DIST_UNIFORM:
		return check_interval(err, d->min, d->max);
	case UR_DIST_EXPONENTIAL:
		return check_positive(err, "mean", d->mean);
	case UR_DIST_NORMAL:
		return validate_normal(d, err);
	case UR_DIST_LOGNORMAL:
		return validate_lognormal(d, err);
	case UR_DIST_GAMMA:
		if (check_positive(err, "shape", d->shape) != 0 ||
		    check_at_most(err, "shape", d->shape, UR_DIST_SHAPE_MAX) != 0)
			return -1;
		return check_positive(err, "scale", d->scale);
	case UR_DIST_WEIBULL:
		if (check_positive(err, "shape", d->shape) != 0)
			return -1;
		return check_positive(err, "scale", d->scale);
	case UR_DIST_BETA:
		if (check_positive(err, "alpha", d->alpha) != 0 ||
		    check_at_most(err, "alpha", d->alpha, UR_DIST_SHAPE_MAX) != 0 ||
		    check_positive(err, "beta", d->beta) != 0)
			return -1;
		return check_at_most(err, "beta", d->beta, UR_DIST_SHAPE_MAX);
	case UR_DIST_TRIANGULAR:
		if (check_interval(err, d->min, d->max) != 0 ||
		    check_finite(err, "mode", d->mode) != 0 ||
		    check_against(err, "mode", d->mode, ">=", "min", d->min) != 0)
			return -1;
		return check_against(err, "mode", d->mode, "<=", "max", d->max);
	case UR_DIST_POISSON:
		if (check_non_negative(err, "mean", d->mean) != 0)
			return -1;
		return check_at_most(err, "mean", d->mean, UR_DIST_POISSON_MEAN_MAX);
	case UR_DIST_BINOMIAL:
		return validate_binomial(d, err);
	case UR_DIST_BERNOULLI:
		return check_probability(err, "p", d->p);
	case UR_DIST_DISCRETE:
		return validate_discrete(d, err);
	case UR_DIST_FAMILY_COUNT:
		break;
	}
	return fail(err, "dist", "must name a known family, got number %d", (int)d->family);
}

int ur_dist_validate(const struct ur_dist *d, struct ur_dist_error *err)
{
	assert(d != NULL);
	if (validate_family(d, err) != 0)
		return -1;
	/* Every family must have a finite mean and variance: `check` reports them, and a
	 * law whose variance overflows a double also draws infinities (a Weibull of shape
	 * 0.001 does, a fifth of the time). */
	double mean, var;
	moments(d, &mean, &var);
	if (isfinite(mean) && isfinite(var))
		return 0;
	double value;
	const char *param = overflow_param(d, &value);
	char got[32];
	number_text(value, got, sizeof got);
	if (isnan(value))
		return fail(err, param, "must give a finite mean and variance");
	return fail(err, param, "must give a finite mean and variance, got %s", got);
}

/* ---- prepare and finish ---------------------------------------------------------- */

static int prepare_discrete(struct ur_dist *d)
{
	d->table = gsl_ran_discrete_preproc(d->count, d->weights);
	d->order = malloc(d->count * sizeof *d->order);
	d->cumulative = malloc(d->count * sizeof *d->cumulative);
	if (d->table == NULL || d->order == NULL || d->cumulative == NULL)
		return -1;
	gsl_sort_index(d->order, d->values, 1, d->count);
	double total = 0.0;
	for (size_t i = 0; i < d->count; ++i)
		total += d->weights[i];
	/* Rounding may leave the last partial sum a little off 1: set every entry from the
	 * last positive weight on to exactly 1, so that a search for any q < 1 ends at a
	 * value with positive weight. */
	double sum = 0.0;
	size_t last_positive = 0;
	for (size_t j = 0; j < d->count; ++j) {
		double w = d->weights[d->order[j]];
		sum += w;
		d->cumulative[j] = sum / total;
		if (w > 0.0)
			last_positive = j;
	}
	for (size_t j = last_positive; j < d->count; ++j)
		d->cumulative[j] = 1.0;
	return 0;
}

int ur_dist_prepare(struct ur_dist *d)
{
	assert(d != NULL && !d->prepared);
	int valid = ur_dist_validate(d, NULL);
	assert(valid == 0 && "ur_dist_prepare of an invalid distribution");
	if (valid != 0 || d->prepared)
		return -1;
	if (d->family == UR_DIST_NORMAL && is_truncated(d)) {
		struct normal_tails t = normal_tails_of(z_of_min(d), z_of_max(d));
		d->cdf_min = t.cdf_min;
		d->sf_min = t.sf_min;
		d->cdf_max = t.cdf_max;
		d->sf_max = t.sf_max;
	}
	if (d->family == UR_DIST_DISCRETE && prepare_discrete(d) != 0) {
		ur_dist_finish(d);
		return -1;
	}
	d->prepared = true;
	return 0;
}

void ur_dist_finish(struct ur_dist *d)
{
	if (d == NULL)
		return;
	free(d->cumulative);
	d->cumulative = NULL;
	free(d->order);
	d->order = NULL;
	if (d->table != NULL)
		gsl_ran_discrete_free(d->table);
	d->table = NULL;
	d->prepared = false;
}

/* ---- quantiles ------------------------------------------------------------------- */

/* Inversion between the tails at the bounds: t = (1-q) Phi(a) + q Phi(b), and the same
 * in upper tails s = 1 - t; each is a sum of two non-negative terms, so neither
 * cancels, and the smaller of t and s is inverted, where the inverse is precise. */
static double truncated_normal_quantile(const struct ur_dist *d, double q)
{
	double lower = (1.0 - q) * d->cdf_min + q * d->cdf_max;
	double upper = (1.0 - q) * d->sf_min + q * d->sf_max;
	double z = lower <= upper ? gsl_cdf_ugaussian_Pinv(lower)
				  : gsl_cdf_ugaussian_Qinv(upper);
	double x = d->mean + d->sd * z;
	/* Rounding may step outside the interval by an ulp; an open side is NaN and
	 * fmax/fmin then return x. */
	return fmin(fmax(x, d->min), d->max);
}

/* Triangular by inversion (GSL has no triangular distribution): F(x) = (x-a)^2 /
 * ((b-a)(c-a)) up to the mode c, 1 - (b-x)^2 / ((b-a)(b-c)) above it. Above the mode
 * and below the median, x - a is written without the cancellation of b - sqrt(...)
 * when c is near a: 1 - sqrt(1 - y) = y / (1 + sqrt(1 - y)). */
static double triangular_quantile(const struct ur_dist *d, double q)
{
	double a = d->min, b = d->max, c = d->mode;
	double x;
	if (q < (c - a) / (b - a))
		x = a + sqrt(q * (b - a) * (c - a));
	else if (q <= 0.5)
		x = a + ((c - a) + q * (b - c)) / (1.0 + sqrt((1.0 - q) * (b - c) / (b - a)));
	else
		x = b - sqrt((1.0 - q) * (b - a) * (b - c));
	return fmin(fmax(x, a), b);
}

/* For poisson and binomial: whether the CDF at k reaches q, asked of the lower tail
 * below the median and of the upper tail above it, where each is precise. */
static bool count_reaches(const struct ur_dist *d, double k, double q)
{
	unsigned int n = (unsigned int)d->trials;
	if (d->family == UR_DIST_BINOMIAL && k >= d->trials)
		return true;
	if (d->family == UR_DIST_POISSON && d->mean == 0.0)
		return true; /* GSL's Poisson CDF refuses a zero mean */
	unsigned int kk = (unsigned int)k;
	if (q <= 0.5)
		return (d->family == UR_DIST_POISSON ? gsl_cdf_poisson_P(kk, d->mean)
						     : gsl_cdf_binomial_P(kk, d->p, n)) >= q;
	return (d->family == UR_DIST_POISSON ? gsl_cdf_poisson_Q(kk, d->mean)
					     : gsl_cdf_binomial_Q(kk, d->p, n)) <= 1.0 - q;
}

/* The smallest k >= from whose CDF reaches q, given that none below `from` does. GSL
 * has no Pinv for these families; a search on its CDFs is exact by construction. */
static double count_quantile_from(const struct ur_dist *d, double q, double from)
{
	double k = from;
	while (!count_reaches(d, k, q))
		k += 1.0;
	return k;
}

static double count_quantile(const struct ur_dist *d, double q)
{
	double mean, sd, top;
	if (d->family == UR_DIST_POISSON) {
		if (d->mean == 0.0)
			return 0.0;
		mean = d->mean;
		sd = sqrt(d->mean);
		top = (double)UINT_MAX;
	} else {
		if (d->p == 0.0 || d->trials == 0.0)
			return 0.0;
		if (d->p == 1.0)
			return d->trials;
		mean = d->trials * d->p;
		sd = sqrt(mean * (1.0 - d->p));
		top = d->trials;
	}
	/* Start from the normal approximation, step down while the CDF still reaches q,
	 * then up until it does: a few steps, the error of the approximation. */
	double k = floor(mean + sd * gsl_cdf_ugaussian_Pinv(q));
	k = fmin(fmax(k, 0.0), top);
	while (k > 0.0 && count_reaches(d, k - 1.0, q))
		k -= 1.0;
	return count_quantile_from(d, q, k);
}

/* The lower tail F, the upper tail Q = 1 - F and the density of the gamma (at scale 1)
 * and the beta, for the inversions below. */
static double lower_tail(const struct ur_dist *d, double x)
{
	return d->family == UR_DIST_GAMMA ? gsl_cdf_gamma_P(x, d->shape, 1.0)
					  : gsl_cdf_beta_P(x, d->alpha, d->beta);
}

static double upper_tail(const struct ur_dist *d, double x)
{
	return d->family == UR_DIST_GAMMA ? gsl_cdf_gamma_Q(x, d->shape, 1.0)
					  : gsl_cdf_beta_Q(x, d->alpha, d->beta);
}

/* The log of the normalizing constant of the density, computed once per quantile:
 * GSL's gsl_ran_gamma_pdf and gsl_ran_beta_pdf compute log-gammas at every call,
 * which cost more than the rest of a Newton step. */
static double log_norm_of(const struct ur_dist *d)
{
	return d->family == UR_DIST_GAMMA ? -gsl_sf_lngamma(d->shape)
					  : -gsl_sf_lnbeta(d->alpha, d->beta);
}

/* The density at x > 0, given log_norm_of(d). */
static double density(const struct ur_dist *d, double log_norm, double x)
{
	if (d->family == UR_DIST_GAMMA)
		return exp((d->shape - 1.0) * log(x) - x + log_norm);
	return exp((d->alpha - 1.0) * log(x) + (d->beta - 1.0) * log1p(-x) + log_norm);
}

/* A point inside the bracket [lo, hi], 0 <= lo < hi: its geometric middle while the
 * bracket spans orders of magnitude (quantiles of small shapes lie near 0 across
 * hundreds of decades), else its arithmetic middle. */
static double bisect(double lo, double hi)
{
	double positive_lo = fmax(lo, DBL_MIN);
	return hi > 4.0 * positive_lo ? sqrt(positive_lo) * sqrt(hi) : lo + 0.5 * (hi - lo);
}

/* Newton's step was below 1e-9 of x (then, converging quadratically, it has left an
 * error of order 1e-18 x, and another evaluation would not change x), or the bracket
 * has closed on the root. */
static bool converged(double x, double next, double lo, double hi, bool newton)
{
	return (newton && fabs(next - x) <= 1e-9 * x) || hi - lo <= 4.0 * DBL_EPSILON * hi ||
	       next == lo || next == hi;
}

/* Why not gsl_cdf_gamma_Pinv and gsl_cdf_beta_Pinv: at some quantiles of valid
 * parameters they report "inverse failed to converge" through the GSL error handler
 * (which aborts unless the program turned it off) and return NaN: the gamma's for
 * shapes up to 0.1 and from 1e4 on, the beta's for most pairs with a parameter up to
 * 0.05 or from 1000 on, Beta(2, 1000) among them; at (1e6, 1e6) the beta's does not
 * return at all (docs/rng.md has the survey). The two solvers below are
 * Newton's method kept inside a bracket that shrinks at every step (rtsafe in Numerical
 * Recipes), each on the tail that is small at the root, in the variables in which that
 * tail is nearly linear, so that they converge in a few steps in the far tails too;
 * a step that would leave the bracket is a bisection. */

/* Solves F(x) = q in [lo, hi], F(lo) <= q <= F(hi), from guess x; used where F is the
 * precise tail at the root (q at most 1/2, or a root far below 1/2 in x).
 * Newton on log F against log x: a power law F ~ c x^a, the shape of both families'
 * lower tails, is solved in one step. */
static double solve_lower_tail(const struct ur_dist *d, double q, double lo, double hi,
			       double x)
{
	double log_q = log(q), log_norm = log_norm_of(d);
	if (!(x > lo && x < hi))
		x = bisect(lo, hi);
	for (int iteration = 0; iteration < 300; ++iteration) {
		double f = lower_tail(d, x);
		if (f == q)
			return x;
		if (f < q)
			lo = x;
		else
			hi = x;
		double next = x * exp(-(log(f) - log_q) * f / (x * density(d, log_norm, x)));
		bool newton = next > lo && next < hi;
		if (!newton)
			next = bisect(lo, hi);
		if (converged(x, next, lo, hi, newton))
			return next;
		x = next;
	}
	return x;
}

/* Solves Q(x) = t, t < 1/2, for the gamma, in [lo, hi] with Q(lo) >= t >= Q(hi).
 * Newton on log Q against x: log Q ~ -x + (a - 1) log x is nearly linear. */
static double solve_gamma_upper_tail(const struct ur_dist *d, double t, double lo, double hi,
				     double x)
{
	double log_t = log(t), log_norm = log_norm_of(d);
	if (!(x > lo && x < hi))
		x = bisect(lo, hi);
	for (int iteration = 0; iteration < 300; ++iteration) {
		double upper = upper_tail(d, x);
		if (upper == t)
			return x;
		if (upper > t)
			lo = x;
		else
			hi = x;
		double next = x + (log(upper) - log_t) * upper / density(d, log_norm, x);
		bool newton = next > lo && next < hi;
		if (!newton)
			next = bisect(lo, hi);
		if (converged(x, next, lo, hi, newton))
			return next;
		x = next;
	}
	return x;
}

/* Each solver works on one side of the median: below it on F, above it on Q. When a
 * shape is below 1, the quantiles above the median can still be tiny; there the side
 * is chosen by one more CDF value, at a split point, so that they are found on F. */
static double gamma_quantile(const struct ur_dist *d, double q)
{
	/* At scale 1. First guess: Wilson and Hilferty's cube-root normal approximation,
	 * or, where it fails (small shapes), the leading term of F near 0,
	 * F(x) ~ x^a / Gamma(a + 1). For a >= 1 the median lies below the mean a, so
	 * [0, a] brackets every quantile up to 1/2; below 1, x = a splits the sides. */
	double a = d->shape, z = gsl_cdf_ugaussian_Pinv(q);
	double c = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * sqrt(a));
	double guess = a * c * c * c;
	bool lower = a >= 1.0 ? q <= 0.5 : q <= lower_tail(d, a);
	if (lower) {
		if (!(c > 0.0) || a < 1.0)
			guess = exp((gsl_sf_lngamma(a + 1.0) + log(q)) / a);
		return d->scale * solve_lower_tail(d, q, 0.0, a, guess);
	}
	/* Above: a bracket [lo, hi], hi doubled until Q falls to 1 - q. */
	double lo = a >= 1.0 ? 0.0 : a, hi = 2.0 * fmax(guess, a);
	while (isfinite(hi) && upper_tail(d, hi) > 1.0 - q)
		hi *= 2.0;
	return d->scale * solve_gamma_upper_tail(d, 1.0 - q, lo, hi, guess);
}

/* Beta(a, b) on F below the median; above it, through the mirror image X -> 1 - X,
 * which is Beta(b, a): the upper tail near 1 becomes a lower tail near 0. When a or b
 * is below 1 the side is chosen by F at the mean, which also bounds the root. */
static double beta_quantile(const struct ur_dist *d, double q)
{
	double mean = d->alpha / (d->alpha + d->beta), bound = 1.0;
	bool mirror;
	if (d->alpha >= 1.0 && d->beta >= 1.0) {
		mirror = q > 0.5;
	} else {
		mirror = q > lower_tail(d, mean);
		bound = mirror ? 1.0 - mean : mean;
	}
	struct ur_dist side = ur_dist_make(UR_DIST_BETA);
	side.alpha = mirror ? d->beta : d->alpha;
	side.beta = mirror ? d->alpha : d->beta;
	double p = mirror ? 1.0 - q : q;
	double a = side.alpha, b = side.beta, s = a + b;
	/* First guess: the normal approximation if it falls inside the bracket, else the
	 * leading term of F near 0, F(x) ~ x^a / (a B(a, b)). */
	double guess = a / s + sqrt(a * b / (s * s * (s + 1.0))) * gsl_cdf_ugaussian_Pinv(p);
	if (!(guess > 0.0 && guess < bound))
		guess = exp((log(p) + log(a) + gsl_sf_lnbeta(a, b)) / a);
	double x = solve_lower_tail(&side, p, 0.0, bound, guess);
	return mirror ? 1.0 - x : x;
}

static double discrete_quantile(const struct ur_dist *d, double q)
{
	/* The first position whose cumulative probability reaches q: binary search. */
	size_t lo = 0, hi = d->count - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->cumulative[mid] >= q)
			hi = mid;
		else
			lo = mid + 1;
	}
	return d->values[d->order[lo]];
}

double ur_dist_quantile(const struct ur_dist *d, double q)
{
	assert(d != NULL && d->prepared && "quantile of an unprepared distribution");
	assert(q > 0.0 && q < 1.0);
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return d->value;
	case UR_DIST_UNIFORM:
		return gsl_cdf_flat_Pinv(q, d->min, d->max);
	case UR_DIST_EXPONENTIAL:
		return gsl_cdf_exponential_Pinv(q, d->mean);
	case UR_DIST_NORMAL:
		if (is_truncated(d))
			return truncated_normal_quantile(d, q);
		return d->mean + gsl_cdf_gaussian_Pinv(q, d->sd);
	case UR_DIST_LOGNORMAL:
		return gsl_cdf_lognormal_Pinv(q, lognormal_mu(d), d->sigma);
	case UR_DIST_GAMMA:
		return gamma_quantile(d, q);
	case UR_DIST_WEIBULL:
		return gsl_cdf_weibull_Pinv(q, d->scale, d->shape);
	case UR_DIST_BETA:
		return beta_quantile(d, q);
	case UR_DIST_TRIANGULAR:
		return triangular_quantile(d, q);
	case UR_DIST_POISSON:
	case UR_DIST_BINOMIAL:
		return count_quantile(d, q);
	case UR_DIST_BERNOULLI:
		return q <= 1.0 - d->p ? 0.0 : 1.0;
	case UR_DIST_DISCRETE:
		return discrete_quantile(d, q);
	case UR_DIST_FAMILY_COUNT:
		break;
	}
	assert(!"unknown distribution family");
	return UNSET;
}

/* ---- sampling -------------------------------------------------------------------- */

double ur_dist_sample(const struct ur_dist *d, gsl_rng *rng)
{
	assert(d != NULL && d->prepared && "sampling an unprepared distribution");
	assert(rng != NULL);
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return d->value;
	case UR_DIST_UNIFORM:
		return gsl_ran_flat(rng, d->min, d->max);
	case UR_DIST_EXPONENTIAL:
		return gsl_ran_exponential(rng, d->mean);
	case UR_DIST_NORMAL:
		/* uniform_pos: a uniform of exactly 0 would invert to -inf with an open min. */
		if (is_truncated(d))
			return truncated_normal_quantile(d, gsl_rng_uniform_pos(rng));
		return d->mean + gsl_ran_gaussian_ziggurat(rng, d->sd);
	case UR_DIST_LOGNORMAL:
		return gsl_ran_lognormal(rng, lognormal_mu(d), d->sigma);
	case UR_DIST_GAMMA:
		return gsl_ran_gamma(rng, d->shape, d->scale);
	case UR_DIST_WEIBULL:
		return gsl_ran_weibull(rng, d->scale, d->shape);
	case UR_DIST_BETA:
		return gsl_ran_beta(rng, d->alpha, d->beta);
	case UR_DIST_TRIANGULAR:
		return triangular_quantile(d, gsl_rng_uniform_pos(rng));
	case UR_DIST_POISSON:
		return (double)gsl_ran_poisson(rng, d->mean);
	case UR_DIST_BINOMIAL:
		return (double)gsl_ran_binomial(rng, d->p, (unsigned int)d->trials);
	case UR_DIST_BERNOULLI:
		return (double)gsl_ran_bernoulli(rng, d->p);
	case UR_DIST_DISCRETE:
		return d->values[gsl_ran_discrete(rng, d->table)];
	case UR_DIST_FAMILY_COUNT:
		break;
	}
	assert(!"unknown distribution family");
	return UNSET;
}

void ur_dist_sample_n(const struct ur_dist *d, gsl_rng *rng, size_t n, bool stratified,
		      double *out)
{
	assert(d != NULL && d->prepared && "sampling an unprepared distribution");
	assert(rng != NULL && (out != NULL || n == 0));
	if (!stratified) {
		for (size_t i = 0; i < n; ++i)
			out[i] = ur_dist_sample(d, rng);
		return;
	}
	bool counts = d->family == UR_DIST_POISSON || d->family == UR_DIST_BINOMIAL;
	for (size_t i = 0; i < n; ++i) {
		double q = ((double)i + 0.5) / (double)n;
		/* The quantiles rise with i: a count family resumes its search where the
		 * previous one ended instead of starting over (same result, fewer CDFs). */
		if (counts && i > 0)
			out[i] = count_quantile_from(d, q, out[i - 1]);
		else
			out[i] = ur_dist_quantile(d, q);
	}
	/* gsl_ran_shuffle counts down from n - 1 in a size_t: it must not see n = 0. */
	if (n > 1)
		gsl_ran_shuffle(rng, out, n, sizeof *out);
}

/* ---- distribution function ------------------------------------------------------ */

static double count_cdf(const struct ur_dist *d, double x)
{
	if (x < 0.0)
		return 0.0;
	if (d->family == UR_DIST_BINOMIAL && x >= d->trials)
		return 1.0;
	if (x >= (double)UINT_MAX)
		return 1.0;
	if (d->family == UR_DIST_POISSON && d->mean == 0.0)
		return 1.0; /* GSL's Poisson CDF refuses a zero mean */
	unsigned int k = (unsigned int)floor(x);
	return d->family == UR_DIST_POISSON
		       ? gsl_cdf_poisson_P(k, d->mean)
		       : gsl_cdf_binomial_P(k, d->p, (unsigned int)d->trials);
}

static double truncated_normal_cdf(const struct ur_dist *d, double x)
{
	if (x < d->min)
		return 0.0;
	if (x >= d->max)
		return 1.0;
	double a = z_of_min(d), z = (x - d->mean) / d->sd;
	return normal_tails_of(a, z).mass / normal_tails_of(a, z_of_max(d)).mass;
}

static double triangular_cdf(const struct ur_dist *d, double x)
{
	double a = d->min, b = d->max, c = d->mode;
	if (x <= a)
		return 0.0;
	if (x >= b)
		return 1.0;
	if (x <= c)
		return (x - a) * (x - a) / ((b - a) * (c - a));
	/* 1 - (b-x)^2 / ((b-a)(b-c)) as a sum of non-negative terms, which keeps its
	 * precision near a when the mode is at a. */
	return ((b - c) * (c - a) + (x - c) * (2.0 * b - c - x)) / ((b - a) * (b - c));
}

static double discrete_cdf(const struct ur_dist *d, double x)
{
	double total = 0.0, below = 0.0;
	for (size_t i = 0; i < d->count; ++i) {
		total += d->weights[i];
		if (d->values[i] <= x)
			below += d->weights[i];
	}
	return below / total;
}

double ur_dist_cdf(const struct ur_dist *d, double x)
{
	assert(d != NULL);
	if (isnan(x))
		return UNSET;
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return x >= d->value ? 1.0 : 0.0;
	case UR_DIST_UNIFORM:
		return gsl_cdf_flat_P(x, d->min, d->max);
	case UR_DIST_EXPONENTIAL:
		return gsl_cdf_exponential_P(x, d->mean);
	case UR_DIST_NORMAL:
		if (is_truncated(d))
			return truncated_normal_cdf(d, x);
		return gsl_cdf_gaussian_P(x - d->mean, d->sd);
	case UR_DIST_LOGNORMAL:
		return gsl_cdf_lognormal_P(x, lognormal_mu(d), d->sigma);
	case UR_DIST_GAMMA:
		return gsl_cdf_gamma_P(x, d->shape, d->scale);
	case UR_DIST_WEIBULL:
		return gsl_cdf_weibull_P(x, d->scale, d->shape);
	case UR_DIST_BETA:
		return gsl_cdf_beta_P(x, d->alpha, d->beta);
	case UR_DIST_TRIANGULAR:
		return triangular_cdf(d, x);
	case UR_DIST_POISSON:
	case UR_DIST_BINOMIAL:
		return count_cdf(d, x);
	case UR_DIST_BERNOULLI:
		return x < 0.0 ? 0.0 : x < 1.0 ? 1.0 - d->p : 1.0;
	case UR_DIST_DISCRETE:
		return discrete_cdf(d, x);
	case UR_DIST_FAMILY_COUNT:
		break;
	}
	assert(!"unknown distribution family");
	return UNSET;
}

/* ---- moments --------------------------------------------------------------------- */

/* Truncated standard normal: mean lambda and variance of Z restricted to [a, b]. The
 * variance loses digits, by cancellation, when the interval is narrow and far in a
 * tail (about 1e-12 absolute in sd^2 units at 37 sd). */
static void truncated_normal_moments(const struct ur_dist *d, double *mean, double *var)
{
	double a = z_of_min(d), b = z_of_max(d);
	struct normal_tails t = normal_tails_of(a, b);
	double phi_a = isinf(a) ? 0.0 : gsl_ran_ugaussian_pdf(a);
	double phi_b = isinf(b) ? 0.0 : gsl_ran_ugaussian_pdf(b);
	double a_phi_a = isinf(a) ? 0.0 : a * phi_a;
	double b_phi_b = isinf(b) ? 0.0 : b * phi_b;
	double lambda = (phi_a - phi_b) / t.mass;
	*mean = lambda;
	*var = fmax(0.0, 1.0 + (a_phi_a - b_phi_b) / t.mass - lambda * lambda);
}

static void discrete_moments(const struct ur_dist *d, double *mean, double *var)
{
	double total = 0.0, sum = 0.0;
	for (size_t i = 0; i < d->count; ++i) {
		total += d->weights[i];
		sum += d->weights[i] * d->values[i];
	}
	double m = sum / total, squares = 0.0;
	for (size_t i = 0; i < d->count; ++i)
		squares += d->weights[i] * (d->values[i] - m) * (d->values[i] - m);
	*mean = m;
	*var = squares / total;
}

/* Both moments at once; the two public functions pick one. */
static void moments(const struct ur_dist *d, double *mean, double *var)
{
	assert(d != NULL);
	switch (d->family) {
	case UR_DIST_CONSTANT:
		*mean = d->value;
		*var = 0.0;
		return;
	case UR_DIST_UNIFORM:
		*mean = 0.5 * (d->min + d->max);
		*var = (d->max - d->min) * (d->max - d->min) / 12.0;
		return;
	case UR_DIST_EXPONENTIAL:
		*mean = d->mean;
		*var = d->mean * d->mean;
		return;
	case UR_DIST_NORMAL:
		if (is_truncated(d)) {
			double z_mean, z_var;
			truncated_normal_moments(d, &z_mean, &z_var);
			*mean = d->mean + d->sd * z_mean;
			*var = d->sd * d->sd * z_var;
		} else {
			*mean = d->mean;
			*var = d->sd * d->sd;
		}
		return;
	case UR_DIST_LOGNORMAL: {
		double mu = lognormal_mu(d), s2 = d->sigma * d->sigma;
		*mean = exp(mu + 0.5 * s2);
		*var = expm1(s2) * exp(2.0 * mu + s2);
		return;
	}
	case UR_DIST_GAMMA:
		*mean = d->shape * d->scale;
		*var = d->shape * d->scale * d->scale;
		return;
	case UR_DIST_WEIBULL: {
		/* Through log-gammas: var = l^2 G1^2 (G2/G1^2 - 1), expm1 keeping the
		 * difference where shape is large and G2 ~ G1^2 ~ 1. */
		double lg1 = weibull_log_gamma(1.0, d->shape);
		double lg2 = weibull_log_gamma(2.0, d->shape);
		*mean = d->scale * exp(lg1);
		*var = d->scale * d->scale * exp(2.0 * lg1) * expm1(lg2 - 2.0 * lg1);
		return;
	}
	case UR_DIST_BETA: {
		double s = d->alpha + d->beta;
		*mean = d->alpha / s;
		*var = d->alpha * d->beta / (s * s * (s + 1.0));
		return;
	}
	case UR_DIST_TRIANGULAR: {
		/* The variance in coordinates relative to min (w = b - a, u = c - a), which
		 * does not cancel when the three are large and close together. */
		double w = d->max - d->min, u = d->mode - d->min;
		*mean = d->min + (w + u) / 3.0;
		*var = (w * w - w * u + u * u) / 18.0;
		return;
	}
	case UR_DIST_POISSON:
		*mean = d->mean;
		*var = d->mean;
		return;
	case UR_DIST_BINOMIAL:
		*mean = d->trials * d->p;
		*var = d->trials * d->p * (1.0 - d->p);
		return;
	case UR_DIST_BERNOULLI:
		*mean = d->p;
		*var = d->p * (1.0 - d->p);
		return;
	case UR_DIST_DISCRETE:
		discrete_moments(d, mean, var);
		return;
	case UR_DIST_FAMILY_COUNT:
		break;
	}
	assert(!"unknown distribution family");
	*mean = *var = UNSET;
}

double ur_dist_mean(const struct ur_dist *d)
{
	double mean, var;
	moments(d, &mean, &var);
	return mean;
}

double ur_dist_variance(const struct ur_dist *d)
{
	double mean, var;
	moments(d, &mean, &var);
	return var;
}
