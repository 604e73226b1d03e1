/*
 * bench_format.c: the cost of writing a number as CSV text, in nanoseconds per number:
 * ur_format_real (the fewest of 15, 16 or 17 digits that read back exactly: what every
 * real column was written with before quantities were written to 1e-9) against
 * ur_format_quantity (the fewest digits within 1e-9, relatively: what quantity columns
 * are written with now). Prints CSV: values,formatter,numbers,ns_per_number.
 *
 * Values: the kinds a run writes, from a fixed seed: sample hours (k x 0.37), damage in
 * USD (lognormal around 10^9), shares in [0, 1], security persons (police x morale), and
 * short decimals (k / 100). Each formatter writes the same 10^6 values, three times; the
 * best of the three, in CPU time, is reported (the least disturbed by other work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "unrest/output.h"

enum { NUMBERS = 1000000, ROUNDS = 3 };

static double seconds(void)
{
	struct timespec t;
	/* CPU time of this process: on a machine shared with other work, wall time
	 * counts the others' turns. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double time_formatter(size_t (*format)(double, char *), const double *v,
			     size_t *sink)
{
	double best = 1e30;
	char buf[UR_REAL_TEXT_SIZE];
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = seconds();
		for (size_t i = 0; i < NUMBERS; i++)
			*sink += format(v[i], buf);
		double t = seconds() - t0;
		if (t < best)
			best = t;
	}
	return best * 1e9 / NUMBERS;
}

int main(void)
{
	double *v = malloc(NUMBERS * sizeof *v);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!v || !rng)
		return 70;
	gsl_rng_set(rng, 2022);
	for (size_t i = 0; i < NUMBERS; i++) {
		switch (i % 5) {
		case 0: v[i] = (double)(i / 5 % 1400) * 0.37; break;
		case 1: v[i] = gsl_ran_lognormal(rng, 20.7, 1.0); break;
		case 2: v[i] = gsl_rng_uniform(rng); break;
		case 3: v[i] = 4728.0 * (0.2 + 0.8 * gsl_rng_uniform(rng)); break;
		default: v[i] = (double)gsl_rng_uniform_int(rng, 1000000) / 100.0; break;
		}
	}
	size_t sink = 0;
	printf("values,formatter,numbers,ns_per_number\n");
	printf("mixed,ur_format_real,%d,%.1f\n", NUMBERS, time_formatter(ur_format_real, v, &sink));
	printf("mixed,ur_format_quantity,%d,%.1f\n", NUMBERS,
	       time_formatter(ur_format_quantity, v, &sink));
	gsl_rng_free(rng);
	free(v);
	return sink > 0 ? 0 : 70;
}
