/*
 * posterior.c: a scenario's posterior file (posterior.h): read and checked as
 * untrusted input when the scenario is loaded, then drawn from, one row a
 * replication, by the run and sweep drivers.
 *
 * The reader is small and by hand: the file is a plain RFC 4180 table of numbers
 * under a header of names, and every field must be judged against the settings
 * schema with a line-numbered message, which a general CSV library would not spare.
 */
/* realpath(3) is XSI. */
#define _XOPEN_SOURCE 700

#include "unrest/posterior.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "internal.h"
#include "unrest/rng.h"
#include "unrest/scenario.h"

/* Messages kept from one file: the first ones say what is wrong with it. */
#define MAX_MESSAGES 50

struct ur_posterior {
	char *name;                 /* as the scenario named it, joined to its folder */
	char *path;                 /* absolute */
	uint64_t checksum;          /* FNV-1a 64 of the file's bytes */
	size_t nrows, nparams;
	char **params;              /* setting paths */
	bool *integral;             /* the setting is a whole number */
	double *values;             /* nrows x nparams */
	double *weights;            /* normalized */
	unsigned long *lines;       /* the file's line of each row */
	gsl_ran_discrete_t *table;  /* Walker's alias table of the weights (GSL) */
	double ess;
};

/* The reader's state: the file's name for messages, and the loader for its store. */
struct reader {
	struct loader *L;
	const char *name;
	size_t messages;
};

static void say(struct reader *R, unsigned long line, const char *column, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static void say(struct reader *R, unsigned long line, const char *column, const char *fmt,
		...)
{
	R->L->bad = true;
	if (R->messages++ >= MAX_MESSAGES)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *what = sc_vformat(fmt, ap);
	va_end(ap);
	char *text = what ? (column ? sc_format("%s:%lu: %s: %s", R->name, line, column, what)
				    : sc_format("%s:%lu: %s", R->name, line, what))
			  : NULL;
	free(what);
	/* After every file of the scenario: its messages come first. */
	sc_add_msg(R->L, R->L->nfiles, line > UINT_MAX ? UINT_MAX : (unsigned)line, text);
}

void sc_posterior_destroy(struct ur_posterior *P)
{
	if (!P)
		return;
	for (size_t j = 0; j < P->nparams; j++)
		free(P->params[j]);
	free(P->params);
	free(P->integral);
	free(P->values);
	free(P->weights);
	free(P->lines);
	if (P->table)
		gsl_ran_discrete_free(P->table);
	free(P->name);
	free(P->path);
	free(P);
}

/* ---- fields ---------------------------------------------------------------------------- */

/* Splits one line (without its end) into fields, RFC 4180: a field in double quotes
 * may hold commas and doubled quotes, which are undone in place. Returns the number
 * of fields (at most max are kept), or -1 when a quote is not closed or text follows
 * a closing quote. */
static long split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *s = line;
	for (;;) {
		char *start = s, *out = s;
		if (*s == '"') {
			s++;
			for (;;) {
				if (*s == '\0')
					return -1;
				if (*s == '"') {
					if (s[1] != '"')
						break;
					s++;
				}
				*out++ = *s++;
			}
			s++; /* the closing quote */
			if (*s != ',' && *s != '\0')
				return -1;
		} else {
			while (*s && *s != ',') {
				if (*s == '"')
					return -1;
				out++, s++;
			}
		}
		char end = *s;
		*out = '\0';
		if (n < max)
			fields[n] = start;
		n++;
		if (end == '\0')
			return (long)n;
		s++;
	}
}

/* A field as messages show it: quoted, cut to a readable length. */
static const char *shown(const char *field, char buf[64])
{
	size_t len = strlen(field);
	if (len == 0)
		return "an empty field";
	if (len > 40)
		snprintf(buf, 64, "\"%.37s...\"", field);
	else
		snprintf(buf, 64, "\"%s\"", field);
	return buf;
}

/* ---- the header: which settings may be columns -------------------------------------- */

/* The schema node a path names, walking list items by [N] or [id] and a
 * distribution's parameters; NULL when the schema has no such setting. *dist_param
 * says the last segment is a distribution's parameter (a real). */
static const struct sc_node *node_of(const char *path, bool *dist_param)
{
	struct sc_segment seg[16];
	size_t n;
	*dist_param = false;
	if (sc_split_path(path, seg, sizeof seg / sizeof *seg, &n) != 0)
		return NULL;
	const struct sc_node *node = sc_schema_root();
	for (size_t i = 0; i < n; i++) {
		if (seg[i].bracket) {
			if (node->type != SC_LIST)
				return NULL;
			continue;
		}
		if (node->type == SC_DIST) {
			if (i + 1 != n || sc_param_by_name(seg[i].text) < 0 ||
			    strcmp(seg[i].text, "values") == 0 || strcmp(seg[i].text, "weights") == 0)
				return NULL;
			*dist_param = true;
			return node;
		}
		if (node->type == SC_LIST && (i == 0 || !seg[i - 1].bracket))
			return NULL;
		if (node->type != SC_GROUP && node->type != SC_LIST)
			return NULL;
		node = sc_child(node, seg[i].text);
		if (!node)
			return NULL;
	}
	return node;
}

bool ur_posterior_run_setting(const char *path)
{
	size_t first = strcspn(path, ".[");
	return (first == 8 && strncmp(path, "scenario", 8) == 0) ||
	       (first == 6 && strncmp(path, "output", 6) == 0);
}

enum column_role { COL_PARAM, COL_WEIGHT, COL_PARTICLE, COL_DISTANCE };

/* Judges a header name: its role, or -1 after a message. */
static int header_column(struct reader *R, const char *name, bool *integral,
			 const struct sc_node **range)
{
	char buf[64];
	*range = NULL;
	*integral = false;
	if (strcmp(name, "weight") == 0)
		return COL_WEIGHT;
	if (strcmp(name, "particle") == 0)
		return COL_PARTICLE;
	if (strcmp(name, "distance") == 0)
		return COL_DISTANCE;
	bool dist_param;
	const struct sc_node *node = node_of(name, &dist_param);
	if (!node) {
		say(R, 1, shown(name, buf), "expected `weight`, `particle`, `distance` or a "
		    "setting's path as --set spells it, found no such setting");
		return -1;
	}
	if (ur_posterior_run_setting(name)) {
		say(R, 1, name, "expected a setting of the model, found a setting of the "
		    "run (scenario.* and output.* are the same in every replication)");
		return -1;
	}
	if (dist_param)
		return COL_PARAM;
	if (node->type != SC_REAL && node->type != SC_INT && node->type != SC_INT64) {
		say(R, 1, name, "expected a setting that takes a number, found a setting "
		    "of another kind");
		return -1;
	}
	*integral = node->type != SC_REAL;
	*range = node;
	return COL_PARAM;
}

/* ---- rows ---------------------------------------------------------------------------- */

/* The range of a numeric node in words: "in (0, 1]". */
static void range_words(const struct sc_node *node, char *buf, size_t size)
{
	char lo[SC_REAL_TEXT_SIZE], hi[SC_REAL_TEXT_SIZE];
	snprintf(buf, size, "%s in %c%s, %s%c", node->type == SC_REAL ? "a number"
							    : "a whole number",
		 node->flags & SC_MIN_OPEN ? '(' : '[', sc_format_real(node->min, false, lo),
		 sc_format_real(node->max, false, hi), node->flags & SC_MAX_OPEN ? ')' : ']');
}

static bool in_range(const struct sc_node *node, double v)
{
	if (node->type != SC_REAL && v != nearbyint(v))
		return false;
	if (node->flags & SC_MIN_OPEN ? v <= node->min : v < node->min)
		return false;
	return node->flags & SC_MAX_OPEN ? v < node->max : v <= node->max;
}

/* One check between settings that a row fails. */
struct across {
	struct reader *R;
	unsigned long line;
	size_t failures;
};

static void on_across(void *context, const char *path, const char *const where[3],
		      const char *message)
{
	(void)where;
	struct across *a = context;
	if (a->failures++ == 0)
		say(a->R, a->line, path, "expected values that pass the scenario's checks "
		    "between settings, found: %s", message);
}

/* Builds "path=value" for the fast path; value as the shortest text that reads back. */
static void set_text(const struct ur_posterior *P, size_t j, double v, char *buf,
		     size_t size)
{
	char num[SC_REAL_TEXT_SIZE];
	snprintf(buf, size, "%s=%s", P->params[j], sc_format_real(v, !P->integral[j], num));
}

int ur_posterior_apply(const struct ur_posterior *P, size_t row, struct ur_params *params)
{
	assert(P && params && row < P->nrows);
	for (size_t j = 0; j < P->nparams; j++) {
		char set[600];
		set_text(P, j, P->values[row * P->nparams + j], set, sizeof set);
		if (ur_params_set(params, set) != 0)
			return -1;
	}
	return ur_params_check_across(params, NULL, NULL) == 0 ? 0 : -1;
}

/* ---- the file ------------------------------------------------------------------------ */

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* The whole file, NUL-terminated; NULL after a message. */
static char *read_all(struct reader *R, const char *path, const struct cf_setting *named,
		      size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int err = 0;
	char *text = NULL;
	if (!f)
		err = errno;
	else if (fstat(fileno(f), &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	if (err) {
		char why[128];
		if (strerror_r(err, why, sizeof why) != 0)
			snprintf(why, sizeof why, "error %d", err);
		sc_report(R->L, named, "scenario.posterior", "cannot open \"%s\": %s", R->name,
			  why);
		R->L->missing = true;
		goto done;
	}
	size_t cap = 65536, n = 0, got;
	text = malloc(cap + 1);
	while (text && (got = fread(text + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > UR_POSTERIOR_MAX_BYTES) {
			say(R, 1, NULL, "expected at most %u bytes, found more",
			    UR_POSTERIOR_MAX_BYTES);
			free(text);
			text = NULL;
			goto done;
		}
		if (n == cap) {
			char *grown = realloc(text, 2 * cap + 1);
			if (!grown) {
				free(text);
				text = NULL;
				break;
			}
			text = grown;
			cap *= 2;
		}
	}
	if (!text) {
		R->L->nomem = true;
		goto done;
	}
	if (ferror(f)) {
		say(R, 1, NULL, "expected a readable file, found a read error");
		free(text);
		text = NULL;
		goto done;
	}
	text[n] = '\0';
	*len = n;
done:
	if (f)
		fclose(f);
	return text;
}

/* Splits text into lines in place: LF or CRLF ends; a last line without an end
 * counts. Returns the number of lines; *lines is malloc'd. */
static size_t split_lines(char *text, size_t len, char ***lines)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	n += len > 0 && text[len - 1] != '\n';
	*lines = malloc((n + 1) * sizeof **lines);
	if (!*lines)
		return 0;
	size_t k = 0;
	char *s = text, *end = text + len;
	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *stop = nl ? nl : end;
		if (stop > s && stop[-1] == '\r')
			stop[-1] = '\0';
		*stop = '\0';
		(*lines)[k++] = s;
		s = nl ? nl + 1 : end;
	}
	return k;
}

struct columns {
	size_t n;
	int *role;
	long *param;                 /* the parameter's index, for COL_PARAM */
	const struct sc_node **range;
	long weight;
};

/* Reads the rows into P (header judged already); false after messages. */
static bool read_rows(struct reader *R, struct ur_posterior *P, const struct columns *C,
		      char **lines, size_t nlines, const struct ur_params *base)
{
	char **fields = malloc(C->n * sizeof *fields);
	struct ur_params *scratch = malloc(sizeof *scratch);
	char buf[64];
	bool ok = fields && scratch;
	if (!ok) {
		R->L->nomem = true;
		goto done;
	}
	P->nrows = 0;
	for (size_t l = 1; l < nlines; l++) {
		unsigned long line = (unsigned long)l + 1;
		if (lines[l][0] == '\0') {
			if (l + 1 == nlines)
				break; /* the empty last line of a file that ends twice */
			say(R, line, NULL, "expected a row of %zu fields, found an empty line",
			    C->n);
			ok = false;
			continue;
		}
		long nf = split_fields(lines[l], fields, C->n);
		if (nf < 0) {
			say(R, line, NULL, "expected fields as RFC 4180 quotes them, found a "
			    "quote out of place");
			ok = false;
			continue;
		}
		if ((size_t)nf != C->n) {
			say(R, line, NULL, "expected %zu fields as the header has, found %ld",
			    C->n, nf);
			ok = false;
			continue;
		}
		if (P->nrows == UR_POSTERIOR_MAX_ROWS) {
			say(R, line, NULL, "expected at most %u rows, found more",
			    UR_POSTERIOR_MAX_ROWS);
			ok = false;
			break;
		}
		size_t row = P->nrows++;
		P->lines[row] = line;
		bool row_ok = true;
		for (size_t c = 0; c < C->n; c++) {
			const char *f = fields[c];
			double v;
			bool number = sc_parse_double(f, &v);
			switch (C->role[c]) {
			case COL_WEIGHT:
				if (!number || !(v >= 0)) {
					say(R, line, "weight", "expected a finite number >= 0, "
					    "found %s", shown(f, buf));
					row_ok = false;
				} else {
					P->weights[row] = v;
				}
				break;
			case COL_PARTICLE:
				if (!number || v < 0 || v != nearbyint(v)) {
					say(R, line, "particle", "expected a whole number >= 0, "
					    "found %s", shown(f, buf));
					row_ok = false;
				}
				break;
			case COL_DISTANCE:
				if (!number || !(v >= 0)) {
					say(R, line, "distance", "expected a finite number >= 0, "
					    "found %s", shown(f, buf));
					row_ok = false;
				}
				break;
			default: {
				size_t j = (size_t)C->param[c];
				const char *column = P->params[j];
				char words[96];
				if (!number) {
					say(R, line, column, "expected a finite number, found %s",
					    shown(f, buf));
					row_ok = false;
				} else if (C->range[c] && !in_range(C->range[c], v)) {
					range_words(C->range[c], words, sizeof words);
					say(R, line, column, "expected %s (the setting's range), "
					    "found %s", words, shown(f, buf));
					row_ok = false;
				} else {
					P->values[row * P->nparams + j] = v;
				}
				break;
			}
			}
		}
		if (!row_ok) {
			ok = false;
			continue;
		}
		/* The row as a replication will take it: on the scenario's own params, every
		 * value through --set's judgement, then the checks between settings. */
		memcpy(scratch, base, sizeof *scratch);
		bool applied = true;
		for (size_t j = 0; j < P->nparams && applied; j++) {
			char set[600];
			set_text(P, j, P->values[row * P->nparams + j], set, sizeof set);
			if (ur_params_set(scratch, set) != 0) {
				char num[SC_REAL_TEXT_SIZE];
				say(R, line, P->params[j], "expected a value this scenario's "
				    "setting takes as --set would, found %s",
				    sc_format_real(P->values[row * P->nparams + j], false, num));
				applied = false;
			}
		}
		if (!applied) {
			ok = false;
			continue;
		}
		struct across a = {R, line, 0};
		if (ur_params_check_across(scratch, on_across, &a) != 0)
			ok = false;
	}
	if (ok && P->nrows == 0) {
		say(R, 1, NULL, "expected a header and at least one row, found no row");
		ok = false;
	}
done:
	free(fields);
	free(scratch);
	return ok;
}

/* Reads the file at `path` into a posterior; NULL after messages. */
static struct ur_posterior *read_posterior(struct reader *R, const char *path,
					   const struct cf_setting *named,
					   const struct ur_params *base)
{
	size_t len = 0;
	char *text = read_all(R, path, named, &len);
	char **lines = NULL;
	struct columns C = {0};
	struct ur_posterior *P = NULL;
	bool ok = false;
	char buf[64];
	if (!text)
		return NULL;
	P = calloc(1, sizeof *P);
	if (!P) {
		R->L->nomem = true;
		goto done;
	}
	P->checksum = fnv1a64(text, len);
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		unsigned long line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		say(R, line, NULL, "expected text, found a byte 0x00");
		goto done;
	}
	unsigned long bad_line;
	size_t bad = cf_utf8_check(text, len, &bad_line);
	if (bad < len) {
		say(R, bad_line, NULL, "expected UTF-8 text, found a byte 0x%02X",
		    (unsigned)(unsigned char)text[bad]);
		goto done;
	}
	/* A UTF-8 byte-order mark, as spreadsheets write (the record's reader drops it
	 * too): it would otherwise be part of the first column's name. The checksum
	 * stays that of the file's bytes. */
	size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	size_t nlines = split_lines(text + bom, len - bom, &lines);
	if (!lines) {
		R->L->nomem = true;
		goto done;
	}
	if (nlines == 0 || lines[0][0] == '\0') {
		say(R, 1, NULL, "expected a header of column names, found %s",
		    nlines == 0 ? "an empty file" : "an empty line");
		goto done;
	}

	/* The header. */
	char *hfields[UR_POSTERIOR_MAX_COLUMNS + 1];
	long nh = split_fields(lines[0], hfields, UR_POSTERIOR_MAX_COLUMNS + 1);
	if (nh < 0) {
		say(R, 1, NULL, "expected column names as RFC 4180 quotes them, found a "
		    "quote out of place");
		goto done;
	}
	if (nh > (long)UR_POSTERIOR_MAX_COLUMNS) {
		say(R, 1, NULL, "expected at most %u columns, found %ld",
		    UR_POSTERIOR_MAX_COLUMNS, nh);
		goto done;
	}
	C.n = (size_t)nh;
	C.role = calloc(C.n, sizeof *C.role);
	C.param = calloc(C.n, sizeof *C.param);
	C.range = calloc(C.n, sizeof *C.range);
	P->params = calloc(C.n, sizeof *P->params);
	P->integral = calloc(C.n, sizeof *P->integral);
	if (!C.role || !C.param || !C.range || !P->params || !P->integral) {
		R->L->nomem = true;
		goto done;
	}
	C.weight = -1;
	bool header_ok = true;
	for (size_t c = 0; c < C.n; c++) {
		const char *name = hfields[c];
		for (size_t d = 0; d < c; d++) {
			if (strcmp(hfields[d], name) == 0) {
				say(R, 1, shown(name, buf), "expected each column once, found it "
				    "again as column %zu", c + 1);
				header_ok = false;
				break;
			}
			/* The same setting by another name (a list item by [N] and by [id],
			 * a lognormal's mu and median): the later column would silently
			 * win, and the other's marginal be of nothing. */
			if (ur_params_same_setting(base, hfields[d], name)) {
				char other[64];
				say(R, 1, shown(name, buf), "expected each setting once, found the "
				    "setting of column %zu, %s, again as column %zu", d + 1,
				    shown(hfields[d], other), c + 1);
				header_ok = false;
				break;
			}
		}
		bool integral;
		int role = header_column(R, name, &integral, &C.range[c]);
		if (role < 0) {
			header_ok = false;
			continue;
		}
		C.role[c] = role;
		if (role == COL_WEIGHT) {
			C.weight = (long)c;
		} else if (role == COL_PARAM) {
			C.param[c] = (long)P->nparams;
			P->integral[P->nparams] = integral;
			P->params[P->nparams] = strdup(name);
			if (!P->params[P->nparams++]) {
				R->L->nomem = true;
				goto done;
			}
		}
	}
	if (header_ok && C.weight < 0) {
		say(R, 1, NULL, "expected a column `weight`, found none");
		header_ok = false;
	}
	if (header_ok && P->nparams == 0) {
		say(R, 1, NULL, "expected at least one column that names a setting, found "
		    "none");
		header_ok = false;
	}
	if (!header_ok)
		goto done;

	size_t most = nlines - 1;
	if (most > UR_POSTERIOR_MAX_ROWS)
		most = UR_POSTERIOR_MAX_ROWS + 1;
	P->values = malloc((most ? most : 1) * P->nparams * sizeof *P->values);
	P->weights = malloc((most ? most : 1) * sizeof *P->weights);
	P->lines = malloc((most ? most : 1) * sizeof *P->lines);
	if (!P->values || !P->weights || !P->lines) {
		R->L->nomem = true;
		goto done;
	}
	if (!read_rows(R, P, &C, lines, nlines, base))
		goto done;

	double total = 0, squares = 0;
	for (size_t i = 0; i < P->nrows; i++)
		total += P->weights[i];
	if (!(total > 0) || !isfinite(total)) {
		say(R, 1, "weight", "expected weights with a positive finite sum, found %s",
		    total > 0 ? "an infinite sum" : "every weight 0");
		goto done;
	}
	for (size_t i = 0; i < P->nrows; i++) {
		P->weights[i] /= total;
		squares += P->weights[i] * P->weights[i];
	}
	P->ess = 1.0 / squares;
	P->table = gsl_ran_discrete_preproc(P->nrows, P->weights);
	if (!P->table) {
		R->L->nomem = true;
		goto done;
	}
	ok = true;
done:
	free(C.role);
	free(C.param);
	free(C.range);
	free(lines);
	free(text);
	if (!ok) {
		sc_posterior_destroy(P);
		return NULL;
	}
	return P;
}

/* The sc_file a setting came from, by its name stamp. */
static const struct sc_file *file_of(const struct loader *L, const struct cf_setting *s)
{
	for (size_t i = 0; i < L->nfiles; i++)
		if (L->files[i]->name == s->file)
			return L->files[i];
	return NULL;
}

void sc_posterior_load(struct loader *L, const struct cf_setting *cfg,
		       const struct ur_posterior *inherit)
{
	const struct cf_setting *named = sc_lookup(cfg, "scenario.posterior");
	const char *value = L->p->scenario.posterior;
	if (!named || value[0] == '\0')
		return;
	const struct sc_file *from = file_of(L, named);
	if (from && from->kind == FILE_MEMORY && value[0] != '/') {
		sc_report(L, named, "scenario.posterior", "cannot be followed from memory, got "
			  "\"%s\"", value);
		L->bad = true;
		return;
	}
	/* A --set names a file relative to the current directory; a file's setting,
	 * relative to that file, as `base`. */
	char *name = !from || from->kind == FILE_SET ? strdup(value)
						    : sc_join_dir(from->name, value);
	char *absolute = NULL;
	struct ur_posterior *P = NULL;
	if (!name) {
		L->nomem = true;
		return;
	}
	struct reader R = {L, name, 0};
	absolute = realpath(name, NULL);
	if (absolute && inherit && strcmp(absolute, inherit->path) == 0) {
		L->sc->posterior = inherit;
		L->sc->owns_posterior = false;
		goto keep_name;
	}
	P = read_posterior(&R, name, named, L->p);
	if (!P)
		goto done;
	if (!absolute) {
		/* Read but gone (or memory short) already: as if it could not be opened. */
		sc_report(L, named, "scenario.posterior", "cannot open \"%s\": %s", name,
			  strerror(errno));
		L->missing = true;
		sc_posterior_destroy(P);
		goto done;
	}
	P->name = name;
	P->path = absolute;
	name = absolute = NULL;
	L->sc->posterior = P;
	L->sc->owns_posterior = true;
keep_name:
	if (strlen(L->sc->posterior->path) >= sizeof L->p->scenario.posterior) {
		sc_report(L, named, "scenario.posterior", "must name a file of at most %zu "
			  "bytes as an absolute name, got %zu", sizeof L->p->scenario.posterior - 1,
			  strlen(L->sc->posterior->path));
		L->bad = true;
		goto done;
	}
	/* The printout names the file absolutely: it loads from wherever it is put. */
	snprintf(L->p->scenario.posterior, sizeof L->p->scenario.posterior, "%s",
		 L->sc->posterior->path);
done:
	free(name);
	free(absolute);
}

/* ---- the public side ----------------------------------------------------------------- */

const struct ur_posterior *ur_scenario_posterior(const struct ur_scenario *scenario)
{
	assert(scenario);
	return scenario->posterior;
}

const char *ur_posterior_name(const struct ur_posterior *P) { return P->name; }
const char *ur_posterior_path(const struct ur_posterior *P) { return P->path; }
uint64_t ur_posterior_checksum(const struct ur_posterior *P) { return P->checksum; }
size_t ur_posterior_rows(const struct ur_posterior *P) { return P->nrows; }
size_t ur_posterior_parameters(const struct ur_posterior *P) { return P->nparams; }
double ur_posterior_ess(const struct ur_posterior *P) { return P->ess; }

const char *ur_posterior_parameter(const struct ur_posterior *P, size_t j)
{
	assert(j < P->nparams);
	return P->params[j];
}

/* Whether two paths are spelt alike, segment by segment: compared after splitting, so
 * that "a.[2].b" and "a[2].b" are one setting. */
static bool same_spelling(const char *x, const char *y)
{
	struct sc_segment a[16], b[16];
	size_t na, nb;
	if (sc_split_path(x, a, 16, &na) != 0 || sc_split_path(y, b, 16, &nb) != 0 || na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].bracket != b[i].bracket || strcmp(a[i].text, b[i].text) != 0)
			return false;
	return true;
}

int ur_posterior_names(const struct ur_posterior *P, const char *path)
{
	for (size_t j = 0; j < P->nparams; j++)
		if (same_spelling(path, P->params[j]))
			return 1;
	return 0;
}

long ur_posterior_column_of(const struct ur_posterior *P, const struct ur_params *params,
			    const char *path)
{
	for (size_t j = 0; j < P->nparams; j++)
		if (same_spelling(path, P->params[j]) ||
		    (params && ur_params_same_setting(params, P->params[j], path)))
			return (long)j;
	return -1;
}

double ur_posterior_value(const struct ur_posterior *P, size_t row, size_t j)
{
	assert(row < P->nrows && j < P->nparams);
	return P->values[row * P->nparams + j];
}

double ur_posterior_weight(const struct ur_posterior *P, size_t row)
{
	assert(row < P->nrows);
	return P->weights[row];
}

unsigned long ur_posterior_line(const struct ur_posterior *P, size_t row)
{
	assert(row < P->nrows);
	return P->lines[row];
}

size_t ur_posterior_draw(const struct ur_posterior *P, uint64_t replication_seed)
{
	assert(P);
	gsl_rng *rng = ur_rng_create(ur_rng_stream_seed(replication_seed, UR_STREAM_POSTERIOR));
	if (!rng)
		return SIZE_MAX;
	size_t row = gsl_ran_discrete(rng, P->table);
	ur_rng_destroy(rng);
	return row;
}

double ur_posterior_quantile(const struct ur_posterior *P, size_t j, double p)
{
	assert(j < P->nparams && p >= 0 && p <= 1);
	size_t n = P->nrows;
	double *x = malloc(n * sizeof *x);
	size_t *order = malloc(n * sizeof *order);
	double q = (double)NAN;
	if (x && order && n > 0) {
		for (size_t i = 0; i < n; i++)
			x[i] = P->values[i * P->nparams + j];
		gsl_sort_index(order, x, 1, n);
		/* GSL has quantiles of unweighted samples only: the inverse of the weighted
		 * empirical distribution function, the least x with F(x) >= p, as
		 * calibrate's posterior_summary.csv (ur_calib_weighted_quantile). */
		double cum = 0;
		q = x[order[n - 1]];
		for (size_t i = 0; i < n; i++) {
			cum += P->weights[order[i]];
			if (cum >= p * (1 - 1e-12)) {
				q = x[order[i]];
				break;
			}
		}
	}
	free(x);
	free(order);
	return q;
}

int ur_posterior_write_summary(const struct ur_posterior *P, FILE *out)
{
	assert(P && out);
	char a[SC_REAL_TEXT_SIZE], b[SC_REAL_TEXT_SIZE], c[SC_REAL_TEXT_SIZE];
	int rc = 0;
	rc |= fprintf(out, "# posterior: %s\n# checksum: 0x%016llx\n# rows: %zu\n"
			   "# effective sample size: %s\n", P->name,
		      (unsigned long long)P->checksum, P->nrows,
		      sc_format_real(round(P->ess * 10) / 10, false, a)) < 0;
	rc |= fprintf(out, "# parameter: median [5%%, 95%%] (weighted quantiles)\n") < 0;
	for (size_t j = 0; j < P->nparams; j++)
		rc |= fprintf(out, "#   %s: %s [%s, %s]\n", P->params[j],
			      sc_format_real(ur_posterior_quantile(P, j, 0.5), false, a),
			      sc_format_real(ur_posterior_quantile(P, j, 0.05), false, b),
			      sc_format_real(ur_posterior_quantile(P, j, 0.95), false, c)) < 0;
	return rc || fflush(out) != 0 ? -1 : 0;
}
