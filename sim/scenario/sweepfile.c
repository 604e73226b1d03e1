/*
 * sweepfile.c: reading sweep files and manifests (sweep.h). They are libconfig text,
 * and this module is the only one that includes libconfig.h; the sweep driver
 * (sim/sweep) gets plain structs. Every mistake is reported, in the scenario module's
 * form `FILE:LINE: PATH: expected ..., got ...`, before any is acted on.
 */
#include "unrest/sweep.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "internal.h"
#include "schema.h"
#include "unrest/rng.h"

struct reader {
	const char *file;
	struct ur_diag *diag;
	bool bad, nomem;
};

/* Every message of the reader goes through here: counted, kept up to the limit. */
static void add_message(struct reader *R, const char *text)
{
	R->bad = true;
	R->diag->total++;
	if (R->diag->count < R->diag->limit && sc_diag_add(R->diag, text) != 0)
		R->nomem = true;
}

__attribute__((format(printf, 4, 5)))
static void report(struct reader *R, const config_setting_t *where, const char *path,
		   const char *fmt, ...)
{
	char text[768];
	int n = snprintf(text, sizeof text, "%s:%u: %s: ", R->file,
			 where ? (unsigned)config_setting_source_line(where) : 1u, path);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof text)
		vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
	va_end(ap);
	add_message(R, text);
}

/* What a setting is, for "got ...". */
static const char *describe(const config_setting_t *s, char *buf, size_t size)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		snprintf(buf, size, "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		snprintf(buf, size, "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT: {
		char r[SC_REAL_TEXT_SIZE];
		snprintf(buf, size, "%s", sc_format_real(config_setting_get_float(s), true, r));
		break;
	}
	case CONFIG_TYPE_BOOL:
		snprintf(buf, size, "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		snprintf(buf, size, "\"%.200s\"", config_setting_get_string(s));
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, size, "a group");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, size, "an array");
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, size, "a list");
		break;
	default:
		snprintf(buf, size, "nothing");
		break;
	}
	return buf;
}

#define GOT(s) describe((s), got, sizeof got)

static bool is_number(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static bool is_integer(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

/* libconfig's getters return 0 for a setting of another numeric type. */
static double number(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT: return config_setting_get_int(s);
	case CONFIG_TYPE_INT64: return (double)config_setting_get_int64(s);
	default: return config_setting_get_float(s);
	}
}

static int64_t integer(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ? config_setting_get_int(s)
							  : config_setting_get_int64(s);
}

static char *copy_text(struct reader *R, const char *text)
{
	char *c = strdup(text);
	if (!c)
		R->nomem = true;
	return c;
}

/* Reports the settings of group `g` (at `path`, "" for the root) not in names. */
static void check_names(struct reader *R, const config_setting_t *g, const char *path,
			const char *const *names, size_t n)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		bool known = false;
		const char *best = NULL;
		size_t best_d = 3;
		for (size_t k = 0; k < n && !known; k++) {
			known = strcmp(name, names[k]) == 0;
			size_t d = sc_edit_distance(name, names[k], 2);
			if (d < best_d) {
				best_d = d;
				best = names[k];
			}
		}
		if (known)
			continue;
		char full[256];
		snprintf(full, sizeof full, "%s%s%s", path, path[0] ? "." : "", name);
		if (best)
			report(R, s, full, "unknown setting (did you mean \"%s\"?)", best);
		else
			report(R, s, full, "unknown setting");
	}
}

/* A scalar of the file as a value; false (reported) for a group, list or array. */
static bool read_value(struct reader *R, const config_setting_t *s, const char *path,
		       struct ur_sweep_value *v)
{
	char got[256];
	*v = (struct ur_sweep_value){0};
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v->type = UR_SWEEP_INT;
		v->integer = integer(s);
		v->real = (double)v->integer;
		return true;
	case CONFIG_TYPE_FLOAT:
		v->type = UR_SWEEP_REAL;
		v->real = config_setting_get_float(s);
		if (!isfinite(v->real)) {
			report(R, s, path, "expected a finite number, got %s", GOT(s));
			return false;
		}
		return true;
	case CONFIG_TYPE_BOOL:
		v->type = UR_SWEEP_BOOL;
		v->boolean = config_setting_get_bool(s);
		return true;
	case CONFIG_TYPE_STRING:
		v->type = UR_SWEEP_TEXT;
		v->text = copy_text(R, config_setting_get_string(s));
		return v->text != NULL;
	default:
		report(R, s, path, "expected a number, true, false or a string, got %s", GOT(s));
		return false;
	}
}

static const config_setting_t *member(const config_setting_t *g, const char *name)
{
	return config_setting_get_member(g, name);
}

/* A parameter path: a non-empty string without '=' or space. */
static char *read_path(struct reader *R, const config_setting_t *s, const char *path)
{
	char got[256];
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(R, s, path, "expected a setting's path as a string, got %s", GOT(s));
		return NULL;
	}
	const char *text = config_setting_get_string(s);
	if (text[0] == '\0' || strpbrk(text, "= \t\n")) {
		report(R, s, path, "expected a setting's path (as --set takes it), got %s",
		       GOT(s));
		return NULL;
	}
	return copy_text(R, text);
}

/* Grid values: `values = [...]`, or `from; to; step` or `from; to; count`. */
static void read_grid_values(struct reader *R, const config_setting_t *g,
			     const char *path, struct ur_sweep_param_spec *p)
{
	char got[256], sub[300];
	const config_setting_t *values = member(g, "values");
	const config_setting_t *from = member(g, "from"), *to = member(g, "to");
	const config_setting_t *step = member(g, "step"), *count = member(g, "count");
	if (values) {
		snprintf(sub, sizeof sub, "%s.values", path);
		if (from || to || step || count) {
			report(R, g, path, "expected either values or from/to/step (or count), "
			       "got both");
			return;
		}
		if (!config_setting_is_aggregate(values) || config_setting_length(values) == 0 ||
		    config_setting_type(values) == CONFIG_TYPE_GROUP) {
			report(R, values, sub, "expected a non-empty array of values, got %s",
			       GOT(values));
			return;
		}
		size_t n = (size_t)config_setting_length(values);
		p->values = calloc(n, sizeof *p->values);
		if (!p->values) {
			R->nomem = true;
			return;
		}
		p->nvalues = n;
		for (size_t i = 0; i < n; i++) {
			char item[400];
			snprintf(item, sizeof item, "%s.[%zu]", sub, i);
			read_value(R, config_setting_get_elem(values, (unsigned)i), item,
				   &p->values[i]);
		}
		return;
	}
	if (!from || !to || (!step == !count)) {
		char have[64] = "";
		const char *names[4] = {"from", "to", "step", "count"};
		const config_setting_t *given[4] = {from, to, step, count};
		for (int i = 0; i < 4; i++)
			if (given[i])
				snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s",
					 have[0] ? " and " : "", names[i]);
		report(R, g, path, "expected values = [...], or from, to and step (or count), "
		       "got %s", have[0] ? have : "none of them");
		return;
	}
	bool ok = true;
	const config_setting_t *nums[3] = {from, to, step ? step : count};
	const char *names[3] = {"from", "to", step ? "step" : "count"};
	for (int i = 0; i < 3; i++) {
		snprintf(sub, sizeof sub, "%s.%s", path, names[i]);
		if (!is_number(nums[i]) || !isfinite(number(nums[i]))) {
			report(R, nums[i], sub, "expected a number, got %s", GOT(nums[i]));
			ok = false;
		}
	}
	if (!ok)
		return;
	double a = number(from), b = number(to);
	bool ints = is_integer(from) && is_integer(to) && (!step || is_integer(step));
	size_t n;
	double h;
	if (step) {
		h = number(step);
		snprintf(sub, sizeof sub, "%s.step", path);
		if (!(h > 0)) {
			report(R, step, sub, "expected a number > 0, got %s", GOT(step));
			return;
		}
		if (b < a) {
			snprintf(sub, sizeof sub, "%s.to", path);
			report(R, to, sub, "expected a number >= from, got %s", GOT(to));
			return;
		}
		/* The tolerance keeps `to` when rounding puts it a hair past the last step. */
		double steps = floor((b - a) / h * (1 + 1e-12) + 1e-9);
		if (steps >= UR_SWEEP_MAX_POINTS) {
			report(R, step, sub, "expected at most %u values, got %.0f", UR_SWEEP_MAX_POINTS,
			       steps + 1);
			return;
		}
		n = (size_t)steps + 1;
	} else {
		snprintf(sub, sizeof sub, "%s.count", path);
		if (!is_integer(count) || integer(count) < 1 ||
		    integer(count) > (int64_t)UR_SWEEP_MAX_POINTS) {
			report(R, count, sub, "expected a whole number from 1 to %u, got %s",
			       UR_SWEEP_MAX_POINTS, GOT(count));
			return;
		}
		n = (size_t)integer(count);
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
			v->integer = integer(from) + (int64_t)i * (int64_t)llround(h);
			v->real = (double)v->integer;
		} else {
			v->type = UR_SWEEP_REAL;
			/* From the ends, not by accumulating steps: no drift over many values. */
			v->real = (!step && i == n - 1) ? b : a + (double)i * h;
		}
	}
}

/* lhs/sobol: `path; min; max; integer = true;`. */
static void read_range(struct reader *R, const config_setting_t *g, const char *path,
		       struct ur_sweep_param_spec *p)
{
	char got[256], sub[300];
	const config_setting_t *min = member(g, "min"), *max = member(g, "max");
	const config_setting_t *integer_flag = member(g, "integer");
	if (!min || !max) {
		report(R, g, path, "expected min and max, got %s", min ? "min only" :
		       max ? "max only" : "neither");
		return;
	}
	bool ok = true;
	if (!is_number(min) || !isfinite(number(min))) {
		snprintf(sub, sizeof sub, "%s.min", path);
		report(R, min, sub, "expected a number, got %s", GOT(min));
		ok = false;
	}
	if (!is_number(max) || !isfinite(number(max))) {
		snprintf(sub, sizeof sub, "%s.max", path);
		report(R, max, sub, "expected a number, got %s", GOT(max));
		ok = false;
	}
	if (integer_flag && config_setting_type(integer_flag) != CONFIG_TYPE_BOOL) {
		snprintf(sub, sizeof sub, "%s.integer", path);
		report(R, integer_flag, sub, "expected true or false, got %s", GOT(integer_flag));
		ok = false;
	}
	if (!ok)
		return;
	p->min = number(min);
	p->max = number(max);
	p->integer = integer_flag && config_setting_get_bool(integer_flag);
	if (!(p->max > p->min)) {
		snprintf(sub, sizeof sub, "%s.max", path);
		report(R, max, sub, "expected a number > min, got %s", GOT(max));
	} else if (p->integer && (p->min != floor(p->min) || p->max != floor(p->max))) {
		snprintf(sub, sizeof sub, "%s.min", path);
		report(R, min, sub, "expected whole numbers for an integer range, got %s and %s",
		       GOT(min), describe(max, sub, sizeof sub));
	}
}

/* One parameter group of `parameters` (grid, lhs, sobol). */
static void read_param(struct reader *R, struct ur_sweep_spec *spec,
		       const config_setting_t *g, const char *path)
{
	char got[256], sub[300];
	struct ur_sweep_param_spec *p = &spec->params[spec->nparams++];
	p->line = (unsigned)config_setting_source_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		report(R, g, path, "expected a group { path = ...; ... }, got %s", GOT(g));
		return;
	}
	static const char *const grid_names[] = {"path", "values", "from", "to", "step",
						 "count"};
	static const char *const range_names[] = {"path", "min", "max", "integer"};
	if (spec->design == UR_SWEEP_GRID)
		check_names(R, g, path, grid_names, sizeof grid_names / sizeof *grid_names);
	else
		check_names(R, g, path, range_names, sizeof range_names / sizeof *range_names);
	const config_setting_t *ps = member(g, "path");
	snprintf(sub, sizeof sub, "%s.path", path);
	if (!ps) {
		report(R, g, sub, "expected a setting's path, got nothing");
		return;
	}
	p->path = read_path(R, ps, sub);
	if (spec->design == UR_SWEEP_GRID)
		read_grid_values(R, g, path, p);
	else
		read_range(R, g, path, p);
}

/* Counts the parameters of a grid's parameter list, zip groups expanded. */
static size_t count_params(const config_setting_t *list)
{
	size_t n = 0;
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *zip = config_setting_type(g) == CONFIG_TYPE_GROUP
						      ? member(g, "zip") : NULL;
		n += zip && config_setting_is_aggregate(zip) ? (size_t)config_setting_length(zip)
							     : 1;
	}
	return n;
}

static void read_grid(struct reader *R, struct ur_sweep_spec *spec,
		      const config_setting_t *list)
{
	char got[256], path[64], sub[128];
	size_t n = (size_t)config_setting_length(list);
	spec->dims = calloc(n, sizeof *spec->dims);
	if (!spec->dims) {
		R->nomem = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		snprintf(path, sizeof path, "parameters.[%zu]", i);
		const config_setting_t *zip = config_setting_type(g) == CONFIG_TYPE_GROUP
						      ? member(g, "zip") : NULL;
		struct ur_sweep_dim_spec *d = &spec->dims[spec->ndims++];
		d->first = spec->nparams;
		if (!zip) {
			read_param(R, spec, g, path);
			d->count = 1;
			continue;
		}
		static const char *const zip_names[] = {"zip"};
		check_names(R, g, path, zip_names, 1);
		snprintf(sub, sizeof sub, "%s.zip", path);
		if (!config_setting_is_aggregate(zip) || config_setting_length(zip) == 0 ||
		    config_setting_type(zip) == CONFIG_TYPE_GROUP) {
			report(R, zip, sub, "expected a non-empty list of parameters, got %s",
			       GOT(zip));
			/* count_params counted one for it: keep the counts in step. */
			spec->nparams++;
			d->count = 1;
			continue;
		}
		d->count = (size_t)config_setting_length(zip);
		for (size_t k = 0; k < d->count; k++) {
			char item[200];
			snprintf(item, sizeof item, "%s.[%zu]", sub, k);
			read_param(R, spec, config_setting_get_elem(zip, (unsigned)k), item);
		}
		size_t len = spec->params[d->first].nvalues;
		for (size_t k = 1; k < d->count && len > 0; k++) {
			const struct ur_sweep_param_spec *p = &spec->params[d->first + k];
			if (p->nvalues > 0 && p->nvalues != len) {
				char item[200];
				snprintf(item, sizeof item, "%s.[%zu]", sub, k);
				report(R, config_setting_get_elem(zip, (unsigned)k), item,
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
		report(R, list, "parameters", "expected at most %u points, got %.0f",
		       UR_SWEEP_MAX_POINTS, product);
	else
		spec->npoints = (size_t)product;
}

static void read_list(struct reader *R, struct ur_sweep_spec *spec,
		      const config_setting_t *params, const config_setting_t *points)
{
	char got[256], path[64];
	size_t n = (size_t)config_setting_length(params);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "parameters.[%zu]", i);
		struct ur_sweep_param_spec *p = &spec->params[spec->nparams++];
		const config_setting_t *s = config_setting_get_elem(params, (unsigned)i);
		p->line = (unsigned)config_setting_source_line(s);
		p->path = read_path(R, s, path);
	}
	if (!points) {
		report(R, params, "points", "expected a list of points, got nothing");
		return;
	}
	if (!config_setting_is_list(points) || config_setting_length(points) == 0) {
		report(R, points, "points", "expected a non-empty list of points ( (...), ... ), "
		       "got %s", GOT(points));
		return;
	}
	size_t np = (size_t)config_setting_length(points);
	if (np > UR_SWEEP_MAX_POINTS) {
		report(R, points, "points", "expected at most %u points, got %zu",
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
		const config_setting_t *pt = config_setting_get_elem(points, (unsigned)i);
		snprintf(path, sizeof path, "points.[%zu]", i);
		if (!config_setting_is_aggregate(pt) || config_setting_is_group(pt) ||
		    (size_t)config_setting_length(pt) != n) {
			report(R, pt, path, "expected a list of %zu values, one per parameter, got %s",
			       n, config_setting_is_aggregate(pt) && !config_setting_is_group(pt)
					  ? (snprintf(got, sizeof got, "%d",
						      config_setting_length(pt)), got)
					  : GOT(pt));
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			char item[128];
			snprintf(item, sizeof item, "%s.[%zu]", path, k);
			read_value(R, config_setting_get_elem(pt, (unsigned)k), item,
				   &spec->list[i * n + k]);
		}
	}
}

static void read_spec(struct reader *R, struct ur_sweep_spec *spec, config_t *cfg,
		      const char *path)
{
	char got[256];
	const config_setting_t *root = config_root_setting(cfg);
	static const char *const names[] = {"scenario", "replications", "seed", "design",
					    "points", "parameters"};
	check_names(R, root, "", names, sizeof names / sizeof *names);

	const config_setting_t *s = member(root, "scenario");
	if (!s) {
		report(R, NULL, "scenario", "expected the scenario file's name, got nothing");
	} else if (config_setting_type(s) != CONFIG_TYPE_STRING ||
		   config_setting_get_string(s)[0] == '\0') {
		report(R, s, "scenario", "expected the scenario file's name as a string, got %s",
		       GOT(s));
	} else {
		/* Relative to the sweep file's folder, as a scenario's `base` is. */
		const char *name = config_setting_get_string(s);
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
		if (!is_integer(s) || integer(s) < 1 ||
		    integer(s) > (int64_t)UR_RUN_MAX_REPLICATIONS)
			report(R, s, "replications", "expected a whole number from 1 to %u, got %s",
			       UR_RUN_MAX_REPLICATIONS, GOT(s));
		else
			spec->replications = (uint64_t)integer(s);
		spec->has_replications = true;
	}
	s = member(root, "seed");
	if (s) {
		bool ok = false;
		if (is_integer(s) && integer(s) >= 0) {
			spec->seed = (uint64_t)integer(s);
			ok = true;
		} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
			ok = ur_rng_seed_parse(config_setting_get_string(s), &spec->seed) == 0 &&
			     spec->seed <= (uint64_t)INT64_MAX;
		}
		if (!ok)
			report(R, s, "seed", "expected a whole number from 0 to %" PRId64
			       " (or a \"0x\" hex string), got %s", INT64_MAX, GOT(s));
		spec->has_seed = true;
	}

	static const char *const designs[] = {"grid", "lhs", "sobol", "list"};
	s = member(root, "design");
	bool design_ok = false;
	if (!s) {
		report(R, NULL, "design", "expected \"grid\", \"lhs\", \"sobol\" or \"list\", "
		       "got nothing");
	} else {
		for (int i = 0; i < 4 && config_setting_type(s) == CONFIG_TYPE_STRING; i++)
			if (strcmp(config_setting_get_string(s), designs[i]) == 0) {
				spec->design = (enum ur_sweep_design)i;
				design_ok = true;
			}
		if (!design_ok)
			report(R, s, "design", "expected \"grid\", \"lhs\", \"sobol\" or \"list\", "
			       "got %s", GOT(s));
	}

	const config_setting_t *points = member(root, "points");
	const config_setting_t *params = member(root, "parameters");
	if (!design_ok)
		return;
	if (spec->design == UR_SWEEP_LHS || spec->design == UR_SWEEP_SOBOL) {
		if (!points)
			report(R, NULL, "points", "expected the number of points, got nothing");
		else if (!is_integer(points) || integer(points) < 1 ||
			 integer(points) > (int64_t)UR_SWEEP_MAX_POINTS)
			report(R, points, "points", "expected a whole number from 1 to %u, got %s",
			       UR_SWEEP_MAX_POINTS, GOT(points));
		else
			spec->npoints = (size_t)integer(points);
	} else if (points && spec->design == UR_SWEEP_GRID) {
		report(R, points, "points", "expected no points in a grid design (the grid "
		       "makes them), got %s", GOT(points));
	}
	if (!params) {
		report(R, NULL, "parameters", "expected the parameters to vary, got nothing");
		return;
	}
	bool list_design = spec->design == UR_SWEEP_LIST;
	if (list_design ? (config_setting_type(params) != CONFIG_TYPE_ARRAY ||
			   config_setting_length(params) == 0)
			: (!config_setting_is_list(params) || config_setting_length(params) == 0)) {
		report(R, params, "parameters", list_design
		       ? "expected a non-empty array of paths [ \"a.b\", ... ], got %s"
		       : "expected a non-empty list of parameter groups ( { path = ...; }, ... ), "
			 "got %s", GOT(params));
		return;
	}
	size_t n = spec->design == UR_SWEEP_GRID ? count_params(params)
						 : (size_t)config_setting_length(params);
	if (n > UR_SWEEP_MAX_PARAMS) {
		report(R, params, "parameters", "expected at most %u parameters, got %zu",
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
			read_param(R, spec, config_setting_get_elem(params, (unsigned)i), path_i);
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
				add_message(R, text);
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

/* Reports a problem with the text itself at `line`. */
static void report_line(struct reader *R, unsigned line, const char *what)
{
	char text[768];
	snprintf(text, sizeof text, "%s:%u: %s", R->file, line, what);
	add_message(R, text);
}

/*
 * The file's text, read as the scenario loader reads a scenario (text.c): at most
 * SC_MAX_FILE_BYTES, a byte-order mark dropped, and NUL or control bytes, bad UTF-8,
 * @include and integer literals that libconfig 1.5 would silently wrap (it keeps the
 * low 32 bits of 3000000000) refused with their line. The scenario loader gives such a
 * literal its true value by hooking it to its setting; a sweep file has few integers,
 * so it asks for the L suffix instead. NULL with *status when the file is missing or
 * its text is refused.
 */
static char *read_text(struct reader *R, enum ur_scenario_status *status)
{
	char message[900];
	char what[256];
	char *text = NULL;
	struct stat st;
	int err = 0;
	FILE *f = fopen(R->file, "rb");
	if (!f)
		err = errno;
	else if (fstat(fileno(f), &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	/* Said as the scenario loader says them: "FILE: cannot open: ...", and the size
	 * of a regular file before it is read. */
	if (err || (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > SC_MAX_FILE_BYTES)) {
		if (err)
			snprintf(message, sizeof message, "%s: cannot open: %s", R->file,
				 strerror(err));
		else
			snprintf(message, sizeof message, "%s: must be at most %u bytes, got %jd",
				 R->file, SC_MAX_FILE_BYTES, (intmax_t)st.st_size);
		add_message(R, message);
		*status = err ? UR_SCENARIO_MISSING : UR_SCENARIO_BAD_INPUT;
		if (f)
			fclose(f);
		return NULL;
	}
	*status = UR_SCENARIO_BAD_INPUT;
	size_t cap = 4096, n = 0;
	text = malloc(cap);
	while (text && n <= SC_MAX_FILE_BYTES) {
		if (cap - n < 3) { /* room for sc_tidy_text's line end and NUL */
			char *bigger = realloc(text, 2 * cap);
			if (!bigger) {
				free(text);
				text = NULL;
				break;
			}
			text = bigger;
			cap *= 2;
		}
		size_t got = fread(text + n, 1, cap - n - 2, f);
		n += got;
		if (got == 0)
			break;
	}
	if (!text) {
		R->nomem = true;
		*status = UR_SCENARIO_NOMEM;
		fclose(f);
		return NULL;
	}
	if (n > SC_MAX_FILE_BYTES) {
		snprintf(what, sizeof what, "must be at most %u bytes, got more",
			 SC_MAX_FILE_BYTES);
		report_line(R, 1, what);
		fclose(f);
		free(text);
		return NULL;
	}
	if (ferror(f)) {
		snprintf(what, sizeof what, "cannot read: %s", strerror(errno));
		report_line(R, 1, what);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	n = sc_tidy_text(text, n);

	struct sc_text_scan scan;
	if (sc_scan_text(text, n, &scan) != 0) {
		R->nomem = true;
		*status = UR_SCENARIO_NOMEM;
		free(text);
		return NULL;
	}
	switch (scan.problem) {
	case SC_TEXT_OK:
		break;
	case SC_TEXT_BINARY:
		snprintf(what, sizeof what, "must be text, got byte 0x%02X", scan.problem_byte);
		report_line(R, scan.problem_line, what);
		break;
	case SC_TEXT_ENCODING:
		snprintf(what, sizeof what, "must be UTF-8 text, got byte 0x%02X",
			 scan.problem_byte);
		report_line(R, scan.problem_line, what);
		break;
	case SC_TEXT_INCLUDE:
		report_line(R, scan.problem_line, "@include is not supported in a sweep file");
		break;
	}
	for (size_t i = 0; scan.problem == SC_TEXT_OK && i < scan.nwide; i++) {
		const struct sc_int_literal *w = &scan.wide[i];
		if (w->is64 && sc_int_literal_fits(w->text, true))
			continue; /* libconfig reads it whole */
		if (!w->is64 && sc_int_literal_fits(w->text, true))
			snprintf(what, sizeof what, "expected an integer within 32 bits, or with "
				 "the L suffix (%.40sL), got %.40s", w->text, w->text);
		else
			snprintf(what, sizeof what, "expected an integer within 64 bits, got %.40s",
				 w->text);
		report_line(R, w->line, what);
	}
	sc_scan_finish(&scan);
	if (R->bad || R->nomem) {
		if (R->nomem)
			*status = UR_SCENARIO_NOMEM;
		free(text);
		return NULL;
	}
	*status = UR_SCENARIO_OK;
	return text;
}

/* Reads R->file's text (read_text) and parses it into cfg; false with *status and
 * the message (libconfig's syntax error at its line) when it cannot. */
static bool parse_file(struct reader *R, config_t *cfg, enum ur_scenario_status *status)
{
	char *text = read_text(R, status);
	if (!text)
		return false;
	int parsed = config_read_string(cfg, text);
	free(text);
	if (!parsed) {
		report_line(R, (unsigned)config_error_line(cfg),
			    config_error_text(cfg) ? config_error_text(cfg) : "syntax error");
		*status = R->nomem ? UR_SCENARIO_NOMEM : UR_SCENARIO_BAD_INPUT;
	}
	return parsed;
}

struct ur_sweep_spec *ur_sweep_spec_read(const char *path, struct ur_diag *diag,
					 enum ur_scenario_status *status)
{
	assert(path && diag && status);
	struct reader R = {.file = path, .diag = diag};
	struct ur_sweep_spec *spec = NULL;
	config_t cfg;
	config_init(&cfg);
	if (!parse_file(&R, &cfg, status))
		goto cleanup;
	spec = calloc(1, sizeof *spec);
	if (!spec || !(spec->file = strdup(path))) {
		R.nomem = true;
	} else {
		read_spec(&R, spec, &cfg, path);
	}
	if (R.nomem) {
		*status = UR_SCENARIO_NOMEM;
		sc_diag_add(diag, "out of memory while reading the sweep file");
	} else {
		*status = R.bad ? UR_SCENARIO_BAD_INPUT : UR_SCENARIO_OK;
	}
	if (*status != UR_SCENARIO_OK) {
		ur_sweep_spec_destroy(spec);
		spec = NULL;
	}
cleanup:
	config_destroy(&cfg);
	return spec;
}

/* ---- manifests ----------------------------------------------------------------------- */

void ur_sweep_manifest_destroy(struct ur_sweep_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nunits; i++)
		free(m->units[i].reason);
	free(m->units);
	free(m->command);
	free(m->scenario);
	free(m);
}

static bool manifest_seed(const config_setting_t *g, const char *name, uint64_t *seed)
{
	const char *text = NULL;
	return config_setting_lookup_string(g, name, &text) == CONFIG_TRUE &&
	       ur_rng_seed_parse(text, seed) == 0;
}

struct ur_sweep_manifest *ur_sweep_manifest_read(const char *path, struct ur_diag *diag,
						 enum ur_scenario_status *status)
{
	assert(path && diag && status);
	struct reader R = {.file = path, .diag = diag};
	struct ur_sweep_manifest *m = NULL;
	config_t cfg;
	config_init(&cfg);
	if (!parse_file(&R, &cfg, status))
		goto cleanup;
	*status = UR_SCENARIO_BAD_INPUT;
	const config_setting_t *root = config_root_setting(&cfg);
	m = calloc(1, sizeof *m);
	if (!m) {
		*status = UR_SCENARIO_NOMEM;
		goto cleanup;
	}
	const char *text;
	if (config_setting_lookup_string(root, "command", &text) != CONFIG_TRUE ||
	    !(m->command = strdup(text)) ||
	    config_setting_lookup_string(root, "scenario", &text) != CONFIG_TRUE ||
	    !(m->scenario = strdup(text)) ||
	    !manifest_seed(root, "scenario_hash", &m->scenario_hash) ||
	    !manifest_seed(root, "master_seed", &m->master_seed)) {
		report(&R, NULL, "manifest", "expected command, scenario, scenario_hash and "
		       "master_seed, got a file without them");
		goto cleanup;
	}
	const config_setting_t *units = member(root, "units");
	if (!units || !config_setting_is_list(units)) {
		report(&R, units, "units", "expected a list of units, got none");
		goto cleanup;
	}
	size_t n = (size_t)config_setting_length(units);
	m->units = calloc(n ? n : 1, sizeof *m->units);
	if (!m->units) {
		*status = UR_SCENARIO_NOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *u = config_setting_get_elem(units, (unsigned)i);
		struct ur_sweep_manifest_unit *mu = &m->units[m->nunits++];
		const config_setting_t *point = member(u, "point");
		const config_setting_t *rep = member(u, "replication");
		const char *st = NULL;
		char where[64];
		snprintf(where, sizeof where, "units.[%zu]", i);
		if (!point || !is_integer(point) || integer(point) < 0 || !rep ||
		    !is_integer(rep) || integer(rep) < 0 || !manifest_seed(u, "seed", &mu->seed) ||
		    config_setting_lookup_string(u, "status", &st) != CONFIG_TRUE ||
		    (strcmp(st, "done") != 0 && strcmp(st, "failed") != 0)) {
			report(&R, u, where, "expected a sweep unit { point; replication; seed; "
			       "status = \"done\" or \"failed\"; }, got another group");
			goto cleanup;
		}
		mu->point = (long)integer(point);
		mu->replication = (uint64_t)integer(rep);
		mu->failed = strcmp(st, "failed") == 0;
		if (mu->failed) {
			const char *why = "unknown";
			config_setting_lookup_string(u, "reason", &why);
			if (!(mu->reason = strdup(why))) {
				*status = UR_SCENARIO_NOMEM;
				goto cleanup;
			}
		}
	}
	*status = UR_SCENARIO_OK;
cleanup:
	config_destroy(&cfg);
	if (*status != UR_SCENARIO_OK) {
		ur_sweep_manifest_destroy(m);
		m = NULL;
	}
	return m;
}

int ur_sweep_diag_add(struct ur_diag *diag, const char *text)
{
	assert(diag && text);
	diag->total++;
	return diag->count < diag->limit ? sc_diag_add(diag, text) : 0;
}
