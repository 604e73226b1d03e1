/*
 * calib.c: calibration by ABC sequential Monte Carlo on the sweep machinery (calib.h;
 * the method, the distance and the files are in docs/calibration.md).
 *
 * Each generation is a sweep: its particles are written as a `list` sweep file
 * (DIR/gen-NN.cfg) over the resolved scenario (DIR/scenario.cfg), run by
 * ur_sweep_run into DIR/gen-NN/, and read back from that folder's sweep.csv. Nothing
 * else carries state from one generation to the next: generation g's particles are
 * a function of the calibration file and generation g-1's sweep.csv, so a killed
 * calibration run again with --resume recomputes the same gen-NN.cfg, keeps the
 * complete generations and resumes the sweep of the first incomplete one; and since a
 * sweep folder is the same bytes for any -j and any shard split merged, so is every
 * file here.
 *
 * Randomness: generation g's master seed (the replications' seeds) and its proposal
 * stream are hashed from (seed, g); the proposals are drawn with GSL (gsl_ran_flat,
 * gsl_ran_discrete, gsl_ran_multivariate_gaussian) in particle order.
 *
 * Coordinates: the kernels are built, drawn and evaluated in each particle's
 * coordinates (struct population's `coord`): with `proposal = "logit"` the unbounded
 * u of each prior (prior_to_coord), so that no draw falls outside the bounds; with
 * "bounded" the values themselves. The particles are written and read as values.
 *
 * Layering: this file uses only the public APIs of the sweep, scenario, output and rng
 * modules (sweep.h, scenario.h, output.h, rng.h) and GSL.
 */
#include "unrest/calib.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

#include "schema.h"
#include "unrest/output.h"
#include "unrest/params.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

/* Stream ids hashed with the seed: the replications' master seed of a generation,
 * and its proposals. */
#define SEED_STREAM_GENERATION 0x63616c6962u   /* "calib" */
#define SEED_STREAM_PROPOSAL 0x70726f706fu     /* "propo" */
/* proposal = "bounded": a proposal outside the priors' bounds is drawn again, at most
 * this many times per particle: past it the kernel has almost no mass inside, which
 * is a bug's sign. The mass inside falls with the dimension: after a first generation
 * that has barely shrunk, twice its covariance puts a proposal inside each bound with
 * a probability of roughly 0.65 (an estimate for a uniform cloud, not measured), so
 * inside all 26 of the reference's with about 0.65^26 = 1e-5 (the reference's
 * calibration did stop here at 10^5 redraws). The cap's worst cost is 10^7 draws for
 * a particle. proposal = "logit" draws in unbounded coordinates and never redraws. */
#define MAX_REDRAWS 10000000u

static uint64_t generation_seed(uint64_t seed, unsigned g)
{
	return ur_rng_mix64(ur_rng_mix64(seed ^ SEED_STREAM_GENERATION) + g) &
	       (uint64_t)UR_MAX_SEED;
}

static uint64_t proposal_seed(uint64_t seed, unsigned g)
{
	return ur_rng_mix64(ur_rng_mix64(seed ^ SEED_STREAM_PROPOSAL) + g);
}

/* ---- priors ----------------------------------------------------------------------- */

static double prior_draw(const struct ur_calib_prior *p, gsl_rng *rng)
{
	switch (p->family) {
	case UR_PRIOR_UNIFORM:
		return gsl_ran_flat(rng, p->min, p->max);
	case UR_PRIOR_LOGUNIFORM:
		return exp(gsl_ran_flat(rng, log(p->min), log(p->max)));
	default: {
		/* Inverse CDF between the bounds: one draw per value, however narrow the
		 * truncation (the reader keeps the mean within 6 sd of the bounds). */
		double a = gsl_cdf_ugaussian_P((p->min - p->mean) / p->sd);
		double b = gsl_cdf_ugaussian_P((p->max - p->mean) / p->sd);
		double x = p->mean + p->sd * gsl_cdf_ugaussian_Pinv(gsl_ran_flat(rng, a, b));
		return fmin(fmax(x, p->min), p->max);
	}
	}
}

/* log density of the prior at x (-inf outside its bounds), up to a constant per
 * prior: the weights are normalized, so constants cancel. */
static double prior_log_density(const struct ur_calib_prior *p, double x)
{
	if (!(x >= p->min && x <= p->max))
		return -HUGE_VAL;
	switch (p->family) {
	case UR_PRIOR_UNIFORM:
		return 0;
	case UR_PRIOR_LOGUNIFORM:
		return -log(x);
	default: {
		double z = (x - p->mean) / p->sd;
		return -0.5 * z * z;
	}
	}
}

/* ---- proposal coordinates ------------------------------------------------------------ */

const char *ur_calib_proposal_name(enum ur_calib_proposal proposal)
{
	return proposal == UR_PROPOSAL_BOUNDED ? "bounded" : "logit";
}

/* With proposal = "logit", prior p's coordinate is u = logit(t), t = (h(x) - h(min)) /
 * (h(max) - h(min)) in (0, 1), h = ln for a loguniform prior and the identity for the
 * others (the truncated normal's bounds, not its CDF: the CDF's tails are 0 or 1 in
 * double precision within the 6 sd the reader allows, where the bounds' logit stays
 * exact). Below: the distances of h(x) from either bound, h(x) - h(min) and h(max) -
 * h(x), each computed from x itself so that neither loses its digits near the other
 * bound. */
static double from_min(const struct ur_calib_prior *p, double x)
{
	return p->family == UR_PRIOR_LOGUNIFORM ? log(x / p->min) : x - p->min;
}

static double to_max(const struct ur_calib_prior *p, double x)
{
	return p->family == UR_PRIOR_LOGUNIFORM ? log(p->max / x) : p->max - x;
}

/* A value on a bound (a prior draw of exactly min, as gsl_ran_flat can give) would be
 * at infinity: it is put this far inside, at |u| = 745 at most, where the kernels'
 * densities stay finite. */
#define COORD_EDGE 1e-300

static double prior_to_coord(const struct ur_calib_prior *p, enum ur_calib_proposal mode,
			     double x)
{
	if (mode == UR_PROPOSAL_BOUNDED)
		return x;
	return log(fmax(from_min(p, x), COORD_EDGE)) - log(fmax(to_max(p, x), COORD_EDGE));
}

static double prior_from_coord(const struct ur_calib_prior *p, enum ur_calib_proposal mode,
			       double u)
{
	if (mode == UR_PROPOSAL_BOUNDED)
		return u;
	/* t = 1 / (1 + e^-u) from the nearer bound, so that the side that is small
	 * keeps its digits; clamped against the last bit's rounding. */
	double x;
	if (p->family == UR_PRIOR_LOGUNIFORM) {
		double span = log(p->max / p->min);
		x = u < 0 ? p->min * exp(span / (1 + exp(-u)))
			  : p->max * exp(-span / (1 + exp(u)));
	} else {
		double span = p->max - p->min;
		x = u < 0 ? p->min + span / (1 + exp(-u)) : p->max - span / (1 + exp(u));
	}
	return fmin(fmax(x, p->min), p->max);
}

/* log(1 + e^v) without overflow. */
static double log1p_exp(double v)
{
	return v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

/* log of the prior's density in the proposal's coordinate at u (x its value), up to a
 * constant per prior. In u it is pi(x) |dx/du|, and with x = h^-1(h(min) + (h(max) -
 * h(min)) t), t = 1 / (1 + e^-u):
 *   dx/du = (h(max) - h(min)) t (1 - t) / h'(x),  log t (1 - t) = -log(1 + e^-u)
 *   - log(1 + e^u),
 * 1 / h'(x) = x for a loguniform prior (whose pi(x) ~ 1/x: the two cancel, and in u
 * both uniform and loguniform priors are the standard logistic density t (1 - t)), 1
 * for the others. */
static double prior_log_density_coord(const struct ur_calib_prior *p,
				      enum ur_calib_proposal mode, double u, double x)
{
	double lp = prior_log_density(p, x);
	if (mode == UR_PROPOSAL_BOUNDED || !isfinite(lp))
		return lp;
	double jacobian = -log1p_exp(-u) - log1p_exp(u);
	if (p->family == UR_PRIOR_LOGUNIFORM)
		jacobian += log(x);
	return lp + jacobian;
}

/* ---- a generation's particles ------------------------------------------------------ */

struct population {
	size_t n, d, t, r;
	double *theta;                 /* n x d: the values */
	double *coord;                 /* n x d: the proposal's coordinates of theta */
	double *values;                /* n x r x t, NaN where a replication has none */
	double *terms;                 /* n x t: each target's share of the distance */
	double *dist;                  /* n */
	double *weight;                /* n: normalized over the accepted, 0 elsewhere */
	double tolerance;
	size_t accepted;
};

static void population_free(struct population *P)
{
	free(P->theta);
	free(P->coord);
	free(P->values);
	free(P->terms);
	free(P->dist);
	free(P->weight);
	memset(P, 0, sizeof *P);
}

static int population_alloc(struct population *P, size_t n, size_t d, size_t t, size_t r)
{
	*P = (struct population){.n = n, .d = d, .t = t, .r = r};
	P->theta = calloc(n * d, sizeof *P->theta);
	P->coord = calloc(n * d, sizeof *P->coord);
	P->values = calloc(n * r * t, sizeof *P->values);
	P->terms = calloc(n * t, sizeof *P->terms);
	P->dist = calloc(n, sizeof *P->dist);
	P->weight = calloc(n, sizeof *P->weight);
	if (!P->theta || !P->coord || !P->values || !P->terms || !P->dist || !P->weight) {
		population_free(P);
		return -1;
	}
	return 0;
}

double ur_calib_weighted_quantile(const double *x, const double *w, size_t n, double p)
{
	/* GSL has quantiles of unweighted samples only: this is the inverse of the
	 * weighted empirical distribution function, the least x with F(x) >= p. */
	assert(n > 0);
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	double cum = 0;
	for (size_t i = 0; i < n; i++) {
		cum += w[i];
		if (cum >= p * total * (1 - 1e-12))
			return x[i];
	}
	return x[n - 1];
}

/* The median of a particle's replications of one metric, the empty ones counted as
 * larger than any value: NaN when the median falls on an empty one. */
static double replication_median(const double *v, size_t r, size_t stride, double *scratch)
{
	size_t m = 0;
	for (size_t k = 0; k < r; k++)
		if (!isnan(v[k * stride]))
			scratch[m++] = v[k * stride];
	gsl_sort(scratch, 1, m);
	/* Positions (r-1)/2 and r/2 of the sorted replications, empties last. */
	size_t lo = (r - 1) / 2, hi = r / 2;
	if (hi >= m)
		return nan("");
	return 0.5 * (scratch[lo] + scratch[hi]);
}

static void compute_distances(const struct ur_calib_spec *spec, struct population *P,
			      double *scratch)
{
	for (size_t i = 0; i < P->n; i++) {
		double d = 0;
		for (size_t t = 0; t < P->t; t++) {
			const struct ur_calib_target *tg = &spec->targets[t];
			double m = replication_median(&P->values[i * P->r * P->t + t], P->r,
						      P->t, scratch);
			double z = (m - tg->value) / tg->scale;
			/* Capped: a miss by more than sqrt(term_cap) scales counts as
			 * "never" does, so a target no particle comes near adds the same to
			 * every distance instead of ranking the particles by its noise. */
			double term = tg->weight *
				      (isnan(m) ? fmin(UR_CALIB_MISSING_TERM, spec->term_cap)
						: fmin(z * z, spec->term_cap));
			P->terms[i * P->t + t] = term;
			d += term;
		}
		/* Not a number (a metric of inf against an infinite term) is as far as
		 * can be: never accepted (first_generation_tolerance). */
		P->dist[i] = isnan(d) ? HUGE_VAL : d;
	}
}

/* The q-quantile of the distances of the particles with weight > 0 (all of them
 * when weights is NULL). */
static double distance_quantile(const struct population *P, bool accepted_only, double q,
				double *scratch)
{
	size_t m = 0;
	for (size_t i = 0; i < P->n; i++)
		if (!accepted_only || P->weight[i] > 0)
			scratch[m++] = P->dist[i];
	assert(m > 0);
	gsl_sort(scratch, 1, m);
	return gsl_stats_quantile_from_sorted_data(scratch, 1, m, q);
}

const char *ur_calib_kernel_name(enum ur_calib_kernel kernel)
{
	return kernel == UR_KERNEL_GLOBAL ? "global" : "olcm";
}

/* The kernels of a generation's proposals: particle j of the previous generation
 * moves by N(0, Sigma_j), given by its Cholesky factor factor[j] (lower; NULL for a
 * particle of weight 0). "global" shares one Sigma, "olcm" gives each its own. */
struct kernels {
	size_t n;
	gsl_matrix **factor;           /* n: a matrix of `own`, or `shared` */
	gsl_matrix *shared;            /* global: the one factor */
	gsl_matrix *own;               /* olcm: n x d rows of d x d factors */
	gsl_matrix_view *views;        /* olcm: factor[j]'s view of `own` */
};

static void kernels_free(struct kernels *K)
{
	free(K->factor);
	free(K->views);
	gsl_matrix_free(K->shared);
	gsl_matrix_free(K->own);
	memset(K, 0, sizeof *K);
}

/* A dimension with no spread gets a floor of a millionth of its prior's width on the
 * diagonal, so that the factorization exists: the width of its values, or in logit
 * coordinates 1 (the prior's own spread there is the logistic's sd, 1.8, or more). */
static int factor_with_floor(const struct ur_calib_spec *spec, gsl_matrix *S)
{
	for (size_t a = 0; a < S->size1; a++) {
		double w = 1e-6 * (spec->proposal == UR_PROPOSAL_BOUNDED
					   ? spec->priors[a].max - spec->priors[a].min : 1.0);
		gsl_matrix_set(S, a, a, gsl_matrix_get(S, a, a) + w * w);
	}
	return gsl_linalg_cholesky_decomp1(S) == GSL_SUCCESS ? 0 : -1;
}

/* The weighted mean and covariance (lower triangle and its mirror), in the proposal's
 * coordinates, of prev's particles i with weight > 0 and, when `within` is finite, distance <= within; the
 * weights renormalized over those. */
static void weighted_moments(const struct population *prev, double within, double *mean,
			     gsl_matrix *C)
{
	size_t d = prev->d;
	double total = 0;
	for (size_t a = 0; a < d; a++)
		mean[a] = 0;
	for (size_t i = 0; i < prev->n; i++) {
		if (!(prev->weight[i] > 0) || !(prev->dist[i] <= within))
			continue;
		total += prev->weight[i];
		for (size_t a = 0; a < d; a++)
			mean[a] += prev->weight[i] * prev->coord[i * d + a];
	}
	assert(total > 0);
	for (size_t a = 0; a < d; a++)
		mean[a] /= total;
	gsl_matrix_set_zero(C);
	for (size_t i = 0; i < prev->n; i++) {
		if (!(prev->weight[i] > 0) || !(prev->dist[i] <= within))
			continue;
		double w = prev->weight[i] / total;
		for (size_t a = 0; a < d; a++)
			for (size_t b = 0; b <= a; b++) {
				double c = w * (prev->coord[i * d + a] - mean[a]) *
					   (prev->coord[i * d + b] - mean[b]);
				gsl_matrix_set(C, a, b, gsl_matrix_get(C, a, b) + c);
			}
	}
	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b < a; b++)
			gsl_matrix_set(C, b, a, gsl_matrix_get(C, a, b));
}

/* The kernels that move prev's particles towards the generation of tolerance
 * `tolerance`.
 *
 * global: Sigma = 2 * the accepted particles' weighted covariance (Beaumont et al.).
 *
 * olcm (Filippi, Barnes, Cornebise and Stumpf 2013, eq. 9): particle j's
 *   Sigma_j = sum_k w~_k (theta_k - theta_j)(theta_k - theta_j)^T
 * over prev's particles k whose distance is within the new tolerance (they would be
 * accepted in the next generation), w~ their weights renormalized. The kernel that
 * maximizes the expected acceptance minus the distance moved (their criterion) for a
 * Gaussian: it spreads each particle towards the region the next tolerance keeps, and
 * less far than the global kernel once the particles gather. Computed as
 *   Sigma_j = C + (m - theta_j)(m - theta_j)^T,
 * m and C the subset's weighted mean and covariance: O(N d^2), not O(N^2 d^2).
 * Memory: one d x d factor per particle of prev, N d^2 doubles (36 MB at N = 10^4,
 * d = 20). */
static int kernels_make(const struct ur_calib_spec *spec, const struct population *prev,
			double tolerance, struct kernels *K, char *why, size_t size)
{
	size_t d = prev->d, n = prev->n;
	double mean[UR_SWEEP_MAX_PARAMS];
	*K = (struct kernels){.n = n};
	K->factor = calloc(n, sizeof *K->factor);
	gsl_matrix *C = gsl_matrix_alloc(d, d);
	int rc = -1;
	if (!K->factor || !C)
		goto nomem;
	if (spec->kernel == UR_KERNEL_GLOBAL) {
		if (!(K->shared = gsl_matrix_alloc(d, d)))
			goto nomem;
		weighted_moments(prev, HUGE_VAL, mean, C);
		gsl_matrix_memcpy(K->shared, C);
		gsl_matrix_scale(K->shared, 2.0);
		if (factor_with_floor(spec, K->shared) != 0) {
			snprintf(why, size, "the kernel's covariance is not positive definite");
			goto done;
		}
		for (size_t j = 0; j < n; j++)
			if (prev->weight[j] > 0)
				K->factor[j] = K->shared;
		rc = 0;
		goto done;
	}
	size_t live = 0;
	for (size_t j = 0; j < n; j++)
		live += prev->weight[j] > 0;
	K->own = gsl_matrix_alloc(live * d, d);
	K->views = calloc(live, sizeof *K->views);
	if (!K->own || !K->views)
		goto nomem;
	/* The tolerance is a quantile of these distances: at least one is within it. */
	weighted_moments(prev, tolerance, mean, C);
	size_t k = 0;
	for (size_t j = 0; j < n; j++) {
		if (!(prev->weight[j] > 0))
			continue;
		K->views[k] = gsl_matrix_submatrix(K->own, k * d, 0, d, d);
		gsl_matrix *S = &K->views[k].matrix;
		const double *th = &prev->coord[j * d];
		for (size_t a = 0; a < d; a++)
			for (size_t b = 0; b < d; b++)
				gsl_matrix_set(S, a, b, gsl_matrix_get(C, a, b) +
					       (mean[a] - th[a]) * (mean[b] - th[b]));
		if (factor_with_floor(spec, S) != 0) {
			snprintf(why, size, "particle %zu's kernel covariance is not positive "
				 "definite", j);
			goto done;
		}
		K->factor[j] = S;
		k++;
	}
	rc = 0;
	goto done;
nomem:
	snprintf(why, size, "out of memory");
done:
	gsl_matrix_free(C);
	if (rc != 0)
		kernels_free(K);
	return rc;
}

/* Draws generation g's particles into P->theta and P->coord: from the priors (g = 0)
 * or from prev perturbed by the kernels K in the proposal's coordinates; with
 * proposal = "bounded", redrawn until inside every prior's bounds. *draws: the draws
 * made (a particle's first and its redraws). */
static int propose(const struct ur_calib_spec *spec, unsigned g, const struct population *prev,
		   const struct kernels *K, struct population *P, uint64_t *draws, char *why,
		   size_t size)
{
	int rc = -1;
	gsl_rng *rng = ur_rng_create(proposal_seed(spec->seed, g));
	gsl_ran_discrete_t *pick = NULL;
	gsl_vector *mu = gsl_vector_alloc(P->d), *x = gsl_vector_alloc(P->d);
	if (!rng || !mu || !x) {
		snprintf(why, size, "out of memory");
		goto done;
	}
	if (g > 0 && !(pick = gsl_ran_discrete_preproc(prev->n, prev->weight))) {
		snprintf(why, size, "out of memory");
		goto done;
	}
	*draws = 0;
	for (size_t i = 0; i < P->n; i++) {
		double *th = &P->theta[i * P->d], *u = &P->coord[i * P->d];
		if (g == 0) {
			/* In the values, whatever the proposal: generation 0 is the same
			 * in both. */
			for (size_t a = 0; a < P->d; a++) {
				th[a] = prior_draw(&spec->priors[a], rng);
				u[a] = prior_to_coord(&spec->priors[a], spec->proposal, th[a]);
			}
			++*draws;
			continue;
		}
		unsigned tries = 0;
		for (;;) {
			size_t j = gsl_ran_discrete(rng, pick);
			for (size_t a = 0; a < P->d; a++)
				gsl_vector_set(mu, a, prev->coord[j * P->d + a]);
			/* Picked again at every try: the draws inside the bounds then
			 * follow the whole mixture truncated to them (weigh). */
			gsl_ran_multivariate_gaussian(rng, mu, K->factor[j], x);
			++*draws;
			bool inside = true;
			for (size_t a = 0; a < P->d; a++) {
				u[a] = gsl_vector_get(x, a);
				th[a] = prior_from_coord(&spec->priors[a], spec->proposal, u[a]);
				inside = inside && th[a] >= spec->priors[a].min &&
					 th[a] <= spec->priors[a].max;
			}
			/* In logit coordinates every draw is inside. */
			assert(inside || spec->proposal == UR_PROPOSAL_BOUNDED);
			if (inside)
				break;
			if (++tries == MAX_REDRAWS) {
				snprintf(why, size, "generation %u: the kernel keeps proposing "
					 "outside the priors' bounds", g);
				goto done;
			}
		}
	}
	rc = 0;
done:
	gsl_ran_discrete_free(pick);
	gsl_vector_free(mu);
	gsl_vector_free(x);
	ur_rng_destroy(rng);
	return rc;
}

/* Importance weights of P's accepted particles (P->dist <= P->tolerance): the prior
 * over the proposal's density, sum_j W_j N(u; u_j, Sigma_j), each particle j with its
 * own kernel, both densities in the proposal's coordinates u (the values, or their
 * logits: then the prior's density is pi(x(u)) |dx/du|, prior_log_density_coord).
 * With proposal = "bounded" the proposal truncated to the bounds differs from the
 * mixture by a constant factor (one truncation of the whole mixture: propose picks j
 * again at every try), which the normalization cancels; in logit coordinates nothing
 * is truncated. */
static int weigh(const struct ur_calib_spec *spec, unsigned g, const struct population *prev,
		 const struct kernels *K, struct population *P)
{
	size_t d = P->d;
	gsl_vector *x = gsl_vector_alloc(d), *mu = gsl_vector_alloc(d),
		   *work = gsl_vector_alloc(d);
	double *logw = calloc(P->n, sizeof *logw);
	int rc = -1;
	if (!x || !mu || !work || !logw)
		goto done;
	double top = -HUGE_VAL;
	P->accepted = 0;
	for (size_t i = 0; i < P->n; i++) {
		logw[i] = -HUGE_VAL;
		if (!(P->dist[i] <= P->tolerance))
			continue;
		P->accepted++;
		double lp = 0;
		for (size_t a = 0; a < d; a++)
			lp += prior_log_density_coord(&spec->priors[a], spec->proposal,
						      P->coord[i * d + a], P->theta[i * d + a]);
		if (g == 0) {
			logw[i] = 0;
		} else {
			for (size_t a = 0; a < d; a++)
				gsl_vector_set(x, a, P->coord[i * d + a]);
			/* log sum_j W_j K_j by log-sum-exp over prev's accepted. */
			double mx = -HUGE_VAL, s = 0;
			for (int pass = 0; pass < 2; pass++) {
				for (size_t j = 0; j < prev->n; j++) {
					if (prev->weight[j] <= 0)
						continue;
					for (size_t a = 0; a < d; a++)
						gsl_vector_set(mu, a, prev->coord[j * d + a]);
					double lk;
					gsl_ran_multivariate_gaussian_log_pdf(
						x, mu, K->factor[j], &lk, work);
					lk += log(prev->weight[j]);
					if (pass == 0)
						mx = fmax(mx, lk);
					else
						s += exp(lk - mx);
				}
			}
			logw[i] = lp - (mx + log(s));
		}
		top = fmax(top, logw[i]);
	}
	double total = 0;
	for (size_t i = 0; i < P->n; i++) {
		P->weight[i] = isfinite(logw[i]) ? exp(logw[i] - top) : 0;
		total += P->weight[i];
	}
	for (size_t i = 0; i < P->n; i++)
		P->weight[i] = total > 0 ? P->weight[i] / total : 0;
	rc = 0;
done:
	free(logw);
	gsl_vector_free(x);
	gsl_vector_free(mu);
	gsl_vector_free(work);
	return rc;
}

/* ---- files -------------------------------------------------------------------------- */

/* Writes dir/name whole (atomically: a reader sees the old file or the new one). */
static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      struct ur_calib_result *result)
{
	struct ur_output_error err;
	struct ur_atomic_file *f = ur_atomic_file_create(dir, name, &err);
	if (!f) {
		result->status = UR_RUN_CANTCREAT;
		snprintf(result->message, sizeof result->message, "%s", err.message);
		return -1;
	}
	ur_atomic_file_write(f, data, len);
	if (ur_atomic_file_commit(f, &err) != UR_OUTPUT_OK) {
		result->status = UR_RUN_IOERR;
		snprintf(result->message, sizeof result->message, "%s", err.message);
		ur_atomic_file_destroy(f);
		return -1;
	}
	ur_atomic_file_destroy(f);
	return 0;
}

static int write_csv(const char *dir, const char *name, struct ur_csv *csv,
		     struct ur_calib_result *result)
{
	if (csv->failed) {
		result->status = UR_RUN_SOFTWARE;
		snprintf(result->message, sizeof result->message, "out of memory");
		return -1;
	}
	return write_file(dir, name, csv->data ? csv->data : "", csv->len, result);
}

/* Generation g's sweep file: a `list` design, one point per particle. */
static int generation_text(const struct ur_calib_spec *spec, unsigned g,
			   const struct population *P, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	if (!f)
		return -1;
	char seed[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(generation_seed(spec->seed, g), seed);
	/* Nothing here names the calibration file: the folder resumes however the
	 * file is named on the command line. */
	fprintf(f, "# Generation %u of a calibration: one point per particle.\n", g);
	fprintf(f, "scenario = \"scenario.cfg\";\nreplications = %" PRIu64 ";\n"
		"seed = \"%s\";\nseeds = \"independent\";\ndesign = \"list\";\nparameters = [",
		spec->replications, seed);
	for (size_t a = 0; a < P->d; a++)
		fprintf(f, "%s\"%s\"", a ? ", " : " ", spec->priors[a].path);
	fputs(" ];\npoints = (\n", f);
	for (size_t i = 0; i < P->n; i++) {
		fputs("  (", f);
		for (size_t a = 0; a < P->d; a++) {
			char v[SC_REAL_TEXT_SIZE];
			fprintf(f, "%s%s", a ? ", " : " ",
				sc_format_real(P->theta[i * P->d + a], true, v));
		}
		fprintf(f, " )%s\n", i + 1 < P->n ? "," : "");
	}
	fputs(");\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

void ur_calib_target_label(const struct ur_calib_target *t, char *buf, size_t size)
{
	assert(t && t->metric && buf && size > 0);
	if (t->action)
		snprintf(buf, size, "%s.%s", t->metric, t->action);
	else if (t->region)
		snprintf(buf, size, "%s.%s", t->metric, t->region);
	else if (!isnan(t->by_hour))
		snprintf(buf, size, "%s_by_hour_%g", t->metric, t->by_hour);
	else
		snprintf(buf, size, "%s", t->metric);
}

const char *ur_calib_target_column(const struct ur_calib_target *t)
{
	assert(t && t->metric);
	if (t->action)
		return "action_hours";
	return t->region || !isnan(t->by_hour) ? "region_onsets" : t->metric;
}

struct onset_reading {
	const struct ur_calib_target *target;
	double value;
};

static int read_onset(void *context, const char *id, double hour)
{
	struct onset_reading *o = context;
	const char *want = o->target->action ? o->target->action : o->target->region;
	if (want) {
		if (strcmp(id, want) == 0)
			o->value = hour;
	} else if (hour <= o->target->by_hour) {
		o->value += 1;
	}
	return 0;
}

int ur_calib_target_value(const struct ur_calib_target *t, const char *s, size_t len,
			  double *value)
{
	assert(t && (s || len == 0) && value);
	if (t->action || t->region || !isnan(t->by_hour)) {
		/* An onset at by_hour counts: the region had joined by then. An action
		 * or region absent from the field never took effect or joined: NaN. */
		struct onset_reading o = {t, t->action || t->region ? nan("") : 0.0};
		if (ur_onsets_parse(s, len, read_onset, &o) != 0)
			return -1;
		*value = o.value;
		return 0;
	}
	if (len == 0) {
		*value = nan("");
		return 0;
	}
	char buf[64], *end;
	if (len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*value = strtod(buf, &end);
	return end == buf + len && !isnan(*value) ? 0 : -1;
}

/* Reads generation g's sweep.csv from `folder` into P->values: one row per unit,
 * point p = particle p, every unit present (a failed unit stops the calibration
 * before this). */
static int read_rows(const struct ur_calib_spec *spec, const char *folder,
		     struct population *P, struct ur_calib_result *result)
{
	char *path = ur_path_join(folder, "sweep.csv");
	FILE *f = path ? fopen(path, "r") : NULL;
	int rc = -1;
	char *line = NULL;
	size_t cap = 0;
	long col_point = -1, col_rep = -1, col_metric[UR_CALIB_MAX_TARGETS];
	bool *seen = calloc(P->n * P->r, sizeof *seen);
	if (!f || !seen) {
		result->status = f ? UR_RUN_SOFTWARE : 66;
		snprintf(result->message, sizeof result->message, "%s: %s",
			 path ? path : folder, f ? "out of memory" : strerror(errno));
		goto done;
	}
	for (size_t t = 0; t < P->t; t++)
		col_metric[t] = -1;
	unsigned lineno = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		char *fields[UR_SWEEP_MAX_PARAMS + 64];
		size_t nf = ur_sweep_split_line(line, fields, sizeof fields / sizeof *fields);
		if (lineno == 1) {
			for (size_t k = 0; k < nf; k++) {
				if (strcmp(fields[k], "point") == 0)
					col_point = (long)k;
				else if (strcmp(fields[k], "rep") == 0)
					col_rep = (long)k;
				for (size_t t = 0; t < P->t; t++)
					if (k > P->d &&
					    strcmp(fields[k], ur_calib_target_column(
								   &spec->targets[t])) == 0)
						col_metric[t] = (long)k;
			}
			bool ok = col_point == 0 && col_rep > 0;
			for (size_t t = 0; t < P->t; t++)
				ok = ok && col_metric[t] > 0;
			if (!ok) {
				result->status = UR_RUN_DATAERR;
				snprintf(result->message, sizeof result->message, "%s:1: expected "
					 "the header of a sweep with the targets' metrics", path);
				goto done;
			}
			continue;
		}
		char *end;
		unsigned long point = strtoul(fields[0], &end, 10);
		unsigned long rep = (size_t)col_rep < nf ? strtoul(fields[col_rep], &end, 10)
							 : ULONG_MAX;
		if (point >= P->n || rep >= P->r || seen[point * P->r + rep]) {
			result->status = UR_RUN_DATAERR;
			snprintf(result->message, sizeof result->message, "%s:%u: expected a unit "
				 "of the generation once, found point '%s'", path, lineno,
				 fields[0]);
			goto done;
		}
		seen[point * P->r + rep] = true;
		for (size_t t = 0; t < P->t; t++) {
			const char *v = (size_t)col_metric[t] < nf ? fields[col_metric[t]] : "";
			double x;
			if (ur_calib_target_value(&spec->targets[t], v, strlen(v), &x) != 0) {
				char label[128];
				ur_calib_target_label(&spec->targets[t], label, sizeof label);
				result->status = UR_RUN_DATAERR;
				snprintf(result->message, sizeof result->message, "%s:%u: %s: "
					 "expected a value of %s, found \"%.64s\"", path, lineno,
					 ur_calib_target_column(&spec->targets[t]), label, v);
				goto done;
			}
			P->values[(point * P->r + rep) * P->t + t] = x;
		}
	}
	for (size_t u = 0; u < P->n * P->r; u++)
		if (!seen[u]) {
			result->status = UR_RUN_DATAERR;
			snprintf(result->message, sizeof result->message, "%s: unit %zu (particle "
				 "%zu, replication %zu) has no row", path, u, u / P->r, u % P->r);
			goto done;
		}
	rc = 0;
done:
	free(line);
	free(seen);
	if (f)
		fclose(f);
	free(path);
	return rc;
}

/* Runs generation g's sweep (its file already written) so that DIR/gen-NN holds every
 * unit: at once, or this shard's share and, when every shard's is done, the merge
 * (ur_sweep_drive). */
static int run_generation(const char *dir, unsigned g, const struct ur_calib_options *o,
			  struct ur_calib_result *result)
{
	char name[32];
	snprintf(name, sizeof name, "gen-%02u", g);
	const struct ur_sweep_options base = {
		.jobs = o->jobs,
		.shard = o->shard,
		.shards = o->shards,
		.resume = o->resume,
		.version = o->version,
		.argc = o->argc,
		.argv = o->argv,
		.interrupt = o->interrupt,
		.progress = o->progress,
		.progress_context = o->progress_context,
		.replicate = o->replicate,
		.replicate_context = o->replicate_context,
	};
	struct ur_sweep_drive_result dr;
	ur_sweep_drive(dir, name, &base, &dr);
	switch (dr.stage) {
	case UR_DRIVE_DONE:
		return 0;
	case UR_DRIVE_LOAD:
		result->status = dr.status;
		snprintf(result->message, sizeof result->message, "%s", dr.message);
		break;
	case UR_DRIVE_RUN:
		result->status = dr.status;
		result->signal = dr.signal;
		snprintf(result->message, sizeof result->message, "generation %u: %.400s", g,
			 dr.message);
		break;
	case UR_DRIVE_WAITING:
		result->status = UR_CALIB_WAITING;
		snprintf(result->message, sizeof result->message, "generation %u: shard %u of "
			 "%u is done; shard %u is not: run every shard again with --resume "
			 "when all are", g, o->shard, o->shards, dr.waiting_for);
		break;
	case UR_DRIVE_MERGE:
		result->status = dr.status;
		snprintf(result->message, sizeof result->message, "generation %u: merging the "
			 "shards: %.400s", g, dr.message);
		break;
	}
	return -1;
}

/* ---- the results ----------------------------------------------------------------------- */

static const char *family_name(enum ur_calib_prior_family f)
{
	return f == UR_PRIOR_UNIFORM ? "uniform" : f == UR_PRIOR_LOGUNIFORM ? "loguniform"
									     : "normal";
}

/* Sorts (x, w) pairs by x (ties by index: stable), into xs, ws. */
static void sort_pairs(const double *x, const double *w, size_t n, double *xs, double *ws,
		       size_t *idx)
{
	for (size_t i = 0; i < n; i++)
		xs[i] = x[i];
	gsl_sort_index(idx, xs, 1, n);
	for (size_t i = 0; i < n; i++) {
		xs[i] = x[idx[i]];
		ws[i] = w[idx[i]];
	}
}

static int write_results(const struct ur_calib_spec *spec, const char *dir,
			 const struct population *P, const struct ur_calib_generation *hist,
			 unsigned ngen, struct ur_calib_result *result)
{
	int rc = -1;
	size_t n = P->n, m = P->n * P->r;
	double *xs = malloc(m * sizeof *xs), *ws = malloc(m * sizeof *ws),
	       *x = malloc(m * sizeof *x), *w = malloc(m * sizeof *w);
	size_t *idx = malloc(m * sizeof *idx);
	struct ur_csv csv;
	ur_csv_init(&csv);
	if (!xs || !ws || !x || !w || !idx) {
		result->status = UR_RUN_SOFTWARE;
		snprintf(result->message, sizeof result->message, "out of memory");
		goto done;
	}
	/* posterior.csv */
	ur_csv_text(&csv, "particle");
	for (size_t a = 0; a < P->d; a++)
		ur_csv_text(&csv, spec->priors[a].path);
	ur_csv_text(&csv, "weight");
	ur_csv_text(&csv, "distance");
	ur_csv_end_row(&csv);
	for (size_t i = 0; i < n; i++) {
		if (P->weight[i] <= 0)
			continue;
		ur_csv_int(&csv, (int64_t)i);
		for (size_t a = 0; a < P->d; a++)
			ur_csv_real(&csv, P->theta[i * P->d + a]);
		ur_csv_real(&csv, P->weight[i]);
		ur_csv_real(&csv, P->dist[i]);
		ur_csv_end_row(&csv);
	}
	if (write_csv(dir, "posterior.csv", &csv, result) != 0)
		goto done;

	/* posterior_summary.csv */
	ur_csv_clear(&csv);
	static const char *const sum_head[] = {"parameter", "prior", "min", "max", "mean",
					       "sd", "p5", "median", "p95"};
	ur_csv_header(&csv, sum_head, sizeof sum_head / sizeof *sum_head);
	for (size_t a = 0; a < P->d; a++) {
		double mean = 0, var = 0;
		for (size_t i = 0; i < n; i++) {
			x[i] = P->theta[i * P->d + a];
			mean += P->weight[i] * x[i];
		}
		for (size_t i = 0; i < n; i++)
			var += P->weight[i] * (x[i] - mean) * (x[i] - mean);
		sort_pairs(x, P->weight, n, xs, ws, idx);
		ur_csv_text(&csv, spec->priors[a].path);
		ur_csv_text(&csv, family_name(spec->priors[a].family));
		ur_csv_real(&csv, spec->priors[a].min);
		ur_csv_real(&csv, spec->priors[a].max);
		ur_csv_real(&csv, mean);
		ur_csv_real(&csv, sqrt(var));
		ur_csv_real(&csv, ur_calib_weighted_quantile(xs, ws, n, 0.05));
		ur_csv_real(&csv, ur_calib_weighted_quantile(xs, ws, n, 0.5));
		ur_csv_real(&csv, ur_calib_weighted_quantile(xs, ws, n, 0.95));
		ur_csv_end_row(&csv);
	}
	if (write_csv(dir, "posterior_summary.csv", &csv, result) != 0)
		goto done;

	/* history.csv */
	ur_csv_clear(&csv);
	static const char *const hist_head[] = {"generation", "tolerance", "particles",
						"accepted", "acceptance_rate", "ess",
						"replications", "simulated_total", "draws"};
	ur_csv_header(&csv, hist_head, sizeof hist_head / sizeof *hist_head);
	uint64_t total = 0;
	for (unsigned g = 0; g < ngen; g++) {
		total += hist[g].replications;
		ur_csv_int(&csv, hist[g].generation);
		ur_csv_real(&csv, hist[g].tolerance);
		ur_csv_int(&csv, (int64_t)hist[g].particles);
		ur_csv_int(&csv, (int64_t)hist[g].accepted);
		ur_csv_real(&csv, hist[g].acceptance);
		ur_csv_real(&csv, hist[g].ess);
		ur_csv_int(&csv, (int64_t)hist[g].replications);
		ur_csv_int(&csv, (int64_t)total);
		ur_csv_int(&csv, (int64_t)hist[g].draws);
		ur_csv_end_row(&csv);
	}
	if (write_csv(dir, "history.csv", &csv, result) != 0)
		goto done;

	/* targets.csv: the posterior predictive of each metric (every replication of
	 * an accepted particle, weighted by its particle's weight / R) and the target's
	 * share of the posterior's mean distance. */
	ur_csv_clear(&csv);
	static const char *const tgt_head[] = {"target", "metric", "by_hour", "region",
					       "action", "value", "low", "high", "grade", "weight",
					       "scale", "p5", "median", "p95", "empty_share",
					       "in_range", "distance_share", "source"};
	ur_csv_header(&csv, tgt_head, sizeof tgt_head / sizeof *tgt_head);
	double mean_d = 0;
	for (size_t i = 0; i < n; i++)
		mean_d += P->weight[i] * P->dist[i];
	for (size_t t = 0; t < P->t; t++) {
		const struct ur_calib_target *tg = &spec->targets[t];
		size_t k = 0;
		double empty = 0, term = 0;
		for (size_t i = 0; i < n; i++) {
			if (P->weight[i] <= 0)
				continue;
			term += P->weight[i] * P->terms[i * P->t + t];
			for (size_t r = 0; r < P->r; r++) {
				double v = P->values[(i * P->r + r) * P->t + t];
				if (isnan(v)) {
					empty += P->weight[i] / (double)P->r;
				} else {
					x[k] = v;
					w[k++] = P->weight[i] / (double)P->r;
				}
			}
		}
		char label[128];
		ur_calib_target_label(tg, label, sizeof label);
		ur_csv_text(&csv, label);
		ur_csv_text(&csv, tg->metric);
		ur_csv_real(&csv, tg->by_hour);
		ur_csv_text(&csv, tg->region ? tg->region : "");
		ur_csv_text(&csv, tg->action ? tg->action : "");
		ur_csv_real(&csv, tg->value);
		ur_csv_real(&csv, tg->low);
		ur_csv_real(&csv, tg->high);
		char grade[2] = {tg->grade, '\0'};
		ur_csv_text(&csv, grade);
		ur_csv_real(&csv, tg->weight);
		ur_csv_real(&csv, tg->scale);
		if (k > 0) {
			sort_pairs(x, w, k, xs, ws, idx);
			double p5 = ur_calib_weighted_quantile(xs, ws, k, 0.05);
			double p50 = ur_calib_weighted_quantile(xs, ws, k, 0.5);
			double p95 = ur_calib_weighted_quantile(xs, ws, k, 0.95);
			ur_csv_real(&csv, p5);
			ur_csv_real(&csv, p50);
			ur_csv_real(&csv, p95);
			ur_csv_real(&csv, empty);
			ur_csv_text(&csv, p5 <= tg->value && tg->value <= p95 ? "yes" : "no");
		} else {
			ur_csv_empty(&csv);
			ur_csv_empty(&csv);
			ur_csv_empty(&csv);
			ur_csv_real(&csv, empty);
			ur_csv_text(&csv, "no");
		}
		ur_csv_real(&csv, mean_d > 0 ? term / mean_d : 0);
		ur_csv_text(&csv, tg->source ? tg->source : "");
		ur_csv_end_row(&csv);
	}
	if (write_csv(dir, "targets.csv", &csv, result) != 0)
		goto done;
	rc = 0;
done:
	ur_csv_finish(&csv);
	free(xs);
	free(ws);
	free(x);
	free(w);
	free(idx);
	return rc;
}

/* ---- the calibration --------------------------------------------------------------- */

/* The results, written at the end: removed before anything runs, so that a
 * calibration that stops or fails leaves none that look whole (a resumed one writes
 * the same bytes again at its end). */
static const char *const result_names[] = {"posterior.csv", "posterior_summary.csv",
					   "history.csv", "targets.csv", NULL};

/* The calibration's folder (ur_study_folder_check): its results, scenario.cfg, the
 * generations' sweep files and folders (gen-NN.cfg, gen-NN/, gen-NN.shard-K-of-N/),
 * and gen-00.cfg, written first, as the mark of a calibration's folder. */
static const struct ur_study_folder calibration_folder = {
	.kind = "a calibration",
	.names = (const char *const[]){"scenario.cfg", "posterior.csv",
				       "posterior_summary.csv", "history.csv", "targets.csv",
				       NULL},
	.prefix = "gen-",
	.marker = "gen-00.cfg",
	.marker_head = "# Generation 0 of a calibration",
};

static int remove_results(const char *dir, struct ur_calib_result *result)
{
	if (ur_study_folder_clear(dir, result_names, result->message,
				  sizeof result->message) != 0) {
		result->status = UR_RUN_CANTCREAT;
		return -1;
	}
	return 0;
}

/* Generation 0's tolerance: the quantile of its distances, but never an infinite
 * one (a distance that overflows is no measure of a miss, and posterior.csv must
 * hold finite distances): past the last finite distance it is that distance. -1 with
 * result set (EX_DATAERR) when no distance is finite: every particle misses some
 * target by more than a double holds, which no generation can mend. */
static int first_generation_tolerance(const struct ur_calib_spec *spec,
				      struct population *P, double *scratch,
				      struct ur_calib_result *result)
{
	double largest = -HUGE_VAL;
	for (size_t i = 0; i < P->n; i++)
		if (isfinite(P->dist[i]))
			largest = fmax(largest, P->dist[i]);
	if (largest == -HUGE_VAL) {
		/* The target whose term overflows for the first particle names the cause. */
		size_t t = 0;
		while (t + 1 < P->t && isfinite(P->terms[t]))
			t++;
		char label[128];
		ur_calib_target_label(&spec->targets[t], label, sizeof label);
		result->status = UR_RUN_DATAERR;
		snprintf(result->message, sizeof result->message, "generation 0: no particle's "
			 "distance is finite (the term of %s, ((median - %g) / %g)^2 x its weight, "
			 "overflows%s): give the target a larger scale, or set term_cap",
			 label, spec->targets[t].value, spec->targets[t].scale,
			 isfinite(P->terms[t]) ? " with the others'" : "");
		return -1;
	}
	P->tolerance = fmin(distance_quantile(P, false, spec->quantile, scratch), largest);
	return 0;
}

int ur_calibrate(const struct ur_calib_spec *spec, const char *dir,
		 const struct ur_calib_options *o, struct ur_calib_result *result)
{
	assert(spec && dir && o && result);
	assert(o->shard >= 1 && o->shard <= o->shards && o->jobs >= 1);
	*result = (struct ur_calib_result){0};
	struct population prev = {0}, cur = {0};
	struct ur_calib_generation *hist = calloc(spec->generations, sizeof *hist);
	size_t n = spec->particles, r = spec->replications;
	double *scratch = malloc((n * r + n + 1) * sizeof *scratch);
	struct kernels K = {0};
	struct ur_scenario *scenario = NULL;
	struct ur_diag d;
	ur_diag_init(&d, 4);
	if (!hist || !scratch) {
		result->status = UR_RUN_SOFTWARE;
		snprintf(result->message, sizeof result->message, "out of memory");
		goto done;
	}
	/* Refused before anything in it changes: a user's own posterior.csv or
	 * scenario.cfg there was overwritten, and the rest mixed with the calibration. */
	if (ur_study_folder_check(dir, &calibration_folder, result->message,
				  sizeof result->message) != 0) {
		result->status = UR_RUN_CANTCREAT;
		goto done;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		result->status = UR_RUN_CANTCREAT;
		snprintf(result->message, sizeof result->message, "%s: %s", dir, strerror(errno));
		goto done;
	}
	if (remove_results(dir, result) != 0)
		goto done;
	/* The scenario once, resolved: every generation's sweep reads this copy, so
	 * editing the scenario file while the calibration runs changes nothing. */
	enum ur_scenario_status st;
	scenario = ur_scenario_load(spec->scenario, NULL, 0, &d, &st);
	if (!scenario) {
		result->status = (int)st;
		snprintf(result->message, sizeof result->message, "%s",
			 ur_diag_count(&d) ? ur_diag_message(&d, 0) : "cannot load");
		goto done;
	}
	const char *text = ur_scenario_text(scenario);
	if (!text) {
		result->status = UR_RUN_SOFTWARE;
		snprintf(result->message, sizeof result->message, "out of memory");
		goto done;
	}

	unsigned g = 0;
	for (; g < spec->generations; g++) {
		if (population_alloc(&cur, n, spec->npriors, spec->ntargets, r) != 0) {
			result->status = UR_RUN_SOFTWARE;
			snprintf(result->message, sizeof result->message, "out of memory");
			goto done;
		}
		/* The tolerance is known before the proposals (a quantile of the last
		 * accepted distances): the local kernels aim at it. */
		double tolerance = g == 0 ? 0 : distance_quantile(&prev, true, spec->quantile,
								  scratch);
		kernels_free(&K);
		if (g > 0) {
			char why[160];
			if (kernels_make(spec, &prev, tolerance, &K, why, sizeof why) != 0) {
				result->status = UR_RUN_SOFTWARE;
				snprintf(result->message, sizeof result->message,
					 "generation %u: %s", g, why);
				goto done;
			}
		}
		uint64_t draws = 0;
		if (propose(spec, g, &prev, &K, &cur, &draws, result->message,
			    sizeof result->message) != 0) {
			result->status = UR_RUN_SOFTWARE;
			goto done;
		}
		char *sweep_text = NULL, name[32];
		size_t len = 0;
		snprintf(name, sizeof name, "gen-%02u.cfg", g);
		if (generation_text(spec, g, &cur, &sweep_text, &len) != 0) {
			free(sweep_text);
			result->status = UR_RUN_SOFTWARE;
			snprintf(result->message, sizeof result->message, "out of memory");
			goto done;
		}
		/* gen-00.cfg before scenario.cfg: it marks the folder as a calibration's
		 * for the shards that start beside this one (ur_study_folder_check). */
		int w = write_file(dir, name, sweep_text, len, result);
		free(sweep_text);
		if (w == 0 && g == 0)
			w = write_file(dir, "scenario.cfg", text, strlen(text), result);
		if (w != 0 || run_generation(dir, g, o, result) != 0)
			goto done;
		snprintf(name, sizeof name, "gen-%02u", g);
		char *folder = ur_path_join(dir, name);
		int rr = folder ? read_rows(spec, folder, &cur, result) : -1;
		free(folder);
		if (rr != 0)
			goto done;
		compute_distances(spec, &cur, scratch);
		/* Later generations' tolerances are quantiles of accepted, finite
		 * distances. */
		cur.tolerance = tolerance;
		if (g == 0 && first_generation_tolerance(spec, &cur, scratch, result) != 0)
			goto done;
		if (weigh(spec, g, &prev, &K, &cur) != 0) {
			result->status = UR_RUN_SOFTWARE;
			snprintf(result->message, sizeof result->message, "out of memory");
			goto done;
		}
		double s2 = 0;
		for (size_t i = 0; i < n; i++)
			s2 += cur.weight[i] * cur.weight[i];
		hist[g] = (struct ur_calib_generation){
			.generation = g,
			.tolerance = cur.tolerance,
			.particles = n,
			.accepted = cur.accepted,
			.replications = n * r,
			.acceptance = (double)cur.accepted / (double)n,
			.ess = s2 > 0 ? 1 / s2 : 0,
			.draws = draws,
		};
		result->simulated += n * r;
		result->generations = g + 1;
		if (o->on_generation)
			o->on_generation(o->generation_context, &hist[g]);
		/* Too few accepted to go on: the previous generation is the posterior.
		 * Generation 0 has none before it: a posterior of one particle has no
		 * spread and no kernel could move it. */
		if (g == 0 && cur.accepted < 2) {
			result->status = UR_RUN_DATAERR;
			snprintf(result->message, sizeof result->message, "generation 0 accepted "
				 "%zu of %zu particles (quantile %g): a posterior needs at least 2; "
				 "raise quantile or particles", cur.accepted, n, spec->quantile);
			goto done;
		}
		if (cur.accepted < 2) {
			population_free(&cur);
			break;
		}
		population_free(&prev);
		prev = cur;
		cur = (struct population){0};
		if (hist[g].acceptance < spec->min_acceptance) {
			g++;
			break;
		}
	}
	if (write_results(spec, dir, &prev, hist, result->generations, result) != 0)
		goto done;
	result->status = 0;
done:
	population_free(&prev);
	population_free(&cur);
	ur_scenario_destroy(scenario);
	ur_diag_finish(&d);
	kernels_free(&K);
	free(scratch);
	free(hist);
	return result->status;
}
