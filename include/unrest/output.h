/*
 * output.h: the files of a run: CSV text, files that appear whole or not at all, the
 * output folder and its manifest (docs/output.md describes every file and column).
 *
 * Model. A run writes one folder. Each file in it is written under a temporary name,
 * NAME.tmp, in the same folder, flushed to the disk (fsync) and then renamed to NAME,
 * so a file with its final name is always complete: a run that is killed leaves
 * NAME.tmp files, never a partial NAME, and one that fails removes its files.
 * manifest.cfg says which files are the folder's (`files`) and which units their rows
 * hold (`units`). It is never removed and rewritten, only replaced by a rename, in an
 * order that keeps it true at every instant: a commit renames the data files, syncs
 * the folder, then renames the new manifest into place; when the manifest on disk
 * would not list a file about to be renamed, or claims units of an earlier run, a
 * manifest claiming no units and listing both is put in its place first. So a kill at
 * any instant leaves a manifest that lists every output file in the folder and claims
 * only units whose rows the files hold; a folder whose manifest claims every unit of
 * its command holds one complete run. Only the files a folder's manifest lists (and
 * temporary files NAME.tmp of known names) are ever replaced or removed.
 *
 * CSV (RFC 4180): a header row; fields separated by commas; rows ended by LF; UTF-8;
 * a field is quoted only when it holds a comma, a double quote, CR or LF, and a double
 * quote inside a quoted field is doubled. Integers are written as integers, and counts
 * of persons as whole numbers. A quantity (ur_csv_real) is written as a person writes
 * it: with the fewest significant digits (at most 10) that are within 1e-9 of the
 * value, relatively ("0.49", not "0.4899999999999999"); the fingerprint, not the
 * text, carries bit-exactness. A value that must read back to the same bits (a sweep's
 * parameter, ur_csv_real_exact) is written with the fewest digits (15, 16 or 17) that
 * do. Either is always written with a decimal point or an exponent ("1500.0",
 * "1e+20"), so that a column of reals reads as floating point in pandas and R whatever
 * its values; infinities are "inf" and "-inf"; NaN, which marks a value the model does
 * not define for the row, is an empty field. The text never depends on the C locale.
 *
 * Invariants: a struct ur_csv's text is always whole rows plus the current row's
 * fields; after an allocation failure it is marked failed and ignores further writes.
 * A struct ur_output owns the temporary files it began and removes them unless
 * committed.
 *
 * Error policy: statuses equal the exit statuses of sysexits.h (as in scenario.h),
 * with a message naming the file and the system's reason in a struct ur_output_error.
 * Nothing is printed. Passing NULL where a pointer is required, or using an object
 * after a failed or finished commit, is a programming error and asserts.
 *
 * Threads: no global or static mutable state. Objects may be used in many threads,
 * one thread per object. Two runs cannot write one folder at once: the folder is
 * locked (flock) while a struct ur_output holds it.
 *
 * Layering: the output module owns the manifest's format, both ways: manifest.c writes
 * it, manifest_read.c reads it (ur_sweep_manifest_read, for a sweep's --resume and
 * merge) through sim/conf, the program's tree of libconfig text, and the scenario
 * module's diag. It uses only the public API of those modules and of params.h.
 */
#ifndef UNREST_OUTPUT_H
#define UNREST_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unrest/model.h"
#include "unrest/params.h"
#include "unrest/scenario.h"

/* Statuses, equal to the exit statuses of sysexits.h. */
enum ur_output_status {
	UR_OUTPUT_OK = 0,
	UR_OUTPUT_NOMEM = 70,     /* out of memory (EX_SOFTWARE) */
	UR_OUTPUT_CANTCREAT = 73, /* the folder or a file cannot be created */
	UR_OUTPUT_IOERR = 74      /* a write, flush, sync or rename failed */
};

#define UR_OUTPUT_MESSAGE_SIZE 512

/* Why a call failed: its status and a one-line message without a trailing newline,
 * "out/x/summary.csv: No space left on device". */
struct ur_output_error {
	enum ur_output_status status;
	char message[UR_OUTPUT_MESSAGE_SIZE];
};

/* DIR "/" NAME (no doubled '/' when DIR ends with one), malloc'd; NULL when out of
 * memory. The one path join of the program's files and folders. */
char *ur_path_join(const char *dir, const char *name);

/* ---- numbers as text ------------------------------------------------------------- */

/* Enough for any double as ur_format_real writes it, with its NUL. */
#define UR_REAL_TEXT_SIZE 32

/* Writes v as an exact CSV real (see above: reads back to the same double) into buf;
 * returns the length, 0 for NaN. */
size_t ur_format_real(double v, char buf[UR_REAL_TEXT_SIZE]);
/* Writes v as a quantity (see above: the fewest digits within 1e-9 relatively) into
 * buf; returns the length, 0 for NaN. */
size_t ur_format_quantity(double v, char buf[UR_REAL_TEXT_SIZE]);

/* ---- CSV text in memory ------------------------------------------------------------
 * Caller storage: ur_csv_init, write rows, read data/len, ur_csv_finish. A row is its
 * fields in order, then ur_csv_end_row; the separators are the writer's business. */
struct ur_csv {
	char *data;          /* the text, not NUL-terminated; NULL while empty */
	size_t len;          /* bytes of text */
	size_t capacity;     /* bytes allocated */
	size_t fields;       /* fields written in the current row */
	bool failed;         /* memory ran out: the text is incomplete */
};

void ur_csv_init(struct ur_csv *csv);
void ur_csv_finish(struct ur_csv *csv);
/* Empties the text for reuse and clears `failed`; keeps the memory. */
void ur_csv_clear(struct ur_csv *csv);

/* A text field (UTF-8, NUL-terminated), quoted when it needs to be. */
void ur_csv_text(struct ur_csv *csv, const char *text);
void ur_csv_int(struct ur_csv *csv, int64_t value);
/* A quantity field (ur_format_quantity); NaN gives an empty field. */
void ur_csv_real(struct ur_csv *csv, double value);
/* A real field that reads back to the same double (ur_format_real): for inputs a
 * reader may feed back to the program, such as a sweep point's parameters. */
void ur_csv_real_exact(struct ur_csv *csv, double value);
/* A count of persons: an integer field, the value rounded to a whole person (it is
 * whole when scenario.agent_scale is). NaN gives an empty field. */
void ur_csv_count(struct ur_csv *csv, double value);
/* A field of len bytes already in CSV form (a number's text, made once and written in
 * many rows): not quoted, so it must hold no comma, quote, CR or LF. */
void ur_csv_field(struct ur_csv *csv, const char *text, size_t len);
/* An empty field: a value not defined for this row. */
void ur_csv_empty(struct ur_csv *csv);
/* Ends the row (LF). */
void ur_csv_end_row(struct ur_csv *csv);
/* A whole row of text fields: the header row of `names[0..n)`. */
void ur_csv_header(struct ur_csv *csv, const char *const *names, size_t n);

/* ---- the tables of a run -----------------------------------------------------------
 * Each CSV file of a run is one table, and each table's columns are one array of
 * struct ur_column: the recorder writes rows by walking it, a sweep takes its metrics
 * from it, the row validator checks rows against it, and docs/output.md's column
 * tables are generated from it (a test keeps them in step). Columns are only ever
 * added at the end. */
enum ur_table {
	UR_TABLE_SUMMARY,       /* summary.csv: one row per replication */
	UR_TABLE_NATIONAL,      /* national.csv: replication x sample time */
	UR_TABLE_TIMESERIES,    /* timeseries.csv: replication x sample time x region */
	UR_TABLE_EVENTS,        /* events.csv: one row per model event worth a line */
	UR_TABLE_POINT_SERIES,  /* a sweep's point_series.csv: point x sample time, the
				 * national series' statistics (output.point_series);
				 * its columns are the statistics of national.csv's
				 * metric columns (ur_table_series_metrics), a run
				 * never writes it */
	UR_TABLE_COUNT
};

/* What a column holds: how the recorder gets and writes its value, and what the
 * validator accepts. The first four come from the row's context (the replication,
 * the sample or event time, the region), the others from a field of the table's row
 * struct (struct ur_model_summary, ur_national_row, ur_region_row, ur_model_event) at
 * `offset`, of the C type the kind names. */
enum ur_column_kind {
	UR_COLUMN_REP,          /* integer: the replication index k */
	UR_COLUMN_HOUR,         /* real: hours since scenario.start */
	UR_COLUMN_TIME,         /* text: the hour as ISO 8601 with the scenario's offset */
	UR_COLUMN_REGION,       /* text: the region's id; empty for none */
	UR_COLUMN_UNSIGNED,     /* integer >= 0 from an unsigned field */
	UR_COLUMN_UINT64,       /* integer >= 0 from a uint64_t field */
	UR_COLUMN_COUNT,        /* a count of persons (ur_csv_count) from a double */
	UR_COLUMN_REAL,         /* a real from a double; NaN: empty */
	UR_COLUMN_HEX,          /* a 64-bit value as text, 0x and 16 hex digits */
	UR_COLUMN_OUTCOME,      /* enum ur_outcome, by name */
	UR_COLUMN_NET_STATE,    /* enum ur_net_state, by name */
	UR_COLUMN_EVENT,        /* an event's name (struct ur_model_event) */
	UR_COLUMN_TEXT,         /* free text from a const char * field */
	UR_COLUMN_ONSETS,       /* text: ID=HOUR;ID=HOUR... from struct ur_model_summary's
				 * region_onset (the row's params name the regions) */
	UR_COLUMN_POSTERIOR_ROW, /* integer >= 1: the posterior's row the replication drew
				 * (the row's context; the column is written only by runs
				 * whose scenario names a posterior) */
	UR_COLUMN_ACTION_HOURS  /* text: ID=HOUR;ID=HOUR... from struct ur_model_summary's
				 * action_hour (the row's params name the actions) */
};

struct ur_column {
	const char *name;          /* the header's name */
	enum ur_column_kind kind;
	size_t offset;             /* of the field in the row struct (field kinds) */
	bool optional;             /* may be empty: a value the model does not define */
	bool metric;               /* summarised per point in sweep_stats.csv */
	const char *unit;          /* "persons", "h", "USD", or "" */
	const char *doc;           /* its meaning, one Markdown paragraph */
};

/* point_series.csv: after `point` (and the sweep's parameters, which no table
 * holds), `hour` and `count`, each metric column of national.csv has these columns, in
 * this order, named METRIC_SUFFIX: the mean and the 5th, 50th and 95th percentiles. */
#define UR_SERIES_STATS 4
extern const char *const ur_series_stat_suffix[UR_SERIES_STATS]; /* "mean", "p5", ... */
extern const double ur_series_stat_quantile[UR_SERIES_STATS];   /* NaN (the mean), 0.05,
								  * 0.5, 0.95 */
/* national.csv's columns that point_series.csv summarises, for these settings: the
 * chosen ones (output.national_columns) but the key and time columns, as a mask over
 * national.csv's table. */
uint64_t ur_table_series_metrics(const struct ur_output_params *output);

/* The table's file name, "summary.csv". */
const char *ur_table_file(enum ur_table table);
/* The table's columns: returns their number and points *columns at them. */
size_t ur_table_columns(enum ur_table table, const struct ur_column **columns);
/* The index of the column `name` in the table, or -1. */
long ur_table_column_index(enum ur_table table, const char *name);
/* Whether a run with these output settings writes the table (output.summary, ...). */
bool ur_table_enabled(const struct ur_output_params *output, enum ur_table table);
/* Appends the table's header row. */
void ur_table_header(struct ur_csv *csv, enum ur_table table);

/* Column choices (output.national_columns, output.timeseries_columns): sets of the
 * table's columns as masks, bit i for column i (a table has at most 64 columns). The
 * key columns (rep, hour, region) are in every choice; the default is every column
 * but `time`, which repeats `hour` as text. Other tables are written whole. */
uint64_t ur_table_key_columns(enum ur_table table);
uint64_t ur_table_default_columns(enum ur_table table);
/* The columns a run with these output settings writes, for a scenario without a
 * posterior. */
uint64_t ur_table_chosen_columns(const struct ur_output_params *output,
				 enum ur_table table);
/* The columns a run of these params writes: the chosen ones, and summary.csv's
 * posterior_row when the scenario names a posterior. */
uint64_t ur_table_run_columns(const struct ur_params *params, enum ur_table table);
/* summary.csv's columns, with or without posterior_row. */
uint64_t ur_table_summary_columns(bool posterior);
/* Appends the header row of the chosen columns. */
void ur_table_header_chosen(struct ur_csv *csv, enum ur_table table, uint64_t chosen);
/* The type a reader sees for a kind: "integer", "count", "real" or "text". */
const char *ur_column_type(enum ur_column_kind kind);
/* Writes docs/output.md's Markdown table of the table's columns (column, type, unit,
 * meaning). 0, or -1 on a write error. */
int ur_table_write_doc(enum ur_table table, FILE *stream);

/* Checks one field of text against the column: its kind's syntax (an integer >= 0,
 * a number, 0x and 16 hex digits, a name of the enum), empty only where the column is
 * optional. 0, or -1 with what was expected in why[0..size) ("a whole number >= 0").
 * `field` is the field's text without quotes; len its length. */
int ur_column_check(const struct ur_column *column, const char *field, size_t len,
		    char *why, size_t size);

/* Reads a region_onsets or action_hours field (s, len bytes, not NUL-terminated):
 * calls each(context, id, hour) for each ID=HOUR pair in order, stopping at the first
 * non-zero return.
 * 0, or -1 when the text is not such a field (or each stopped). Empty text: 0. */
typedef int (*ur_onset_fn)(void *context, const char *id, double hour);
int ur_onsets_parse(const char *s, size_t len, ur_onset_fn each, void *context);

/* The fields of a summary.csv row, without ending the row: for writers that put
 * columns of their own before or after them (a sweep's point and parameters).
 * posterior_row: the row of the scenario's posterior the replication drew (1-based),
 * or 0 for a scenario without one, whose rows have no posterior_row field. `params`
 * (the run's) names the regions of region_onsets. */
void ur_csv_summary_fields(struct ur_csv *csv, const struct ur_params *params,
			   uint64_t replication, const struct ur_model_summary *summary,
			   uint64_t posterior_row);

/* ---- the recorder: the model's observer, writing one replication's rows -------------
 * Caller storage: ur_recorder_init once, then for each replication ur_recorder_begin,
 * ur_model_create with ur_recorder_observer's result, ur_model_run; the rows are then
 * in rec->table[t] (header rows excluded), for the tables the scenario enables. The
 * recorder stops the run (the callback returns non-zero, ur_model_run returns
 * UR_MODEL_OBSERVER) when memory runs out; ur_recorder_failed then says so. */
struct ur_real_memo;

struct ur_recorder {
	const struct ur_params *params;
	uint64_t replication;
	uint64_t posterior_row;            /* summary.csv's posterior_row: set after
					    * ur_recorder_begin when the scenario names a
					    * posterior (1-based); 0 otherwise */
	struct ur_csv table[UR_TABLE_COUNT];
	uint64_t chosen[UR_TABLE_COUNT];   /* ur_table_chosen_columns */
	uint64_t timeseries_every;         /* timeseries.csv: every n-th sample */
	bool time_text;                    /* a sample's rows show its time as text */
	struct ur_real_memo *memo;         /* the last text of each real field (recorder.c),
					    * or NULL */
	size_t memo_slots;
};

/* `params` must outlive the recorder. */
void ur_recorder_init(struct ur_recorder *rec, const struct ur_params *params);
void ur_recorder_finish(struct ur_recorder *rec);
/* Empties the tables (keeping their memory) for replication `replication`. */
void ur_recorder_begin(struct ur_recorder *rec, uint64_t replication);
/* The observer that fills the recorder; rec must outlive the model it is given to. */
struct ur_observer ur_recorder_observer(struct ur_recorder *rec);
/* Whether memory ran out while recording: the tables are then incomplete. */
bool ur_recorder_failed(const struct ur_recorder *rec);

/* ---- a file that appears whole or not at all --------------------------------------- */
struct ur_atomic_file;

/* Begins DIR/NAME by creating DIR/NAME.tmp (replacing a stale one). NULL with *err
 * set (CANTCREAT or NOMEM) on failure. `name` is a plain file name, no '/'. */
struct ur_atomic_file *ur_atomic_file_create(const char *dir, const char *name,
					     struct ur_output_error *err);

/* Appends len bytes. 0, or -1 after a write error: then commit fails with IOERR.
 * Errors are sticky: writes after a failed one do nothing. */
int ur_atomic_file_write(struct ur_atomic_file *file, const void *data, size_t len);

/* The file as a stdio stream, for writers that take one (ur_scenario_write); its write
 * errors are found by the commit. Owned by the file: do not close it. */
FILE *ur_atomic_file_stream(struct ur_atomic_file *file);

/* Flushes, syncs and closes the temporary file and renames it to its final name. On
 * failure (IOERR) the temporary file is removed and no file of the final name is made.
 * Either way the file is finished: only ur_atomic_file_destroy may follow. The rename
 * is made durable by syncing the folder, which ur_output_commit does once for all. */
enum ur_output_status ur_atomic_file_commit(struct ur_atomic_file *file,
					    struct ur_output_error *err);

/* Frees the file; an uncommitted one is closed and its temporary file removed. NULL is
 * a no-op. */
void ur_atomic_file_destroy(struct ur_atomic_file *file);

/* ---- the manifest ------------------------------------------------------------------
 * manifest.cfg, in libconfig syntax, says what made the folder and how each unit of
 * work (a replication; a (point, replication) pair in a sweep) ended. It holds no
 * clock time, host or path other than those of the command line, so the same command
 * gives the same manifest. */
struct ur_manifest_unit {
	long point;                 /* sweep point index, or -1 in a run (not written) */
	uint64_t replication;       /* replication index k */
	uint64_t seed;              /* ur_rng_replication_seed(master seed, k) */
	bool failed;
	const char *reason;         /* why it failed (one line), or NULL when done */
};

struct ur_manifest {
	const char *version;        /* program version, "0.1.0" */
	const char *command;        /* the subcommand, "run" */
	int argc;                   /* the command line as given, argv[0] first */
	const char *const *argv;
	const char *scenario;       /* the scenario file as named on the command line */
	uint64_t scenario_hash;     /* ur_scenario_hash */
	const char *posterior;      /* the scenario's posterior file as named (joined to
				     * the scenario's folder), or NULL for none */
	uint64_t posterior_checksum; /* ur_posterior_checksum */
	uint64_t master_seed;
	/* The scenario's historical record (scenario.record, .regions_file: absolute
	 * paths) and the FNV-1a 64 hashes of their bytes when the run was made, so that
	 * analysis finds the record and knows whether it changed since; NULL or "" when
	 * the scenario names none (the lines are left out). */
	const char *record;
	uint64_t record_hash;
	const char *regions_file;
	uint64_t regions_hash;
	size_t nfiles;              /* the data files of the folder, without the manifest */
	const char *const *files;
	size_t nunits;
	const struct ur_manifest_unit *units;
};

/* The FNV-1a 64 hash of the bytes of the file at path (a record's, for the
 * manifest); 0 and *hash, or -1 with errno when it cannot be read. */
int ur_file_hash(const char *path, uint64_t *hash);

/* Writes the manifest as libconfig text; 0, or -1 on a write error. */
int ur_manifest_write(FILE *stream, const struct ur_manifest *manifest);

/* ---- the output folder -------------------------------------------------------------
 * The -o policy: the folder is created (with its missing parents) when it does not
 * exist; an existing folder is used when it is empty or holds only unrestsim's files:
 * a manifest.cfg of unrestsim, the files it lists (an earlier run's or sweep's
 * output, complete or not), and temporary files NAME.tmp of known names, which this
 * run replaces. Any other folder is refused with CANTCREAT, naming the file: one of
 * another name, or one named like an output that no manifest lists (a user's own
 * summary.csv), so nothing of the user's is ever overwritten or removed.
 *
 * A struct ur_output holds the folder's lock from ur_output_open to
 * ur_output_destroy, and may commit many times (a sweep's checkpoints): after a
 * successful commit, files may be begun again for the next. */
struct ur_output;

/* The exit status of a process ended by an injected fault (UNRESTSIM_FAULT=exit:N, a
 * test hook: file.c, docs/output.md). */
#define UR_OUTPUT_FAULT_EXIT 99

/* Opens (creating, or checking and claiming) the folder `dir`. NULL with *err set
 * (CANTCREAT or NOMEM) on failure; nothing is created in a refused folder. */
struct ur_output *ur_output_open(const char *dir, struct ur_output_error *err);

/* Whether ur_output_open(dir) would take the folder now, checked before long work so
 * that a folder it would refuse is refused at once: the folder is made (with its
 * parents) if missing, but an existing one is left as it was, its earlier manifest
 * included. UR_OUTPUT_OK, or the status with *err set. The lock is not kept: the
 * writer's ur_output_open takes it again. */
int ur_output_check(const char *dir, struct ur_output_error *err);

/* Says that the manifest already in the folder stays true whatever this output's
 * files hold (a resumed sweep, whose rows only grow): the first commit then replaces
 * it by a rename alone, and a kill during that commit keeps its claims. Call before
 * the first commit. */
void ur_output_continue(struct ur_output *out);

/* The folder's path, as given. */
const char *ur_output_dir(const struct ur_output *out);

/* Whether `name` is a file name unrestsim writes into an output folder (with or
 * without its ".tmp"): what the -o policy accepts in an existing folder. */
bool ur_output_known_name(const char *name);

/* Begins the data file NAME (one of the known names, not the manifest). The file is
 * owned by the output, and committed by ur_output_commit in the order begun. NULL with
 * *err set on failure. */
struct ur_atomic_file *ur_output_begin(struct ur_output *out, const char *name,
				       struct ur_output_error *err);

/* Commits every begun file, removes the files of an earlier run that this one did not
 * write (those its manifest lists), writes manifest.cfg (its `files` are the begun
 * files, whatever the caller put there) and syncs the folder, in the order above. OK,
 * and files may be begun again; or IOERR/NOMEM/CANTCREAT with *err set: then only
 * ur_output_destroy may follow; the manifest on disk is the one before the commit (or
 * one claiming no units), files whose units it claims are kept, others of this
 * commit removed (the temporary ones by ur_output_destroy, which also removes a
 * manifest that claims no units and lists no file left). */
enum ur_output_status ur_output_commit(struct ur_output *out,
				       const struct ur_manifest *manifest,
				       struct ur_output_error *err);

/* Frees the output; the temporary files of an uncommitted one are removed. NULL is a
 * no-op. */
void ur_output_destroy(struct ur_output *out);

/* ---- reading a manifest (manifest_read.c; a sweep's --resume and merge read them) ---- */
struct ur_sweep_manifest_unit {
	long point;
	uint64_t replication;
	uint64_t seed;
	bool failed;
	char *reason;                  /* malloc'd, NULL when done */
};

struct ur_sweep_manifest {
	char *command;
	char *scenario;
	uint64_t scenario_hash;
	char *posterior;            /* NULL: the scenario names none */
	uint64_t posterior_checksum;
	uint64_t master_seed;
	size_t nunits;
	struct ur_sweep_manifest_unit *units;
};

/* Reads manifest.cfg at `path`; NULL with *status (66 missing, 65 not a manifest, 70
 * out of memory) and a message in diag. */
struct ur_sweep_manifest *ur_sweep_manifest_read(const char *path, struct ur_diag *diag,
						 enum ur_scenario_status *status);
void ur_sweep_manifest_destroy(struct ur_sweep_manifest *manifest);

#endif /* UNREST_OUTPUT_H */
