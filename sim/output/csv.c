/*
 * csv.c: CSV text in memory and numbers as CSV text (see output.h for the format).
 *
 * Rows are built in a growable buffer rather than written field by field to a stream:
 * a replication's rows are made on a worker thread and written later, in replication
 * order, by the thread that owns the files, so that the files do not depend on which
 * worker finished first.
 */
#include "unrest/output.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation; doubled as needed. */
#define CSV_INITIAL_CAPACITY 4096

/*
 * Shortest round-trip formatting, by hand: C has no format that gives the shortest text
 * reading back to the same double (C23's and C++'s to_chars are not C11), and GSL has
 * none either. %.17g always reads back (17 significant digits identify any binary64
 * value) but turns 0.1 into 0.10000000000000001; trying 15, 16 and 17 digits in turn
 * and keeping the first that strtod reads back exactly gives "0.1" for 0.1 and the full
 * 17 digits only where they are needed.
 *
 * printf and strtod use the decimal point of the C locale (LC_NUMERIC) that the
 * program may have set; the file format must not. Both calls here use the same locale,
 * so the round-trip test holds in any locale, and the text is then normalized: in %g
 * output the run of non-digit bytes after the leading digits and before the fraction
 * or exponent can only be the locale's decimal point (%g adds no grouping), and it is
 * replaced by '.'. This needs no locale object and no global state, so it is safe in
 * threads; uselocale() would work as well but needs a locale_t allocated per writer.
 */
size_t ur_format_real(double v, char buf[UR_REAL_TEXT_SIZE])
{
	if (isnan(v)) {
		buf[0] = '\0';
		return 0;
	}
	if (isinf(v)) {
		strcpy(buf, v > 0 ? "inf" : "-inf");
		return strlen(buf);
	}
	/* Room for a decimal point of several bytes in an exotic locale. */
	char raw[UR_REAL_TEXT_SIZE + 16];
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(raw, sizeof raw, "%.*g", digits, v);
		if (digits == 17 || strtod(raw, NULL) == v)
			break;
	}

	size_t n = 0;
	const char *p = raw;
	if (*p == '-')
		buf[n++] = *p++;
	while (*p >= '0' && *p <= '9')
		buf[n++] = *p++;
	bool point = false;
	if (*p != '\0' && *p != 'e') {
		while (*p != '\0' && !(*p >= '0' && *p <= '9') && *p != 'e')
			p++;
		buf[n++] = '.';
		point = true;
	}
	bool exponent = *p == 'e';
	while (*p != '\0')
		buf[n++] = *p++;
	/* "1500" would read as an integer: a real column must read as reals. */
	if (!point && !exponent) {
		buf[n++] = '.';
		buf[n++] = '0';
	}
	buf[n] = '\0';
	assert(n < UR_REAL_TEXT_SIZE);
	return n;
}

void ur_csv_init(struct ur_csv *csv)
{
	assert(csv);
	*csv = (struct ur_csv){0};
}

void ur_csv_finish(struct ur_csv *csv)
{
	if (!csv)
		return;
	free(csv->data);
	*csv = (struct ur_csv){0};
}

void ur_csv_clear(struct ur_csv *csv)
{
	assert(csv);
	csv->len = 0;
	csv->fields = 0;
	csv->failed = false;
}

/* Makes room for `more` bytes; false (and the writer failed) when memory runs out. */
static bool reserve(struct ur_csv *csv, size_t more)
{
	if (csv->failed)
		return false;
	if (more <= csv->capacity - csv->len)
		return true;
	size_t capacity = csv->capacity ? csv->capacity : CSV_INITIAL_CAPACITY;
	while (more > capacity - csv->len) {
		if (capacity > SIZE_MAX / 2) {
			csv->failed = true;
			return false;
		}
		capacity *= 2;
	}
	char *data = realloc(csv->data, capacity);
	if (!data) {
		csv->failed = true;
		return false;
	}
	csv->data = data;
	csv->capacity = capacity;
	return true;
}

static void append(struct ur_csv *csv, const char *bytes, size_t n)
{
	/* An empty field appends nothing (and memcpy must not see the NULL data of a
	 * writer that has allocated nothing yet). */
	if (n == 0 || !reserve(csv, n))
		return;
	memcpy(csv->data + csv->len, bytes, n);
	csv->len += n;
}

/* Starts a field: the separator before every field but a row's first. */
static void begin_field(struct ur_csv *csv)
{
	if (csv->fields++ > 0)
		append(csv, ",", 1);
}

void ur_csv_text(struct ur_csv *csv, const char *text)
{
	assert(csv && text);
	begin_field(csv);
	if (!strpbrk(text, ",\"\r\n")) {
		append(csv, text, strlen(text));
		return;
	}
	append(csv, "\"", 1);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			append(csv, "\"\"", 2);
		else
			append(csv, p, 1);
	}
	append(csv, "\"", 1);
}

void ur_csv_int(struct ur_csv *csv, int64_t value)
{
	assert(csv);
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%" PRId64, value);
	assert(n > 0 && (size_t)n < sizeof buf);
	begin_field(csv);
	append(csv, buf, (size_t)n);
}

void ur_csv_real(struct ur_csv *csv, double value)
{
	assert(csv);
	char buf[UR_REAL_TEXT_SIZE];
	size_t n = ur_format_real(value, buf);
	begin_field(csv);
	append(csv, buf, n);
}

void ur_csv_count(struct ur_csv *csv, double value)
{
	assert(csv);
	/* Below 2^53 every whole double converts to int64_t exactly. */
	if (fabs(value) < 0x1p53 && value == floor(value))
		ur_csv_int(csv, (int64_t)value);
	else
		ur_csv_real(csv, value);
}

void ur_csv_empty(struct ur_csv *csv)
{
	assert(csv);
	begin_field(csv);
}

void ur_csv_end_row(struct ur_csv *csv)
{
	assert(csv);
	append(csv, "\n", 1);
	csv->fields = 0;
}

void ur_csv_header(struct ur_csv *csv, const char *const *names, size_t n)
{
	assert(csv && (names || n == 0));
	for (size_t i = 0; i < n; i++)
		ur_csv_text(csv, names[i]);
	ur_csv_end_row(csv);
}
