/*
 * reader.c: the pieces every reader of the program's own libconfig-based files shares
 * (reader.h): the sweep, calibration and sensitivity file readers.
 */
#include "reader.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "unrest/scenario.h"

void cf_reader_add(struct cf_reader *R, const char *text)
{
	R->bad = true;
	if (ur_diag_add(R->diag, text) != 0)
		R->nomem = true;
}

int cf_reader_status(struct cf_reader *R, int status, const char *what)
{
	if (R->nomem) {
		char text[128];
		snprintf(text, sizeof text, "out of memory while reading the %s", what);
		ur_diag_add(R->diag, text);
		return CF_NOMEM;
	}
	if (status != 0)
		return status;
	return R->bad ? CF_BAD : 0;
}

/* cf_read_file's messages, as the reader's. */
static void say(void *context, unsigned line, const char *what)
{
	struct cf_reader *R = context;
	char text[900];
	if (line)
		snprintf(text, sizeof text, "%s:%u: %s", R->file, line, what);
	else
		snprintf(text, sizeof text, "%s: %s", R->file, what);
	cf_reader_add(R, text);
}

struct cf_setting *cf_reader_parse(struct cf_reader *R, const char *include_words,
				   int *status)
{
	struct cf_setting *tree = cf_read_file(R->file, include_words, say, R, status);
	if (*status == CF_NOMEM)
		R->nomem = true;
	return tree;
}

void cf_report(struct cf_reader *R, const struct cf_setting *where, const char *path,
	       const char *fmt, ...)
{
	char text[1024];
	int n = snprintf(text, sizeof text, "%s:%u: %s: ", R->file,
			 where ? (unsigned)cf_line(where) : 1u, path);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof text)
		vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
	va_end(ap);
	cf_reader_add(R, text);
}

const char *cf_describe(const struct cf_setting *s, char *buf, size_t size)
{
	char r[SC_REAL_TEXT_SIZE];
	switch (cf_type_of(s)) {
	case CF_INT: snprintf(buf, size, "%d", cf_int(s)); break;
	case CF_INT64: snprintf(buf, size, "%lld", cf_int64(s)); break;
	case CF_FLOAT: snprintf(buf, size, "%s", sc_format_real(cf_float(s), true, r)); break;
	case CF_BOOL: snprintf(buf, size, "%s", cf_bool(s) ? "true" : "false"); break;
	case CF_STRING: snprintf(buf, size, "\"%.200s\"", cf_string(s)); break;
	case CF_GROUP: snprintf(buf, size, "a group"); break;
	case CF_ARRAY: snprintf(buf, size, "an array"); break;
	case CF_LIST: snprintf(buf, size, "a list"); break;
	default: snprintf(buf, size, "nothing"); break;
	}
	return buf;
}

#define GOT(s) cf_describe((s), got, sizeof got)

bool cf_is_number(const struct cf_setting *s)
{
	int t = cf_type_of(s);
	return t == CF_INT || t == CF_INT64 || t == CF_FLOAT;
}

bool cf_is_integer(const struct cf_setting *s)
{
	int t = cf_type_of(s);
	return t == CF_INT || t == CF_INT64;
}

double cf_number(const struct cf_setting *s)
{
	switch (cf_type_of(s)) {
	case CF_INT: return cf_int(s);
	case CF_INT64: return (double)cf_int64(s);
	default: return cf_float(s);
	}
}

int64_t cf_integer(const struct cf_setting *s)
{
	return cf_type_of(s) == CF_INT ? cf_int(s) : cf_int64(s);
}

void cf_check_names(struct cf_reader *R, const struct cf_setting *g, const char *path,
		    const char *const *names, size_t n)
{
	for (int i = 0; i < cf_length(g); i++) {
		const struct cf_setting *s = cf_elem(g, (unsigned)i);
		const char *name = cf_name(s);
		const char *best = NULL;
		if (sc_known_name(name, names, n, &best))
			continue;
		char full[256];
		snprintf(full, sizeof full, "%s%s%s", path, path[0] ? "." : "", name);
		if (best)
			cf_report(R, s, full, "unknown setting (did you mean \"%s\"?)", best);
		else
			cf_report(R, s, full, "unknown setting");
	}
}

bool cf_read_number(struct cf_reader *R, const struct cf_setting *g, const char *gpath,
		    const char *name, bool required, double lo, bool lo_open, double hi,
		    bool hi_open, double *out)
{
	char got[256], path[300];
	snprintf(path, sizeof path, "%s%s%s", gpath, gpath[0] ? "." : "", name);
	const struct cf_setting *s = cf_member(g, name);
	if (!s) {
		if (required)
			cf_report(R, g, path, "expected a number, got nothing");
		return false;
	}
	if (!cf_is_number(s) || !isfinite(cf_number(s))) {
		cf_report(R, s, path, "expected a finite number, got %s", GOT(s));
		return false;
	}
	double v = cf_number(s);
	if ((lo_open ? !(v > lo) : !(v >= lo)) || (hi_open ? !(v < hi) : !(v <= hi))) {
		char a[SC_REAL_TEXT_SIZE], b[SC_REAL_TEXT_SIZE];
		cf_report(R, s, path, "expected a number %s %s and %s %s, got %s",
			  lo_open ? ">" : ">=", sc_format_real(lo, false, a),
			  hi_open ? "<" : "<=", sc_format_real(hi, false, b), GOT(s));
		return false;
	}
	*out = v;
	return true;
}

bool cf_read_count(struct cf_reader *R, const struct cf_setting *g, const char *name,
		   bool required, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char got[256];
	const struct cf_setting *s = cf_member(g, name);
	if (!s) {
		if (required)
			cf_report(R, NULL, name, "expected a whole number from %llu to %llu, "
				  "got nothing", (unsigned long long)lo, (unsigned long long)hi);
		return false;
	}
	int t = cf_type_of(s);
	long long v = t == CF_INT ? cf_int(s) : t == CF_INT64 ? cf_int64(s) : -1;
	if ((t != CF_INT && t != CF_INT64) || v < 0 || (uint64_t)v < lo || (uint64_t)v > hi) {
		cf_report(R, s, name, "expected a whole number from %llu to %llu, got %s",
			  (unsigned long long)lo, (unsigned long long)hi, GOT(s));
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

char *cf_copy_text(struct cf_reader *R, const char *text)
{
	char *c = strdup(text);
	if (!c)
		R->nomem = true;
	return c;
}

