/*
 * calib.h: calibration by approximate Bayesian computation, sequential Monte Carlo
 * (`unrestsim calibrate`; docs/calibration.md).
 *
 * Model. A calibration file names a scenario, priors over some of its settings (paths
 * as --set takes them; uniform, loguniform or truncated normal on [min, max]),
 * targets (summary.csv metrics with the record's value, range and grade), N particles
 * per generation, R replications per particle, G generations and a seed. Population
 * Monte Carlo ABC with adaptive tolerances (Beaumont, Cornuet, Marin and Robert 2009;
 * Del Moral, Doucet and Jasra 2012):
 *   - generation 0 draws N particles from the priors; its tolerance is the q-quantile
 *     of its own distances (q = `quantile`, 0.5 by default);
 *   - generation g >= 1 draws N particles from generation g-1's accepted particles by
 *     their weights, each moved by a Gaussian kernel; its tolerance is the
 *     q-quantile of generation g-1's accepted distances. Where the kernel moves them
 *     (`proposal`): "bounded" (the default), in the parameters' own values, redrawn
 *     until inside the priors' bounds; or "logit", in unbounded coordinates u, one
 *     per prior (u = logit((h(x) - h(min)) / (h(max) - h(min))), h the identity, or
 *     ln for a loguniform prior), so that every draw is inside the bounds. The kernel (`kernel`): "olcm", the optimal local covariance matrix
 *     of Filippi, Barnes, Cornebise and Stumpf (2013), particle j's own covariance
 *     sum_k w_k (theta_k - theta_j)(theta_k - theta_j)^T over generation g-1's
 *     particles within the new tolerance; or "global" (the default), one covariance
 *     for all, twice the accepted particles' weighted covariance (Beaumont et al.);
 *   - a particle is accepted when its distance is at most the tolerance; its weight
 *     is prior(theta) / sum_j W_j K_j(theta | theta_j) (1 in generation 0),
 *     normalized over the accepted, with prior and kernel densities both taken in the
 *     coordinates the kernel moves in (in u, the prior's density times |dx/du|);
 *   - it stops after G generations, or after a generation whose acceptance rate is
 *     below `min_acceptance`. The posterior is the last generation with an accepted
 *     particle.
 * Distance of a particle: sum over targets t of w_t ((m_t - v_t) / s_t)^2, m_t the
 * median over the particle's R replications, v_t the recorded value, s_t half the
 * record's range (high - low) / 2 or the target's `scale`, w_t the grade's weight
 * (A 1, B 0.5, C 0.25) times the target's `weight`. A replication where the metric is
 * empty (an event that did not happen) counts as larger than any value; when the
 * median falls on one, the term is w_t * min(UR_CALIB_MISSING_TERM, term_cap). With
 * `term_cap` (default none: infinite) every term is at most w_t * term_cap: a target
 * that every particle misses by more adds the same to every distance and no longer
 * decides which particles pass.
 *
 * Each generation runs as a sweep (sweep.h) of a `list` design, one point per
 * particle: DIR/gen-NN.cfg is its sweep file (over DIR/scenario.cfg, the resolved
 * scenario), DIR/gen-NN/ its folder, a valid sweep folder. Generation g's master seed
 * and its proposal stream are hashed from (seed, g). So -j, --resume and shards work
 * as for sweeps, and every file is a function of the calibration file alone.
 *
 * Files of DIR: scenario.cfg, gen-NN.cfg and gen-NN/ per generation, posterior.csv,
 * posterior_summary.csv, history.csv, targets.csv (docs/calibration.md).
 *
 * Error policy: as sweep.h: user mistakes are `FILE:LINE: PATH: expected ..., got
 * ...` messages in a struct ur_diag with a sysexits status; running returns an exit
 * status and a one-line message. Nothing is printed.
 */
#ifndef UNREST_CALIB_H
#define UNREST_CALIB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unrest/run.h"
#include "unrest/scenario.h"

#define UR_CALIB_MAX_PARTICLES 100000u
#define UR_CALIB_MAX_REPLICATIONS 10000u
#define UR_CALIB_MAX_GENERATIONS 100u
#define UR_CALIB_MAX_TARGETS 64u
/* A median that falls on a replication without the metric: as far as ten scales. */
#define UR_CALIB_MISSING_TERM 100.0

enum ur_calib_prior_family { UR_PRIOR_UNIFORM, UR_PRIOR_LOGUNIFORM, UR_PRIOR_NORMAL };

struct ur_calib_prior {
	char *path;                    /* --set path */
	unsigned line;
	enum ur_calib_prior_family family;
	double min, max;               /* bounds of the support */
	double mean, sd;               /* normal: before truncation to [min, max] */
};

/* The calibration metrics that are not summary columns: a region's onset hour, read
 * from summary.csv's region_onsets (as regions_joined by an hour is), and the hour a
 * government action took effect, read from its action_hours. */
#define UR_CALIB_ONSET_METRIC "onset_hour"
#define UR_CALIB_ACTION_METRIC "action_hour"

struct ur_calib_target {
	char *metric;                  /* a summary.csv metric, "onset_hour" or
					* "action_hour" */
	double by_hour;                /* regions_joined by this hour; NAN: over the run */
	char *region;                  /* onset_hour's region id; NULL otherwise */
	char *action;                  /* action_hour's action id; NULL otherwise */
	unsigned line;
	double value, low, high;       /* the record's value and range */
	double scale;                  /* (high - low) / 2, or as given */
	char grade;                    /* 'A', 'B' or 'C' */
	double weight;                 /* grade weight times the target's own weight */
	char *source;                  /* NULL when none given */
};

/* The target's name in targets.csv's `target` column and in messages: the metric,
 * "regions_joined_by_hour_72" for one by an hour, "onset_hour.ALA" for a region's,
 * "action_hour.address_1" for an action's. */
void ur_calib_target_label(const struct ur_calib_target *target, char *buf, size_t size);

/* The sweep.csv column a target is read from: its metric's, region_onsets or
 * action_hours. */
const char *ur_calib_target_column(const struct ur_calib_target *target);

/* A target's value in one replication from its column's text (s, len bytes; the
 * sweep's field): the metric's number, the regions whose onset is at or before
 * by_hour, the region's onset hour or the action's hour; NAN when empty (no CSTO
 * request, the region never reached outcomes.region_active, the action never took
 * effect). 0, or -1 when the text is not a value of the column. */
int ur_calib_target_value(const struct ur_calib_target *target, const char *s, size_t len,
			  double *value);

/* The perturbation kernel of generations after the first (docs/calibration.md). */
enum ur_calib_kernel {
	UR_KERNEL_GLOBAL,              /* one: twice the weighted covariance (default) */
	UR_KERNEL_OLCM                 /* per particle: the optimal local covariance */
};

/* The kernel's name in a calibration file: "olcm" or "global". */
const char *ur_calib_kernel_name(enum ur_calib_kernel kernel);

/* The coordinates the kernel moves the particles in (docs/calibration.md, "Proposal
 * coordinates"). */
enum ur_calib_proposal {
	UR_PROPOSAL_BOUNDED,           /* the values, redrawn inside the bounds (default) */
	UR_PROPOSAL_LOGIT              /* unbounded: each prior's logit */
};

/* The proposal's name in a calibration file: "logit" or "bounded". */
const char *ur_calib_proposal_name(enum ur_calib_proposal proposal);

struct ur_calib_spec {
	char *file;
	char *scenario;                /* relative to the current directory */
	uint64_t seed;
	uint64_t particles, replications, generations;
	double quantile;               /* 0 < q < 1 */
	double min_acceptance;         /* 0 <= a < 1 */
	double term_cap;               /* the most a term counts, over w_t: 0 < c <= 1e6,
					* or HUGE_VAL when not given */
	enum ur_calib_kernel kernel;   /* UR_KERNEL_GLOBAL unless the file says "olcm" */
	enum ur_calib_proposal proposal; /* UR_PROPOSAL_BOUNDED unless it says "logit" */
	size_t npriors;
	struct ur_calib_prior *priors;
	size_t ntargets;
	struct ur_calib_target *targets;
};

/* Reads and checks a calibration file, and loads its scenario to check that every
 * prior's path takes the values of its bounds. NULL with *status and the messages. */
struct ur_calib_spec *ur_calib_spec_read(const char *path, struct ur_diag *diag,
					 enum ur_scenario_status *status);
void ur_calib_spec_destroy(struct ur_calib_spec *spec);

/* One generation, as history.csv says it. */
struct ur_calib_generation {
	unsigned generation;
	double tolerance;
	uint64_t particles, accepted, replications;
	double acceptance;             /* accepted / particles */
	double ess;                    /* effective sample size of the accepted weights */
	uint64_t draws;                /* the proposals' draws: a prior or kernel draw per
					* particle, and every redraw of a bounded proposal */
};

typedef void (*ur_calib_generation_fn)(void *context, const struct ur_calib_generation *g);

struct ur_calib_options {
	unsigned jobs;
	unsigned shard, shards;        /* shard K of N of every generation's units */
	bool resume;
	const char *version;
	int argc;
	const char *const *argv;
	const volatile sig_atomic_t *interrupt;
	ur_run_progress_fn progress;   /* units of the generation running */
	void *progress_context;
	ur_calib_generation_fn on_generation; /* after each generation; NULL: none */
	void *generation_context;
	ur_run_replicate_fn replicate; /* NULL: the model (tests stand in) */
	void *replicate_context;
};

/* The exit statuses of ur_calibrate beyond run.h's: a shard that finished its units
 * of a generation whose other shards have not finished theirs. */
#define UR_CALIB_WAITING 75

struct ur_calib_result {
	int status;                    /* 0 or an exit status (65..75) */
	int signal;                    /* interrupted: the signal's number */
	unsigned generations;          /* generations complete */
	uint64_t simulated;            /* replications in those generations */
	char message[UR_RUN_MESSAGE_SIZE];
};

/* Runs (or resumes) the calibration into dir and, when every generation is done,
 * writes its results there. Returns result->status: 0; UR_RUN_INTERRUPTED (75 with
 * result->signal set) after a signal; UR_CALIB_WAITING for a shard whose generation
 * waits for other shards (result->signal 0); or an I/O or data status. */
int ur_calibrate(const struct ur_calib_spec *spec, const char *dir,
		 const struct ur_calib_options *options, struct ur_calib_result *result);

/* Weighted quantile (exposed for tests): the least x[i] (in sorted order) whose
 * cumulative normalized weight reaches p. x and w of length n > 0, sorted by x. */
double ur_calib_weighted_quantile(const double *x, const double *w, size_t n, double p);

#endif /* UNREST_CALIB_H */
