/*
 * run.h: the run driver: R replications of one scenario on J worker threads, written
 * to one output folder (`unrestsim run`).
 *
 * Model. Replication k runs the model with the replication seed
 * ur_rng_replication_seed(S, k), S the master seed, and nothing else of the run: its
 * rows are a function of (scenario, S, k) alone. A run does replications F .. F + R - 1
 * (F = options.first, 0 for a whole run), so a run of some replications writes, byte
 * for byte, the rows a whole run writes for them (`unrestsim run --reps`). Worker threads take replications in
 * order; each buffers its replication's rows in memory; the calling thread writes the
 * buffers to the files in replication order, so every file is the same, byte for
 * byte, for any number of threads. At most 2J replications are finished but not yet
 * written at a time, which bounds the memory held to about 2J replications' rows.
 *
 * Files: scenario.cfg (the resolved scenario), the CSV tables the scenario enables
 * (output.summary, output.national, output.timeseries, output.events), and last
 * manifest.cfg (see output.h for the atomic writes and the -o policy).
 *
 * Failures. A replication whose model fails (a violated invariant, an event the engine
 * refused: a bug) is recorded as failed in the manifest with the model's reason, its
 * rows are left out of every table, and the run goes on; the run's status is then
 * UR_RUN_SOFTWARE with result.failed > 0. Running out of memory, or failing to write,
 * stops the run: no manifest is written and none of the run's files is left.
 *
 * Error policy: statuses are the exit statuses of sysexits.h; a struct ur_run_result
 * holds the counts and a one-line message. Nothing is printed: progress goes to the
 * caller's callback. Bad options (replications 0 or above UR_RUN_MAX_REPLICATIONS,
 * jobs 0 or above UR_RUN_MAX_JOBS, NULL pointers) are programming errors and assert;
 * the command line validates its values before calling.
 *
 * Threads: ur_run creates and joins its own threads; it keeps no global state, so
 * several runs may go on at once in one process (to different folders).
 */
#ifndef UNREST_RUN_H
#define UNREST_RUN_H

#include <stdint.h>

#include "unrest/model.h"
#include "unrest/scenario.h"

#define UR_RUN_MAX_REPLICATIONS UR_MAX_REPLICATIONS /* params.h: the schema's limit */
#define UR_RUN_MAX_JOBS 256u

enum ur_run_status {
	UR_RUN_OK = 0,
	UR_RUN_DATAERR = 65,      /* a folder read back (a sweep's --resume) holds rows
				   * or a manifest that do not agree with the column
				   * table or the design */
	UR_RUN_SOFTWARE = 70,     /* some replications failed (result.failed > 0: the
				   * rest are written), or memory ran out, or no thread
				   * could be started (result.failed = 0: nothing is) */
	UR_RUN_CANTCREAT = 73,    /* the output folder or a file cannot be created */
	UR_RUN_IOERR = 74,        /* a write, sync or rename failed */
	UR_RUN_INTERRUPTED = 75   /* stopped by a signal after committing what was done
				   * (a sweep: result.signal says which; the command
				   * line exits 128 + signal) */
};

/* How far a run has come; passed to the progress callback. */
struct ur_run_progress {
	uint64_t done;       /* replications finished and written, failed ones included */
	uint64_t failed;     /* of which failed */
	uint64_t total;      /* replications of the run */
	double elapsed_s;    /* seconds since ur_run began (monotonic clock) */
};

/* Called by ur_run on the calling thread: once before the first replication (done =
 * 0), after each replication is written, and every 0.1 s while it waits for one (the
 * callback decides when to show anything). Keep it short: the files wait for it. It
 * never changes what is written. */
typedef void (*ur_run_progress_fn)(void *context, const struct ur_run_progress *progress);

/* Runs replication `replication` with seed `seed`, reporting to `observer` as the
 * model does; returns the model's status and, when it is not UR_MODEL_OK, a one-line
 * reason in why[0..size). Called on worker threads, several at once. The default runs
 * the model; tests put a stand-in here (replications that finish out of order, or
 * fail). */
typedef enum ur_model_status (*ur_run_replicate_fn)(void *context,
						     const struct ur_params *params,
						     uint64_t replication, uint64_t seed,
						     const struct ur_observer *observer,
						     char *why, size_t size);

struct ur_run_options {
	uint64_t seed;                   /* master seed S */
	uint64_t replications;           /* R, 1 .. UR_RUN_MAX_REPLICATIONS */
	uint64_t first;                  /* F, the first replication's index; F + R at
					  * most UR_RUN_MAX_REPLICATIONS */
	unsigned jobs;                   /* worker threads J, 1 .. UR_RUN_MAX_JOBS (fewer
					  * are started when R < J) */
	/* For the manifest: */
	const char *version;             /* program version */
	const char *scenario_path;       /* the scenario file as named by the user */
	int argc;                        /* the command line, argv[0] first */
	const char *const *argv;
	/* Optional: */
	ur_run_progress_fn progress;     /* NULL for none */
	void *progress_context;
	const struct ur_model_options *model_options; /* NULL for the defaults */
	ur_run_replicate_fn replicate;   /* NULL: the model */
	void *replicate_context;
};

#define UR_RUN_MESSAGE_SIZE 512

struct ur_run_result {
	enum ur_run_status status;
	uint64_t done;                   /* replications written (failed ones included) */
	uint64_t failed;                 /* replications that failed */
	/* "" on success; else what went wrong, one line: the I/O error with its file,
	 * or how many replications failed and the first one's reason. */
	char message[UR_RUN_MESSAGE_SIZE];
};

/* Runs the scenario into the folder `dir` and fills *result; returns result->status. */
enum ur_run_status ur_run(const struct ur_scenario *scenario, const char *dir,
			  const struct ur_run_options *options,
			  struct ur_run_result *result);

#endif /* UNREST_RUN_H */
