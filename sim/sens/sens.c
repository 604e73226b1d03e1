/*
 * sens.c: global sensitivity on the sweep machinery (sens.h; the method, the
 * estimators and the files are in docs/sensitivity.md).
 *
 * The design's points are written as a `list` sweep file (DIR/points.cfg) over the
 * resolved scenario (DIR/scenario.cfg), run by ur_sweep_run into DIR/points/, and read
 * back from that folder's sweep.csv. The design is a function of the sensitivity file
 * alone (a low-discrepancy sequence, or for Morris a stream hashed from the seed), so
 * a killed analysis run again with --resume writes the same points.cfg and resumes
 * its sweep; and since a sweep folder is the same bytes for any -j and any shard split
 * merged, so is every file here.
 *
 * The estimators are written here: GSL has the sequences, the random numbers, the
 * means, variances and quantiles used below, but no Sobol or Morris estimator, and no
 * C library that does is packaged for Debian.
 *
 * Layering: this file uses only the public APIs of the sweep, scenario, output and rng
 * modules (sweep.h, scenario.h, output.h, rng.h) and GSL.
 */
#include "unrest/sens.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "schema.h"
#include "unrest/model.h"
#include "unrest/output.h"
#include "unrest/params.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

/* Stream ids hashed with the seed: Morris's trajectories, and the bootstrap of each
 * output (with the output's name, so that the outputs chosen do not change one
 * another's intervals). */
#define SEED_STREAM_MORRIS 0x6d6f72726973u     /* "morris" */
#define SEED_STREAM_BOOTSTRAP 0x626f6f74u      /* "boot" */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;       /* FNV-1a 64 */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

static uint64_t bootstrap_seed(uint64_t seed, const char *output)
{
	return ur_rng_mix64(ur_rng_mix64(seed ^ SEED_STREAM_BOOTSTRAP) + name_hash(output));
}

static uint64_t morris_seed(uint64_t seed)
{
	return ur_rng_mix64(ur_rng_mix64(seed ^ SEED_STREAM_MORRIS));
}

/* ---- designs ------------------------------------------------------------------------ */

int ur_sens_saltelli_design(size_t n, size_t d, double *out)
{
	assert(n > 0 && d > 0 && d <= UR_SENS_MAX_PARAMS && out);
	/* A and B side by side as one 2d-dimensional sequence, so that B's rows are not a
	 * shifted copy of A's (which would correlate them). GSL's Sobol generator has 40
	 * dimensions; the reverse Halton sequence (Vandewoestyne and Cools 2006) has
	 * 1229. */
	unsigned dim = (unsigned)(2 * d);
	gsl_qrng *q = gsl_qrng_alloc(dim <= UR_SENS_SOBOL_DIMENSIONS ? gsl_qrng_sobol
								       : gsl_qrng_reversehalton, dim);
	if (!q)
		return -1;
	double u[2 * UR_SENS_MAX_PARAMS];
	/* The first point is the corner 0 in every dimension: skipped, as is usual
	 * (it is no sample of the interior, and a log-uniform parameter's min). */
	gsl_qrng_get(q, u);
	for (size_t j = 0; j < n; j++) {
		gsl_qrng_get(q, u);
		double *a = &out[(j * (d + 2)) * d];
		double *b = a + d;
		for (size_t i = 0; i < d; i++) {
			a[i] = u[i];
			b[i] = u[d + i];
		}
		for (size_t k = 0; k < d; k++) {
			double *ab = a + (2 + k) * d;
			for (size_t i = 0; i < d; i++)
				ab[i] = i == k ? b[i] : a[i];
		}
	}
	gsl_qrng_free(q);
	return 0;
}

void ur_sens_morris_design(size_t r, size_t d, unsigned levels, gsl_rng *rng, double *out)
{
	assert(levels >= 2 && levels % 2 == 0 && d > 0 && d <= UR_SENS_MAX_PARAMS);
	double delta = levels / (2.0 * (levels - 1));
	size_t order[UR_SENS_MAX_PARAMS];
	int dir[UR_SENS_MAX_PARAMS];
	for (size_t t = 0; t < r; t++) {
		double *x = &out[t * (d + 1) * d];
		/* The base x* on {0, 1/(p-1), ..., 1 - Delta}; a parameter moving down
		 * starts at x* + Delta, so that every step stays in [0, 1]. */
		for (size_t i = 0; i < d; i++) {
			double base = (double)gsl_rng_uniform_int(rng, levels / 2) / (levels - 1);
			dir[i] = gsl_rng_uniform_int(rng, 2) ? 1 : -1;
			x[i] = dir[i] > 0 ? base : base + delta;
		}
		for (size_t i = 0; i < d; i++)
			order[i] = i;
		gsl_ran_shuffle(rng, order, d, sizeof *order);
		for (size_t k = 1; k <= d; k++) {
			double *prev = x + (k - 1) * d, *cur = x + k * d;
			memcpy(cur, prev, d * sizeof *cur);
			size_t f = order[k - 1];
			cur[f] = prev[f] + dir[f] * delta;
			/* k/(p-1) + Delta lands on 1 to within rounding: keep it in [0, 1]. */
			cur[f] = fmin(fmax(cur[f], 0.0), 1.0);
		}
	}
}

/* ---- estimators ----------------------------------------------------------------------- */

/* The indices of every parameter from the base rows rows[0..n) (with repeats, for the
 * bootstrap), into s1[d], st[d]; scratch of 2n doubles. NaN when the rows' pooled
 * f_A and f_B have no variance. */
static void sobol_estimate(size_t n, size_t d, const double *y, const size_t *rows,
			   double *scratch, double *s1, double *st)
{
	size_t stride = d + 2;
	for (size_t j = 0; j < n; j++) {
		scratch[j] = y[rows[j] * stride];
		scratch[n + j] = y[rows[j] * stride + 1];
	}
	double m = gsl_stats_mean(scratch, 1, 2 * n);
	double v = gsl_stats_variance_m(scratch, 1, 2 * n, m);
	for (size_t i = 0; i < d; i++) {
		/* Saltelli et al. 2010 (their table 2, b) for the first order; Jansen 1999
		 * (table 2, f) for the total. f_B is centred on the pooled mean: the same
		 * estimator in expectation (f_ABi - f_A has mean 0), but without the
		 * variance a large mean adds (a peak of 25,000 persons varying by tens). */
		for (size_t j = 0; j < n; j++) {
			const double *p = &y[rows[j] * stride];
			double fa = p[0], fb = p[1] - m, fab = p[2 + i];
			scratch[j] = fb * (fab - fa);
			scratch[n + j] = 0.5 * (fa - fab) * (fa - fab);
		}
		double num1 = gsl_stats_mean(scratch, 1, n);
		double numt = gsl_stats_mean(scratch + n, 1, n);
		s1[i] = v > 0 ? num1 / v : nan("");
		st[i] = v > 0 ? numt / v : nan("");
	}
}

/* The percentile interval of the finite values x[0..m) (stride apart) at level c into
 * *lo, *hi (NaN when there is none); sorts a copy in buf. */
static void percentile_interval(const double *x, size_t m, size_t stride, double c,
				double *buf, double *lo, double *hi)
{
	size_t k = 0;
	for (size_t b = 0; b < m; b++)
		if (isfinite(x[b * stride]))
			buf[k++] = x[b * stride];
	if (k == 0) {
		*lo = *hi = nan("");
		return;
	}
	gsl_sort(buf, 1, k);
	*lo = gsl_stats_quantile_from_sorted_data(buf, 1, k, (1 - c) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(buf, 1, k, (1 + c) / 2);
}

int ur_sens_sobol(size_t n, size_t d, const double *y, unsigned bootstrap,
		  double confidence, gsl_rng *rng, struct ur_sens_sobol_index *out)
{
	assert(n > 0 && d > 0 && y && out && (bootstrap == 0 || rng));
	size_t *rows = malloc(n * sizeof *rows);
	double *scratch = malloc(2 * n * sizeof *scratch);
	double *b1 = malloc(((size_t)bootstrap * d + 1) * sizeof *b1);
	double *bt = malloc(((size_t)bootstrap * d + 1) * sizeof *bt);
	double *buf = malloc(((size_t)bootstrap + 1) * sizeof *buf);
	double s1[UR_SENS_MAX_PARAMS], st[UR_SENS_MAX_PARAMS];
	int rc = -1;
	if (!rows || !scratch || !b1 || !bt || !buf)
		goto done;
	for (size_t j = 0; j < n; j++)
		rows[j] = j;
	sobol_estimate(n, d, y, rows, scratch, s1, st);
	/* Each resample draws n base rows with replacement; every parameter's indices
	 * are computed from the same resample, as the estimates themselves share rows. */
	for (unsigned b = 0; b < bootstrap; b++) {
		for (size_t j = 0; j < n; j++)
			rows[j] = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
		sobol_estimate(n, d, y, rows, scratch, &b1[(size_t)b * d], &bt[(size_t)b * d]);
	}
	for (size_t i = 0; i < d; i++) {
		out[i] = (struct ur_sens_sobol_index){.s1 = s1[i], .st = st[i]};
		if (bootstrap == 0 || isnan(s1[i])) {
			out[i].s1_low = out[i].s1_high = out[i].st_low = out[i].st_high = nan("");
			continue;
		}
		percentile_interval(&b1[i], bootstrap, d, confidence, buf, &out[i].s1_low,
				    &out[i].s1_high);
		percentile_interval(&bt[i], bootstrap, d, confidence, buf, &out[i].st_low,
				    &out[i].st_high);
	}
	rc = 0;
done:
	free(rows);
	free(scratch);
	free(b1);
	free(bt);
	free(buf);
	return rc;
}

/* mu* of the trajectories rows[0..r) from the elementary effects ee[r x d], into
 * mu_star[d]. */
static void morris_mu_star(size_t r, size_t d, const double *ee, const size_t *rows,
			   double *mu_star)
{
	for (size_t i = 0; i < d; i++) {
		double s = 0;
		for (size_t t = 0; t < r; t++)
			s += fabs(ee[rows[t] * d + i]);
		mu_star[i] = s / (double)r;
	}
}

int ur_sens_morris(size_t r, size_t d, const double *x, const double *y,
		   unsigned bootstrap, double confidence, gsl_rng *rng,
		   struct ur_sens_morris_index *out)
{
	assert(r > 0 && d > 0 && x && y && out && (bootstrap == 0 || rng));
	double *ee = malloc(r * d * sizeof *ee);
	double *col = malloc(r * sizeof *col);
	size_t *rows = malloc(r * sizeof *rows);
	double *bm = malloc(((size_t)bootstrap * d + 1) * sizeof *bm);
	double *buf = malloc(((size_t)bootstrap + 1) * sizeof *buf);
	int rc = -1;
	if (!ee || !col || !rows || !bm || !buf)
		goto done;
	for (size_t i = 0; i < r * d; i++)
		ee[i] = nan("");
	/* Each step of a trajectory moves one parameter: its elementary effect is the
	 * change of the output over the change of that coordinate. */
	for (size_t t = 0; t < r; t++) {
		for (size_t k = 1; k <= d; k++) {
			const double *prev = &x[(t * (d + 1) + k - 1) * d];
			const double *cur = &x[(t * (d + 1) + k) * d];
			for (size_t i = 0; i < d; i++) {
				double step = cur[i] - prev[i];
				if (step != 0) {
					ee[t * d + i] = (y[t * (d + 1) + k] - y[t * (d + 1) + k - 1]) /
							step;
					break;
				}
			}
		}
	}
	for (size_t t = 0; t < r; t++)
		rows[t] = t;
	double mu_star[UR_SENS_MAX_PARAMS];
	morris_mu_star(r, d, ee, rows, mu_star);
	for (unsigned b = 0; b < bootstrap; b++) {
		for (size_t t = 0; t < r; t++)
			rows[t] = (size_t)gsl_rng_uniform_int(rng, (unsigned long)r);
		morris_mu_star(r, d, ee, rows, &bm[(size_t)b * d]);
	}
	for (size_t i = 0; i < d; i++) {
		for (size_t t = 0; t < r; t++)
			col[t] = ee[t * d + i];
		out[i].mu_star = mu_star[i];
		out[i].mu = gsl_stats_mean(col, 1, r);
		out[i].sigma = r > 1 ? gsl_stats_sd(col, 1, r) : nan("");
		if (bootstrap == 0)
			out[i].mu_star_low = out[i].mu_star_high = nan("");
		else
			percentile_interval(&bm[i], bootstrap, d, confidence, buf,
					    &out[i].mu_star_low, &out[i].mu_star_high);
	}
	rc = 0;
done:
	free(ee);
	free(col);
	free(rows);
	free(bm);
	free(buf);
	return rc;
}

/* ---- files -------------------------------------------------------------------------- */

static void fail(struct ur_sens_result *result, int status, const char *what)
{
	result->status = status;
	snprintf(result->message, sizeof result->message, "%s", what);
}

/* Writes dir/name whole (atomically: a reader sees the old file or the new one). */
static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      struct ur_sens_result *result)
{
	struct ur_output_error err;
	struct ur_atomic_file *f = ur_atomic_file_create(dir, name, &err);
	if (!f) {
		fail(result, UR_RUN_CANTCREAT, err.message);
		return -1;
	}
	ur_atomic_file_write(f, data, len);
	if (ur_atomic_file_commit(f, &err) != UR_OUTPUT_OK) {
		fail(result, UR_RUN_IOERR, err.message);
		ur_atomic_file_destroy(f);
		return -1;
	}
	ur_atomic_file_destroy(f);
	return 0;
}

static int write_csv(const char *dir, const char *name, struct ur_csv *csv,
		     struct ur_sens_result *result)
{
	if (csv->failed) {
		fail(result, UR_RUN_SOFTWARE, "out of memory");
		return -1;
	}
	return write_file(dir, name, csv->data ? csv->data : "", csv->len, result);
}

/* The analysis's folder (ur_study_folder_check): what it writes, and points.cfg, written
 * first, as the mark of an analysis's folder. */
static const struct ur_study_folder analysis_folder = {
	.kind = "a sensitivity analysis",
	.names = (const char *const[]){"scenario.cfg", "points.cfg", "points.csv",
				       "sensitivity.csv", "points", NULL},
	.prefix = "points.shard-",
	.marker = "points.cfg",
	.marker_head = "# The points of a ",
};

/* A parameter's value at unit coordinate u. */
static double param_value(const struct ur_sens_param *p, double u)
{
	if (p->scale == UR_SENS_LOGUNIFORM)
		return fmin(fmax(exp(log(p->min) + u * log(p->max / p->min)), p->min), p->max);
	return p->min + u * (p->max - p->min);
}

/* The sweep file of the design's points: a `list` design over scenario.cfg, the
 * analysis's seed as the master seed (replication k of every point has the seed
 * `unrestsim run -s SEED` gives replication k: common random numbers). */
static int points_text(const struct ur_sens_spec *spec, const double *unit, size_t npoints,
		       char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	if (!f)
		return -1;
	char seed[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(spec->seed, seed);
	size_t d = spec->nparams;
	/* Nothing here names the sensitivity file: the folder resumes however the file
	 * is named on the command line. */
	fprintf(f, "# The points of a %s sensitivity analysis (docs/sensitivity.md).\n",
		spec->method == UR_SENS_SOBOL ? "Sobol" : "Morris");
	fprintf(f, "scenario = \"scenario.cfg\";\nreplications = %" PRIu64 ";\n"
		"seed = \"%s\";\ndesign = \"list\";\nparameters = [", spec->replications, seed);
	for (size_t a = 0; a < d; a++)
		fprintf(f, "%s\"%s\"", a ? ", " : " ", spec->params[a].path);
	fputs(" ];\npoints = (\n", f);
	for (size_t p = 0; p < npoints; p++) {
		fputs("  (", f);
		for (size_t a = 0; a < d; a++) {
			char v[SC_REAL_TEXT_SIZE];
			fprintf(f, "%s%s", a ? ", " : " ",
				sc_format_real(param_value(&spec->params[a], unit[p * d + a]), true,
					       v));
		}
		fprintf(f, " )%s\n", p + 1 < npoints ? "," : "");
	}
	fputs(");\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Reads points/sweep.csv into y[point x output]: each output's mean over the point's
 * replications (an outcome.NAME output: the share of replications with that
 * outcome). Every unit must be present. */
static int read_outputs(const struct ur_sens_spec *spec, const char *folder, size_t npoints,
			double *y, struct ur_sens_result *result)
{
	char *path = ur_path_join(folder, "sweep.csv");
	FILE *f = path ? fopen(path, "r") : NULL;
	int rc = -1;
	char *line = NULL;
	size_t cap = 0, d = spec->nparams, no = spec->noutputs, R = spec->replications;
	long col[UR_SENS_MAX_OUTPUTS], col_rep = -1, col_outcome = -1;
	bool *seen = calloc(npoints * R, sizeof *seen);
	if (!f || !seen) {
		result->status = f ? UR_RUN_SOFTWARE : 66;
		snprintf(result->message, sizeof result->message, "%s: %s",
			 path ? path : folder, f ? "out of memory" : strerror(errno));
		goto done;
	}
	for (size_t o = 0; o < no; o++)
		col[o] = -1;
	for (size_t i = 0; i < npoints * no; i++)
		y[i] = 0;
	unsigned lineno = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		char *fields[UR_SENS_MAX_PARAMS + 64];
		size_t nf = ur_sweep_split_line(line, fields, sizeof fields / sizeof *fields);
		if (lineno == 1) {
			for (size_t k = d + 1; k < nf; k++) {
				if (strcmp(fields[k], "rep") == 0)
					col_rep = (long)k;
				else if (strcmp(fields[k], "outcome") == 0)
					col_outcome = (long)k;
				for (size_t o = 0; o < no; o++)
					if (strcmp(fields[k], spec->outputs[o]) == 0)
						col[o] = (long)k;
			}
			bool ok = nf > 0 && strcmp(fields[0], "point") == 0 && col_rep > 0 &&
				  col_outcome > 0;
			for (size_t o = 0; o < no; o++)
				ok = ok && (col[o] > 0 || strncmp(spec->outputs[o], "outcome.",
								  8) == 0);
			if (!ok) {
				result->status = UR_RUN_DATAERR;
				snprintf(result->message, sizeof result->message, "%s:1: expected "
					 "the header of a sweep with the outputs' metrics", path);
				goto done;
			}
			continue;
		}
		char *end;
		unsigned long point = strtoul(fields[0], &end, 10);
		unsigned long rep = (size_t)col_rep < nf ? strtoul(fields[col_rep], &end, 10)
							 : ULONG_MAX;
		if (point >= npoints || rep >= R || seen[point * R + rep] ||
		    (size_t)col_outcome >= nf) {
			result->status = UR_RUN_DATAERR;
			snprintf(result->message, sizeof result->message, "%s:%u: expected a unit "
				 "of the design once, found point '%s'", path, lineno, fields[0]);
			goto done;
		}
		seen[point * R + rep] = true;
		for (size_t o = 0; o < no; o++) {
			double v;
			if (col[o] < 0) {
				v = strcmp(fields[col_outcome], spec->outputs[o] + 8) == 0;
			} else {
				const char *t = (size_t)col[o] < nf ? fields[col[o]] : "";
				v = strtod(t, &end);
				if (t[0] == '\0' || *end != '\0' || !isfinite(v)) {
					result->status = UR_RUN_DATAERR;
					snprintf(result->message, sizeof result->message, "%s:%u: %s: "
						 "expected a number, found '%.40s'", path, lineno,
						 spec->outputs[o], t);
					goto done;
				}
			}
			y[point * no + o] += v / (double)R;
		}
	}
	for (size_t u = 0; u < npoints * R; u++)
		if (!seen[u]) {
			result->status = UR_RUN_DATAERR;
			snprintf(result->message, sizeof result->message, "%s: unit %zu (point "
				 "%zu, replication %zu) has no row", path, u, u / R, u % R);
			goto done;
		}
	rc = 0;
done:
	free(line);
	free(seen);
	if (f)
		fclose(f);
	free(path);
	return rc;
}

/* Runs the points' sweep (points.cfg already written) so that DIR/points holds every
 * unit: at once, or this shard's share and, when every shard's is done, the merge
 * (ur_sweep_drive). */
static int run_points(const char *dir, const struct ur_sens_options *o,
		      struct ur_sens_result *result)
{
	const struct ur_sweep_options base = {
		.jobs = o->jobs,
		.shard = o->shard,
		.shards = o->shards,
		.resume = o->resume,
		.version = o->version,
		.argc = o->argc,
		.argv = o->argv,
		.interrupt = o->interrupt,
		.progress = o->progress,
		.progress_context = o->progress_context,
		.replicate = o->replicate,
		.replicate_context = o->replicate_context,
	};
	struct ur_sweep_drive_result dr;
	ur_sweep_drive(dir, "points", &base, &dr);
	switch (dr.stage) {
	case UR_DRIVE_DONE:
		return 0;
	case UR_DRIVE_LOAD:
		fail(result, dr.status, dr.message);
		break;
	case UR_DRIVE_RUN:
		result->status = dr.status;
		result->signal = dr.signal;
		snprintf(result->message, sizeof result->message, "points: %.400s", dr.message);
		break;
	case UR_DRIVE_WAITING:
		result->status = UR_SENS_WAITING;
		snprintf(result->message, sizeof result->message, "shard %u of %u is done; "
			 "shard %u is not: run every shard again with --resume when all are",
			 o->shard, o->shards, dr.waiting_for);
		break;
	case UR_DRIVE_MERGE:
		result->status = dr.status;
		snprintf(result->message, sizeof result->message, "merging the shards: %.400s",
			 dr.message);
		break;
	}
	return -1;
}

/* points.csv: each point's place in the design, its parameters and its outputs. */
static void points_csv(const struct ur_sens_spec *spec, const double *unit, size_t npoints,
		       const double *y, struct ur_csv *csv)
{
	size_t d = spec->nparams, no = spec->noutputs;
	bool sobol = spec->method == UR_SENS_SOBOL;
	ur_csv_text(csv, "point");
	ur_csv_text(csv, sobol ? "row" : "trajectory");
	ur_csv_text(csv, sobol ? "matrix" : "step");
	ur_csv_text(csv, sobol ? "column_from_b" : "moved");
	for (size_t a = 0; a < d; a++)
		ur_csv_text(csv, spec->params[a].path);
	for (size_t o = 0; o < no; o++)
		ur_csv_text(csv, spec->outputs[o]);
	ur_csv_end_row(csv);
	for (size_t p = 0; p < npoints; p++) {
		ur_csv_int(csv, (int64_t)p);
		if (sobol) {
			size_t k = p % (d + 2);
			ur_csv_int(csv, (int64_t)(p / (d + 2)));
			ur_csv_text(csv, k == 0 ? "A" : k == 1 ? "B" : "AB");
			if (k >= 2)
				ur_csv_text(csv, spec->params[k - 2].path);
			else
				ur_csv_empty(csv);
		} else {
			size_t k = p % (d + 1);
			ur_csv_int(csv, (int64_t)(p / (d + 1)));
			ur_csv_int(csv, (int64_t)k);
			size_t moved = d;
			for (size_t a = 0; k > 0 && a < d; a++)
				if (unit[p * d + a] != unit[(p - 1) * d + a])
					moved = a;
			if (moved < d)
				ur_csv_text(csv, spec->params[moved].path);
			else
				ur_csv_empty(csv);
		}
		for (size_t a = 0; a < d; a++)
			ur_csv_real_exact(csv, param_value(&spec->params[a], unit[p * d + a]));
		for (size_t o = 0; o < no; o++)
			ur_csv_real_exact(csv, y[p * no + o]);
		ur_csv_end_row(csv);
	}
}

/* sensitivity.csv: a row per output and parameter, outputs in the file's order. */
static int indices_csv(const struct ur_sens_spec *spec, const double *unit, size_t npoints,
		       const double *y, struct ur_csv *csv)
{
	size_t d = spec->nparams, no = spec->noutputs, n = spec->samples;
	bool sobol = spec->method == UR_SENS_SOBOL;
	static const char *const sobol_head[] = {"parameter", "output", "S1", "S1_low",
						 "S1_high", "ST", "ST_low", "ST_high"};
	static const char *const morris_head[] = {"parameter", "output", "mu_star",
						  "mu_star_low", "mu_star_high", "mu", "sigma"};
	if (sobol)
		ur_csv_header(csv, sobol_head, sizeof sobol_head / sizeof *sobol_head);
	else
		ur_csv_header(csv, morris_head, sizeof morris_head / sizeof *morris_head);
	double *col = malloc(npoints * sizeof *col);
	struct ur_sens_sobol_index si[UR_SENS_MAX_PARAMS];
	struct ur_sens_morris_index mi[UR_SENS_MAX_PARAMS];
	if (!col)
		return -1;
	int rc = 0;
	for (size_t o = 0; o < no && rc == 0; o++) {
		for (size_t p = 0; p < npoints; p++)
			col[p] = y[p * no + o];
		gsl_rng *rng = ur_rng_create(bootstrap_seed(spec->seed, spec->outputs[o]));
		if (!rng) {
			rc = -1;
			break;
		}
		rc = sobol ? ur_sens_sobol(n, d, col, (unsigned)spec->bootstrap, spec->confidence,
					   rng, si)
			   : ur_sens_morris(n, d, unit, col, (unsigned)spec->bootstrap,
					    spec->confidence, rng, mi);
		ur_rng_destroy(rng);
		for (size_t a = 0; rc == 0 && a < d; a++) {
			ur_csv_text(csv, spec->params[a].path);
			ur_csv_text(csv, spec->outputs[o]);
			if (sobol) {
				ur_csv_real(csv, si[a].s1);
				ur_csv_real(csv, si[a].s1_low);
				ur_csv_real(csv, si[a].s1_high);
				ur_csv_real(csv, si[a].st);
				ur_csv_real(csv, si[a].st_low);
				ur_csv_real(csv, si[a].st_high);
			} else {
				ur_csv_real(csv, mi[a].mu_star);
				ur_csv_real(csv, mi[a].mu_star_low);
				ur_csv_real(csv, mi[a].mu_star_high);
				ur_csv_real(csv, mi[a].mu);
				ur_csv_real(csv, mi[a].sigma);
			}
			ur_csv_end_row(csv);
		}
	}
	free(col);
	return rc;
}

/* With --resume, whether dir's `name` (when it exists) holds other bytes than `text`:
 * the folder of another analysis, which a resume must not overwrite. */
static bool differs(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = ur_path_join(dir, name);
	FILE *f = path ? fopen(path, "rb") : NULL;
	free(path);
	if (!f)
		return false;
	bool same = true;
	size_t at = 0;
	char buf[4096];
	size_t got;
	while (same && (got = fread(buf, 1, sizeof buf, f)) > 0) {
		same = at + got <= len && memcmp(buf, text + at, got) == 0;
		at += got;
	}
	same = same && !ferror(f) && at == len;
	fclose(f);
	return !same;
}

/* With --resume, whether dir's scenario.cfg (when it exists) is another scenario than
 * `resolved`. Compared as a sweep compares them (ur_scenario_text_fold): the files the
 * scenario names (record, regions, posterior) count by their content, not by the
 * absolute paths the printout gives them, so a folder made in one copy of the tree
 * resumes in another (or on a node that mounts it elsewhere). */
static bool other_scenario(const char *dir, const char *resolved)
{
	char *path = ur_path_join(dir, "scenario.cfg");
	FILE *f = path ? fopen(path, "rb") : NULL;
	free(path);
	if (!f)
		return false;
	uint64_t h = 14695981039346656037ull;
	char *text = NULL;
	size_t size = 0, len = 0, got;
	bool bad = false;
	for (;;) {
		if (len == size) {
			size_t grown = size ? 2 * size : 65536;
			char *t = realloc(text, grown);
			if (!t) {
				bad = true;
				break;
			}
			text = t;
			size = grown;
		}
		got = fread(text + len, 1, size - len, f);
		if (got == 0)
			break;
		len += got;
	}
	bad = bad || ferror(f);
	fclose(f);
	/* An unreadable copy cannot be shown to be the same analysis. */
	if (!bad)
		h = ur_scenario_text_fold(h, text, len);
	free(text);
	return bad || h != ur_scenario_text_fold(14695981039346656037ull, resolved,
						 strlen(resolved));
}

/* ---- the analysis ------------------------------------------------------------------- */

int ur_sensitivity(const struct ur_sens_spec *spec, const char *dir,
		   const struct ur_sens_options *o, struct ur_sens_result *result)
{
	assert(spec && dir && o && result);
	assert(o->shard >= 1 && o->shard <= o->shards && o->jobs >= 1);
	*result = (struct ur_sens_result){0};
	size_t d = spec->nparams, npoints = (size_t)ur_sens_points(spec);
	double *unit = malloc(npoints * d * sizeof *unit);
	double *y = malloc(npoints * spec->noutputs * sizeof *y);
	char *text = NULL;
	size_t len = 0;
	struct ur_scenario *scenario = NULL;
	struct ur_csv csv;
	ur_csv_init(&csv);
	struct ur_diag diag;
	ur_diag_init(&diag, 4);
	result->points = npoints;
	if (!unit || !y) {
		fail(result, UR_RUN_SOFTWARE, "out of memory");
		goto done;
	}
	/* Refused before anything in it changes, as run and sweep refuse one: a user's
	 * own scenario.cfg or points.csv there was overwritten, and the rest of the
	 * folder mixed with the analysis. */
	if (ur_study_folder_check(dir, &analysis_folder, result->message,
				  sizeof result->message) != 0) {
		result->status = UR_RUN_CANTCREAT;
		goto done;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		result->status = UR_RUN_CANTCREAT;
		snprintf(result->message, sizeof result->message, "%s: %s", dir, strerror(errno));
		goto done;
	}
	/* The scenario once, resolved: the points' sweep reads this copy, so editing the
	 * scenario file while the analysis runs changes nothing. */
	enum ur_scenario_status st;
	scenario = ur_scenario_load(spec->scenario, NULL, 0, &diag, &st);
	if (!scenario) {
		fail(result, (int)st, ur_diag_count(&diag) ? ur_diag_message(&diag, 0)
							   : "cannot load");
		goto done;
	}
	const char *resolved = ur_scenario_text(scenario);
	if (!resolved) {
		fail(result, UR_RUN_SOFTWARE, "out of memory");
		goto done;
	}
	if (spec->method == UR_SENS_SOBOL) {
		if (ur_sens_saltelli_design(spec->samples, d, unit) != 0) {
			fail(result, UR_RUN_SOFTWARE, "out of memory");
			goto done;
		}
	} else {
		gsl_rng *rng = ur_rng_create(morris_seed(spec->seed));
		if (!rng) {
			fail(result, UR_RUN_SOFTWARE, "out of memory");
			goto done;
		}
		ur_sens_morris_design(spec->samples, d, (unsigned)spec->levels, rng, unit);
		ur_rng_destroy(rng);
	}
	if (points_text(spec, unit, npoints, &text, &len) != 0) {
		fail(result, UR_RUN_SOFTWARE, "out of memory");
		goto done;
	}
	if (o->resume && (other_scenario(dir, resolved) ||
			  differs(dir, "points.cfg", text, len))) {
		result->status = UR_RUN_CANTCREAT;
		snprintf(result->message, sizeof result->message, "--resume: %.300s holds "
			 "another analysis (its scenario.cfg or points.cfg differs); give another "
			 "-o, or leave out --resume to replace it", dir);
		goto done;
	}
	/* Results of an earlier analysis in the folder go before anything is run, so
	 * that a run stopped before its end leaves no indices that look whole. (A
	 * resumed analysis's are the same bytes, written again at its end.) */
	if (ur_study_folder_clear(dir, (const char *const[]){"sensitivity.csv", "points.csv",
							     NULL},
				  result->message, sizeof result->message) != 0) {
		result->status = UR_RUN_CANTCREAT;
		goto done;
	}
	/* points.cfg first: it marks the folder as an analysis's for the shards that
	 * start beside this one (ur_study_folder_check). */
	if (write_file(dir, "points.cfg", text, len, result) != 0 ||
	    write_file(dir, "scenario.cfg", resolved, strlen(resolved), result) != 0 ||
	    run_points(dir, o, result) != 0)
		goto done;
	char *folder = ur_path_join(dir, "points");
	int rr = folder ? read_outputs(spec, folder, npoints, y, result) : -1;
	free(folder);
	if (rr != 0) {
		if (!result->status)
			fail(result, UR_RUN_SOFTWARE, "out of memory");
		goto done;
	}
	result->simulated = npoints * spec->replications;
	points_csv(spec, unit, npoints, y, &csv);
	if (write_csv(dir, "points.csv", &csv, result) != 0)
		goto done;
	ur_csv_clear(&csv);
	if (indices_csv(spec, unit, npoints, y, &csv) != 0) {
		fail(result, UR_RUN_SOFTWARE, "out of memory");
		goto done;
	}
	if (write_csv(dir, "sensitivity.csv", &csv, result) != 0)
		goto done;
	result->status = 0;
done:
	ur_csv_finish(&csv);
	ur_diag_finish(&diag);
	ur_scenario_destroy(scenario);
	free(text);
	free(unit);
	free(y);
	return result->status;
}
