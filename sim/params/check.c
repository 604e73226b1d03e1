/*
 * check.c: the checks between settings that each pass on their own (params.h,
 * ur_params_check_across): one code for the loader, which locates each failure at the
 * settings it names in the file, and for the sweep's fast path, which only counts.
 */
#include <math.h>
#include <stdio.h>

#include "schema.h"
#include "unrest/params.h"

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
			 "mobilizable share over agent_scale, summed over regions), got %s with "
			 "agent_scale %s", UR_MAX_AGENTS, c,
			 sc_format_real(p->scenario.agent_scale, false, a));
		say(report, context, &n, "scenario.agent_scale", "scenario.agent_scale", NULL, m);
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
	if (p->elite.probability > 0 && p->elite.region == UR_NONE)
		say(report, context, &n, "elite.region", "elite.probability", NULL,
		    "required when elite.probability > 0, got nothing");
	return n;
}
