/*
 * queue.c: the 4-ary min-heap of 16-byte keys behind the engine, with its optional
 * index (layout and invariants in queue.h).
 *
 * Written by hand rather than taken from a library because the engine's speed is this
 * loop: GSL has no priority queue, and generic heaps (a comparison callback, keys of
 * any size) move more bytes and cannot lay the children of a node on one cache line.
 */
#include "queue.h"

#include <stdlib.h>
#include <string.h>

/* The root sits this many keys past the start of the allocation so that children
 * groups start on a cache line (see queue.h). */
enum { ROOT_OFFSET = 3, ARITY = 4, LINE_KEYS = 4, MIN_CAPACITY = 61 };

static const struct ur_queue_key sentinel = { UINT64_MAX, UINT64_MAX };

static inline size_t first_child(size_t i)
{
	return ARITY * i + 1;
}

static inline size_t parent(size_t i)
{
	return (i - 1) / ARITY;
}

static void fill_sentinels(struct ur_queue_key *from, size_t count)
{
	for (size_t i = 0; i < count; i++)
		from[i] = sentinel;
}

/* Grow to at least `needed` logical entries. The allocation, root offset included, is
 * a whole number of cache lines, as aligned_alloc requires of its size. */
static int grow(struct ur_queue *queue, size_t needed)
{
	size_t capacity = queue->capacity ? queue->capacity : MIN_CAPACITY;
	while (capacity < needed) {
		if (capacity > SIZE_MAX / 2 / sizeof(struct ur_queue_key))
			return UR_QUEUE_NOMEM;
		capacity = 2 * capacity + ROOT_OFFSET; /* keeps capacity + 3 a multiple of 4 */
	}
	size_t bytes = (capacity + ROOT_OFFSET) * sizeof(struct ur_queue_key);
	struct ur_queue_key *block = aligned_alloc(64, bytes);
	if (!block)
		return UR_QUEUE_NOMEM;
	struct ur_queue_key *heap = block + ROOT_OFFSET;
	fill_sentinels(block, ROOT_OFFSET);
	if (queue->heap)
		memcpy(heap, queue->heap, queue->capacity * sizeof *heap);
	fill_sentinels(heap + queue->capacity, capacity - queue->capacity);
	if (queue->heap)
		free(queue->heap - ROOT_OFFSET);
	queue->heap = heap;
	queue->capacity = capacity;
	return UR_QUEUE_OK;
}

int ur_queue_init(struct ur_queue *queue, size_t reserve)
{
	*queue = (struct ur_queue){ 0 };
	return ur_queue_reserve(queue, reserve);
}

void ur_queue_finish(struct ur_queue *queue)
{
	if (queue->heap)
		free(queue->heap - ROOT_OFFSET);
	*queue = (struct ur_queue){ 0 };
}

int ur_queue_grow(struct ur_queue *queue, size_t count)
{
	if (count > SIZE_MAX - ARITY)
		return UR_QUEUE_NOMEM;
	if (queue->heap && count + ARITY <= queue->capacity)
		return UR_QUEUE_OK;
	return grow(queue, count + ARITY);
}

/* Sifts are specialised at compile time on `indexed`, so that the plain heap pays
 * nothing for the index: each public function tests queue->position once and calls a
 * copy of the sift with the test folded away. */
#if defined(__GNUC__)
#define FORCE_INLINE __attribute__((always_inline)) inline
#else
#define FORCE_INLINE inline
#endif

/* Put `key` at heap index i, and record its place in the index. */
static FORCE_INLINE void place(struct ur_queue *queue, size_t i, struct ur_queue_key key,
			       bool indexed)
{
	queue->heap[i] = key;
	if (indexed)
		queue->position[(uint32_t)key.word] = (uint32_t)i;
}

/* Move `key` up from the hole at i until its parent is not greater, and drop it there. */
static FORCE_INLINE void sift_up(struct ur_queue *queue, size_t i, struct ur_queue_key key,
				 bool indexed)
{
	struct ur_queue_key *heap = queue->heap;
	while (i > 0) {
		size_t p = parent(i);
		if (!ur_queue_key_less(key, heap[p]))
			break;
		place(queue, i, heap[p], indexed);
		i = p;
	}
	place(queue, i, key, indexed);
}

/* Ask for the four lines that hold the grandchildren of the node whose children start
 * at c, 4c+5 .. 4c+20, while the children are compared: one of them is the next
 * level's group. Forced inline: gcc judges a function that only prefetches to have no
 * effect and deletes the calls to it. */
static FORCE_INLINE void prefetch_grandchildren(const struct ur_queue *queue, size_t c)
{
	size_t g = first_child(c);
	if (g + ARITY * LINE_KEYS <= queue->capacity) {
		const struct ur_queue_key *line = queue->heap + g;
		__builtin_prefetch(line);
		__builtin_prefetch(line + LINE_KEYS);
		__builtin_prefetch(line + 2 * LINE_KEYS);
		__builtin_prefetch(line + 3 * LINE_KEYS);
	}
}

/* Fill the hole at i with `key`, bottom-up (Floyd): move the hole down along the least
 * children to a leaf, then sift the key up from there. For a pop, whose key is the last
 * leaf and belongs near the bottom again, this saves the comparison with the key at
 * every level on the way down. */
static FORCE_INLINE void sift_hole_to_leaf(struct ur_queue *queue, size_t i,
					   struct ur_queue_key key, bool indexed)
{
	struct ur_queue_key *heap = queue->heap;
	size_t size = queue->size;
	size_t c;
	while ((c = first_child(i)) < size) {
		prefetch_grandchildren(queue, c);
		size_t m = ur_queue_least_of_four(heap, c);
		place(queue, i, heap[m], indexed);
		i = m;
	}
	sift_up(queue, i, key, indexed);
}

/* Fill the hole at i with `key`, top-down: move the least child up while it is less
 * than the key. For a replacement of the top, whose key is new and often belongs
 * higher than a leaf, this measured faster than bottom-up (docs/engine.md). */
static FORCE_INLINE void sift_key_down(struct ur_queue *queue, size_t i,
				       struct ur_queue_key key, bool indexed)
{
	struct ur_queue_key *heap = queue->heap;
	size_t size = queue->size;
	size_t c;
	while ((c = first_child(i)) < size) {
		prefetch_grandchildren(queue, c);
		size_t m = ur_queue_least_of_four(heap, c);
		if (!ur_queue_key_less(heap[m], key))
			break;
		place(queue, i, heap[m], indexed);
		i = m;
	}
	place(queue, i, key, indexed);
}

/* Fill the hole at i with `key`, up or down as it requires. */
static FORCE_INLINE void sift_either_way(struct ur_queue *queue, size_t i,
					 struct ur_queue_key key, bool indexed)
{
	if (i > 0 && ur_queue_key_less(key, queue->heap[parent(i)]))
		sift_up(queue, i, key, indexed);
	else
		sift_key_down(queue, i, key, indexed);
}

int ur_queue_push(struct ur_queue *queue, struct ur_queue_key key)
{
	assert(ur_queue_key_is_valid(key));
	if (queue->size + 1 + ARITY > queue->capacity) {
		int status = grow(queue, queue->size + 1 + ARITY);
		if (status != UR_QUEUE_OK)
			return status;
	}
	size_t hole = queue->size++;
	if (queue->position)
		sift_up(queue, hole, key, true);
	else
		sift_up(queue, hole, key, false);
	return UR_QUEUE_OK;
}

void ur_queue_pop(struct ur_queue *queue, struct ur_queue_key *out)
{
	assert(queue->size > 0);
	struct ur_queue_key *heap = queue->heap;
	*out = heap[0];
	size_t last = --queue->size;
	struct ur_queue_key key = heap[last];
	heap[last] = sentinel;
	if (last == 0)
		return;
	if (queue->position)
		sift_hole_to_leaf(queue, 0, key, true);
	else
		sift_hole_to_leaf(queue, 0, key, false);
}

void ur_queue_replace_top(struct ur_queue *queue, struct ur_queue_key key)
{
	assert(queue->size > 0);
	assert(ur_queue_key_is_valid(key));
	if (queue->position)
		sift_key_down(queue, 0, key, true);
	else
		sift_key_down(queue, 0, key, false);
}

void ur_queue_update(struct ur_queue *queue, size_t i, struct ur_queue_key key)
{
	assert(i < queue->size);
	assert(ur_queue_key_is_valid(key));
	if (queue->position)
		sift_either_way(queue, i, key, true);
	else
		sift_either_way(queue, i, key, false);
}

void ur_queue_remove(struct ur_queue *queue, size_t i)
{
	assert(i < queue->size);
	struct ur_queue_key *heap = queue->heap;
	size_t last = --queue->size;
	struct ur_queue_key key = heap[last];
	heap[last] = sentinel;
	if (i == last)
		return;
	/* the last key fills the hole, up or down */
	if (queue->position)
		sift_either_way(queue, i, key, true);
	else
		sift_either_way(queue, i, key, false);
}

static int compare_keys(const void *a, const void *b)
{
	const struct ur_queue_key *x = a, *y = b;
	return ur_queue_key_less(*x, *y) ? -1 : ur_queue_key_less(*y, *x) ? 1 : 0;
}

void ur_queue_sort(struct ur_queue *queue)
{
	if (queue->size > 1)
		qsort(queue->heap, queue->size, sizeof *queue->heap, compare_keys);
	if (queue->position) {
		for (size_t i = 0; i < queue->size; i++)
			queue->position[(uint32_t)queue->heap[i].word] = (uint32_t)i;
	}
}

bool ur_queue_check(const struct ur_queue *queue)
{
	const struct ur_queue_key *heap = queue->heap;
	if (queue->size > 0 && queue->size + ARITY > queue->capacity)
		return false;
	for (size_t i = 1; i < queue->size; i++) {
		if (ur_queue_key_less(heap[i], heap[parent(i)]))
			return false;
	}
	for (size_t i = queue->size; i < queue->capacity; i++) {
		if (heap[i].word != UINT64_MAX || heap[i].time_key != UINT64_MAX)
			return false;
	}
	for (size_t i = 0; queue->position && i < queue->size; i++) {
		if (queue->position[(uint32_t)heap[i].word] != i)
			return false;
	}
	return true;
}
