/*
 * check.c: the checks between settings that each pass on their own (params.h,
 * ur_params_check_across): one code for the loader, which locates each failure at the
 * settings it names in the file, and for the sweep's fast path, which only counts.
 */
#include <math.h>
#include <stdio.h>

#include "schema.h"
#include "unrest/params.h"

size_t ur_id_length(const char *s, size_t len)
{
	if (len == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') ||
			  (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	size_t i = 1;
	for (; i < len; i++)
		if (!(s[i] == '_' || s[i] == '-' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			break;
	return i;
}

/* A count as a person reads it: whole digits while they are few, else 5.04e+302
 * rather than 303 digits. */
static void count_text(double v, char *buf, size_t size)
{
	if (fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.3g", v);
}

static void say(ur_params_report_fn report, void *context, size_t *n, const char *path,
		const char *where0, const char *where1, const char *message)
{
	const char *const where[3] = { where0, where1, NULL };
	(*n)++;
	if (report)
		report(context, path, where, message);
}

/* An adjust's value: a factor >= 0 (> 0 for a range open at 0), no negative add to a
 * setting that must stay above 0, and, applied alone to the scenario's value in each
 * region it reaches, a result inside the setting's range (where adjusts compose, the
 * run clamps each step: docs/model.md, "Adjust"). */
static void check_adjust(const struct ur_params *p, size_t i, ur_params_report_fn report,
			 void *context, size_t *n)
{
	const struct ur_action *a = &p->government.actions[i];
	const char *why;
	int id = ur_adjustable_find(a->setting, &why);
	if (id < 0)
		return; /* the loader says why */
	struct ur_adjustable info = ur_adjustable((enum ur_adjustable_id)id);
	char path[64], m[512], x[SC_REAL_TEXT_SIZE], y[SC_REAL_TEXT_SIZE], z[SC_REAL_TEXT_SIZE];
	snprintf(path, sizeof path, "government.actions.[%zu].value", i);
	sc_format_real(info.min, false, x);
	sc_format_real(info.max, false, y);
	sc_format_real(a->value, false, z);
	if (a->op == UR_ADJUST_MULTIPLY && (a->value < 0.0 || (info.min_open && a->value <= 0.0))) {
		snprintf(m, sizeof m, "must be %s 0 to multiply %s, got %s",
			 info.min_open ? ">" : ">=", info.path, z);
		say(report, context, n, path, path, NULL, m);
		return;
	}
	if (a->op == UR_ADJUST_ADD && info.min_open && a->value < 0.0) {
		snprintf(m, sizeof m, "must be >= 0 to add to %s, which must stay above %s "
			 "(lower it with op = \"multiply\"), got %s", info.path, x, z);
		say(report, context, n, path, path, NULL, m);
		return;
	}
	struct ur_adjust_part part = { (enum ur_adjustable_id)id, a->op, a->value, false, true };
	for (size_t r = 0; r < (info.regional ? p->nregions : 1); r++) {
		if (!ur_adjust_part_reaches(a, &part, r))
			continue;
		double base = ur_adjustable_base(p, (enum ur_adjustable_id)id, r);
		double out = a->op == UR_ADJUST_SET ? a->value
			     : a->op == UR_ADJUST_ADD ? base + a->value : base * a->value;
		if (out >= info.min && !(info.min_open && out <= info.min) && out <= info.max)
			continue;
		char b[SC_REAL_TEXT_SIZE], o[SC_REAL_TEXT_SIZE], where[96] = "";
		if (info.regional)
			snprintf(where, sizeof where, " in region %s", p->regions[r].id);
		if (a->op == UR_ADJUST_SET)
			snprintf(m, sizeof m, "must be in %s%s, %s] for %s, got %s",
				 info.min_open ? "(" : "[", x, y, info.path, z);
		else
			snprintf(m, sizeof m, "must keep %s in %s%s, %s]: %s %s %s = %s%s, got %s",
				 info.path, info.min_open ? "(" : "[", x, y,
				 sc_format_real(base, false, b), a->op == UR_ADJUST_ADD ? "+" : "x",
				 z, sc_format_real(out, false, o), where, z);
		say(report, context, n, path, path, NULL, m);
		return;
	}
}

/* A price_rollback only lowers the price: its ratio is at most the highest price the
 * steps give each of its regions (1, the old price, without any). */
static void check_rollback(const struct ur_params *p, size_t i, ur_params_report_fn report,
			   void *context, size_t *n)
{
	const struct ur_action *a = &p->government.actions[i];
	const struct ur_fuel_params *f = &p->fuel;
	char path[64], m[512], x[SC_REAL_TEXT_SIZE], y[SC_REAL_TEXT_SIZE];
	for (size_t k = 0; k < a->regions.n; k++) {
		size_t r = (size_t)a->regions.idx[k];
		double highest = 1.0;
		for (size_t j = 0; j < f->nsteps; j++) {
			const struct ur_region_set *set = &f->steps[j].regions;
			for (size_t q = 0; q < set->n; q++)
				if ((size_t)set->idx[q] == r && f->steps[j].ratio > highest)
					highest = f->steps[j].ratio;
		}
		if (a->ratio <= highest)
			continue;
		snprintf(path, sizeof path, "government.actions.[%zu].ratio", i);
		snprintf(m, sizeof m, "must be <= %s, the highest fuel price in region %s "
			 "(fuel.steps): a rollback only lowers the price, got %s",
			 sc_format_real(highest, false, x), p->regions[r].id,
			 sc_format_real(a->ratio, false, y));
		say(report, context, n, path, path, NULL, m);
		return;
	}
}

size_t ur_params_check_across(const struct ur_params *p, ur_params_report_fn report,
			      void *context)
{
	char a[SC_REAL_TEXT_SIZE], b[SC_REAL_TEXT_SIZE], m[512], c[40];
	size_t n = 0;

	/* timeseries.csv's rows are every m-th sample. */
	double ratio = p->output.timeseries_interval_h / p->scenario.sample_interval_h;
	if (p->output.has_timeseries_interval &&
	    !(nearbyint(ratio) >= 1.0 && fabs(ratio - nearbyint(ratio)) <= 1e-9 * ratio)) {
		snprintf(m, sizeof m, "must be a whole multiple of scenario.sample_interval "
			 "(%s), got %s", sc_format_real(p->scenario.sample_interval_h, false, a),
			 sc_format_real(p->output.timeseries_interval_h, false, b));
		say(report, context, &n, "output.timeseries_interval",
		    "output.timeseries_interval", "scenario.sample_interval", m);
	}
	if (p->internet.off_level > p->internet.throttled_level) {
		snprintf(m, sizeof m, "must be <= internet.throttled_level (%s), got %s",
			 sc_format_real(p->internet.throttled_level, false, a),
			 sc_format_real(p->internet.off_level, false, b));
		say(report, context, &n, "internet.off_level", "internet.off_level",
		    "internet.throttled_level", m);
	}
	if (p->nregions == 0)
		return n;
	/* The run's size, refused while it is still a message: the model numbers agents
	 * with 32 bits, and a replication keeps its sample rows in memory until they are
	 * written, so a tiny sample_interval would grow without bound (or for days)
	 * instead of failing. */
	double agents = 0.0;
	for (size_t r = 0; r < p->nregions; r++)
		agents += ur_region_agents(p, r);
	if (!(agents < UR_MAX_AGENTS)) {
		count_text(agents, c, sizeof c);
		snprintf(m, sizeof m, "must leave fewer than %.0f agents (population times "
			 "adult share over agent_scale, summed over regions), got %s with "
			 "agent_scale %s", UR_MAX_AGENTS, c,
			 sc_format_real(p->scenario.agent_scale, false, a));
		say(report, context, &n, "scenario.agent_scale", "scenario.agent_scale", NULL, m);
	}
	/* A scale coarser than a region's adults rounds its pool to no agent: nobody
	 * there can ever act, and every count of the region is 0 whatever the rest of
	 * the scenario says (agent_scale 1e6 over towns of 20,000 ran, reporting order
	 * restored with no protest at all). A region of no adults (adult_share 0) is
	 * the user's choice, not the scale's. */
	for (size_t r = 0; r < p->nregions; r++) {
		double adults = (double)p->regions[r].population * p->regions[r].adult_share;
		if (!(adults > 0.0) || ur_region_agents(p, r) >= 1.0)
			continue;
		count_text(adults, c, sizeof c);
		snprintf(m, sizeof m, "must leave every region with adults at least one agent, "
			 "got none in region %s (%s adults over agent_scale %s)",
			 p->regions[r].id, c,
			 sc_format_real(p->scenario.agent_scale, false, a));
		char population[64];
		snprintf(population, sizeof population, "regions.[%zu].population", r);
		say(report, context, &n, "scenario.agent_scale", "scenario.agent_scale",
		    population, m);
		break;
	}
	/* Sample times: 0, every interval before the horizon, and the horizon. */
	double samples = floor(p->scenario.horizon_h / p->scenario.sample_interval_h) + 2.0;
	double rows = samples * (double)(1 + p->nregions);
	if (!(rows <= UR_MAX_SAMPLE_ROWS)) {
		count_text(rows, c, sizeof c);
		snprintf(m, sizeof m, "must leave at most %.0f sample rows per replication "
			 "(horizon over sample_interval, times 1 + %zu regions), got %s with "
			 "horizon %s", UR_MAX_SAMPLE_ROWS, p->nregions, c,
			 sc_format_real(p->scenario.horizon_h, false, b));
		say(report, context, &n, "scenario.sample_interval", "scenario.sample_interval",
		    "scenario.horizon", m);
	}
	for (size_t i = 0; i < p->government.nactions; i++) {
		if (p->government.actions[i].kind == UR_ACTION_ADJUST)
			check_adjust(p, i, report, context, &n);
		else if (p->government.actions[i].kind == UR_ACTION_PRICE_ROLLBACK)
			check_rollback(p, i, report, context, &n);
	}
	if (p->elite.probability > 0 && p->elite.region == UR_NONE)
		say(report, context, &n, "elite.region", "elite.probability", NULL,
		    "required when elite.probability > 0, got nothing");
	return n;
}
