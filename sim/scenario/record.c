/*
 * record.c: the historical record a scenario names (scenario.record, the facts, and
 * scenario.regions_file, its regions), resolved and checked at the load.
 *
 * Each path is read relative to the folder of the file that sets it, as `base` is (a
 * --set or a scenario given from memory: relative to the working folder), and kept
 * as an absolute path, so that the printout (a run's scenario.cfg, a calibration's)
 * names the same files wherever it is loaded from. The files must exist and be in
 * the record format of docs/record.md: the facts' columns in their order, numbers
 * that parse, ranges in order, grades, region ids the regions file has; the regions
 * file's columns by name, unique ids that are exactly the scenario's regions, whole
 * populations, UTC offsets, coordinates and first days. Every mistake is one message,
 * `FILE:LINE: column: expected ..., found ...`, and nothing runs.
 *
 * The CSV reader is written here, not taken from a library: Debian's libcsv would be
 * a new dependency for about a hundred lines, and RFC 4180 (quoted fields, doubled
 * quotes, CRLF) is all the record format uses. tests/analysis/check_records.py checks the same
 * rules with Python's csv module.
 */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* A record is a few hundred rows; anything near this is not one. */
#define RECORD_MAX_BYTES (16u << 20)

static const char *const fact_columns[] = {
	"quantity", "value", "low", "high", "unit", "hour", "hour_low", "hour_high",
	"region", "source", "grade"
};
#define NFACT_COLUMNS (sizeof fact_columns / sizeof fact_columns[0])

static const char *const region_columns[] = {
	"id", "name", "centre", "population", "utc_offset", "lat", "lon",
	"first_protest_day", "first_protest_grade"
};
#define NREGION_COLUMNS (sizeof region_columns / sizeof region_columns[0])

struct csv_row {
	char **field;
	size_t n;
	unsigned line;              /* where the row starts */
};

struct csv {
	struct csv_row *rows;
	size_t n, cap;
};

/* What the checks of one file need: where to say things. */
struct checker {
	struct loader *L;
	size_t rank;                /* the scenario file that names the record */
	unsigned setting_line;
	const char *display;        /* the CSV file as messages name it */
	unsigned errors;
};

#define MAX_ERRORS_PER_FILE 20u

__attribute__((format(printf, 3, 4)))
static void complain(struct checker *C, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *what;

	C->L->bad = true;
	if (++C->errors > MAX_ERRORS_PER_FILE)
		return;
	va_start(ap, fmt);
	what = sc_vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		C->L->nomem = true;
		return;
	}
	if (C->errors == MAX_ERRORS_PER_FILE)
		sc_add_msg(C->L, C->rank, C->setting_line,
			   sc_format("%s:%u: %s (further errors in this file not shown)",
				     C->display, line, what));
	else
		sc_add_msg(C->L, C->rank, C->setting_line,
			   sc_format("%s:%u: %s", C->display, line, what));
	free(what);
}

static void csv_free(struct csv *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->rows[i].n; j++)
			free(t->rows[i].field[j]);
		free(t->rows[i].field);
	}
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

/* Appends a field (text[0..len)) to row; false when out of memory. */
static bool add_field(struct csv_row *row, size_t *cap, const char *text, size_t len)
{
	if (row->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		char **f = realloc(row->field, ncap * sizeof *f);
		if (!f)
			return false;
		row->field = f;
		*cap = ncap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return false;
	memcpy(copy, text, len);
	copy[len] = '\0';
	row->field[row->n++] = copy;
	return true;
}

/* Splits text (len bytes, NUL-free) into rows of fields. A blank line is skipped. */
static bool csv_parse(struct checker *C, const char *text, size_t len, struct csv *t)
{
	size_t i = 0;
	unsigned line = 1;
	char *buf = malloc(len + 1);

	if (!buf) {
		C->L->nomem = true;
		return false;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;   /* a UTF-8 byte order mark, as spreadsheets write */
	while (i < len) {
		struct csv_row row = { .field = NULL, .n = 0, .line = line };
		size_t cap = 0;
		bool end = false;
		if (text[i] == '\n' || (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
			i += text[i] == '\r' ? 2 : 1;
			line++;
			continue;
		}
		while (!end) {
			size_t n = 0;
			if (i < len && text[i] == '"') {
				unsigned opened = line;
				i++;
				for (;;) {
					if (i >= len) {
						complain(C, opened, "expected a closing quote (\") "
							 "for the field opened here, found the end of "
							 "the file");
						free(buf);
						for (size_t j = 0; j < row.n; j++)
							free(row.field[j]);
						free(row.field);
						return false;
					}
					if (text[i] == '"') {
						if (i + 1 < len && text[i + 1] == '"') {
							buf[n++] = '"';
							i += 2;
							continue;
						}
						i++;
						break;
					}
					line += text[i] == '\n';
					buf[n++] = text[i++];
				}
				if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
					complain(C, line, "expected a comma or the end of the line "
						 "after a quoted field, found '%c'", text[i]);
					while (i < len && text[i] != ',' && text[i] != '\n')
						i++;
				}
			} else {
				while (i < len && text[i] != ',' && text[i] != '\n' &&
				       !(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
					buf[n++] = text[i++];
			}
			if (!add_field(&row, &cap, buf, n)) {
				C->L->nomem = true;
				break;
			}
			if (i < len && text[i] == ',') {
				i++;
			} else {
				if (i < len)
					i += text[i] == '\r' ? 2 : 1;
				line++;
				end = true;
			}
		}
		if (C->L->nomem) {
			for (size_t j = 0; j < row.n; j++)
				free(row.field[j]);
			free(row.field);
			break;
		}
		if (t->n == t->cap) {
			size_t ncap = t->cap ? 2 * t->cap : 64;
			struct csv_row *r = realloc(t->rows, ncap * sizeof *r);
			if (!r) {
				C->L->nomem = true;
				for (size_t j = 0; j < row.n; j++)
					free(row.field[j]);
				free(row.field);
				break;
			}
			t->rows = r;
			t->cap = ncap;
		}
		t->rows[t->n++] = row;
	}
	free(buf);
	return !C->L->nomem;
}

/* Reads and splits the file at path; false (with a message) when it cannot. */
static bool csv_read(struct checker *C, const char *path, struct csv *t)
{
	FILE *f = NULL;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	bool ok = false;
	char why[128];

	/* A regular file only: opening a FIFO or a device could block or never end. */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fopen(path, "rb"))) {
		int err = errno;
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			snprintf(why, sizeof why, "something else (a folder, a device?)");
		else if (strerror_r(err, why, sizeof why) != 0)
			snprintf(why, sizeof why, "error %d", err);
		complain(C, 1, "expected a readable CSV file, found %s", why);
		goto done;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		complain(C, 1, "expected a readable CSV file, found something else");
		goto done;
	}
	if ((uintmax_t)st.st_size > RECORD_MAX_BYTES) {
		complain(C, 1, "expected at most %u bytes, found %jd", RECORD_MAX_BYTES,
			 (intmax_t)st.st_size);
		goto done;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		C->L->nomem = true;
		goto done;
	}
	len = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		complain(C, 1, "expected a readable file, found a read error");
		goto done;
	}
	{
		const char *nul = memchr(text, '\0', len);
		if (nul) {
			unsigned line = 1;
			for (const char *c = text; c < nul; c++)
				line += *c == '\n';
			complain(C, line, "expected text, found byte 0x00");
			goto done;
		}
		unsigned long line;
		size_t bad = cf_utf8_check(text, len, &line);
		if (bad < len) {
			complain(C, line > UINT_MAX ? UINT_MAX : (unsigned)line,
				 "expected UTF-8 text, found byte 0x%02X",
				 (unsigned)(unsigned char)text[bad]);
			goto done;
		}
	}
	ok = csv_parse(C, text, len, t);
	if (ok && t->n == 0) {
		complain(C, 1, "expected a header row, found an empty file");
		ok = false;
	}
done:
	if (f)
		fclose(f);
	free(text);
	return ok;
}

/* A field as a finite number: true and *out, or false. Empty is not a number. */
static bool parse_number(const char *text, double *out)
{
	char *end;
	if (!*text)
		return false;
	errno = 0;
	double v = strtod(text, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static const char *show(const char *text, char *buf, size_t size)
{
	if (strlen(text) > 40)
		snprintf(buf, size, "\"%.37s...\"", text);
	else
		snprintf(buf, size, "\"%s\"", text);
	return buf;
}

/* An optional number column: empty -> *given false; else it must parse. */
static bool number_field(struct checker *C, const struct csv_row *row, size_t col,
			 const char *name, double *out, bool *given)
{
	char shown[64];
	*given = false;
	if (col >= row->n || !*row->field[col])
		return true;
	if (!parse_number(row->field[col], out)) {
		complain(C, row->line, "%s: expected a number, found %s", name,
			 show(row->field[col], shown, sizeof shown));
		return false;
	}
	*given = true;
	return true;
}

static bool is_grade(const char *g)
{
	return strcmp(g, "A") == 0 || strcmp(g, "B") == 0 || strcmp(g, "C") == 0;
}

/* Column index of name in the header, or -1. */
static long column(const struct csv_row *header, const char *name)
{
	for (size_t i = 0; i < header->n; i++)
		if (strcmp(header->field[i], name) == 0)
			return (long)i;
	return -1;
}

/* The regions file: its columns by name, ids exactly the scenario's regions. The
 * ids are left in ids[0..*nids) (pointers into t). */
static void check_regions(struct checker *C, const struct csv *t, const struct ur_params *p,
			  const char **ids, size_t *nids)
{
	const struct csv_row *header = &t->rows[0];
	long col[NREGION_COLUMNS];
	char shown[64];
	bool present[UR_MAX_REGIONS] = { false };
	bool have_all = true;

	*nids = 0;
	for (size_t k = 0; k < NREGION_COLUMNS; k++) {
		col[k] = column(header, region_columns[k]);
		if (col[k] < 0) {
			complain(C, header->line, "%s: expected this column in the header "
				 "(docs/record.md), found none", region_columns[k]);
			have_all = false;
		}
	}
	if (!have_all)
		return;
	for (size_t r = 1; r < t->n; r++) {
		const struct csv_row *row = &t->rows[r];
		if (row->n != header->n) {
			complain(C, row->line, "expected %zu fields as in the header, found %zu",
				 header->n, row->n);
			continue;
		}
		const char *id = row->field[col[0]];
		int region = -1;
		for (size_t i = 0; i < p->nregions; i++)
			if (strcmp(p->regions[i].id, id) == 0)
				region = (int)i;
		if (region < 0) {
			complain(C, row->line, "id: expected a region of the scenario, found %s",
				 show(id, shown, sizeof shown));
		} else if (present[region]) {
			complain(C, row->line, "id: expected each region once, found %s again",
				 show(id, shown, sizeof shown));
		} else {
			present[region] = true;
			if (*nids < UR_MAX_REGIONS)
				ids[(*nids)++] = p->regions[region].id;
		}
		double v = 0.0;
		bool given;
		const char *pop = row->field[col[3]];
		if (!parse_number(pop, &v) || v < 1 || v != floor(v) || strchr(pop, '.') ||
		    strchr(pop, 'e') || strchr(pop, 'E'))
			complain(C, row->line, "population: expected a whole number > 0, found %s",
				 show(pop, shown, sizeof shown));
		const char *off = row->field[col[4]];
		int hh, mm, used = 0;
		if (!((off[0] == '+' || off[0] == '-') && strlen(off) == 6 &&
		      strspn(off + 1, "0123456789") == 2 && off[3] == ':' &&
		      strspn(off + 4, "0123456789") == 2 &&
		      sscanf(off + 1, "%2d:%2d%n", &hh, &mm, &used) == 2 && used == 5 &&
		      hh <= 14 && mm < 60))
			complain(C, row->line, "utc_offset: expected +HH:MM or -HH:MM, found %s",
				 show(off, shown, sizeof shown));
		if (!parse_number(row->field[col[5]], &v) || v < -90 || v > 90)
			complain(C, row->line, "lat: expected degrees in [-90, 90], found %s",
				 show(row->field[col[5]], shown, sizeof shown));
		if (!parse_number(row->field[col[6]], &v) || v < -180 || v > 180)
			complain(C, row->line, "lon: expected degrees in [-180, 180], found %s",
				 show(row->field[col[6]], shown, sizeof shown));
		if (number_field(C, row, (size_t)col[7], "first_protest_day", &v, &given) &&
		    given && (v != floor(v) || fabs(v) > 1e6))
			complain(C, row->line, "first_protest_day: expected a whole number of "
				 "days or nothing, found %s",
				 show(row->field[col[7]], shown, sizeof shown));
		const char *g = row->field[col[8]];
		if (*g && !is_grade(g))
			complain(C, row->line, "first_protest_grade: expected A, B, C or nothing, "
				 "found %s", show(g, shown, sizeof shown));
	}
	for (size_t i = 0; i < p->nregions; i++)
		if (!present[i])
			complain(C, t->n ? t->rows[t->n - 1].line : 1,
				 "id: expected a row for every region of the scenario, found none "
				 "for \"%s\"", p->regions[i].id);
}

/* The facts file: the columns in their order, numbers, ranges, grades and regions
 * (against the regions file's ids when it has any, else the scenario's). */
static void check_facts(struct checker *C, const struct csv *t, const struct ur_params *p,
			const char *const *ids, size_t nids)
{
	const struct csv_row *header = &t->rows[0];
	char shown[64];

	for (size_t k = 0; k < NFACT_COLUMNS; k++) {
		const char *found = k < header->n ? header->field[k] : "";
		if (strcmp(found, fact_columns[k]) != 0) {
			complain(C, header->line, "column %zu: expected \"%s\" (docs/record.md), "
				 "found %s", k + 1, fact_columns[k],
				 k < header->n ? show(found, shown, sizeof shown) : "none");
			return;
		}
	}
	for (size_t r = 1; r < t->n; r++) {
		const struct csv_row *row = &t->rows[r];
		if (row->n != header->n) {
			complain(C, row->line, "expected %zu fields as in the header, found %zu",
				 header->n, row->n);
			continue;
		}
		if (!*row->field[0])
			complain(C, row->line, "quantity: expected a name, found nothing");
		double v[7] = { 0 };
		bool g[7] = { false }, ok = true;
		for (size_t k = 1; k <= 3; k++)
			ok &= number_field(C, row, k, fact_columns[k], &v[k], &g[k]);
		for (size_t k = 5; k <= 7; k++)
			ok &= number_field(C, row, k, fact_columns[k], &v[k - 1], &g[k - 1]);
		if (ok) {
			/* value low high at 1 2 3; hour hour_low hour_high at 4 5 6 */
			if (g[1] && g[2] && v[2] > v[1])
				complain(C, row->line, "low: expected <= value (%g), found %g",
					 v[1], v[2]);
			if (g[1] && g[3] && v[3] < v[1])
				complain(C, row->line, "high: expected >= value (%g), found %g",
					 v[1], v[3]);
			if (g[2] && g[3] && v[3] < v[2])
				complain(C, row->line, "high: expected >= low (%g), found %g",
					 v[2], v[3]);
			if (g[4] && g[5] && v[5] > v[4])
				complain(C, row->line, "hour_low: expected <= hour (%g), found %g",
					 v[4], v[5]);
			if (g[4] && g[6] && v[6] < v[4])
				complain(C, row->line, "hour_high: expected >= hour (%g), found %g",
					 v[4], v[6]);
			if (g[5] && g[6] && v[6] < v[5])
				complain(C, row->line, "hour_high: expected >= hour_low (%g), "
					 "found %g", v[5], v[6]);
		}
		if (!is_grade(row->field[10]))
			complain(C, row->line, "grade: expected A, B or C, found %s",
				 show(row->field[10], shown, sizeof shown));
		/* The regions a fact is about, joined by ';'. */
		const char *s = row->field[8];
		while (*s) {
			size_t len = strcspn(s, ";");
			bool known = false;
			if (nids) {
				for (size_t i = 0; i < nids && !known; i++)
					known = strlen(ids[i]) == len && strncmp(ids[i], s, len) == 0;
			} else {
				for (size_t i = 0; i < p->nregions && !known; i++)
					known = strlen(p->regions[i].id) == len &&
						strncmp(p->regions[i].id, s, len) == 0;
			}
			if (!known)
				complain(C, row->line, "region: expected region ids of the %s "
					 "joined by ';', found \"%.*s\"",
					 nids ? "regions file" : "scenario", (int)(len > 40 ? 40 : len),
					 s);
			s += len;
			if (*s == ';')
				s++;
		}
	}
}

/* Resolves the setting at `name` of scenario (a file path) into `out` (absolute);
 * the path as messages show it goes to display. False when absent or empty (out
 * empty) or when it cannot be resolved (a message said why). */
static bool resolve(struct loader *L, const struct cf_setting *scenario, const char *name,
		    char *out, size_t size, char *display, size_t dsize,
		    const struct cf_setting **where)
{
	const struct cf_setting *s = cf_member(scenario, name);
	char path[PATH_SIZE + UR_PATH_SIZE];
	char real[PATH_MAX];
	char label[64];

	*where = s;
	out[0] = '\0';
	if (!s || s->type != CF_STRING || !s->value.sval || !*s->value.sval)
		return false;
	const char *value = s->value.sval;
	const char *slash = s->file ? strrchr(s->file, '/') : NULL;
	bool from_disk = false;
	for (size_t i = 0; i < L->nfiles; i++)
		if (L->files[i]->name == s->file)
			from_disk = L->files[i]->kind == FILE_DISK;
	if (value[0] != '/' && from_disk && slash)
		snprintf(path, sizeof path, "%.*s/%s", (int)(slash - s->file), s->file, value);
	else
		snprintf(path, sizeof path, "%s", value);
	snprintf(display, dsize, "%s", path);
	snprintf(label, sizeof label, "scenario.%s", name);
	if (!realpath(path, real)) {
		char why[128];
		if (strerror_r(errno, why, sizeof why) != 0)
			snprintf(why, sizeof why, "error %d", errno);
		sc_report(L, s, label, "expected a file (relative to the scenario file that "
			  "names it), found \"%s\": %s", path, why);
		L->missing = true;
		return false;
	}
	if (strlen(real) >= size) {
		sc_report(L, s, label, "expected a path of at most %zu bytes, found %zu",
			  size - 1, strlen(real));
		return false;
	}
	snprintf(out, size, "%s", real);
	return true;
}

void sc_check_record(struct loader *L, const struct cf_setting *root)
{
	const struct cf_setting *scenario = cf_member(root, "scenario");
	struct ur_scenario_params *sp = &L->p->scenario;
	char facts_shown[PATH_SIZE + UR_PATH_SIZE], regions_shown[PATH_SIZE + UR_PATH_SIZE];
	const struct cf_setting *facts_at, *regions_at;
	const char *ids[UR_MAX_REGIONS];
	size_t nids = 0;

	if (!scenario)
		return;
	bool have_facts = resolve(L, scenario, "record", sp->record, sizeof sp->record,
				  facts_shown, sizeof facts_shown, &facts_at);
	bool have_regions = resolve(L, scenario, "regions_file", sp->regions_file,
				    sizeof sp->regions_file, regions_shown,
				    sizeof regions_shown, &regions_at);
	if (have_regions) {
		struct csv t = { 0 };
		struct checker C = { L, L->nfiles, regions_at->line, regions_shown, 0 };
		for (size_t i = 0; i < L->nfiles; i++)
			if (L->files[i]->name == regions_at->file)
				C.rank = i;
		if (csv_read(&C, sp->regions_file, &t))
			check_regions(&C, &t, L->p, ids, &nids);
		csv_free(&t);
	}
	if (have_facts) {
		struct csv t = { 0 };
		struct checker C = { L, L->nfiles, facts_at->line, facts_shown, 0 };
		for (size_t i = 0; i < L->nfiles; i++)
			if (L->files[i]->name == facts_at->file)
				C.rank = i;
		if (csv_read(&C, sp->record, &t))
			check_facts(&C, &t, L->p, ids, nids);
		csv_free(&t);
	}
}
