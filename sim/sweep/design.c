/*
 * design.c: a sweep's points (grid, Latin hypercube, Sobol, list), every point's
 * scenario, the resolved sweep text (sweep.cfg) and its hash, and the unit table that
 * `--list` prints (see sweep.h).
 *
 * The sweep's scenario is loaded once, at the start; a point is that scenario plus its
 * values as overrides, derived without reading or parsing any file again
 * (ur_scenario_derive: the values applied straight to a copy of the params through
 * the schema). This file uses only the public API of the scenario module and the
 * schema's real-literal writer (sim/params/schema.h).
 */
#include "unrest/sweep.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>

#include "schema.h"
#include "sweep_internal.h"
#include "unrest/posterior.h"
#include "unrest/output.h"
#include "unrest/rng.h"

struct ur_sweep {
	struct ur_sweep_spec *spec;     /* the paths live here */
	size_t npoints, nparams;
	uint64_t replications, seed;
	bool independent;               /* seeds = "independent" */
	struct ur_sweep_value *values;  /* npoints x nparams; texts owned */
	struct ur_scenario *base;
	char *text;                     /* sweep.cfg */
	uint64_t hash;
};

void ur_sweep_lhs(size_t n, size_t d, gsl_rng *rng, double *out)
{
	assert(rng && (out || n * d == 0));
	size_t *perm = malloc((n ? n : 1) * sizeof *perm);
	assert(perm); /* a few words per point; callers have allocated n*d doubles */
	if (!perm)
		return;
	for (size_t j = 0; j < d; j++) {
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		gsl_ran_shuffle(rng, perm, n, sizeof *perm);
		for (size_t i = 0; i < n; i++)
			out[i * d + j] = ((double)perm[i] + gsl_rng_uniform(rng)) / (double)n;
	}
	free(perm);
}

int ur_sweep_sobol(size_t n, size_t d, double *out)
{
	assert(d >= 1 && d <= UR_SWEEP_MAX_PARAMS && (out || n == 0));
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
	if (!q)
		return -1;
	for (size_t i = 0; i < n; i++)
		gsl_qrng_get(q, out + i * d);
	gsl_qrng_free(q);
	return 0;
}

void ur_sweep_wilson(uint64_t k, uint64_t n, double *low, double *high)
{
	assert(n > 0 && k <= n && low && high);
	double z = gsl_cdf_ugaussian_Pinv(0.975);
	double nn = (double)n, p = (double)k / nn, z2 = z * z;
	double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	/* At k = 0 and k = n an end is exactly 0 or 1; rounding would leave 1e-17. */
	*low = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*high = k == n ? 1.0 : fmin(1.0, centre + half);
}

uint64_t sw_fnv1a64(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ---- values as text ------------------------------------------------------------------ */

/* The VALUE of a --set: reals in the shortest text that reads back to the same
 * double (the schema's writer), whatever the CSV files' number format. */
static void value_set_text(const struct ur_sweep_value *v, char *buf, size_t size)
{
	char r[SC_REAL_TEXT_SIZE];
	switch (v->type) {
	case UR_SWEEP_INT:
		snprintf(buf, size, "%" PRId64, v->integer);
		break;
	case UR_SWEEP_REAL:
		snprintf(buf, size, "%s", sc_format_real(v->real, false, r));
		break;
	case UR_SWEEP_BOOL:
		snprintf(buf, size, "%s", v->boolean ? "true" : "false");
		break;
	case UR_SWEEP_TEXT:
		snprintf(buf, size, "%s", v->text);
		break;
	}
}

void sw_csv_value(struct ur_csv *csv, const struct ur_sweep_value *v)
{
	switch (v->type) {
	case UR_SWEEP_INT: ur_csv_int(csv, v->integer); break;
	case UR_SWEEP_REAL: ur_csv_real_exact(csv, v->real); break; /* an input: exact */
	case UR_SWEEP_BOOL: ur_csv_text(csv, v->boolean ? "true" : "false"); break;
	case UR_SWEEP_TEXT: ur_csv_text(csv, v->text); break;
	}
}

/* The value as a libconfig literal, read back by ur_sweep_spec_read as the same value. */
static void value_literal(FILE *f, const struct ur_sweep_value *v)
{
	char r[UR_REAL_TEXT_SIZE];
	switch (v->type) {
	case UR_SWEEP_INT:
		fprintf(f, "%" PRId64 "%s", v->integer,
			v->integer > INT32_MAX || v->integer < INT32_MIN ? "L" : "");
		break;
	case UR_SWEEP_REAL:
		ur_format_real(v->real, r);
		fputs(r, f);
		break;
	case UR_SWEEP_BOOL:
		fputs(v->boolean ? "true" : "false", f);
		break;
	case UR_SWEEP_TEXT:
		ur_config_string_write(f, v->text);
		break;
	}
}

static int value_copy(struct ur_sweep_value *to, const struct ur_sweep_value *from)
{
	*to = *from;
	if (from->type == UR_SWEEP_TEXT) {
		to->text = strdup(from->text);
		if (!to->text)
			return -1;
	}
	return 0;
}

/* ---- the design ------------------------------------------------------------------- */

/* Fills sweep->values from the spec. 0, or -1 when out of memory. */
static int make_points(struct ur_sweep *sw)
{
	const struct ur_sweep_spec *spec = sw->spec;
	size_t n = sw->npoints, d = sw->nparams;
	sw->values = calloc(n * d + 1, sizeof *sw->values);
	if (!sw->values)
		return -1;
	switch (spec->design) {
	case UR_SWEEP_LIST:
		for (size_t i = 0; i < n * d; i++)
			if (value_copy(&sw->values[i], &spec->list[i]) != 0)
				return -1;
		return 0;
	case UR_SWEEP_GRID:
		/* Point i in mixed radix, the last dimension the fastest digit. */
		for (size_t i = 0; i < n; i++) {
			size_t rest = i;
			for (size_t k = spec->ndims; k-- > 0;) {
				const struct ur_sweep_dim_spec *dim = &spec->dims[k];
				size_t len = spec->params[dim->first].nvalues;
				size_t digit = rest % len;
				rest /= len;
				for (size_t q = 0; q < dim->count; q++) {
					size_t j = dim->first + q;
					if (value_copy(&sw->values[i * d + j],
						       &spec->params[j].values[digit]) != 0)
						return -1;
				}
			}
		}
		return 0;
	case UR_SWEEP_LHS:
	case UR_SWEEP_SOBOL:
		break;
	}
	double *u = malloc(n * d * sizeof *u);
	if (!u)
		return -1;
	if (spec->design == UR_SWEEP_LHS) {
		uint64_t s = ur_rng_stream_seed(ur_rng_replication_seed(sw->seed, 0),
						UR_STREAM_SWEEP);
		gsl_rng *rng = ur_rng_create(s);
		if (!rng) {
			free(u);
			return -1;
		}
		ur_sweep_lhs(n, d, rng, u);
		ur_rng_destroy(rng);
	} else if (ur_sweep_sobol(n, d, u) != 0) {
		free(u);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++) {
			const struct ur_sweep_param_spec *p = &spec->params[j];
			struct ur_sweep_value *v = &sw->values[i * d + j];
			double x = u[i * d + j];
			if (p->integer) {
				/* Whole numbers min..max, each with probability 1/(max-min+1). */
				double w = floor(p->min + x * (p->max - p->min + 1));
				v->type = UR_SWEEP_INT;
				v->integer = (int64_t)fmin(w, p->max);
				v->real = (double)v->integer;
			} else {
				v->type = UR_SWEEP_REAL;
				v->real = p->min + x * (p->max - p->min);
			}
		}
	free(u);
	return 0;
}

/* sweep.cfg: the sweep with every point written out. */
static char *make_text(const struct ur_sweep *sw)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	char seed[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(sw->seed, seed);
	fputs("# The resolved sweep: the scenario beside it and every point of the design.\n",
	      f);
	fputs("scenario = \"scenario.cfg\";\n", f);
	fprintf(f, "replications = %" PRIu64 ";\n", sw->replications);
	fprintf(f, "seed = \"%s\";\n", seed);
	/* Written only when not the default, so that common-seed sweeps keep their
	 * sweep.cfg and hash. */
	if (sw->independent)
		fputs("seeds = \"independent\";\n", f);
	fputs("design = \"list\";\nparameters = [", f);
	for (size_t j = 0; j < sw->nparams; j++) {
		fputs(j ? ", " : " ", f);
		ur_config_string_write(f, sw->spec->params[j].path);
	}
	fputs(" ];\npoints = (", f);
	for (size_t i = 0; i < sw->npoints; i++) {
		fputs(i ? ",\n  ( " : "\n  ( ", f);
		for (size_t j = 0; j < sw->nparams; j++) {
			if (j)
				fputs(", ", f);
			value_literal(f, &sw->values[i * sw->nparams + j]);
		}
		fputs(" )", f);
	}
	fputs("\n);\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Adds "FILE:LINE: point N: MESSAGE" for each message of a point's failed load, LINE
 * being that of the parameter whose --set the message names (the file's first line for
 * a message about no one parameter). */
static void report_point(struct ur_diag *diag, const struct ur_sweep_spec *spec,
			 size_t point, const struct ur_diag *inner)
{
	for (size_t i = 0; i < ur_diag_count(inner); i++) {
		const char *message = ur_diag_message(inner, i);
		unsigned line = 1;
		for (size_t j = 0; j < spec->nparams; j++) {
			size_t n = strlen(spec->params[j].path);
			if (strncmp(message, "--set ", 6) == 0 &&
			    strncmp(message + 6, spec->params[j].path, n) == 0 &&
			    message[6 + n] == '=') {
				line = spec->params[j].line;
				break;
			}
		}
		size_t n = strlen(spec->file) + strlen(message) + 64;
		char *text = malloc(n);
		if (!text) {
			diag->total++;
			return;
		}
		snprintf(text, n, "%s:%u: point %zu: %s", spec->file, line, point, message);
		ur_sweep_diag_add(diag, text);
		free(text);
	}
}

/* Parameters that a point's value would not reach, refused with a message each: the
 * scenario's own seed and replications (a unit's seed comes from the sweep's seed and
 * its count from the sweep's replications, so such a "parameter" gave every point the
 * same results), and one setting swept under two names (a list item by [N] and by
 * [id], a lognormal's mu and median), where the point's later value silently won and
 * sweep.csv showed the other. The sweep file's text check catches the same spelling
 * twice; this one needs the scenario. true when any was refused. */
static bool refuse_unread_or_twice(const struct ur_sweep *sw, const char *path,
				   struct ur_diag *diag)
{
	static const struct {
		const char *path, *instead;
	} unread[] = {
		{"scenario.seed", "the sweep file's seed, or -s, seeds every unit"},
		{"scenario.replications", "the sweep file's replications, or -r, counts the units"},
	};
	const struct ur_params *params = ur_scenario_params(sw->base);
	bool refused = false;
	char text[1024];
	for (size_t j = 0; j < sw->spec->nparams; j++) {
		const struct ur_sweep_param_spec *q = &sw->spec->params[j];
		for (size_t u = 0; u < sizeof unread / sizeof *unread; u++) {
			if (!ur_params_same_setting(params, q->path, unread[u].path))
				continue;
			snprintf(text, sizeof text, "%s:%u: %.200s: expected a setting a point "
				 "can change, found one a sweep does not read (%s)", path,
				 q->line, q->path, unread[u].instead);
			ur_sweep_diag_add(diag, text);
			refused = true;
		}
		for (size_t k = 0; k < j; k++) {
			const struct ur_sweep_param_spec *o = &sw->spec->params[k];
			if (strcmp(q->path, o->path) == 0 ||
			    !ur_params_same_setting(params, q->path, o->path))
				continue;
			snprintf(text, sizeof text, "%s:%u: %.200s: expected each setting once, "
				 "found the one of %.200s (line %u) again by another name", path,
				 q->line, q->path, o->path, o->line);
			ur_sweep_diag_add(diag, text);
			refused = true;
			break;
		}
	}
	return refused;
}

struct ur_sweep *ur_sweep_load(const char *path, struct ur_diag *diag,
			       enum ur_scenario_status *status)
{
	return ur_sweep_load_with(path, NULL, diag, status);
}

struct ur_sweep *ur_sweep_load_with(const char *path, const struct ur_sweep_overrides *o,
				    struct ur_diag *diag, enum ur_scenario_status *status)
{
	static const struct ur_sweep_overrides none = {0};
	assert(path && diag && status);
	if (!o)
		o = &none;
	struct ur_sweep *sw = calloc(1, sizeof *sw);
	if (!sw) {
		*status = UR_SCENARIO_NOMEM;
		return NULL;
	}
	sw->spec = ur_sweep_spec_read(path, diag, status);
	if (!sw->spec)
		goto fail;
	sw->base = ur_scenario_load(sw->spec->scenario, o->sets, o->nsets, diag, status);
	if (!sw->base)
		goto fail;
	const struct ur_posterior *posterior = ur_scenario_posterior(sw->base);
	for (size_t j = 0; j < sw->spec->nparams; j++) {
		/* The points share the scenario's posterior, and sweep.csv's columns with
		 * it: whether rows have posterior_row is the sweep's, not a point's. */
		const struct ur_sweep_param_spec *q = &sw->spec->params[j];
		if (strcmp(q->path, "scenario.posterior") != 0)
			continue;
		char text[512];
		snprintf(text, sizeof text, "%s:%u: %s: expected a setting other than the "
			 "scenario's posterior (every point draws from the scenario's), found it "
			 "swept", path, q->line, q->path);
		ur_sweep_diag_add(diag, text);
		*status = UR_SCENARIO_BAD_INPUT;
		goto fail;
	}
	if (refuse_unread_or_twice(sw, path, diag)) {
		*status = UR_SCENARIO_BAD_INPUT;
		goto fail;
	}
	if (posterior) {
		/* A setting is either swept or drawn from the posterior: a point's value
		 * would be overridden by every replication's row, silently. */
		bool clash = false;
		for (size_t j = 0; j < sw->spec->nparams; j++) {
			const struct ur_sweep_param_spec *q = &sw->spec->params[j];
			/* Under any of its names: a list item by [N] or [id], a lognormal's
			 * mu or median. */
			long column = ur_posterior_column_of(posterior,
							     ur_scenario_params(sw->base), q->path);
			if (column < 0)
				continue;
			char text[1024], named[300] = "";
			if (!ur_posterior_names(posterior, q->path))
				snprintf(named, sizeof named, ", %.200s, by another name",
					 ur_posterior_parameter(posterior, (size_t)column));
			snprintf(text, sizeof text, "%s:%u: %s: expected a setting the scenario's "
				 "posterior does not draw, found a column of %s%s (each replication "
				 "takes it from its drawn row): sweep it, or leave it to the "
				 "posterior", path, q->line, q->path, ur_posterior_name(posterior),
				 named);
			ur_sweep_diag_add(diag, text);
			clash = true;
		}
		if (clash) {
			*status = UR_SCENARIO_BAD_INPUT;
			goto fail;
		}
	}
	const struct ur_scenario_params *sp = &ur_scenario_params(sw->base)->scenario;
	sw->replications = o->has_replications	       ? o->replications
			   : sw->spec->has_replications ? sw->spec->replications
							: sp->replications;
	sw->seed = o->has_seed ? o->seed : sw->spec->has_seed ? sw->spec->seed : sp->seed;
	sw->independent = sw->spec->independent_seeds;
	sw->npoints = sw->spec->npoints;
	sw->nparams = sw->spec->nparams;
	*status = UR_SCENARIO_BAD_INPUT;
	if (sw->replications < 1 || sw->replications > UR_RUN_MAX_REPLICATIONS) {
		char text[256];
		snprintf(text, sizeof text, "%s: replications: expected 1 to %u (the scenario "
			 "gives %" PRIu64 "): set replications in the sweep file", path,
			 UR_RUN_MAX_REPLICATIONS, sw->replications);
		ur_sweep_diag_add(diag, text);
		goto fail;
	}
	if ((double)sw->npoints * (double)sw->replications > UR_SWEEP_MAX_UNITS) {
		char text[256];
		snprintf(text, sizeof text, "%s: points x replications: expected at most %u "
			 "units, got %zu x %" PRIu64, path, UR_SWEEP_MAX_UNITS, sw->npoints,
			 sw->replications);
		ur_sweep_diag_add(diag, text);
		goto fail;
	}
	*status = UR_SCENARIO_NOMEM;
	if (make_points(sw) != 0 || !(sw->text = make_text(sw)))
		goto fail;
	const char *base_text = ur_scenario_text(sw->base);
	sw->hash = ur_scenario_text_fold(sw_fnv1a64(0xcbf29ce484222325ull, sw->text,
						    strlen(sw->text)),
					 base_text, strlen(base_text));
	if (posterior) {
		/* The posterior's bytes, not only its name, are the sweep's identity. */
		uint64_t sum = ur_posterior_checksum(posterior);
		sw->hash = sw_fnv1a64(sw->hash, (const char *)&sum, sizeof sum);
	}

	/* Every point is checked now, so that a bad point stops the sweep before any unit
	 * runs: derived from the base, which was read and parsed once (no file is read
	 * again, and editing one while the sweep runs changes nothing), and dropped again:
	 * a point costs a scenario's memory only while a worker runs it. */
	size_t bad = 0;
	for (size_t i = 0; i < sw->npoints; i++) {
		struct ur_diag inner;
		ur_diag_init(&inner, 4);
		enum ur_scenario_status st;
		struct ur_scenario *sc = ur_sweep_point_scenario(sw, i, &inner, &st);
		if (!sc && st == UR_SCENARIO_NOMEM) {
			ur_diag_finish(&inner);
			goto fail;
		}
		if (!sc) {
			report_point(diag, sw->spec, i, &inner);
			bad++;
		}
		ur_scenario_destroy(sc);
		ur_diag_finish(&inner);
	}
	if (bad > 0) {
		*status = UR_SCENARIO_BAD_INPUT;
		goto fail;
	}
	*status = UR_SCENARIO_OK;
	return sw;
fail:
	if (*status == UR_SCENARIO_NOMEM)
		ur_sweep_diag_add(diag, "out of memory while loading the sweep");
	ur_sweep_destroy(sw);
	return NULL;
}

void ur_sweep_destroy(struct ur_sweep *sw)
{
	if (!sw)
		return;
	if (sw->values)
		for (size_t i = 0; i < sw->npoints * sw->nparams; i++)
			if (sw->values[i].type == UR_SWEEP_TEXT)
				free(sw->values[i].text);
	free(sw->values);
	ur_scenario_destroy(sw->base);
	free(sw->text);
	ur_sweep_spec_destroy(sw->spec);
	free(sw);
}

size_t ur_sweep_points(const struct ur_sweep *sw) { return sw->npoints; }
size_t ur_sweep_params(const struct ur_sweep *sw) { return sw->nparams; }
uint64_t ur_sweep_replications(const struct ur_sweep *sw) { return sw->replications; }
uint64_t ur_sweep_seed(const struct ur_sweep *sw) { return sw->seed; }
bool ur_sweep_independent_seeds(const struct ur_sweep *sw) { return sw->independent; }

uint64_t ur_sweep_unit_seed(uint64_t seed, bool independent, uint64_t replications,
			    uint64_t point, uint64_t k)
{
	return ur_rng_replication_seed(seed, independent ? point * replications + k : k);
}
const char *ur_sweep_text(const struct ur_sweep *sw) { return sw->text; }
uint64_t ur_sweep_hash(const struct ur_sweep *sw) { return sw->hash; }

const char *ur_sweep_param_path(const struct ur_sweep *sw, size_t param)
{
	assert(param < sw->nparams);
	return sw->spec->params[param].path;
}

const struct ur_sweep_value *ur_sweep_value(const struct ur_sweep *sw, size_t point,
					    size_t param)
{
	assert(point < sw->npoints && param < sw->nparams);
	return &sw->values[point * sw->nparams + param];
}

/* The point's overrides, "PATH=VALUE", in sets[0..nparams) pointing into one block
 * (the caller frees sets[0]'s block through *block). 0, or -1 when out of memory. */
static int point_sets(const struct ur_sweep *sw, size_t point, const char **sets,
		      char **block)
{
	size_t size = 0;
	for (size_t j = 0; j < sw->nparams; j++) {
		const struct ur_sweep_value *v = &sw->values[point * sw->nparams + j];
		size += strlen(sw->spec->params[j].path) + 2 +
			(v->type == UR_SWEEP_TEXT ? strlen(v->text) : SC_REAL_TEXT_SIZE + 24);
	}
	char *b = malloc(size ? size : 1), *at = b;
	*block = b;
	if (!b)
		return -1;
	for (size_t j = 0; j < sw->nparams; j++) {
		const struct ur_sweep_value *v = &sw->values[point * sw->nparams + j];
		size_t n = strlen(sw->spec->params[j].path);
		memcpy(at, sw->spec->params[j].path, n);
		at[n] = '=';
		value_set_text(v, at + n + 1, (size_t)(b + size - (at + n + 1)));
		sets[j] = at;
		at += strlen(at) + 1;
	}
	return 0;
}

struct ur_scenario *ur_sweep_point_scenario(const struct ur_sweep *sw, size_t point,
					    struct ur_diag *diag,
					    enum ur_scenario_status *status)
{
	assert(point < sw->npoints && diag && status);
	const char *stack[16];
	const char **sets = sw->nparams <= 16 ? stack : calloc(sw->nparams, sizeof *sets);
	char *block = NULL;
	struct ur_scenario *sc = NULL;
	*status = UR_SCENARIO_NOMEM;
	if (sets && point_sets(sw, point, sets, &block) == 0)
		sc = ur_scenario_derive(sw->base, sets, sw->nparams, 0, diag, status);
	free(block);
	if (sets != stack)
		free(sets);
	return sc;
}

const struct ur_scenario *sw_base_scenario(const struct ur_sweep *sw)
{
	return sw->base;
}

const struct ur_sweep_value *sw_values(const struct ur_sweep *sw)
{
	return sw->values;
}

int ur_sweep_list(const struct ur_sweep *sw, unsigned shard, unsigned shards,
		  FILE *stream)
{
	assert(sw && stream && shard >= 1 && shard <= shards);
	struct ur_csv csv;
	ur_csv_init(&csv);
	ur_csv_text(&csv, "point");
	ur_csv_text(&csv, "replication");
	for (size_t j = 0; j < sw->nparams; j++)
		ur_csv_text(&csv, sw->spec->params[j].path);
	ur_csv_text(&csv, "seed");
	ur_csv_end_row(&csv);
	int rc = 0;
	uint64_t total = (uint64_t)sw->npoints * sw->replications;
	for (uint64_t u = shard - 1; u < total && rc == 0; u += shards) {
		uint64_t p = u / sw->replications, k = u % sw->replications;
		ur_csv_int(&csv, (int64_t)p);
		ur_csv_int(&csv, (int64_t)k);
		for (size_t j = 0; j < sw->nparams; j++)
			sw_csv_value(&csv, &sw->values[p * sw->nparams + j]);
		char seed[UR_RNG_SEED_TEXT_SIZE];
		ur_rng_seed_format(ur_sweep_unit_seed(sw->seed, sw->independent,
						      sw->replications, p, k), seed);
		ur_csv_text(&csv, seed);
		ur_csv_end_row(&csv);
		/* Flush now and then: a large table need not sit in memory whole. */
		if (csv.len > 65536 || u + shards >= total) {
			if (csv.failed || fwrite(csv.data, 1, csv.len, stream) != csv.len)
				rc = -1;
			ur_csv_clear(&csv);
		}
	}
	if (rc == 0 && csv.len > 0 &&
	    (csv.failed || fwrite(csv.data, 1, csv.len, stream) != csv.len))
		rc = -1;
	ur_csv_finish(&csv);
	return rc == 0 && fflush(stream) == 0 ? 0 : -1;
}
