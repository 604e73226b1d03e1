/*
 * engine_private.h: hooks into the engine for its own tests, not part of the API.
 *
 * Sequence numbers run out after 2^32 schedules and are then renumbered (engine.c).
 * No test can schedule 2^32 events, so a test lowers the limit, or skips numbers, to
 * reach that path.
 */
#ifndef UNREST_SIM_ENGINE_PRIVATE_H
#define UNREST_SIM_ENGINE_PRIVATE_H

#include <stdint.h>

#include "unrest/engine.h"

/* Renumber whenever `limit` (1 .. 2^32) sequence numbers have been used; renumbers at
 * once if the limit is already reached. */
void ur_engine_set_seq_limit(struct ur_engine *engine, uint64_t limit);

/* Use up `count` sequence numbers without scheduling, as if that many events had come
 * and gone, to bring a test to the limit; next_seq + count must not pass the limit. */
void ur_engine_skip_seq(struct ur_engine *engine, uint64_t count);

#endif
