/*
 * bench_engine.c: how fast the engine runs events, against its bare priority queue.
 *
 * Prints CSV on stdout, `benchmark,pending,events,ns_per_event`, one row per measure:
 *   queue_hold     the hold model on the bare queue (queue.h): take the least key and
 *                  put back one at its time + Exp(1) in a single sift (replace_top), the
 *                  fastest the heap allows;
 *   engine_hold    the same through the public API: each event's handler schedules the
 *                  next at now + Exp(1), dispatched by kind;
 *   engine_hold_indexed  the same after one cancel, which makes the engine build and
 *                  from then on keep its position index (as any model that cancels or
 *                  reschedules does): the price of the index;
 *   engine_cancel  a timeout per target, re-armed by every message to the target: the
 *                  message cancels the pending timeout and schedules a new one 5 time
 *                  units ahead, while messages come every Exp(1), so e^-5 = 0.7% of the
 *                  timeouts fire and the rest are cancelled (pending = two per target);
 *   engine_move    the hold, where each event also moves another pending event, picked
 *                  at random, to now + Exp(1): the model's redraw of a region's pending
 *                  event when its rate changes;
 *   mm1            an M/M/1 queue (lambda = 0.7, mu = 1) on the engine (`pending`: the
 *                  largest queue). Its mean time in system is checked against
 *                  1/(mu - lambda) (stderr); the program exits 1 if they differ by more
 *                  than 4 batch-means standard errors.
 * The hold model keeps the number of pending events constant; `pending` is that number,
 * `events` the events timed after a warm-up of `pending` events, and `ns_per_event`
 * the CPU time per event (a hold is one event). The queue and the engine are
 * measured back to back at each size so that they see the same machine load.
 *
 * Options: --scale X multiplies the events per measure (default 1: 4 million; 0.05 for
 * a quick run), --max-pending N skips larger sizes, --repeat R measures each row R
 * times and prints the fastest, --seed S seeds the GSL generator.
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "queue.h"
#include "unrest/engine.h"

enum {
	EXP_TABLE_SIZE = 1 << 14,
	KIND_HOLD = 0,
	KIND_MESSAGE = 1,
	KIND_TIMEOUT = 2,
	KIND_ARRIVAL = 3,
	KIND_DEPARTURE = 4,
	MM1_BATCHES = 20,
};

static const double base_events = 4e6;
static const double mm1_lambda = 0.7, mm1_mu = 1.0;
static const double mm1_tolerance_se = 4.0;
static const double timeout_delay = 5.0;

/*
 * Exp(1) increments, cheap enough not to dominate a hold of 50 ns: 2^14 draws are made
 * once with gsl_ran_exponential (128 KiB, they stay in L2), then read in turn. Each pass
 * over the table starts at an offset drawn anew, so the sequence does not repeat with
 * period 2^14. Both the bare queue and the engine read the same stream.
 */
struct exp_stream {
	double *table;
	gsl_rng *rng;
	uint32_t next;
	uint32_t offset;
};

static inline double exp_next(struct exp_stream *stream)
{
	if ((stream->next & (EXP_TABLE_SIZE - 1)) == 0)
		stream->offset = (uint32_t)gsl_rng_uniform_int(stream->rng, EXP_TABLE_SIZE);
	return stream->table[(stream->next++ + stream->offset) & (EXP_TABLE_SIZE - 1)];
}

/* CPU time of this thread, not wall-clock time: on a machine shared with other work,
 * time spent descheduled would otherwise be counted as the code's. */
static double seconds_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void fail(const char *what)
{
	fprintf(stderr, "bench_engine: %s\n", what);
	exit(EXIT_FAILURE);
}

/* ---- hold on the bare queue ---- */

static double queue_hold(struct exp_stream *stream, size_t pending, size_t events)
{
	struct ur_queue queue;
	if (ur_queue_init(&queue, pending) != UR_QUEUE_OK)
		fail("out of memory");
	uint64_t seq = 0;
	for (size_t i = 0; i < pending; i++)
		ur_queue_push(&queue, ur_queue_key_make(exp_next(stream), seq++ << 32 | i));

	double elapsed = 0.0;
	for (int phase = 0; phase < 2; phase++) {
		size_t count = phase == 0 ? pending : events; /* warm up, then time */
		double start = seconds_now();
		for (size_t i = 0; i < count; i++) {
			struct ur_queue_key top = ur_queue_top(&queue);
			double time = ur_queue_key_time(top.time_key) + exp_next(stream);
			uint64_t slot = top.word & UINT32_MAX;
			ur_queue_replace_top(&queue, ur_queue_key_make(time, seq++ << 32 | slot));
		}
		elapsed = seconds_now() - start;
	}
	ur_queue_finish(&queue);
	return elapsed;
}

/* ---- hold on the engine ---- */

struct hold {
	struct exp_stream *stream;
	uint64_t remaining;
};

static void on_hold(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct hold *hold = context;
	ur_engine_schedule_in(engine, exp_next(hold->stream), KIND_HOLD, event->target,
			      event->payload, NULL);
	if (--hold->remaining == 0)
		ur_engine_stop(engine);
}

static double engine_hold(struct exp_stream *stream, size_t pending, size_t events,
			  bool indexed)
{
	struct ur_engine *engine = ur_engine_create(0.0);
	if (!engine || ur_engine_reserve(engine, pending) != UR_ENGINE_OK)
		fail("out of memory");
	struct hold hold = { stream, 0 };
	ur_engine_set_handler(engine, KIND_HOLD, on_hold, &hold);
	for (size_t i = 0; i < pending; i++)
		ur_engine_schedule(engine, exp_next(stream), KIND_HOLD, (uint32_t)i,
				   (union ur_payload){ .integer = 0 }, NULL);
	if (indexed) {
		/* one cancel makes the engine build and keep its position index */
		struct ur_event_handle extra;
		ur_engine_schedule(engine, 1e9, KIND_HOLD, 0, (union ur_payload){ .integer = 0 },
				   &extra);
		if (ur_engine_cancel(engine, extra) != UR_ENGINE_OK)
			fail("hold: the cancel failed");
	}

	double elapsed = 0.0;
	for (int phase = 0; phase < 2; phase++) {
		hold.remaining = phase == 0 ? pending : events;
		double start = seconds_now();
		if (ur_engine_run(engine) != UR_ENGINE_STOPPED)
			fail("hold: the run did not stop");
		elapsed = seconds_now() - start;
	}
	ur_engine_destroy(engine);
	return elapsed;
}

/* ---- hold and move: every event also moves another pending one ---- */

struct mover {
	struct exp_stream *stream;
	struct ur_event_handle *next; /* per target */
	uint32_t targets;
	uint32_t pick;                /* a cheap generator for the target to move */
	uint64_t remaining;
};

static void on_move(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct mover *m = context;
	uint32_t target = event->target;
	ur_engine_schedule_in(engine, exp_next(m->stream), KIND_HOLD, target, event->payload,
			      &m->next[target]);
	/* A linear congruential step picks the target: GSL's generators cost more than the
	 * move being measured, and the choice needs no statistical quality. */
	m->pick = m->pick * 1664525u + 1013904223u;
	uint32_t other = (uint32_t)(((uint64_t)m->pick * m->targets) >> 32);
	ur_engine_reschedule(engine, m->next[other], ur_engine_now(engine) + exp_next(m->stream));
	if (--m->remaining == 0)
		ur_engine_stop(engine);
}

static double engine_move(struct exp_stream *stream, size_t pending, size_t events)
{
	struct ur_engine *engine = ur_engine_create(0.0);
	struct mover m = { stream, calloc(pending, sizeof *m.next), (uint32_t)pending, 1, 0 };
	if (!engine || !m.next || ur_engine_reserve(engine, pending) != UR_ENGINE_OK)
		fail("out of memory");
	ur_engine_set_handler(engine, KIND_HOLD, on_move, &m);
	for (size_t i = 0; i < pending; i++)
		ur_engine_schedule(engine, exp_next(stream), KIND_HOLD, (uint32_t)i,
				   (union ur_payload){ .integer = 0 }, &m.next[i]);
	double elapsed = 0.0;
	for (int phase = 0; phase < 2; phase++) {
		m.remaining = phase == 0 ? pending : events;
		double start = seconds_now();
		if (ur_engine_run(engine) != UR_ENGINE_STOPPED)
			fail("move: the run did not stop");
		elapsed = seconds_now() - start;
	}
	ur_engine_destroy(engine);
	free(m.next);
	return elapsed;
}

/* ---- timeouts, most cancelled ---- */

struct timeouts {
	struct exp_stream *stream;
	struct ur_event_handle *timeout; /* per target */
	uint64_t remaining;
	uint64_t fired;
};

static void on_message(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct timeouts *state = context;
	uint32_t target = event->target;
	ur_engine_cancel(engine, state->timeout[target]); /* stale if it fired: a no-op */
	ur_engine_schedule_in(engine, timeout_delay, KIND_TIMEOUT, target, event->payload,
			      &state->timeout[target]);
	ur_engine_schedule_in(engine, exp_next(state->stream), KIND_MESSAGE, target,
			      event->payload, NULL);
	if (--state->remaining == 0)
		ur_engine_stop(engine);
}

static void on_timeout(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)event;
	struct timeouts *state = context;
	state->fired++;
	if (--state->remaining == 0)
		ur_engine_stop(engine);
}

static double engine_cancel(struct exp_stream *stream, size_t pending, size_t events)
{
	size_t targets = pending / 2;
	struct ur_engine *engine = ur_engine_create(0.0);
	struct timeouts state = { stream, calloc(targets, sizeof *state.timeout), 0, 0 };
	if (!engine || !state.timeout)
		fail("out of memory");
	ur_engine_set_handler(engine, KIND_MESSAGE, on_message, &state);
	ur_engine_set_handler(engine, KIND_TIMEOUT, on_timeout, &state);
	for (size_t i = 0; i < targets; i++) {
		union ur_payload none = { .integer = 0 };
		ur_engine_schedule(engine, exp_next(stream), KIND_MESSAGE, (uint32_t)i, none, NULL);
		ur_engine_schedule(engine, timeout_delay, KIND_TIMEOUT, (uint32_t)i, none,
				   &state.timeout[i]);
	}

	double elapsed = 0.0;
	for (int phase = 0; phase < 2; phase++) {
		state.remaining = phase == 0 ? pending : events;
		double start = seconds_now();
		if (ur_engine_run(engine) != UR_ENGINE_STOPPED)
			fail("cancel: the run did not stop");
		elapsed = seconds_now() - start;
	}
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	if (stats.scheduled != stats.executed + stats.cancelled + stats.pending)
		fail("cancel: counters do not add up");
	ur_engine_destroy(engine);
	free(state.timeout);
	return elapsed;
}

/* ---- M/M/1 ---- */

struct mm1 {
	gsl_rng *rng;
	double *arrivals; /* arrival times of the customers in the system, a ring */
	size_t ring_mask;
	size_t head, count;
	size_t warmup;    /* customers discarded before measuring */
	size_t served;    /* customers departed, warm-up included */
	size_t measured;  /* customers to measure */
	double *sojourn;  /* time in system of each measured customer */
};

static void on_arrival(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)event;
	struct mm1 *q = context;
	if (q->count > q->ring_mask)
		fail("mm1: more customers in the system than the ring holds");
	q->arrivals[(q->head + q->count++) & q->ring_mask] = ur_engine_now(engine);
	union ur_payload none = { .integer = 0 };
	if (q->count == 1)
		ur_engine_schedule_in(engine, gsl_ran_exponential(q->rng, 1.0 / mm1_mu),
				      KIND_DEPARTURE, 0, none, NULL);
	ur_engine_schedule_in(engine, gsl_ran_exponential(q->rng, 1.0 / mm1_lambda),
			      KIND_ARRIVAL, 0, none, NULL);
}

static void on_departure(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)event;
	struct mm1 *q = context;
	double arrived = q->arrivals[q->head];
	q->head = (q->head + 1) & q->ring_mask;
	q->count--;
	if (q->served >= q->warmup)
		q->sojourn[q->served - q->warmup] = ur_engine_now(engine) - arrived;
	q->served++;
	if (q->served == q->warmup + q->measured) {
		ur_engine_stop(engine);
		return;
	}
	if (q->count > 0)
		ur_engine_schedule_in(engine, gsl_ran_exponential(q->rng, 1.0 / mm1_mu),
				      KIND_DEPARTURE, 0, (union ur_payload){ .integer = 0 }, NULL);
}

/* Runs the queue, prints its row and its check; returns whether the check passed. */
static bool mm1(gsl_rng *rng, size_t events)
{
	size_t customers = events / 2 / MM1_BATCHES * MM1_BATCHES;
	if (customers < 1000 * MM1_BATCHES)
		customers = 1000 * MM1_BATCHES;
	/* P(more than 2^16 in system) = 0.7^65536: never; the ring checks anyway. */
	struct mm1 q = {
		.rng = rng,
		.arrivals = malloc(sizeof(double) << 16),
		.ring_mask = (1u << 16) - 1,
		.warmup = 10000,
		.measured = customers,
		.sojourn = malloc(customers * sizeof(double)),
	};
	struct ur_engine *engine = ur_engine_create(0.0);
	if (!engine || !q.arrivals || !q.sojourn)
		fail("out of memory");
	ur_engine_set_handler(engine, KIND_ARRIVAL, on_arrival, &q);
	ur_engine_set_handler(engine, KIND_DEPARTURE, on_departure, &q);
	ur_engine_schedule(engine, 0.0, KIND_ARRIVAL, 0, (union ur_payload){ .integer = 0 }, NULL);

	double start = seconds_now();
	if (ur_engine_run(engine) != UR_ENGINE_STOPPED)
		fail("mm1: the run did not stop");
	double elapsed = seconds_now() - start;
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);

	/* Successive times in system are correlated; means of 20 long batches are close to
	 * independent, and their spread gives the standard error of the overall mean. */
	double batch_mean[MM1_BATCHES];
	size_t batch = customers / MM1_BATCHES;
	for (size_t b = 0; b < MM1_BATCHES; b++)
		batch_mean[b] = gsl_stats_mean(q.sojourn + b * batch, 1, batch);
	double mean = gsl_stats_mean(batch_mean, 1, MM1_BATCHES);
	double se = gsl_stats_sd(batch_mean, 1, MM1_BATCHES) / sqrt((double)MM1_BATCHES);
	double expected = 1.0 / (mm1_mu - mm1_lambda);
	bool ok = fabs(mean - expected) <= mm1_tolerance_se * se;
	/* The chance that a correct queue fails: two tails of Student's t, 19 df. */
	double false_alarm = 2.0 * gsl_cdf_tdist_Q(mm1_tolerance_se, MM1_BATCHES - 1);

	printf("mm1,%zu,%llu,%.1f\n", stats.max_pending, (unsigned long long)stats.executed,
	       1e9 * elapsed / (double)stats.executed);
	fflush(stdout);
	fprintf(stderr,
		"mm1: lambda %.2f mu %.2f: mean time in system %.4f, 1/(mu - lambda) = %.4f, "
		"standard error %.4f (%d batches of %zu customers); tolerance %.0f standard "
		"errors (false alarm %.1e): %s\n",
		mm1_lambda, mm1_mu, mean, expected, se, MM1_BATCHES, batch, mm1_tolerance_se,
		false_alarm, ok ? "ok" : "FAILED");
	ur_engine_destroy(engine);
	free(q.sojourn);
	free(q.arrivals);
	return ok;
}

static void print_row(const char *name, size_t pending, size_t events, double seconds)
{
	printf("%s,%zu,%zu,%.1f\n", name, pending, events, 1e9 * seconds / (double)events);
	fflush(stdout);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_engine [--scale X] [--max-pending N] [--repeat R] "
		     "[--seed S]\n");
}

int main(int argc, char **argv)
{
	double scale = 1.0;
	size_t max_pending = 1000000;
	int repeat = 1;
	unsigned long seed = 20220105;
	static const struct option options[] = {
		{ "scale", required_argument, NULL, 'x' },
		{ "max-pending", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int option;
	while ((option = getopt_long(argc, argv, "x:n:r:s:h", options, NULL)) != -1) {
		switch (option) {
		case 'x':
			scale = strtod(optarg, NULL);
			break;
		case 'n':
			max_pending = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			repeat = atoi(optarg);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (!(scale > 0.0) || repeat < 1 || optind != argc) {
		usage(stderr);
		return 64;
	}
	size_t events = (size_t)(base_events * scale);
	if (events < 1000)
		events = 1000;

	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *table = malloc(EXP_TABLE_SIZE * sizeof *table);
	if (!rng || !table)
		fail("out of memory");
	gsl_rng_set(rng, seed);
	for (size_t i = 0; i < EXP_TABLE_SIZE; i++)
		table[i] = gsl_ran_exponential(rng, 1.0);
	struct exp_stream stream = { table, rng, 0, 0 };

	printf("benchmark,pending,events,ns_per_event\n");
	static const size_t sizes[] = { 100, 1000, 10000, 100000, 1000000 };
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes && sizes[s] <= max_pending; s++) {
		double best_queue = HUGE_VAL, best_engine = HUGE_VAL, best_indexed = HUGE_VAL;
		for (int r = 0; r < repeat; r++) {
			best_queue = fmin(best_queue, queue_hold(&stream, sizes[s], events));
			best_engine = fmin(best_engine, engine_hold(&stream, sizes[s], events, false));
			best_indexed =
				fmin(best_indexed, engine_hold(&stream, sizes[s], events, true));
		}
		print_row("queue_hold", sizes[s], events, best_queue);
		print_row("engine_hold", sizes[s], events, best_engine);
		print_row("engine_hold_indexed", sizes[s], events, best_indexed);
	}
	static const size_t cancel_sizes[] = { 1000, 100000 };
	for (size_t s = 0; s < 2 && cancel_sizes[s] <= max_pending; s++) {
		double best = HUGE_VAL;
		for (int r = 0; r < repeat; r++)
			best = fmin(best, engine_cancel(&stream, cancel_sizes[s], events));
		print_row("engine_cancel", cancel_sizes[s], events, best);
	}
	for (size_t s = 0; s < 2 && cancel_sizes[s] <= max_pending; s++) {
		double best = HUGE_VAL;
		for (int r = 0; r < repeat; r++)
			best = fmin(best, engine_move(&stream, cancel_sizes[s], events));
		print_row("engine_move", cancel_sizes[s], events, best);
	}
	bool ok = mm1(rng, events);

	free(table);
	gsl_rng_free(rng);
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
