/*
 * bench_rng.c: what the streams' generator costs. For each GSL generator considered:
 * nanoseconds per gsl_rng_uniform and per gsl_ran_exponential draw, state size
 * (gsl_rng_size), how many seed bits gsl_rng_set uses (measured: the bits of a seed
 * whose flip changes the first outputs, and how many distinct generators random
 * seeds give, by a birthday count), and the cost of seeding; then the streams as
 * rng.h makes them, and one draw of each distribution family. Prints Markdown tables
 * for docs/rng.md. Timings are the best of several repetitions, to shed the noise of a
 * shared machine.
 *
 * Usage: bench_rng [draws per repetition, default 2000000]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "unrest/dist.h"
#include "unrest/rng.h"

/* A double NaN: NAN is a float, which -Wdouble-promotion flags in double context. */
#define UNSET ((double)NAN)

enum { REPETITIONS = 7 };

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

enum draw_kind { DRAW_UNIFORM, DRAW_EXPONENTIAL };

/* Best-of-REPETITIONS time per draw; the draws are summed into *sink so that the
 * compiler keeps them. */
static double ns_per_draw(gsl_rng *rng, enum draw_kind kind, long draws, double *sink)
{
	double best = HUGE_VAL;
	for (int r = 0; r < REPETITIONS; ++r) {
		double sum = 0.0, start = now_ns();
		if (kind == DRAW_UNIFORM)
			for (long i = 0; i < draws; ++i)
				sum += gsl_rng_uniform(rng);
		else
			for (long i = 0; i < draws; ++i)
				sum += gsl_ran_exponential(rng, 1.0);
		double elapsed = now_ns() - start;
		*sink += sum;
		best = fmin(best, elapsed / (double)draws);
	}
	return best;
}

/* Seed bits that matter to gsl_rng_set: bit b counts when flipping it in a fixed
 * seed changes one of the first 8 outputs. */
static int seed_bits_used(const gsl_rng_type *type)
{
	const unsigned long base = 0x9e3779b97f4a7c15UL;
	gsl_rng *a = gsl_rng_alloc(type), *b = gsl_rng_alloc(type);
	if (a == NULL || b == NULL)
		exit(1);
	int used = 0;
	for (int bit = 0; bit < 64; ++bit) {
		gsl_rng_set(a, base);
		gsl_rng_set(b, base ^ (1UL << bit));
		int differs = 0;
		for (int i = 0; i < 8; ++i)
			differs |= gsl_rng_get(a) != gsl_rng_get(b);
		used += differs;
	}
	gsl_rng_free(b);
	gsl_rng_free(a);
	return used;
}

/* The same for the full-state fill of rng.h. */
static int stream_seed_bits_used(void)
{
	const uint64_t base = UINT64_C(0x9e3779b97f4a7c15);
	int used = 0;
	for (int bit = 0; bit < 64; ++bit) {
		gsl_rng *a = ur_rng_create(base), *b = ur_rng_create(base ^ (UINT64_C(1) << bit));
		if (a == NULL || b == NULL)
			exit(1);
		int differs = 0;
		for (int i = 0; i < 8; ++i)
			differs |= gsl_rng_get(a) != gsl_rng_get(b);
		used += differs;
		ur_rng_destroy(b);
		ur_rng_destroy(a);
	}
	return used;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

enum { BIRTHDAY_SEEDS = 1 << 18 };

/* How many distinct generators random 64-bit seeds give, as bits, by the birthday
 * count: seed BIRTHDAY_SEEDS generators from random seeds, take the first two 32-bit
 * outputs of each as a 64-bit signature, count pairs of equal signatures c; among n
 * seeds drawn from 2^k effective ones, E[c] = n(n-1)/2 / 2^k, so k = log2(n(n-1)/2c).
 * With no pair, k > log2(n(n-1)/2) = 35. `seed` is gsl_rng_set, or NULL for the state
 * fill of rng.h. Bit flips (above) overstate a generator that folds its seed modulo
 * a prime, as ranlux does; this counts what survives the fold. */
static void effective_seed_bits(const gsl_rng_type *type, char *text, size_t size)
{
	uint64_t *signature = malloc(BIRTHDAY_SEEDS * sizeof *signature);
	gsl_rng *rng = type != NULL ? gsl_rng_alloc(type) : ur_rng_create(0);
	if (signature == NULL || rng == NULL)
		exit(1);
	uint64_t seed_source = 2022;
	for (size_t i = 0; i < BIRTHDAY_SEEDS; ++i) {
		uint64_t seed = ur_rng_mix64(++seed_source);
		if (type != NULL)
			gsl_rng_set(rng, (unsigned long)seed);
		else
			ur_rng_reseed(rng, seed);
		uint64_t hi = gsl_rng_get(rng) & 0xffffffffUL;
		signature[i] = hi << 32 | (gsl_rng_get(rng) & 0xffffffffUL);
	}
	qsort(signature, BIRTHDAY_SEEDS, sizeof *signature, compare_u64);
	size_t pairs = 0;
	for (size_t i = 1, run = 0; i < BIRTHDAY_SEEDS; ++i) {
		run = signature[i] == signature[i - 1] ? run + 1 : 0;
		pairs += run; /* a run of r + 1 equal values holds r(r+1)/2 pairs */
	}
	double n = BIRTHDAY_SEEDS, all_pairs = n * (n - 1.0) / 2.0;
	if (pairs == 0)
		snprintf(text, size, "> %.0f", log2(all_pairs));
	else
		snprintf(text, size, "%.1f", log2(all_pairs / (double)pairs));
	if (type != NULL)
		gsl_rng_free(rng);
	else
		ur_rng_destroy(rng);
	free(signature);
}

static double ns_per_gsl_seed(gsl_rng *rng)
{
	enum { SEEDS = 2000 };
	double best = HUGE_VAL;
	for (int r = 0; r < REPETITIONS; ++r) {
		double start = now_ns();
		for (unsigned long s = 1; s <= SEEDS; ++s)
			gsl_rng_set(rng, s);
		best = fmin(best, (now_ns() - start) / SEEDS);
	}
	return best;
}

static double ns_per_stream_seed(gsl_rng *rng)
{
	enum { SEEDS = 2000 };
	double best = HUGE_VAL;
	for (int r = 0; r < REPETITIONS; ++r) {
		double start = now_ns();
		for (uint64_t s = 1; s <= SEEDS; ++s)
			ur_rng_reseed(rng, s);
		best = fmin(best, (now_ns() - start) / SEEDS);
	}
	return best;
}

static void print_generators(long draws, double *sink)
{
	/* GSL's generators of simulation quality, and two classics for scale. */
	const gsl_rng_type *const types[] = {
		gsl_rng_mt19937, gsl_rng_taus2, gsl_rng_gfsr4, gsl_rng_mrg, gsl_rng_cmrg,
		gsl_rng_ranlxs0, gsl_rng_ranlxs2, gsl_rng_ranlxd1, gsl_rng_ranlxd2,
		gsl_rng_ranlux389, gsl_rng_rand48,
	};
	printf("| generator | state bytes | seed bits flipping output | effective seed bits | "
	       "ns/uniform | ns/exponential | ns/seed |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof types / sizeof types[0]; ++i) {
		gsl_rng *rng = gsl_rng_alloc(types[i]);
		if (rng == NULL)
			exit(1);
		gsl_rng_set(rng, 12345);
		(void)ns_per_draw(rng, DRAW_UNIFORM, draws / 10, sink); /* warm up */
		double u = ns_per_draw(rng, DRAW_UNIFORM, draws, sink);
		double e = ns_per_draw(rng, DRAW_EXPONENTIAL, draws, sink);
		double seed_ns = ns_per_gsl_seed(rng);
		char effective[16] = "-";
		/* A birthday count costs 2^18 seedings: skip the generators whose seeding
		 * takes longer than 20 us (gfsr4 fills 16384 words per seed). */
		if (seed_ns < 20000.0)
			effective_seed_bits(types[i], effective, sizeof effective);
		printf("| %s | %zu | %d | %s | %.1f | %.1f | %.0f |\n", gsl_rng_name(rng),
		       gsl_rng_size(rng), seed_bits_used(types[i]), effective, u, e, seed_ns);
		gsl_rng_free(rng);
	}
	gsl_rng *rng = ur_rng_create(12345);
	if (rng == NULL)
		exit(1);
	(void)ns_per_draw(rng, DRAW_UNIFORM, draws / 10, sink);
	double u = ns_per_draw(rng, DRAW_UNIFORM, draws, sink);
	double e = ns_per_draw(rng, DRAW_EXPONENTIAL, draws, sink);
	char effective[16];
	effective_seed_bits(NULL, effective, sizeof effective);
	printf("| rng.h streams (mt19937, full state) | %zu | %d | %s | %.1f | %.1f | %.0f |\n",
	       gsl_rng_size(rng), stream_seed_bits_used(), effective, u, e,
	       ns_per_stream_seed(rng));
	ur_rng_destroy(rng);

	enum { SETS = 200 };
	double best = HUGE_VAL;
	struct ur_rng_set *set = ur_rng_set_create(1);
	if (set == NULL)
		exit(1);
	for (int r = 0; r < REPETITIONS; ++r) {
		double start = now_ns();
		for (uint64_t k = 0; k < SETS; ++k)
			ur_rng_set_reseed(set, ur_rng_replication_seed(2022, k));
		best = fmin(best, (now_ns() - start) / SETS);
	}
	ur_rng_set_destroy(set);
	printf("\nReseeding a replication's set of %d streams: %.1f us.\n", UR_STREAM_COUNT,
	       best / 1000.0);
}

static void print_families(long draws, double *sink)
{
	static double values[] = {1.0, 2.0, 5.0, 10.0}, weights[] = {0.4, 0.3, 0.2, 0.1};
	struct {
		const char *name;
		struct ur_dist d;
	} cases[UR_DIST_FAMILY_COUNT + 2];
	size_t n = 0;
	for (int f = 0; f < UR_DIST_FAMILY_COUNT; ++f) {
		struct ur_dist d = ur_dist_make((enum ur_dist_family)f);
		d.value = 1.0;
		d.min = 0.0;
		d.max = 2.0;
		d.mode = 0.5;
		d.mean = 3.0;
		d.sd = 1.0;
		d.median = 24.0;
		d.sigma = 0.5;
		d.shape = 2.5;
		d.scale = 1.5;
		d.alpha = 2.0;
		d.beta = 5.0;
		d.p = 0.3;
		d.trials = 20.0;
		d.count = 4;
		d.values = values;
		d.weights = weights;
		if (f == UR_DIST_NORMAL) {
			cases[n].name = "normal (truncated [0, 2])";
			cases[n++].d = d;
			d.min = d.max = UNSET;
		}
		cases[n].name = ur_dist_family_name((enum ur_dist_family)f);
		cases[n++].d = d;
	}
	double *out = malloc((size_t)draws * sizeof *out);
	gsl_rng *rng = ur_rng_create(7);
	if (out == NULL || rng == NULL)
		exit(1);
	printf("\n| family | ns/sample | ns/stratified draw |\n|---|---:|---:|\n");
	for (size_t i = 0; i < n; ++i) {
		struct ur_dist_error err;
		if (ur_dist_validate(&cases[i].d, &err) != 0 ||
		    ur_dist_prepare(&cases[i].d) != 0) {
			fprintf(stderr, "%s: %s: %s\n", cases[i].name, err.param, err.message);
			exit(1);
		}
		double independent = HUGE_VAL, stratified = HUGE_VAL;
		for (int r = 0; r < REPETITIONS; ++r) {
			double start = now_ns();
			ur_dist_sample_n(&cases[i].d, rng, (size_t)draws, false, out);
			independent = fmin(independent, (now_ns() - start) / (double)draws);
			*sink += out[draws - 1];
			start = now_ns();
			ur_dist_sample_n(&cases[i].d, rng, (size_t)draws / 10, true, out);
			stratified = fmin(stratified, (now_ns() - start) / (double)(draws / 10));
			*sink += out[0];
		}
		printf("| %s | %.1f | %.1f |\n", cases[i].name, independent, stratified);
		ur_dist_finish(&cases[i].d);
	}
	ur_rng_destroy(rng);
	free(out);
}

int main(int argc, char **argv)
{
	long draws = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
	if (draws < 100) {
		fprintf(stderr, "usage: %s [draws per repetition, >= 100]\n", argv[0]);
		return 64;
	}
	double sink = 0.0;
	printf("Best of %d repetitions of %ld draws.\n\n", REPETITIONS, draws);
	print_generators(draws, &sink);
	print_families(draws, &sink);
	printf("\n(checksum %g)\n", sink);
	return 0;
}
