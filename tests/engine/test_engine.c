/*
 * test_engine.c: the engine through its public API (include/unrest/engine.h): pop order
 * against a sorted reference, cancel and reschedule (between runs and from handlers),
 * stale handles, refused times, horizon and stop semantics, exact counters on a
 * scripted run, renumbering of sequence numbers, and engines running in threads.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "engine_private.h"
#include "unrest/engine.h"

#include "testutil.h"

/* Times in these tests are sums of exact binary fractions, so most comparisons with
 * assert_near (testutil.h) use a tolerance of 0: exactly equal. */

static const union ur_payload no_payload = { .integer = 0 };

static union ur_payload integer_payload(int64_t value)
{
	return (union ur_payload){ .integer = value };
}

/* ---- recording what runs ---- */

struct record {
	double time;
	unsigned kind;
	uint32_t target;
	int64_t payload;
};

struct log {
	struct record *records;
	size_t count, capacity;
};

static void log_add(struct log *log, const struct ur_event *event)
{
	if (log->count == log->capacity) {
		log->capacity = log->capacity ? 2 * log->capacity : 64;
		log->records = realloc(log->records, log->capacity * sizeof *log->records);
		assert_non_null(log->records);
	}
	log->records[log->count++] = (struct record){ event->time, event->kind, event->target,
						      event->payload.integer };
}

static void on_record(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	/* the clock stands at the event while it runs */
	assert_true(ur_engine_now(engine) == event->time);
	/* the event's own handle is already stale */
	assert_false(ur_engine_is_pending(engine, event->handle));
	log_add(context, event);
}

/* The payloads of the log, in order, must be `expected`. */
static void assert_payloads(const struct log *log, const int64_t *expected, size_t count)
{
	assert_int_equal(log->count, count);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(log->records[i].payload, expected[i]);
}

static struct ur_engine *new_engine(double start, struct log *log)
{
	struct ur_engine *engine = ur_engine_create(start);
	assert_non_null(engine);
	assert_int_equal(ur_engine_set_handler(engine, 0, on_record, log), UR_ENGINE_OK);
	return engine;
}

static void check_counters_add_up(const struct ur_engine *engine)
{
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_true(stats.scheduled == stats.executed + stats.cancelled + stats.pending);
}

/* ---- order ---- */

struct timed {
	double time;
	int64_t index; /* the order of scheduling: seq */
};

static int compare_timed(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* 10^5 events at random times on a coarse grid (about 50 per distinct time) and with
 * runs of identical times, scheduled in random order: they must run in (time, seq)
 * order, as qsort on (time, index) puts them. */
static void test_order_matches_sorted_reference(void **state)
{
	(void)state;
	enum { N = 100000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 20220102);
	struct timed *reference = malloc(N * sizeof *reference);
	assert_non_null(reference);
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);

	for (int64_t i = 0; i < N; i++) {
		double time = floor(gsl_rng_uniform(rng) * 2000.0) * 0.125;
		if (i % 10 == 9)
			time = reference[i - 1].time; /* an exact duplicate of the one before */
		reference[i] = (struct timed){ time, i };
		struct ur_event_handle handle;
		assert_int_equal(ur_engine_schedule(engine, time, 0, (uint32_t)(i % 7),
						    integer_payload(i), &handle),
				 UR_ENGINE_OK);
		assert_true(ur_engine_is_pending(engine, handle));
	}
	qsort(reference, N, sizeof *reference, compare_timed);

	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	assert_int_equal(log.count, N);
	uint64_t ties = 0;
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(log.records[i].payload, reference[i].index);
		assert_true(log.records[i].time == reference[i].time);
		assert_int_equal(log.records[i].target, (uint32_t)(reference[i].index % 7));
		ties += i > 0 && reference[i].time == reference[i - 1].time;
	}
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.executed, N);
	assert_int_equal(stats.ties, ties);
	assert_true(ties > N / 2); /* the test did exercise ties */
	assert_int_equal(stats.max_pending, N);
	assert_int_equal(stats.pending, 0);
	/* run() leaves the clock at the last event */
	assert_true(ur_engine_now(engine) == reference[N - 1].time);

	ur_engine_destroy(engine);
	free(log.records);
	free(reference);
	gsl_rng_free(rng);
}

/* Events scheduled by handlers, many at the current time, with cancels: the run must be
 * strictly increasing in (time, order of scheduling), and every event scheduled and not
 * cancelled must run. */
struct cascade {
	gsl_rng *rng;
	int64_t next_index;
	int64_t budget;
	struct log log;
	struct ur_event_handle victims[16];
};

static void on_cascade(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct cascade *c = context;
	log_add(&c->log, event);
	if (c->log.count % 1000 == 0)
		assert_true(ur_engine_check(engine)); /* with the spent root in place */
	/* two children, and a cancel 30% of the time: the population grows until the
	 * budget is spent */
	for (int k = 0; k < 2 && c->budget > 0; k++, c->budget--) {
		/* a third at the current time: ties scheduled from inside a handler */
		double delay = gsl_rng_uniform(c->rng) < 0.33 ? 0.0
							       : floor(gsl_rng_uniform(c->rng) * 8) * 0.25;
		size_t v = gsl_rng_uniform_int(c->rng, 16);
		if (gsl_rng_uniform(c->rng) < 0.3)
			ur_engine_cancel(engine, c->victims[v]); /* stale if it ran: a no-op */
		assert_int_equal(ur_engine_schedule_in(engine, delay, 0, 0,
						       integer_payload(c->next_index++),
						       &c->victims[v]),
				 UR_ENGINE_OK);
	}
}

static void test_order_of_events_scheduled_by_handlers(void **state)
{
	(void)state;
	struct cascade c = { .rng = gsl_rng_alloc(gsl_rng_mt19937), .budget = 50000 };
	gsl_rng_set(c.rng, 7);
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 0, on_cascade, &c);
	for (int i = 0; i < 50; i++)
		ur_engine_schedule(engine, (double)(i % 5), 0, 0, integer_payload(c.next_index++),
				   NULL);
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);

	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.scheduled, (uint64_t)c.next_index);
	assert_int_equal(stats.executed, c.log.count);
	assert_true(stats.cancelled > 0);
	assert_int_equal(stats.executed + stats.cancelled, stats.scheduled);
	assert_true(c.log.count > 10000);
	for (size_t i = 1; i < c.log.count; i++) {
		const struct record *a = &c.log.records[i - 1], *b = &c.log.records[i];
		assert_true(a->time < b->time || (a->time == b->time && a->payload < b->payload));
	}
	ur_engine_destroy(engine);
	free(c.log.records);
	gsl_rng_free(c.rng);
}

/* ---- cancel and reschedule ---- */

static void test_cancel_and_reschedule_between_runs(void **state)
{
	(void)state;
	enum { N = 1000 };
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	struct ur_event_handle handles[N];
	for (int i = 0; i < N; i++)
		ur_engine_schedule(engine, (double)i, 0, 0, integer_payload(i), &handles[i]);
	assert_int_equal(ur_engine_run_until(engine, 499.5), UR_ENGINE_OK);
	assert_int_equal(log.count, 500);

	/* in the middle of the run: cancel the multiples of 3 still pending, move the
	 * multiples of 5 (not of 3) a quarter later, and 998 back to 600 */
	int cancelled = 0, moved = 0;
	for (int i = 0; i < N; i++) {
		int expected_cancel = i >= 500 && i % 3 == 0 ? UR_ENGINE_OK : UR_ENGINE_STALE;
		if (i % 3 == 0) {
			assert_int_equal(ur_engine_cancel(engine, handles[i]), expected_cancel);
			cancelled += expected_cancel == UR_ENGINE_OK;
		} else if (i % 5 == 0) {
			int expected = i >= 500 ? UR_ENGINE_OK : UR_ENGINE_STALE;
			assert_int_equal(ur_engine_reschedule(engine, handles[i], i + 0.25), expected);
			moved += expected == UR_ENGINE_OK;
		}
	}
	assert_int_equal(ur_engine_reschedule(engine, handles[998], 600.0), UR_ENGINE_OK);
	double due;
	assert_int_equal(ur_engine_due_time(engine, handles[998], &due), UR_ENGINE_OK);
	assert_near(due, 600.0, 0);
	assert_int_equal(ur_engine_due_time(engine, handles[3], &due), UR_ENGINE_STALE);

	assert_int_equal(ur_engine_run_until(engine, 2000.0), UR_ENGINE_OK);
	/* expected: the rest in time order; 600 and 998 tie at 600, 998 rescheduled later */
	int64_t expected[N];
	size_t count = 0;
	for (int i = 0; i < 500; i++)
		expected[count++] = i;
	for (int i = 500; i < N; i++) {
		if (i % 3 == 0 || i == 998)
			continue;
		expected[count++] = i;
		if (i == 600 - 1) {
			/* 600 is a multiple of 3 (cancelled); 998 lands at 600 */
			expected[count++] = 998;
		}
	}
	assert_payloads(&log, expected, count);
	for (size_t i = 500; i < count; i++) {
		int64_t p = log.records[i].payload;
		double want = p == 998 ? 600.0 : p % 5 == 0 ? (double)p + 0.25 : (double)p;
		assert_near(log.records[i].time, want, 0);
	}
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.cancelled, cancelled);
	assert_int_equal(stats.rescheduled, moved + 1);
	check_counters_add_up(engine);
	ur_engine_destroy(engine);
	free(log.records);
}

/*
 * A handler at t=1 works on events due at the same time: A(1) B(1) C(1) D(1) E(2).
 * A cancels itself (stale: a no-op) and tries to reschedule itself (stale), cancels B
 * (and again: stale), reschedules C to t=1 (behind the events due then), schedules F
 * at t=1, reschedules E to 1.5 and D to 3. Expected: A C F (ties at 1), E, D.
 */
struct meddler {
	struct log log;
	struct ur_event_handle a, b, c, d, e;
	int self_cancel, self_reschedule, cancel_b, cancel_b_again, move_c, move_d, move_e;
	int schedule_f;
};

static void on_meddle(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct meddler *m = context;
	log_add(&m->log, event);
	if (event->payload.integer != 'A')
		return;
	assert_true(event->handle.slot == m->a.slot && event->handle.generation == m->a.generation);
	m->self_cancel = ur_engine_cancel(engine, event->handle);
	m->self_reschedule = ur_engine_reschedule(engine, m->a, 5.0);
	m->cancel_b = ur_engine_cancel(engine, m->b);
	m->cancel_b_again = ur_engine_cancel(engine, m->b);
	m->move_c = ur_engine_reschedule(engine, m->c, 1.0);
	m->schedule_f = ur_engine_schedule(engine, 1.0, 1, 0, integer_payload('F'), NULL);
	m->move_e = ur_engine_reschedule(engine, m->e, 1.5);
	m->move_d = ur_engine_reschedule(engine, m->d, 3.0);
}

static void test_cancel_and_reschedule_from_handler(void **state)
{
	(void)state;
	struct meddler m = { 0 };
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 1, on_meddle, &m);
	ur_engine_schedule(engine, 1.0, 1, 0, integer_payload('A'), &m.a);
	ur_engine_schedule(engine, 1.0, 1, 0, integer_payload('B'), &m.b);
	ur_engine_schedule(engine, 1.0, 1, 0, integer_payload('C'), &m.c);
	ur_engine_schedule(engine, 1.0, 1, 0, integer_payload('D'), &m.d);
	ur_engine_schedule(engine, 2.0, 1, 0, integer_payload('E'), &m.e);
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);

	assert_int_equal(m.self_cancel, UR_ENGINE_STALE);
	assert_int_equal(m.self_reschedule, UR_ENGINE_STALE);
	assert_int_equal(m.cancel_b, UR_ENGINE_OK);
	assert_int_equal(m.cancel_b_again, UR_ENGINE_STALE);
	assert_int_equal(m.move_c, UR_ENGINE_OK);
	assert_int_equal(m.schedule_f, UR_ENGINE_OK);
	assert_int_equal(m.move_e, UR_ENGINE_OK);
	assert_int_equal(m.move_d, UR_ENGINE_OK);
	/* C was rescheduled before F was scheduled: C, then F */
	const int64_t expected[] = { 'A', 'C', 'F', 'E', 'D' };
	const double times[] = { 1.0, 1.0, 1.0, 1.5, 3.0 };
	assert_payloads(&m.log, expected, 5);
	for (size_t i = 0; i < 5; i++)
		assert_near(m.log.records[i].time, times[i], 0);
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.cancelled, 1);
	assert_int_equal(stats.rescheduled, 3);
	assert_int_equal(stats.ties, 2);
	check_counters_add_up(engine);
	ur_engine_destroy(engine);
	free(m.log.records);
}

/* Rescheduling to the current time sends an event behind those already due then. */
static void test_reschedule_to_same_time_goes_to_back(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	struct ur_event_handle first;
	ur_engine_schedule(engine, 4.0, 0, 0, integer_payload(1), &first);
	ur_engine_schedule(engine, 4.0, 0, 0, integer_payload(2), NULL);
	ur_engine_schedule(engine, 4.0, 0, 0, integer_payload(3), NULL);
	assert_int_equal(ur_engine_reschedule(engine, first, 4.0), UR_ENGINE_OK);
	ur_engine_schedule(engine, 4.0, 0, 0, integer_payload(4), NULL);
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	const int64_t expected[] = { 2, 3, 1, 4 };
	assert_payloads(&log, expected, 4);
	ur_engine_destroy(engine);
	free(log.records);
}

/* ---- stale handles ---- */

static void test_stale_handles(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	struct ur_event_handle zero = { 0, 0 }, far = { 12345, 1 };
	assert_int_equal(ur_engine_cancel(engine, zero), UR_ENGINE_STALE);
	assert_int_equal(ur_engine_cancel(engine, far), UR_ENGINE_STALE);
	assert_int_equal(ur_engine_reschedule(engine, zero, 1.0), UR_ENGINE_STALE);
	assert_false(ur_engine_is_pending(engine, zero));

	struct ur_event_handle x, y, fired;
	ur_engine_schedule(engine, 1.0, 0, 0, integer_payload(1), &fired);
	ur_engine_schedule(engine, 2.0, 0, 0, integer_payload(2), &x);
	assert_int_equal(ur_engine_cancel(engine, x), UR_ENGINE_OK);
	assert_int_equal(ur_engine_cancel(engine, x), UR_ENGINE_STALE);
	/* y takes x's slot (last freed, first reused): x must not name it */
	ur_engine_schedule(engine, 3.0, 0, 0, integer_payload(3), &y);
	assert_int_equal(y.slot, x.slot);
	assert_int_not_equal(y.generation, x.generation);
	assert_false(ur_engine_is_pending(engine, x));
	assert_int_equal(ur_engine_cancel(engine, x), UR_ENGINE_STALE);
	assert_int_equal(ur_engine_reschedule(engine, x, 9.0), UR_ENGINE_STALE);
	double due;
	assert_int_equal(ur_engine_due_time(engine, x, &due), UR_ENGINE_STALE);
	assert_true(ur_engine_is_pending(engine, y));

	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	assert_int_equal(ur_engine_cancel(engine, fired), UR_ENGINE_STALE);
	assert_int_equal(ur_engine_cancel(engine, y), UR_ENGINE_STALE);
	const int64_t expected[] = { 1, 3 };
	assert_payloads(&log, expected, 2);

	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.cancelled, 1); /* stale cancels count for nothing */
	assert_int_equal(stats.refused, 0);   /* nor are they errors */
	assert_int_equal(ur_engine_last_error(engine)->status, UR_ENGINE_OK);
	ur_engine_destroy(engine);
	free(log.records);
}

/* ---- refused times ---- */

static void test_refused_times(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(10.0, &log);
	struct ur_event_handle handle = { 7, 7 };
	const struct ur_engine_error *error = ur_engine_last_error(engine);

	assert_int_equal(ur_engine_schedule(engine, 9.5, 0, 0, no_payload, &handle),
			 UR_ENGINE_PAST);
	assert_int_equal(handle.slot, 0);
	assert_int_equal(handle.generation, 0);
	assert_int_equal(error->status, UR_ENGINE_PAST);
	assert_near(error->time, 9.5, 0);
	assert_near(error->now, 10.0, 0);
	assert_string_equal(error->message, "event kind 0 at t=9.5 is before the clock t=10");

	/* just before the clock is still the past: no silent reorder */
	assert_int_equal(ur_engine_schedule(engine, nextafter(10.0, 0.0), 0, 0, no_payload, NULL),
			 UR_ENGINE_PAST);
	assert_int_equal(ur_engine_schedule_in(engine, -1e-9, 0, 0, no_payload, NULL),
			 UR_ENGINE_PAST);
	assert_int_equal(ur_engine_schedule(engine, (double)NAN, 0, 0, no_payload, NULL),
			 UR_ENGINE_NOT_FINITE);
	assert_int_equal(error->status, UR_ENGINE_NOT_FINITE);
	assert_int_equal(ur_engine_schedule(engine, HUGE_VAL, 0, 0, no_payload, NULL),
			 UR_ENGINE_NOT_FINITE);
	assert_int_equal(ur_engine_schedule(engine, -HUGE_VAL, 0, 0, no_payload, NULL),
			 UR_ENGINE_NOT_FINITE);
	assert_int_equal(ur_engine_schedule_in(engine, (double)NAN, 0, 0, no_payload, NULL),
			 UR_ENGINE_NOT_FINITE);
	assert_int_equal(ur_engine_schedule_in(engine, HUGE_VAL, 0, 0, no_payload, NULL),
			 UR_ENGINE_NOT_FINITE);
	assert_int_equal(ur_engine_schedule(engine, 11.0, 3, 0, no_payload, NULL),
			 UR_ENGINE_NO_HANDLER);
	assert_int_equal(error->kind, 3);
	assert_int_equal(ur_engine_schedule(engine, 11.0, UR_ENGINE_KINDS, 0, no_payload, NULL),
			 UR_ENGINE_NO_HANDLER);
	assert_int_equal(ur_engine_set_handler(engine, UR_ENGINE_KINDS, on_record, &log),
			 UR_ENGINE_NO_HANDLER);

	/* a refused reschedule leaves the event where it was */
	assert_int_equal(ur_engine_schedule(engine, 12.0, 0, 0, integer_payload(1), &handle),
			 UR_ENGINE_OK);
	assert_int_equal(ur_engine_reschedule(engine, handle, 9.0), UR_ENGINE_PAST);
	assert_int_equal(ur_engine_reschedule(engine, handle, (double)NAN), UR_ENGINE_NOT_FINITE);
	double due;
	assert_int_equal(ur_engine_due_time(engine, handle, &due), UR_ENGINE_OK);
	assert_near(due, 12.0, 0);

	/* the clock itself is allowed: the event runs at once, after those due now */
	assert_int_equal(ur_engine_schedule(engine, 10.0, 0, 0, integer_payload(0), NULL),
			 UR_ENGINE_OK);
	assert_int_equal(ur_engine_schedule_in(engine, 0.0, 0, 0, integer_payload(0), NULL),
			 UR_ENGINE_OK);

	/* horizons */
	assert_int_equal(ur_engine_run_until(engine, 5.0), UR_ENGINE_PAST);
	assert_int_equal(ur_engine_run_until(engine, (double)NAN), UR_ENGINE_NOT_FINITE);
	assert_near(ur_engine_now(engine), 10.0, 0);

	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.refused, 14);
	assert_int_equal(stats.scheduled, 3);
	assert_int_equal(stats.executed, 0);
	assert_int_equal(stats.pending, 3);
	assert_int_equal(log.count, 0);

	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	const int64_t expected[] = { 0, 0, 1 };
	assert_payloads(&log, expected, 3);
	ur_engine_destroy(engine);
	free(log.records);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int status = UR_ENGINE_OK; status <= UR_ENGINE_BUSY; status++) {
		const char *text = ur_engine_strerror(status);
		assert_non_null(text);
		assert_true(strlen(text) > 0);
		assert_string_not_equal(text, ur_engine_strerror(-1));
	}
}

/* ---- horizon, stop, busy ---- */

static void test_horizon_semantics(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	ur_engine_schedule(engine, 1.0, 0, 0, integer_payload(1), NULL);
	ur_engine_schedule(engine, 5.0, 0, 0, integer_payload(2), NULL);
	ur_engine_schedule(engine, 10.0, 0, 0, integer_payload(3), NULL);
	ur_engine_schedule(engine, nextafter(10.0, 11.0), 0, 0, integer_payload(4), NULL);

	/* an event exactly at the horizon runs; one a hair after does not */
	assert_int_equal(ur_engine_run_until(engine, 10.0), UR_ENGINE_OK);
	const int64_t first[] = { 1, 2, 3 };
	assert_payloads(&log, first, 3);
	assert_near(ur_engine_now(engine), 10.0, 0);
	assert_near(ur_engine_next_time(engine), nextafter(10.0, 11.0), 0);

	/* the clock goes to the horizon even when the queue empties first */
	assert_int_equal(ur_engine_run_until(engine, 20.0), UR_ENGINE_OK);
	assert_int_equal(log.count, 4);
	assert_near(ur_engine_now(engine), 20.0, 0);
	assert_true(isinf(ur_engine_next_time(engine)));
	assert_int_equal(ur_engine_run_until(engine, 30.0), UR_ENGINE_OK);
	assert_near(ur_engine_now(engine), 30.0, 0);
	/* running to the clock itself is allowed and runs what is due then */
	ur_engine_schedule(engine, 30.0, 0, 0, integer_payload(5), NULL);
	assert_int_equal(ur_engine_run_until(engine, 30.0), UR_ENGINE_OK);
	assert_int_equal(log.count, 5);
	/* run() on an empty queue leaves the clock */
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	assert_near(ur_engine_now(engine), 30.0, 0);

	/* sampling: run to each hour, the clock at each sample, every event once */
	for (int i = 0; i < 40; i++)
		ur_engine_schedule(engine, 30.0 + 0.25 * i, 0, 0, integer_payload(100 + i), NULL);
	size_t before = log.count;
	for (int hour = 31; hour <= 40; hour++) {
		assert_int_equal(ur_engine_run_until(engine, hour), UR_ENGINE_OK);
		assert_near(ur_engine_now(engine), hour, 0);
		/* events at 30, 30.25, ..., hour: 4 (hour - 30) + 1 of them, at most 40 */
		size_t due = (size_t)(4 * (hour - 30) + 1);
		assert_int_equal(log.count - before, due < 40 ? due : 40);
	}
	ur_engine_destroy(engine);
	free(log.records);
}

struct stopper {
	struct log log;
	double stop_at;
	int nested_run;
};

static void on_stop(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct stopper *s = context;
	log_add(&s->log, event);
	if (event->time == s->stop_at) {
		ur_engine_stop(engine);
		s->nested_run = ur_engine_run_until(engine, 100.0);
	}
}

static void test_stop_from_handler(void **state)
{
	(void)state;
	struct stopper s = { .stop_at = 3.0, .nested_run = -1 };
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 0, on_stop, &s);
	for (int i = 1; i <= 6; i++)
		ur_engine_schedule(engine, i, 0, 0, integer_payload(i), NULL);
	ur_engine_schedule(engine, 3.0, 0, 0, integer_payload(33), NULL);
	ur_engine_stop(engine); /* outside a run: no effect */

	assert_int_equal(ur_engine_run_until(engine, 10.0), UR_ENGINE_STOPPED);
	assert_int_equal(s.nested_run, UR_ENGINE_BUSY);
	assert_int_equal(ur_engine_last_error(engine)->status, UR_ENGINE_BUSY);
	/* the handler that stopped ran; the clock stays at its event */
	const int64_t first[] = { 1, 2, 3 };
	assert_payloads(&s.log, first, 3);
	assert_near(ur_engine_now(engine), 3.0, 0);

	s.stop_at = -1.0;
	assert_int_equal(ur_engine_run_until(engine, 10.0), UR_ENGINE_OK);
	const int64_t all[] = { 1, 2, 3, 33, 4, 5, 6 };
	assert_payloads(&s.log, all, 7);
	assert_near(ur_engine_now(engine), 10.0, 0);
	ur_engine_destroy(engine);
	free(s.log.records);
}

/* ---- counters ---- */

struct spawner {
	struct log log;
	struct ur_event_handle victim;
};

static void on_spawn(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct spawner *s = context;
	log_add(&s->log, event);
	ur_engine_schedule_in(engine, 0.0, 1, 0, integer_payload(91), NULL);
	ur_engine_schedule_in(engine, 0.0, 1, 0, integer_payload(92), NULL);
	ur_engine_cancel(engine, s->victim);
}

static void on_plain(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)engine;
	struct spawner *s = context;
	log_add(&s->log, event);
}

/*
 * The script: e1(1) e2(1) e3(2) e4(3, spawner) e5(3) e6(4) e7(5) e8(6); cancel e3
 * (and again: stale); reschedule e7 to 3; three refusals. e4 spawns s1, s2 at 3 and
 * cancels e8. Runs: e1 e2 | e4 e5 e7 s1 s2 | e6.
 */
static void test_counters_on_scripted_run(void **state)
{
	(void)state;
	struct spawner s = { 0 };
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 0, on_spawn, &s);
	ur_engine_set_handler(engine, 1, on_plain, &s);
	const double times[] = { 1, 1, 2, 3, 3, 4, 5, 6 };
	struct ur_event_handle h[8];
	for (int i = 0; i < 8; i++)
		assert_int_equal(ur_engine_schedule(engine, times[i], i == 3 ? 0 : 1, (uint32_t)i,
						    integer_payload(i + 1), &h[i]),
				 UR_ENGINE_OK);
	s.victim = h[7];
	assert_int_equal(ur_engine_cancel(engine, h[2]), UR_ENGINE_OK);
	assert_int_equal(ur_engine_cancel(engine, h[2]), UR_ENGINE_STALE);
	assert_int_equal(ur_engine_reschedule(engine, h[6], 3.0), UR_ENGINE_OK);
	assert_int_equal(ur_engine_schedule(engine, -1.0, 1, 0, no_payload, NULL), UR_ENGINE_PAST);
	assert_int_equal(ur_engine_schedule(engine, (double)NAN, 1, 0, no_payload, NULL),
			 UR_ENGINE_NOT_FINITE);
	assert_int_equal(ur_engine_schedule(engine, 2.0, 7, 0, no_payload, NULL),
			 UR_ENGINE_NO_HANDLER);

	assert_int_equal(ur_engine_run_until(engine, 10.0), UR_ENGINE_OK);
	const int64_t expected[] = { 1, 2, 4, 5, 7, 91, 92, 6 };
	assert_payloads(&s.log, expected, 8);

	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.scheduled, 10);
	assert_int_equal(stats.executed, 8);
	assert_int_equal(stats.cancelled, 2);
	assert_int_equal(stats.rescheduled, 1);
	assert_int_equal(stats.refused, 3);
	assert_int_equal(stats.ties, 5); /* e2; e5 e7 s1 s2 */
	assert_int_equal(stats.pending, 0);
	assert_int_equal(stats.max_pending, 8);
	assert_true(ur_engine_check(engine));
	assert_near(ur_engine_now(engine), 10.0, 0);
	ur_engine_destroy(engine);
	free(s.log.records);
}

/* ---- random operations against a reference ---- */

struct ref_event {
	bool pending;
	double time;
	uint64_t order; /* the engine's seq, counted alike: schedules and moves */
	struct ur_event_handle handle;
};

/* A due event as the reference sorts them: by time, then by order. */
struct ref_due {
	double time;
	uint64_t order;
	int64_t id;
};

static int compare_ref_due(const void *a, const void *b)
{
	const struct ref_due *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* 20000 random schedules, cancels (of pending and of stale handles), moves and partial
 * runs; after each, the engine's internal invariants hold, and each run executes
 * exactly the reference's due events in (time, order) order. */
static void test_random_operations_match_reference(void **state)
{
	(void)state;
	enum { STEPS = 20000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 31);
	struct ref_event *ref = calloc(STEPS, sizeof *ref);
	struct ref_due *due = malloc(STEPS * sizeof *due);
	int64_t *expected = malloc(STEPS * sizeof *expected);
	assert_non_null(ref);
	assert_non_null(due);
	assert_non_null(expected);
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	int64_t count = 0;
	uint64_t order = 0;
	double now = 0.0;

	for (int step = 0; step < STEPS; step++) {
		double u = gsl_rng_uniform(rng);
		/* times on a grid of quarters, so that ties are common */
		double time = now + floor(gsl_rng_uniform(rng) * 40.0) * 0.25;
		if (u < 0.4 || count == 0) {
			struct ref_event *r = &ref[count];
			assert_int_equal(ur_engine_schedule(engine, time, 0, 0, integer_payload(count),
							    &r->handle),
					 UR_ENGINE_OK);
			*r = (struct ref_event){ true, time, order++, r->handle };
			count++;
		} else if (u < 0.6) {
			struct ref_event *r = &ref[gsl_rng_uniform_int(rng, (unsigned long)count)];
			assert_int_equal(ur_engine_cancel(engine, r->handle),
					 r->pending ? UR_ENGINE_OK : UR_ENGINE_STALE);
			r->pending = false;
		} else if (u < 0.85) {
			struct ref_event *r = &ref[gsl_rng_uniform_int(rng, (unsigned long)count)];
			assert_int_equal(ur_engine_reschedule(engine, r->handle, time),
					 r->pending ? UR_ENGINE_OK : UR_ENGINE_STALE);
			if (r->pending) {
				r->time = time;
				r->order = order++;
			}
		} else {
			double horizon = now + floor(gsl_rng_uniform(rng) * 12.0) * 0.25;
			size_t ndue = 0;
			for (int64_t i = 0; i < count; i++) {
				if (ref[i].pending && ref[i].time <= horizon)
					due[ndue++] = (struct ref_due){ ref[i].time, ref[i].order, i };
			}
			qsort(due, ndue, sizeof *due, compare_ref_due);
			for (size_t i = 0; i < ndue; i++) {
				expected[i] = due[i].id;
				ref[due[i].id].pending = false;
			}
			log.count = 0;
			assert_int_equal(ur_engine_run_until(engine, horizon), UR_ENGINE_OK);
			assert_payloads(&log, expected, ndue);
			now = horizon;
			assert_near(ur_engine_now(engine), now, 0);
		}
		assert_true(ur_engine_check(engine));
	}
	check_counters_add_up(engine);
	ur_engine_destroy(engine);
	free(log.records);
	free(expected);
	free(due);
	free(ref);
	gsl_rng_free(rng);
}

/* The position index is built by the first cancel or reschedule. Here that comes late,
 * from inside a handler, with 3000 events pending and the handler's own key still at
 * the root: the index must be right at once, and the run must go on in order. */
struct late {
	struct ur_event_handle handles[4000];
	bool done, consistent;
	int cancel_status, move_status;
};

static void on_late(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct late *l = context;
	if (l->done || event->payload.integer != 999)
		return;
	l->done = true;
	l->cancel_status = ur_engine_cancel(engine, l->handles[2000]);
	l->move_status = ur_engine_reschedule(engine, l->handles[3999], 1500.25);
	l->consistent = ur_engine_check(engine);
}

static void test_index_built_late_in_a_handler(void **state)
{
	(void)state;
	struct late *l = calloc(1, sizeof *l);
	assert_non_null(l);
	struct log log = { 0 };
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 0, on_late, l);
	ur_engine_set_handler(engine, 1, on_record, &log);
	for (int i = 0; i < 4000; i++)
		ur_engine_schedule(engine, (double)i, i == 999 ? 0 : 1, 0, integer_payload(i),
				   &l->handles[i]);
	assert_true(ur_engine_check(engine)); /* without the index */
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	assert_true(l->done);
	assert_int_equal(l->cancel_status, UR_ENGINE_OK);
	assert_int_equal(l->move_status, UR_ENGINE_OK);
	assert_true(l->consistent);
	assert_true(ur_engine_check(engine));
	/* all 4000 but 999 (kind 0, unlogged) and 2000 (cancelled), 3999 moved after 1500 */
	assert_int_equal(log.count, 3998);
	size_t k = 0;
	for (int64_t i = 0; i < 3999; i++) {
		if (i == 999 || i == 2000)
			continue;
		assert_int_equal(log.records[k++].payload, i);
		if (i == 1500)
			assert_int_equal(log.records[k++].payload, 3999);
	}
	ur_engine_destroy(engine);
	free(log.records);
	free(l);
}

/* A small queue moved 10^5 times, the engine's common case when a rate changes often:
 * the moves keep their order, and the heap holds just the 10 events. */
static void test_many_moves_of_a_small_queue(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	struct ur_event_handle handles[10];
	for (int i = 0; i < 10; i++)
		ur_engine_schedule(engine, 1.0, 0, 0, integer_payload(i), &handles[i]);
	for (int round = 0; round < 10000; round++) {
		for (int i = 0; i < 10; i++)
			ur_engine_reschedule(engine, handles[i], 2.0 + round);
	}
	assert_true(ur_engine_check(engine));
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_int_equal(stats.rescheduled, 100000);
	assert_int_equal(stats.pending, 10);
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	const int64_t order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	assert_payloads(&log, order, 10);
	assert_near(ur_engine_now(engine), 2.0 + 9999, 0);
	ur_engine_destroy(engine);
	free(log.records);
}

/* ---- renumbering ---- */

/* With a tiny sequence-number limit the engine renumbers often; ties must still run
 * first-in first-out. Schedules from outside and from handlers, with reschedules. */
struct churn {
	struct log log;
	gsl_rng *rng;
	int64_t next_index;
	int64_t budget;
};

static void on_churn(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct churn *c = context;
	log_add(&c->log, event);
	if (c->log.count % 97 == 0)
		assert_true(ur_engine_check(engine));
	/* one child per event: the pending count stays at 40, below the limit of 256 */
	if (c->budget > 0) {
		c->budget--;
		double delay = (double)gsl_rng_uniform_int(c->rng, 3);
		assert_int_equal(ur_engine_schedule_in(engine, delay, 0, 0,
						       integer_payload(c->next_index++), NULL),
				 UR_ENGINE_OK);
	}
}

static void test_renumbering_keeps_fifo_ties(void **state)
{
	(void)state;
	struct churn c = { .rng = gsl_rng_alloc(gsl_rng_mt19937), .budget = 20000 };
	gsl_rng_set(c.rng, 99);
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 0, on_churn, &c);
	ur_engine_set_seq_limit(engine, 256);
	struct ur_event_handle moved;
	for (int i = 0; i < 40; i++)
		ur_engine_schedule(engine, (double)(i % 4), 0, 0, integer_payload(c.next_index++),
				   i == 0 ? &moved : NULL);
	/* moved to the back of the events at t=3 */
	assert_int_equal(ur_engine_reschedule(engine, moved, 3.0), UR_ENGINE_OK);
	int64_t moved_index = c.next_index++; /* its place in scheduling order now */
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);

	assert_int_equal(c.log.count, 40 + 20000);
	assert_true(ur_engine_check(engine));
	for (size_t i = 1; i < c.log.count; i++) {
		const struct record *a = &c.log.records[i - 1], *b = &c.log.records[i];
		int64_t pa = a->payload == 0 ? moved_index : a->payload;
		int64_t pb = b->payload == 0 ? moved_index : b->payload;
		assert_true(a->time < b->time || (a->time == b->time && pa < pb));
	}
	ur_engine_destroy(engine);
	free(c.log.records);
	gsl_rng_free(c.rng);
}

/* Renumbering can start inside a handler, from a move, while the dispatched event's
 * key is still at the root: the engine must stay consistent. */
struct mover {
	struct ur_event_handle handles[10];
	int remaining;
	bool consistent;
};

static void on_move(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct mover *m = context;
	uint32_t other = (event->target + 3) % 10;
	/* every event moves another (often already due later) one step on */
	if (ur_engine_is_pending(engine, m->handles[other]))
		ur_engine_reschedule(engine, m->handles[other], event->time + 1.0);
	m->consistent = m->consistent && ur_engine_check(engine);
	if (m->remaining-- > 0)
		ur_engine_schedule_in(engine, 1.0, 0, event->target, no_payload,
				      &m->handles[event->target]);
}

static void test_renumbering_from_a_handler(void **state)
{
	(void)state;
	struct mover m = { .remaining = 5000, .consistent = true };
	struct ur_engine *engine = ur_engine_create(0.0);
	assert_non_null(engine);
	ur_engine_set_handler(engine, 0, on_move, &m);
	ur_engine_set_seq_limit(engine, 37);
	for (uint32_t t = 0; t < 10; t++)
		ur_engine_schedule(engine, 0.5 * t, 0, t, no_payload, &m.handles[t]);
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	assert_true(m.consistent);
	assert_true(ur_engine_check(engine));
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	assert_true(stats.rescheduled > 1000);
	assert_int_equal(stats.executed, 5010);
	ur_engine_destroy(engine);
}

/* At the real limit, 2^32 - 1 numbers: schedule events before and after it, many at
 * one time, and check that they run first-in first-out across the renumbering. */
static void test_sequence_numbers_run_out_at_2_32(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(0.0, &log);
	int64_t index = 0;
	for (; index < 10; index++)
		ur_engine_schedule(engine, (double)(index % 2), 0, 0, integer_payload(index), NULL);
	ur_engine_skip_seq(engine, UINT32_MAX - 10 - 5);
	/* 5 numbers left: the sixth schedule renumbers */
	for (; index < 40; index++)
		ur_engine_schedule(engine, (double)(index % 2), 0, 0, integer_payload(index), NULL);
	assert_int_equal(ur_engine_run(engine), UR_ENGINE_OK);
	int64_t expected[40];
	for (int64_t i = 0; i < 20; i++) {
		expected[i] = 2 * i;          /* the events at 0 */
		expected[20 + i] = 2 * i + 1; /* then those at 1 */
	}
	assert_payloads(&log, expected, 40);
	ur_engine_destroy(engine);
	free(log.records);
}

/* ---- engines in threads ---- */

struct job {
	unsigned long seed;
	uint64_t fingerprint;
	uint64_t executed;
};

struct model {
	gsl_rng *rng;
	uint64_t hash;
	struct ur_event_handle timers[64];
};

static void on_tick(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	struct model *m = context;
	uint64_t bits;
	memcpy(&bits, &event->time, sizeof bits);
	/* FNV-1a over (time, target): any change in order or timing changes it */
	m->hash = (m->hash ^ bits) * UINT64_C(0x100000001b3);
	m->hash = (m->hash ^ event->target) * UINT64_C(0x100000001b3);
	if (event->time > 200.0)
		return;
	uint32_t t = event->target;
	ur_engine_schedule_in(engine, gsl_ran_exponential(m->rng, 1.0), 0, t, no_payload,
			      &m->timers[t]);
	uint32_t other = (uint32_t)gsl_rng_uniform_int(m->rng, 64);
	if (gsl_rng_uniform(m->rng) < 0.2 && ur_engine_cancel(engine, m->timers[other]) == 0)
		ur_engine_schedule_in(engine, gsl_ran_exponential(m->rng, 2.0), 0, other,
				      no_payload, &m->timers[other]);
}

static void *run_job(void *argument)
{
	struct job *job = argument;
	struct model m = { .rng = gsl_rng_alloc(gsl_rng_mt19937), .hash = 0xcbf29ce484222325u };
	gsl_rng_set(m.rng, job->seed);
	struct ur_engine *engine = ur_engine_create(0.0);
	if (!engine || !m.rng)
		return NULL;
	ur_engine_set_handler(engine, 0, on_tick, &m);
	for (uint32_t t = 0; t < 64; t++)
		ur_engine_schedule(engine, gsl_ran_exponential(m.rng, 1.0), 0, t, no_payload,
				   &m.timers[t]);
	ur_engine_run_until(engine, 250.0);
	struct ur_engine_stats stats;
	ur_engine_stats(engine, &stats);
	job->fingerprint = m.hash;
	job->executed = stats.executed;
	ur_engine_destroy(engine);
	gsl_rng_free(m.rng);
	return NULL;
}

static void test_engines_in_threads(void **state)
{
	(void)state;
	enum { JOBS = 4 };
	struct job serial[JOBS], threaded[JOBS];
	pthread_t threads[JOBS];
	for (int i = 0; i < JOBS; i++) {
		serial[i] = (struct job){ .seed = 1000u + (unsigned long)i % 2 };
		threaded[i] = serial[i];
		run_job(&serial[i]);
	}
	for (int i = 0; i < JOBS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, run_job, &threaded[i]), 0);
	for (int i = 0; i < JOBS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	for (int i = 0; i < JOBS; i++) {
		assert_true(serial[i].executed > 10000);
		assert_true(threaded[i].fingerprint == serial[i].fingerprint);
		assert_true(threaded[i].executed == serial[i].executed);
	}
	/* same seed, same run; another seed, another run */
	assert_true(serial[0].fingerprint == serial[2].fingerprint);
	assert_true(serial[0].fingerprint != serial[1].fingerprint);
}

/* ---- odds and ends ---- */

static void test_event_fields_and_lifecycle(void **state)
{
	(void)state;
	ur_engine_destroy(NULL);
	assert_null(ur_engine_create((double)NAN));
	assert_null(ur_engine_create(HUGE_VAL));
	struct log log = { 0 };
	struct ur_engine *engine = new_engine(-5.0, &log);
	assert_near(ur_engine_now(engine), -5.0, 0);
	assert_int_equal(ur_engine_reserve(engine, 10000), UR_ENGINE_OK);
	struct ur_event_handle handle;
	assert_int_equal(ur_engine_schedule(engine, -2.5, 0, 4000000000u, integer_payload(INT64_MIN),
					    &handle),
			 UR_ENGINE_OK);
	ur_engine_set_handler(engine, 200, on_record, &log);
	assert_int_equal(ur_engine_schedule(engine, -2.5, 200, 3, (union ur_payload){ .real = 0.125 },
					    NULL),
			 UR_ENGINE_OK);
	assert_near(ur_engine_next_time(engine), -2.5, 0);
	assert_int_equal(ur_engine_run_until(engine, 0.0), UR_ENGINE_OK);
	assert_int_equal(log.count, 2);
	assert_near(log.records[0].time, -2.5, 0);
	assert_int_equal(log.records[0].kind, 0);
	assert_int_equal(log.records[0].target, 4000000000u);
	assert_true(log.records[0].payload == INT64_MIN);
	assert_int_equal(log.records[1].kind, 200);
	assert_int_equal(log.records[1].target, 3);
	union ur_payload real = { .integer = log.records[1].payload };
	assert_near(real.real, 0.125, 0);

	/* pending events are freed with the engine (the sanitizer build checks) */
	for (int i = 0; i < 1000; i++)
		ur_engine_schedule(engine, (double)i, 0, 0, no_payload, NULL);
	ur_engine_destroy(engine);
	free(log.records);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_matches_sorted_reference),
		cmocka_unit_test(test_order_of_events_scheduled_by_handlers),
		cmocka_unit_test(test_cancel_and_reschedule_between_runs),
		cmocka_unit_test(test_cancel_and_reschedule_from_handler),
		cmocka_unit_test(test_reschedule_to_same_time_goes_to_back),
		cmocka_unit_test(test_stale_handles),
		cmocka_unit_test(test_refused_times),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_horizon_semantics),
		cmocka_unit_test(test_stop_from_handler),
		cmocka_unit_test(test_counters_on_scripted_run),
		cmocka_unit_test(test_random_operations_match_reference),
		cmocka_unit_test(test_index_built_late_in_a_handler),
		cmocka_unit_test(test_many_moves_of_a_small_queue),
		cmocka_unit_test(test_renumbering_keeps_fifo_ties),
		cmocka_unit_test(test_renumbering_from_a_handler),
		cmocka_unit_test(test_sequence_numbers_run_out_at_2_32),
		cmocka_unit_test(test_engines_in_threads),
		cmocka_unit_test(test_event_fields_and_lifecycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
