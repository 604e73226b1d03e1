/*
 * words.c: the logarithm table of the unit exponential variates (words.h).
 */
#include <math.h>

#include "words.h"

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
