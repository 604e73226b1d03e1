/*
 * calibfile.c: reading calibration files (calib.h, ur_calib_spec_read). The file is
 * libconfig text read through sim/conf, as sim/sweep/sweepfile.c reads sweep files:
 * every mistake is reported in the scenario module's form `FILE:LINE: PATH: expected
 * ..., got ...` before any is acted on, unknown settings are refused with a near
 * miss suggested, and each prior's path is tried on the scenario at its bounds, so a
 * path or a range the scenario refuses is reported at the prior's line before
 * anything runs.
 */
#include "unrest/calib.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "reader.h"
#include "schema.h"
#include "unrest/posterior.h"
#include "unrest/output.h"
#include "unrest/params.h"
#include "unrest/rng.h"
#include "unrest/sweep.h"

#define GOT(s) cf_describe((s), got, sizeof got)

static void read_prior(struct cf_reader *R, struct ur_calib_spec *spec,
		       const struct cf_setting *g, size_t index)
{
	char got[256], path[64], sub[96];
	snprintf(path, sizeof path, "priors.[%zu]", index);
	struct ur_calib_prior *p = &spec->priors[spec->npriors++];
	p->line = cf_line(g);
	if (cf_type_of(g) != CF_GROUP) {
		cf_report(R, g, path, "expected a group { path = ...; dist = ...; ... }, got %s",
		       GOT(g));
		return;
	}
	static const char *const names[] = {"path", "dist", "min", "max", "mean", "sd"};
	cf_check_names(R, g, path, names, sizeof names / sizeof *names);
	const struct cf_setting *ps = cf_member(g, "path");
	snprintf(sub, sizeof sub, "%s.path", path);
	if (!ps || cf_type_of(ps) != CF_STRING || cf_string(ps)[0] == '\0' ||
	    strpbrk(cf_string(ps), "= \t\n")) {
		cf_report(R, ps ? ps : g, sub, "expected a setting's path (as --set takes it), "
		       "got %s", ps ? GOT(ps) : "nothing");
	} else {
		for (size_t i = 0; i + 1 < spec->npriors; i++)
			if (spec->priors[i].path && strcmp(spec->priors[i].path,
							   cf_string(ps)) == 0)
				cf_report(R, ps, sub, "expected each path once, got \"%s\" again "
				       "(line %u)", cf_string(ps), spec->priors[i].line);
		p->path = cf_copy_text(R, cf_string(ps));
	}
	const struct cf_setting *ds = cf_member(g, "dist");
	snprintf(sub, sizeof sub, "%s.dist", path);
	const char *dist = ds && cf_type_of(ds) == CF_STRING ? cf_string(ds) : NULL;
	if (dist && strcmp(dist, "uniform") == 0) {
		p->family = UR_PRIOR_UNIFORM;
	} else if (dist && strcmp(dist, "loguniform") == 0) {
		p->family = UR_PRIOR_LOGUNIFORM;
	} else if (dist && strcmp(dist, "normal") == 0) {
		p->family = UR_PRIOR_NORMAL;
	} else {
		cf_report(R, ds ? ds : g, sub, "expected \"uniform\", \"loguniform\" or "
		       "\"normal\", got %s", ds ? GOT(ds) : "nothing");
		return;
	}
	bool ok = cf_read_number(R, g, path, "min", true, -HUGE_VAL, true, HUGE_VAL, true,
			      &p->min);
	ok = cf_read_number(R, g, path, "max", true, -HUGE_VAL, true, HUGE_VAL, true,
			 &p->max) && ok;
	if (!ok)
		return;
	snprintf(sub, sizeof sub, "%s.max", path);
	if (!(p->max > p->min)) {
		cf_report(R, cf_member(g, "max"), sub, "expected a number > min, got %s",
		       GOT(cf_member(g, "max")));
		return;
	}
	if (p->family == UR_PRIOR_LOGUNIFORM && !(p->min > 0)) {
		snprintf(sub, sizeof sub, "%s.min", path);
		cf_report(R, cf_member(g, "min"), sub, "expected a number > 0 for a loguniform "
		       "prior, got %s", GOT(cf_member(g, "min")));
		return;
	}
	if (p->family == UR_PRIOR_NORMAL) {
		ok = cf_read_number(R, g, path, "mean", true, -HUGE_VAL, true, HUGE_VAL, true,
				 &p->mean);
		ok = cf_read_number(R, g, path, "sd", true, 0, true, HUGE_VAL, true, &p->sd) && ok;
		/* A truncation that leaves almost no mass would make the sampler spin. */
		if (ok && (p->mean < p->min - 6 * p->sd || p->mean > p->max + 6 * p->sd)) {
			snprintf(sub, sizeof sub, "%s.mean", path);
			cf_report(R, cf_member(g, "mean"), sub, "expected a mean within 6 sd of "
			       "[min, max], got %s", GOT(cf_member(g, "mean")));
		}
	} else {
		for (const char *const *n = (const char *const[]){"mean", "sd", NULL}; *n; n++)
			if (cf_member(g, *n)) {
				snprintf(sub, sizeof sub, "%s.%s", path, *n);
				cf_report(R, cf_member(g, *n), sub, "expected only with dist = "
				       "\"normal\", got %s", GOT(cf_member(g, *n)));
			}
	}
}

/* A target's id qualifier (`region` of onset_hour, `action` of action_hour): required,
 * a non-empty string, when the metric is `metric_name` (wanted), refused with any other
 * metric (its ids are checked against the scenario once it is loaded: check_targets).
 * Returns the copied id, or NULL. */
static char *read_target_id(struct cf_reader *R, const struct cf_setting *g,
			    const char *path, const char *name, const char *metric,
			    bool wanted, const char *metric_name, const char *what)
{
	char got[256], sub[96];
	const struct cf_setting *s = cf_member(g, name);
	snprintf(sub, sizeof sub, "%s.%s", path, name);
	if (s && metric && !wanted)
		cf_report(R, s, sub, "expected only with metric = \"%s\", got %s with metric "
		       "\"%s\"", metric_name, GOT(s), metric);
	else if (wanted && (!s || cf_type_of(s) != CF_STRING || cf_string(s)[0] == '\0'))
		cf_report(R, s ? s : g, sub, "expected %s with metric = \"%s\", got %s", what,
		       metric_name, s ? GOT(s) : "nothing");
	else if (wanted)
		return cf_copy_text(R, cf_string(s));
	return NULL;
}

static void read_target(struct cf_reader *R, struct ur_calib_spec *spec,
			const struct cf_setting *g, size_t index)
{
	char got[256], path[64], sub[96];
	snprintf(path, sizeof path, "targets.[%zu]", index);
	struct ur_calib_target *t = &spec->targets[spec->ntargets++];
	t->line = cf_line(g);
	if (cf_type_of(g) != CF_GROUP) {
		cf_report(R, g, path, "expected a group { metric = ...; value = ...; ... }, got %s",
		       GOT(g));
		return;
	}
	static const char *const names[] = {"metric", "by_hour", "region", "action", "value",
					    "low", "high", "grade", "scale", "weight", "source"};
	cf_check_names(R, g, path, names, sizeof names / sizeof *names);
	t->by_hour = nan("");
	const struct cf_setting *ms = cf_member(g, "metric");
	snprintf(sub, sizeof sub, "%s.metric", path);
	const struct ur_column *cols;
	size_t ncols = ur_table_columns(UR_TABLE_SUMMARY, &cols);
	long col = ms && cf_type_of(ms) == CF_STRING
			   ? ur_table_column_index(UR_TABLE_SUMMARY, cf_string(ms)) : -1;
	bool onset = ms && cf_type_of(ms) == CF_STRING &&
		     strcmp(cf_string(ms), UR_CALIB_ONSET_METRIC) == 0;
	bool action = ms && cf_type_of(ms) == CF_STRING &&
		      strcmp(cf_string(ms), UR_CALIB_ACTION_METRIC) == 0;
	if (!onset && !action && (col < 0 || (size_t)col >= ncols || !cols[col].metric)) {
		char list[512] = "";
		size_t used = 0;
		for (size_t i = 0; i < ncols; i++)
			if (cols[i].metric && used + strlen(cols[i].name) + 3 < sizeof list)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
							 used ? ", " : "", cols[i].name);
		cf_report(R, ms ? ms : g, sub, "expected a summary metric (%s), %s or %s, got %s",
		       list, UR_CALIB_ONSET_METRIC, UR_CALIB_ACTION_METRIC,
		       ms ? GOT(ms) : "nothing");
	} else {
		t->metric = cf_copy_text(R, cf_string(ms));
	}
	/* The timing targets (docs/calibration.md): regions_joined by an hour, and a
	 * region's onset hour, both from summary.csv's region_onsets. */
	const struct cf_setting *bs = cf_member(g, "by_hour");
	if (bs && t->metric && strcmp(t->metric, "regions_joined") != 0) {
		snprintf(sub, sizeof sub, "%s.by_hour", path);
		cf_report(R, bs, sub, "expected only with metric = \"regions_joined\", got %s "
		       "with metric \"%s\"", GOT(bs), t->metric);
	} else if (bs) {
		/* Checked against the scenario's horizon once it is loaded (check_targets). */
		cf_read_number(R, g, path, "by_hour", false, 0, false, HUGE_VAL, true,
			       &t->by_hour);
	}
	t->region = read_target_id(R, g, path, "region", t->metric, onset,
				   UR_CALIB_ONSET_METRIC, "a region id of the scenario");
	/* An action's hour: its `action`, checked against the scenario's actions once
	 * it is loaded (check_targets). */
	t->action = read_target_id(R, g, path, "action", t->metric, action,
				   UR_CALIB_ACTION_METRIC,
				   "an action id of the scenario's government.actions");
	if (t->metric) {
		for (size_t i = 0; i + 1 < spec->ntargets; i++) {
			const struct ur_calib_target *o = &spec->targets[i];
			if (o->metric && strcmp(o->metric, t->metric) == 0 &&
			    (isnan(o->by_hour) ? isnan(t->by_hour) : o->by_hour == t->by_hour) &&
			    (!o->region || !t->region || strcmp(o->region, t->region) == 0) &&
			    (!o->action || !t->action || strcmp(o->action, t->action) == 0)) {
				char label[128];
				ur_calib_target_label(t, label, sizeof label);
				snprintf(sub, sizeof sub, "%s.metric", path);
				cf_report(R, ms, sub, "expected each target once, got %s again "
				       "(line %u)", label, o->line);
				break;
			}
		}
	}
	bool ok = cf_read_number(R, g, path, "value", true, -HUGE_VAL, true, HUGE_VAL, true,
			      &t->value);
	ok = cf_read_number(R, g, path, "low", true, -HUGE_VAL, true, HUGE_VAL, true,
			 &t->low) && ok;
	ok = cf_read_number(R, g, path, "high", true, -HUGE_VAL, true, HUGE_VAL, true,
			 &t->high) && ok;
	if (ok && !(t->low <= t->value && t->value <= t->high)) {
		snprintf(sub, sizeof sub, "%s.value", path);
		cf_report(R, cf_member(g, "value"), sub, "expected low <= value <= high, got %s",
		       GOT(cf_member(g, "value")));
		ok = false;
	}
	bool has_scale = cf_read_number(R, g, path, "scale", false, 0, true, HUGE_VAL, true,
				     &t->scale);
	snprintf(sub, sizeof sub, "%s.scale", path);
	if (ok && !has_scale) {
		t->scale = (t->high - t->low) / 2;
		if (!(t->scale > 0)) {
			cf_report(R, g, sub, "expected a scale > 0 when low = high (the record "
			       "gives no range), got nothing");
			ok = false;
		} else if (!isfinite(t->scale)) {
			/* Every miss would be 0 scales: every particle accepted. */
			cf_report(R, cf_member(g, "high"), sub, "expected a finite scale, got "
			       "(high - low) / 2 = (%g - %g) / 2, which overflows: give a scale",
			       t->high, t->low);
			ok = false;
		}
	}
	double own = 1;
	if (cf_member(g, "weight"))
		cf_read_number(R, g, path, "weight", false, 0, true, 1e6, false, &own);
	const struct cf_setting *gs = cf_member(g, "grade");
	snprintf(sub, sizeof sub, "%s.grade", path);
	const char *grade = gs && cf_type_of(gs) == CF_STRING ? cf_string(gs) : "";
	/* The record's grades (A well sourced, B one source, C uncertain or derived)
	 * weigh a miss: a C fact pulls a quarter as hard as an A fact. */
	if (strcmp(grade, "A") == 0 || strcmp(grade, "B") == 0 || strcmp(grade, "C") == 0) {
		t->grade = grade[0];
		t->weight = own * (grade[0] == 'A' ? 1.0 : grade[0] == 'B' ? 0.5 : 0.25);
	} else {
		cf_report(R, gs ? gs : g, sub, "expected \"A\", \"B\" or \"C\" (the record's "
		       "grade), got %s", gs ? GOT(gs) : "nothing");
	}
	/* A term that overflows makes a distance infinite: such a particle is never
	 * accepted, and when every one is the calibration stops (calib.c). What can be
	 * known here is refused: a simulated value of 0 (a replication where nothing
	 * happens) or anywhere in [low, high] must give a finite term. */
	double far = fmax(fabs(t->value), fmax(t->value - t->low, t->high - t->value));
	double z = far / t->scale;
	if (ok && (has_scale || t->scale > 0) && t->weight > 0 &&
	    !isfinite(t->weight * z * z)) {
		snprintf(sub, sizeof sub, "%s.scale", path);
		cf_report(R, has_scale ? cf_member(g, "scale") : g, sub, "expected a scale at "
		       "which a value of 0 or any in [low, high] gives a finite term, got %s: "
		       "(%g / scale)^2 x weight %g overflows", has_scale ?
		       GOT(cf_member(g, "scale")) : "(high - low) / 2", far, t->weight);
	}
	const struct cf_setting *ss = cf_member(g, "source");
	if (ss) {
		if (cf_type_of(ss) != CF_STRING) {
			snprintf(sub, sizeof sub, "%s.source", path);
			cf_report(R, ss, sub, "expected a string, got %s", GOT(ss));
		} else {
			t->source = cf_copy_text(R, cf_string(ss));
		}
	}
}

/* Tries each prior's path on the scenario at its bounds: a path the scenario does not
 * know, or a bound outside the setting's range, is reported at the prior's line. So
 * are what would stop the calibration later, after its folder was made: one setting
 * under two names (a list item by [N] and by [id], a lognormal's mu and median:
 * ur_params_same_setting, as a sweep and a sensitivity analysis refuse them), which
 * generation 0's sweep refused; and what its posterior.csv could not carry, so that
 * a scenario naming it would be refused: a setting of the run (scenario.*,
 * output.*), or a value --set's judgement (ur_params_set, the posterior's) refuses. */
static void check_priors(struct cf_reader *R, const struct ur_calib_spec *spec,
			 const struct ur_scenario *scenario)
{
	const struct ur_params *params = ur_scenario_params(scenario);
	struct ur_params *scratch = malloc(sizeof *scratch);
	if (!scratch) {
		R->nomem = true;
		return;
	}
	for (size_t i = 0; i < spec->npriors; i++) {
		const struct ur_calib_prior *p = &spec->priors[i];
		if (!p->path)
			continue;
		char text[1024];
		bool twice = false;
		for (size_t k = 0; k < i && !twice; k++) {
			const struct ur_calib_prior *o = &spec->priors[k];
			if (!o->path || !ur_params_same_setting(params, p->path, o->path))
				continue;
			snprintf(text, sizeof text, "%s:%u: priors.[%zu].path: expected each setting "
				 "once, got \"%.200s\", the setting of priors.[%zu] (\"%.200s\", "
				 "line %u) by another name", R->file, p->line, i, p->path, k, o->path,
				 o->line);
			cf_reader_add(R, text);
			twice = true;
		}
		if (twice)
			continue;
		if (ur_posterior_run_setting(p->path)) {
			snprintf(text, sizeof text, "%s:%u: priors.[%zu].path: expected a setting of "
				 "the model (posterior.csv carries it into each replication), got "
				 "\"%.200s\", a setting of the run (scenario.* and output.* are the "
				 "same in every replication)", R->file, p->line, i, p->path);
			cf_reader_add(R, text);
			continue;
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
				snprintf(text, sizeof text, "%s:%u: priors.[%zu]: expected a setting "
					 "of the scenario that takes its %s, %s: %s", R->file,
					 p->line, i, end ? "max" : "min", value,
					 ur_diag_count(&d) ? ur_diag_message(&d, 0) : "out of memory");
				cf_reader_add(R, text);
				ur_diag_finish(&d);
				break;
			}
			ur_scenario_destroy(s);
			ur_diag_finish(&d);
			/* The posterior's judgement: a row's value goes through --set's
			 * fast path, which refuses what reaches beyond its field. */
			memcpy(scratch, params, sizeof *scratch);
			if (ur_params_set(scratch, set) != 0) {
				snprintf(text, sizeof text, "%s:%u: priors.[%zu].path: expected a "
					 "setting a posterior can carry (--set's own judgement of a "
					 "value, as a scenario naming posterior.csv applies it), got "
					 "\"%.200s\", which it refuses at the %s, %s", R->file, p->line,
					 i, p->path, end ? "max" : "min", value);
				cf_reader_add(R, text);
				break;
			}
		}
	}
	free(scratch);
}

/* A setting that names one of two choices: the index of the one named (names[0], the
 * default, when the setting is absent); anything else reported as `expected`, got
 * what was found. */
static int read_choice(struct cf_reader *R, const struct cf_setting *root, const char *name,
		       const char *const names[2], const char *expected)
{
	const struct cf_setting *s = cf_member(root, name);
	if (!s)
		return 0;
	const char *text = cf_type_of(s) == CF_STRING ? cf_string(s) : NULL;
	for (int i = 0; text && i < 2; ++i)
		if (strcmp(text, names[i]) == 0)
			return i;
	char got[256];
	cf_report(R, s, name, "%s, got %s", expected, GOT(s));
	return 0;
}

/* The timing targets against the scenario: an hour within its horizon, a region of
 * its own. */
static void check_targets(struct cf_reader *R, const struct ur_calib_spec *spec,
			  const struct ur_params *params)
{
	for (size_t i = 0; i < spec->ntargets; i++) {
		const struct ur_calib_target *t = &spec->targets[i];
		char text[1024];
		if (!isnan(t->by_hour) && t->by_hour > params->scenario.horizon_h) {
			snprintf(text, sizeof text, "%s:%u: targets.[%zu].by_hour: expected an hour "
				 "from 0 to the scenario's horizon (%g), got %g", R->file, t->line,
				 i, params->scenario.horizon_h, t->by_hour);
			cf_reader_add(R, text);
		}
		if (t->action) {
			size_t a = 0;
			const struct ur_government_params *gp = &params->government;
			while (a < gp->nactions && strcmp(gp->actions[a].id, t->action) != 0)
				a++;
			if (a == gp->nactions) {
				size_t used = 0;
				char ids[512] = "";
				for (size_t k = 0; k < gp->nactions &&
						   used + UR_ID_SIZE + 8 < sizeof ids; k++)
					used += (size_t)snprintf(ids + used, sizeof ids - used,
								 "%s%s", k ? ", " : "",
								 gp->actions[k].id);
				if (gp->nactions > 0 && used + UR_ID_SIZE + 8 >= sizeof ids)
					snprintf(ids + used, sizeof ids - used, ", ...");
				snprintf(text, sizeof text, "%s:%u: targets.[%zu].action: expected "
					 "an action of the scenario's government.actions (%s), got "
					 "\"%s\"", R->file, t->line, i,
					 gp->nactions ? ids : "none", t->action);
				cf_reader_add(R, text);
			}
		}
		if (!t->region)
			continue;
		size_t r = 0;
		while (r < params->nregions && strcmp(params->regions[r].id, t->region) != 0)
			r++;
		if (r == params->nregions) {
			size_t used = 0;
			char ids[512] = "";
			for (size_t k = 0; k < params->nregions && used + UR_ID_SIZE + 8 < sizeof ids;
			     k++)
				used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%s",
							 k ? ", " : "", params->regions[k].id);
			if (params->nregions > 0 && used + UR_ID_SIZE + 8 >= sizeof ids)
				snprintf(ids + used, sizeof ids - used, ", ...");
			snprintf(text, sizeof text, "%s:%u: targets.[%zu].region: expected a region "
				 "of the scenario (%s), got \"%s\"", R->file, t->line, i, ids,
				 t->region);
			cf_reader_add(R, text);
		}
	}
}

static void read_spec(struct cf_reader *R, struct ur_calib_spec *spec,
		      const struct cf_setting *root, enum ur_scenario_status *status)
{
	char got[256];
	static const char *const names[] = {"scenario", "seed", "particles", "replications",
					    "generations", "quantile", "min_acceptance", "term_cap",
					    "kernel", "proposal", "priors", "targets"};
	cf_check_names(R, root, "", names, sizeof names / sizeof *names);
	const struct cf_setting *s = cf_member(root, "scenario");
	if (!s || cf_type_of(s) != CF_STRING || cf_string(s)[0] == '\0') {
		cf_report(R, s, "scenario", "expected the scenario file's name as a string, got %s",
		       s ? GOT(s) : "nothing");
	} else {
		/* Relative to the calibration file's folder, as a sweep's scenario is. */
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
	cf_read_count(R, root, "particles", true, 4, UR_CALIB_MAX_PARTICLES, &spec->particles);
	cf_read_count(R, root, "replications", true, 1, UR_CALIB_MAX_REPLICATIONS,
		   &spec->replications);
	cf_read_count(R, root, "generations", true, 1, UR_CALIB_MAX_GENERATIONS,
		   &spec->generations);
	if (spec->particles && spec->replications &&
	    spec->particles * spec->replications > UR_SWEEP_MAX_UNITS)
		cf_report(R, cf_member(root, "replications"), "replications", "expected particles "
		       "x replications <= %u (a generation's sweep), got %llu",
		       UR_SWEEP_MAX_UNITS,
		       (unsigned long long)(spec->particles * spec->replications));
	spec->quantile = 0.5;
	cf_read_number(R, root, "", "quantile", false, 0, true, 1, true, &spec->quantile);
	spec->term_cap = HUGE_VAL;
	cf_read_number(R, root, "", "term_cap", false, 0, true, 1e6, false, &spec->term_cap);
	spec->min_acceptance = 0;
	cf_read_number(R, root, "", "min_acceptance", false, 0, false, 1, true,
		    &spec->min_acceptance);
	/* The kernel: the global one by default (docs/calibration.md, "The kernels
	 * compared": on the reference the local one's weights collapsed onto one
	 * particle, effective sample size 1.2 against 6.2). */
	spec->kernel = read_choice(R, root, "kernel",
				   (const char *const[]){ur_calib_kernel_name(UR_KERNEL_GLOBAL),
							 ur_calib_kernel_name(UR_KERNEL_OLCM)},
				   "expected \"olcm\" (a covariance per particle) or \"global\" "
				   "(twice the weighted covariance)");
	/* The proposal's coordinates: bounded by default (docs/calibration.md, "Proposal
	 * coordinates": on the reference's quick calibration the logit proposal's weights
	 * collapsed further, effective sample size 7.8 against 5.9 but 2.6 against 5.4
	 * the generation before, and its tolerance fell less, 208 against 153). */
	spec->proposal = read_choice(R, root, "proposal",
				     (const char *const[]){
					     ur_calib_proposal_name(UR_PROPOSAL_BOUNDED),
					     ur_calib_proposal_name(UR_PROPOSAL_LOGIT)},
				     "expected \"logit\" (the kernel moves each prior's logit) or "
				     "\"bounded\" (the values, redrawn inside the bounds)");

	const struct cf_setting *priors = cf_member(root, "priors");
	if (!priors || cf_type_of(priors) != CF_LIST || cf_length(priors) < 1 ||
	    (size_t)cf_length(priors) > UR_SWEEP_MAX_PARAMS) {
		cf_report(R, priors, "priors", "expected a list of 1 to %u groups ( { path = ...; "
		       "dist = ...; ... }, ... ), got %s", UR_SWEEP_MAX_PARAMS,
		       priors ? GOT(priors) : "nothing");
	} else {
		spec->priors = calloc((size_t)cf_length(priors), sizeof *spec->priors);
		if (!spec->priors) {
			R->nomem = true;
			return;
		}
		for (int i = 0; i < cf_length(priors); i++)
			read_prior(R, spec, cf_elem(priors, (unsigned)i), (size_t)i);
	}
	const struct cf_setting *targets = cf_member(root, "targets");
	if (!targets || cf_type_of(targets) != CF_LIST || cf_length(targets) < 1 ||
	    (size_t)cf_length(targets) > UR_CALIB_MAX_TARGETS) {
		cf_report(R, targets, "targets", "expected a list of 1 to %u groups ( { metric = "
		       "...; value = ...; ... }, ... ), got %s", UR_CALIB_MAX_TARGETS,
		       targets ? GOT(targets) : "nothing");
	} else {
		spec->targets = calloc((size_t)cf_length(targets), sizeof *spec->targets);
		if (!spec->targets) {
			R->nomem = true;
			return;
		}
		for (int i = 0; i < cf_length(targets); i++)
			read_target(R, spec, cf_elem(targets, (unsigned)i), (size_t)i);
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
	if (ur_scenario_posterior(scenario)) {
		/* A calibration fits the scenario's own values: a posterior would replace
		 * them in every replication. */
		char text[1024];
		snprintf(text, sizeof text, "%s: scenario: expected a scenario without "
			 "scenario.posterior (a calibration fits its own values), got one naming "
			 "%s", R->file, ur_posterior_name(ur_scenario_posterior(scenario)));
		cf_reader_add(R, text);
	}
	check_priors(R, spec, scenario);
	check_targets(R, spec, ur_scenario_params(scenario));
	ur_scenario_destroy(scenario);
}

void ur_calib_spec_destroy(struct ur_calib_spec *spec)
{
	if (!spec)
		return;
	for (size_t i = 0; i < spec->npriors; i++)
		free(spec->priors[i].path);
	for (size_t i = 0; i < spec->ntargets; i++) {
		free(spec->targets[i].metric);
		free(spec->targets[i].region);
		free(spec->targets[i].action);
		free(spec->targets[i].source);
	}
	free(spec->priors);
	free(spec->targets);
	free(spec->scenario);
	free(spec->file);
	free(spec);
}

struct ur_calib_spec *ur_calib_spec_read(const char *path, struct ur_diag *diag,
					 enum ur_scenario_status *status)
{
	assert(path && diag && status);
	struct cf_reader R = {.file = path, .diag = diag};
	int st = 0;
	struct cf_setting *cfg = cf_reader_parse(&R, "@include is not supported in a "
						 "calibration file", &st);
	if (!cfg) {
		*status = (enum ur_scenario_status)st;
		return NULL;
	}
	*status = UR_SCENARIO_OK;
	struct ur_calib_spec *spec = calloc(1, sizeof *spec);
	if (!spec || !(spec->file = strdup(path)))
		R.nomem = true;
	else
		read_spec(&R, spec, cfg, status);
	cf_free(cfg);
	*status = (enum ur_scenario_status)cf_reader_status(&R, (int)*status,
							   "calibration file");
	if (*status != UR_SCENARIO_OK) {
		ur_calib_spec_destroy(spec);
		return NULL;
	}
	return spec;
}
