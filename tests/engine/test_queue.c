/*
 * test_queue.c: the engine's priority queue on its own (sim/engine/queue.h): the time
 * image orders as doubles do, and pushes, pops, replacements, moves, removals and sorts
 * keep the heap order and the index, and give back the keys a plain reference gives,
 * ties included.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "queue.h"

/* A reference multiset with a linear scan for the least key: slow, obviously right. */
struct reference {
	struct ur_queue_key *keys;
	size_t size;
};

static size_t reference_least(const struct reference *ref)
{
	size_t best = 0;
	for (size_t i = 1; i < ref->size; i++) {
		if (ur_queue_key_less(ref->keys[i], ref->keys[best]))
			best = i;
	}
	return best;
}

static struct ur_queue_key reference_pop(struct reference *ref)
{
	size_t i = reference_least(ref);
	struct ur_queue_key key = ref->keys[i];
	ref->keys[i] = ref->keys[--ref->size];
	return key;
}

static void assert_key_equal(struct ur_queue_key a, struct ur_queue_key b)
{
	assert_true(a.time_key == b.time_key);
	assert_true(a.word == b.word);
}

/* Times on a coarse grid, so that many keys share a time and ties are exercised. */
static double grid_time(gsl_rng *rng)
{
	return floor(gsl_rng_uniform(rng) * 200.0) * 0.5 - 20.0;
}

static void test_time_key_orders_like_doubles(void **state)
{
	(void)state;
	const double times[] = { -HUGE_VAL, -1e300, -2.5, -1.0, -1e-300, -0.0, 0.0, 1e-310,
				 1e-300, 0.1, 1.0, 1.0 + 1e-15, 2.5, 1e300, HUGE_VAL };
	size_t n = sizeof times / sizeof *times;
	for (size_t i = 0; i < n; i++) {
		uint64_t key = ur_queue_time_key(times[i]);
		/* the round trip is exact; -0.0 comes back as +0.0, equal as a double */
		assert_true(ur_queue_key_time(key) == times[i]);
		assert_true(ur_queue_key_is_valid(ur_queue_key_make(times[i], 0)));
		for (size_t j = 0; j < n; j++) {
			uint64_t other = ur_queue_time_key(times[j]);
			assert_int_equal(key < other, times[i] < times[j]);
			assert_int_equal(key == other, times[i] == times[j]);
		}
	}
	assert_false(ur_queue_key_is_valid(ur_queue_key_make((double)NAN, 0)));
	assert_false(ur_queue_key_is_valid(ur_queue_key_make(-(double)NAN, 0)));
}

static void test_ties_break_on_word(void **state)
{
	(void)state;
	struct ur_queue_key a = ur_queue_key_make(3.0, 5), b = ur_queue_key_make(3.0, 6);
	struct ur_queue_key c = ur_queue_key_make(2.0, UINT64_MAX - 1);
	assert_true(ur_queue_key_less(a, b));
	assert_false(ur_queue_key_less(b, a));
	assert_false(ur_queue_key_less(a, a));
	assert_true(ur_queue_key_less(c, a));
}

/* Random pushes and pops, interleaved, against the reference. */
static void test_push_pop_match_reference(void **state)
{
	(void)state;
	enum { OPS = 20000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 11);
	struct ur_queue queue;
	assert_int_equal(ur_queue_init(&queue, 0), UR_QUEUE_OK);
	struct reference ref = { malloc(OPS * sizeof *ref.keys), 0 };
	assert_non_null(ref.keys);

	for (uint64_t op = 0; op < OPS; op++) {
		/* pushes outnumber pops 3:2 so the heap grows through several levels */
		if (ref.size == 0 || gsl_rng_uniform(rng) < 0.6) {
			struct ur_queue_key key = ur_queue_key_make(grid_time(rng), op);
			assert_int_equal(ur_queue_push(&queue, key), UR_QUEUE_OK);
			ref.keys[ref.size++] = key;
		} else {
			struct ur_queue_key got;
			ur_queue_pop(&queue, &got);
			assert_key_equal(got, reference_pop(&ref));
		}
		assert_int_equal(ur_queue_size(&queue), ref.size);
		if (op % 1000 == 0)
			assert_true(ur_queue_check(&queue));
	}
	assert_true(ur_queue_check(&queue));
	while (ref.size > 0) {
		struct ur_queue_key got;
		ur_queue_pop(&queue, &got);
		assert_key_equal(got, reference_pop(&ref));
	}
	assert_int_equal(ur_queue_size(&queue), 0);
	assert_true(ur_queue_check(&queue));

	free(ref.keys);
	ur_queue_finish(&queue);
	gsl_rng_free(rng);
}

/* replace_top is a pop then a push. */
static void test_replace_top_matches_reference(void **state)
{
	(void)state;
	enum { SIZE = 3000, OPS = 20000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 12);
	struct ur_queue queue;
	assert_int_equal(ur_queue_init(&queue, SIZE), UR_QUEUE_OK);
	struct reference ref = { malloc(SIZE * sizeof *ref.keys), 0 };
	assert_non_null(ref.keys);
	uint64_t word = 0;
	for (; word < SIZE; word++) {
		struct ur_queue_key key = ur_queue_key_make(grid_time(rng), word);
		assert_int_equal(ur_queue_push(&queue, key), UR_QUEUE_OK);
		ref.keys[ref.size++] = key;
	}
	for (int op = 0; op < OPS; op++, word++) {
		struct ur_queue_key top = ur_queue_top(&queue);
		assert_key_equal(top, reference_pop(&ref));
		/* the new key may belong anywhere, the root included */
		double time = ur_queue_key_time(top.time_key) + grid_time(rng) + 20.0;
		struct ur_queue_key key = ur_queue_key_make(time, word);
		ur_queue_replace_top(&queue, key);
		ref.keys[ref.size++] = key;
	}
	assert_true(ur_queue_check(&queue));
	free(ref.keys);
	ur_queue_finish(&queue);
	gsl_rng_free(rng);
}

/* With the index: random pushes, pops, replacements, moves and removals by slot,
 * against the reference; the index must name every key's place after every step. */
static void test_indexed_operations_match_reference(void **state)
{
	(void)state;
	enum { SLOTS = 2000, OPS = 30000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 15);
	uint32_t position[SLOTS];
	bool in_heap[SLOTS] = { false };
	struct ur_queue_key current[SLOTS]; /* the key of each slot in the heap */
	struct ur_queue queue;
	assert_int_equal(ur_queue_init(&queue, 0), UR_QUEUE_OK);
	ur_queue_index(&queue, position);
	uint64_t seq = 0;
	size_t size = 0;

	for (int op = 0; op < OPS; op++) {
		uint32_t slot = (uint32_t)gsl_rng_uniform_int(rng, SLOTS);
		struct ur_queue_key key = ur_queue_key_make(grid_time(rng), seq++ << 32 | slot);
		double u = gsl_rng_uniform(rng);
		if (!in_heap[slot] && u < 0.5) {
			assert_int_equal(ur_queue_push(&queue, key), UR_QUEUE_OK);
			in_heap[slot] = true;
			current[slot] = key;
			size++;
		} else if (in_heap[slot] && u < 0.7) {
			ur_queue_update(&queue, position[slot], key); /* a move, up or down */
			current[slot] = key;
		} else if (in_heap[slot] && u < 0.85) {
			ur_queue_remove(&queue, position[slot]);
			in_heap[slot] = false;
			size--;
		} else if (size > 0) {
			/* the top must be the least key the reference holds */
			struct ur_queue_key top = ur_queue_top(&queue);
			for (uint32_t s = 0; s < SLOTS; s++)
				assert_false(in_heap[s] && ur_queue_key_less(current[s], top));
			uint32_t top_slot = (uint32_t)top.word;
			assert_true(in_heap[top_slot]);
			assert_key_equal(top, current[top_slot]);
			if (u < 0.93) {
				struct ur_queue_key got;
				ur_queue_pop(&queue, &got);
				in_heap[top_slot] = false;
				size--;
			} else {
				/* the hold: the top's slot comes back with a new key */
				struct ur_queue_key next = ur_queue_key_make(
					ur_queue_key_time(top.time_key) + 1.0, seq++ << 32 | top_slot);
				ur_queue_replace_top(&queue, next);
				current[top_slot] = next;
			}
		}
		assert_int_equal(ur_queue_size(&queue), size);
		if (op % 100 == 0)
			assert_true(ur_queue_check(&queue)); /* order, sentinels and index */
	}
	assert_true(ur_queue_check(&queue));
	for (uint32_t s = 0; s < SLOTS; s++) {
		if (in_heap[s])
			assert_key_equal(queue.heap[position[s]], current[s]);
	}
	ur_queue_finish(&queue);
	gsl_rng_free(rng);
}

/* Without the index, update and remove work by heap index alike. */
static void test_plain_update_and_remove(void **state)
{
	(void)state;
	enum { SIZE = 3000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 16);
	struct ur_queue queue;
	assert_int_equal(ur_queue_init(&queue, 0), UR_QUEUE_OK);
	struct reference ref = { malloc(SIZE * sizeof *ref.keys), 0 };
	assert_non_null(ref.keys);
	uint64_t word = 0;
	for (; word < SIZE; word++) {
		struct ur_queue_key key = ur_queue_key_make(grid_time(rng), word);
		assert_int_equal(ur_queue_push(&queue, key), UR_QUEUE_OK);
	}
	/* remove a third, move a third, at random heap indices */
	for (int k = 0; k < SIZE / 3; k++) {
		ur_queue_remove(&queue, gsl_rng_uniform_int(rng, ur_queue_size(&queue)));
		ur_queue_update(&queue, gsl_rng_uniform_int(rng, ur_queue_size(&queue)),
				ur_queue_key_make(grid_time(rng), word++));
		assert_true(ur_queue_check(&queue));
	}
	/* what is left pops in order and matches a reference built from it */
	size_t n = ur_queue_size(&queue);
	for (size_t i = 0; i < n; i++)
		ref.keys[ref.size++] = queue.heap[i];
	while (ref.size > 0) {
		struct ur_queue_key got;
		ur_queue_pop(&queue, &got);
		assert_key_equal(got, reference_pop(&ref));
	}
	free(ref.keys);
	ur_queue_finish(&queue);
	gsl_rng_free(rng);
}

static void test_sort_is_a_heap_in_order(void **state)
{
	(void)state;
	enum { SIZE = 4000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 14);
	struct ur_queue queue;
	assert_int_equal(ur_queue_init(&queue, 0), UR_QUEUE_OK);
	uint32_t position[SIZE]; /* words 0 .. SIZE-1 are their own slots */
	ur_queue_index(&queue, position);
	for (uint64_t word = 0; word < SIZE; word++)
		assert_int_equal(ur_queue_push(&queue, ur_queue_key_make(grid_time(rng), word)),
				 UR_QUEUE_OK);
	ur_queue_sort(&queue);
	assert_true(ur_queue_check(&queue)); /* the index follows the sort */
	const struct ur_queue_key *keys = ur_queue_keys(&queue);
	for (size_t i = 1; i < SIZE; i++)
		assert_true(ur_queue_key_less(keys[i - 1], keys[i]));
	/* and popping gives the same sequence */
	struct ur_queue_key previous;
	ur_queue_pop(&queue, &previous);
	while (ur_queue_size(&queue) > 0) {
		struct ur_queue_key got;
		ur_queue_pop(&queue, &got);
		assert_true(ur_queue_key_less(previous, got));
		previous = got;
	}
	ur_queue_finish(&queue);
	gsl_rng_free(rng);
}

static void test_reserve_and_finish(void **state)
{
	(void)state;
	struct ur_queue queue;
	assert_int_equal(ur_queue_init(&queue, 100000), UR_QUEUE_OK);
	assert_true(ur_queue_check(&queue));
	assert_int_equal(ur_queue_reserve(&queue, 10), UR_QUEUE_OK);
	assert_int_equal(ur_queue_reserve(&queue, SIZE_MAX), UR_QUEUE_NOMEM);
	assert_true(ur_queue_check(&queue));
	ur_queue_finish(&queue);
	ur_queue_finish(&queue); /* a finished queue is zeroed: finishing again is a no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_key_orders_like_doubles),
		cmocka_unit_test(test_ties_break_on_word),
		cmocka_unit_test(test_push_pop_match_reference),
		cmocka_unit_test(test_replace_top_matches_reference),
		cmocka_unit_test(test_indexed_operations_match_reference),
		cmocka_unit_test(test_plain_update_and_remove),
		cmocka_unit_test(test_sort_is_a_heap_in_order),
		cmocka_unit_test(test_reserve_and_finish),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
