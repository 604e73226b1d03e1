/*
 * engine.h: the discrete-event kernel: a clock, a queue of pending events and the
 * handlers that events are dispatched to.
 *
 * Model: an event is (time, seq, kind, target, payload). `time` is when it happens, on
 * the engine's clock (the model's unit; the engine gives it no meaning). `seq` is the
 * order in which it was scheduled, kept by the engine. `kind` is a small integer that
 * selects the handler registered for it; `target` (a region or agent index, say) and
 * `payload` (a 64-bit integer or a double) are the handler's to interpret. Events carry
 * indices, never pointers, so the model owns its data and the queue holds no pointer
 * that could dangle.
 *
 * Running pops the pending events in order of time, then of seq: ties at one time run
 * first-in first-out, so a run is a pure function of its inputs and seed. The clock
 * stands at an event's time while its handler runs; the handler may schedule, cancel
 * and reschedule events (including events due at the current time, which run after it,
 * in the order they were scheduled), and may stop the run.
 *
 * Invariants:
 *   - the clock never goes back; every pending event is due at or after the clock;
 *   - events run in strictly increasing (time, seq) order over the engine's life;
 *   - ur_engine_run_until(e, h) runs every event due at or before h (an event at
 *     exactly h runs), then sets the clock to h, even if the queue emptied earlier, so
 *     quantities integrated between events are integrated up to h; it may be called
 *     again with a later h to continue (run, sample, run on);
 *   - scheduled = executed + cancelled + pending, counted over the engine's life
 *     (a reschedule moves a pending event and counts apart);
 *   - a handle names one scheduled event. Once the event has run or been cancelled the
 *     handle is stale forever: it never names a later event, even one that reuses the
 *     event's storage (a 32-bit generation counter per slot: a stale handle could be
 *     mistaken for a live one only after its slot were reused 2^32 - 1 times while the
 *     handle was kept). A zeroed struct ur_event_handle is always stale.
 *
 * Rescheduling gives the event a new seq, as if it were scheduled anew: among events
 * due at the same time, it runs after those scheduled before the reschedule call.
 *
 * Error policy: scheduling or rescheduling at a time before the clock, or at a time
 * that is NaN or infinite, is refused, never reordered: the call returns
 * UR_ENGINE_PAST or UR_ENGINE_NOT_FINITE, changes no event, counts the refusal and
 * records it (ur_engine_last_error) for the caller to report. A horizon before the
 * clock or NaN is refused the same way (+inf is allowed), and so is a kind out of range
 * or without a handler. Cancelling or rescheduling by a stale handle is a harmless
 * no-op that returns UR_ENGINE_STALE and is not an error. Running the engine from inside
 * one of its handlers returns UR_ENGINE_BUSY. Memory exhaustion returns UR_ENGINE_NOMEM
 * with the engine unchanged. Nothing is printed. Programming errors assert: a NULL
 * handler, destroying an engine from one of its handlers.
 *
 * Threads: an engine has no global or static mutable state; any number of engines may
 * run at once, one per thread. One engine must not be used by two threads at once.
 */
#ifndef UNREST_ENGINE_H
#define UNREST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kinds are 0 .. UR_ENGINE_KINDS-1. */
enum { UR_ENGINE_KINDS = 256 };

enum ur_engine_status {
	UR_ENGINE_OK = 0,
	UR_ENGINE_PAST,       /* time before the clock */
	UR_ENGINE_NOT_FINITE, /* time NaN or infinite */
	UR_ENGINE_NO_HANDLER, /* kind out of range, or no handler registered for it */
	UR_ENGINE_STALE,      /* handle of an event that has run or was cancelled */
	UR_ENGINE_NOMEM,      /* out of memory (or of the 2^32 - 1 event slots) */
	UR_ENGINE_STOPPED,    /* a run ended early by ur_engine_stop */
	UR_ENGINE_BUSY,       /* ur_engine_run* called from inside a handler */
};

/* What an event carries besides its kind and target: one 64-bit integer or one double,
 * chosen by the kind's handler: (union ur_payload){ .integer = 7 },
 * (union ur_payload){ .real = 0.25 }. */
union ur_payload {
	int64_t integer;
	double real;
};

/* Names one scheduled event; a value, copied freely. Zero-initialised: no event. */
struct ur_event_handle {
	uint32_t slot;
	uint32_t generation;
};

/* The event being dispatched, as its handler sees it. Its handle is already stale:
 * cancelling it is a no-op. */
struct ur_event {
	double time;
	unsigned kind;
	uint32_t target;
	union ur_payload payload;
	struct ur_event_handle handle;
};

struct ur_engine;

/* Called with the clock at event->time. `event` points to a copy that stays valid for
 * the whole call whatever the handler schedules or cancels. */
typedef void (*ur_event_handler)(struct ur_engine *engine, const struct ur_event *event,
				 void *context);

/* Counters over the engine's life. */
struct ur_engine_stats {
	uint64_t scheduled;   /* events accepted by ur_engine_schedule* */
	uint64_t executed;    /* events dispatched to their handler */
	uint64_t cancelled;   /* pending events removed by ur_engine_cancel */
	uint64_t rescheduled; /* pending events moved by ur_engine_reschedule */
	uint64_t refused;     /* calls refused with PAST, NOT_FINITE or NO_HANDLER */
	uint64_t ties;        /* executed events due at the same time as the one before */
	size_t pending;       /* events scheduled and neither run nor cancelled */
	size_t max_pending;   /* the largest `pending` has been (the largest queue) */
};

/* The last refusal, for the caller to report. status is UR_ENGINE_OK if none. */
struct ur_engine_error {
	enum ur_engine_status status;
	double time;       /* the time asked for */
	double now;        /* the clock at the call */
	unsigned kind;     /* the event's kind (0 for a refused horizon) */
	char message[160]; /* e.g. "event kind 3 at t=1.5 is before the clock t=2" */
};

/* A new engine, clock at start_time, no handler, no event; NULL if start_time is NaN or
 * infinite, or if out of memory. */
struct ur_engine *ur_engine_create(double start_time);
/* Frees the engine and its pending events; NULL is a no-op. Not from a handler. */
void ur_engine_destroy(struct ur_engine *engine);

/* Register `handler` (not NULL) for `kind`, called with `context`; replaces an earlier
 * registration. UR_ENGINE_NO_HANDLER if kind >= UR_ENGINE_KINDS. */
int ur_engine_set_handler(struct ur_engine *engine, unsigned kind, ur_event_handler handler,
			  void *context);

/* Make room for `events` pending events so that scheduling up to that many cannot fail
 * for want of memory. Optional. (The first cancel or reschedule also allocates: the
 * position index, 4 bytes per event slot.) */
int ur_engine_reserve(struct ur_engine *engine, size_t events);

/* Schedule an event at absolute `time` (>= the clock, finite) or `delay` after the
 * clock (>= 0, finite). On success *handle (if not NULL) names the event; on failure
 * it is zeroed (stale). */
int ur_engine_schedule(struct ur_engine *engine, double time, unsigned kind, uint32_t target,
		       union ur_payload payload, struct ur_event_handle *handle);
int ur_engine_schedule_in(struct ur_engine *engine, double delay, unsigned kind,
			  uint32_t target, union ur_payload payload,
			  struct ur_event_handle *handle);

/* Remove a pending event, in O(log n). UR_ENGINE_STALE (nothing done) if it has run,
 * is running or was cancelled; UR_ENGINE_NOMEM (nothing done) if the position index,
 * built by the engine's first cancel or reschedule, cannot be allocated. */
int ur_engine_cancel(struct ur_engine *engine, struct ur_event_handle handle);

/* Move a pending event to `time` (>= the clock, finite), in O(log n), keeping its
 * handle, kind, target and payload; it takes a new seq. Cheaper than a cancel and a
 * schedule, and the handle stays valid. UR_ENGINE_STALE if the handle is stale; PAST or
 * NOT_FINITE (the event left where it was) if the time is refused; NOMEM as for
 * ur_engine_cancel. */
int ur_engine_reschedule(struct ur_engine *engine, struct ur_event_handle handle, double time);

/* Whether the handle names a pending event, and if so when it is due. */
bool ur_engine_is_pending(const struct ur_engine *engine, struct ur_event_handle handle);
int ur_engine_due_time(const struct ur_engine *engine, struct ur_event_handle handle,
		       double *time);

/* Run every event due at or before `horizon` (>= the clock; +inf: until no event is
 * left), then set the clock to `horizon` if it is finite. Returns UR_ENGINE_OK, or
 * UR_ENGINE_STOPPED if a handler called ur_engine_stop (the clock then stands at the
 * time of that handler's event and a later call continues), or PAST / NOT_FINITE (a
 * NaN horizon) / BUSY with nothing run. */
int ur_engine_run_until(struct ur_engine *engine, double horizon);
/* ur_engine_run_until(engine, +inf): until no event is left; the clock stays at the
 * time of the last event. */
int ur_engine_run(struct ur_engine *engine);

/* From a handler: end the current run after this handler returns. Outside a run: no
 * effect. */
void ur_engine_stop(struct ur_engine *engine);

/* The clock. */
double ur_engine_now(const struct ur_engine *engine);
/* The time of the next pending event, or +inf if there is none. */
double ur_engine_next_time(struct ur_engine *engine);

void ur_engine_stats(const struct ur_engine *engine, struct ur_engine_stats *stats);
const struct ur_engine_error *ur_engine_last_error(const struct ur_engine *engine);

/* A short English description of a status ("time before the clock"). */
const char *ur_engine_strerror(int status);

#endif
