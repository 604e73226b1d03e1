/*
 * run.c: the run driver (see run.h): worker threads run replications into in-memory
 * buffers; the calling thread writes the buffers to the files in replication order.
 *
 * Buffers live in a ring of 2J slots: replication k uses slot k mod 2J. A worker may
 * take replication k only when k < written + 2J, so slot k mod 2J is free (its last
 * user, k - 2J, has been written). The calling thread waits for slot `written` to be
 * ready, writes it, frees it and wakes the workers. Only the calling thread touches the
 * files, so they need no lock; only the counters and the slots' ready flags are shared.
 */
#include "unrest/run.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unrest/output.h"
#include "unrest/posterior.h"
#include "unrest/rng.h"

#define REASON_SIZE 256

/* One replication's buffers and how it ended. */
struct slot {
	struct ur_recorder recorder;
	bool ready;                 /* finished, waiting to be written (under the lock) */
	bool failed;                /* the model failed: a unit failure, run goes on */
	bool out_of_memory;         /* the run must stop */
	struct ur_params *drawn;    /* the scenario's params with the posterior's row the
				     * replication drew (scenarios with a posterior) */
	char reason[REASON_SIZE];   /* why it failed */
};

struct run {
	const struct ur_params *params;
	const struct ur_posterior *posterior; /* NULL: none */
	const struct ur_run_options *options;
	size_t window;              /* slots */
	struct slot *slots;

	pthread_mutex_t lock;
	pthread_cond_t slot_free;   /* workers wait for room in the window */
	pthread_cond_t slot_ready;  /* the writer waits for the next replication */
	uint64_t next;              /* the next replication to take */
	uint64_t written;           /* replications written (or skipped as failed) */
	bool stop;                  /* take no more replications */
};

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) * 1e-9;
}

/* The default replication: the model. */
static enum ur_model_status run_model(const struct ur_params *params, uint64_t seed,
				      const struct ur_observer *observer,
				      const struct ur_model_options *options, char *why,
				      size_t size)
{
	struct ur_model *model = ur_model_create(params, seed, observer, options);
	if (!model)
		return UR_MODEL_NOMEM;
	enum ur_model_status status = ur_model_run(model);
	if (status != UR_MODEL_OK) {
		const char *error = ur_model_error(model);
		snprintf(why, size, "%s", error && error[0] ? error : "the model failed");
	}
	ur_model_destroy(model);
	return status;
}

/* Runs the run's k-th replication, number first + k, into its slot (outside the lock:
 * the slot is this worker's). */
static void run_replication(const struct run *run, uint64_t k, struct slot *slot)
{
	const struct ur_run_options *options = run->options;
	k += options->first;
	slot->failed = false;
	slot->out_of_memory = false;
	slot->reason[0] = '\0';
	ur_recorder_begin(&slot->recorder, k);

	uint64_t seed = ur_rng_replication_seed(options->seed, k);
	const struct ur_params *params = run->params;
	if (run->posterior) {
		/* The replication's row, from a stream of its own (posterior.h), applied to
		 * a copy of the scenario's params for this replication only. */
		size_t row = ur_posterior_draw(run->posterior, seed);
		if (row == SIZE_MAX || (!slot->drawn && !(slot->drawn = malloc(sizeof *slot->drawn)))) {
			slot->out_of_memory = true;
			return;
		}
		memcpy(slot->drawn, run->params, sizeof *slot->drawn);
		slot->recorder.posterior_row = (uint64_t)row + 1;
		if (ur_posterior_apply(run->posterior, row, slot->drawn) != 0) {
			slot->failed = true;
			snprintf(slot->reason, sizeof slot->reason, "%s:%lu: the posterior's row "
				 "%zu is refused by the scenario", ur_posterior_name(run->posterior),
				 ur_posterior_line(run->posterior, row), row + 1);
			return;
		}
		params = slot->drawn;
	}
	struct ur_observer observer = ur_recorder_observer(&slot->recorder);
	enum ur_model_status status;
	if (options->replicate)
		status = options->replicate(options->replicate_context, params, k, seed,
					    &observer, slot->reason, sizeof slot->reason);
	else
		status = run_model(params, seed, &observer, options->model_options,
				   slot->reason, sizeof slot->reason);
	if (status == UR_MODEL_NOMEM ||
	    (status == UR_MODEL_OBSERVER && ur_recorder_failed(&slot->recorder))) {
		slot->out_of_memory = true;
	} else if (status != UR_MODEL_OK) {
		slot->failed = true;
		if (slot->reason[0] == '\0')
			snprintf(slot->reason, sizeof slot->reason, "the model failed");
	}
}

static void *worker(void *arg)
{
	struct run *run = arg;
	uint64_t total = run->options->replications;
	for (;;) {
		pthread_mutex_lock(&run->lock);
		while (!run->stop && run->next < total && run->next >= run->written + run->window)
			pthread_cond_wait(&run->slot_free, &run->lock);
		if (run->stop || run->next >= total) {
			pthread_mutex_unlock(&run->lock);
			return NULL;
		}
		uint64_t k = run->next++;
		struct slot *slot = &run->slots[k % run->window];
		pthread_mutex_unlock(&run->lock);

		run_replication(run, k, slot);

		pthread_mutex_lock(&run->lock);
		slot->ready = true;
		pthread_cond_signal(&run->slot_ready);
		pthread_mutex_unlock(&run->lock);
	}
}

static enum ur_run_status fail(struct ur_run_result *result, enum ur_run_status status,
			       const char *message)
{
	result->status = status;
	snprintf(result->message, sizeof result->message, "%s", message);
	return status;
}

/* Writes one replication's rows to the open tables. 0, or -1 with the error in err. */
static int write_slot(struct ur_atomic_file *const files[UR_TABLE_COUNT],
		      const struct slot *slot, struct ur_output_error *err)
{
	for (int t = 0; t < UR_TABLE_COUNT; t++) {
		const struct ur_csv *csv = &slot->recorder.table[t];
		if (!files[t] || csv->len == 0)
			continue;
		if (ur_atomic_file_write(files[t], csv->data, csv->len) != 0) {
			/* The commit reports the write error with its file and removes the
			 * temporary file. */
			ur_atomic_file_commit(files[t], err);
			return -1;
		}
	}
	return 0;
}

/* The manifest's name of a file the scenario names (absolute once loaded): relative
 * to the current folder when the file is inside it, as the manifest's `scenario` and
 * `posterior` name theirs, else absolute. So a run from the top of one checkout and
 * the same run from the top of another write the same manifest. */
static const char *manifest_name(const char *absolute, char *cwd, size_t size)
{
	if (!*absolute || !getcwd(cwd, size))
		return absolute;
	size_t n = strlen(cwd);
	if (n > 1 && strncmp(absolute, cwd, n) == 0 && absolute[n] == '/' && absolute[n + 1])
		return absolute + n + 1;
	return absolute;
}

/* Begins scenario.cfg and the enabled tables with their header rows. */
static enum ur_run_status begin_files(struct ur_output *out,
				      const struct ur_scenario *scenario,
				      struct ur_atomic_file *files[UR_TABLE_COUNT],
				      struct ur_output_error *err)
{
	const struct ur_params *params = ur_scenario_params(scenario);
	struct ur_atomic_file *cfg = ur_output_begin(out, "scenario.cfg", err);
	if (!cfg)
		return (enum ur_run_status)err->status;
	ur_scenario_write(scenario, ur_atomic_file_stream(cfg)); /* errors: at commit */

	struct ur_csv header;
	ur_csv_init(&header);
	enum ur_run_status status = UR_RUN_OK;
	for (int t = 0; t < UR_TABLE_COUNT && status == UR_RUN_OK; t++) {
		files[t] = NULL;
		if (!ur_table_enabled(&params->output, (enum ur_table)t))
			continue;
		char name[64];
		snprintf(name, sizeof name, "%s%s", ur_table_file((enum ur_table)t),
			 params->output.compress == UR_COMPRESS_GZIP ? ".gz" : "");
		files[t] = ur_output_begin(out, name, err);
		if (!files[t]) {
			status = (enum ur_run_status)err->status;
			break;
		}
		ur_csv_clear(&header);
		ur_table_header_chosen(&header, (enum ur_table)t,
				       ur_table_run_columns(params, (enum ur_table)t));
		if (header.failed) {
			status = UR_RUN_SOFTWARE;
			snprintf(err->message, sizeof err->message, "out of memory");
		} else {
			ur_atomic_file_write(files[t], header.data, header.len);
		}
	}
	ur_csv_finish(&header);
	return status;
}

enum ur_run_status ur_run(const struct ur_scenario *scenario, const char *dir,
			  const struct ur_run_options *options,
			  struct ur_run_result *result)
{
	assert(scenario && dir && options && result);
	assert(options->replications >= 1 &&
	       options->replications <= UR_RUN_MAX_REPLICATIONS);
	assert(options->first <= UR_RUN_MAX_REPLICATIONS - options->replications);
	assert(options->jobs >= 1 && options->jobs <= UR_RUN_MAX_JOBS);
	*result = (struct ur_run_result){.status = UR_RUN_OK};

	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	const uint64_t total = options->replications;
	const unsigned nthreads = total < options->jobs ? (unsigned)total : options->jobs;

	struct run run = {
		.params = ur_scenario_params(scenario),
		.posterior = ur_scenario_posterior(scenario),
		.options = options,
		.window = 2 * (size_t)nthreads,
	};
	struct ur_output_error err = {0};
	struct ur_output *out = NULL;
	struct ur_manifest_unit *units = NULL;
	char **reasons = NULL;      /* the failed units' reasons, owned here */
	pthread_t *threads = NULL;
	unsigned started = 0;
	uint64_t first_failed = 0;
	bool sync_made = false;
	enum ur_run_status status = UR_RUN_OK;

	/* The record's bytes as they are now, for the manifest (checked at the load). */
	const struct ur_scenario_params *sp = &run.params->scenario;
	uint64_t record_hash = 0, regions_hash = 0;
	const char *unreadable = NULL;
	if (*sp->record && ur_file_hash(sp->record, &record_hash) != 0)
		unreadable = sp->record;
	else if (*sp->regions_file && ur_file_hash(sp->regions_file, &regions_hash) != 0)
		unreadable = sp->regions_file;
	if (unreadable) {
		char message[UR_RUN_MESSAGE_SIZE];
		snprintf(message, sizeof message, "%.400s: cannot read the scenario's record: "
			 "%s", unreadable, strerror(errno));
		fail(result, UR_RUN_DATAERR, message);
		return result->status;
	}

	units = calloc(total, sizeof *units);
	reasons = calloc(total, sizeof *reasons);
	run.slots = calloc(run.window, sizeof *run.slots);
	threads = calloc(nthreads, sizeof *threads);
	if (!units || !reasons || !run.slots || !threads) {
		fail(result, UR_RUN_SOFTWARE, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < run.window; i++)
		ur_recorder_init(&run.slots[i].recorder, run.params);

	/* The folder is made only now, when everything else is ready. */
	out = ur_output_open(dir, &err);
	if (!out) {
		fail(result, (enum ur_run_status)err.status, err.message);
		goto cleanup;
	}
	struct ur_atomic_file *files[UR_TABLE_COUNT] = {0};
	status = begin_files(out, scenario, files, &err);
	if (status != UR_RUN_OK) {
		fail(result, status, err.message);
		goto cleanup;
	}

	if (pthread_mutex_init(&run.lock, NULL) != 0) {
		fail(result, UR_RUN_SOFTWARE, "cannot create a mutex");
		goto cleanup;
	}
	if (pthread_cond_init(&run.slot_free, NULL) != 0) {
		pthread_mutex_destroy(&run.lock);
		fail(result, UR_RUN_SOFTWARE, "cannot create a condition variable");
		goto cleanup;
	}
	if (pthread_cond_init(&run.slot_ready, NULL) != 0) {
		pthread_cond_destroy(&run.slot_free);
		pthread_mutex_destroy(&run.lock);
		fail(result, UR_RUN_SOFTWARE, "cannot create a condition variable");
		goto cleanup;
	}
	sync_made = true;

	/* Fewer threads than asked for change the speed, never the files. */
	for (unsigned i = 0; i < nthreads; i++)
		if (pthread_create(&threads[started], NULL, worker, &run) == 0)
			started++;
	if (started == 0) {
		fail(result, UR_RUN_SOFTWARE, "cannot start a worker thread");
		goto cleanup;
	}

	if (options->progress) {
		struct ur_run_progress p = {0, 0, total, seconds_since(&start)};
		options->progress(options->progress_context, &p);
	}
	for (uint64_t k = 0; k < total; k++) {
		struct slot *slot = &run.slots[k % run.window];
		pthread_mutex_lock(&run.lock);
		while (!slot->ready) {
			if (!options->progress) {
				pthread_cond_wait(&run.slot_ready, &run.lock);
				continue;
			}
			/* Long replications: progress is reported every 0.1 s meanwhile. */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 100000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			if (pthread_cond_timedwait(&run.slot_ready, &run.lock, &until) != 0 &&
			    !slot->ready) {
				pthread_mutex_unlock(&run.lock);
				struct ur_run_progress p = {result->done, result->failed, total,
							    seconds_since(&start)};
				options->progress(options->progress_context, &p);
				pthread_mutex_lock(&run.lock);
			}
		}
		pthread_mutex_unlock(&run.lock);

		units[k] = (struct ur_manifest_unit){
			.point = -1,
			.replication = options->first + k,
			.seed = ur_rng_replication_seed(options->seed, options->first + k),
		};
		if (slot->out_of_memory) {
			fail(result, UR_RUN_SOFTWARE, "out of memory");
			break;
		}
		if (slot->failed) {
			char *reason = malloc(strlen(slot->reason) + 1);
			if (!reason) {
				fail(result, UR_RUN_SOFTWARE, "out of memory");
				break;
			}
			strcpy(reason, slot->reason);
			reasons[k] = reason;
			units[k].failed = true;
			units[k].reason = reason;
			if (result->failed++ == 0)
				first_failed = k;
		} else if (write_slot(files, slot, &err) != 0) {
			fail(result, UR_RUN_IOERR, err.message);
			break;
		}
		result->done++;

		pthread_mutex_lock(&run.lock);
		slot->ready = false;
		run.written++;
		pthread_cond_broadcast(&run.slot_free);
		pthread_mutex_unlock(&run.lock);

		if (options->progress) {
			struct ur_run_progress p = {result->done, result->failed, total,
						    seconds_since(&start)};
			options->progress(options->progress_context, &p);
		}
	}
	if (result->status != UR_RUN_OK)
		goto cleanup;

	char cwd[UR_PATH_SIZE];
	struct ur_manifest manifest = {
		.version = options->version,
		.command = "run",
		.argc = options->argc,
		.argv = options->argv,
		.scenario = options->scenario_path,
		.scenario_hash = ur_scenario_hash(scenario),
		.posterior = run.posterior ? ur_posterior_name(run.posterior) : NULL,
		.posterior_checksum = run.posterior ? ur_posterior_checksum(run.posterior) : 0,
		.master_seed = options->seed,
		.record = manifest_name(sp->record, cwd, sizeof cwd),
		.record_hash = record_hash,
		.regions_file = manifest_name(sp->regions_file, cwd, sizeof cwd),
		.regions_hash = regions_hash,
		.nunits = total,
		.units = units,
	};
	if (ur_output_commit(out, &manifest, &err) != UR_OUTPUT_OK) {
		fail(result, (enum ur_run_status)err.status, err.message);
		goto cleanup;
	}
	if (result->failed > 0) {
		/* The reason is cut to fit the message; the manifest holds it whole. */
		snprintf(result->message, sizeof result->message,
			 "%" PRIu64 " of %" PRIu64 " replications failed (see manifest.cfg); "
			 "replication %" PRIu64 ": %.300s",
			 result->failed, total, options->first + first_failed,
			 reasons[first_failed]);
		result->status = UR_RUN_SOFTWARE;
	}

cleanup:
	if (started > 0) {
		pthread_mutex_lock(&run.lock);
		run.stop = true;
		pthread_cond_broadcast(&run.slot_free);
		pthread_mutex_unlock(&run.lock);
		for (unsigned i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
	}
	if (sync_made) {
		pthread_cond_destroy(&run.slot_ready);
		pthread_cond_destroy(&run.slot_free);
		pthread_mutex_destroy(&run.lock);
	}
	ur_output_destroy(out);
	if (reasons)
		for (uint64_t k = 0; k < total; k++)
			free(reasons[k]);
	if (run.slots)
		for (size_t i = 0; i < run.window; i++) {
			ur_recorder_finish(&run.slots[i].recorder);
			free(run.slots[i].drawn);
		}
	free(threads);
	free(run.slots);
	free(reasons);
	free(units);
	return result->status;
}
