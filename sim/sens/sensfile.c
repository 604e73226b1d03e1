/*
 * sensfile.c: reading sensitivity files (sens.h, ur_sens_spec_read). The file is
 * libconfig text read through sim/conf, as calibration and sweep files are: every
 * mistake is reported in the scenario module's form `FILE:LINE: PATH: expected ...,
 * got ...` before any is acted on, unknown settings are refused with a near miss
 * suggested, and each parameter's path is tried on the scenario at its bounds, so a
 * path or a range the scenario refuses is reported at the parameter's line before
 * anything runs. (The small readers below follow calibfile.c's: each file reader keeps
 * its own, so that its messages can name its own settings.)
 */
#include "unrest/sens.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "reader.h"
#include "schema.h"
#include "unrest/model.h"
#include "unrest/output.h"
#include "unrest/params.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

#define GOT(s) cf_describe((s), got, sizeof got)

static void read_param(struct cf_reader *R, struct ur_sens_spec *spec,
		       const struct cf_setting *g, size_t index)
{
	char got[256], path[64], sub[96];
	snprintf(path, sizeof path, "parameters.[%zu]", index);
	struct ur_sens_param *p = &spec->params[spec->nparams++];
	p->line = cf_line(g);
	if (cf_type_of(g) != CF_GROUP) {
		cf_report(R, g, path, "expected a group { path = ...; min = ...; max = ...; }, "
		       "got %s", GOT(g));
		return;
	}
	static const char *const names[] = {"path", "dist", "min", "max"};
	cf_check_names(R, g, path, names, sizeof names / sizeof *names);
	const struct cf_setting *ps = cf_member(g, "path");
	snprintf(sub, sizeof sub, "%s.path", path);
	if (!ps || cf_type_of(ps) != CF_STRING || cf_string(ps)[0] == '\0' ||
	    strpbrk(cf_string(ps), "=, \t\n\"")) {
		cf_report(R, ps ? ps : g, sub, "expected a setting's path (as --set takes it), "
		       "got %s", ps ? GOT(ps) : "nothing");
	} else {
		for (size_t i = 0; i + 1 < spec->nparams; i++)
			if (spec->params[i].path && strcmp(spec->params[i].path,
							   cf_string(ps)) == 0)
				cf_report(R, ps, sub, "expected each path once, got \"%s\" again "
				       "(line %u)", cf_string(ps), spec->params[i].line);
		p->path = cf_copy_text(R, cf_string(ps));
	}
	const struct cf_setting *ds = cf_member(g, "dist");
	snprintf(sub, sizeof sub, "%s.dist", path);
	const char *dist = !ds ? "uniform" : cf_type_of(ds) == CF_STRING ? cf_string(ds) : NULL;
	if (dist && strcmp(dist, "uniform") == 0) {
		p->scale = UR_SENS_UNIFORM;
	} else if (dist && strcmp(dist, "loguniform") == 0) {
		p->scale = UR_SENS_LOGUNIFORM;
	} else {
		cf_report(R, ds, sub, "expected \"uniform\" or \"loguniform\", got %s", GOT(ds));
		return;
	}
	bool ok = cf_read_number(R, g, path, "min", true, -HUGE_VAL, true, HUGE_VAL, true,
			      &p->min);
	ok = cf_read_number(R, g, path, "max", true, -HUGE_VAL, true, HUGE_VAL, true,
			 &p->max) && ok;
	if (!ok)
		return;
	if (!(p->max > p->min)) {
		snprintf(sub, sizeof sub, "%s.max", path);
		cf_report(R, cf_member(g, "max"), sub, "expected a number > min, got %s",
		       GOT(cf_member(g, "max")));
		return;
	}
	if (p->scale == UR_SENS_LOGUNIFORM && !(p->min > 0)) {
		snprintf(sub, sizeof sub, "%s.min", path);
		cf_report(R, cf_member(g, "min"), sub, "expected a number > 0 for a loguniform "
		       "parameter, got %s", GOT(cf_member(g, "min")));
	}
}

/* An output: a summary metric every replication defines, or outcome.NAME. */
static void read_output(struct cf_reader *R, struct ur_sens_spec *spec,
			const struct cf_setting *s, size_t index)
{
	char got[256], path[64];
	snprintf(path, sizeof path, "outputs.[%zu]", index);
	const struct ur_column *cols;
	size_t ncols = ur_table_columns(UR_TABLE_SUMMARY, &cols);
	const char *name = cf_type_of(s) == CF_STRING ? cf_string(s) : NULL;
	bool ok = false;
	if (name && strncmp(name, "outcome.", 8) == 0) {
		for (int o = 0; o < UR_OUTCOME_COUNT; o++)
			ok = ok || strcmp(name + 8, ur_outcome_name((enum ur_outcome)o)) == 0;
	} else if (name) {
		long col = ur_table_column_index(UR_TABLE_SUMMARY, name);
		if (col >= 0 && (size_t)col < ncols && cols[col].metric && cols[col].optional) {
			/* The mean over a point's replications would leave out those without
			 * a value, and a point where none has one would have no output. */
			cf_report(R, s, path, "expected a metric every replication has (or an "
			       "outcome.NAME share), got \"%s\", which is empty where the "
			       "event did not happen", name);
			return;
		}
		ok = col >= 0 && (size_t)col < ncols && cols[col].metric;
	}
	if (!ok) {
		char list[768] = "";
		size_t used = 0;
		for (size_t i = 0; i < ncols; i++)
			if (cols[i].metric && !cols[i].optional &&
			    used + strlen(cols[i].name) + 3 < sizeof list)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
							 used ? ", " : "", cols[i].name);
		for (int o = 0; o < UR_OUTCOME_COUNT; o++) {
			const char *on = ur_outcome_name((enum ur_outcome)o);
			if (used + strlen(on) + 12 < sizeof list)
				used += (size_t)snprintf(list + used, sizeof list - used,
							 ", outcome.%s", on);
		}
		cf_report(R, s, path, "expected a summary metric or an outcome (%s), got %s",
		       list, GOT(s));
		return;
	}
	for (size_t i = 0; i < spec->noutputs; i++)
		if (strcmp(spec->outputs[i], name) == 0) {
			cf_report(R, s, path, "expected each output once, got \"%s\" again", name);
			return;
		}
	char *c = cf_copy_text(R, name);
	if (c)
		spec->outputs[spec->noutputs++] = c;
}

/* Tries each parameter's path on the scenario at its bounds: a path the scenario does
 * not know, or a bound outside the setting's range, is reported at its line. So is a
 * setting given twice under two names (a list item by [N] and by [id], a lognormal's
 * mu and median), which the file's own check of spellings cannot see: a point's
 * later value would silently win, and the indices of the other be of nothing. */
static void check_params(struct cf_reader *R, const struct ur_sens_spec *spec,
			 const struct ur_scenario *scenario)
{
	const struct ur_params *params = ur_scenario_params(scenario);
	for (size_t i = 0; i < spec->nparams; i++) {
		const struct ur_sens_param *p = &spec->params[i];
		if (!p->path)
			continue;
		for (size_t k = 0; k < i; k++) {
			const struct ur_sens_param *o = &spec->params[k];
			if (!o->path || !ur_params_same_setting(params, p->path, o->path))
				continue;
			char text[1024];
			snprintf(text, sizeof text, "%s:%u: parameters.[%zu]: expected each setting "
				 "once, got \"%.200s\", the setting of parameters.[%zu] (\"%.200s\") "
				 "by another name", R->file, p->line, i, p->path, k, o->path);
			cf_reader_add(R, text);
			break;
		}
		for (int end = 0; end < 2; end++) {
			char value[SC_REAL_TEXT_SIZE], set[512];
			sc_format_real(end ? p->max : p->min, true, value);
			snprintf(set, sizeof set, "%s=%s", p->path, value);
			const char *sets[] = {set};
			struct ur_diag d;
			ur_diag_init(&d, 1);
			enum ur_scenario_status st;
			struct ur_scenario *s = ur_scenario_derive(scenario, sets, 1, 0, &d, &st);
			if (!s) {
				char text[1024];
				snprintf(text, sizeof text, "%s:%u: parameters.[%zu]: expected a "
					 "setting of the scenario that takes its %s, %s: %s",
					 R->file, p->line, i, end ? "max" : "min", value,
					 ur_diag_count(&d) ? ur_diag_message(&d, 0) : "out of memory");
				cf_reader_add(R, text);
				ur_diag_finish(&d);
				break;
			}
			ur_scenario_destroy(s);
			ur_diag_finish(&d);
		}
	}
}

static void read_spec(struct cf_reader *R, struct ur_sens_spec *spec,
		      const struct cf_setting *root, enum ur_scenario_status *status)
{
	char got[256];
	static const char *const names[] = {"scenario", "seed", "method", "samples",
					    "replications", "levels", "bootstrap",
					    "confidence", "parameters", "outputs"};
	cf_check_names(R, root, "", names, sizeof names / sizeof *names);
	const struct cf_setting *s = cf_member(root, "scenario");
	if (!s || cf_type_of(s) != CF_STRING || cf_string(s)[0] == '\0') {
		cf_report(R, s, "scenario", "expected the scenario file's name as a string, got %s",
		       s ? GOT(s) : "nothing");
	} else {
		/* Relative to the sensitivity file's folder, as a sweep's scenario is. */
		const char *name = cf_string(s);
		const char *slash = strrchr(R->file, '/');
		if (name[0] == '/' || !slash) {
			spec->scenario = cf_copy_text(R, name);
		} else {
			size_t n = (size_t)(slash - R->file) + 1 + strlen(name) + 1;
			spec->scenario = malloc(n);
			if (!spec->scenario)
				R->nomem = true;
			else
				snprintf(spec->scenario, n, "%.*s/%s", (int)(slash - R->file),
					 R->file, name);
		}
	}
	const struct cf_setting *seed = cf_member(root, "seed");
	if (!seed) {
		cf_report(R, NULL, "seed", "expected the master seed, got nothing");
	} else if (cf_type_of(seed) == CF_STRING) {
		if (ur_rng_seed_parse(cf_string(seed), &spec->seed) != 0 ||
		    spec->seed > (uint64_t)UR_MAX_SEED)
			cf_report(R, seed, "seed", "expected a whole number from 0 to %lld, or a "
			       "\"0x...\" string, got %s", (long long)UR_MAX_SEED, GOT(seed));
	} else if ((cf_type_of(seed) != CF_INT && cf_type_of(seed) != CF_INT64) ||
		   cf_int64(seed) < 0) {
		cf_report(R, seed, "seed", "expected a whole number from 0 to %lld, or a "
		       "\"0x...\" string, got %s", (long long)UR_MAX_SEED, GOT(seed));
	} else {
		spec->seed = (uint64_t)cf_int64(seed);
	}
	const struct cf_setting *ms = cf_member(root, "method");
	const char *method = ms && cf_type_of(ms) == CF_STRING ? cf_string(ms) : NULL;
	bool method_ok = true;
	if (method && strcmp(method, "sobol") == 0) {
		spec->method = UR_SENS_SOBOL;
	} else if (method && strcmp(method, "morris") == 0) {
		spec->method = UR_SENS_MORRIS;
	} else {
		method_ok = false;
		cf_report(R, ms, "method", "expected \"sobol\" or \"morris\", got %s",
		       ms ? GOT(ms) : "nothing");
	}
	/* Sobol: at least 4 base rows for a variance and a bootstrap; Morris: two
	 * trajectories for a standard deviation. */
	cf_read_count(R, root, "samples", true, spec->method == UR_SENS_SOBOL ? 4 : 2,
		   UR_SENS_MAX_SAMPLES, &spec->samples);
	cf_read_count(R, root, "replications", true, 1, UR_RUN_MAX_REPLICATIONS,
		   &spec->replications);
	spec->levels = 4;
	const struct cf_setting *ls = cf_member(root, "levels");
	if (ls && method_ok && spec->method != UR_SENS_MORRIS) {
		cf_report(R, ls, "levels", "expected only with method = \"morris\", got %s",
		       GOT(ls));
	} else if (ls && cf_read_count(R, root, "levels", false, 2, UR_SENS_MAX_LEVELS,
				    &spec->levels) && spec->levels % 2 != 0) {
		/* With p even, Delta = p / (2 (p - 1)) makes every level equally likely in
		 * the trajectories (Morris 1991). */
		cf_report(R, ls, "levels", "expected an even number of levels, got %s", GOT(ls));
	}
	spec->bootstrap = 1000;
	cf_read_count(R, root, "bootstrap", false, 0, UR_SENS_MAX_BOOTSTRAP, &spec->bootstrap);
	spec->confidence = 0.9;
	cf_read_number(R, root, "", "confidence", false, 0, true, 1, true, &spec->confidence);

	const struct cf_setting *params = cf_member(root, "parameters");
	if (!params || cf_type_of(params) != CF_LIST || cf_length(params) < 1 ||
	    (size_t)cf_length(params) > UR_SENS_MAX_PARAMS) {
		cf_report(R, params, "parameters", "expected a list of 1 to %u groups ( { path = "
		       "...; min = ...; max = ...; }, ... ), got %s", UR_SENS_MAX_PARAMS,
		       !params ? "nothing" : cf_type_of(params) != CF_LIST ? GOT(params)
		       : cf_length(params) ? "too many" : "an empty list");
	} else {
		spec->params = calloc((size_t)cf_length(params), sizeof *spec->params);
		if (!spec->params) {
			R->nomem = true;
			return;
		}
		for (int i = 0; i < cf_length(params); i++)
			read_param(R, spec, cf_elem(params, (unsigned)i), (size_t)i);
	}
	const struct cf_setting *outputs = cf_member(root, "outputs");
	int no = outputs ? cf_length(outputs) : 0;
	if (!outputs || (cf_type_of(outputs) != CF_ARRAY && cf_type_of(outputs) != CF_LIST) ||
	    no < 1 || (size_t)no > UR_SENS_MAX_OUTPUTS) {
		cf_report(R, outputs, "outputs", "expected an array of 1 to %u names [ \"killed\", "
		       "\"outcome.order_restored\", ... ], got %s", UR_SENS_MAX_OUTPUTS,
		       !outputs ? "nothing" : no == 0 ? "an empty one" : no > 0 &&
		       (cf_type_of(outputs) == CF_ARRAY || cf_type_of(outputs) == CF_LIST)
		       ? "too many" : GOT(outputs));
	} else {
		spec->outputs = calloc((size_t)no, sizeof *spec->outputs);
		if (!spec->outputs) {
			R->nomem = true;
			return;
		}
		for (int i = 0; i < no; i++)
			read_output(R, spec, cf_elem(outputs, (unsigned)i), (size_t)i);
	}
	if (!R->bad && spec->samples && spec->replications && spec->nparams) {
		uint64_t points = ur_sens_points(spec);
		if (points > UR_SWEEP_MAX_POINTS || points * spec->replications >
						       UR_SWEEP_MAX_UNITS)
			cf_report(R, cf_member(root, "samples"), "samples", "expected a design of "
			       "at most %u points and %u units (points x replications), got "
			       "%llu points, %llu units", UR_SWEEP_MAX_POINTS,
			       UR_SWEEP_MAX_UNITS, (unsigned long long)points,
			       (unsigned long long)(points * spec->replications));
	}
	if (R->bad || R->nomem || !spec->scenario)
		return;
	/* The scenario is read only when the file itself is sound: its messages are
	 * about another file. */
	enum ur_scenario_status st;
	struct ur_scenario *scenario = ur_scenario_load(spec->scenario, NULL, 0, R->diag, &st);
	if (!scenario) {
		R->bad = true;
		*status = st;
		return;
	}
	check_params(R, spec, scenario);
	ur_scenario_destroy(scenario);
}

uint64_t ur_sens_points(const struct ur_sens_spec *spec)
{
	return spec->samples * (spec->nparams + (spec->method == UR_SENS_SOBOL ? 2 : 1));
}

void ur_sens_spec_destroy(struct ur_sens_spec *spec)
{
	if (!spec)
		return;
	for (size_t i = 0; i < spec->nparams; i++)
		free(spec->params[i].path);
	for (size_t i = 0; i < spec->noutputs; i++)
		free(spec->outputs[i]);
	free(spec->params);
	free(spec->outputs);
	free(spec->scenario);
	free(spec->file);
	free(spec);
}

struct ur_sens_spec *ur_sens_spec_read(const char *path, struct ur_diag *diag,
				       enum ur_scenario_status *status)
{
	assert(path && diag && status);
	struct cf_reader R = {.file = path, .diag = diag};
	int st = 0;
	struct cf_setting *cfg = cf_reader_parse(&R, "@include is not supported in a "
						 "sensitivity file", &st);
	if (!cfg) {
		*status = (enum ur_scenario_status)st;
		return NULL;
	}
	*status = UR_SCENARIO_OK;
	struct ur_sens_spec *spec = calloc(1, sizeof *spec);
	if (!spec || !(spec->file = strdup(path)))
		R.nomem = true;
	else
		read_spec(&R, spec, cfg, status);
	cf_free(cfg);
	*status = (enum ur_scenario_status)cf_reader_status(&R, (int)*status,
							   "sensitivity file");
	if (*status != UR_SCENARIO_OK) {
		ur_sens_spec_destroy(spec);
		return NULL;
	}
	return spec;
}
