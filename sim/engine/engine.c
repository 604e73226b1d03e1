/*
 * engine.c: the discrete-event kernel (model and contract in include/unrest/engine.h;
 * the design and its measurements in docs/engine.md).
 *
 * Storage: the heap (queue.h) holds 16-byte keys (time, word); the word packs a 32-bit
 * sequence number over a 32-bit slot index. Slots hold the event bodies (kind, target,
 * payload) in one array, recycled through a last-in first-out free list so that the
 * slot an event frees is the one its handler's next event takes, still in cache.
 *
 * Cancellation is lazy: cancelling frees the slot at once and leaves the key in the
 * heap. A key is live while its slot is pending with the same sequence number; a stale
 * key is dropped when it reaches the top. Rescheduling pushes a new key with a new
 * sequence number and so makes the old key stale. When stale keys outnumber pending
 * events the heap is filtered and rebuilt in O(n), so the heap holds at most about twice
 * the pending events and a cancel costs O(1) amortised. docs/engine.md gives the
 * measurements that chose this over an indexed heap that removes keys in place.
 *
 * Hold: the run loop frees the event it dispatches before calling its handler but
 * leaves its key, now stale and still the least, at the root ("spent"). The first event
 * the handler schedules replaces the root in one sift-down instead of a pop and a push;
 * if the handler schedules nothing the root is popped after it returns.
 *
 * Sequence numbers: 32 bits suffice because only their order among events due at the
 * same time matters. When they run out, the pending keys are sorted by (time, seq) and
 * renumbered 0, 1, 2, ... in that order; a sorted array is a valid heap and the relative
 * order of every pair of keys is kept, so the run is unchanged. This costs O(n log n)
 * once per 2^32 schedules.
 */
#include "unrest/engine.h"

#include <assert.h>
#include <math.h>
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

enum {
	MIN_SLOTS = 64,
	MIN_STALE_TO_FILTER = 1024, /* below this, stale keys cost less than a rebuild */
	PREFETCH_SLOTS_ABOVE = 8192, /* 256 KiB of slots */
};

struct slot {
	union ur_payload payload;
	double time;         /* when the event is due */
	uint32_t seq;        /* sequence number of the event's live key; free: next free slot */
	uint32_t generation; /* changes when the event runs or is cancelled; never 0 */
	uint32_t target;
	uint16_t kind;
	uint16_t pending;    /* 1 while the event is scheduled */
};

_Static_assert(sizeof(struct slot) == 32, "two slots per cache line");

struct handler_entry {
	ur_event_handler handler;
	void *context;
};

struct ur_engine {
	struct ur_queue queue;
	struct slot *slots;
	uint32_t slot_count;      /* slots ever used: 0 .. slot_count-1 */
	uint32_t slot_capacity;
	uint32_t free_head;       /* a free slot below slot_count, or NO_SLOT */
	uint64_t next_seq;        /* the next sequence number; below seq_limit <= 2^32 */
	uint64_t seq_limit;       /* renumber when next_seq reaches it (2^32; lower in tests) */
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

static inline bool key_is_live(const struct ur_engine *engine, struct ur_queue_key key)
{
	const struct slot *slot = &engine->slots[word_slot(key.word)];
	return slot->pending && slot->seq == word_seq(key.word);
}

static bool keep_live_key(struct ur_queue_key key, void *context)
{
	return key_is_live(context, key);
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
	engine->seq_limit = UINT64_C(1) << 32;
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

/* Record a refusal for the caller, count it and pass its status on. */
static int refuse(struct ur_engine *engine, enum ur_engine_status status, double time,
		  unsigned kind, const char *what)
{
	struct ur_engine_error *error = &engine->error;
	error->status = status;
	error->time = time;
	error->now = engine->now;
	error->kind = kind;
	switch (status) {
	case UR_ENGINE_PAST:
		snprintf(error->message, sizeof error->message,
			 "%s at t=%.17g is before the clock t=%.17g", what, time, engine->now);
		break;
	case UR_ENGINE_NOT_FINITE:
		snprintf(error->message, sizeof error->message, "%s at t=%g is not finite", what,
			 time);
		break;
	case UR_ENGINE_NO_HANDLER:
		snprintf(error->message, sizeof error->message, "%s: no handler for kind %u", what,
			 kind);
		break;
	case UR_ENGINE_BUSY:
		snprintf(error->message, sizeof error->message,
			 "%s: the engine is already running (called from a handler)", what);
		break;
	default:
		snprintf(error->message, sizeof error->message, "%s: %s", what,
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
	return slot->pending && slot->generation == handle.generation;
}

/* Drop every stale key and rebuild the heap. */
static void drop_stale_keys(struct ur_engine *engine)
{
	ur_queue_filter(&engine->queue, keep_live_key, engine);
	engine->root_is_spent = false;
}

static void maybe_drop_stale_keys(struct ur_engine *engine)
{
	size_t pending = pending_count(engine);
	size_t stale = ur_queue_size(&engine->queue) - pending;
	if (stale >= MIN_STALE_TO_FILTER && stale > pending)
		drop_stale_keys(engine);
}

/* Renumber the pending keys 0, 1, 2, ... in (time, seq) order (see the file comment). */
static void renumber(struct ur_engine *engine)
{
	drop_stale_keys(engine);
	ur_queue_sort(&engine->queue);
	struct ur_queue_key *keys = ur_queue_keys(&engine->queue);
	size_t size = ur_queue_size(&engine->queue);
	for (size_t i = 0; i < size; i++) {
		uint32_t slot = word_slot(keys[i].word);
		keys[i].word = key_word((uint32_t)i, slot);
		engine->slots[slot].seq = (uint32_t)i;
	}
	engine->next_seq = size;
}

/* prepare_key's slow path: renumber, or grow the heap. Kept out of line (SLOW_PATH) so
 * that the fast path needs fewer registers. */
SLOW_PATH static int prepare_key_slowly(struct ur_engine *engine)
{
	if (engine->next_seq >= engine->seq_limit) {
		renumber(engine);
		if (engine->next_seq >= engine->seq_limit)
			return UR_ENGINE_NOMEM;
	}
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
	size_t entries = ur_queue_size(&engine->queue);
	if (entries > engine->stats.max_entries)
		engine->stats.max_entries = entries;
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
		struct slot *slots = realloc(engine->slots, (size_t)capacity * sizeof *slots);
		if (!slots)
			return NO_SLOT;
		engine->slots = slots;
		engine->slot_capacity = capacity;
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
	engine->free_head = engine->slots[index].seq;
	return index;
}

/* The event in `index` leaves the queue (runs or is cancelled): its handle goes stale
 * and the slot goes on the free list. Its key, if still in the heap, is now stale. */
static inline void release_slot(struct ur_engine *engine, uint32_t index)
{
	struct slot *slot = &engine->slots[index];
	slot->pending = 0;
	slot->generation++;
	if (slot->generation == 0)
		slot->generation = 1;
	slot->seq = engine->free_head;
	engine->free_head = index;
}

int ur_engine_reserve(struct ur_engine *engine, size_t events)
{
	if (events >= NO_SLOT)
		return UR_ENGINE_NOMEM;
	if (ur_queue_reserve(&engine->queue, events + 1) != UR_QUEUE_OK)
		return UR_ENGINE_NOMEM;
	if (events > engine->slot_capacity) {
		struct slot *slots = realloc(engine->slots, (size_t)events * sizeof *slots);
		if (!slots)
			return UR_ENGINE_NOMEM;
		engine->slots = slots;
		engine->slot_capacity = (uint32_t)events;
	}
	return UR_ENGINE_OK;
}

/* Why an event cannot be scheduled at `time` with `kind` (recorded), or UR_ENGINE_OK. */
SLOW_PATH static int check_event(struct ur_engine *engine, double time, unsigned kind)
{
	int status = check_time(engine, time);
	if (status != UR_ENGINE_OK)
		return refuse(engine, status, time, kind, "event");
	if (kind >= UR_ENGINE_KINDS || !engine->handlers[kind].handler)
		return refuse(engine, UR_ENGINE_NO_HANDLER, time, kind, "event");
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
	slot->payload = payload;
	slot->time = time;
	slot->seq = seq;
	slot->target = target;
	slot->kind = (uint16_t)kind;
	slot->pending = 1;
	insert_key(engine, ur_queue_key_make(time, key_word(seq, index)));

	engine->stats.scheduled++;
	size_t pending = pending_count(engine);
	if (pending > engine->stats.max_pending)
		engine->stats.max_pending = pending;
	if (handle)
		*handle = (struct ur_event_handle){ index, slot->generation };
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
	release_slot(engine, handle.slot);
	engine->stats.cancelled++;
	maybe_drop_stale_keys(engine);
	return UR_ENGINE_OK;
}

int ur_engine_reschedule(struct ur_engine *engine, struct ur_event_handle handle, double time)
{
	if (!handle_is_live(engine, handle))
		return UR_ENGINE_STALE;
	struct slot *slot = &engine->slots[handle.slot];
	int status = check_time(engine, time);
	if (status != UR_ENGINE_OK)
		return refuse(engine, status, time, slot->kind, "rescheduled event");
	status = prepare_key(engine);
	if (status != UR_ENGINE_OK)
		return status;
	/* prepare_key may have renumbered, which rewrote slot->seq: take seq after it. */
	uint32_t seq = (uint32_t)engine->next_seq++;
	slot->time = time;
	slot->seq = seq; /* the old key is stale from here */
	insert_key(engine, ur_queue_key_make(time, key_word(seq, handle.slot)));
	engine->stats.rescheduled++;
	maybe_drop_stale_keys(engine);
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

/* Pop stale keys off the top until the top is live or the heap is empty. */
static void skip_stale_keys(struct ur_engine *engine)
{
	struct ur_queue_key key;
	while (ur_queue_size(&engine->queue) > 0 &&
	       !key_is_live(engine, ur_queue_top(&engine->queue))) {
		ur_queue_pop(&engine->queue, &key);
	}
	engine->root_is_spent = false;
}

double ur_engine_next_time(struct ur_engine *engine)
{
	skip_stale_keys(engine);
	if (ur_queue_size(&engine->queue) == 0)
		return HUGE_VAL;
	return ur_queue_key_time(ur_queue_top(&engine->queue).time_key);
}

int ur_engine_run_until(struct ur_engine *engine, double horizon)
{
	if (engine->running)
		return refuse(engine, UR_ENGINE_BUSY, horizon, 0, "run");
	if (isnan(horizon))
		return refuse(engine, UR_ENGINE_NOT_FINITE, horizon, 0, "run horizon");
	if (horizon < engine->now)
		return refuse(engine, UR_ENGINE_PAST, horizon, 0, "run horizon");

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
		if (!slot->pending || slot->seq != word_seq(key.word)) {
			ur_queue_pop(queue, &key);
			continue;
		}

		struct ur_event event = {
			.time = ur_queue_key_time(key.time_key),
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
	assert(limit > 0 && limit <= UINT64_C(1) << 32);
	engine->seq_limit = limit;
	if (engine->next_seq >= limit)
		renumber(engine);
}

void ur_engine_skip_seq(struct ur_engine *engine, uint64_t count)
{
	assert(count <= engine->seq_limit - engine->next_seq);
	engine->next_seq += count;
}
