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
 * Shortest round-trip formatting (ur_format_real, for values that must read back to
 * the same bits: sweep parameters, --set values), by hand: C has no format that gives the shortest text
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
/* NaN and the infinities as CSV text, their length in *n; false for a finite v. */
static bool format_special(double v, char buf[UR_REAL_TEXT_SIZE], size_t *n)
{
	if (isnan(v)) {
		buf[0] = '\0';
		*n = 0;
		return true;
	}
	if (isinf(v)) {
		strcpy(buf, v > 0 ? "inf" : "-inf");
		*n = strlen(buf);
		return true;
	}
	return false;
}

/* printf's %g or %e text in buf, with '.' for the locale's decimal point and ".0"
 * after a whole number; returns the length. */
static size_t normalize(const char *raw, char buf[UR_REAL_TEXT_SIZE])
{
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

size_t ur_format_real(double v, char buf[UR_REAL_TEXT_SIZE])
{
	size_t n;
	if (format_special(v, buf, &n))
		return n;
	/* Room for a decimal point of several bytes in an exotic locale. */
	char raw[UR_REAL_TEXT_SIZE + 16];
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(raw, sizeof raw, "%.*g", digits, v);
		if (digits == 17 || strtod(raw, NULL) == v)
			break;
	}
	return normalize(raw, buf);
}

/*
 * Quantities as a person writes them (ur_format_quantity): the fewest significant
 * digits p whose decimal D_p is within QUANTITY_TOLERANCE of v, relatively. Ten digits
 * always are (rounding to p digits errs by at most 5 x 10^-p relatively), so p <= 10.
 *
 * Fast path, by hand because printf has no "to a tolerance" format and trying
 * %.1g .. %.10g with strtod after each costs about a microsecond a number: with x the
 * decimal exponent of |v| (|v| in [10^x, 10^(x+1))), s_p = |v| 10^(p-1-x) is |v| scaled
 * to p digits before the point, and D_p = round(s_p) 10^(x-p+1). The test
 * |round(s_p) - s_p| <= tolerance s_p is the relative test itself; the scaling errs by a
 * few units in the last bit (10^k is the double nearest it), 10^-16 against a tolerance
 * of 10^-9, so it can only change which p is chosen for a value within 10^-16 of the
 * boundary, and always the same way: the text is a function of v alone. The digits are
 * then those of the integer round(s_p), written with no call to printf and so in no
 * locale. Exponents beyond the table (|x| > QUANTITY_FAST_EXP) take the slow path,
 * %.*e and strtod.
 */
#define QUANTITY_TOLERANCE 1e-9
#define QUANTITY_MAX_DIGITS 10
#define QUANTITY_FAST_EXP 20

/* 10^k for k in [-31, 31]: the doubles nearest them (exact for 0 <= k <= 22). */
static const double pow10_table[63] = {
	1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21,
	1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11,
	1e-10, 1e-9,  1e-8,  1e-7,  1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,
	1e0,   1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,
	1e10,  1e11,  1e12,  1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,
	1e20,  1e21,  1e22,  1e23,  1e24,  1e25,  1e26,  1e27,  1e28,  1e29,
	1e30,  1e31,
};

static double pow10_of(int k)
{
	assert(k >= -31 && k <= 31);
	return pow10_table[k + 31];
}

/* The text of sign, digits[0..p) and decimal exponent x (the first digit's place), in
 * %g's layout: fixed for -4 <= x < 15, with ".0" after a whole number; else
 * d.ddde+XX. */
static size_t layout(bool negative, const char *digits, int p, int x,
		     char buf[UR_REAL_TEXT_SIZE])
{
	size_t n = 0;
	if (negative)
		buf[n++] = '-';
	if (x >= -4 && x < 15) {
		if (x < 0) {
			buf[n++] = '0';
			buf[n++] = '.';
			for (int i = -1; i > x; i--)
				buf[n++] = '0';
			for (int i = 0; i < p; i++)
				buf[n++] = digits[i];
		} else {
			for (int i = 0; i <= x; i++)
				buf[n++] = i < p ? digits[i] : '0';
			buf[n++] = '.';
			if (p > x + 1)
				for (int i = x + 1; i < p; i++)
					buf[n++] = digits[i];
			else
				buf[n++] = '0';
		}
	} else {
		buf[n++] = digits[0];
		if (p > 1) {
			buf[n++] = '.';
			for (int i = 1; i < p; i++)
				buf[n++] = digits[i];
		}
		buf[n++] = 'e';
		buf[n++] = x < 0 ? '-' : '+';
		int e = x < 0 ? -x : x;
		char exp[4];
		int ne = 0;
		do {
			exp[ne++] = (char)('0' + e % 10);
			e /= 10;
		} while (e > 0);
		if (ne < 2)
			exp[ne++] = '0';
		while (ne > 0)
			buf[n++] = exp[--ne];
	}
	buf[n] = '\0';
	assert(n < UR_REAL_TEXT_SIZE);
	return n;
}

/* The slow path, for exponents outside the table: %.*e from 1 to 10 significant
 * digits, the first whose text reads back within the tolerance. */
static size_t quantity_slow(double v, char buf[UR_REAL_TEXT_SIZE])
{
	char raw[UR_REAL_TEXT_SIZE + 16];
	for (int p = 1; p <= QUANTITY_MAX_DIGITS; p++) {
		snprintf(raw, sizeof raw, "%.*e", p - 1, v);
		double back = strtod(raw, NULL);
		if (p == QUANTITY_MAX_DIGITS || fabs(back - v) <= QUANTITY_TOLERANCE * fabs(v))
			break;
	}
	/* The digits and exponent of %e's text, whatever the locale's decimal point. */
	char digits[QUANTITY_MAX_DIGITS + 1];
	int p = 0;
	const char *c = raw + (raw[0] == '-');
	for (; *c != '\0' && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9' && p < QUANTITY_MAX_DIGITS)
			digits[p++] = *c;
	int x = *c == 'e' ? atoi(c + 1) : 0;
	while (p > 1 && digits[p - 1] == '0')
		p--;
	return layout(v < 0, digits, p, x, buf);
}

size_t ur_format_quantity(double v, char buf[UR_REAL_TEXT_SIZE])
{
	size_t n;
	if (format_special(v, buf, &n))
		return n;
	double a = fabs(v);
	if (a == 0.0)
		return layout(signbit(v), "0", 1, 0, buf);
	int x = (int)floor(log10(a));
	if (x < -QUANTITY_FAST_EXP || x > QUANTITY_FAST_EXP)
		return quantity_slow(v, buf);
	/* log10 may be off by one next to a power of ten. */
	if (a < pow10_of(x))
		x--;
	else if (a >= pow10_of(x + 1))
		x++;
	double scaled = 0.0, whole = 0.0;
	int p = 1;
	for (; p <= QUANTITY_MAX_DIGITS; p++) {
		scaled = a * pow10_of(p - 1 - x);
		whole = nearbyint(scaled);
		if (fabs(whole - scaled) <= QUANTITY_TOLERANCE * scaled)
			break;
	}
	if (p > QUANTITY_MAX_DIGITS) /* not reached: 10 digits always pass */
		p = QUANTITY_MAX_DIGITS;
	/* Rounding up may carry into one more digit: 9.9999999999 is 10. */
	uint64_t digits_value = (uint64_t)whole;
	if (digits_value >= (uint64_t)pow10_of(p)) {
		digits_value /= 10;
		x++;
	}
	char digits[QUANTITY_MAX_DIGITS + 1];
	for (int i = p - 1; i >= 0; i--) {
		digits[i] = (char)('0' + digits_value % 10);
		digits_value /= 10;
	}
	while (p > 1 && digits[p - 1] == '0')
		p--;
	return layout(signbit(v), digits, p, x, buf);
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

/* Decimal digits by hand rather than snprintf: most fields of the sample files are
 * integers, and printf's format parsing cost more than the model's step per row
 * (docs/output.md, the output benchmark). */
void ur_csv_int(struct ur_csv *csv, int64_t value)
{
	assert(csv);
	char buf[24];
	size_t n = sizeof buf;
	/* The magnitude as unsigned, so that INT64_MIN has one too. */
	uint64_t u = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	do {
		buf[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (value < 0)
		buf[--n] = '-';
	begin_field(csv);
	append(csv, buf + n, sizeof buf - n);
}

void ur_csv_real(struct ur_csv *csv, double value)
{
	assert(csv);
	char buf[UR_REAL_TEXT_SIZE];
	size_t n = ur_format_quantity(value, buf);
	begin_field(csv);
	append(csv, buf, n);
}

void ur_csv_real_exact(struct ur_csv *csv, double value)
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
	if (isnan(value)) {
		ur_csv_empty(csv);
		return;
	}
	/* Whole persons: llround is exact below 2^63; a count beyond (none the model
	 * makes) is written as a quantity. */
	if (fabs(value) < 0x1p62)
		ur_csv_int(csv, (int64_t)llround(value));
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

void ur_csv_field(struct ur_csv *csv, const char *text, size_t len)
{
	assert(csv && (text || len == 0));
	assert(len == 0 || (!memchr(text, ',', len) && !memchr(text, '"', len) &&
			    !memchr(text, '\n', len) && !memchr(text, '\r', len)));
	begin_field(csv);
	append(csv, text, len);
}
