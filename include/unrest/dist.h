/*
 * dist.h: probability distributions named in scenario files, validated and sampled
 * with GSL.
 *
 * A struct ur_dist is a plain value: the scenario module fills one from a group such as
 * `{ dist = "lognormal"; median = 24.0; sigma = 0.5; }`, ur_dist_validate() checks its
 * parameters, ur_dist_prepare() builds what sampling needs (the alias table of a
 * discrete distribution), and the model draws from it with ur_dist_sample() on one of
 * its own streams (rng.h). ur_dist_finish() releases what prepare built.
 *
 * Parameters per family (fields not listed are ignored):
 *   constant     value
 *   uniform      min < max                         U[min, max)
 *   exponential  mean > 0
 *   normal       mean, sd > 0; optional truncation to [min, max] (NAN = open side),
 *                min < max, and the interval must hold probability mass
 *   lognormal    sigma > 0 and mu, or median > 0 (mu = log median)
 *   gamma        0 < shape <= UR_DIST_SHAPE_MAX, scale > 0      mean shape*scale
 *   weibull      shape > 0, scale > 0              GSL's gsl_ran_weibull(scale, shape)
 *   beta         alpha and beta in (0, UR_DIST_SHAPE_MAX]
 *   triangular   min <= mode <= max, min < max
 *   poisson      0 <= mean <= UR_DIST_POISSON_MEAN_MAX
 *   binomial     0 <= trials <= UR_DIST_BINOMIAL_TRIALS_MAX (an integer), p in [0, 1]
 *   bernoulli    p in [0, 1]
 *   discrete     count >= 1 values with weights >= 0, not all zero
 *
 * Every parameter a family uses must be a finite number (NAN in an optional truncation
 * bound of the normal means "no bound"; exactly one of mu and median is given), and
 * the family's mean and variance must be finite doubles (which rules out, say, a
 * Weibull of shape 0.001, whose draws overflow).
 *
 * Sampling. Families GSL samples (gsl_ran_*) are drawn by GSL; the truncated normal and
 * the triangular by inversion of their CDF at gsl_rng_uniform_pos (GSL has neither).
 * Quantiles use gsl_cdf_*_Pinv where GSL's is exact and robust (uniform, exponential,
 * normal, lognormal, weibull); for the truncated normal the tail that keeps precision
 * (an interval far in the upper tail is inverted through gsl_cdf_ugaussian_Qinv); for
 * gamma and beta, whose GSL inverses fail for many valid parameters, a bracketed
 * Newton solver on GSL's CDFs; for poisson and binomial a search on gsl_cdf_*_P/Q.
 *
 * Lifetime: make (or fill every field), validate, prepare, then sample, sample_n and
 * quantile as often as wanted, from many threads at once with one rng each (they do
 * not modify the distribution), then finish. cdf, mean and variance need only
 * validate.
 * A prepared distribution owns what prepare built: copy the struct before preparing,
 * not after, or finish it exactly once.
 *
 * Error policy: a user mistake in parameters is reported by ur_dist_validate() as the
 * offending parameter's name and a message in the project's form ("must be > 0, got
 * -1"); the scenario module prefixes file, line and path. Sampling (or asking the
 * quantile of) an unvalidated or unprepared distribution is a programming error and
 * asserts.
 */
#ifndef UNREST_DIST_H
#define UNREST_DIST_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

enum ur_dist_family {
	UR_DIST_CONSTANT,
	UR_DIST_UNIFORM,
	UR_DIST_EXPONENTIAL,
	UR_DIST_NORMAL,
	UR_DIST_LOGNORMAL,
	UR_DIST_GAMMA,
	UR_DIST_WEIBULL,
	UR_DIST_BETA,
	UR_DIST_TRIANGULAR,
	UR_DIST_POISSON,
	UR_DIST_BINOMIAL,
	UR_DIST_BERNOULLI,
	UR_DIST_DISCRETE,
	UR_DIST_FAMILY_COUNT
};

struct ur_dist {
	enum ur_dist_family family;
	double value;           /* constant */
	double min, max;        /* uniform, triangular; truncation bounds of normal */
	double mode;            /* triangular */
	double mean, sd;        /* exponential, normal, poisson (mean) */
	double mu, sigma;       /* lognormal (log-scale location and scale) */
	double median;          /* lognormal alternative to mu; NAN when mu is given */
	double shape, scale;    /* gamma, weibull */
	double alpha, beta;     /* beta */
	double p;               /* bernoulli, binomial */
	double trials;          /* binomial: number of trials, a non-negative integer */
	size_t count;           /* discrete: number of values */
	double *values;         /* discrete: owned by the caller (the scenario) */
	double *weights;        /* discrete: owned by the caller (the scenario) */
	gsl_ran_discrete_t *table; /* discrete: built by ur_dist_prepare */

	/* Built by ur_dist_prepare, released by ur_dist_finish: not parameters. */
	bool prepared;
	double cdf_min, sf_min;  /* normal: standard normal CDF and survival function */
	double cdf_max, sf_max;  /*   at the truncation bounds in sd units (0/1 if open) */
	size_t *order;           /* discrete: indices of values in increasing order */
	double *cumulative;      /* discrete: CDF along order, 1 from the last weight on */
};

/* The largest parameters accepted: beyond them GSL's distribution functions (which the
 * quantiles and the CDF use) fail. Its Poisson CDF reports "error in large x
 * asymptotic" from a mean of 2e6 on, its binomial CDF returns NaN near the median from
 * 2e6 trials on, its gamma CDF fails from a shape of 1e6 on, its beta CDF near the
 * median when both parameters reach 1e6 (docs/rng.md). */
#define UR_DIST_POISSON_MEAN_MAX 1e6
#define UR_DIST_BINOMIAL_TRIALS_MAX 1e6
#define UR_DIST_SHAPE_MAX 1e5 /* gamma shape, beta alpha and beta */

/* Why a distribution failed validation: the parameter at fault ("sd", "weights.[2]")
 * and a message in the form "must be > 0, got -1". */
struct ur_dist_error {
	char param[32];
	char message[160];
};

/* The family's name as scenario files spell it ("lognormal"), and the reverse lookup;
 * ur_dist_family_from_name returns UR_DIST_FAMILY_COUNT for an unknown name. */
const char *ur_dist_family_name(enum ur_dist_family family);
enum ur_dist_family ur_dist_family_from_name(const char *name);

/* A distribution with every field unset (NANs, zero counts) of the given family. */
struct ur_dist ur_dist_make(enum ur_dist_family family);

/* 0 when the parameters are valid, else -1 with *err filled (err may be NULL). Checks
 * the parameters in the order listed above and reports the first at fault. Does not
 * allocate. */
int ur_dist_validate(const struct ur_dist *d, struct ur_dist_error *err);

/* Builds what sampling needs (the tables of a discrete distribution, the tail
 * probabilities of a truncated normal); 0 on success, -1 when out of memory (or, a
 * programming error that asserts, when d is invalid or already prepared). Must follow
 * a successful validate, and precede sample, sample_n and quantile for every family.
 * finish releases it and may be called on any made, prepared or finished distribution,
 * and on NULL. */
int ur_dist_prepare(struct ur_dist *d);
void ur_dist_finish(struct ur_dist *d);

/* One draw. */
double ur_dist_sample(const struct ur_dist *d, gsl_rng *rng);

/* n draws into out[]: independent, or, when stratified, one draw at each quantile
 * (i + 0.5)/n of the distribution, shuffled with gsl_ran_shuffle on rng. */
void ur_dist_sample_n(const struct ur_dist *d, gsl_rng *rng, size_t n, bool stratified,
		      double *out);

/* The quantile function (inverse CDF) at probability q in (0, 1); for the discrete
 * families, the smallest value whose CDF reaches q. Non-decreasing in q. */
double ur_dist_quantile(const struct ur_dist *d, double q);

/* The distribution function P(X <= x) at any x (NAN for a NaN x). Needs only a
 * validated distribution: the model's tests compare a run with a CDF (the fixed point
 * a = F(a) of a threshold model). */
double ur_dist_cdf(const struct ur_dist *d, double x);

/* The exact mean and variance of the family (of the truncated law for a truncated
 * normal), used by the statistical tests and reported by `check`. */
double ur_dist_mean(const struct ur_dist *d);
double ur_dist_variance(const struct ur_dist *d);

#endif /* UNREST_DIST_H */
