/*
 * columns.c: the columns of every table of a run, in one place (see output.h).
 *
 * Each table is an array of struct ur_column, in the order of the file's columns. The
 * recorder writes rows by walking the array (recorder.c), a sweep takes the summary's
 * metrics and its outcome column from it (sweep.c), the row validator checks fields
 * with ur_column_check, and docs/output.md's column tables are generated from the
 * names, kinds, units and docs here (tests/output checks that the page is in step).
 * A new column is one line here, at the end of its table.
 */
#include "unrest/output.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "unrest/model.h"
#include "unrest/params.h"

#define COUNT_OF(a) (sizeof (a) / sizeof (a)[0])

/* Field columns of the row struct S. */
#define FIELD(S, name, kind, member, optional, metric, unit, doc) \
	{name, kind, offsetof(struct S, member), optional, metric, unit, doc}
#define CONTEXT(name, kind, optional, doc) \
	{name, kind, 0, optional, false, (kind) == UR_COLUMN_HOUR ? "h" : "", doc}

#define SUM(name, kind, member, optional, metric, unit, doc) \
	FIELD(ur_model_summary, name, kind, member, optional, metric, unit, doc)
static const struct ur_column summary_columns[] = {
	CONTEXT("rep", UR_COLUMN_REP, false, "replication index k, from 0"),
	SUM("seed", UR_COLUMN_HEX, replication_seed, false, false, "",
	    "the replication's seed, a hash of (master seed, k): the replication is a "
	    "function of the scenario and this seed alone"),
	SUM("outcome", UR_COLUMN_OUTCOME, outcome, false, false, "",
	    "`order_restored`, `elite_prevails`, `regime_collapse` or `unresolved` "
	    "(DESIGN.md, Outcomes)"),
	SUM("peak_active", UR_COLUMN_COUNT, peak_active, false, true, "persons",
	    "the largest number of persons active at once, nationally"),
	SUM("peak_hour", UR_COLUMN_REAL, peak_hour, false, true, "h",
	    "when `peak_active` was first reached"),
	SUM("regions_joined", UR_COLUMN_UNSIGNED, regions_joined, false, true, "regions",
	    "regions whose active persons ever reached `outcomes.region_active`"),
	SUM("killed", UR_COLUMN_COUNT, killed, false, true, "persons",
	    "deaths over the run, security personnel included"),
	SUM("killed_security", UR_COLUMN_COUNT, killed_security, false, true, "persons",
	    "of which security personnel"),
	SUM("injured", UR_COLUMN_COUNT, injured, false, true, "persons",
	    "injured over the run"),
	SUM("detained", UR_COLUMN_COUNT, detained, false, true, "persons",
	    "persons detained over the run: protesters arrested, and fighters of the "
	    "counter-coup taken"),
	SUM("damage_usd", UR_COLUMN_REAL, damage_usd, false, true, "USD",
	    "damage over the run"),
	SUM("shutdown_region_hours", UR_COLUMN_REAL, shutdown_region_hours, false, true,
	    "region·h", "sum over regions of the hours their internet was off"),
	SUM("csto_request_hour", UR_COLUMN_REAL, csto_request_hour, true, true, "h",
	    "when the CSTO was asked for troops; empty when it was not"),
	SUM("csto_troops_peak", UR_COLUMN_COUNT, csto_troops_peak, false, true, "persons",
	    "the most CSTO troops in the country at once"),
	SUM("order_restored_hour", UR_COLUMN_REAL, order_restored_hour, true, true, "h",
	    "the start of the quiet stretch (national active persons under "
	    "`outcomes.order_threshold`, at least `outcomes.order_window` hours long) "
	    "that lasts to the horizon, after the crowd had reached the threshold: the "
	    "hour the protest ended; empty when order does not hold at the horizon or "
	    "was never lost (the crowd never reached the threshold; docs/model.md, "
	    "\"Outcomes\")"),
	SUM("events", UR_COLUMN_UINT64, events, false, true, "",
	    "model events executed, each agent decision one event; samples are "
	    "observations and not counted, so the number does not depend on "
	    "`scenario.sample_interval`"),
	SUM("fingerprint", UR_COLUMN_HEX, fingerprint, false, false, "",
	    "a hash of the replication's trajectory (each event's time and kind, and the "
	    "draws that decided it): equal fingerprints, same behaviour; a change of code "
	    "that changes a fingerprint changed behaviour"),
	SUM("region_onsets", UR_COLUMN_ONSETS, region_onset, true, false, "h",
	    "`ID=HOUR` for each region whose active persons reached "
	    "`outcomes.region_active`, the hour it first did (the instant of its "
	    "`region_joined` event: exact, whatever is sampled), in the scenario's order, "
	    "joined by `;`; empty when none did. `unrestsim calibrate` counts regions by "
	    "an hour and takes onsets from it (docs/calibration.md)"),
	SUM("action_hours", UR_COLUMN_ACTION_HOURS, action_hour, true, false, "h",
	    "`ID=HOUR` for each government action that took effect, the hour it did (the "
	    "instant of its `action` event: exact, whatever is sampled), in the "
	    "scenario's order, joined by `;`; empty when none did. An action that "
	    "failed its probability, or whose trigger never fired, is absent. "
	    "`unrestsim calibrate` takes action_hour targets from it "
	    "(docs/calibration.md)"),
	CONTEXT("posterior_row", UR_COLUMN_POSTERIOR_ROW, false,
		"the row of the scenario's posterior (`scenario.posterior`) the replication "
		"drew and ran with, 1-based: row i is line i + 1 of the file. Only in runs "
		"and sweeps whose scenario names a posterior: absent, not empty, otherwise "
		"(docs/calibration.md)"),
};

#define NAT(name, kind, member, unit, doc) \
	FIELD(ur_national_row, name, kind, member, false, false, unit, doc)
static const struct ur_column national_columns[] = {
	CONTEXT("rep", UR_COLUMN_REP, false, "replication index"),
	CONTEXT("hour", UR_COLUMN_HOUR, false, "hours since `scenario.start`"),
	CONTEXT("time", UR_COLUMN_TIME, false,
		"the same instant, ISO 8601 with the scenario's offset"),
	NAT("active", UR_COLUMN_COUNT, active, "persons", "persons active (protesting) now"),
	NAT("held", UR_COLUMN_COUNT, held, "persons", "persons in custody now"),
	NAT("detained", UR_COLUMN_COUNT, detained, "persons",
	    "persons detained since hour 0 (cumulative)"),
	NAT("killed", UR_COLUMN_COUNT, killed, "persons",
	    "deaths since hour 0, security personnel included (cumulative)"),
	NAT("injured", UR_COLUMN_COUNT, injured, "persons", "injured since hour 0 (cumulative)"),
	NAT("security", UR_COLUMN_REAL, security, "persons",
	    "effective security persons now: the sum over regions of C_r (police × morale "
	    "+ national guard + CSTO troops × effectiveness, less the elite's stand-down)"),
	NAT("csto_troops", UR_COLUMN_COUNT, csto_troops, "persons",
	    "CSTO troops in the country now"),
	NAT("connectivity", UR_COLUMN_REAL, connectivity, "share, [0, 1]",
	    "c(t), the population-weighted mean internet connectivity"),
	NAT("legitimacy", UR_COLUMN_REAL, legitimacy, "share, [0, 1]",
	    "the population-weighted mean legitimacy L"),
	NAT("facilities_held", UR_COLUMN_UNSIGNED, facilities_held, "facilities",
	    "key facilities held by the elite's fighters now"),
	NAT("damage_usd", UR_COLUMN_REAL, damage_usd, "USD",
	    "damage since hour 0 (cumulative)"),
};

#define REG(name, kind, member, unit, doc) \
	FIELD(ur_region_row, name, kind, member, false, false, unit, doc)
static const struct ur_column timeseries_columns[] = {
	CONTEXT("rep", UR_COLUMN_REP, false, "replication index"),
	CONTEXT("hour", UR_COLUMN_HOUR, false, "hours since `scenario.start`"),
	CONTEXT("time", UR_COLUMN_TIME, false,
		"the same instant, ISO 8601 with the scenario's offset"),
	CONTEXT("region", UR_COLUMN_REGION, false, "the region's id (`regions.[i].id`)"),
	REG("active", UR_COLUMN_COUNT, active, "persons", "persons active in the region now"),
	REG("held", UR_COLUMN_COUNT, held, "persons", "persons of the region in custody now"),
	REG("detained", UR_COLUMN_COUNT, detained, "persons",
	    "detained since hour 0 (cumulative)"),
	REG("killed", UR_COLUMN_COUNT, killed, "persons",
	    "deaths since hour 0, security personnel included (cumulative)"),
	REG("injured", UR_COLUMN_COUNT, injured, "persons", "injured since hour 0 (cumulative)"),
	REG("security", UR_COLUMN_REAL, security, "persons", "effective security persons C_r now"),
	REG("csto_troops", UR_COLUMN_COUNT, csto_troops, "persons",
	    "CSTO troops in the region now"),
	REG("internet", UR_COLUMN_NET_STATE, internet, "",
	    "the region's internet now: `on`, `throttled` or `off`"),
};

static const struct ur_column events_columns[] = {
	CONTEXT("rep", UR_COLUMN_REP, false, "replication index"),
	CONTEXT("hour", UR_COLUMN_HOUR, false, "when it happened"),
	CONTEXT("time", UR_COLUMN_TIME, false,
		"the same instant, ISO 8601 with the scenario's offset"),
	FIELD(ur_model_event, "event", UR_COLUMN_EVENT, kind, false, false, "",
	      "the kind of event, below"),
	CONTEXT("region", UR_COLUMN_REGION, true,
		"the region's id; empty for a national event"),
	FIELD(ur_model_event, "value", UR_COLUMN_REAL, value, true, false, "",
	      "the event's number, as its kind says; empty when it has none"),
	FIELD(ur_model_event, "detail", UR_COLUMN_TEXT, detail, true, false, "",
	      "free text, as its kind says; empty when none"),
};

/* point_series.csv: the statistics over a sweep point's replications of each metric
 * column of national.csv, in that table's order, UR_SERIES_STATS columns each
 * (ur_table_chosen_columns maps them back; tests/output checks the names). */
#define SERIES(metric, unit, what)                                                   \
	{metric "_mean", UR_COLUMN_REAL, 0, false, false, unit,                      \
	 "the mean over the point's replications of " what " (national.csv's `"      \
	 metric "`)"},                                                                \
	{metric "_p5", UR_COLUMN_REAL, 0, false, false, unit,                        \
	 "its 5th percentile over the replications"},                                 \
	{metric "_p50", UR_COLUMN_REAL, 0, false, false, unit, "its median"},        \
	{metric "_p95", UR_COLUMN_REAL, 0, false, false, unit,                       \
	 "its 95th percentile"}
static const struct ur_column point_series_columns[] = {
	CONTEXT("point", UR_COLUMN_UNSIGNED, false,
		"the sweep point, as in sweep.csv; the point's parameters follow it, one "
		"column each named by its path, as in sweep_stats.csv"),
	CONTEXT("hour", UR_COLUMN_HOUR, false,
		"hours since `scenario.start`: national.csv's sample times of the point"),
	CONTEXT("count", UR_COLUMN_UNSIGNED, false,
		"the point's replications done, over which the statistics are taken"),
	SERIES("active", "persons", "persons active now"),
	SERIES("held", "persons", "persons in custody now"),
	SERIES("detained", "persons", "persons detained since hour 0"),
	SERIES("killed", "persons", "deaths since hour 0"),
	SERIES("injured", "persons", "injured since hour 0"),
	SERIES("security", "persons", "effective security persons now"),
	SERIES("csto_troops", "persons", "CSTO troops in the country now"),
	SERIES("connectivity", "share, [0, 1]", "the mean internet connectivity c(t)"),
	SERIES("legitimacy", "share, [0, 1]", "the mean legitimacy L"),
	SERIES("facilities_held", "facilities", "key facilities held now"),
	SERIES("damage_usd", "USD", "damage since hour 0"),
};
/* Columns of point_series.csv before the statistics: point, hour, count. */
#define SERIES_FIRST 3

const char *const ur_series_stat_suffix[UR_SERIES_STATS] = {"mean", "p5", "p50", "p95"};
const double ur_series_stat_quantile[UR_SERIES_STATS] = {(double)NAN, 0.05, 0.50, 0.95};

const char *ur_table_file(enum ur_table table)
{
	switch (table) {
	case UR_TABLE_SUMMARY: return "summary.csv";
	case UR_TABLE_NATIONAL: return "national.csv";
	case UR_TABLE_TIMESERIES: return "timeseries.csv";
	case UR_TABLE_EVENTS: return "events.csv";
	case UR_TABLE_POINT_SERIES: return "point_series.csv";
	case UR_TABLE_COUNT: break;
	}
	assert(!"no such table");
	return NULL;
}

size_t ur_table_columns(enum ur_table table, const struct ur_column **columns)
{
	assert(columns);
	switch (table) {
	case UR_TABLE_SUMMARY:
		*columns = summary_columns;
		return COUNT_OF(summary_columns);
	case UR_TABLE_NATIONAL:
		*columns = national_columns;
		return COUNT_OF(national_columns);
	case UR_TABLE_TIMESERIES:
		*columns = timeseries_columns;
		return COUNT_OF(timeseries_columns);
	case UR_TABLE_EVENTS:
		*columns = events_columns;
		return COUNT_OF(events_columns);
	case UR_TABLE_POINT_SERIES:
		*columns = point_series_columns;
		return COUNT_OF(point_series_columns);
	case UR_TABLE_COUNT:
		break;
	}
	assert(!"no such table");
	*columns = NULL;
	return 0;
}

long ur_table_column_index(enum ur_table table, const char *name)
{
	assert(name);
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return (long)i;
	return -1;
}

bool ur_table_enabled(const struct ur_output_params *output, enum ur_table table)
{
	assert(output);
	switch (table) {
	case UR_TABLE_SUMMARY: return output->summary;
	case UR_TABLE_NATIONAL: return output->national;
	case UR_TABLE_TIMESERIES: return output->timeseries;
	case UR_TABLE_EVENTS: return output->events != UR_EVENTS_NONE;
	case UR_TABLE_POINT_SERIES: return false; /* a sweep's, never a run's */
	case UR_TABLE_COUNT: break;
	}
	assert(!"no such table");
	return false;
}

/* All of the table's columns as a mask. */
static uint64_t all_columns(enum ur_table table)
{
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	assert(n <= 64);
	return n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

uint64_t ur_table_key_columns(enum ur_table table)
{
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	uint64_t mask = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == UR_COLUMN_REP || c[i].kind == UR_COLUMN_HOUR ||
		    c[i].kind == UR_COLUMN_REGION)
			mask |= UINT64_C(1) << i;
	return mask;
}

uint64_t ur_table_default_columns(enum ur_table table)
{
	uint64_t mask = all_columns(table);
	if (table != UR_TABLE_TIMESERIES)
		return mask;
	/* The time as text repeats `hour` in 26 bytes a row, a third of a row of
	 * timeseries.csv and a row per region: it is there when asked for. national.csv,
	 * a row per sample, keeps it (tools read the run's dates from it). */
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == UR_COLUMN_TIME)
			mask &= ~(UINT64_C(1) << i);
	return mask;
}

uint64_t ur_table_series_metrics(const struct ur_output_params *output)
{
	assert(output);
	const struct ur_column *c;
	size_t n = ur_table_columns(UR_TABLE_NATIONAL, &c);
	uint64_t mask = ur_table_chosen_columns(output, UR_TABLE_NATIONAL) &
			~ur_table_key_columns(UR_TABLE_NATIONAL);
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == UR_COLUMN_TIME)
			mask &= ~(UINT64_C(1) << i);
	return mask;
}

/* point_series.csv's columns for the chosen metrics: point, hour, count, and the
 * statistics of each, the j-th metric column of national.csv (key and time columns
 * aside) owning columns SERIES_FIRST + UR_SERIES_STATS j onwards. */
static uint64_t series_columns(const struct ur_output_params *output)
{
	const struct ur_column *c;
	size_t n = ur_table_columns(UR_TABLE_NATIONAL, &c);
	uint64_t metrics = ur_table_series_metrics(output);
	uint64_t skip = ur_table_key_columns(UR_TABLE_NATIONAL);
	uint64_t mask = (UINT64_C(1) << SERIES_FIRST) - 1;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if ((skip & (UINT64_C(1) << i)) || c[i].kind == UR_COLUMN_TIME)
			continue;
		if (metrics & (UINT64_C(1) << i))
			for (size_t s = 0; s < UR_SERIES_STATS; s++)
				mask |= UINT64_C(1) << (SERIES_FIRST + UR_SERIES_STATS * j + s);
		j++;
	}
	assert(SERIES_FIRST + UR_SERIES_STATS * j == COUNT_OF(point_series_columns));
	return mask;
}

uint64_t ur_table_chosen_columns(const struct ur_output_params *output,
				 enum ur_table table)
{
	assert(output);
	if (table == UR_TABLE_POINT_SERIES)
		return series_columns(output);
	const struct ur_column_set *set = table == UR_TABLE_NATIONAL ? &output->national_columns
					  : table == UR_TABLE_TIMESERIES ? &output->timeseries_columns
									 : NULL;
	if (!set)
		return table == UR_TABLE_SUMMARY ? ur_table_summary_columns(false)
						 : all_columns(table);
	if (!set->given)
		return ur_table_default_columns(table);
	/* The loader took only names of the table. */
	uint64_t mask = ur_table_key_columns(table);
	for (size_t i = 0; i < set->n; i++) {
		long c = ur_table_column_index(table, set->names[i]);
		assert(c >= 0);
		if (c >= 0)
			mask |= UINT64_C(1) << c;
	}
	return mask;
}

uint64_t ur_table_summary_columns(bool posterior)
{
	uint64_t mask = all_columns(UR_TABLE_SUMMARY);
	if (posterior)
		return mask;
	const struct ur_column *c;
	size_t n = ur_table_columns(UR_TABLE_SUMMARY, &c);
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == UR_COLUMN_POSTERIOR_ROW)
			mask &= ~(UINT64_C(1) << i);
	return mask;
}

uint64_t ur_table_run_columns(const struct ur_params *params, enum ur_table table)
{
	assert(params);
	if (table == UR_TABLE_SUMMARY)
		return ur_table_summary_columns(params->scenario.posterior[0] != '\0');
	return ur_table_chosen_columns(&params->output, table);
}

void ur_table_header_chosen(struct ur_csv *csv, enum ur_table table, uint64_t chosen)
{
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	for (size_t i = 0; i < n; i++)
		if (chosen & (UINT64_C(1) << i))
			ur_csv_text(csv, c[i].name);
	ur_csv_end_row(csv);
}

void ur_table_header(struct ur_csv *csv, enum ur_table table)
{
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	for (size_t i = 0; i < n; i++)
		ur_csv_text(csv, c[i].name);
	ur_csv_end_row(csv);
}

const char *ur_column_type(enum ur_column_kind kind)
{
	switch (kind) {
	case UR_COLUMN_REP:
	case UR_COLUMN_UNSIGNED:
	case UR_COLUMN_UINT64:
	case UR_COLUMN_POSTERIOR_ROW:
		return "integer";
	case UR_COLUMN_COUNT:
		return "count";
	case UR_COLUMN_HOUR:
	case UR_COLUMN_REAL:
		return "real";
	case UR_COLUMN_TIME:
	case UR_COLUMN_REGION:
	case UR_COLUMN_HEX:
	case UR_COLUMN_OUTCOME:
	case UR_COLUMN_NET_STATE:
	case UR_COLUMN_EVENT:
	case UR_COLUMN_TEXT:
	case UR_COLUMN_ONSETS:
	case UR_COLUMN_ACTION_HOURS:
		return "text";
	}
	assert(!"no such kind");
	return "";
}

int ur_table_write_doc(enum ur_table table, FILE *f)
{
	assert(f);
	const struct ur_column *c;
	size_t n = ur_table_columns(table, &c);
	fputs("| column | type | unit | meaning |\n| --- | --- | --- | --- |\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "| `%s` | %s | %s%s| %s |\n", c[i].name, ur_column_type(c[i].kind),
			c[i].unit, c[i].unit[0] ? " " : "", c[i].doc);
	return ferror(f) ? -1 : 0;
}

/* ---- checking a field ------------------------------------------------------------------ */

static bool is_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A whole number >= 0 as ur_csv_int writes it: digits, no sign, no leading zero. */
static bool is_whole(const char *s, size_t len)
{
	return is_digits(s, len) && (len == 1 || s[0] != '0') && len <= 20;
}

/* A number as ur_csv_real writes it (strtod reads all of it), or inf/-inf. Hand
 * checked before strtod so that hex floats, "nan" and spaces are refused. */
static bool is_number(const char *s, size_t len, double *value)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "inf") == 0 || strcmp(buf, "-inf") == 0) {
		*value = buf[0] == '-' ? -(double)INFINITY : (double)INFINITY;
		return true;
	}
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789.eE+-", buf[i]))
			return false;
	char *end;
	errno = 0;
	*value = strtod(buf, &end);
	return end == buf + len && !isnan(*value);
}

static bool is_hex64(const char *s, size_t len)
{
	if (len != 18 || s[0] != '0' || s[1] != 'x')
		return false;
	for (size_t i = 2; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static bool is_name(const char *s, size_t len, const char *(*name)(int), int count)
{
	for (int i = 0; i < count; i++) {
		const char *n = name(i);
		if (n && strlen(n) == len && strncmp(n, s, len) == 0)
			return true;
	}
	return false;
}

static const char *outcome_name(int i) { return ur_outcome_name((enum ur_outcome)i); }
static const char *net_state_name(int i) { return ur_net_state_name((enum ur_net_state)i); }

int ur_column_check(const struct ur_column *column, const char *s, size_t len, char *why,
		    size_t size)
{
	assert(column && (s || len == 0) && why);
	if (len == 0) {
		if (column->optional)
			return 0;
		snprintf(why, size, "a value (the column is never empty)");
		return -1;
	}
	double v;
	bool ok = true;
	const char *expected = "";
	switch (column->kind) {
	case UR_COLUMN_REP:
	case UR_COLUMN_UNSIGNED:
	case UR_COLUMN_UINT64:
		ok = is_whole(s, len);
		expected = "a whole number >= 0";
		break;
	case UR_COLUMN_POSTERIOR_ROW:
		ok = is_whole(s, len) && !(len == 1 && s[0] == '0');
		expected = "a whole number >= 1";
		break;
	case UR_COLUMN_COUNT:
		/* A count is written as a whole number of persons (output.h). */
		ok = is_whole(s, len);
		expected = "a count of persons (a whole number >= 0)";
		break;
	case UR_COLUMN_HOUR:
		ok = is_number(s, len, &v) && v >= 0;
		expected = "an hour (a number >= 0)";
		break;
	case UR_COLUMN_REAL:
		ok = is_number(s, len, &v);
		expected = "a number";
		break;
	case UR_COLUMN_HEX:
		ok = is_hex64(s, len);
		expected = "0x and 16 hex digits";
		break;
	case UR_COLUMN_OUTCOME:
		ok = is_name(s, len, outcome_name, UR_OUTCOME_COUNT);
		expected = "order_restored, elite_prevails, regime_collapse or unresolved";
		break;
	case UR_COLUMN_NET_STATE:
		ok = is_name(s, len, net_state_name, UR_NET_STATE_COUNT);
		expected = "on, throttled or off";
		break;
	case UR_COLUMN_ONSETS:
		ok = ur_onsets_parse(s, len, NULL, NULL) == 0;
		expected = "ID=HOUR pairs joined by ';' (a region id, an hour >= 0)";
		break;
	case UR_COLUMN_ACTION_HOURS:
		ok = ur_onsets_parse(s, len, NULL, NULL) == 0;
		expected = "ID=HOUR pairs joined by ';' (an action id, an hour >= 0)";
		break;
	case UR_COLUMN_TIME:
	case UR_COLUMN_REGION:
	case UR_COLUMN_EVENT:
	case UR_COLUMN_TEXT:
		break;
	}
	if (!ok)
		snprintf(why, size, "%s", expected);
	return ok ? 0 : -1;
}

int ur_onsets_parse(const char *s, size_t len, ur_onset_fn each, void *context)
{
	assert(s || len == 0);
	size_t i = 0;
	while (i < len) {
		/* ID: a scenario's id (params.h, ur_id_length). */
		size_t id = i;
		size_t idlen = ur_id_length(s + i, len - i);
		i += idlen;
		if (idlen == 0 || idlen >= UR_ID_SIZE || i == len || s[i] != '=')
			return -1;
		size_t hour = ++i;
		while (i < len && s[i] != ';')
			i++;
		double v;
		if (!is_number(s + hour, i - hour, &v) || !isfinite(v) || !(v >= 0))
			return -1;
		if (each) {
			char name[UR_ID_SIZE];
			memcpy(name, s + id, idlen);
			name[idlen] = '\0';
			if (each(context, name, v) != 0)
				return -1;
		}
		if (i < len && ++i == len) /* a trailing ';' */
			return -1;
	}
	return 0;
}
