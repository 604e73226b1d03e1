/*
 * fuzz_sweep.c: libFuzzer harness of the sweep-file and sweep-manifest readers
 * (docs/fuzzing.md). Both take a path, so the input is written to a file of the
 * process's own scratch folder first; the sweep's scenario is not loaded (that is the
 * scenario harness's work, and a sweep of a million points would load a million).
 *
 * Beyond crashes and sanitizer reports, it checks the readers' contract:
 *   - a read succeeds exactly when its status is OK, and a failure leaves a message;
 *   - a sweep file read whole has the points its design promises: a grid the product
 *     of its dimensions, a list as many points as written, lhs and sobol as many as
 *     `points`, each at least one and at most UR_SWEEP_MAX_POINTS;
 *   - for an lhs design of up to 2,000 points, the hypercube has exactly one point in
 *     each stratum of each dimension.
 * A violated contract aborts, which libFuzzer reports as a crash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unrest/output.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch_dir[] = "/tmp/unrest-fuzz-sweep-XXXXXX";
static char input_path[64];

static void remove_scratch(void)
{
	unlink(input_path);
	rmdir(scratch_dir);
}

/* The file the input is written to, in a scratch folder made at the first call and
 * removed when the process exits normally (a crash leaves it in /tmp). */
static const char *input_file(void)
{
	if (!input_path[0]) {
		if (!mkdtemp(scratch_dir))
			abort();
		snprintf(input_path, sizeof input_path, "%s/sweep.cfg", scratch_dir);
		atexit(remove_scratch);
	}
	return input_path;
}

static void check_status(const void *result, enum ur_scenario_status status,
			 const struct ur_diag *diag)
{
	if ((result != NULL) != (status == UR_SCENARIO_OK))
		abort();
	if (!result && ur_diag_count(diag) == 0)
		abort();
}

static size_t design_points(const struct ur_sweep_spec *spec)
{
	if (spec->design != UR_SWEEP_GRID)
		return spec->npoints;
	size_t n = 1;
	for (size_t k = 0; k < spec->ndims; k++)
		n *= spec->params[spec->dims[k].first].nvalues;
	return n;
}

/* One point in each of the n strata of each of the d dimensions. */
static void check_lhs(size_t n, size_t d)
{
	double *u = malloc(n * d * sizeof *u);
	unsigned char *seen = malloc(n);
	gsl_rng *rng = ur_rng_create(1);
	if (!u || !seen || !rng)
		abort();
	ur_sweep_lhs(n, d, rng, u);
	for (size_t j = 0; j < d; j++) {
		memset(seen, 0, n);
		for (size_t i = 0; i < n; i++) {
			double x = u[i * d + j];
			if (!(x >= 0.0 && x < 1.0))
				abort();
			size_t stratum = (size_t)(x * (double)n);
			if (stratum >= n || seen[stratum]++)
				abort();
		}
	}
	ur_rng_destroy(rng);
	free(seen);
	free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = input_file();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();

	struct ur_diag diag;
	enum ur_scenario_status status;
	ur_diag_init(&diag, 0);
	struct ur_sweep_spec *spec = ur_sweep_spec_read(path, &diag, &status);
	check_status(spec, status, &diag);
	if (spec) {
		size_t n = design_points(spec);
		if (n < 1 || n > UR_SWEEP_MAX_POINTS || spec->nparams < 1 ||
		    spec->nparams > UR_SWEEP_MAX_PARAMS)
			abort();
		if (spec->design == UR_SWEEP_LHS && n <= 2000)
			check_lhs(n, spec->nparams);
	}
	ur_sweep_spec_destroy(spec);
	ur_diag_finish(&diag);

	ur_diag_init(&diag, 0);
	struct ur_sweep_manifest *m = ur_sweep_manifest_read(path, &diag, &status);
	check_status(m, status, &diag);
	ur_sweep_manifest_destroy(m);
	ur_diag_finish(&diag);
	return 0;
}
