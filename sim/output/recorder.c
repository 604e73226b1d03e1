/*
 * recorder.c: the recorder, the model's observer that turns one replication's samples,
 * events and summary into CSV rows in memory, each row written by walking its table's
 * columns (columns.c; output.h), never by a list of calls of its own.
 *
 * Speed. Formatting numbers is most of what writing costs (docs/output.md, the output
 * benchmark), and most real fields of the sample files repeat from one sample to the
 * next (a region's security forces, legitimacy, connectivity change at events, not at
 * every sample). So the recorder keeps, per table, region and column, the last value
 * it formatted and its text, and writes the text again when the value's bits are the
 * same: the text is a function of the value alone, so the bytes do not change. The
 * sample's hour is formatted once for all its rows, as its time is.
 */
#include "unrest/output.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unrest/rng.h"
#include "unrest/scenario.h"

/* A 64-bit value as "0x" and 16 hex digits: seeds and fingerprints are read as text
 * by CSV readers, which would turn a large decimal into an inexact double. */
static void csv_hex(struct ur_csv *csv, uint64_t value)
{
	char text[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(value, text);
	ur_csv_text(csv, text);
}

/* The last real a memo slot formatted, and its text. */
struct ur_real_memo {
	uint64_t bits;          /* the value's bits; valid only when len > 0 */
	size_t len;             /* 0: nothing yet (an empty text is not kept) */
	char text[UR_REAL_TEXT_SIZE];
};

/* Columns per memo row: a table has at most 64. */
#define MEMO_COLUMNS 64

/* What a row's context columns show: the replication, the row's hour and its time
 * as text, and the region (an index into params->regions, or UR_NONE); the row's memo
 * slots (MEMO_COLUMNS of them, or NULL) and the hour's text (or NULL). */
struct row_context {
	uint64_t replication;
	double hour;
	const char *time;
	const struct ur_params *params;
	int region;
	struct ur_real_memo *memo;
	const char *hour_text;
	size_t hour_len;
	uint64_t posterior_row;
};

/* A real field through the memo slot (or formatted, without one). */
static void memo_real(struct ur_csv *csv, struct ur_real_memo *slot, double value)
{
	if (!slot) {
		ur_csv_real(csv, value);
		return;
	}
	uint64_t bits;
	memcpy(&bits, &value, sizeof bits);
	if (slot->len == 0 || slot->bits != bits) {
		slot->len = ur_format_quantity(value, slot->text); /* as ur_csv_real */
		slot->bits = bits;
		if (slot->len == 0) { /* NaN: an empty field, nothing to keep */
			ur_csv_empty(csv);
			return;
		}
	}
	ur_csv_field(csv, slot->text, slot->len);
}

/* The id of region or action i, for write_id_hours. */
static const char *region_id(const struct ur_params *params, size_t i)
{
	return params->regions[i].id;
}

static const char *action_id(const struct ur_params *params, size_t i)
{
	return params->government.actions[i].id;
}

/* An ID=HOUR field: for each of the n things whose hour is not NaN, in the scenario's
 * order, its id and hour joined by ';' (ids hold no ';' or '=':
 * [A-Za-z_][A-Za-z0-9_-]*); the hours exact (ur_format_real), so that a reader
 * counting the regions by an hour gets the model's count. Empty when none. Used for
 * region_onsets (each region that reached outcomes.region_active) and action_hours
 * (each government action that took effect). */
enum { ID_HOURS_MAX = UR_MAX_REGIONS > UR_MAX_ACTIONS ? UR_MAX_REGIONS : UR_MAX_ACTIONS };
static void write_id_hours(struct ur_csv *csv, const struct ur_params *params,
			   const double *hours, size_t n,
			   const char *(*id_of)(const struct ur_params *, size_t))
{
	char text[ID_HOURS_MAX * (UR_ID_SIZE + UR_REAL_TEXT_SIZE + 2) + 1];
	size_t len = 0;
	assert(n <= ID_HOURS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (isnan(hours[i]))
			continue;
		char hour[UR_REAL_TEXT_SIZE];
		ur_format_real(hours[i], hour);
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%s=%s",
					len ? ";" : "", id_of(params, i), hour);
	}
	ur_csv_field(csv, text, len);
}

/* Writes the fields of one row: each column of the table, from the context or from the
 * field at its offset in `row` (the table's row struct). */
static void write_fields(struct ur_csv *csv, enum ur_table table, uint64_t chosen,
			 const void *row, const struct row_context *ctx)
{
	const struct ur_column *columns;
	size_t n = ur_table_columns(table, &columns);
	const char *base = row;
	for (size_t i = 0; i < n; i++) {
		if (!(chosen & (UINT64_C(1) << i)))
			continue;
		const struct ur_column *c = &columns[i];
		const void *field = base + c->offset;
		switch (c->kind) {
		case UR_COLUMN_REP:
			ur_csv_int(csv, (int64_t)ctx->replication);
			break;
		case UR_COLUMN_HOUR:
			if (ctx->hour_text)
				ur_csv_field(csv, ctx->hour_text, ctx->hour_len);
			else
				ur_csv_real(csv, ctx->hour);
			break;
		case UR_COLUMN_TIME:
			ur_csv_text(csv, ctx->time);
			break;
		case UR_COLUMN_REGION:
			if (ctx->region >= 0 && (size_t)ctx->region < ctx->params->nregions)
				ur_csv_text(csv, ctx->params->regions[ctx->region].id);
			else
				ur_csv_empty(csv);
			break;
		case UR_COLUMN_UNSIGNED:
			ur_csv_int(csv, *(const unsigned *)field);
			break;
		case UR_COLUMN_UINT64:
			/* Below 2^63 in any run that ends in this century. */
			ur_csv_int(csv, (int64_t)*(const uint64_t *)field);
			break;
		case UR_COLUMN_COUNT:
			ur_csv_count(csv, *(const double *)field);
			break;
		case UR_COLUMN_REAL:
			memo_real(csv, ctx->memo ? &ctx->memo[i] : NULL, *(const double *)field);
			break;
		case UR_COLUMN_HEX:
			csv_hex(csv, *(const uint64_t *)field);
			break;
		case UR_COLUMN_OUTCOME: {
			const char *name = ur_outcome_name(*(const enum ur_outcome *)field);
			assert(name);
			ur_csv_text(csv, name ? name : "");
			break;
		}
		case UR_COLUMN_NET_STATE: {
			const char *name = ur_net_state_name(*(const enum ur_net_state *)field);
			assert(name);
			ur_csv_text(csv, name ? name : "");
			break;
		}
		case UR_COLUMN_EVENT: {
			const struct ur_model_event *e = row;
			const char *name = e->name ? e->name : ur_model_event_name(e->kind);
			assert(name);
			ur_csv_text(csv, name ? name : "");
			break;
		}
		case UR_COLUMN_TEXT: {
			const char *text = *(const char *const *)field;
			ur_csv_text(csv, text ? text : "");
			break;
		}
		case UR_COLUMN_ONSETS: {
			const struct ur_model_summary *s = row;
			assert(s->nregions <= ctx->params->nregions);
			write_id_hours(csv, ctx->params, s->region_onset, s->nregions, region_id);
			break;
		}
		case UR_COLUMN_ACTION_HOURS: {
			const struct ur_model_summary *s = row;
			assert(s->nactions <= ctx->params->government.nactions);
			write_id_hours(csv, ctx->params, s->action_hour, s->nactions, action_id);
			break;
		}
		case UR_COLUMN_POSTERIOR_ROW:
			ur_csv_int(csv, (int64_t)ctx->posterior_row);
			break;
		}
	}
}

void ur_csv_summary_fields(struct ur_csv *csv, const struct ur_params *params,
			   uint64_t replication, const struct ur_model_summary *s,
			   uint64_t posterior_row)
{
	assert(csv && params && s);
	struct row_context ctx = {.replication = replication, .params = params,
				  .region = UR_NONE, .posterior_row = posterior_row};
	write_fields(csv, UR_TABLE_SUMMARY, ur_table_summary_columns(posterior_row > 0), s,
		     &ctx);
}
void ur_recorder_init(struct ur_recorder *rec, const struct ur_params *params)
{
	assert(rec && params);
	rec->params = params;
	rec->replication = 0;
	rec->posterior_row = 0;
	for (int t = 0; t < UR_TABLE_COUNT; t++) {
		ur_csv_init(&rec->table[t]);
		rec->chosen[t] = ur_table_run_columns(params, (enum ur_table)t);
	}
	rec->timeseries_every = ur_timeseries_every(params);
	/* Memo rows: national.csv's, then one per region for timeseries.csv. Without
	 * memory for them, the fields are formatted each time: the same bytes. */
	rec->memo_slots = (params->nregions + 1) * MEMO_COLUMNS;
	rec->memo = calloc(rec->memo_slots, sizeof *rec->memo);
	if (!rec->memo)
		rec->memo_slots = 0;
	rec->time_text = false;
	for (int t = UR_TABLE_NATIONAL; t <= UR_TABLE_TIMESERIES; t++) {
		long c = ur_table_column_index((enum ur_table)t, "time");
		if (c >= 0 && (rec->chosen[t] & (UINT64_C(1) << c)))
			rec->time_text = true;
	}
}

void ur_recorder_finish(struct ur_recorder *rec)
{
	if (!rec)
		return;
	for (int t = 0; t < UR_TABLE_COUNT; t++)
		ur_csv_finish(&rec->table[t]);
	free(rec->memo);
	rec->memo = NULL;
}

void ur_recorder_begin(struct ur_recorder *rec, uint64_t replication)
{
	assert(rec && rec->params);
	rec->replication = replication;
	rec->posterior_row = 0;
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

static int on_sample(void *context, const struct ur_model_sample *sample)
{
	struct ur_recorder *rec = context;
	const struct ur_params *p = rec->params;
	/* The time as text once per sample, and only when a chosen column shows it. */
	char time[UR_TIME_TEXT_SIZE] = "";
	if (rec->time_text)
		ur_time_format(&p->scenario, sample->hour, time);
	char hour[UR_REAL_TEXT_SIZE];
	size_t hour_len = ur_format_quantity(sample->hour, hour); /* as ur_csv_real */
	struct row_context ctx = {rec->replication, sample->hour, time, p, UR_NONE,
				  rec->memo, hour, hour_len, rec->posterior_row};

	if (p->output.national) {
		struct ur_csv *csv = &rec->table[UR_TABLE_NATIONAL];
		write_fields(csv, UR_TABLE_NATIONAL, rec->chosen[UR_TABLE_NATIONAL],
			     &sample->national, &ctx);
		ur_csv_end_row(csv);
	}
	/* Samples are at k sample_interval and at the horizon (model.h); the regions'
	 * rows are every timeseries_every-th of them, and the horizon's. */
	double k = nearbyint(sample->hour / p->scenario.sample_interval_h);
	bool due = sample->hour >= p->scenario.horizon_h ||
		   fmod(k, (double)rec->timeseries_every) == 0.0;
	if (p->output.timeseries && due) {
		struct ur_csv *csv = &rec->table[UR_TABLE_TIMESERIES];
		assert(sample->nregions == p->nregions);
		const struct ur_region_set *regions = &p->output.regions;
		for (size_t i = 0; i < regions->n; i++) {
			size_t r = (size_t)regions->idx[i];
			assert(r < sample->nregions);
			ctx.region = (int)r;
			ctx.memo = rec->memo ? rec->memo + (r + 1) * MEMO_COLUMNS : NULL;
			write_fields(csv, UR_TABLE_TIMESERIES, rec->chosen[UR_TABLE_TIMESERIES],
				     &sample->regions[r], &ctx);
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
	assert(event->region == UR_NONE ||
	       (event->region >= 0 && (size_t)event->region < p->nregions));
	struct row_context ctx = {rec->replication, event->hour, time, p, event->region,
				  NULL, NULL, 0, rec->posterior_row};
	struct ur_csv *csv = &rec->table[UR_TABLE_EVENTS];
	write_fields(csv, UR_TABLE_EVENTS, rec->chosen[UR_TABLE_EVENTS], event, &ctx);
	ur_csv_end_row(csv);
	return ur_recorder_failed(rec) ? -1 : 0;
}
static int on_summary(void *context, const struct ur_model_summary *summary)
{
	struct ur_recorder *rec = context;
	if (rec->params->output.summary) {
		struct ur_csv *csv = &rec->table[UR_TABLE_SUMMARY];
		ur_csv_summary_fields(csv, rec->params, rec->replication, summary,
				      rec->posterior_row);
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
