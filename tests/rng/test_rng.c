/*
 * test_rng.c: the random streams (rng.h). `test_rng unit` checks the seed hash and the
 * state fill against known answers computed outside this code (splitmix64's published
 * outputs, the C++ standard's values of mt19937, Python's random module loaded with
 * the same 624 words), GSL's mt19937 state layout, and the reproducibility rules of
 * rng.h; `test_rng stat` checks that distinct streams do not overlap and are not
 * correlated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "mt19937_state.h"
#include "unrest/rng.h"

#include "testutil.h"

#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* ---- unit: known answers --------------------------------------------------------- */

/* splitmix64 from state 0 outputs mix(γ), mix(2γ), mix(3γ): these are its published
 * first three outputs. mix(0) = 0 is why the seed chain starts from a tag. */
static void test_mix64_known_answers(void **state)
{
	(void)state;
	assert_true(ur_rng_mix64(GOLDEN_GAMMA) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(ur_rng_mix64(2 * GOLDEN_GAMMA) == UINT64_C(0x6e789e6aa1b965f4));
	assert_true(ur_rng_mix64(3 * GOLDEN_GAMMA) == UINT64_C(0x06c45d188009454f));
	assert_true(ur_rng_mix64(0) == 0);
}

/* The seed chain on fixed inputs, pinned: values from an independent implementation of
 * the construction in rng.c. A change here changes every published result. */
static void test_seed_hash_pinned(void **state)
{
	(void)state;
	uint64_t r = ur_rng_replication_seed(0, 0);
	assert_true(r == UINT64_C(0xf7ff0c67ac465955));
	assert_true(ur_rng_stream_seed(r, UR_STREAM_AGENTS) == UINT64_C(0x98db57f870cf3468));
	assert_true(ur_rng_stream_seed(r, UR_STREAM_CSTO) == UINT64_C(0x56b700fea282d4a1));
	r = ur_rng_replication_seed(42, 7);
	assert_true(r == UINT64_C(0x8292bd72fa6691e6));
	assert_true(ur_rng_stream_seed(r, UR_STREAM_SECURITY) == UINT64_C(0x54b07a6107077552));
	assert_true(ur_rng_stream_seed(r, UR_STREAM_ELITE) == UINT64_C(0x30b78514d86551d7));
}

/* First three outputs of the generator for fixed stream seeds: the expected values come
 * from Python's random module (an mt19937) with its state set to the same 624 words. */
static void test_generator_first_outputs(void **state)
{
	(void)state;
	static const struct {
		uint64_t seed;
		unsigned long out[3];
	} cases[] = {
		{0, {2093296162UL, 3587956431UL, 3999809852UL}},
		{1, {2635254833UL, 3502547242UL, 1241784338UL}},
		{42, {29930901UL, 3545893089UL, 2320070666UL}},
		{UINT64_MAX, {3941748946UL, 1481124236UL, 3223695920UL}},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
		gsl_rng *rng = ur_rng_create(cases[c].seed);
		assert_non_null(rng);
		for (int i = 0; i < 3; ++i)
			assert_int_equal(gsl_rng_get(rng), cases[c].out[i]);
		ur_rng_destroy(rng);
	}
}

/* GSL's own mt19937 against the C++ standard's required values for seed 5489 (the
 * first output, and the 10000th, [rand.predef]). */
static void test_gsl_mt19937_reference(void **state)
{
	(void)state;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(rng);
	gsl_rng_set(rng, 5489);
	unsigned long out = gsl_rng_get(rng);
	assert_int_equal(out, 3499211612UL);
	for (int i = 2; i <= 10000; ++i)
		out = gsl_rng_get(rng);
	assert_int_equal(out, 4123659995UL);
	gsl_rng_free(rng);
}

/* Matsumoto and Nishimura's init_genrand (2002), which gsl_rng_set follows. */
static void init_genrand(uint32_t seed, uint32_t words[UR_MT19937_WORDS])
{
	words[0] = seed;
	for (uint32_t i = 1; i < UR_MT19937_WORDS; ++i)
		words[i] = 1812433253u * (words[i - 1] ^ (words[i - 1] >> 30)) + i;
}

/* The mirrored layout is GSL's: the state GSL writes when seeding reads back, through
 * it, as init_genrand's words with the twist pending; and words loaded through it make
 * the generator GSL seeds, output for output across several twists. */
static void test_mt19937_layout_matches_gsl(void **state)
{
	(void)state;
	gsl_rng *seeded = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng *loaded = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(seeded);
	assert_non_null(loaded);
	assert_int_equal(gsl_rng_size(seeded), sizeof(struct ur_mt19937_layout));
	assert_true(ur_mt19937_layout_matches(seeded));

	gsl_rng_set(seeded, 5489);
	uint32_t expected[UR_MT19937_WORDS], read[UR_MT19937_WORDS];
	init_genrand(5489, expected);
	int next = -1;
	assert_int_equal(ur_mt19937_read(seeded, read, &next), 0);
	assert_int_equal(next, UR_MT19937_WORDS);
	assert_memory_equal(read, expected, sizeof expected);

	gsl_rng_set(loaded, 1);
	assert_int_equal(ur_mt19937_load(loaded, expected), 0);
	for (int i = 0; i < 3 * UR_MT19937_WORDS + 7; ++i)
		assert_int_equal(gsl_rng_get(loaded), gsl_rng_get(seeded));
	gsl_rng_free(loaded);
	gsl_rng_free(seeded);

	/* Another generator type is refused, not overwritten. */
	gsl_rng *other = gsl_rng_alloc(gsl_rng_taus2);
	assert_non_null(other);
	assert_false(ur_mt19937_layout_matches(other));
	assert_int_equal(ur_mt19937_load(other, expected), -1);
	gsl_rng_free(other);
}

/* The caveat the state fill answers: gsl_rng_set keeps the low 32 bits of a seed, so
 * seeds 2^32 apart give one sequence; the 64-bit stream seeds do not. */
static void test_seed_uses_64_bits(void **state)
{
	(void)state;
	uint64_t low = 12345, high = low + (UINT64_C(1) << 32);
	gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng *b = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(a);
	assert_non_null(b);
	gsl_rng_set(a, (unsigned long)low);
	gsl_rng_set(b, (unsigned long)high);
	assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
	gsl_rng_free(b);
	gsl_rng_free(a);

	for (int bit = 0; bit < 64; ++bit) {
		gsl_rng *x = ur_rng_create(low);
		gsl_rng *y = ur_rng_create(low ^ (UINT64_C(1) << bit));
		assert_non_null(x);
		assert_non_null(y);
		int same = 0;
		for (int i = 0; i < 4; ++i)
			same += gsl_rng_get(x) == gsl_rng_get(y);
		assert_true(same < 4);
		ur_rng_destroy(y);
		ur_rng_destroy(x);
	}
}

/* ---- unit: the rules of rng.h ---------------------------------------------------- */

static void assert_same_sequence(gsl_rng *a, gsl_rng *b, int n)
{
	for (int i = 0; i < n; ++i)
		assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
}

/* A stream recreated from its printed seed alone reproduces the set's stream. */
static void test_stream_from_printed_seed(void **state)
{
	(void)state;
	uint64_t replication = ur_rng_replication_seed(2022, 17);
	struct ur_rng_set *set = ur_rng_set_create(replication);
	assert_non_null(set);
	assert_true(ur_rng_set_replication_seed(set) == replication);
	for (int s = 0; s < UR_STREAM_COUNT; ++s) {
		uint64_t seed = ur_rng_set_stream_seed(set, (enum ur_stream)s);
		assert_true(seed == ur_rng_stream_seed(replication, (enum ur_stream)s));
		char text[UR_RNG_SEED_TEXT_SIZE];
		ur_rng_seed_format(seed, text);
		uint64_t parsed = 0;
		assert_int_equal(ur_rng_seed_parse(text, &parsed), 0);
		assert_true(parsed == seed);
		gsl_rng *again = ur_rng_create(parsed);
		assert_non_null(again);
		assert_same_sequence(ur_rng_set_stream(set, (enum ur_stream)s), again, 2000);
		ur_rng_destroy(again);
	}
	ur_rng_set_destroy(set);
}

/* The same replication seed gives the same numbers, by reseeding or by a new set;
 * reseeding restarts generators that have been drawn from. */
static void test_set_reseed_reproduces(void **state)
{
	(void)state;
	uint64_t replication = ur_rng_replication_seed(7, 3);
	struct ur_rng_set *set = ur_rng_set_create(replication);
	struct ur_rng_set *fresh = ur_rng_set_create(replication);
	assert_non_null(set);
	assert_non_null(fresh);
	for (int s = 0; s < UR_STREAM_COUNT; ++s)
		for (int i = 0; i < 1000 + 100 * s; ++i)
			(void)gsl_rng_get(ur_rng_set_stream(set, (enum ur_stream)s));
	ur_rng_set_reseed(set, replication);
	for (int s = 0; s < UR_STREAM_COUNT; ++s)
		assert_same_sequence(ur_rng_set_stream(set, (enum ur_stream)s),
				     ur_rng_set_stream(fresh, (enum ur_stream)s), 1000);

	/* Another replication: different numbers from the first draw on. */
	ur_rng_set_reseed(set, ur_rng_replication_seed(7, 4));
	ur_rng_set_reseed(fresh, replication);
	for (int s = 0; s < UR_STREAM_COUNT; ++s)
		assert_int_not_equal(gsl_rng_get(ur_rng_set_stream(set, (enum ur_stream)s)),
				     gsl_rng_get(ur_rng_set_stream(fresh, (enum ur_stream)s)));
	ur_rng_set_destroy(fresh);
	ur_rng_set_destroy(set);
}

/* Draws on one stream do not shift another: the elite's numbers are the same whether
 * or not the security stream was used (a subsystem turned off). */
static void test_streams_do_not_shift(void **state)
{
	(void)state;
	uint64_t replication = ur_rng_replication_seed(1, 0);
	struct ur_rng_set *busy = ur_rng_set_create(replication);
	struct ur_rng_set *quiet = ur_rng_set_create(replication);
	assert_non_null(busy);
	assert_non_null(quiet);
	gsl_rng *security = ur_rng_set_stream(busy, UR_STREAM_SECURITY);
	for (int i = 0; i < 5000; ++i)
		(void)gsl_ran_exponential(security, 1.0);
	assert_same_sequence(ur_rng_set_stream(busy, UR_STREAM_ELITE),
			     ur_rng_set_stream(quiet, UR_STREAM_ELITE), 1000);
	ur_rng_set_destroy(quiet);
	ur_rng_set_destroy(busy);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Stream seeds of 2000 replications x all streams, and of neighbouring master seeds,
 * are all distinct: a hash that ignored an input would repeat seeds here. */
static void test_stream_seeds_distinct(void **state)
{
	(void)state;
	enum { MASTERS = 3, REPS = 2000, N = MASTERS * REPS * UR_STREAM_COUNT };
	uint64_t *seeds = malloc(N * sizeof *seeds);
	assert_non_null(seeds);
	size_t n = 0;
	for (uint64_t m = 0; m < MASTERS; ++m)
		for (uint64_t k = 0; k < REPS; ++k) {
			uint64_t replication = ur_rng_replication_seed(m, k);
			for (int s = 0; s < UR_STREAM_COUNT; ++s)
				seeds[n++] = ur_rng_stream_seed(replication, (enum ur_stream)s);
		}
	qsort(seeds, n, sizeof *seeds, compare_u64);
	for (size_t i = 1; i < n; ++i)
		assert_true(seeds[i] != seeds[i - 1]);
	free(seeds);
}

static void test_seed_text(void **state)
{
	(void)state;
	char text[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(0, text);
	assert_string_equal(text, "0x0000000000000000");
	ur_rng_seed_format(UINT64_MAX, text);
	assert_string_equal(text, "0xffffffffffffffff");
	ur_rng_seed_format(UINT64_C(0x00ab0000000000cd), text);
	assert_string_equal(text, "0x00ab0000000000cd");

	static const struct {
		const char *text;
		uint64_t value;
	} good[] = {
		{"0", 0},
		{"010", 10},
		{"18446744073709551615", UINT64_MAX},
		{"0x1F", 31},
		{"0Xffffffffffffffff", UINT64_MAX},
		{"0x0000000000000001", 1},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; ++i) {
		uint64_t seed = 99;
		assert_int_equal(ur_rng_seed_parse(good[i].text, &seed), 0);
		assert_true(seed == good[i].value);
	}
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "12a", "0x", "0xg", "1e5",
		"18446744073709551616", "0x1ffffffffffffffff", "0x-1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
		uint64_t seed = 99;
		assert_int_equal(ur_rng_seed_parse(bad[i], &seed), -1);
		assert_true(seed == 99);
	}
	uint64_t seed = 0;
	assert_int_equal(ur_rng_seed_parse(NULL, &seed), -1);
}

static void test_stream_names(void **state)
{
	(void)state;
	assert_string_equal(ur_stream_name(UR_STREAM_AGENTS), "agents");
	assert_string_equal(ur_stream_name(UR_STREAM_SECURITY), "security");
	assert_string_equal(ur_stream_name(UR_STREAM_GOVERNMENT), "government");
	assert_string_equal(ur_stream_name(UR_STREAM_INTERNET), "internet");
	assert_string_equal(ur_stream_name(UR_STREAM_ELITE), "elite");
	assert_string_equal(ur_stream_name(UR_STREAM_CSTO), "csto");
	assert_string_equal(ur_stream_name(UR_STREAM_SWEEP), "sweep");
	assert_null(ur_stream_name(UR_STREAM_COUNT));
	/* The stream numbers are part of the seed hash: pinned. */
	assert_int_equal(UR_STREAM_AGENTS, 0);
	assert_int_equal(UR_STREAM_CSTO, 5);
	assert_int_equal(UR_STREAM_SWEEP, 64);
}

static void test_destroy_null(void **state)
{
	(void)state;
	ur_rng_destroy(NULL);
	ur_rng_set_destroy(NULL);
}

/* ---- stat: distinct streams ------------------------------------------------------ */

enum { DRAWS = 1000000, WINDOW = 4 };

/* A window of WINDOW consecutive 32-bit outputs as a 128-bit key. */
struct window {
	uint64_t hi, lo;
};

static int compare_windows(const void *a, const void *b)
{
	const struct window *x = a, *y = b;
	if (x->hi != y->hi)
		return (x->hi > y->hi) - (x->hi < y->hi);
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* The sorted windows of the first `draws` outputs of rng. */
static struct window *sorted_windows(gsl_rng *rng, size_t draws, size_t *count)
{
	uint32_t *out = malloc(draws * sizeof *out);
	struct window *w = malloc((draws - WINDOW + 1) * sizeof *w);
	assert_non_null(out);
	assert_non_null(w);
	for (size_t i = 0; i < draws; ++i)
		out[i] = (uint32_t)gsl_rng_get(rng);
	*count = draws - WINDOW + 1;
	for (size_t i = 0; i < *count; ++i) {
		w[i].hi = (uint64_t)out[i] << 32 | out[i + 1];
		w[i].lo = (uint64_t)out[i + 2] << 32 | out[i + 3];
	}
	free(out);
	qsort(w, *count, sizeof *w, compare_windows);
	return w;
}

/* Windows two sorted lists share, by a merge. */
static size_t shared_windows(const struct window *a, size_t na, const struct window *b,
			     size_t nb)
{
	size_t i = 0, j = 0, shared = 0;
	while (i < na && j < nb) {
		int c = compare_windows(&a[i], &b[j]);
		if (c == 0)
			++shared;
		if (c <= 0)
			++i;
		else
			++j;
	}
	return shared;
}

/* "Overlap" of two streams: one's sequence is, for 4 outputs or more, a shifted copy
 * of the other's within their first 10^6 outputs, i.e. a window of 4 consecutive
 * outputs of one appears anywhere in the other. Between unrelated streams a shared
 * 128-bit window arises by chance with probability about (10^6)^2 / 2^128 = 3e-27, so a
 * shared window is an overlap and none means none of 4 outputs or more. A control run
 * (a stream against itself advanced by 1000 draws) shows the test can see one. */
static void test_streams_do_not_overlap(void **state)
{
	(void)state;
	uint64_t master = 2022, rep = 5;
	uint64_t base_seed =
		ur_rng_stream_seed(ur_rng_replication_seed(master, rep), UR_STREAM_AGENTS);
	const struct {
		const char *what;
		uint64_t seed;
	} others[] = {
		{"master + 1",
		 ur_rng_stream_seed(ur_rng_replication_seed(master + 1, rep), UR_STREAM_AGENTS)},
		{"replication + 1",
		 ur_rng_stream_seed(ur_rng_replication_seed(master, rep + 1), UR_STREAM_AGENTS)},
		{"next stream",
		 ur_rng_stream_seed(ur_rng_replication_seed(master, rep), UR_STREAM_SECURITY)},
		/* Seeds that would overlap under splitmix64's additive fill (rng.c). */
		{"stream seed + gamma", base_seed + GOLDEN_GAMMA},
		{"stream seed with one bit flipped", base_seed ^ 1},
	};

	gsl_rng *rng = ur_rng_create(base_seed);
	assert_non_null(rng);
	size_t n_base;
	struct window *base = sorted_windows(rng, DRAWS, &n_base);

	/* Control: the same stream 1000 draws on shares all but 1000 windows. */
	ur_rng_reseed(rng, base_seed);
	for (int i = 0; i < 1000; ++i)
		(void)gsl_rng_get(rng);
	size_t n_other;
	struct window *other = sorted_windows(rng, DRAWS, &n_other);
	assert_int_equal(shared_windows(base, n_base, other, n_other), n_base - 1000);
	free(other);

	for (size_t k = 0; k < sizeof others / sizeof others[0]; ++k) {
		ur_rng_reseed(rng, others[k].seed);
		other = sorted_windows(rng, DRAWS, &n_other);
		size_t shared = shared_windows(base, n_base, other, n_other);
		if (shared != 0)
			fail_msg("%s: %zu windows shared", others[k].what, shared);
		free(other);
	}
	free(base);
	ur_rng_destroy(rng);
}

/* Uniforms of distinct streams are uncorrelated and uniform: with n = 10^6 the sample
 * correlation of independent streams has SE 1/sqrt(n) = 0.001, the mean of U(0,1) has
 * SE sqrt(1/12/n) = 2.9e-4 and the variance SE sqrt((1/80 - 1/144)/n) = 7.5e-5; the
 * tolerances are 4 SE. */
static void test_streams_uncorrelated(void **state)
{
	(void)state;
	enum { N = DRAWS };
	uint64_t replication = ur_rng_replication_seed(99, 0);
	gsl_rng *agents = ur_rng_create(ur_rng_stream_seed(replication, UR_STREAM_AGENTS));
	gsl_rng *security = ur_rng_create(ur_rng_stream_seed(replication, UR_STREAM_SECURITY));
	gsl_rng *next_rep = ur_rng_create(
		ur_rng_stream_seed(ur_rng_replication_seed(99, 1), UR_STREAM_AGENTS));
	double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b),
	       *c = malloc(N * sizeof *c);
	assert_true(agents && security && next_rep && a && b && c);
	for (size_t i = 0; i < N; ++i) {
		a[i] = gsl_rng_uniform(agents);
		b[i] = gsl_rng_uniform(security);
		c[i] = gsl_rng_uniform(next_rep);
	}
	double se = 1.0 / sqrt((double)N);
	assert_near(gsl_stats_correlation(a, 1, b, 1, N), 0.0, 4 * se);
	assert_near(gsl_stats_correlation(a, 1, c, 1, N), 0.0, 4 * se);
	/* Lag-1 autocorrelation within a stream. */
	assert_near(gsl_stats_correlation(a, 1, a + 1, 1, N - 1), 0.0, 4 * se);
	double mean = gsl_stats_mean(a, 1, N);
	assert_near(mean, 0.5, 4 * sqrt(1.0 / 12.0 / N));
	assert_near(gsl_stats_variance_m(a, 1, N, mean), 1.0 / 12.0,
		    4 * sqrt((1.0 / 80.0 - 1.0 / 144.0) / N));
	free(c);
	free(b);
	free(a);
	ur_rng_destroy(next_rep);
	ur_rng_destroy(security);
	ur_rng_destroy(agents);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_mix64_known_answers),
		cmocka_unit_test(test_seed_hash_pinned),
		cmocka_unit_test(test_generator_first_outputs),
		cmocka_unit_test(test_gsl_mt19937_reference),
		cmocka_unit_test(test_mt19937_layout_matches_gsl),
		cmocka_unit_test(test_seed_uses_64_bits),
		cmocka_unit_test(test_stream_from_printed_seed),
		cmocka_unit_test(test_set_reseed_reproduces),
		cmocka_unit_test(test_streams_do_not_shift),
		cmocka_unit_test(test_stream_seeds_distinct),
		cmocka_unit_test(test_seed_text),
		cmocka_unit_test(test_stream_names),
		cmocka_unit_test(test_destroy_null),
	};
	const struct CMUnitTest stat[] = {
		cmocka_unit_test(test_streams_do_not_overlap),
		cmocka_unit_test(test_streams_uncorrelated),
	};
	const char *group = argc > 1 ? argv[1] : "unit";
	if (strcmp(group, "unit") == 0)
		return cmocka_run_group_tests_name("rng unit", unit, NULL, NULL);
	if (strcmp(group, "stat") == 0)
		return cmocka_run_group_tests_name("rng stat", stat, NULL, NULL);
	fprintf(stderr, "usage: %s unit|stat\n", argv[0]);
	return 2;
}
