/*
 * mt19937_state.h: direct access to the state of GSL's mt19937 generator, so that
 * rng.c can fill all 624 words from a 64-bit seed (gsl_rng_set keeps 32 bits).
 *
 * GSL does not publish the layout; this mirrors rng/mt.c of GSL 2.7, unchanged since
 * GSL 1.x: `struct { unsigned long mt[624]; int mti; }`, each word holding a 32-bit
 * value (the tempering step would leak higher bits into the output), mti the index
 * of the next word to temper, mti = 624 meaning "twist before the next output", which
 * is where gsl_rng_set leaves it. Loading checks the generator's type and that the
 * state size GSL reports equals this struct's; tests/rng compare a loaded state with
 * GSL's own seeding, word by word and output by output.
 *
 * Private to sim/rng and its tests.
 */
#ifndef UNREST_RNG_MT19937_STATE_H
#define UNREST_RNG_MT19937_STATE_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#define UR_MT19937_WORDS 624

struct ur_mt19937_layout {
	unsigned long mt[UR_MT19937_WORDS];
	int mti;
};

/* True when rng is an mt19937 whose state has the layout above. */
int ur_mt19937_layout_matches(const gsl_rng *rng);

/* Sets the state to `words` (not all zero) with the twist due before the next output.
 * 0, or -1 when the layout does not match (and rng is untouched). */
int ur_mt19937_load(gsl_rng *rng, const uint32_t words[UR_MT19937_WORDS]);

/* Reads the state back: the words and the index of the next word to temper. 0, or -1
 * when the layout does not match. */
int ur_mt19937_read(const gsl_rng *rng, uint32_t words[UR_MT19937_WORDS], int *next);

#endif /* UNREST_RNG_MT19937_STATE_H */
