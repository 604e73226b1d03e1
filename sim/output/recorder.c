/*
 * recorder.c: the tables of a run (their files and columns) and the recorder, the
 * model's observer that turns one replication's samples, events and summary into CSV
 * rows in memory (see output.h; docs/output.md describes every column).
 */
#include "unrest/output.h"

#include <assert.h>

#include "unrest/rng.h"
#include "unrest/scenario.h"

static const char *const summary_columns[] = {
	"rep", "seed", "outcome", "peak_active", "peak_hour", "regions_joined", "killed",
	"killed_security", "injured", "detained", "damage_usd", "shutdown_region_hours",
	"csto_request_hour", "csto_troops_peak", "order_restored_hour", "events",
	"fingerprint",
};

static const char *const national_columns[] = {
	"rep", "hour", "time", "active", "held", "detained", "killed", "injured",
	"security", "csto_troops", "connectivity", "legitimacy", "facilities_held",
	"damage_usd",
};

static const char *const timeseries_columns[] = {
	"rep", "hour", "time", "region", "active", "held", "detained", "killed", "injured",
	"security", "csto_troops", "internet",
};

static const char *const events_columns[] = {
	"rep", "hour", "time", "event", "region", "value", "detail",
};

#define COUNT_OF(a) (sizeof (a) / sizeof (a)[0])

const char *ur_table_file(enum ur_table table)
{
	switch (table) {
	case UR_TABLE_SUMMARY: return "summary.csv";
	case UR_TABLE_NATIONAL: return "national.csv";
	case UR_TABLE_TIMESERIES: return "timeseries.csv";
	case UR_TABLE_EVENTS: return "events.csv";
	case UR_TABLE_COUNT: break;
	}
	assert(!"no such table");
	return NULL;
}

size_t ur_table_columns(enum ur_table table, const char *const **names)
{
	assert(names);
	switch (table) {
	case UR_TABLE_SUMMARY:
		*names = summary_columns;
		return COUNT_OF(summary_columns);
	case UR_TABLE_NATIONAL:
		*names = national_columns;
		return COUNT_OF(national_columns);
	case UR_TABLE_TIMESERIES:
		*names = timeseries_columns;
		return COUNT_OF(timeseries_columns);
	case UR_TABLE_EVENTS:
		*names = events_columns;
		return COUNT_OF(events_columns);
	case UR_TABLE_COUNT:
		break;
	}
	assert(!"no such table");
	*names = NULL;
	return 0;
}

bool ur_table_enabled(const struct ur_output_params *output, enum ur_table table)
{
	assert(output);
	switch (table) {
	case UR_TABLE_SUMMARY: return output->summary;
	case UR_TABLE_NATIONAL: return output->national;
	case UR_TABLE_TIMESERIES: return output->timeseries;
	case UR_TABLE_EVENTS: return output->events != UR_EVENTS_NONE;
	case UR_TABLE_COUNT: break;
	}
	assert(!"no such table");
	return false;
}

/* A 64-bit value as "0x" and 16 hex digits: seeds and fingerprints are read as text
 * by CSV readers, which would turn a large decimal into an inexact double. */
static void csv_hex(struct ur_csv *csv, uint64_t value)
{
	char text[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(value, text);
	ur_csv_text(csv, text);
}

void ur_csv_summary_fields(struct ur_csv *csv, uint64_t replication,
			   const struct ur_model_summary *s)
{
	assert(csv && s);
	const char *outcome = ur_outcome_name(s->outcome);
	assert(outcome);
	ur_csv_int(csv, (int64_t)replication);
	csv_hex(csv, s->replication_seed);
	ur_csv_text(csv, outcome ? outcome : "");
	ur_csv_count(csv, s->peak_active);
	ur_csv_real(csv, s->peak_hour);
	ur_csv_int(csv, s->regions_joined);
	ur_csv_count(csv, s->killed);
	ur_csv_count(csv, s->killed_security);
	ur_csv_count(csv, s->injured);
	ur_csv_count(csv, s->detained);
	ur_csv_real(csv, s->damage_usd);
	ur_csv_real(csv, s->shutdown_region_hours);
	ur_csv_real(csv, s->csto_request_hour);
	ur_csv_count(csv, s->csto_troops_peak);
	ur_csv_real(csv, s->order_restored_hour);
	/* Below 2^63 in any run that ends in this century. */
	ur_csv_int(csv, (int64_t)s->events);
	csv_hex(csv, s->fingerprint);
}

void ur_recorder_init(struct ur_recorder *rec, const struct ur_params *params)
{
	assert(rec && params);
	rec->params = params;
	rec->replication = 0;
	for (int t = 0; t < UR_TABLE_COUNT; t++)
		ur_csv_init(&rec->table[t]);
}

void ur_recorder_finish(struct ur_recorder *rec)
{
	if (!rec)
		return;
	for (int t = 0; t < UR_TABLE_COUNT; t++)
		ur_csv_finish(&rec->table[t]);
}

void ur_recorder_begin(struct ur_recorder *rec, uint64_t replication)
{
	assert(rec && rec->params);
	rec->replication = replication;
	for (int t = 0; t < UR_TABLE_COUNT; t++)
		ur_csv_clear(&rec->table[t]);
}

bool ur_recorder_failed(const struct ur_recorder *rec)
{
	assert(rec);
	for (int t = 0; t < UR_TABLE_COUNT; t++)
		if (rec->table[t].failed)
			return true;
	return false;
}

/* The rep, hour and time fields that open a row of national, timeseries and events. */
static void row_start(struct ur_csv *csv, const struct ur_recorder *rec, double hour,
		      const char *time)
{
	ur_csv_int(csv, (int64_t)rec->replication);
	ur_csv_real(csv, hour);
	ur_csv_text(csv, time);
}

static int on_sample(void *context, const struct ur_model_sample *sample)
{
	struct ur_recorder *rec = context;
	const struct ur_params *p = rec->params;
	char time[UR_TIME_TEXT_SIZE];
	ur_time_format(&p->scenario, sample->hour, time);

	if (p->output.national) {
		struct ur_csv *csv = &rec->table[UR_TABLE_NATIONAL];
		const struct ur_national_row *n = &sample->national;
		row_start(csv, rec, sample->hour, time);
		ur_csv_count(csv, n->active);
		ur_csv_count(csv, n->held);
		ur_csv_count(csv, n->detained);
		ur_csv_count(csv, n->killed);
		ur_csv_count(csv, n->injured);
		ur_csv_real(csv, n->security);
		ur_csv_count(csv, n->csto_troops);
		ur_csv_real(csv, n->connectivity);
		ur_csv_real(csv, n->legitimacy);
		ur_csv_int(csv, n->facilities_held);
		ur_csv_real(csv, n->damage_usd);
		ur_csv_end_row(csv);
	}
	if (p->output.timeseries) {
		struct ur_csv *csv = &rec->table[UR_TABLE_TIMESERIES];
		assert(sample->nregions == p->nregions);
		for (size_t r = 0; r < sample->nregions; r++) {
			const struct ur_region_row *row = &sample->regions[r];
			const char *internet = ur_net_state_name(row->internet);
			assert(internet);
			row_start(csv, rec, sample->hour, time);
			ur_csv_text(csv, p->regions[r].id);
			ur_csv_count(csv, row->active);
			ur_csv_count(csv, row->held);
			ur_csv_count(csv, row->detained);
			ur_csv_count(csv, row->killed);
			ur_csv_count(csv, row->injured);
			ur_csv_real(csv, row->security);
			ur_csv_count(csv, row->csto_troops);
			ur_csv_text(csv, internet ? internet : "");
			ur_csv_end_row(csv);
		}
	}
	return ur_recorder_failed(rec) ? -1 : 0;
}

static int on_event(void *context, const struct ur_model_event *event)
{
	struct ur_recorder *rec = context;
	const struct ur_params *p = rec->params;
	if (p->output.events == UR_EVENTS_NONE)
		return 0;
	char time[UR_TIME_TEXT_SIZE];
	ur_time_format(&p->scenario, event->hour, time);
	const char *name = event->name ? event->name : ur_model_event_name(event->kind);
	assert(name);
	assert(event->region == UR_NONE ||
	       (event->region >= 0 && (size_t)event->region < p->nregions));

	struct ur_csv *csv = &rec->table[UR_TABLE_EVENTS];
	row_start(csv, rec, event->hour, time);
	ur_csv_text(csv, name ? name : "");
	if (event->region >= 0 && (size_t)event->region < p->nregions)
		ur_csv_text(csv, p->regions[event->region].id);
	else
		ur_csv_empty(csv);
	ur_csv_real(csv, event->value);
	ur_csv_text(csv, event->detail ? event->detail : "");
	ur_csv_end_row(csv);
	return ur_recorder_failed(rec) ? -1 : 0;
}

static int on_summary(void *context, const struct ur_model_summary *summary)
{
	struct ur_recorder *rec = context;
	if (rec->params->output.summary) {
		struct ur_csv *csv = &rec->table[UR_TABLE_SUMMARY];
		ur_csv_summary_fields(csv, rec->replication, summary);
		ur_csv_end_row(csv);
	}
	return ur_recorder_failed(rec) ? -1 : 0;
}

struct ur_observer ur_recorder_observer(struct ur_recorder *rec)
{
	assert(rec && rec->params);
	return (struct ur_observer){
		.context = rec,
		.sample = on_sample,
		.event = on_event,
		.summary = on_summary,
	};
}
