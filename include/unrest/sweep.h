/*
 * sweep.h: parameter sweeps: sweep files, their designs, running the units of a sweep
 * on worker threads and on shards, and merging shard folders (`unrestsim sweep`,
 * `unrestsim merge`; docs/sweeps.md).
 *
 * Model. A sweep file names a scenario, a number of replications R, a master seed S, a
 * design and the parameters it varies (paths as --set takes them). The design turns
 * the file into P points, each a value for every parameter: `grid` (the product of the
 * dimensions' value lists, the first dimension varying slowest; a `zip` group is one
 * dimension whose parameters advance together), `lhs` (a Latin hypercube of n points
 * over ranges: in each dimension every one of the n strata [i/n, (i+1)/n) holds
 * exactly one point), `sobol` (the first n points of GSL's Sobol sequence, scaled to
 * the ranges) or `list` (the points as written). Point p's scenario is the sweep's
 * scenario with its values applied as --set overrides. Unit u = p*R + k is
 * replication k of point p, seeded with ur_rng_replication_seed(S, k) whatever the
 * point (common random numbers). Shard K of N (1 <= K <= N) takes the units with
 * u mod N == K - 1. With `seeds = "independent"` unit u is seeded with
 * ur_rng_replication_seed(S, u) instead: no random numbers are shared between points.
 *
 * Files of a sweep folder (docs/sweeps.md): scenario.cfg (the scenario without the
 * sweep's overrides), sweep.cfg (the resolved sweep: every point written out as a
 * `list` design, runnable), sweep.csv (summary.csv's columns preceded by `point` and
 * one column per parameter, rows in unit order), sweep_stats.csv (per point and
 * metric: count, mean, sd, 95% CI of the mean, p5, p50, p95; outcome shares with
 * Wilson intervals) and manifest.cfg, whose units are this folder's units with their
 * status. With the scenario's output.point_series, also sweep_national.csv (each done
 * unit's national series, exact) and point_series.csv (per point and sample hour, the
 * series' mean and 5/50/95 percentiles over the point's done units). In a sweep's manifest, `scenario` names the sweep file and `scenario_hash`
 * is the sweep hash, FNV-1a 64 of sweep.cfg's text: two folders belong to one sweep
 * when their hashes agree. Every file is a function of the sweep file and of which
 * units are done, never of the number of jobs or shards.
 *
 * Invariants: a struct ur_sweep exists only for a sweep whose every point's scenario
 * passed every check; it never changes after the load and shares nothing. The sweep
 * file and the scenario with its base files are read once, by ur_sweep_load; a point's
 * scenario is derived from the loaded one (ur_scenario_derive), never re-read.
 *
 * Layering: the sweep module uses only the public API of the scenario module
 * (scenario.h), the output module (output.h: CSV, the folder, manifests) and the run
 * driver (run.h); its reader of sweep files reads libconfig text through sim/conf.
 *
 * Error policy: user mistakes are messages in a struct ur_diag in the scenario
 * module's form `FILE:LINE: PATH: expected ..., got ...`, with a status equal to an
 * exit status of sysexits.h (enum ur_scenario_status). Running returns enum
 * ur_run_status values with a one-line message. Nothing is printed except by
 * ur_sweep_list, to the stream it is given. NULL pointers where a pointer is required
 * are programming errors and assert.
 */
#ifndef UNREST_SWEEP_H
#define UNREST_SWEEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "unrest/run.h"
#include "unrest/scenario.h"

enum ur_sweep_design { UR_SWEEP_GRID, UR_SWEEP_LHS, UR_SWEEP_SOBOL, UR_SWEEP_LIST };

/* Limits, checked on load: a sweep is at most this many points, dimensions, units. */
#define UR_SWEEP_MAX_POINTS 1000000u
#define UR_SWEEP_MAX_PARAMS 40u    /* GSL's Sobol generator has 40 dimensions */
#define UR_SWEEP_MAX_UNITS 10000000u

/* One value of a parameter: what --set gets and what the CSV columns show. */
enum ur_sweep_value_type { UR_SWEEP_INT, UR_SWEEP_REAL, UR_SWEEP_BOOL, UR_SWEEP_TEXT };
struct ur_sweep_value {
	enum ur_sweep_value_type type;
	int64_t integer;
	double real;
	bool boolean;
	char *text;                    /* UR_SWEEP_TEXT: malloc'd */
};

/* ---- the sweep file as written (sweepfile.c reads it through sim/conf) ------------- */
struct ur_sweep_param_spec {
	char *path;                    /* --set path */
	unsigned line;                 /* where it is given */
	/* grid: nvalues values; lhs/sobol: the range [min, max] (integer: whole numbers
	 * min..max, each equally likely) */
	size_t nvalues;
	struct ur_sweep_value *values;
	double min, max;
	bool integer;
};

struct ur_sweep_dim_spec {       /* grid: one dimension (a zip group or one param) */
	size_t first, count;           /* params[first .. first+count) */
};

struct ur_sweep_spec {
	char *file;                    /* the sweep file as named */
	char *scenario;                /* its scenario, relative to the current directory */
	bool has_replications, has_seed;
	uint64_t replications, seed;
	bool independent_seeds;        /* seeds = "independent" (below) */
	enum ur_sweep_design design;
	size_t npoints;                /* lhs, sobol: n; list: the points written */
	size_t nparams;
	struct ur_sweep_param_spec *params;
	size_t ndims;                  /* grid */
	struct ur_sweep_dim_spec *dims;
	struct ur_sweep_value *list;   /* list: npoints x nparams */
};

/* Reads and checks a sweep file (not its scenario, not its points). NULL with
 * *status and messages in diag on failure. */
struct ur_sweep_spec *ur_sweep_spec_read(const char *path, struct ur_diag *diag,
					 enum ur_scenario_status *status);
void ur_sweep_spec_destroy(struct ur_sweep_spec *spec);

/* ---- designs (exposed for tests; values are in [0, 1)) ------------------------------ */
/* A Latin hypercube of n points in d dimensions into out[n*d] (row i is point i):
 * dimension j of point i is (perm_j[i] + U)/n, perm_j a gsl_ran_shuffle'd 0..n-1 and U
 * uniform on [0, 1), dimension by dimension, drawn from rng. */
void ur_sweep_lhs(size_t n, size_t d, gsl_rng *rng, double *out);
/* The first n points of gsl_qrng_sobol in d (1..40) dimensions into out[n*d]; 0, or
 * -1 when out of memory. */
int ur_sweep_sobol(size_t n, size_t d, double *out);

/* Unit (point, k)'s seed: ur_rng_replication_seed(seed, k) for common random numbers
 * (the default: replication k of every point draws the same numbers), or, with
 * `seeds = "independent"`, ur_rng_replication_seed(seed, point * replications + k):
 * every unit its own draws, as approximate Bayesian computation needs (a particle's
 * noise must not be shared with the others it is compared with). */
uint64_t ur_sweep_unit_seed(uint64_t seed, bool independent, uint64_t replications,
			    uint64_t point, uint64_t k);

/* The 95% (z = 1.96) Wilson score interval for k successes in n > 0 trials. */
void ur_sweep_wilson(uint64_t k, uint64_t n, double *low, double *high);

/* ---- a loaded sweep ----------------------------------------------------------------- */
struct ur_sweep;

/* Reads the sweep file and its scenario (once), builds its design, checks every
 * point's scenario. A point whose overrides do not pass is a BAD_INPUT (65) naming the
 * point; a missing scenario file is MISSING (66). */
struct ur_sweep *ur_sweep_load(const char *path, struct ur_diag *diag,
			       enum ur_scenario_status *status);

/* The command line's changes to a sweep file (`unrestsim sweep --set -r -s`). */
struct ur_sweep_overrides {
	const char *const *sets;       /* PATH=VALUE, applied to the sweep's scenario when
					* it loads, before any point's values (a point's
					* value of the same path wins) */
	size_t nsets;
	bool has_replications;         /* replications replaces the file's */
	uint64_t replications;         /* 1 .. UR_RUN_MAX_REPLICATIONS */
	bool has_seed;                 /* seed replaces the file's master seed */
	uint64_t seed;
};

/* ur_sweep_load with overrides (NULL: none). The folder records their effect:
 * scenario.cfg is the scenario with the --set applied and sweep.cfg names the
 * replications and seed, so the folder's sweep.cfg reruns the same sweep, and the
 * sweep hash differs from the file's own. */
struct ur_sweep *ur_sweep_load_with(const char *path, const struct ur_sweep_overrides *o,
				    struct ur_diag *diag, enum ur_scenario_status *status);
void ur_sweep_destroy(struct ur_sweep *sweep);

size_t ur_sweep_points(const struct ur_sweep *sweep);
size_t ur_sweep_params(const struct ur_sweep *sweep);
uint64_t ur_sweep_replications(const struct ur_sweep *sweep);
uint64_t ur_sweep_seed(const struct ur_sweep *sweep);
/* Whether the sweep's units have independent seeds (ur_sweep_unit_seed). */
bool ur_sweep_independent_seeds(const struct ur_sweep *sweep);
const char *ur_sweep_param_path(const struct ur_sweep *sweep, size_t param);
const struct ur_sweep_value *ur_sweep_value(const struct ur_sweep *sweep, size_t point,
					    size_t param);
/* Point `point`'s scenario: derived from the sweep's loaded scenario with the point's
 * values as --set overrides (no file is read), the caller's to destroy before the
 * sweep. Every point was checked when the sweep loaded, so NULL here means out of
 * memory. Threads may call it at once. */
struct ur_scenario *ur_sweep_point_scenario(const struct ur_sweep *sweep, size_t point,
					    struct ur_diag *diag,
					    enum ur_scenario_status *status);
/* The resolved sweep (sweep.cfg's text) and its FNV-1a 64 hash. */
const char *ur_sweep_text(const struct ur_sweep *sweep);
uint64_t ur_sweep_hash(const struct ur_sweep *sweep);

/* Writes the units of shard K of N (1-based; 1 of 1 for all) as CSV: point,
 * replication, each parameter by path, seed. 0, or -1 on a write error. */
int ur_sweep_list(const struct ur_sweep *sweep, unsigned shard, unsigned shards,
		  FILE *stream);

/* ---- running ------------------------------------------------------------------------ */
struct ur_sweep_options {
	unsigned jobs;                 /* worker threads, 1 .. UR_RUN_MAX_JOBS */
	unsigned shard, shards;        /* shard K of N, 1 <= K <= N */
	bool resume;                   /* skip the units the folder's manifest says done */
	double checkpoint_s;           /* commit the folder at most this often while
					* running (so a killed sweep can resume); <= 0:
					* only at the end */
	double checkpoint_share;       /* > 0: also no sooner than the last commit's
					* duration / share after it, so that commits of a
					* large folder take at most this share of the time
					* (0.1: a 3 s commit waits 30 s); <= 0: no limit */
	/* For the manifest: */
	const char *version;
	const char *sweep_path;        /* the sweep file as named by the user */
	int argc;
	const char *const *argv;
	/* Optional: */
	/* A flag a signal handler sets to the signal's number (SIGTERM, SIGINT): the
	 * sweep then takes no more units, commits the units finished (a checkpoint) and
	 * returns UR_RUN_INTERRUPTED. Looked at every 0.1 s. NULL for none. */
	const volatile sig_atomic_t *interrupt;
	ur_run_progress_fn progress;   /* done/total count this shard's units; called
					* after each unit and every 0.1 s */
	void *progress_context;
	const struct ur_model_options *model_options;
	ur_run_replicate_fn replicate; /* NULL: the model; `replication` is the unit's k */
	void *replicate_context;
};

struct ur_sweep_result {
	enum ur_run_status status;
	uint64_t units;                /* this shard's units */
	uint64_t skipped;              /* done before (--resume) */
	uint64_t done;                 /* run now, failed ones included */
	uint64_t failed;               /* units failed, in the folder */
	int signal;                    /* UR_RUN_INTERRUPTED: the signal's number */
	unsigned checkpoints;          /* folder commits, the last one included */
	double checkpoint_seconds;     /* wall time they took, in all */
	double checkpoint_cpu_seconds; /* processor time they took (the calling thread) */
	char message[UR_RUN_MESSAGE_SIZE];
};

/* Runs the sweep's units of the shard into `dir`, which it takes (ur_output_open:
 * checked and locked) before any unit runs and holds until it returns. Commits the
 * folder every options.checkpoint_s seconds while units run, and at the end (see
 * output.h for why a kill during a commit loses nothing committed before). OK, or
 * SOFTWARE with result->failed > 0 when units failed (the others are written), or
 * INTERRUPTED after the interrupt flag was set (the units finished are committed), or
 * an I/O status. With resume, a folder holding another sweep (its manifest's hash
 * differs) is refused with UR_RUN_CANTCREAT, one whose sweep.csv rows or manifest
 * units do not agree with the column table and the design with UR_RUN_DATAERR and a
 * `FILE:LINE: expected ..., found ...` message. */
enum ur_run_status ur_sweep_run(const struct ur_sweep *sweep, const char *dir,
				const struct ur_sweep_options *options,
				struct ur_sweep_result *result);

/* Joins shard folders into `dir`, which then holds what one unsharded sweep writes
 * (the manifest's command and command_line aside), whatever the order of `shards`.
 * Refuses, with status 65 and a message, folders of different sweeps, units in two
 * folders, units in none, rows or manifest units that do not agree with the column
 * table and the design (FILE:LINE), and folders without a manifest (66 when a folder
 * or its files cannot be read). The return is an exit status (0, 64..74) and
 * result->message says why. */
int ur_sweep_merge(const char *dir, const char *const *shards, size_t nshards,
		   const char *version, int argc, const char *const *argv,
		   struct ur_sweep_result *result);

/* ---- driving a sweep file to completion across shards (drive.c) ---------------------- */
/* For the commands built on sweeps (calibrate, sensitivity): each writes a sweep file
 * DIR/NAME.cfg and needs DIR/NAME to hold every unit, whether it runs at once or as
 * shard K of N started by separate processes (each into DIR/NAME.shard-K-of-N, the
 * last to finish merging them into DIR/NAME). */
enum ur_sweep_drive_stage {
	UR_DRIVE_DONE,                 /* DIR/NAME holds every unit */
	UR_DRIVE_LOAD,                 /* the sweep file or memory failed */
	UR_DRIVE_RUN,                  /* this shard's sweep stopped (ur_sweep_run) */
	UR_DRIVE_WAITING,              /* this shard is done, shard `waiting_for` is not */
	UR_DRIVE_MERGE,                /* merging the shards failed */
};

struct ur_sweep_drive_result {
	enum ur_sweep_drive_stage stage;
	int status;                    /* 0, or the exit status (UR_DRIVE_WAITING: 0) */
	int signal;                    /* UR_DRIVE_RUN interrupted: the signal's number */
	unsigned waiting_for;          /* UR_DRIVE_WAITING: the first shard not done */
	char message[UR_RUN_MESSAGE_SIZE];
};

/* Runs DIR/NAME.cfg so that DIR/NAME holds every unit. `base` gives the jobs, shard,
 * resume, manifest and callback fields (sweep_path and the checkpoint spacing are
 * set here). With resume, a folder already complete is left as it is and a shard
 * already complete is not run again. Returns result->status for every stage but
 * UR_DRIVE_WAITING, where the caller chooses its own status. */
int ur_sweep_drive(const char *dir, const char *name, const struct ur_sweep_options *base,
		   struct ur_sweep_drive_result *result);

/* ---- a study's folder (studydir.c) -------------------------------------------------- */
/* A study (calibrate, sensitivity) writes files of fixed names into its folder DIR: it
 * may write into DIR only when DIR is missing, empty, or its own, so that a folder of
 * the user's is refused before anything in it changes (a user's scenario.cfg or
 * posterior.csv there was overwritten), while the study's own folder is taken again
 * (--resume, a rerun, shards started together). */
struct ur_study_folder {
	const char *kind;              /* for messages: "a calibration" */
	const char *const *names;      /* the names it writes, NULL-terminated */
	const char *prefix;            /* and the names that begin so (its sweeps' folders
					* and files), or NULL */
	const char *marker;            /* the file it writes first, */
	const char *marker_head;       /* whose first line begins so */
};

/* 0 when DIR is missing, empty, or the study's own: every name in it one of f's (or
 * that name with .tmp), and f->marker a regular file whose first line begins with
 * f->marker_head (or f->marker.tmp there: a shard started beside this one is writing
 * it). Otherwise -1 with `DIR: not empty and not the folder of KIND (it holds 'NAME');
 * refusing to write into it: ...` (or why DIR cannot be read) in message: the caller
 * exits with UR_RUN_CANTCREAT. */
/* Removes DIR/NAME for each of the NULL-terminated names that exists: a study's
 * results of an earlier run go before anything is run, so that a run stopped before
 * its end leaves none that look whole. 0, or -1 with `PATH: why` in message (the
 * caller exits with UR_RUN_CANTCREAT). */
int ur_study_folder_clear(const char *dir, const char *const *names, char *message,
			  size_t size);

int ur_study_folder_check(const char *dir, const struct ur_study_folder *f, char *message,
			  size_t size);

/* Splits one line of a sweep's CSV (sweep.csv, read back by the commands built on
 * sweeps: calibrate, sensitivity), its line end already removed, in place into
 * NUL-terminated fields: a quoted field loses its quotes and its doubled quotes are
 * made single (RFC 4180). Fills at most max fields and returns how many it filled. */
size_t ur_sweep_split_line(char *line, char **fields, size_t max);

/* Adds a message to diag (counted in total; kept up to its limit): the sweep driver's
 * own messages, in the scenario module's store. 0, or -1 when out of memory. */
int ur_sweep_diag_add(struct ur_diag *diag, const char *text);

#endif /* UNREST_SWEEP_H */
