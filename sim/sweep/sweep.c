/*
 * sweep.c: running a sweep's units on worker threads into a folder, resuming, merging
 * shard folders, and the statistics of sweep_stats.csv (see sweep.h).
 *
 * Every unit's sweep.csv row is kept in memory, indexed by unit, until the folder is
 * written; the folder is always written whole from that table (scenario.cfg, sweep.cfg,
 * sweep.csv in unit order, sweep_stats.csv computed from the rows' text, manifest.cfg),
 * so the files depend only on which units are done, not on the order in which threads
 * finished them nor on how they were split into shards. This is the run driver's
 * ordered output (sim/run/run.c) without its bounded ring: the statistics need every
 * row of a point, and a checkpoint rewrites the folder, so the rows are kept anyway
 * (about 250 bytes a unit). A checkpoint commits the folder every options.checkpoint_s
 * seconds while units run, so a killed sweep resumes from its last checkpoint; the
 * folder is taken before the first unit and held (locked) to the end, and every
 * commit goes through that one struct ur_output, which replaces the manifest only by a
 * rename (output.h). Rows read back (resume, merge) are checked field by field against
 * summary.csv's column table and the design before any is used.
 *
 * With output.point_series each unit also keeps its national series (a double per
 * sample and metric, about 48 KiB a unit of the reference scenario), written to
 * sweep_national.csv with round-trip digits; point_series.csv's means and percentiles
 * are computed from them at every commit, never accumulated, so that they are exact and
 * the same bytes however the units were split, and read back (resume, merge) checked
 * like sweep.csv's rows.
 */
#include "unrest/sweep.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sweep_internal.h"
#include "unrest/output.h"
#include "unrest/posterior.h"
#include "unrest/rng.h"

enum unit_status { UNIT_NONE, UNIT_DONE, UNIT_FAILED };

struct unit {
	char *row;              /* its sweep.csv row with LF (done units) */
	char *reason;           /* why it failed (failed units) */
	double *series;         /* output.point_series (done units): nsamples samples of
				 * 1 + the series' metrics each, the hour then the
				 * metrics in national.csv's order, exactly as the model
				 * gave them */
	uint32_t nsamples;
	unsigned char status;   /* enum unit_status */
	bool out_of_memory;     /* the sweep must stop */
};

/* The national series a sweep keeps per unit (output.point_series): which of
 * national.csv's columns, and how point_series.csv is written. */
struct series_spec {
	bool on;
	uint64_t metrics;                  /* ur_table_series_metrics: national.csv's
					    * columns */
	size_t nmetrics;
	uint64_t columns;                  /* point_series.csv's chosen columns */
	bool gzip;                         /* point_series.csv.gz */
};

static struct series_spec series_spec(const struct ur_output_params *output)
{
	struct series_spec sp = {.on = output->point_series};
	if (!sp.on)
		return sp;
	sp.metrics = ur_table_series_metrics(output);
	for (uint64_t m = sp.metrics; m; m &= m - 1)
		sp.nmetrics++;
	sp.columns = ur_table_chosen_columns(output, UR_TABLE_POINT_SERIES);
	sp.gzip = output->compress == UR_COMPRESS_GZIP;
	return sp;
}

/* What the folder's files are made of: the sweep's identity and its units. */
struct folder {
	const char *sweep_text, *scenario_text;
	uint64_t hash, seed, replications;
	bool independent;                  /* seeds = "independent" */
	const char *posterior;             /* the scenario's posterior, or NULL: rows
					    * then have no posterior_row */
	uint64_t posterior_checksum;
	size_t npoints, nparams;
	const char *const *paths;
	const struct ur_sweep_value *values;
	struct unit *units;                /* npoints x replications */
	const unsigned char *status;       /* snapshot of units[].status to write */
	struct series_spec series;
	/* manifest */
	const char *version, *command, *sweep_path;
	int argc;
	const char *const *argv;
};

static void set_message(struct ur_sweep_result *r, enum ur_run_status status,
			const char *text)
{
	r->status = status;
	snprintf(r->message, sizeof r->message, "%s", text);
}

/* ---- CSV rows read back ------------------------------------------------------------- */

struct field {
	const char *start;
	size_t len;
	bool quoted;
};

/* Splits one row (up to its LF or the end) into fields; quoted fields keep their
 * doubled quotes (the callers compare numbers and outcome names, which have none).
 * Returns the number of fields, stopping at max; *next is set after the LF. Written by
 * hand: neither GSL nor libconfig reads CSV. */
static size_t split_row(const char *s, const char *end, struct field *f, size_t max,
			const char **next)
{
	size_t n = 0;
	for (;;) {
		struct field cur = {s, 0, false};
		if (s < end && *s == '"') {
			cur.quoted = true;
			cur.start = ++s;
			while (s < end && !(*s == '"' && (s + 1 >= end || s[1] != '"')))
				s += (*s == '"') ? 2 : 1;
			cur.len = (size_t)(s - cur.start);
			if (s < end)
				s++;
		} else {
			while (s < end && *s != ',' && *s != '\n')
				s++;
			cur.len = (size_t)(s - cur.start);
		}
		if (n < max)
			f[n] = cur;
		n++;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '\n')
			s++;
		*next = s;
		return n < max ? n : max;
	}
}

size_t ur_sweep_split_line(char *line, char **fields, size_t max)
{
	assert(line && (fields || max == 0));
	size_t n = 0;
	for (char *s = line;;) {
		char *start = s, *out = s;
		if (*s == '"') {
			/* Unquoted into place: the text only shrinks, so out never passes s. */
			for (s++; *s; ) {
				if (*s == '"' && s[1] != '"') {
					s++;
					break;
				}
				*out++ = *s;
				s += *s == '"' ? 2 : 1;
			}
			while (*s && *s != ',')  /* text after the closing quote: kept */
				*out++ = *s++;
		} else {
			while (*s && *s != ',')
				s++;
			out = s;
		}
		bool more = *s == ',';
		*out = '\0';
		if (n < max)
			fields[n++] = start;
		if (!more || n == max)
			return n;
		s++;
	}
}

/* A field as a number; NaN for an empty or non-numeric one. */
static double field_number(const struct field *f)
{
	char buf[64];
	if (f->len == 0 || f->len >= sizeof buf || f->quoted)
		return (double)NAN;
	memcpy(buf, f->start, f->len);
	buf[f->len] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	return *end == '\0' ? v : (double)NAN;
}

static bool field_count(const struct field *f, uint64_t *value)
{
	double v = field_number(f);
	if (!(v >= 0) || v != floor(v) || v > 9.0e15)
		return false;
	*value = (uint64_t)v;
	return true;
}

/* ---- the statistics ---------------------------------------------------------------- */

static void point_fields(struct ur_csv *csv, const struct folder *F, size_t p)
{
	ur_csv_int(csv, (int64_t)p);
	for (size_t j = 0; j < F->nparams; j++)
		sw_csv_value(csv, &F->values[p * F->nparams + j]);
}

/* Splits unit u's row (validated when read or made: every field is where summary.csv's
 * column table puts it, after `point` and the parameters). */
static void unit_fields(const struct folder *F, size_t u, struct field *fields, size_t max)
{
	const struct ur_column *columns;
	const char *row = F->units[u].row, *next;
	size_t nf = split_row(row, row + strlen(row), fields, max, &next);
	assert(nf == 1 + F->nparams + ur_table_columns(UR_TABLE_SUMMARY, &columns) -
			     (F->posterior ? 0 : 1));
	(void)nf;
	(void)columns;
}

/* Appends point p's rows of sweep_stats.csv: a row per `metric` column of summary.csv's
 * column table, in the table's order, then a row per outcome. data: room for R
 * doubles per column of summary.csv; each row is split once. */
static void point_stats(struct ur_csv *csv, const struct folder *F, size_t p,
			double *data)
{
	const struct ur_column *columns;
	const size_t ncolumns = ur_table_columns(UR_TABLE_SUMMARY, &columns);
	const size_t R = F->replications, first = 1 + F->nparams;
	struct field fields[UR_SWEEP_MAX_PARAMS + 64];
	assert(first + ncolumns <= sizeof fields / sizeof *fields);
	long outcome_column = ur_table_column_index(UR_TABLE_SUMMARY, "outcome");
	assert(outcome_column >= 0 && columns[outcome_column].kind == UR_COLUMN_OUTCOME);
	size_t n[64] = {0};
	assert(ncolumns <= 64);
	uint64_t counts[UR_OUTCOME_COUNT] = {0};
	size_t rows = 0;
	for (size_t k = 0; k < R; k++) {
		if (F->status[p * R + k] != UNIT_DONE)
			continue;
		unit_fields(F, p * R + k, fields, sizeof fields / sizeof *fields);
		rows++;
		for (size_t c = 0; c < ncolumns; c++) {
			if (!columns[c].metric)
				continue;
			double v = field_number(&fields[first + c]);
			if (!isnan(v))
				data[c * R + n[c]++] = v;
		}
		const struct field *f = &fields[first + (size_t)outcome_column];
		for (size_t o = 0; o < UR_OUTCOME_COUNT; o++) {
			const char *name = ur_outcome_name((enum ur_outcome)o);
			if (strlen(name) == f->len && strncmp(name, f->start, f->len) == 0)
				counts[o]++;
		}
	}
	for (size_t c = 0; c < ncolumns; c++) {
		if (!columns[c].metric)
			continue;
		double *d = data + c * R;
		point_fields(csv, F, p);
		ur_csv_text(csv, columns[c].name);
		ur_csv_int(csv, (int64_t)n[c]);
		if (n[c] == 0) {
			for (int e = 0; e < 7; e++)
				ur_csv_empty(csv);
			ur_csv_end_row(csv);
			continue;
		}
		double mean = gsl_stats_mean(d, 1, n[c]);
		double sd = n[c] > 1 ? gsl_stats_sd_m(d, 1, n[c], mean) : (double)NAN;
		double half = n[c] > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)(n[c] - 1)) * sd /
						 sqrt((double)n[c])
				       : (double)NAN;
		gsl_sort(d, 1, n[c]);
		ur_csv_real(csv, mean);
		ur_csv_real(csv, sd);
		ur_csv_real(csv, mean - half);
		ur_csv_real(csv, mean + half);
		ur_csv_real(csv, gsl_stats_quantile_from_sorted_data(d, 1, n[c], 0.05));
		ur_csv_real(csv, gsl_stats_quantile_from_sorted_data(d, 1, n[c], 0.50));
		ur_csv_real(csv, gsl_stats_quantile_from_sorted_data(d, 1, n[c], 0.95));
		ur_csv_end_row(csv);
	}
	for (size_t o = 0; o < UR_OUTCOME_COUNT; o++) {
		char name[64];
		point_fields(csv, F, p);
		snprintf(name, sizeof name, "outcome.%s", ur_outcome_name((enum ur_outcome)o));
		ur_csv_text(csv, name);
		ur_csv_int(csv, (int64_t)rows);
		if (rows == 0) {
			for (int e = 0; e < 7; e++)
				ur_csv_empty(csv);
		} else {
			double lo, hi;
			ur_sweep_wilson(counts[o], rows, &lo, &hi);
			ur_csv_real(csv, (double)counts[o] / (double)rows);
			ur_csv_empty(csv);
			ur_csv_real(csv, lo);
			ur_csv_real(csv, hi);
			for (int e = 0; e < 3; e++)
				ur_csv_empty(csv);
		}
		ur_csv_end_row(csv);
	}
}

/* ---- the national series (output.point_series) ------------------------------------- */

/* sweep_national.csv's header: point, rep, hour and the series' metrics. */
static void series_header(struct ur_csv *csv, const struct series_spec *sp)
{
	const struct ur_column *c;
	size_t n = ur_table_columns(UR_TABLE_NATIONAL, &c);
	ur_csv_text(csv, "point");
	ur_csv_text(csv, "rep");
	ur_csv_text(csv, "hour");
	for (size_t i = 0; i < n; i++)
		if (sp->metrics & (UINT64_C(1) << i))
			ur_csv_text(csv, c[i].name);
	ur_csv_end_row(csv);
}

/* Unit u's rows of sweep_national.csv: each sample's hour and metrics written so that
 * they read back to the same doubles (ur_csv_real_exact), for --resume and merge to
 * compute point_series.csv from exactly what the model gave. */
static void series_rows(struct ur_csv *csv, const struct folder *F, uint64_t u)
{
	const struct unit *un = &F->units[u];
	const size_t stride = 1 + F->series.nmetrics;
	for (uint32_t t = 0; t < un->nsamples; t++) {
		const double *x = un->series + (size_t)t * stride;
		ur_csv_int(csv, (int64_t)(u / F->replications));
		ur_csv_int(csv, (int64_t)(u % F->replications));
		for (size_t j = 0; j < stride; j++)
			ur_csv_real_exact(csv, x[j]);
		ur_csv_end_row(csv);
	}
}

/* Appends point p's rows of point_series.csv: per sample hour, the mean
 * (gsl_stats_mean, over the replications in replication order) and the percentiles
 * (gsl_stats_quantile_from_sorted_data on gsl_sort'ed values, as sweep_stats.csv's)
 * of each metric over the point's done units. data: room for R doubles. 0, or -1
 * when units of the point disagree on the sample hours (units of one point share
 * their scenario, and rows read back are checked for this: a bug). */
static int point_series_rows(struct ur_csv *csv, const struct folder *F, size_t p,
			     double *data)
{
	const size_t R = F->replications, stride = 1 + F->series.nmetrics;
	const struct unit *first = NULL;
	size_t n = 0;
	for (size_t k = 0; k < R; k++) {
		const struct unit *un = &F->units[p * R + k];
		if (F->status[p * R + k] != UNIT_DONE)
			continue;
		if (!first)
			first = un;
		if (un->nsamples != first->nsamples)
			return -1;
		for (uint32_t t = 0; t < un->nsamples; t++)
			if (un->series[(size_t)t * stride] != first->series[(size_t)t * stride])
				return -1;
		n++;
	}
	if (!first)
		return 0;
	for (uint32_t t = 0; t < first->nsamples; t++) {
		point_fields(csv, F, p);
		ur_csv_real(csv, first->series[(size_t)t * stride]);
		ur_csv_int(csv, (int64_t)n);
		for (size_t j = 0; j < F->series.nmetrics; j++) {
			size_t m = 0;
			for (size_t k = 0; k < R; k++)
				if (F->status[p * R + k] == UNIT_DONE)
					data[m++] = F->units[p * R + k]
							    .series[(size_t)t * stride + 1 + j];
			double mean = gsl_stats_mean(data, 1, m);
			gsl_sort(data, 1, m);
			for (size_t st = 0; st < UR_SERIES_STATS; st++)
				ur_csv_real(csv, st == 0 ? mean
						 : gsl_stats_quantile_from_sorted_data(
							   data, 1, m, ur_series_stat_quantile[st]));
		}
		ur_csv_end_row(csv);
	}
	return 0;
}

/* ---- writing the folder --------------------------------------------------------------- */

static int write_csv(struct ur_atomic_file *file, struct ur_csv *csv)
{
	if (csv->failed)
		return -1;
	int rc = csv->len ? ur_atomic_file_write(file, csv->data, csv->len) : 0;
	ur_csv_clear(csv);
	return rc;
}

/* Writes the folder from F's units whose snapshot status is not NONE, through `out`
 * (which holds the folder's lock for the whole command). After a failure only
 * ur_output_destroy may follow. */
static enum ur_run_status write_folder(struct ur_output *out, const struct folder *F,
				       char *message, size_t size)
{
	struct ur_output_error err = {0};
	struct ur_manifest_unit *units = NULL;
	double *data = NULL;
	struct ur_csv csv;
	ur_csv_init(&csv);
	enum ur_run_status status = UR_RUN_SOFTWARE;
	const size_t total = F->npoints * F->replications;
	size_t nunits = 0;

	units = calloc(total ? total : 1, sizeof *units);
	const struct ur_column *summary_columns;
	data = malloc(F->replications *
		      ur_table_columns(UR_TABLE_SUMMARY, &summary_columns) * sizeof *data);
	if (!units || !data) {
		snprintf(message, size, "out of memory");
		goto cleanup;
	}
	struct ur_atomic_file *f;
	if (!(f = ur_output_begin(out, "scenario.cfg", &err)))
		goto fail;
	ur_atomic_file_write(f, F->scenario_text, strlen(F->scenario_text));
	if (!(f = ur_output_begin(out, "sweep.cfg", &err)))
		goto fail;
	ur_atomic_file_write(f, F->sweep_text, strlen(F->sweep_text));

	/* sweep.csv */
	if (!(f = ur_output_begin(out, "sweep.csv", &err)))
		goto fail;
	ur_csv_text(&csv, "point");
	for (size_t j = 0; j < F->nparams; j++)
		ur_csv_text(&csv, F->paths[j]);
	ur_table_header_chosen(&csv, UR_TABLE_SUMMARY,
			       ur_table_summary_columns(F->posterior != NULL));
	if (write_csv(f, &csv) != 0)
		goto nomem_or_io;
	for (size_t u = 0; u < total; u++) {
		if (F->status[u] == UNIT_NONE)
			continue;
		uint64_t k = u % F->replications;
		units[nunits++] = (struct ur_manifest_unit){
			.point = (long)(u / F->replications),
			.replication = k,
			.seed = ur_sweep_unit_seed(F->seed, F->independent, F->replications,
						   u / F->replications, k),
			.failed = F->status[u] == UNIT_FAILED,
			.reason = F->status[u] == UNIT_FAILED ? F->units[u].reason : NULL,
		};
		if (F->status[u] == UNIT_DONE)
			ur_atomic_file_write(f, F->units[u].row, strlen(F->units[u].row));
	}

	/* sweep_national.csv: every done unit's national series, in unit order. */
	if (F->series.on) {
		if (!(f = ur_output_begin(out, "sweep_national.csv", &err)))
			goto fail;
		series_header(&csv, &F->series);
		for (size_t u = 0; u < total; u++) {
			if (F->status[u] == UNIT_DONE)
				series_rows(&csv, F, u);
			if ((csv.len > 65536 || u + 1 == total) && write_csv(f, &csv) != 0)
				goto nomem_or_io;
		}
		if (write_csv(f, &csv) != 0)
			goto nomem_or_io;
	}

	/* sweep_stats.csv: every point with a unit in the folder. */
	if (!(f = ur_output_begin(out, "sweep_stats.csv", &err)))
		goto fail;
	ur_csv_text(&csv, "point");
	for (size_t j = 0; j < F->nparams; j++)
		ur_csv_text(&csv, F->paths[j]);
	static const char *const stat_names[] = {"metric", "count", "mean", "sd", "ci_low",
						 "ci_high", "p5", "p50", "p95"};
	for (size_t c = 0; c < sizeof stat_names / sizeof *stat_names; c++)
		ur_csv_text(&csv, stat_names[c]);
	ur_csv_end_row(&csv);
	for (size_t p = 0; p < F->npoints; p++) {
		bool any = false;
		for (size_t k = 0; k < F->replications && !any; k++)
			any = F->status[p * F->replications + k] != UNIT_NONE;
		if (any)
			point_stats(&csv, F, p, data);
		if (write_csv(f, &csv) != 0)
			goto nomem_or_io;
	}

	/* point_series.csv: every point with a done unit. */
	if (F->series.on) {
		if (!(f = ur_output_begin(out, F->series.gzip ? "point_series.csv.gz"
							      : "point_series.csv", &err)))
			goto fail;
		ur_csv_text(&csv, "point");
		for (size_t j = 0; j < F->nparams; j++)
			ur_csv_text(&csv, F->paths[j]);
		/* The table's columns but `point`, written above with the parameters. */
		ur_table_header_chosen(&csv, UR_TABLE_POINT_SERIES,
				       F->series.columns & ~UINT64_C(1));
		if (write_csv(f, &csv) != 0)
			goto nomem_or_io;
		for (size_t p = 0; p < F->npoints; p++) {
			if (point_series_rows(&csv, F, p, data) != 0) {
				/* ur_output_destroy removes the temporary files. */
				snprintf(message, size, "point %zu: units disagree on the sample "
					 "hours", p);
				goto cleanup;
			}
			if (write_csv(f, &csv) != 0)
				goto nomem_or_io;
		}
	}

	struct ur_manifest manifest = {
		.version = F->version,
		.command = F->command,
		.argc = F->argc,
		.argv = F->argv,
		.scenario = F->sweep_path,
		.scenario_hash = F->hash,
		.posterior = F->posterior,
		.posterior_checksum = F->posterior_checksum,
		.master_seed = F->seed,
		.nunits = nunits,
		.units = units,
	};
	if (ur_output_commit(out, &manifest, &err) != UR_OUTPUT_OK)
		goto fail;
	status = UR_RUN_OK;
	goto cleanup;
nomem_or_io:
	if (csv.failed) {
		snprintf(message, size, "out of memory");
		goto cleanup;
	}
	/* A write error: committing the file names it (and removes its temporary). */
	ur_atomic_file_commit(f, &err);
fail:
	status = (enum ur_run_status)err.status;
	snprintf(message, size, "%s", err.message);
cleanup:
	ur_csv_finish(&csv);
	free(data);
	free(units);
	return status;
}

/* ---- reading a folder back (resume, merge) --------------------------------------------- */

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			char *t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				return NULL;
			}
			text = t;
		}
		size_t got = fread(text + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(text);
		return NULL;
	}
	text[n] = '\0';
	if (len)
		*len = n;
	return text;
}

/* What rows of sweep.csv must agree with: the design (its points' values) and seeds. */
struct design {
	size_t nparams;
	uint64_t npoints, replications, seed;
	bool independent;
	const char *const *paths;
	const struct ur_sweep_value *values;   /* npoints x nparams */
	bool posterior;                        /* rows end with posterior_row */
};

__attribute__((format(printf, 3, 4)))
static void row_error(char *message, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, size, fmt, ap);
	va_end(ap);
}

/* A field's text for a message: at most 40 bytes, control bytes as '?'. */
static const char *shown(const char *s, size_t len, char buf[48])
{
	size_t n = len < 40 ? len : 40;
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	strcpy(buf + n, len > n ? "..." : "");
	return buf;
}

/* What every CSV file read back is checked for first: its header is `expect`'s bytes,
 * and its last row ends with a line end (a file cut short is not taken as whole). The
 * header's length with its line end in *hlen; 0, or 65 with `FILE:LINE: what was
 * expected, what was found` in message. */
static int check_frame(const char *path, const char *text, size_t len,
		       const struct ur_csv *expect, size_t *hlen, char *message, size_t size)
{
	char a[48];
	const char *eol = memchr(text, '\n', len);
	*hlen = eol ? (size_t)(eol - text) + 1 : len;
	if (*hlen != expect->len || memcmp(text, expect->data, *hlen) != 0) {
		row_error(message, size, "%s:1: expected the header '%.*s', found '%s'", path,
			  (int)(expect->len - 1 > 200 ? 200 : expect->len - 1), expect->data,
			  shown(text, eol ? (size_t)(eol - text) : len, a));
		return 65;
	}
	if (len > 0 && text[len - 1] != '\n') {
		unsigned lines = 1;
		for (const char *q = text; q < text + len - 1; q++)
			lines += *q == '\n';
		row_error(message, size, "%s:%u: expected a row ending with a line end, found "
			  "the file ending in the middle of it (cut short)", path, lines);
		return 65;
	}
	return 0;
}

/* Reads sweep.csv's text (from `path`, named in messages) into rows[u] (copies),
 * checking every row against the column table and the design: the header; as many
 * fields as columns; the point in range and its parameters' values as the design
 * has them (the same text); the replication in range, its seed the design's seed for
 * it; every summary field of its column's kind; no unit twice; and a line end after
 * the last row. 0; -1 when out of memory; 65 with `FILE:LINE: what was expected,
 * what was found` in message. */
static int read_rows(const char *path, const char *text, size_t len,
		     const struct design *D, char **rows, char *message, size_t size)
{
	const struct ur_column *columns;
	/* posterior_row, the table's last column, only when the scenario has a posterior */
	const size_t nsummary = ur_table_columns(UR_TABLE_SUMMARY, &columns) -
				(D->posterior ? 0 : 1);
	const size_t ncols = 1 + D->nparams + nsummary;
	const long rep_col = ur_table_column_index(UR_TABLE_SUMMARY, "rep");
	const long seed_col = ur_table_column_index(UR_TABLE_SUMMARY, "seed");
	assert(rep_col >= 0 && seed_col >= 0);
	struct field f[UR_SWEEP_MAX_PARAMS + 64];
	assert(ncols < sizeof f / sizeof *f);
	struct ur_csv expect;
	ur_csv_init(&expect);
	char a[48], why[128];
	int rc = 65;
	const char *end = text + len, *next;

	/* The header, as the writer writes it. */
	ur_csv_text(&expect, "point");
	for (size_t j = 0; j < D->nparams; j++)
		ur_csv_text(&expect, D->paths[j]);
	ur_table_header_chosen(&expect, UR_TABLE_SUMMARY,
			       ur_table_summary_columns(D->posterior));
	if (expect.failed) {
		rc = -1;
		goto done;
	}
	size_t hlen;
	if (check_frame(path, text, len, &expect, &hlen, message, size) != 0)
		goto done;
	unsigned line = 1;
	for (const char *s = text + hlen; s < end; s = next) {
		line++;
		size_t nf = split_row(s, end, f, sizeof f / sizeof *f, &next);
		if (nf != ncols) {
			row_error(message, size, "%s:%u: expected %zu fields (point, %zu "
				  "parameters, summary.csv's %zu columns), found %zu", path, line,
				  ncols, D->nparams, nsummary, nf);
			goto done;
		}
		uint64_t p, k;
		if (!field_count(&f[0], &p) || p >= D->npoints) {
			row_error(message, size, "%s:%u: point: expected a point from 0 to %" PRIu64
				  ", found '%s'", path, line, D->npoints - 1,
				  shown(f[0].start, f[0].len, a));
			goto done;
		}
		/* The point and its values, exactly as the writer writes them. */
		ur_csv_clear(&expect);
		ur_csv_int(&expect, (int64_t)p);
		for (size_t j = 0; j < D->nparams; j++)
			sw_csv_value(&expect, &D->values[p * D->nparams + j]);
		ur_csv_text(&expect, ""); /* the separator before rep */
		if (expect.failed) {
			rc = -1;
			goto done;
		}
		if ((size_t)(end - s) < expect.len || memcmp(s, expect.data, expect.len) != 0) {
			const char *r = f[1 + D->nparams].start - (f[1 + D->nparams].quoted ? 1 : 0);
			row_error(message, size, "%s:%u: expected point %" PRIu64 "'s values "
				  "'%.*s', found '%s'", path, line, p, (int)(expect.len - 1),
				  expect.data, shown(s, (size_t)(r - s) - 1, a));
			goto done;
		}
		const struct field *rep = &f[1 + D->nparams + (size_t)rep_col];
		if (!field_count(rep, &k) || ur_column_check(&columns[rep_col], rep->start,
							      rep->len, why, sizeof why) != 0 ||
		    k >= D->replications) {
			row_error(message, size, "%s:%u: rep: expected a replication from 0 to %"
				  PRIu64 ", found '%s'", path, line, D->replications - 1,
				  shown(rep->start, rep->len, a));
			goto done;
		}
		for (size_t c = 0; c < nsummary; c++) {
			const struct field *x = &f[1 + D->nparams + c];
			if (ur_column_check(&columns[c], x->start, x->len, why, sizeof why) != 0) {
				row_error(message, size, "%s:%u: %s: expected %s, found '%s'", path,
					  line, columns[c].name, why, shown(x->start, x->len, a));
				goto done;
			}
		}
		char seed[UR_RNG_SEED_TEXT_SIZE];
		ur_rng_seed_format(ur_sweep_unit_seed(D->seed, D->independent, D->replications,
						      p, k), seed);
		const struct field *sf = &f[1 + D->nparams + (size_t)seed_col];
		if (sf->len != strlen(seed) || memcmp(sf->start, seed, sf->len) != 0) {
			row_error(message, size, "%s:%u: seed: expected %s, the design's seed of "
				  "replication %" PRIu64 ", found '%s'", path, line, seed, k,
				  shown(sf->start, sf->len, a));
			goto done;
		}
		uint64_t u = p * D->replications + k;
		if (rows[u]) {
			row_error(message, size, "%s:%u: expected each unit once, found a second "
				  "row of point %" PRIu64 " replication %" PRIu64, path, line, p, k);
			goto done;
		}
		rows[u] = malloc((size_t)(next - s) + 1);
		if (!rows[u]) {
			rc = -1;
			goto done;
		}
		memcpy(rows[u], s, (size_t)(next - s));
		rows[u][next - s] = '\0';
	}
	rc = 0;
done:
	if (rc == -1)
		snprintf(message, size, "out of memory");
	ur_csv_finish(&expect);
	return rc;
}

/* Point p's sample hours as a unit of it already has them (series[] of this file, or
 * `units` of folders read before), or NULL. */
static const struct unit *point_reference(const struct unit *own, const struct unit *units,
					  uint64_t p, uint64_t R, uint64_t *replication)
{
	for (uint64_t k = 0; k < R; k++) {
		*replication = k;
		if (own[p * R + k].series)
			return &own[p * R + k];
		if (units && units[p * R + k].series)
			return &units[p * R + k];
	}
	return NULL;
}

/* Checks the unit just read (its rows ended at `line`) against its point's other
 * units: the same sample hours, bit for bit. 0, or 65 with the message. */
static int series_unit_end(const char *path, unsigned line, const struct design *D,
			   const struct series_spec *sp, struct unit *own,
			   const struct unit *units, uint64_t u, char *message, size_t size)
{
	const uint64_t R = D->replications, p = u / R;
	const size_t stride = 1 + sp->nmetrics;
	struct unit *x = &own[u];
	double *mine = x->series;
	x->series = NULL; /* not its own reference */
	uint64_t k0 = 0;
	const struct unit *ref = point_reference(own, units, p, R, &k0);
	x->series = mine;
	if (!ref)
		return 0;
	bool same = ref->nsamples == x->nsamples;
	for (uint32_t t = 0; same && t < x->nsamples; t++)
		same = ref->series[(size_t)t * stride] == mine[(size_t)t * stride];
	if (!same) {
		row_error(message, size, "%s:%u: expected replication %" PRIu64 " of point %"
			  PRIu64 " to have the sample hours of its replication %" PRIu64 " (%"
			  PRIu32 " samples), found %" PRIu32 " samples or other hours", path,
			  line, u % R, p, k0, ref->nsamples, x->nsamples);
		return 65;
	}
	return 0;
}

/* Reads sweep_national.csv's text (from `path`, named in messages) into own[u].series
 * and .nsamples (own: npoints x replications, zeroed), checking it: the header the
 * sweep writes for these metrics; as many fields as columns in every row; point and
 * rep in the design; hour and metrics numbers (hours >= 0); a unit's rows together
 * and once, its hours rising from 0; the same hours as the point's other units, in
 * this file or in `units` (those of folders read before; may be NULL);
 * a line end after the last row. 0; -1 when out of memory; 65 with `FILE:LINE: what
 * was expected, what was found` in message. */
static int read_series(const char *path, const char *text, size_t len,
		       const struct design *D, const struct series_spec *sp, struct unit *own,
		       const struct unit *units, char *message, size_t size)
{
	const size_t ncols = 3 + sp->nmetrics, stride = 1 + sp->nmetrics;
	const struct ur_column whole = {"point", UR_COLUMN_UNSIGNED, 0, false, false, "", ""};
	const struct ur_column hour = {"hour", UR_COLUMN_HOUR, 0, false, false, "", ""};
	const struct ur_column real = {"value", UR_COLUMN_REAL, 0, false, false, "", ""};
	const struct ur_column *national;
	ur_table_columns(UR_TABLE_NATIONAL, &national);
	size_t metric_column[64];
	size_t nm = 0;
	for (size_t i = 0; i < 64; i++)
		if (sp->metrics & (UINT64_C(1) << i))
			metric_column[nm++] = i;
	struct field f[64 + 4];
	assert(ncols <= 64);
	struct ur_csv expect;
	ur_csv_init(&expect);
	char a[48], why[128];
	int rc = 65;
	const char *end = text + len, *next;
	uint64_t current = UINT64_MAX; /* the unit whose rows are being read */
	size_t cap = 0;

	series_header(&expect, sp);
	if (expect.failed) {
		rc = -1;
		goto done;
	}
	size_t hlen;
	if (check_frame(path, text, len, &expect, &hlen, message, size) != 0)
		goto done;
	unsigned line = 1;
	for (const char *s = text + hlen; s < end; s = next) {
		line++;
		size_t nf = split_row(s, end, f, sizeof f / sizeof *f, &next);
		if (nf != ncols) {
			row_error(message, size, "%s:%u: expected %zu fields (point, rep, hour and "
				  "%zu metrics), found %zu", path, line, ncols, sp->nmetrics, nf);
			goto done;
		}
		uint64_t p, k;
		if (ur_column_check(&whole, f[0].start, f[0].len, why, sizeof why) != 0 ||
		    !field_count(&f[0], &p) || p >= D->npoints) {
			row_error(message, size, "%s:%u: point: expected a point from 0 to %" PRIu64
				  ", found '%s'", path, line, D->npoints - 1,
				  shown(f[0].start, f[0].len, a));
			goto done;
		}
		if (ur_column_check(&whole, f[1].start, f[1].len, why, sizeof why) != 0 ||
		    !field_count(&f[1], &k) || k >= D->replications) {
			row_error(message, size, "%s:%u: rep: expected a replication from 0 to %"
				  PRIu64 ", found '%s'", path, line, D->replications - 1,
				  shown(f[1].start, f[1].len, a));
			goto done;
		}
		for (size_t c = 2; c < ncols; c++) {
			const struct ur_column *col = c == 2 ? &hour : &real;
			if (ur_column_check(col, f[c].start, f[c].len, why, sizeof why) != 0) {
				row_error(message, size, "%s:%u: %s: expected %s, found '%s'", path,
					  line, c == 2 ? "hour" : national[metric_column[c - 3]].name,
					  why, shown(f[c].start, f[c].len, a));
				goto done;
			}
		}
		uint64_t u = p * D->replications + k;
		if (u != current) {
			if (current != UINT64_MAX) {
				int r = series_unit_end(path, line - 1, D, sp, own, units, current,
							message, size);
				if (r != 0)
					goto done; /* 65, the message written */
			}
			if (own[u].series) {
				row_error(message, size, "%s:%u: expected each unit's rows together "
					  "and once, found point %" PRIu64 " replication %" PRIu64
					  " again", path, line, p, k);
				goto done;
			}
			current = u;
			cap = 0;
		}
		struct unit *x = &own[u];
		double v = field_number(&f[2]);
		double prev = x->nsamples ? x->series[(size_t)(x->nsamples - 1) * stride] : 0;
		if (x->nsamples == 0 ? v != 0 : !(v > prev)) {
			row_error(message, size, "%s:%u: hour: expected %s, found '%s'", path, line,
				  x->nsamples == 0 ? "0 in a unit's first row"
						   : "an hour after the row before's",
				  shown(f[2].start, f[2].len, a));
			goto done;
		}
		if (x->nsamples == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			double *d = ncap < UINT32_MAX ? realloc(x->series, ncap * stride * sizeof *d)
						      : NULL;
			if (!d) {
				rc = -1;
				goto done;
			}
			x->series = d;
			cap = ncap;
		}
		double *row = x->series + (size_t)x->nsamples++ * stride;
		for (size_t j = 0; j < stride; j++)
			row[j] = field_number(&f[2 + j]);
	}
	if (current != UINT64_MAX &&
	    (rc = series_unit_end(path, line, D, sp, own, units, current, message, size)) != 0)
		goto done;
	rc = 0;
done:
	if (rc == -1)
		snprintf(message, size, "out of memory");
	ur_csv_finish(&expect);
	return rc;
}

/* ---- running -------------------------------------------------------------------------- */

struct job {
	const struct ur_sweep *sweep;
	const struct ur_sweep_options *options;
	struct unit *units;
	const uint64_t *todo;
	uint64_t ntodo;
	const struct series_spec *series;
	pthread_mutex_t lock;
	pthread_cond_t progressed;
	uint64_t next, finished, failed;
	bool stop, out_of_memory;
};

/* What a unit's observer keeps: the summary, and with output.point_series the
 * national series, sample by sample (an observation: it changes nothing the model
 * computes). */
struct unit_observation {
	struct ur_model_summary summary;
	const struct series_spec *series;
	double *data;                      /* nsamples x (1 + nmetrics) */
	size_t nsamples, cap;
	bool out_of_memory;
};

static int keep_summary(void *context, const struct ur_model_summary *summary)
{
	((struct unit_observation *)context)->summary = *summary;
	return 0;
}

static int keep_sample(void *context, const struct ur_model_sample *sample)
{
	struct unit_observation *ob = context;
	const size_t stride = 1 + ob->series->nmetrics;
	if (ob->nsamples == ob->cap) {
		size_t cap = ob->cap ? 2 * ob->cap : 64;
		double *d = cap < UINT32_MAX ? realloc(ob->data, cap * stride * sizeof *d) : NULL;
		if (!d) {
			ob->out_of_memory = true;
			return 1; /* stops the run */
		}
		ob->data = d;
		ob->cap = cap;
	}
	double *x = ob->data + ob->nsamples++ * stride;
	const struct ur_column *c;
	size_t n = ur_table_columns(UR_TABLE_NATIONAL, &c);
	const char *row = (const char *)&sample->national;
	*x++ = sample->hour;
	for (size_t i = 0; i < n; i++) {
		if (!(ob->series->metrics & (UINT64_C(1) << i)))
			continue;
		if (c[i].kind == UR_COLUMN_UNSIGNED) {
			unsigned v;
			memcpy(&v, row + c[i].offset, sizeof v);
			*x++ = (double)v;
		} else {
			double v;
			memcpy(&v, row + c[i].offset, sizeof v);
			*x++ = v;
		}
	}
	return 0;
}

/* A worker's scenario of the point it last ran: units come in order, so the
 * replications of a point mostly run on one worker after another, and a point's
 * scenario is derived about once per worker rather than once per unit. */
struct point_cache {
	size_t point;
	struct ur_scenario *scenario;
	struct ur_params *drawn;    /* the unit's params with its posterior row */
};

/* The point's scenario, from the cache or derived from the sweep's scenario (no file
 * is read again); NULL, with the reason in why, when memory runs out. */
static const struct ur_params *point_params(const struct ur_sweep *sw, size_t point,
					    struct point_cache *cache, char *why,
					    size_t why_size, bool *out_of_memory)
{
	if (cache->scenario && cache->point == point)
		return ur_scenario_params(cache->scenario);
	ur_scenario_destroy(cache->scenario);
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	enum ur_scenario_status st;
	cache->scenario = ur_sweep_point_scenario(sw, point, &diag, &st);
	cache->point = point;
	if (!cache->scenario) {
		*out_of_memory = st == UR_SCENARIO_NOMEM;
		snprintf(why, why_size, "the point's scenario no longer loads: %s",
			 ur_diag_count(&diag) ? ur_diag_message(&diag, 0) : "out of memory");
	}
	ur_diag_finish(&diag);
	return cache->scenario ? ur_scenario_params(cache->scenario) : NULL;
}

static void run_unit(struct job *J, uint64_t u, struct unit *unit, struct ur_csv *csv,
		     struct point_cache *cache)
{
	const struct ur_sweep *sw = J->sweep;
	const struct ur_sweep_options *o = J->options;
	uint64_t R = ur_sweep_replications(sw);
	size_t p = (size_t)(u / R);
	uint64_t k = u % R;
	char why[256] = "";
	bool out_of_memory = false;
	const struct ur_params *params =
		point_params(sw, p, cache, why, sizeof why, &out_of_memory);
	if (!params) {
		unit->out_of_memory = out_of_memory;
		if (!out_of_memory) {
			unit->reason = strdup(why);
			unit->out_of_memory = unit->reason == NULL;
			unit->status = UNIT_FAILED;
		}
		return;
	}
	uint64_t seed = ur_sweep_unit_seed(ur_sweep_seed(sw), ur_sweep_independent_seeds(sw),
					   R, p, k);
	const struct ur_posterior *posterior = ur_scenario_posterior(cache->scenario);
	uint64_t posterior_row = 0;
	if (posterior) {
		/* As a run's replication (run.c): the unit's row, by its seed, on a copy of
		 * the point's params. */
		size_t row = ur_posterior_draw(posterior, seed);
		if (row == SIZE_MAX ||
		    (!cache->drawn && !(cache->drawn = malloc(sizeof *cache->drawn)))) {
			unit->out_of_memory = true;
			return;
		}
		memcpy(cache->drawn, params, sizeof *cache->drawn);
		posterior_row = (uint64_t)row + 1;
		if (ur_posterior_apply(posterior, row, cache->drawn) != 0) {
			snprintf(why, sizeof why, "%s:%lu: the posterior's row %zu is refused by "
				 "the point's scenario", ur_posterior_name(posterior),
				 ur_posterior_line(posterior, row), row + 1);
			unit->reason = strdup(why);
			unit->out_of_memory = unit->reason == NULL;
			unit->status = UNIT_FAILED;
			return;
		}
		params = cache->drawn;
	}
	struct unit_observation ob;
	memset(&ob, 0, sizeof ob);
	ob.summary.outcome = UR_OUTCOME_COUNT; /* no summary yet */
	ob.series = J->series;
	struct ur_observer observer = {.context = &ob, .summary = keep_summary,
				       .sample = J->series->on ? keep_sample : NULL};
	enum ur_model_status st;
	if (o->replicate) {
		st = o->replicate(o->replicate_context, params, k, seed, &observer, why,
				  sizeof why);
	} else {
		struct ur_model *model = ur_model_create(params, seed, &observer,
							 o->model_options);
		if (!model) {
			st = UR_MODEL_NOMEM;
		} else {
			st = ur_model_run(model);
			if (st != UR_MODEL_OK)
				snprintf(why, sizeof why, "%s", ur_model_error(model));
			ur_model_destroy(model);
		}
	}
	if (st == UR_MODEL_NOMEM || ob.out_of_memory) {
		unit->out_of_memory = true;
		free(ob.data);
		return;
	}
	if (st == UR_MODEL_OK && ob.summary.outcome == UR_OUTCOME_COUNT) {
		st = UR_MODEL_INVARIANT;
		snprintf(why, sizeof why, "the run ended without a summary");
	}
	if (st != UR_MODEL_OK) {
		unit->reason = strdup(why[0] ? why : "the model failed");
		unit->out_of_memory = unit->reason == NULL;
		unit->status = UNIT_FAILED;
		free(ob.data);
		return;
	}
	if (J->series->on) {
		unit->series = ob.data;
		unit->nsamples = (uint32_t)ob.nsamples;
	}
	ur_csv_clear(csv);
	ur_csv_int(csv, (int64_t)p);
	for (size_t j = 0; j < ur_sweep_params(sw); j++)
		sw_csv_value(csv, ur_sweep_value(sw, p, j));
	ur_csv_summary_fields(csv, params, k, &ob.summary, posterior_row);
	ur_csv_end_row(csv);
	unit->row = csv->failed ? NULL : malloc(csv->len + 1);
	if (!unit->row) {
		unit->out_of_memory = true;
		return;
	}
	memcpy(unit->row, csv->data, csv->len);
	unit->row[csv->len] = '\0';
	unit->status = UNIT_DONE;
}

static void *worker(void *arg)
{
	struct job *J = arg;
	struct ur_csv csv;
	ur_csv_init(&csv);
	struct point_cache cache = {0, NULL, NULL};
	for (;;) {
		pthread_mutex_lock(&J->lock);
		if (J->stop || J->next >= J->ntodo) {
			pthread_mutex_unlock(&J->lock);
			break;
		}
		uint64_t u = J->todo[J->next++];
		pthread_mutex_unlock(&J->lock);

		/* Built outside the lock: this unit is this worker's until finished. */
		struct unit result = {0};
		run_unit(J, u, &result, &csv, &cache);

		pthread_mutex_lock(&J->lock);
		J->units[u].row = result.row;
		J->units[u].reason = result.reason;
		J->units[u].series = result.series;
		J->units[u].nsamples = result.nsamples;
		J->units[u].out_of_memory = result.out_of_memory;
		J->units[u].status = result.status;
		J->finished++;
		J->failed += result.status == UNIT_FAILED;
		if (result.out_of_memory)
			J->stop = J->out_of_memory = true;
		pthread_cond_signal(&J->progressed);
		pthread_mutex_unlock(&J->lock);
	}
	ur_scenario_destroy(cache.scenario);
	free(cache.drawn);
	ur_csv_finish(&csv);
	return NULL;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) * 1e-9;
}

static void free_units(struct unit *units, size_t n)
{
	if (!units)
		return;
	for (size_t i = 0; i < n; i++) {
		free(units[i].row);
		free(units[i].reason);
		free(units[i].series);
	}
	free(units);
}

/* Checks a manifest's units against the design: each in range, its seed the design's
 * seed for its replication, none twice. `seen` (npoints x replications bytes, zeroed)
 * may be NULL. 0, or 65 with the message. */
static int check_manifest_units(const char *path, const struct ur_sweep_manifest *m,
				const struct design *D, char *message, size_t size,
				unsigned char *seen)
{
	unsigned char *own = NULL;
	if (!seen) {
		uint64_t n = D->npoints * D->replications;
		own = calloc(n > 0 ? n : 1, 1);
		if (!own) {
			snprintf(message, size, "out of memory");
			return 70;
		}
		seen = own;
	}
	int rc = 0;
	for (size_t i = 0; i < m->nunits && rc == 0; i++) {
		const struct ur_sweep_manifest_unit *mu = &m->units[i];
		if (mu->point < 0 || (uint64_t)mu->point >= D->npoints ||
		    mu->replication >= D->replications) {
			row_error(message, size, "%s: unit %zu: expected a point from 0 to %" PRIu64
				  " and a replication from 0 to %" PRIu64 ", found point %ld "
				  "replication %" PRIu64, path, i, D->npoints - 1,
				  D->replications - 1, mu->point, mu->replication);
			rc = 65;
			break;
		}
		uint64_t want = ur_sweep_unit_seed(D->seed, D->independent, D->replications,
						   (uint64_t)mu->point, mu->replication);
		if (mu->seed != want) {
			char a[UR_RNG_SEED_TEXT_SIZE], b[UR_RNG_SEED_TEXT_SIZE];
			ur_rng_seed_format(want, a);
			ur_rng_seed_format(mu->seed, b);
			row_error(message, size, "%s: unit %zu (point %ld, replication %" PRIu64
				  "): seed: expected %s, the design's, found %s", path, i,
				  mu->point, mu->replication, a, b);
			rc = 65;
			break;
		}
		uint64_t u = (uint64_t)mu->point * D->replications + mu->replication;
		if (seen[u]) {
			row_error(message, size, "%s: unit %zu: expected each unit once, found "
				  "point %ld replication %" PRIu64 " again", path, i, mu->point,
				  mu->replication);
			rc = 65;
			break;
		}
		seen[u] = 1;
	}
	free(own);
	return rc;
}

/* Reads the folder's manifest and rows into units (this shard's only). 0; or -1 with
 * the message when the folder holds another sweep or memory runs out. A folder without
 * a manifest has nothing to resume. */
static int resume_units(const struct ur_sweep *sw, const char *dir,
			const struct ur_sweep_options *o, const struct series_spec *sp,
			struct unit *units, struct ur_sweep_result *result, bool *continues)
{
	uint64_t R = ur_sweep_replications(sw), total = ur_sweep_points(sw) * R;
	char *mpath = ur_path_join(dir, "manifest.cfg"), *cpath = ur_path_join(dir, "sweep.csv");
	char *npath = ur_path_join(dir, "sweep_national.csv");
	char *csv = NULL, **rows = NULL, *national = NULL;
	struct unit *series = NULL;
	struct ur_sweep_manifest *m = NULL;
	int rc = -1;
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	if (!mpath || !cpath || !npath) {
		set_message(result, UR_RUN_SOFTWARE, "out of memory");
		goto cleanup;
	}
	enum ur_scenario_status st;
	m = ur_sweep_manifest_read(mpath, &diag, &st);
	if (!m) {
		if (st == UR_SCENARIO_MISSING) {
			rc = 0; /* nothing done yet */
		} else {
			char text[UR_RUN_MESSAGE_SIZE];
			snprintf(text, sizeof text, "--resume: %s",
				 ur_diag_count(&diag) ? ur_diag_message(&diag, 0) : "out of memory");
			set_message(result, st == UR_SCENARIO_NOMEM ? UR_RUN_SOFTWARE
								     : UR_RUN_CANTCREAT, text);
		}
		goto cleanup;
	}
	if (m->scenario_hash != ur_sweep_hash(sw)) {
		char text[UR_RUN_MESSAGE_SIZE];
		snprintf(text, sizeof text, "--resume: %.200s holds another sweep (its sweep "
			 "hash differs); give another -o, or leave out --resume to replace it",
			 dir);
		set_message(result, UR_RUN_CANTCREAT, text);
		goto cleanup;
	}
	*continues = true;
	rows = calloc(total, sizeof *rows);
	size_t len = 0;
	csv = read_whole(cpath, &len);
	if (!rows) {
		set_message(result, UR_RUN_SOFTWARE, "out of memory");
		goto cleanup;
	}
	const char **paths = NULL;
	struct design D = {ur_sweep_params(sw), ur_sweep_points(sw), R, ur_sweep_seed(sw),
			   ur_sweep_independent_seeds(sw),
			   NULL, sw_values(sw),
			   ur_scenario_posterior(sw_base_scenario(sw)) != NULL};
	if (csv) {
		paths = calloc(D.nparams + 1, sizeof *paths);
		if (!paths) {
			set_message(result, UR_RUN_SOFTWARE, "out of memory");
			goto cleanup;
		}
		for (size_t j = 0; j < D.nparams; j++)
			paths[j] = ur_sweep_param_path(sw, j);
		D.paths = paths;
		int vr = read_rows(cpath, csv, len, &D, rows, result->message,
				   sizeof result->message);
		free(paths);
		D.paths = NULL;
		if (vr != 0) {
			result->status = vr == 65 ? UR_RUN_DATAERR : UR_RUN_SOFTWARE;
			goto cleanup;
		}
	}
	/* The units' national series: a unit without them runs again. */
	if (sp->on) {
		series = calloc(total, sizeof *series);
		if (!series) {
			set_message(result, UR_RUN_SOFTWARE, "out of memory");
			goto cleanup;
		}
		size_t nlen = 0;
		national = read_whole(npath, &nlen);
		int vr = national ? read_series(npath, national, nlen, &D, sp, series, NULL,
						result->message, sizeof result->message)
				  : 0;
		if (vr != 0) {
			result->status = vr == 65 ? UR_RUN_DATAERR : UR_RUN_SOFTWARE;
			if (vr == -1)
				set_message(result, UR_RUN_SOFTWARE, "out of memory");
			goto cleanup;
		}
	}
	if (check_manifest_units(mpath, m, &D, result->message, sizeof result->message,
				 NULL) != 0) {
		result->status = UR_RUN_DATAERR;
		goto cleanup;
	}
	for (size_t i = 0; i < m->nunits; i++) {
		const struct ur_sweep_manifest_unit *mu = &m->units[i];
		if (mu->failed)
			continue;
		uint64_t u = (uint64_t)mu->point * R + mu->replication;
		/* Done by the manifest and its row at hand; a failed unit is tried again. */
		if (u % o->shards != o->shard - 1 || !rows[u] || (sp->on && !series[u].series))
			continue;
		units[u].row = rows[u];
		rows[u] = NULL;
		if (sp->on) {
			units[u].series = series[u].series;
			units[u].nsamples = series[u].nsamples;
			series[u].series = NULL;
		}
		units[u].status = UNIT_DONE;
		result->skipped++;
	}
	rc = 0;
cleanup:
	if (rows)
		for (uint64_t u = 0; u < total; u++)
			free(rows[u]);
	free(rows);
	free(csv);
	free(national);
	free_units(series, series ? total : 0);
	ur_sweep_manifest_destroy(m);
	ur_diag_finish(&diag);
	free(mpath);
	free(cpath);
	free(npath);
	return rc;
}

/* How often the calling thread looks at the signal flag and reports progress. */
#define POLL_NS 100000000L

/* write_folder, counted and timed in the result (the cost of a checkpoint). */
static enum ur_run_status timed_write(struct ur_output *out, const struct folder *F,
				      struct ur_sweep_result *result)
{
	struct timespec t0, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	enum ur_run_status st = write_folder(out, F, result->message, sizeof result->message);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	result->checkpoints++;
	result->checkpoint_seconds += seconds_since(&t0);
	result->checkpoint_cpu_seconds += (double)(c1.tv_sec - c0.tv_sec) +
					  (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
	if (st != UR_RUN_OK)
		result->status = st;
	return st;
}

enum ur_run_status ur_sweep_run(const struct ur_sweep *sw, const char *dir,
				const struct ur_sweep_options *o,
				struct ur_sweep_result *result)
{
	assert(sw && dir && o && result);
	assert(o->jobs >= 1 && o->jobs <= UR_RUN_MAX_JOBS);
	assert(o->shard >= 1 && o->shard <= o->shards);
	*result = (struct ur_sweep_result){.status = UR_RUN_OK};
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);

	const uint64_t R = ur_sweep_replications(sw), total = ur_sweep_points(sw) * R;
	const size_t nparams = ur_sweep_params(sw);
	struct unit *units = calloc(total, sizeof *units);
	uint64_t *todo = calloc(total, sizeof *todo);
	unsigned char *snapshot = calloc(total, 1);
	const char **paths = calloc(nparams, sizeof *paths);
	pthread_t *threads = calloc(o->jobs, sizeof *threads);
	struct ur_output *out = NULL;
	unsigned started = 0;
	bool sync_made = false;
	/* The sweep's scenario says whether units keep their national series (a point's
	 * own output settings are not looked at: the folder's files are the sweep's). */
	const struct series_spec series =
		series_spec(&ur_scenario_params(sw_base_scenario(sw))->output);
	struct job J = {.sweep = sw, .options = o, .units = units, .todo = todo,
			.series = &series};
	if (!units || !todo || !snapshot || !paths || !threads) {
		set_message(result, UR_RUN_SOFTWARE, "out of memory");
		goto cleanup;
	}
	for (size_t j = 0; j < nparams; j++)
		paths[j] = ur_sweep_param_path(sw, j);
	for (uint64_t u = o->shard - 1; u < total; u += o->shards)
		result->units++;
	/* The folder is taken (checked and locked) before anything else, and held to the
	 * end: a folder the writer would refuse is refused before any unit runs, and no
	 * other run can write into it meanwhile. */
	struct ur_output_error folder_err = {0};
	out = ur_output_open(dir, &folder_err);
	if (!out) {
		set_message(result, (enum ur_run_status)folder_err.status, folder_err.message);
		goto cleanup;
	}
	if (o->resume) {
		bool continues = false;
		if (resume_units(sw, dir, o, &series, units, result, &continues) != 0)
			goto cleanup;
		if (continues)
			ur_output_continue(out);
	}
	for (uint64_t u = o->shard - 1; u < total; u += o->shards)
		if (units[u].status == UNIT_NONE)
			todo[J.ntodo++] = u;

	struct folder F = {
		.sweep_text = ur_sweep_text(sw),
		.scenario_text = ur_scenario_text(sw_base_scenario(sw)),
		.hash = ur_sweep_hash(sw),
		.seed = ur_sweep_seed(sw),
		.independent = ur_sweep_independent_seeds(sw),
		.posterior = ur_scenario_posterior(sw_base_scenario(sw))
				     ? ur_posterior_name(ur_scenario_posterior(sw_base_scenario(sw)))
				     : NULL,
		.posterior_checksum = ur_scenario_posterior(sw_base_scenario(sw))
				     ? ur_posterior_checksum(ur_scenario_posterior(sw_base_scenario(sw)))
				     : 0,
		.replications = R,
		.npoints = ur_sweep_points(sw),
		.nparams = nparams,
		.paths = paths,
		.values = sw_values(sw),
		.units = units,
		.status = snapshot,
		.series = series,
		.version = o->version,
		.command = "sweep",
		.sweep_path = o->sweep_path,
		.argc = o->argc,
		.argv = o->argv,
	};

	if (pthread_mutex_init(&J.lock, NULL) != 0) {
		set_message(result, UR_RUN_SOFTWARE, "cannot create a mutex");
		goto cleanup;
	}
	if (pthread_cond_init(&J.progressed, NULL) != 0) {
		pthread_mutex_destroy(&J.lock);
		set_message(result, UR_RUN_SOFTWARE, "cannot create a condition variable");
		goto cleanup;
	}
	sync_made = true;
	unsigned nthreads = J.ntodo < o->jobs ? (unsigned)J.ntodo : o->jobs;
	for (unsigned i = 0; i < nthreads; i++)
		if (pthread_create(&threads[started], NULL, worker, &J) == 0)
			started++;
	if (started == 0 && J.ntodo > 0) {
		set_message(result, UR_RUN_SOFTWARE, "cannot start a worker thread");
		goto cleanup;
	}

	/* The calling thread wakes when a unit finishes and, to see a signal's flag and
	 * to report progress while long units run, at least every POLL_S seconds. */
	const bool polling = o->interrupt || o->progress;
	double last_checkpoint = 0, last_commit_start = 0, checkpoint_gap = o->checkpoint_s;
	uint64_t checkpointed = 0, done_at_stop = 0;
	int signal = 0;
	pthread_mutex_lock(&J.lock);
	for (;;) {
		uint64_t finished = J.finished;
		if (o->interrupt && *o->interrupt && !J.stop) {
			/* Workers take no more units; those under way are not waited for. */
			signal = (int)*o->interrupt;
			J.stop = true;
		}
		bool stop = J.stop;
		bool checkpoint = o->checkpoint_s > 0 && finished > checkpointed &&
				  seconds_since(&start) - last_checkpoint >= checkpoint_gap;
		if (checkpoint || finished == J.ntodo || stop)
			for (uint64_t u = 0; u < total; u++)
				snapshot[u] = units[u].status;
		uint64_t failed_now = J.failed;
		done_at_stop = finished;
		pthread_mutex_unlock(&J.lock);

		if (o->progress) {
			struct ur_run_progress pr = {result->skipped + finished, failed_now,
						     result->units, seconds_since(&start)};
			o->progress(o->progress_context, &pr);
		}
		if (stop || finished == J.ntodo)
			break;
		if (checkpoint) {
			last_commit_start = seconds_since(&start);
			/* Rows already written stay as they are; only more are added. */
			if (timed_write(out, &F, result) != UR_RUN_OK) {
				pthread_mutex_lock(&J.lock);
				J.stop = true;
				pthread_mutex_unlock(&J.lock);
				goto cleanup;
			}
			checkpointed = finished;
			double now = seconds_since(&start);
			checkpoint_gap = o->checkpoint_s;
			if (o->checkpoint_share > 0 &&
			    (now - last_commit_start) / o->checkpoint_share > checkpoint_gap)
				checkpoint_gap = (now - last_commit_start) / o->checkpoint_share;
			last_checkpoint = now;
		}
		pthread_mutex_lock(&J.lock);
		if (J.finished == finished && !J.stop) {
			if (o->checkpoint_s > 0 || polling) {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				long ns = polling ? POLL_NS : 1000000000L;
				until.tv_nsec += ns;
				until.tv_sec += until.tv_nsec / 1000000000L;
				until.tv_nsec %= 1000000000L;
				pthread_cond_timedwait(&J.progressed, &J.lock, &until);
			} else {
				pthread_cond_wait(&J.progressed, &J.lock);
			}
		}
	}
	pthread_mutex_lock(&J.lock);
	bool out_of_memory = J.out_of_memory;
	pthread_mutex_unlock(&J.lock);
	if (out_of_memory) {
		set_message(result, UR_RUN_SOFTWARE, "out of memory");
		goto cleanup;
	}
	result->done = done_at_stop;

	/* A signal: the units finished so far are committed (a checkpoint), and the
	 * caller exits; --resume runs the rest. */
	if (timed_write(out, &F, result) != UR_RUN_OK)
		goto cleanup;
	if (signal && done_at_stop < J.ntodo) {
		result->signal = signal;
		snprintf(result->message, sizeof result->message,
			 "stopped by signal %d: %" PRIu64 " of %" PRIu64 " units are in %.200s; "
			 "run the same command with --resume to finish", signal,
			 result->skipped + result->done, result->units, dir);
		result->status = UR_RUN_INTERRUPTED;
		goto cleanup;
	}
	uint64_t first_failed = total;
	for (uint64_t u = o->shard - 1; u < total; u += o->shards)
		if (units[u].status == UNIT_FAILED && result->failed++ == 0)
			first_failed = u;
	if (result->failed > 0) {
		snprintf(result->message, sizeof result->message,
			 "%" PRIu64 " of %" PRIu64 " units failed (see manifest.cfg); point %"
			 PRIu64 " replication %" PRIu64 ": %.300s", result->failed,
			 result->units, first_failed / R, first_failed % R,
			 units[first_failed].reason);
		result->status = UR_RUN_SOFTWARE;
	}

cleanup:
	if (started > 0) {
		pthread_mutex_lock(&J.lock);
		J.stop = true;
		pthread_mutex_unlock(&J.lock);
		for (unsigned i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
	}
	if (sync_made) {
		pthread_cond_destroy(&J.progressed);
		pthread_mutex_destroy(&J.lock);
	}
	ur_output_destroy(out);
	free_units(units, total);
	free(todo);
	free(snapshot);
	free(paths);
	free(threads);
	return result->status;
}

/* ---- merging -------------------------------------------------------------------------- */

struct shard_files {
	struct ur_sweep_manifest *manifest;
	char *sweep_text, *scenario_text, *csv;
	size_t csv_len;
};

/* The output settings of a shard's scenario.cfg (the sweep's resolved scenario, the
 * same in every shard: the sweep hash covers it), into *sp. 0, or an exit status with
 * the message. */
static int merge_series_spec(const char *shard, struct series_spec *sp,
			     struct ur_sweep_result *result)
{
	char *path = ur_path_join(shard, "scenario.cfg");
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	enum ur_scenario_status st = UR_SCENARIO_NOMEM;
	struct ur_scenario *sc = path ? ur_scenario_load(path, NULL, 0, &diag, &st) : NULL;
	int rc = 0;
	if (sc) {
		*sp = series_spec(&ur_scenario_params(sc)->output);
	} else {
		rc = st == UR_SCENARIO_NOMEM ? 70 : st == UR_SCENARIO_MISSING ? 66 : 65;
		snprintf(result->message, sizeof result->message, "%.200s: scenario.cfg: %.200s",
			 shard, ur_diag_count(&diag) ? ur_diag_message(&diag, 0)
						   : "out of memory");
		result->status = UR_RUN_SOFTWARE;
	}
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
	free(path);
	return rc;
}

__attribute__((format(printf, 3, 4)))
static int merge_fail(struct ur_sweep_result *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	r->status = status == 65 || status == 66 ? UR_RUN_SOFTWARE : (enum ur_run_status)status;
	return status;
}

int ur_sweep_merge(const char *dir, const char *const *shards, size_t nshards,
		   const char *version, int argc, const char *const *argv,
		   struct ur_sweep_result *result)
{
	assert(dir && shards && nshards >= 1 && result);
	*result = (struct ur_sweep_result){.status = UR_RUN_OK};
	struct shard_files *S = calloc(nshards, sizeof *S);
	struct ur_sweep_spec *spec = NULL;
	struct unit *units = NULL, *own = NULL;
	struct series_spec series = {0};
	unsigned char *status = NULL;
	size_t *owner = NULL;
	char **rows = NULL;
	const char **paths = NULL;
	struct ur_output *out = NULL;
	uint64_t total = 0;
	int rc = 70;
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	if (!S) {
		rc = merge_fail(result, 70, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < nshards; i++) {
		char *m = ur_path_join(shards[i], "manifest.cfg");
		char *s = ur_path_join(shards[i], "sweep.cfg");
		char *c = ur_path_join(shards[i], "scenario.cfg");
		char *v = ur_path_join(shards[i], "sweep.csv");
		enum ur_scenario_status st = UR_SCENARIO_NOMEM;
		if (m && s && c && v) {
			S[i].manifest = ur_sweep_manifest_read(m, &diag, &st);
			S[i].sweep_text = read_whole(s, NULL);
			S[i].scenario_text = read_whole(c, NULL);
			S[i].csv = read_whole(v, &S[i].csv_len);
		}
		free(m);
		free(s);
		free(c);
		free(v);
		if (!S[i].manifest) {
			rc = merge_fail(result, st == UR_SCENARIO_NOMEM ? 70 : st == UR_SCENARIO_MISSING ? 66 : 65,
					"%.200s: no readable manifest.cfg: not a finished sweep folder"
					"%s%.200s", shards[i], ur_diag_count(&diag) ? " (" : "",
					ur_diag_count(&diag) ? ur_diag_message(&diag, 0) : "");
			if (ur_diag_count(&diag))
				strcat(result->message, ")");
			goto cleanup;
		}
		if (strcmp(S[i].manifest->command, "sweep") != 0 &&
		    strcmp(S[i].manifest->command, "merge") != 0) {
			rc = merge_fail(result, 65, "%.200s: holds the output of '%.20s', not of a "
					"sweep", shards[i], S[i].manifest->command);
			goto cleanup;
		}
		if (!S[i].sweep_text || !S[i].scenario_text || !S[i].csv) {
			rc = merge_fail(result, 66, "%.200s: sweep.cfg, scenario.cfg or sweep.csv "
					"cannot be read", shards[i]);
			goto cleanup;
		}
		/* As design.c: the files the scenario names count by their content, not
		 * their paths, so shards run from different checkouts merge. */
		uint64_t h = ur_scenario_text_fold(sw_fnv1a64(0xcbf29ce484222325ull,
							      S[i].sweep_text,
							      strlen(S[i].sweep_text)),
						   S[i].scenario_text, strlen(S[i].scenario_text));
		if (S[i].manifest->posterior) {
			/* As design.c: the posterior's bytes are part of the sweep's identity. */
			uint64_t sum = S[i].manifest->posterior_checksum;
			h = sw_fnv1a64(h, (const char *)&sum, sizeof sum);
		}
		if (h != S[i].manifest->scenario_hash) {
			rc = merge_fail(result, 65, "%.200s: sweep.cfg and scenario.cfg do not "
					"match the manifest's sweep hash", shards[i]);
			goto cleanup;
		}
		if (i > 0 && h != S[0].manifest->scenario_hash) {
			char a[UR_RNG_SEED_TEXT_SIZE], b[UR_RNG_SEED_TEXT_SIZE];
			ur_rng_seed_format(S[0].manifest->scenario_hash, a);
			ur_rng_seed_format(h, b);
			const struct ur_sweep_manifest *m0 = S[0].manifest, *mi = S[i].manifest;
			if (m0->posterior && mi->posterior &&
			    m0->posterior_checksum != mi->posterior_checksum) {
				char c0[UR_RNG_SEED_TEXT_SIZE], ci[UR_RNG_SEED_TEXT_SIZE];
				ur_rng_seed_format(m0->posterior_checksum, c0);
				ur_rng_seed_format(mi->posterior_checksum, ci);
				rc = merge_fail(result, 65, "%.200s and %.200s were run with "
						"different posteriors (%.200s, checksum %s and %s)",
						shards[0], shards[i], mi->posterior, c0, ci);
				goto cleanup;
			}
			rc = merge_fail(result, 65, "%.200s and %.200s hold different sweeps "
					"(sweep hash %s and %s)", shards[0], shards[i], a, b);
			goto cleanup;
		}
	}
	/* sweep.cfg, written by this program, reads back as the sweep's design. */
	char *spath = ur_path_join(shards[0], "sweep.cfg");
	enum ur_scenario_status st = UR_SCENARIO_NOMEM;
	if (spath)
		spec = ur_sweep_spec_read(spath, &diag, &st);
	free(spath);
	if (!spec) {
		rc = merge_fail(result, st == UR_SCENARIO_NOMEM ? 70 : 65, "%.200s: %.300s",
				shards[0], ur_diag_count(&diag) ? ur_diag_message(&diag, 0)
								: "sweep.cfg cannot be read");
		goto cleanup;
	}
	if ((rc = merge_series_spec(shards[0], &series, result)) != 0)
		goto cleanup;
	rc = 70;
	uint64_t R = spec->replications;
	total = spec->npoints * R;
	units = calloc(total, sizeof *units);
	own = series.on ? calloc(total, sizeof *own) : NULL;
	status = calloc(total, 1);
	owner = calloc(total, sizeof *owner);
	rows = calloc(total, sizeof *rows);
	paths = calloc(spec->nparams, sizeof *paths);
	if (!units || !status || !owner || !rows || !paths || (series.on && !own)) {
		rc = merge_fail(result, 70, "out of memory");
		goto cleanup;
	}
	for (size_t j = 0; j < spec->nparams; j++)
		paths[j] = spec->params[j].path;
	const struct design D = {spec->nparams, spec->npoints, R, spec->seed,
				 spec->independent_seeds, paths, spec->list,
				 S[0].manifest->posterior != NULL};
	for (size_t i = 0; i < nshards; i++) {
		char *v = ur_path_join(shards[i], "sweep.csv");
		char *m_path = ur_path_join(shards[i], "manifest.cfg");
		int vr = v && m_path ? read_rows(v, S[i].csv, S[i].csv_len, &D, rows,
						 result->message, sizeof result->message)
				     : -1;
		if (vr == 0)
			vr = check_manifest_units(m_path, S[i].manifest, &D, result->message,
						  sizeof result->message, NULL);
		if (vr == 0 && series.on) {
			char *n_path = ur_path_join(shards[i], "sweep_national.csv");
			size_t nlen = 0;
			char *text = n_path ? read_whole(n_path, &nlen) : NULL;
			if (n_path && !text) {
				snprintf(result->message, sizeof result->message, "%.200s: "
					 "cannot be read (the sweep's scenario has "
					 "output.point_series)", n_path);
				vr = 66;
			} else {
				vr = text ? read_series(n_path, text, nlen, &D, &series, own, units,
							result->message,
							sizeof result->message)
					  : -1;
			}
			free(text);
			free(n_path);
		}
		free(v);
		free(m_path);
		if (vr != 0) {
			rc = vr == 65 || vr == 66 ? vr : 70;
			if (vr == -1)
				snprintf(result->message, sizeof result->message, "out of memory");
			result->status = UR_RUN_SOFTWARE;
			goto cleanup;
		}
		const struct ur_sweep_manifest *m = S[i].manifest;
		for (size_t q = 0; q < m->nunits; q++) {
			const struct ur_sweep_manifest_unit *mu = &m->units[q];
			if ((uint64_t)mu->point >= spec->npoints || mu->replication >= R) {
				rc = merge_fail(result, 65, "%.200s: unit (point %ld, replication %"
						PRIu64 ") is not in the sweep", shards[i], mu->point,
						mu->replication);
				goto cleanup;
			}
			uint64_t u = (uint64_t)mu->point * R + mu->replication;
			if (status[u] != UNIT_NONE) {
				rc = merge_fail(result, 65, "unit (point %ld, replication %" PRIu64
						") is in both %.200s and %.200s: shards overlap",
						mu->point, mu->replication, shards[owner[u]],
						shards[i]);
				goto cleanup;
			}
			owner[u] = i;
			if (mu->failed) {
				status[u] = UNIT_FAILED;
				units[u].reason = strdup(mu->reason ? mu->reason : "unknown");
				if (!units[u].reason) {
					rc = merge_fail(result, 70, "out of memory");
					goto cleanup;
				}
			} else {
				if (!rows[u]) {
					rc = merge_fail(result, 65, "%.200s: unit (point %ld, "
							"replication %" PRIu64 ") is done but has no "
							"row in sweep.csv", shards[i], mu->point,
							mu->replication);
					goto cleanup;
				}
				if (series.on && !own[u].series) {
					rc = merge_fail(result, 65, "%.200s: unit (point %ld, "
							"replication %" PRIu64 ") is done but has no "
							"rows in sweep_national.csv", shards[i],
							mu->point, mu->replication);
					goto cleanup;
				}
				status[u] = UNIT_DONE;
				units[u].row = rows[u];
				rows[u] = NULL;
				if (series.on) {
					units[u].series = own[u].series;
					units[u].nsamples = own[u].nsamples;
					own[u].series = NULL;
				}
			}
		}
		/* The rows of this folder that its manifest did not claim are dropped. */
		for (uint64_t u = 0; u < total; u++) {
			free(rows[u]);
			rows[u] = NULL;
			if (own) {
				free(own[u].series);
				own[u] = (struct unit){0};
			}
		}
	}
	uint64_t missing = 0, first = 0;
	for (uint64_t u = 0; u < total; u++)
		if (status[u] == UNIT_NONE && missing++ == 0)
			first = u;
	if (missing > 0) {
		rc = merge_fail(result, 65, "%" PRIu64 " of %" PRIu64 " units are in none of "
				"the folders, the first (point %" PRIu64 ", replication %" PRIu64
				"): a shard is missing or unfinished (resume it with --resume)",
				missing, total, first / R, first % R);
		goto cleanup;
	}
	struct folder F = {
		.sweep_text = S[0].sweep_text,
		.scenario_text = S[0].scenario_text,
		.hash = S[0].manifest->scenario_hash,
		.seed = spec->seed,
		.independent = spec->independent_seeds,
		.posterior = S[0].manifest->posterior,
		.posterior_checksum = S[0].manifest->posterior_checksum,
		.replications = R,
		.npoints = spec->npoints,
		.nparams = spec->nparams,
		.paths = paths,
		.values = spec->list,
		.units = units,
		.status = status,
		.series = series,
		.version = version,
		.command = "merge",
		.sweep_path = S[0].manifest->scenario,
		.argc = argc,
		.argv = argv,
	};
	/* The manifest's `scenario` is the least of the shards' (by strcmp), whatever
	 * the order the folders were given in. */
	for (size_t i = 1; i < nshards; i++)
		if (strcmp(S[i].manifest->scenario, F.sweep_path) < 0)
			F.sweep_path = S[i].manifest->scenario;
	/* Likewise scenario.cfg and the posterior's name: shards run from different
	 * checkouts name the scenario's files at different places (the hash, equal, takes
	 * their contents: ur_scenario_text_fold). */
	for (size_t i = 1; i < nshards; i++) {
		if (strcmp(S[i].scenario_text, F.scenario_text) < 0)
			F.scenario_text = S[i].scenario_text;
		if (F.posterior && S[i].manifest->posterior &&
		    strcmp(S[i].manifest->posterior, F.posterior) < 0)
			F.posterior = S[i].manifest->posterior;
	}
	struct ur_output_error err = {0};
	out = ur_output_open(dir, &err);
	if (!out) {
		rc = merge_fail(result, err.status, "%s", err.message);
		goto cleanup;
	}
	enum ur_run_status ws = write_folder(out, &F, result->message, sizeof result->message);
	if (ws != UR_RUN_OK) {
		result->status = ws;
		rc = (int)ws;
		goto cleanup;
	}
	result->units = total;
	for (uint64_t u = 0; u < total; u++) {
		result->done += status[u] == UNIT_DONE;
		result->failed += status[u] == UNIT_FAILED;
	}
	rc = 0;
	if (result->failed > 0) {
		snprintf(result->message, sizeof result->message, "%" PRIu64 " of %" PRIu64
			 " units failed (see manifest.cfg)", result->failed, total);
		result->status = UR_RUN_SOFTWARE;
		rc = 70;
	}
cleanup:
	if (S)
		for (size_t i = 0; i < nshards; i++) {
			ur_sweep_manifest_destroy(S[i].manifest);
			free(S[i].sweep_text);
			free(S[i].scenario_text);
			free(S[i].csv);
		}
	free(S);
	ur_output_destroy(out);
	if (rows)
		for (uint64_t u = 0; u < total; u++)
			free(rows[u]);
	free(rows);
	free_units(units, total);
	free_units(own, own ? total : 0);
	free(status);
	free(owner);
	free(paths);
	ur_sweep_spec_destroy(spec);
	ur_diag_finish(&diag);
	return rc;
}
