/*
 * words.c: GSL generator words in bulk, and the logarithm table of the unit exponential
 * variates (words.h).
 */
#include <math.h>

#include "words.h"

/* GSL 2.7 rng/mt.c: the state of gsl_rng_mt19937 and its constants. */
enum { MT_N = 624, MT_M = 397 };
#define MT_UPPER 0x80000000UL
#define MT_LOWER 0x7fffffffUL
#define MT_MATRIX 0x9908b0dfUL

struct mt_state {
	unsigned long mt[MT_N];
	int mti;
};

static unsigned long twist(unsigned long a, unsigned long b, unsigned long c)
{
	unsigned long y = (a & MT_UPPER) | (b & MT_LOWER);
	return c ^ (y >> 1) ^ ((0UL - (y & 1UL)) & MT_MATRIX);
}

/* The twist of the whole state, as GSL does it when mti reaches N. */
static void regenerate(struct mt_state *s)
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

void model_words_fill(gsl_rng *rng, uint32_t *out, size_t n)
{
	if (rng->type != gsl_rng_mt19937 || gsl_rng_size(rng) != sizeof(struct mt_state)) {
		for (size_t i = 0; i < n; ++i)
			out[i] = (uint32_t)gsl_rng_get(rng);
		return;
	}
	struct mt_state *s = gsl_rng_state(rng);
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

void model_log_table_init(struct model_log_table *t)
{
	for (unsigned j = 0; j < (1u << MODEL_LOG_BITS); ++j) {
		double centre = 1.0 + ((double)j + 0.5) / (double)(1u << MODEL_LOG_BITS);
		t->inv[j] = 1.0 / centre;
		/* of the stored, rounded reciprocal: the identity log f = log(f inv) - log inv
		 * holds whatever inv is */
		t->neglog_inv[j] = -log(t->inv[j]);
	}
}
