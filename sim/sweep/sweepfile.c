/*
 * sweepfile.c: reading sweep files (sweep.h, ur_sweep_spec_read), with the sweep
 * module that owns the format. The file is libconfig text, read and parsed through
 * sim/conf (cf_read_file: the program's own tree; only sim/conf/parse.c includes
 * libconfig.h); this file uses only the public API of conf.h, of the scenario
 * module's diag (scenario.h) and the schema's real-literal writer (sim/params). The
 * rest of the sweep driver gets plain structs. Every mistake is reported, in the
 * scenario module's form `FILE:LINE: PATH: expected ..., got ...`, before any is
 * acted on.
 */
#include "unrest/sweep.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "reader.h"
#include "schema.h"
#include "unrest/rng.h"

#define GOT(s) cf_describe((s), got, sizeof got)

/* A scalar of the file as a value; false (reported) for a group, list or array. */
static bool read_value(struct cf_reader *R, const struct cf_setting *s, const char *path,
		       struct ur_sweep_value *v)
{
	char got[256];
	*v = (struct ur_sweep_value){0};
	switch (cf_type_of(s)) {
	case CF_INT:
	case CF_INT64:
		v->type = UR_SWEEP_INT;
		v->integer = cf_integer(s);
		v->real = (double)v->integer;
		return true;
	case CF_FLOAT:
		v->type = UR_SWEEP_REAL;
		v->real = cf_float(s);
		if (!isfinite(v->real)) {
			cf_report(R, s, path, "expected a finite number, got %s", GOT(s));
			return false;
		}
		return true;
	case CF_BOOL:
		v->type = UR_SWEEP_BOOL;
		v->boolean = cf_bool(s);
		return true;
	case CF_STRING:
		v->type = UR_SWEEP_TEXT;
		v->text = cf_copy_text(R, cf_string(s));
		return v->text != NULL;
	default:
		cf_report(R, s, path, "expected a number, true, false or a string, got %s", GOT(s));
		return false;
	}
}

static const struct cf_setting *member(const struct cf_setting *g, const char *name)
{
	return cf_member(g, name);
}

/* A parameter path: a non-empty string without '=' or space. */
static char *read_path(struct cf_reader *R, const struct cf_setting *s, const char *path)
{
	char got[256];
	if (cf_type_of(s) != CF_STRING) {
		cf_report(R, s, path, "expected a setting's path as a string, got %s", GOT(s));
		return NULL;
	}
	const char *text = cf_string(s);
	if (text[0] == '\0' || strpbrk(text, "= \t\n")) {
		cf_report(R, s, path, "expected a setting's path (as --set takes it), got %s",
		       GOT(s));
		return NULL;
	}
	return cf_copy_text(R, text);
}

/* Grid values: `values = [...]`, or `from; to; step` or `from; to; count`. */
static void read_grid_values(struct cf_reader *R, const struct cf_setting *g,
			     const char *path, struct ur_sweep_param_spec *p)
{
	char got[256], sub[300];
	const struct cf_setting *values = member(g, "values");
	const struct cf_setting *from = member(g, "from"), *to = member(g, "to");
	const struct cf_setting *step = member(g, "step"), *count = member(g, "count");
	if (values) {
		snprintf(sub, sizeof sub, "%s.values", path);
		if (from || to || step || count) {
			cf_report(R, g, path, "expected either values or from/to/step (or count), "
			       "got both");
			return;
		}
		if (!cf_is_aggregate(values) || cf_length(values) == 0 ||
		    cf_type_of(values) == CF_GROUP) {
			cf_report(R, values, sub, "expected a non-empty array of values, got %s",
			       GOT(values));
			return;
		}
		size_t n = (size_t)cf_length(values);
		p->values = calloc(n, sizeof *p->values);
		if (!p->values) {
			R->nomem = true;
			return;
		}
		p->nvalues = n;
		for (size_t i = 0; i < n; i++) {
			char item[400];
			snprintf(item, sizeof item, "%s.[%zu]", sub, i);
			read_value(R, cf_elem(values, (unsigned)i), item,
				   &p->values[i]);
		}
		return;
	}
	if (!from || !to || (!step == !count)) {
		char have[64] = "";
		const char *names[4] = {"from", "to", "step", "count"};
		const struct cf_setting *given[4] = {from, to, step, count};
		for (int i = 0; i < 4; i++)
			if (given[i])
				snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s",
					 have[0] ? " and " : "", names[i]);
		cf_report(R, g, path, "expected values = [...], or from, to and step (or count), "
		       "got %s", have[0] ? have : "none of them");
		return;
	}
	bool ok = true;
	const struct cf_setting *nums[3] = {from, to, step ? step : count};
	const char *names[3] = {"from", "to", step ? "step" : "count"};
	for (int i = 0; i < 3; i++) {
		snprintf(sub, sizeof sub, "%s.%s", path, names[i]);
		if (!cf_is_number(nums[i]) || !isfinite(cf_number(nums[i]))) {
			cf_report(R, nums[i], sub, "expected a number, got %s", GOT(nums[i]));
			ok = false;
		}
	}
	if (!ok)
		return;
	double a = cf_number(from), b = cf_number(to);
	bool ints = cf_is_integer(from) && cf_is_integer(to) && (!step || cf_is_integer(step));
	size_t n;
	double h;
	if (step) {
		h = cf_number(step);
		snprintf(sub, sizeof sub, "%s.step", path);
		if (!(h > 0)) {
			cf_report(R, step, sub, "expected a number > 0, got %s", GOT(step));
			return;
		}
		if (b < a) {
			snprintf(sub, sizeof sub, "%s.to", path);
			cf_report(R, to, sub, "expected a number >= from, got %s", GOT(to));
			return;
		}
		/* The tolerance keeps `to` when rounding puts it a hair past the last step. */
		double steps = floor((b - a) / h * (1 + 1e-12) + 1e-9);
		if (steps >= UR_SWEEP_MAX_POINTS) {
			cf_report(R, step, sub, "expected at most %u values, got %.0f", UR_SWEEP_MAX_POINTS,
			       steps + 1);
			return;
		}
		n = (size_t)steps + 1;
	} else {
		snprintf(sub, sizeof sub, "%s.count", path);
		if (!cf_is_integer(count) || cf_integer(count) < 1 ||
		    cf_integer(count) > (int64_t)UR_SWEEP_MAX_POINTS) {
			cf_report(R, count, sub, "expected a whole number from 1 to %u, got %s",
			       UR_SWEEP_MAX_POINTS, GOT(count));
			return;
		}
		n = (size_t)cf_integer(count);
		h = n > 1 ? (b - a) / (double)(n - 1) : 0;
		/* Whole-number ends give whole-number values only when the spacing is. */
		ints = ints && (n == 1 || fmod(b - a, (double)(n - 1)) == 0);
	}
	p->values = calloc(n, sizeof *p->values);
	if (!p->values) {
		R->nomem = true;
		return;
	}
	p->nvalues = n;
	for (size_t i = 0; i < n; i++) {
		struct ur_sweep_value *v = &p->values[i];
		if (ints) {
			v->type = UR_SWEEP_INT;
			v->integer = cf_integer(from) + (int64_t)i * (int64_t)llround(h);
			v->real = (double)v->integer;
		} else {
			v->type = UR_SWEEP_REAL;
			/* From the ends, not by accumulating steps: no drift over many values. */
			v->real = (!step && i == n - 1) ? b : a + (double)i * h;
		}
	}
}

/* lhs/sobol: `path; min; max; integer = true;`. */
static void read_range(struct cf_reader *R, const struct cf_setting *g, const char *path,
		       struct ur_sweep_param_spec *p)
{
	char got[256], sub[300];
	const struct cf_setting *min = member(g, "min"), *max = member(g, "max");
	const struct cf_setting *integer_flag = member(g, "integer");
	if (!min || !max) {
		cf_report(R, g, path, "expected min and max, got %s", min ? "min only" :
		       max ? "max only" : "neither");
		return;
	}
	bool ok = true;
	if (!cf_is_number(min) || !isfinite(cf_number(min))) {
		snprintf(sub, sizeof sub, "%s.min", path);
		cf_report(R, min, sub, "expected a number, got %s", GOT(min));
		ok = false;
	}
	if (!cf_is_number(max) || !isfinite(cf_number(max))) {
		snprintf(sub, sizeof sub, "%s.max", path);
		cf_report(R, max, sub, "expected a number, got %s", GOT(max));
		ok = false;
	}
	if (integer_flag && cf_type_of(integer_flag) != CF_BOOL) {
		snprintf(sub, sizeof sub, "%s.integer", path);
		cf_report(R, integer_flag, sub, "expected true or false, got %s", GOT(integer_flag));
		ok = false;
	}
	if (!ok)
		return;
	p->min = cf_number(min);
	p->max = cf_number(max);
	p->integer = integer_flag && cf_bool(integer_flag);
	if (!(p->max > p->min)) {
		snprintf(sub, sizeof sub, "%s.max", path);
		cf_report(R, max, sub, "expected a number > min, got %s", GOT(max));
	} else if (p->integer && (p->min != floor(p->min) || p->max != floor(p->max))) {
		snprintf(sub, sizeof sub, "%s.min", path);
		cf_report(R, min, sub, "expected whole numbers for an integer range, got %s and %s",
		       GOT(min), cf_describe(max, sub, sizeof sub));
	}
}

/* One parameter group of `parameters` (grid, lhs, sobol). */
static void read_param(struct cf_reader *R, struct ur_sweep_spec *spec,
		       const struct cf_setting *g, const char *path)
{
	char got[256], sub[300];
	struct ur_sweep_param_spec *p = &spec->params[spec->nparams++];
	p->line = (unsigned)cf_line(g);
	if (cf_type_of(g) != CF_GROUP) {
		cf_report(R, g, path, "expected a group { path = ...; ... }, got %s", GOT(g));
		return;
	}
	static const char *const grid_names[] = {"path", "values", "from", "to", "step",
						 "count"};
	static const char *const range_names[] = {"path", "min", "max", "integer"};
	if (spec->design == UR_SWEEP_GRID)
		cf_check_names(R, g, path, grid_names, sizeof grid_names / sizeof *grid_names);
	else
		cf_check_names(R, g, path, range_names, sizeof range_names / sizeof *range_names);
	const struct cf_setting *ps = member(g, "path");
	snprintf(sub, sizeof sub, "%s.path", path);
	if (!ps) {
		cf_report(R, g, sub, "expected a setting's path, got nothing");
		return;
	}
	p->path = read_path(R, ps, sub);
	if (spec->design == UR_SWEEP_GRID)
		read_grid_values(R, g, path, p);
	else
		read_range(R, g, path, p);
}

/* Counts the parameters of a grid's parameter list, zip groups expanded. */
static size_t count_params(const struct cf_setting *list)
{
	size_t n = 0;
	for (int i = 0; i < cf_length(list); i++) {
		const struct cf_setting *g = cf_elem(list, (unsigned)i);
		const struct cf_setting *zip = cf_type_of(g) == CF_GROUP
						      ? member(g, "zip") : NULL;
		n += zip && cf_is_aggregate(zip) ? (size_t)cf_length(zip)
							     : 1;
	}
	return n;
}

static void read_grid(struct cf_reader *R, struct ur_sweep_spec *spec,
		      const struct cf_setting *list)
{
	char got[256], path[64], sub[128];
	size_t n = (size_t)cf_length(list);
	spec->dims = calloc(n, sizeof *spec->dims);
	if (!spec->dims) {
		R->nomem = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cf_setting *g = cf_elem(list, (unsigned)i);
		snprintf(path, sizeof path, "parameters.[%zu]", i);
		const struct cf_setting *zip = cf_type_of(g) == CF_GROUP
						      ? member(g, "zip") : NULL;
		struct ur_sweep_dim_spec *d = &spec->dims[spec->ndims++];
		d->first = spec->nparams;
		if (!zip) {
			read_param(R, spec, g, path);
			d->count = 1;
			continue;
		}
		static const char *const zip_names[] = {"zip"};
		cf_check_names(R, g, path, zip_names, 1);
		snprintf(sub, sizeof sub, "%s.zip", path);
		if (!cf_is_aggregate(zip) || cf_length(zip) == 0 ||
		    cf_type_of(zip) == CF_GROUP) {
			cf_report(R, zip, sub, "expected a non-empty list of parameters, got %s",
			       GOT(zip));
			/* count_params counted one for it: keep the counts in step. */
			spec->nparams++;
			d->count = 1;
			continue;
		}
		d->count = (size_t)cf_length(zip);
		for (size_t k = 0; k < d->count; k++) {
			char item[200];
			snprintf(item, sizeof item, "%s.[%zu]", sub, k);
			read_param(R, spec, cf_elem(zip, (unsigned)k), item);
		}
		size_t len = spec->params[d->first].nvalues;
		for (size_t k = 1; k < d->count && len > 0; k++) {
			const struct ur_sweep_param_spec *p = &spec->params[d->first + k];
			if (p->nvalues > 0 && p->nvalues != len) {
				char item[200];
				snprintf(item, sizeof item, "%s.[%zu]", sub, k);
				cf_report(R, cf_elem(zip, (unsigned)k), item,
				       "expected %zu values, as many as %s.[0], got %zu", len, sub,
				       p->nvalues);
			}
		}
	}
	if (R->bad || R->nomem)
		return;
	double product = 1;
	for (size_t i = 0; i < spec->ndims; i++)
		product *= (double)spec->params[spec->dims[i].first].nvalues;
	if (product > UR_SWEEP_MAX_POINTS)
		cf_report(R, list, "parameters", "expected at most %u points, got %.0f",
		       UR_SWEEP_MAX_POINTS, product);
	else
		spec->npoints = (size_t)product;
}

static void read_list(struct cf_reader *R, struct ur_sweep_spec *spec,
		      const struct cf_setting *params, const struct cf_setting *points)
{
	char got[256], path[64];
	size_t n = (size_t)cf_length(params);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "parameters.[%zu]", i);
		struct ur_sweep_param_spec *p = &spec->params[spec->nparams++];
		const struct cf_setting *s = cf_elem(params, (unsigned)i);
		p->line = (unsigned)cf_line(s);
		p->path = read_path(R, s, path);
	}
	if (!points) {
		cf_report(R, params, "points", "expected a list of points, got nothing");
		return;
	}
	if (!cf_is_list(points) || cf_length(points) == 0) {
		cf_report(R, points, "points", "expected a non-empty list of points ( (...), ... ), "
		       "got %s", GOT(points));
		return;
	}
	size_t np = (size_t)cf_length(points);
	if (np > UR_SWEEP_MAX_POINTS) {
		cf_report(R, points, "points", "expected at most %u points, got %zu",
		       UR_SWEEP_MAX_POINTS, np);
		return;
	}
	spec->list = calloc(np * n, sizeof *spec->list);
	if (!spec->list) {
		R->nomem = true;
		return;
	}
	spec->npoints = np;
	for (size_t i = 0; i < np; i++) {
		const struct cf_setting *pt = cf_elem(points, (unsigned)i);
		snprintf(path, sizeof path, "points.[%zu]", i);
		if (!cf_is_aggregate(pt) || cf_is_group(pt) ||
		    (size_t)cf_length(pt) != n) {
			cf_report(R, pt, path, "expected a list of %zu values, one per parameter, got %s",
			       n, cf_is_aggregate(pt) && !cf_is_group(pt)
					  ? (snprintf(got, sizeof got, "%d",
						      cf_length(pt)), got)
					  : GOT(pt));
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			char item[128];
			snprintf(item, sizeof item, "%s.[%zu]", path, k);
			read_value(R, cf_elem(pt, (unsigned)k), item,
				   &spec->list[i * n + k]);
		}
	}
}

static void read_spec(struct cf_reader *R, struct ur_sweep_spec *spec, struct cf_setting *cfg,
		      const char *path)
{
	char got[256];
	const struct cf_setting *root = cfg;
	static const char *const names[] = {"scenario", "replications", "seed", "seeds",
					    "design", "points", "parameters"};
	cf_check_names(R, root, "", names, sizeof names / sizeof *names);

	const struct cf_setting *s = member(root, "scenario");
	if (!s) {
		cf_report(R, NULL, "scenario", "expected the scenario file's name, got nothing");
	} else if (cf_type_of(s) != CF_STRING ||
		   cf_string(s)[0] == '\0') {
		cf_report(R, s, "scenario", "expected the scenario file's name as a string, got %s",
		       GOT(s));
	} else {
		/* Relative to the sweep file's folder, as a scenario's `base` is. */
		const char *name = cf_string(s);
		const char *slash = strrchr(path, '/');
		size_t dirlen = name[0] != '/' && slash ? (size_t)(slash - path) + 1 : 0;
		spec->scenario = malloc(dirlen + strlen(name) + 1);
		if (!spec->scenario) {
			R->nomem = true;
			return;
		}
		memcpy(spec->scenario, path, dirlen);
		strcpy(spec->scenario + dirlen, name);
	}

	s = member(root, "replications");
	if (s) {
		if (!cf_is_integer(s) || cf_integer(s) < 1 ||
		    cf_integer(s) > (int64_t)UR_RUN_MAX_REPLICATIONS)
			cf_report(R, s, "replications", "expected a whole number from 1 to %u, got %s",
			       UR_RUN_MAX_REPLICATIONS, GOT(s));
		else
			spec->replications = (uint64_t)cf_integer(s);
		spec->has_replications = true;
	}
	s = member(root, "seed");
	if (s) {
		bool ok = false;
		if (cf_is_integer(s) && cf_integer(s) >= 0) {
			spec->seed = (uint64_t)cf_integer(s);
			ok = true;
		} else if (cf_type_of(s) == CF_STRING) {
			ok = ur_rng_seed_parse(cf_string(s), &spec->seed) == 0 &&
			     spec->seed <= (uint64_t)UR_MAX_SEED;
		}
		if (!ok)
			cf_report(R, s, "seed", "expected a whole number from 0 to %" PRId64
			       " (or a \"0x\" hex string), got %s", (int64_t)UR_MAX_SEED, GOT(s));
		spec->has_seed = true;
	}

	s = member(root, "seeds");
	if (s) {
		const char *v = cf_type_of(s) == CF_STRING ? cf_string(s) : "";
		if (strcmp(v, "independent") == 0)
			spec->independent_seeds = true;
		else if (strcmp(v, "common") != 0)
			cf_report(R, s, "seeds", "expected \"common\" or \"independent\", got %s",
			       GOT(s));
	}

	static const char *const designs[] = {"grid", "lhs", "sobol", "list"};
	s = member(root, "design");
	bool design_ok = false;
	if (!s) {
		cf_report(R, NULL, "design", "expected \"grid\", \"lhs\", \"sobol\" or \"list\", "
		       "got nothing");
	} else {
		for (int i = 0; i < 4 && cf_type_of(s) == CF_STRING; i++)
			if (strcmp(cf_string(s), designs[i]) == 0) {
				spec->design = (enum ur_sweep_design)i;
				design_ok = true;
			}
		if (!design_ok)
			cf_report(R, s, "design", "expected \"grid\", \"lhs\", \"sobol\" or \"list\", "
			       "got %s", GOT(s));
	}

	const struct cf_setting *points = member(root, "points");
	const struct cf_setting *params = member(root, "parameters");
	if (!design_ok)
		return;
	if (spec->design == UR_SWEEP_LHS || spec->design == UR_SWEEP_SOBOL) {
		if (!points)
			cf_report(R, NULL, "points", "expected the number of points, got nothing");
		else if (!cf_is_integer(points) || cf_integer(points) < 1 ||
			 cf_integer(points) > (int64_t)UR_SWEEP_MAX_POINTS)
			cf_report(R, points, "points", "expected a whole number from 1 to %u, got %s",
			       UR_SWEEP_MAX_POINTS, GOT(points));
		else
			spec->npoints = (size_t)cf_integer(points);
	} else if (points && spec->design == UR_SWEEP_GRID) {
		cf_report(R, points, "points", "expected no points in a grid design (the grid "
		       "makes them), got %s", GOT(points));
	}
	if (!params) {
		cf_report(R, NULL, "parameters", "expected the parameters to vary, got nothing");
		return;
	}
	bool list_design = spec->design == UR_SWEEP_LIST;
	if (list_design ? (cf_type_of(params) != CF_ARRAY ||
			   cf_length(params) == 0)
			: (!cf_is_list(params) || cf_length(params) == 0)) {
		cf_report(R, params, "parameters", list_design
		       ? "expected a non-empty array of paths [ \"a.b\", ... ], got %s"
		       : "expected a non-empty list of parameter groups ( { path = ...; }, ... ), "
			 "got %s", GOT(params));
		return;
	}
	size_t n = spec->design == UR_SWEEP_GRID ? count_params(params)
						 : (size_t)cf_length(params);
	if (n > UR_SWEEP_MAX_PARAMS) {
		cf_report(R, params, "parameters", "expected at most %u parameters, got %zu",
		       UR_SWEEP_MAX_PARAMS, n);
		return;
	}
	spec->params = calloc(n, sizeof *spec->params);
	if (!spec->params) {
		R->nomem = true;
		return;
	}
	if (spec->design == UR_SWEEP_GRID) {
		read_grid(R, spec, params);
	} else if (list_design) {
		read_list(R, spec, params, points);
	} else {
		for (size_t i = 0; i < n; i++) {
			char path_i[64];
			snprintf(path_i, sizeof path_i, "parameters.[%zu]", i);
			read_param(R, spec, cf_elem(params, (unsigned)i), path_i);
		}
	}
	/* A path given twice would make a point's later --set silently win. */
	for (size_t i = 0; i < spec->nparams; i++)
		for (size_t k = 0; k < i; k++)
			if (spec->params[i].path && spec->params[k].path &&
			    strcmp(spec->params[i].path, spec->params[k].path) == 0) {
				char text[512];
				snprintf(text, sizeof text, "%s:%u: parameters.[%zu]: expected each "
					 "path once, got \"%.200s\" again", R->file,
					 spec->params[i].line, i, spec->params[i].path);
				cf_reader_add(R, text);
			}
}

static void values_free(struct ur_sweep_value *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

void ur_sweep_spec_destroy(struct ur_sweep_spec *spec)
{
	if (!spec)
		return;
	for (size_t i = 0; i < spec->nparams; i++) {
		free(spec->params[i].path);
		values_free(spec->params[i].values, spec->params[i].nvalues);
	}
	if (spec->list)
		values_free(spec->list, spec->npoints * spec->nparams);
	free(spec->params);
	free(spec->dims);
	free(spec->scenario);
	free(spec->file);
	free(spec);
}


struct ur_sweep_spec *ur_sweep_spec_read(const char *path, struct ur_diag *diag,
					 enum ur_scenario_status *status)
{
	assert(path && diag && status);
	struct cf_reader R = {.file = path, .diag = diag};
	struct ur_sweep_spec *spec = NULL;
	int st = 0;
	struct cf_setting *cfg = cf_reader_parse(&R, "@include is not supported in a sweep "
						 "file", &st);
	*status = (enum ur_scenario_status)st;
	if (!cfg)
		goto cleanup;
	spec = calloc(1, sizeof *spec);
	if (!spec || !(spec->file = strdup(path))) {
		R.nomem = true;
	} else {
		read_spec(&R, spec, cfg, path);
	}
	*status = (enum ur_scenario_status)cf_reader_status(&R, 0, "sweep file");
	if (*status != UR_SCENARIO_OK) {
		ur_sweep_spec_destroy(spec);
		spec = NULL;
	}
cleanup:
	cf_free(cfg);
	return spec;
}


int ur_sweep_diag_add(struct ur_diag *diag, const char *text)
{
	return ur_diag_add(diag, text);
}
