/*
 * mt19937_state.c: loads and reads the state of GSL's mt19937 through the layout
 * mirrored in mt19937_state.h, after checking that the linked GSL agrees with it.
 */
#include "mt19937_state.h"

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
