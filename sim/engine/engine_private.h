/*
 * engine_private.h: hooks into the engine for its own tests, not part of the API.
 *
 * ur_engine_check verifies the internal invariants that the public API cannot see:
 * heap order, the position index, and that the heap holds exactly the pending events.
 *
 * Sequence numbers run out after 2^32 - 1 schedules and are then renumbered
 * (engine.c). No test can schedule that many events, so a test lowers the limit, or
 * skips numbers, to reach that path.
 */
#ifndef UNREST_SIM_ENGINE_PRIVATE_H
#define UNREST_SIM_ENGINE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "unrest/engine.h"

/* Renumber whenever `limit` (1 .. 2^32 - 1, the default) sequence numbers have been
 * used; renumbers at once if the limit is already reached. */
void ur_engine_set_seq_limit(struct ur_engine *engine, uint64_t limit);

/* Use up `count` sequence numbers without scheduling, as if that many events had come
 * and gone, to bring a test to the limit; next_seq + count must not pass the limit. */
void ur_engine_skip_seq(struct ur_engine *engine, uint64_t count);

/* Whether the heap is in order, every pending event has exactly one key, at the
 * position its slot records, and nothing else is in the heap (but the spent root while
 * a handler runs). O(n). */
bool ur_engine_check(const struct ur_engine *engine);

#endif
