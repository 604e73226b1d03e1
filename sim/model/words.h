/*
 * words.h: unit exponential variates from the raw 32-bit words of the decision stream
 * (read in bulk with ur_rng_fill_u32 of rng.h).
 *
 * model_exp_from_word(t, w) is -log(u), u = (w + 1/2) / 2^32, to within
 * 1e-15 max(1, -log u) (a few units in the last place): the logarithm from a 1024-entry
 * table and a 4-term series (libm's log costs a third of a decision). It is a function of the word alone, with the same result on
 * every IEEE 754 machine (additions and multiplications only, no fused operations are
 * needed for its accuracy).
 */
#ifndef UNREST_SIM_MODEL_WORDS_H
#define UNREST_SIM_MODEL_WORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>


/* The table of the logarithm: for the 1024 intervals of the mantissa, an approximate
 * reciprocal of the interval's centre and minus the logarithm of that reciprocal. */
#define MODEL_LOG_BITS 10
struct model_log_table {
	double inv[1 << MODEL_LOG_BITS];
	double neglog_inv[1 << MODEL_LOG_BITS];
};

void model_log_table_init(struct model_log_table *t);

static inline double model_exp_from_word(const struct model_log_table *t, uint32_t w)
{
	/* y = w + 1/2 = 2^e f, f in [1, 2); log y = e log 2 + log(f inv_j) - log(inv_j)
	 * with |f inv_j - 1| < 2^-10: log1p by its series to the 4th power (the 5th is
	 * below 2^-52). -log u = 32 log 2 - log y = (32 - e) log 2 - log f, the
	 * difference taken between terms of order 1 so that a u near 1 keeps its
	 * absolute precision. */
	double y = (double)w + 0.5;
	uint64_t bits;
	memcpy(&bits, &y, sizeof bits);
	int e = (int)(bits >> 52) - 1023;
	unsigned j = (unsigned)(bits >> (52 - MODEL_LOG_BITS)) & ((1u << MODEL_LOG_BITS) - 1u);
	uint64_t fbits = (bits & UINT64_C(0x000fffffffffffff)) | UINT64_C(0x3ff0000000000000);
	double f;
	memcpy(&f, &fbits, sizeof f);
	double r = f * t->inv[j] - 1.0;
	double log1p_r = r * (1.0 + r * (-0.5 + r * (1.0 / 3.0 + r * -0.25)));
	const double ln2 = 0.69314718055994530942;
	return (double)(32 - e) * ln2 - (log1p_r + t->neglog_inv[j]);
}

#endif
