/*
 * mt19937_state.c: loads and reads the state of GSL's mt19937, and reads its output in
 * bulk (ur_rng_fill_u32), through the layout mirrored in mt19937_state.h, after
 * checking that the linked GSL agrees with it.
 */
#include "mt19937_state.h"
#include "unrest/rng.h"

int ur_mt19937_layout_matches(const gsl_rng *rng)
{
	/* The type pointer says which generator it is; the size is the one check of the
	 * layout available at run time (a reordered struct of the same size would pass,
	 * which is what the tests comparing with GSL's own seeding are for). */
	return rng != NULL && rng->type == gsl_rng_mt19937 &&
	       gsl_rng_size(rng) == sizeof(struct ur_mt19937_layout);
}

int ur_mt19937_load(gsl_rng *rng, const uint32_t words[UR_MT19937_WORDS])
{
	if (!ur_mt19937_layout_matches(rng))
		return -1;
	struct ur_mt19937_layout *state = gsl_rng_state(rng);
	for (int i = 0; i < UR_MT19937_WORDS; ++i)
		state->mt[i] = words[i];
	state->mti = UR_MT19937_WORDS;
	return 0;
}

int ur_mt19937_read(const gsl_rng *rng, uint32_t words[UR_MT19937_WORDS], int *next)
{
	if (!ur_mt19937_layout_matches(rng))
		return -1;
	const struct ur_mt19937_layout *state = gsl_rng_state(rng);
	for (int i = 0; i < UR_MT19937_WORDS; ++i)
		words[i] = (uint32_t)state->mt[i];
	*next = state->mti;
	return 0;
}

/* GSL 2.7 rng/mt.c: the constants of the twist. */
enum { MT_N = UR_MT19937_WORDS, MT_M = 397 };
#define MT_UPPER 0x80000000UL
#define MT_LOWER 0x7fffffffUL
#define MT_MATRIX 0x9908b0dfUL

static unsigned long twist(unsigned long a, unsigned long b, unsigned long c)
{
	unsigned long y = (a & MT_UPPER) | (b & MT_LOWER);
	return c ^ (y >> 1) ^ ((0UL - (y & 1UL)) & MT_MATRIX);
}

/* The twist of the whole state, as GSL does it when mti reaches N. */
static void regenerate(struct ur_mt19937_layout *s)
{
	unsigned long *mt = s->mt;
	int k = 0;
	for (; k < MT_N - MT_M; ++k)
		mt[k] = twist(mt[k], mt[k + 1], mt[k + MT_M]);
	for (; k < MT_N - 1; ++k)
		mt[k] = twist(mt[k], mt[k + 1], mt[k + (MT_M - MT_N)]);
	mt[MT_N - 1] = twist(mt[MT_N - 1], mt[0], mt[MT_M - 1]);
	s->mti = 0;
}

void ur_rng_fill_u32(gsl_rng *rng, uint32_t *out, size_t n)
{
	if (!ur_mt19937_layout_matches(rng)) {
		for (size_t i = 0; i < n; ++i)
			out[i] = (uint32_t)gsl_rng_get(rng);
		return;
	}
	struct ur_mt19937_layout *s = gsl_rng_state(rng);
	size_t i = 0;
	while (i < n) {
		if (s->mti >= MT_N)
			regenerate(s);
		size_t take = (size_t)(MT_N - s->mti);
		if (take > n - i)
			take = n - i;
		const unsigned long *mt = s->mt + s->mti;
		for (size_t j = 0; j < take; ++j) {
			/* GSL's tempering */
			uint32_t k = (uint32_t)mt[j];
			k ^= k >> 11;
			k ^= (k << 7) & 0x9d2c5680u;
			k ^= (k << 15) & 0xefc60000u;
			k ^= k >> 18;
			out[i + j] = k;
		}
		s->mti += (int)take;
		i += take;
	}
}
