/*
 * queue.h: the engine's priority queue on its own, a 4-ary min-heap of 16-byte keys,
 * optionally indexed so that any key can be moved or removed in O(log n).
 *
 * Model: a key is (time, word). Keys compare by time, then by word as an unsigned
 * integer. The engine packs into the word the sequence number that breaks ties
 * first-in first-out (high 32 bits) and the index of the event's slot (low 32 bits), so
 * the heap moves 16 bytes per step and never touches an event body. The time is stored
 * as its order-preserving image in a 64-bit unsigned integer (ur_queue_time_key), so
 * that a key is one 128-bit unsigned number and a comparison is two integer
 * instructions with no branch: a branch on the outcome of a time comparison
 * mispredicts half of the time in a heap.
 *
 * Index: when `position` is set (ur_queue_index), every key placed at heap index i
 * writes position[slot] = i, slot being the low 32 bits of its word, so the owner finds
 * a key by its slot and can move it (ur_queue_update) or remove it (ur_queue_remove).
 * Without the index the queue is a plain heap; the benchmark drives it so, as the
 * fastest bare heap to measure the engine against.
 *
 * Layout: four children of a node fill one 64-byte cache line. The array is
 * cache-line aligned and the root sits three keys in, so the children of logical node
 * i, at 4i+1 .. 4i+4, start on a line boundary: a sift-down reads one line per level,
 * and the next level's lines are prefetched while the current one is compared. Entries
 * past the last key hold a sentinel (both words all ones, greater than any key made
 * from a time that is not NaN) up to the end of the last children group, so a
 * sift-down compares four children without bounds checks.
 *
 * Invariants (between calls):
 *   - heap order: no key is less than its parent;
 *   - every entry from index `size` to `capacity` is the sentinel;
 *   - capacity >= size + 4, so the children group of any node with a child is allocated;
 *   - no key was made from a NaN time, so every key is less than the sentinel;
 *   - with the index: position[slot of heap[i]] == i for every i < size, and no two
 *     keys share a slot.
 *
 * Error policy: growth can fail (UR_QUEUE_NOMEM, the queue unchanged); popping an empty
 * queue, an index out of range, or a key made from a NaN time is a programming error
 * and asserts.
 */
#ifndef UNREST_SIM_ENGINE_QUEUE_H
#define UNREST_SIM_ENGINE_QUEUE_H

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ur_queue_key {
	uint64_t time_key; /* ur_queue_time_key(time) */
	uint64_t word;     /* with the index, the low 32 bits are the key's slot */
};

struct ur_queue {
	struct ur_queue_key *heap; /* logical index 0 is the root; heap - 3 is the allocation */
	size_t size;               /* keys in the heap */
	size_t capacity;           /* allocated logical entries (keys and sentinels) */
	uint32_t *position;        /* the index, or NULL; owned by the caller */
};

enum ur_queue_status {
	UR_QUEUE_OK = 0,
	UR_QUEUE_NOMEM = 1,
};

/* Initialise an empty queue, without index, with room for at least `reserve` keys. */
int ur_queue_init(struct ur_queue *queue, size_t reserve);
/* Release the memory (not the index); the queue may be initialised again. finish on a
 * zeroed struct is a no-op. */
void ur_queue_finish(struct ur_queue *queue);

/* Use `position` as the index from now on: it must have an entry for every slot that
 * words name, and the queue must be empty or the index already consistent. The owner
 * calls this again when it moves the array (grows it). */
static inline void ur_queue_index(struct ur_queue *queue, uint32_t *position)
{
	queue->position = position;
}

/* Grow so that `count` keys fit (ur_queue_reserve's slow path). */
int ur_queue_grow(struct ur_queue *queue, size_t count);

/* Make room for `count` keys in total so that pushes up to that size cannot fail. Inline
 * because the engine asks before every push. */
static inline int ur_queue_reserve(struct ur_queue *queue, size_t count)
{
	/* capacity >= size + 4: see the invariants */
	if (queue->heap && count <= SIZE_MAX - 4 && count + 4 <= queue->capacity)
		return UR_QUEUE_OK;
	return ur_queue_grow(queue, count);
}

/* Add a key. Fails only when the heap must grow and cannot. */
int ur_queue_push(struct ur_queue *queue, struct ur_queue_key key);

/* Remove the least key into *out. The queue must not be empty. */
void ur_queue_pop(struct ur_queue *queue, struct ur_queue_key *out);

/* Put `key` in place of the least key and restore the order: a pop and a push in one
 * sift, what a hold (take the next event, schedule the one it causes) needs. The queue
 * must not be empty. */
void ur_queue_replace_top(struct ur_queue *queue, struct ur_queue_key key);

/* Replace the key at heap index i (< size) by `key` and restore the order, sifting up
 * or down as the new key requires: a move in O(log n). With the index, i is found as
 * position[slot]. */
void ur_queue_update(struct ur_queue *queue, size_t i, struct ur_queue_key key);

/* Remove the key at heap index i (< size) in O(log n). */
void ur_queue_remove(struct ur_queue *queue, size_t i);

/* Sort the keys in place, least first (and update the index). A sorted array is a
 * valid heap, so the queue stays usable; the engine renumbers tie-breaking words over
 * the sorted keys. */
void ur_queue_sort(struct ur_queue *queue);

/* Whether the invariants hold, the index included (for tests; O(size)). */
bool ur_queue_check(const struct ur_queue *queue);

/* The image of a time that orders as the time does: the IEEE 754 bits with the sign
 * bit set for a positive number and all bits flipped for a negative one. -0.0 is made
 * +0.0 first so that the two zeros, equal as doubles, are one key. */
static inline uint64_t ur_queue_time_key(double time)
{
	double positive_zero = time + 0.0;
	uint64_t bits;
	memcpy(&bits, &positive_zero, sizeof bits);
	uint64_t flip = (uint64_t)-(int64_t)(bits >> 63) | UINT64_C(0x8000000000000000);
	return bits ^ flip;
}

/* The time a key was made from (the inverse of ur_queue_time_key). */
static inline double ur_queue_key_time(uint64_t time_key)
{
	uint64_t flip = (time_key >> 63) ? UINT64_C(0x8000000000000000) : UINT64_MAX;
	uint64_t bits = time_key ^ flip;
	double time;
	memcpy(&time, &bits, sizeof time);
	return time;
}

static inline struct ur_queue_key ur_queue_key_make(double time, uint64_t word)
{
	return (struct ur_queue_key){ ur_queue_time_key(time), word };
}

/* Whether a key was made from a time that is not NaN: such keys lie between the images
 * of -inf and +inf. */
static inline bool ur_queue_key_is_valid(struct ur_queue_key key)
{
	return key.time_key >= ur_queue_time_key(-HUGE_VAL) &&
	       key.time_key <= ur_queue_time_key(HUGE_VAL);
}

static inline bool ur_queue_key_less(struct ur_queue_key a, struct ur_queue_key b)
{
#if defined(__SIZEOF_INT128__)
	/* One 128-bit comparison: compilers emit cmp and sbb, no branch. */
	__extension__ unsigned __int128 x = ((unsigned __int128)a.time_key << 64) | a.word;
	__extension__ unsigned __int128 y = ((unsigned __int128)b.time_key << 64) | b.word;
	return x < y;
#else
	return (a.time_key < b.time_key) | ((a.time_key == b.time_key) & (a.word < b.word));
#endif
}

/* The index of the least of the four keys starting at c (a children group): a
 * tournament of three comparisons whose outcomes feed index arithmetic, not branches.
 * Written as ?: the compilers emit a branch for one of the three, which mispredicts
 * half of the time. */
static inline size_t ur_queue_least_of_four(const struct ur_queue_key *heap, size_t c)
{
	size_t a = c + ur_queue_key_less(heap[c + 1], heap[c]);
	size_t b = c + 2 + ur_queue_key_less(heap[c + 3], heap[c + 2]);
	size_t b_wins = ur_queue_key_less(heap[b], heap[a]);
	return a ^ ((a ^ b) & (0 - b_wins));
}

static inline size_t ur_queue_size(const struct ur_queue *queue)
{
	return queue->size;
}

/* The least key; the queue must not be empty. */
static inline struct ur_queue_key ur_queue_top(const struct ur_queue *queue)
{
	assert(queue->size > 0);
	return queue->heap[0];
}

/* The least key after the top: the least child of the root, the sentinel if the top
 * is alone. The root's children share one cache line, so this is cheap; the engine
 * uses it to fetch the next event's body while the current one is handled. */
static inline struct ur_queue_key ur_queue_runner_up(const struct ur_queue *queue)
{
	return queue->heap[ur_queue_least_of_four(queue->heap, 1)];
}

/* The keys in heap order, 0 .. size-1. A caller may rewrite words as long as their
 * order and their slots stay as they were (the engine's renumbering does). */
static inline struct ur_queue_key *ur_queue_keys(struct ur_queue *queue)
{
	return queue->heap;
}

#endif
