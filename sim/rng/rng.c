/*
 * rng.c: the seed hash and the generators of the random streams (see rng.h).
 *
 * Seeds. The hash is a chain of one step, step(h, x) = mix(h ^ mix(x + γ)), with mix
 * the splitmix64 finalizer and γ its golden-ratio increment (Steele, Lea, Flood, "Fast
 * splittable pseudorandom number generators", OOPSLA 2014; the constants are David
 * Stafford's Mix13). mix is a bijection, so step is a bijection in h for fixed x and
 * in x for fixed h: a chain that differs in one input never collides. The chain starts
 * from a tag rather than 0 so that its values are not those of a plain splitmix64.
 *
 *   replication seed = step(step(tag, master), replication)
 *   stream seed      = step(replication seed, stream id)
 *
 * State. The 624 32-bit words of mt19937 are the halves of step(stream seed, i),
 * i = 0..311. Not splitmix64's own sequence mix(seed + iγ): with it, two seeds that
 * differ by jγ (|j| < 312) would hold the same words shifted by 2j places, and since
 * the twist of mt19937 is shift-invariant their outputs would largely be shifted copies
 * of each other. With step() two seeds share a word only by a 2^-64 chance, and one
 * shared word does not make a second. The words are distinct (step is a bijection in
 * x), so the state is never all zero, the one state mt19937 must avoid.
 */
#include "unrest/rng.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "mt19937_state.h"

#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)
#define SEED_HASH_TAG UINT64_C(0x756e72657374736d) /* "unrestsm" in ASCII */

struct ur_rng_set {
	uint64_t replication_seed;
	uint64_t stream_seed[UR_STREAM_COUNT];
	gsl_rng *stream[UR_STREAM_COUNT];
};

const char *ur_stream_name(enum ur_stream stream)
{
	switch (stream) {
	case UR_STREAM_AGENTS: return "agents";
	case UR_STREAM_SECURITY: return "security";
	case UR_STREAM_GOVERNMENT: return "government";
	case UR_STREAM_INTERNET: return "internet";
	case UR_STREAM_ELITE: return "elite";
	case UR_STREAM_CSTO: return "csto";
	case UR_STREAM_SWEEP: return "sweep";
	case UR_STREAM_POSTERIOR: return "posterior";
	case UR_STREAM_COUNT: break;
	}
	return NULL;
}

uint64_t ur_rng_mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t hash_step(uint64_t h, uint64_t x)
{
	return ur_rng_mix64(h ^ ur_rng_mix64(x + GOLDEN_GAMMA));
}

uint64_t ur_rng_replication_seed(uint64_t master_seed, uint64_t replication)
{
	return hash_step(hash_step(SEED_HASH_TAG, master_seed), replication);
}

uint64_t ur_rng_stream_seed(uint64_t replication_seed, enum ur_stream stream)
{
	return hash_step(replication_seed, (uint64_t)stream);
}

void ur_rng_reseed(gsl_rng *rng, uint64_t stream_seed)
{
	uint32_t words[UR_MT19937_WORDS];
	for (int i = 0; i < UR_MT19937_WORDS / 2; ++i) {
		uint64_t z = hash_step(stream_seed, (uint64_t)i);
		words[2 * i] = (uint32_t)(z >> 32);
		words[2 * i + 1] = (uint32_t)z;
	}
	int loaded = ur_mt19937_load(rng, words);
	assert(loaded == 0 && "ur_rng_reseed needs a generator from ur_rng_create");
	(void)loaded;
}

gsl_rng *ur_rng_create(uint64_t stream_seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		return NULL;
	if (!ur_mt19937_layout_matches(rng)) {
		gsl_rng_free(rng);
		return NULL;
	}
	ur_rng_reseed(rng, stream_seed);
	return rng;
}

void ur_rng_destroy(gsl_rng *rng)
{
	if (rng != NULL)
		gsl_rng_free(rng);
}

struct ur_rng_set *ur_rng_set_create(uint64_t replication_seed)
{
	struct ur_rng_set *set = calloc(1, sizeof *set);
	if (set == NULL)
		return NULL;
	for (int s = 0; s < UR_STREAM_COUNT; ++s) {
		set->stream[s] = ur_rng_create(0);
		if (set->stream[s] == NULL)
			goto fail;
	}
	ur_rng_set_reseed(set, replication_seed);
	return set;

fail:
	ur_rng_set_destroy(set);
	return NULL;
}

void ur_rng_set_reseed(struct ur_rng_set *set, uint64_t replication_seed)
{
	assert(set != NULL);
	set->replication_seed = replication_seed;
	for (int s = 0; s < UR_STREAM_COUNT; ++s) {
		set->stream_seed[s] = ur_rng_stream_seed(replication_seed, (enum ur_stream)s);
		ur_rng_reseed(set->stream[s], set->stream_seed[s]);
	}
}

void ur_rng_set_destroy(struct ur_rng_set *set)
{
	if (set == NULL)
		return;
	for (int s = UR_STREAM_COUNT - 1; s >= 0; --s)
		ur_rng_destroy(set->stream[s]);
	free(set);
}

gsl_rng *ur_rng_set_stream(const struct ur_rng_set *set, enum ur_stream stream)
{
	assert(set != NULL && (unsigned)stream < UR_STREAM_COUNT);
	return set->stream[stream];
}

uint64_t ur_rng_set_replication_seed(const struct ur_rng_set *set)
{
	assert(set != NULL);
	return set->replication_seed;
}

uint64_t ur_rng_set_stream_seed(const struct ur_rng_set *set, enum ur_stream stream)
{
	assert(set != NULL && (unsigned)stream < UR_STREAM_COUNT);
	return set->stream_seed[stream];
}

void ur_rng_seed_format(uint64_t seed, char text[UR_RNG_SEED_TEXT_SIZE])
{
	snprintf(text, UR_RNG_SEED_TEXT_SIZE, "0x%016" PRIx64, seed);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* By hand rather than strtoull, which accepts leading blanks and a minus sign (and
 * negates), reads "010" as octal with base 0, and needs errno to report overflow. */
int ur_rng_seed_parse(const char *text, uint64_t *seed)
{
	if (text == NULL || seed == NULL)
		return -1;
	uint64_t value = 0;
	const char *c = text;
	if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
		c += 2;
		int digits = 0;
		for (; *c != '\0'; ++c, ++digits) {
			int d = hex_digit(*c);
			if (d < 0 || digits == 16)
				return -1;
			value = value << 4 | (uint64_t)d;
		}
		if (digits == 0)
			return -1;
	} else {
		if (*c == '\0')
			return -1;
		for (; *c != '\0'; ++c) {
			if (*c < '0' || *c > '9')
				return -1;
			uint64_t d = (uint64_t)(*c - '0');
			if (value > (UINT64_MAX - d) / 10)
				return -1;
			value = value * 10 + d;
		}
	}
	*seed = value;
	return 0;
}
