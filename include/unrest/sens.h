/*
 * sens.h: global sensitivity analysis on the sweep machinery (`unrestsim sensitivity`;
 * docs/sensitivity.md): variance-based Sobol indices and Morris screening of summary
 * outputs with respect to scenario settings.
 *
 * Model. A sensitivity file names a scenario, d parameters (paths as --set takes them,
 * each uniform or log-uniform on [min, max]), the outputs (summary.csv metrics, and
 * outcome indicators `outcome.NAME`, 1 when a replication ends in NAME, else 0), a
 * method, a sample size, R replications per point and a seed. Each parameter is a
 * function of a unit coordinate u in [0, 1): min + u (max - min), or
 * exp(log min + u log(max / min)). A point's output is the mean over its R
 * replications, which share their seeds with every other point's (common random
 * numbers: replication k of every point draws the same numbers, so the indices are of
 * the settings, not of the noise).
 *   - sobol: Saltelli's design of N base rows: matrices A and B (N x d) from the
 *     first N + 1 points of a 2d-dimensional low-discrepancy sequence, its first point
 *     (the corner 0) skipped; columns 0..d-1 are A, d..2d-1 are B (gsl_qrng_sobol up to
 *     2d = 40; gsl_qrng_reversehalton beyond); AB_i is A with column i from B. Point
 *     j (d + 2) + 0 is A_j, + 1 is B_j, + 2 + i is AB_i,j: N (d + 2) points. First-order
 *     indices by Saltelli et al. (2010) S_i = mean(f_B (f_ABi - f_A)) / V, total
 *     indices by Jansen (1999) ST_i = mean((f_A - f_ABi)^2) / (2 V), V the
 *     variance of f_A and f_B pooled (2N values; gsl_stats_variance, over 2N - 1).
 *     Intervals: percentile bootstrap (B resamples of the N base rows, with
 *     replacement, drawn with gsl_rng).
 *   - morris: r trajectories of d + 1 points on a p-level grid (p even, step
 *     Delta = p / (2 (p - 1))), Morris (1991): a base x* with coordinates drawn from
 *     {0, 1/(p-1), ..., 1 - Delta}, a random order of the parameters and a random
 *     direction each; step k moves one parameter by Delta. Point t (d + 1) + k is step
 *     k of trajectory t. Elementary effect EE = (y_after - y_before) / (+-Delta), per
 *     unit coordinate; mu* = mean |EE| (Campolongo, Cariboni and Saltelli 2007),
 *     mu = mean EE, sigma its standard deviation (n - 1), and a percentile bootstrap
 *     interval of mu* over the trajectories.
 *
 * The points run as one sweep (sweep.h) of a `list` design: DIR/points.cfg (over
 * DIR/scenario.cfg, the resolved scenario), DIR/points/ its folder; so -j, --shard
 * K/N with the merge, and --resume after a kill work as for sweeps, and every file is a
 * function of the sensitivity file alone. DIR/points.csv holds each point's role, its
 * parameters and its outputs; DIR/sensitivity.csv the indices.
 *
 * Error policy: as sweep.h and calib.h: file mistakes are `FILE:LINE: PATH: expected
 * ..., got ...` messages in a struct ur_diag with a sysexits status; running returns
 * an exit status and a one-line message. Nothing is printed.
 */
#ifndef UNREST_SENS_H
#define UNREST_SENS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "unrest/run.h"
#include "unrest/scenario.h"

#define UR_SENS_MAX_PARAMS 40u         /* a sweep's parameters */
#define UR_SENS_MAX_OUTPUTS 32u
#define UR_SENS_MAX_SAMPLES 100000u    /* N base rows, or r trajectories */
#define UR_SENS_MAX_BOOTSTRAP 100000u
#define UR_SENS_MAX_LEVELS 100u
/* gsl_qrng_sobol's dimensions: beyond, the design takes gsl_qrng_reversehalton. */
#define UR_SENS_SOBOL_DIMENSIONS 40u

enum ur_sens_method { UR_SENS_SOBOL, UR_SENS_MORRIS };
enum ur_sens_scale { UR_SENS_UNIFORM, UR_SENS_LOGUNIFORM };

struct ur_sens_param {
	char *path;                    /* --set path */
	unsigned line;
	enum ur_sens_scale scale;
	double min, max;
};

struct ur_sens_spec {
	char *file;
	char *scenario;                /* relative to the current directory */
	uint64_t seed;
	enum ur_sens_method method;
	uint64_t samples;              /* sobol: N base rows; morris: r trajectories */
	uint64_t replications;         /* per point */
	uint64_t levels;               /* morris: p (even) */
	uint64_t bootstrap;            /* resamples for the intervals; 0: none */
	double confidence;             /* the intervals' level, 0.9 by default */
	size_t nparams;
	struct ur_sens_param *params;
	size_t noutputs;
	char **outputs;                /* a summary metric, or outcome.NAME */
};

/* Reads and checks a sensitivity file, and loads its scenario to check that every
 * parameter's path takes the values of its bounds. NULL with *status and messages. */
struct ur_sens_spec *ur_sens_spec_read(const char *path, struct ur_diag *diag,
				       enum ur_scenario_status *status);
void ur_sens_spec_destroy(struct ur_sens_spec *spec);

/* The number of points of the design: N (d + 2) or r (d + 1). */
uint64_t ur_sens_points(const struct ur_sens_spec *spec);

/* ---- designs and estimators (exposed for tests) ------------------------------------ */

/* Saltelli's design in unit coordinates into out[n (d + 2) x d], rows as above.
 * 0, or -1 when out of memory. */
int ur_sens_saltelli_design(size_t n, size_t d, double *out);
/* Morris trajectories in unit coordinates into out[r (d + 1) x d], drawn from rng;
 * levels even and >= 2. */
void ur_sens_morris_design(size_t r, size_t d, unsigned levels, gsl_rng *rng,
			   double *out);

/* One parameter's indices for one output. An index whose output has no variance is
 * NaN (written empty). */
struct ur_sens_sobol_index {
	double s1, s1_low, s1_high;
	double st, st_low, st_high;
};

/* The Sobol indices of d parameters from y[n (d + 2)], the outputs of the points of
 * Saltelli's design in its order, into out[d]; intervals from `bootstrap` resamples of
 * the base rows drawn from rng (none: NaN), at level `confidence`. 0, or -1 when out
 * of memory. */
int ur_sens_sobol(size_t n, size_t d, const double *y, unsigned bootstrap,
		  double confidence, gsl_rng *rng, struct ur_sens_sobol_index *out);

struct ur_sens_morris_index {
	double mu_star, mu_star_low, mu_star_high;
	double mu, sigma;
};

/* Morris's statistics of d parameters from the points x[r (d + 1) x d] (unit
 * coordinates, as ur_sens_morris_design makes them) and their outputs y, into out[d];
 * mu*'s interval from `bootstrap` resamples of the trajectories drawn from rng.
 * 0, or -1 when out of memory. */
int ur_sens_morris(size_t r, size_t d, const double *x, const double *y,
		   unsigned bootstrap, double confidence, gsl_rng *rng,
		   struct ur_sens_morris_index *out);

/* ---- running ------------------------------------------------------------------------ */

struct ur_sens_options {
	unsigned jobs;
	unsigned shard, shards;        /* shard K of N of the points' units */
	bool resume;
	const char *version;
	int argc;
	const char *const *argv;
	const volatile sig_atomic_t *interrupt;
	ur_run_progress_fn progress;
	void *progress_context;
	ur_run_replicate_fn replicate; /* NULL: the model (tests stand in) */
	void *replicate_context;
};

/* A shard that finished its units while others have not (as UR_CALIB_WAITING). */
#define UR_SENS_WAITING 75

struct ur_sens_result {
	int status;                    /* 0 or an exit status (65..75) */
	int signal;                    /* interrupted: the signal's number */
	uint64_t points, simulated;    /* the design's points, replications run in all */
	char message[UR_RUN_MESSAGE_SIZE];
};

/* Runs (or resumes) the sensitivity analysis into dir, and, when every point is done,
 * writes points.csv and sensitivity.csv there. Returns result->status: 0;
 * UR_RUN_INTERRUPTED (75 with result->signal set) after a signal; UR_SENS_WAITING (75,
 * signal 0) for a shard whose points wait for other shards; or an I/O or data
 * status. */
int ur_sensitivity(const struct ur_sens_spec *spec, const char *dir,
		   const struct ur_sens_options *options, struct ur_sens_result *result);

#endif /* UNREST_SENS_H */
