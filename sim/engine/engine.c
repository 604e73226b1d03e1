/*
 * engine.c: the discrete-event kernel (model and contract in include/unrest/engine.h;
 * the design and its measurements in docs/engine.md).
 *
 * Storage: the heap (queue.h) holds 16-byte keys (time, word); the word packs a 32-bit
 * sequence number over a 32-bit slot index. Slots hold the event bodies (time, kind,
 * target, payload) in one array, recycled through a last-in first-out free list so
 * that the slot an event frees is the one its handler's next event takes, still in
 * cache. A parallel array holds each slot's position in the heap, kept by the queue as
 * it moves keys (its index), so that cancel removes the key in place and reschedule
 * moves it, both in O(log n); the heap holds exactly the pending events. docs/engine.md
 * gives the measurements that chose this over lazy invalidation.
 *
 * The index costs a scattered write for every key a sift moves, which shows once the
 * heap outgrows the caches, and only cancel and reschedule need it. So it is built, in
 * O(n), by the first cancel or reschedule, and kept from then on: an engine that never
 * uses either runs as fast as the bare heap allows.
 *
 * Hold: the run loop frees the slot of the event it dispatches before calling its
 * handler but leaves its key at the root ("spent"), where it stays: it is the least key,
 * so nothing moves above it, and its handle is stale, so nothing removes it. The first
 * event the handler schedules replaces the root in one sift-down instead of a pop and
 * a push; if the handler schedules nothing the root is popped after it returns. The
 * spent key names a slot that may already be reused, so every path that could move it
 * (renumbering, peeking at the next time) pops it first.
 *
 * Sequence numbers: 32 bits suffice because only their order among events due at the
 * same time matters. When the 2^32 - 1 of them (FREE_SEQ excluded) run out, the pending
 * keys are sorted by (time, seq) and renumbered 0, 1, 2, ... in that order; a sorted
 * array is a valid heap and the relative order of every pair of keys is kept, so the
 * run is unchanged. This costs O(n log n) once per 2^32 - 1 schedules.
 */
#include "unrest/engine.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "queue.h"

/* A function off the hot path: the compilers then keep it out of line, away from the
 * code that runs for every event. */
#if defined(__GNUC__)
#define SLOW_PATH __attribute__((noinline, cold))
#else
#define SLOW_PATH
#endif

/* The end of the free list; never a slot index. */
#define NO_SLOT UINT32_MAX
/* The sequence number of a free slot; never a key's. */
#define FREE_SEQ UINT32_MAX

enum {
	MIN_SLOTS = 64,
	PREFETCH_SLOTS_ABOVE = 8192, /* 256 KiB of slots */
};

/* An event's body. The first four fields are laid out as in struct ur_event, so that
 * the copy handed to the handler is two moves. */
struct slot {
	double time;               /* when the event is due */
	uint32_t kind;
	uint32_t target;           /* free: the next free slot, or NO_SLOT */
	union ur_payload payload;
	uint32_t seq;              /* the sequence number of the event's key; free: FREE_SEQ */
	uint32_t generation;       /* changes when the event runs or is cancelled; never 0 */
};

_Static_assert(sizeof(struct slot) == 32, "two slots per cache line");
_Static_assert(offsetof(struct slot, time) == offsetof(struct ur_event, time) &&
		       offsetof(struct slot, kind) == offsetof(struct ur_event, kind) &&
		       offsetof(struct slot, target) == offsetof(struct ur_event, target) &&
		       offsetof(struct slot, payload) == offsetof(struct ur_event, payload),
	       "a slot begins as an event does");

struct handler_entry {
	ur_event_handler handler;
	void *context;
};

struct ur_engine {
	struct ur_queue queue;    /* indexed by `positions` once that exists */
	struct slot *slots;
	uint32_t *positions;      /* heap index of each pending slot's key; NULL until the
				   * first cancel or reschedule */
	uint32_t slot_count;      /* slots ever used: 0 .. slot_count-1 */
	uint32_t slot_capacity;   /* of slots, and of positions if any */
	uint32_t free_head;       /* a free slot below slot_count, or NO_SLOT */
	uint64_t next_seq;        /* the next sequence number; below seq_limit */
	uint64_t seq_limit;       /* renumber when next_seq reaches it: FREE_SEQ, or lower
				   * in tests */
	double now;
	double last_executed_time;
	bool running;
	bool stop_requested;
	bool root_is_spent;       /* the root is the key of the event being dispatched */
	struct ur_engine_stats stats;
	struct ur_engine_error error;
	struct handler_entry handlers[UR_ENGINE_KINDS];
};

static inline uint64_t key_word(uint32_t seq, uint32_t slot)
{
	return (uint64_t)seq << 32 | slot;
}

static inline uint32_t word_slot(uint64_t word)
{
	return (uint32_t)word;
}

static inline uint32_t word_seq(uint64_t word)
{
	return (uint32_t)(word >> 32);
}

/* Pending events, from the counters rather than kept apart: one count fewer to update
 * per event. */
static inline size_t pending_count(const struct ur_engine *engine)
{
	const struct ur_engine_stats *stats = &engine->stats;
	return (size_t)(stats->scheduled - stats->executed - stats->cancelled);
}

struct ur_engine *ur_engine_create(double start_time)
{
	if (!isfinite(start_time))
		return NULL;
	struct ur_engine *engine = calloc(1, sizeof *engine);
	if (!engine)
		goto fail;
	if (ur_queue_init(&engine->queue, MIN_SLOTS) != UR_QUEUE_OK)
		goto fail_engine;
	engine->slots = malloc(MIN_SLOTS * sizeof *engine->slots);
	if (!engine->slots)
		goto fail_queue;
	engine->slot_capacity = MIN_SLOTS;
	engine->free_head = NO_SLOT;
	engine->seq_limit = FREE_SEQ;
	engine->now = start_time;
	engine->last_executed_time = (double)NAN;
	return engine;

fail_queue:
	ur_queue_finish(&engine->queue);
fail_engine:
	free(engine);
fail:
	return NULL;
}

void ur_engine_destroy(struct ur_engine *engine)
{
	if (!engine)
		return;
	assert(!engine->running);
	free(engine->positions);
	free(engine->slots);
	ur_queue_finish(&engine->queue);
	free(engine);
}

int ur_engine_set_handler(struct ur_engine *engine, unsigned kind, ur_event_handler handler,
			  void *context)
{
	assert(handler);
	if (kind >= UR_ENGINE_KINDS)
		return UR_ENGINE_NO_HANDLER;
	engine->handlers[kind] = (struct handler_entry){ handler, context };
	return UR_ENGINE_OK;
}

/* Record a refusal for the caller, count it and pass its status on. `what` names the
 * call ("event", "rescheduled event", "run horizon"); `kind` matters for events only. */
static int refuse(struct ur_engine *engine, enum ur_engine_status status, double time,
		  unsigned kind, const char *what, bool has_kind)
{
	struct ur_engine_error *error = &engine->error;
	error->status = status;
	error->time = time;
	error->now = engine->now;
	error->kind = has_kind ? kind : 0;
	char subject[48];
	if (has_kind)
		snprintf(subject, sizeof subject, "%s kind %u", what, kind);
	else
		snprintf(subject, sizeof subject, "%s", what);
	switch (status) {
	case UR_ENGINE_PAST:
		snprintf(error->message, sizeof error->message,
			 "%s at t=%.17g is before the clock t=%.17g", subject, time, engine->now);
		break;
	case UR_ENGINE_NOT_FINITE:
		snprintf(error->message, sizeof error->message, "%s at t=%g is not finite",
			 subject, time);
		break;
	case UR_ENGINE_NO_HANDLER:
		snprintf(error->message, sizeof error->message,
			 "%s at t=%.17g: no handler is registered for the kind", subject, time);
		break;
	case UR_ENGINE_BUSY:
		snprintf(error->message, sizeof error->message,
			 "%s: the engine is already running (called from a handler)", subject);
		break;
	default:
		snprintf(error->message, sizeof error->message, "%s: %s", subject,
			 ur_engine_strerror(status));
		break;
	}
	if (status != UR_ENGINE_BUSY)
		engine->stats.refused++;
	return status;
}

/* Why `time` cannot be an event's time, or UR_ENGINE_OK. */
static inline int check_time(const struct ur_engine *engine, double time)
{
	if (!isfinite(time))
		return UR_ENGINE_NOT_FINITE;
	if (time < engine->now)
		return UR_ENGINE_PAST;
	return UR_ENGINE_OK;
}

static bool handle_is_live(const struct ur_engine *engine, struct ur_event_handle handle)
{
	if (handle.slot >= engine->slot_count)
		return false;
	const struct slot *slot = &engine->slots[handle.slot];
	return slot->seq != FREE_SEQ && slot->generation == handle.generation;
}

/* Pop the spent root, if there is one, before anything that could move it. */
static void pop_spent_root(struct ur_engine *engine)
{
	if (engine->root_is_spent) {
		struct ur_queue_key key;
		ur_queue_pop(&engine->queue, &key);
		engine->root_is_spent = false;
	}
}

/* Renumber the pending keys 0, 1, 2, ... in (time, seq) order (see the file comment). */
static void renumber(struct ur_engine *engine)
{
	pop_spent_root(engine);
	ur_queue_sort(&engine->queue); /* and the index, if any */
	struct ur_queue_key *keys = ur_queue_keys(&engine->queue);
	size_t size = ur_queue_size(&engine->queue);
	for (size_t i = 0; i < size; i++) {
		uint32_t slot = word_slot(keys[i].word);
		keys[i].word = key_word((uint32_t)i, slot);
		engine->slots[slot].seq = (uint32_t)i;
	}
	engine->next_seq = size;
}

/* A sequence number for a new key, renumbering first if they have run out. */
static inline int prepare_seq(struct ur_engine *engine)
{
	if (engine->next_seq < engine->seq_limit)
		return UR_ENGINE_OK;
	renumber(engine);
	return engine->next_seq < engine->seq_limit ? UR_ENGINE_OK : UR_ENGINE_NOMEM;
}

/* prepare_key's slow path: renumber, or grow the heap. Kept out of line (SLOW_PATH) so
 * that the fast path needs fewer registers. */
SLOW_PATH static int prepare_key_slowly(struct ur_engine *engine)
{
	if (prepare_seq(engine) != UR_ENGINE_OK)
		return UR_ENGINE_NOMEM;
	if (!engine->root_is_spent &&
	    ur_queue_reserve(&engine->queue, ur_queue_size(&engine->queue) + 1) != UR_QUEUE_OK)
		return UR_ENGINE_NOMEM;
	return UR_ENGINE_OK;
}

/* Everything a new key needs before any state changes: a sequence number and room in
 * the heap. Inline for the common case where both are at hand. */
static inline int prepare_key(struct ur_engine *engine)
{
	if (engine->next_seq < engine->seq_limit &&
	    (engine->root_is_spent ||
	     ur_queue_size(&engine->queue) + 1 + 4 <= engine->queue.capacity))
		return UR_ENGINE_OK;
	return prepare_key_slowly(engine);
}

/* Put a key in the heap: in place of the spent root if there is one (see the file
 * comment), else pushed. Room was made by prepare_key. */
static inline void insert_key(struct ur_engine *engine, struct ur_queue_key key)
{
	if (engine->root_is_spent) {
		engine->root_is_spent = false;
		ur_queue_replace_top(&engine->queue, key);
		return;
	}
	int status = ur_queue_push(&engine->queue, key);
	assert(status == UR_QUEUE_OK);
	(void)status;
}

/* Grow slots, and positions if there are, together to `capacity`. A failure leaves
 * the engine as it was (a slots array larger than its capacity says is harmless). */
static int grow_slots(struct ur_engine *engine, uint32_t capacity)
{
	struct slot *slots = realloc(engine->slots, (size_t)capacity * sizeof *slots);
	if (!slots)
		return UR_ENGINE_NOMEM;
	engine->slots = slots;
	if (engine->positions) {
		uint32_t *positions =
			realloc(engine->positions, (size_t)capacity * sizeof *positions);
		if (!positions)
			return UR_ENGINE_NOMEM;
		engine->positions = positions;
		ur_queue_index(&engine->queue, positions);
	}
	engine->slot_capacity = capacity;
	return UR_ENGINE_OK;
}

/* Build the index from the heap, the first time a cancel or reschedule needs it. The
 * spent root is indexed too: its slot cannot be taken while it is spent (the first
 * schedule that takes a slot replaces the root), so its entry misleads no one. */
SLOW_PATH static int build_index(struct ur_engine *engine)
{
	uint32_t *positions = malloc((size_t)engine->slot_capacity * sizeof *positions);
	if (!positions)
		return UR_ENGINE_NOMEM;
	const struct ur_queue_key *keys = ur_queue_keys(&engine->queue);
	for (size_t i = 0; i < ur_queue_size(&engine->queue); i++)
		positions[word_slot(keys[i].word)] = (uint32_t)i;
	engine->positions = positions;
	ur_queue_index(&engine->queue, positions);
	return UR_ENGINE_OK;
}

/* take_slot's slow path: a slot never used, growing the array if need be. */
SLOW_PATH static uint32_t take_new_slot(struct ur_engine *engine)
{
	if (engine->slot_count == engine->slot_capacity) {
		/* Indices run to NO_SLOT - 1. */
		if (engine->slot_capacity == NO_SLOT)
			return NO_SLOT;
		uint32_t capacity = engine->slot_capacity < NO_SLOT / 2 ? 2 * engine->slot_capacity
									 : NO_SLOT;
		if (grow_slots(engine, capacity) != UR_ENGINE_OK)
			return NO_SLOT;
	}
	uint32_t index = engine->slot_count++;
	engine->slots[index].generation = 1;
	return index;
}

/* A free slot, or NO_SLOT if none can be had. The last one freed comes first. */
static inline uint32_t take_slot(struct ur_engine *engine)
{
	uint32_t index = engine->free_head;
	if (index == NO_SLOT)
		return take_new_slot(engine);
	engine->free_head = engine->slots[index].target;
	return index;
}

/* The event in `index` leaves the queue (runs or is cancelled): its handle goes stale
 * and the slot goes on the free list. Its key must be out of the heap, or be the
 * spent root. */
static inline void release_slot(struct ur_engine *engine, uint32_t index)
{
	struct slot *slot = &engine->slots[index];
	slot->seq = FREE_SEQ;
	slot->generation++;
	if (slot->generation == 0)
		slot->generation = 1;
	slot->target = engine->free_head;
	engine->free_head = index;
}

int ur_engine_reserve(struct ur_engine *engine, size_t events)
{
	if (events >= NO_SLOT)
		return UR_ENGINE_NOMEM;
	if (ur_queue_reserve(&engine->queue, events + 1) != UR_QUEUE_OK)
		return UR_ENGINE_NOMEM;
	if (events > engine->slot_capacity)
		return grow_slots(engine, (uint32_t)events);
	return UR_ENGINE_OK;
}

/* Why an event cannot be scheduled at `time` with `kind` (recorded), or UR_ENGINE_OK. */
SLOW_PATH static int check_event(struct ur_engine *engine, double time, unsigned kind)
{
	int status = check_time(engine, time);
	if (status != UR_ENGINE_OK)
		return refuse(engine, status, time, kind, "event", true);
	if (kind >= UR_ENGINE_KINDS || !engine->handlers[kind].handler)
		return refuse(engine, UR_ENGINE_NO_HANDLER, time, kind, "event", true);
	return UR_ENGINE_OK;
}

int ur_engine_schedule(struct ur_engine *engine, double time, unsigned kind, uint32_t target,
		       union ur_payload payload, struct ur_event_handle *handle)
{
	/* One test for the common case, false for NaN; check_event says what is wrong. */
	bool time_ok = time >= engine->now && time < HUGE_VAL;
	int status;
	if (!time_ok || kind >= UR_ENGINE_KINDS || !engine->handlers[kind].handler) {
		status = check_event(engine, time, kind);
		if (status != UR_ENGINE_OK)
			goto fail;
	}
	status = prepare_key(engine);
	if (status != UR_ENGINE_OK)
		goto fail;
	uint32_t index = take_slot(engine);
	if (index == NO_SLOT) {
		status = UR_ENGINE_NOMEM;
		goto fail;
	}

	struct slot *slot = &engine->slots[index];
	uint32_t seq = (uint32_t)engine->next_seq++;
	slot->time = time;
	slot->kind = kind;
	slot->target = target;
	slot->payload = payload;
	slot->seq = seq;
	engine->stats.scheduled++;
	size_t pending = pending_count(engine);
	if (pending > engine->stats.max_pending)
		engine->stats.max_pending = pending;
	if (handle)
		*handle = (struct ur_event_handle){ index, slot->generation };
	/* Last, so that little is live across the sift. */
	insert_key(engine, ur_queue_key_make(time, key_word(seq, index)));
	return UR_ENGINE_OK;

fail:
	if (handle)
		*handle = (struct ur_event_handle){ 0, 0 };
	return status;
}

int ur_engine_schedule_in(struct ur_engine *engine, double delay, unsigned kind,
			  uint32_t target, union ur_payload payload,
			  struct ur_event_handle *handle)
{
	/* A negative delay is refused as a time in the past; a NaN or infinite delay makes a
	 * time that is not finite. */
	return ur_engine_schedule(engine, engine->now + delay, kind, target, payload, handle);
}

int ur_engine_cancel(struct ur_engine *engine, struct ur_event_handle handle)
{
	if (!handle_is_live(engine, handle))
		return UR_ENGINE_STALE;
	if (!engine->positions && build_index(engine) != UR_ENGINE_OK)
		return UR_ENGINE_NOMEM;
	ur_queue_remove(&engine->queue, engine->positions[handle.slot]);
	release_slot(engine, handle.slot);
	engine->stats.cancelled++;
	return UR_ENGINE_OK;
}

int ur_engine_reschedule(struct ur_engine *engine, struct ur_event_handle handle, double time)
{
	if (!handle_is_live(engine, handle))
		return UR_ENGINE_STALE;
	struct slot *slot = &engine->slots[handle.slot];
	int status = check_time(engine, time);
	if (status != UR_ENGINE_OK)
		return refuse(engine, status, time, slot->kind, "rescheduled event", true);
	if (!engine->positions && build_index(engine) != UR_ENGINE_OK)
		return UR_ENGINE_NOMEM;
	status = prepare_seq(engine);
	if (status != UR_ENGINE_OK)
		return status;
	/* prepare_seq may have renumbered, which moved keys: find the key after it. */
	uint32_t seq = (uint32_t)engine->next_seq++;
	slot->time = time;
	slot->seq = seq;
	ur_queue_update(&engine->queue, engine->positions[handle.slot],
			ur_queue_key_make(time, key_word(seq, handle.slot)));
	engine->stats.rescheduled++;
	return UR_ENGINE_OK;
}

bool ur_engine_is_pending(const struct ur_engine *engine, struct ur_event_handle handle)
{
	return handle_is_live(engine, handle);
}

int ur_engine_due_time(const struct ur_engine *engine, struct ur_event_handle handle,
		       double *time)
{
	if (!handle_is_live(engine, handle))
		return UR_ENGINE_STALE;
	*time = engine->slots[handle.slot].time;
	return UR_ENGINE_OK;
}

double ur_engine_next_time(struct ur_engine *engine)
{
	pop_spent_root(engine);
	if (ur_queue_size(&engine->queue) == 0)
		return HUGE_VAL;
	return ur_queue_key_time(ur_queue_top(&engine->queue).time_key);
}

int ur_engine_run_until(struct ur_engine *engine, double horizon)
{
	if (engine->running)
		return refuse(engine, UR_ENGINE_BUSY, horizon, 0, "run", false);
	if (isnan(horizon))
		return refuse(engine, UR_ENGINE_NOT_FINITE, horizon, 0, "run horizon", false);
	if (horizon < engine->now)
		return refuse(engine, UR_ENGINE_PAST, horizon, 0, "run horizon", false);

	engine->running = true;
	engine->stop_requested = false;
	struct ur_queue *queue = &engine->queue;
	uint64_t horizon_key = ur_queue_time_key(horizon);
	while (!engine->stop_requested && ur_queue_size(queue) > 0) {
		struct ur_queue_key key = ur_queue_top(queue);
		if (key.time_key > horizon_key)
			break;
		uint32_t index = word_slot(key.word);
		struct slot *slot = &engine->slots[index];
		assert(slot->seq == word_seq(key.word)); /* every key in the heap is pending */

		struct ur_event event = {
			.time = slot->time,
			.kind = slot->kind,
			.target = slot->target,
			.payload = slot->payload,
			.handle = { index, slot->generation },
		};
		release_slot(engine, index);
		engine->root_is_spent = true;
		/* Once slots outgrow the faster caches, ask for the body of the likely next
		 * event now, so that its fetch overlaps this handler and the sift its
		 * schedule causes. */
		if (engine->slot_count > PREFETCH_SLOTS_ABOVE) {
			uint32_t next = word_slot(ur_queue_runner_up(queue).word);
			if (next < engine->slot_count) /* not the sentinel */
				__builtin_prefetch(&engine->slots[next]);
		}
		engine->stats.ties += event.time == engine->last_executed_time;
		engine->last_executed_time = event.time;
		engine->now = event.time;
		engine->stats.executed++;

		const struct handler_entry *entry = &engine->handlers[event.kind];
		entry->handler(engine, &event, entry->context);

		if (engine->root_is_spent) {
			ur_queue_pop(queue, &key);
			engine->root_is_spent = false;
		}
	}
	engine->running = false;
	if (engine->stop_requested) {
		engine->stop_requested = false;
		return UR_ENGINE_STOPPED;
	}
	if (isfinite(horizon))
		engine->now = horizon;
	return UR_ENGINE_OK;
}

int ur_engine_run(struct ur_engine *engine)
{
	return ur_engine_run_until(engine, HUGE_VAL);
}

void ur_engine_stop(struct ur_engine *engine)
{
	if (engine->running)
		engine->stop_requested = true;
}

double ur_engine_now(const struct ur_engine *engine)
{
	return engine->now;
}

void ur_engine_stats(const struct ur_engine *engine, struct ur_engine_stats *stats)
{
	*stats = engine->stats;
	stats->pending = pending_count(engine);
}

const struct ur_engine_error *ur_engine_last_error(const struct ur_engine *engine)
{
	return &engine->error;
}

const char *ur_engine_strerror(int status)
{
	switch (status) {
	case UR_ENGINE_OK:
		return "success";
	case UR_ENGINE_PAST:
		return "time before the clock";
	case UR_ENGINE_NOT_FINITE:
		return "time not finite";
	case UR_ENGINE_NO_HANDLER:
		return "no handler for the event kind";
	case UR_ENGINE_STALE:
		return "stale event handle";
	case UR_ENGINE_NOMEM:
		return "out of memory";
	case UR_ENGINE_STOPPED:
		return "run stopped by a handler";
	case UR_ENGINE_BUSY:
		return "engine already running";
	default:
		return "unknown status";
	}
}

void ur_engine_set_seq_limit(struct ur_engine *engine, uint64_t limit)
{
	assert(limit > 0 && limit <= FREE_SEQ);
	engine->seq_limit = limit;
	if (engine->next_seq >= limit)
		renumber(engine);
}

bool ur_engine_check(const struct ur_engine *engine)
{
	const struct ur_queue *queue = &engine->queue;
	if (!ur_queue_check(queue))
		return false;
	size_t spent = engine->root_is_spent ? 1 : 0;
	if (ur_queue_size(queue) != pending_count(engine) + spent)
		return false;
	for (size_t i = spent; i < ur_queue_size(queue); i++) {
		struct ur_queue_key key = queue->heap[i];
		uint32_t index = word_slot(key.word);
		if (index >= engine->slot_count || engine->slots[index].seq != word_seq(key.word))
			return false;
		if (ur_queue_key_time(key.time_key) != engine->slots[index].time)
			return false;
	}
	size_t free_slots = 0;
	for (uint32_t index = engine->free_head; index != NO_SLOT;
	     index = engine->slots[index].target) {
		if (index >= engine->slot_count || engine->slots[index].seq != FREE_SEQ ||
		    ++free_slots > engine->slot_count)
			return false;
	}
	return free_slots + pending_count(engine) == engine->slot_count;
}

void ur_engine_skip_seq(struct ur_engine *engine, uint64_t count)
{
	assert(count <= engine->seq_limit - engine->next_seq);
	engine->next_seq += count;
}
