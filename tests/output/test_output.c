/*
 * test_output.c: the output layer: numbers as CSV text (round trips of random doubles,
 * known answers, any locale), RFC 4180 quoting (read back by a strict parser), files
 * that appear whole or not at all, the -o folder policy, and the manifest (read back by
 * libconfig).
 */
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <libconfig.h>

#include "unrest/output.h"

#include "testutil.h"

/* ---- utilities ---------------------------------------------------------------------- */

/* The CSV text of a writer as a NUL-terminated string (test storage). */
static const char *text_of(const struct ur_csv *csv)
{
	static char buf[1 << 16];
	assert_false(csv->failed);
	assert_true(csv->len < sizeof buf);
	if (csv->len)
		memcpy(buf, csv->data, csv->len);
	buf[csv->len] = '\0';
	return buf;
}

static bool same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = testutil_path(dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

/* Removes the files of a test folder and the folder (one level, as the tests make). */
static void remove_dir(const char *dir, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = testutil_path(dir, names[i]);
		unlink(p);
		free(p);
	}
	assert_int_equal(rmdir(dir), 0);
}

static size_t count_entries(const char *dir);

/* ---- numbers ------------------------------------------------------------------------ */

static const char *fmt(double v)
{
	static char buf[UR_REAL_TEXT_SIZE];
	ur_format_real(v, buf);
	return buf;
}

static void test_real_known_answers(void **state)
{
	(void)state;
	assert_string_equal(fmt(0.1), "0.1");
	assert_string_equal(fmt(0.3), "0.3");
	assert_string_equal(fmt(1500.0), "1500.0");
	assert_string_equal(fmt(0.0), "0.0");
	assert_string_equal(fmt(-0.0), "-0.0");
	assert_string_equal(fmt(-2.5), "-2.5");
	assert_string_equal(fmt(1e20), "1e+20");
	assert_string_equal(fmt(1.0 / 3.0), "0.3333333333333333");
	assert_string_equal(fmt(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(fmt(DBL_MAX), "1.7976931348623157e+308");
	/* The smallest subnormal has one significant bit: 15 digits read back. */
	assert_string_equal(fmt(5e-324), "4.94065645841247e-324");
	assert_string_equal(fmt(2.2250738585072014e-308), "2.2250738585072014e-308");
	assert_string_equal(fmt(1e-5), "1e-05");
	assert_string_equal(fmt(123456789012345680.0), "1.2345678901234568e+17");
	assert_string_equal(fmt(HUGE_VAL), "inf");
	assert_string_equal(fmt(-HUGE_VAL), "-inf");
	char buf[UR_REAL_TEXT_SIZE];
	assert_int_equal(ur_format_real((double)NAN, buf), 0);
	assert_string_equal(buf, "");
}

static const char *qty(double v)
{
	static char buf[UR_REAL_TEXT_SIZE];
	ur_format_quantity(v, buf);
	return buf;
}

/* Quantities as a person writes them: the fewest digits within 1e-9, relatively. */
static void test_quantity_known_answers(void **state)
{
	(void)state;
	assert_string_equal(qty(0.4899999999999999), "0.49");
	assert_string_equal(qty(34439.04999999999), "34439.05");
	assert_string_equal(qty(0.1 + 0.2), "0.3");
	assert_string_equal(qty(0.019999999999999997), "0.02");
	assert_string_equal(qty(1.1099999999999999), "1.11");
	assert_string_equal(qty(2.0 / 3.0), "0.666666667");
	assert_string_equal(qty(127.83601827715337), "127.8360183");
	assert_string_equal(qty(2017976585.0297945), "2017976585.0");
	assert_string_equal(qty(1500.0), "1500.0");
	assert_string_equal(qty(0.0), "0.0");
	assert_string_equal(qty(-0.0), "-0.0");
	assert_string_equal(qty(-2.5), "-2.5");
	assert_string_equal(qty(1.0), "1.0");
	assert_string_equal(qty(9.99999999999), "10.0");        /* rounding carries */
	assert_string_equal(qty(999999.99999999), "1000000.0");
	assert_string_equal(qty(0.0001), "0.0001");
	assert_string_equal(qty(1e-5), "1e-05");
	assert_string_equal(qty(123456789012345.0), "123456789000000.0");
	assert_string_equal(qty(1e15), "1e+15");
	assert_string_equal(qty(1e20), "1e+20");
	assert_string_equal(qty(123456789012345680.0), "1.23456789e+17");
	assert_string_equal(qty(DBL_MAX), "1.797693135e+308");
	assert_string_equal(qty(5e-324), "5e-324");
	assert_string_equal(qty(HUGE_VAL), "inf");
	assert_string_equal(qty(-HUGE_VAL), "-inf");
	char buf[UR_REAL_TEXT_SIZE];
	assert_int_equal(ur_format_quantity((double)NAN, buf), 0);
	assert_string_equal(buf, "");
}

/* Property, against a plain reference (%.{p-1}e and strtod for p = 1, 2, ...): the
 * text reads back within 1e-9 relatively, has a point or an exponent, and has exactly
 * the reference's number of significant digits, the fewest that do. 3 x 100000 draws
 * from a fixed seed: uniform bit patterns (every exponent), uniform [0, 1) and
 * lognormal values, and 100000 values of few digits (k / 100) that must come out
 * short. */
static int reference_digits(double v)
{
	char raw[64];
	for (int p = 1; p < 17; p++) {
		snprintf(raw, sizeof raw, "%.*e", p - 1, v);
		if (fabs(strtod(raw, NULL) - v) <= 1e-9 * fabs(v))
			return p;
	}
	return 17;
}

static void check_quantity(double v)
{
	char buf[UR_REAL_TEXT_SIZE];
	size_t n = ur_format_quantity(v, buf);
	assert_int_equal(n, strlen(buf));
	char *end;
	double back = strtod(buf, &end);
	assert_int_equal(*end, '\0');
	assert_true(strchr(buf, '.') || strchr(buf, 'e'));
	int digits = 0, zeros = 0;
	bool leading = true;
	for (const char *p = buf; *p && *p != 'e'; p++) {
		if (*p >= '1' && *p <= '9')
			leading = false;
		if (*p >= '0' && *p <= '9' && !leading) {
			digits++;
			zeros = *p == '0' ? zeros + 1 : 0;
		}
	}
	digits -= zeros; /* trailing zeros of a whole number, and the ".0" */
	if (digits < 1)
		digits = 1;
	int want = reference_digits(v);
	if (!(fabs(back - v) <= 1e-9 * fabs(v)) || digits != want) {
		fprintf(stderr, "%.17g written as %s (%d digits, the reference %d)\n", v, buf,
			digits, want);
		fail();
	}
}

static void test_quantity_property(void **state)
{
	(void)state;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(rng);
	gsl_rng_set(rng, 20220106);
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = (uint64_t)gsl_rng_get(rng) << 32 | gsl_rng_get(rng);
		double v;
		memcpy(&v, &bits, sizeof v);
		if (isfinite(v) && v != 0.0)
			check_quantity(v);
		check_quantity(gsl_rng_uniform_pos(rng));
		check_quantity(gsl_ran_lognormal(rng, 0.0, 5.0));
		double k = (double)(int)gsl_rng_uniform_int(rng, 10000000) + 1.0;
		check_quantity(k / 100.0);
		char buf[UR_REAL_TEXT_SIZE];
		ur_format_quantity(k / 100.0, buf);
		assert_true(strtod(buf, NULL) == k / 100.0); /* 2 decimals come back exact */
	}
	gsl_rng_free(rng);
}

/* Every double reads back exactly, and with no more digits than it needs: had 15 (or
 * 16) digits been enough, they would have been used. 3 x 100000 draws from a fixed
 * seed: uniform bit patterns (every exponent), uniform [0, 1) and lognormal values. */
static void check_round_trip(double v)
{
	char buf[UR_REAL_TEXT_SIZE];
	size_t n = ur_format_real(v, buf);
	assert_int_equal(n, strlen(buf));
	char *end;
	double back = strtod(buf, &end);
	assert_int_equal(*end, '\0');
	if (!same_double(back, v)) {
		fprintf(stderr, "%.17g written as %s\n", v, buf);
		fail();
	}
	assert_true(strchr(buf, '.') || strchr(buf, 'e'));
	/* Significant digits used (leading zeros and the ".0" that marks a whole number
	 * as a real are not): fewer would not read back. */
	int digits = 0;
	bool leading = true;
	size_t sig_end = n >= 2 && strcmp(buf + n - 2, ".0") == 0 ? n - 2 : n;
	for (const char *p = buf; p < buf + sig_end && *p != 'e'; p++) {
		if (*p >= '1' && *p <= '9')
			leading = false;
		if (*p >= '0' && *p <= '9' && !leading)
			digits++;
	}
	if (digits > 15) {
		char shorter[320];
		snprintf(shorter, sizeof shorter, "%.*g", digits - 1, v);
		assert_false(same_double(strtod(shorter, NULL), v));
	}
}

static void test_real_round_trip(void **state)
{
	(void)state;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(rng);
	gsl_rng_set(rng, 20220105);
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = (uint64_t)gsl_rng_get(rng) << 32 | gsl_rng_get(rng);
		double v;
		memcpy(&v, &bits, sizeof v);
		if (!isfinite(v))
			continue;
		check_round_trip(v);
		check_round_trip(gsl_rng_uniform(rng));
		check_round_trip(gsl_ran_lognormal(rng, 0.0, 5.0));
	}
	gsl_rng_free(rng);
}

/* The decimal point is '.' whatever LC_NUMERIC says. Skipped when no locale with a
 * decimal comma is installed. */
static void test_real_any_locale(void **state)
{
	(void)state;
	static const char *const comma_locales[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
		"ru_RU.utf8", "kk_KZ.UTF-8", "kk_KZ.utf8",
	};
	const char *found = NULL;
	for (size_t i = 0; i < sizeof comma_locales / sizeof *comma_locales && !found; i++)
		if (setlocale(LC_NUMERIC, comma_locales[i]))
			found = comma_locales[i];
	if (!found) {
		setlocale(LC_NUMERIC, "C");
		skip();
	}
	char probe[16];
	snprintf(probe, sizeof probe, "%.1f", 0.5);
	assert_string_not_equal(probe, "0.5"); /* the locale does change printf */
	assert_string_equal(fmt(0.1), "0.1");
	assert_string_equal(fmt(-2.5e-7), "-2.5e-07");
	assert_string_equal(fmt(1.0 / 3.0), "0.3333333333333333");
	assert_string_equal(fmt(1500.0), "1500.0");
	assert_string_equal(qty(0.4899999999999999), "0.49");
	assert_string_equal(qty(-2.5e-7), "-2.5e-07");
	assert_string_equal(qty(1e-300 / 3.0), "3.333333333e-301"); /* the slow path */
	setlocale(LC_NUMERIC, "C");
}

static void test_csv_numbers(void **state)
{
	(void)state;
	struct ur_csv csv;
	ur_csv_init(&csv);
	ur_csv_int(&csv, INT64_MIN);
	ur_csv_int(&csv, INT64_MAX);
	ur_csv_int(&csv, 0);
	ur_csv_count(&csv, 3.0);
	ur_csv_count(&csv, -0.0);
	ur_csv_count(&csv, 2.5);      /* a fractional agent_scale: whole persons */
	ur_csv_count(&csv, 0x1p53);
	ur_csv_count(&csv, (double)NAN);
	ur_csv_real(&csv, (double)NAN);
	ur_csv_real(&csv, 3.0);
	ur_csv_real(&csv, 0.4899999999999999);
	ur_csv_real_exact(&csv, 0.4899999999999999);
	ur_csv_empty(&csv);
	ur_csv_end_row(&csv);
	assert_string_equal(text_of(&csv),
			    "-9223372036854775808,9223372036854775807,0,3,0,3,"
			    "9007199254740992,,,3.0,0.49,0.4899999999999999,\n");
	ur_csv_clear(&csv);
	assert_int_equal(csv.len, 0);
	ur_csv_real(&csv, 0.25);
	ur_csv_end_row(&csv);
	assert_string_equal(text_of(&csv), "0.25\n");
	ur_csv_finish(&csv);
	ur_csv_finish(NULL);
}

/* ---- RFC 4180 ----------------------------------------------------------------------- */

/* A strict RFC 4180 reader: returns the rows' fields (rows x fields, each malloc'ed)
 * or fails the test on text that is not RFC 4180 (a quote inside an unquoted field, a
 * character after a closing quote, a last row without its line end). */
struct table {
	size_t nrows;
	size_t nfields[64];
	char *field[64][16];
};

static void parse_csv(const char *text, size_t len, struct table *t)
{
	memset(t, 0, sizeof *t);
	size_t i = 0;
	char buf[4096];
	while (i < len) {
		assert_true(t->nrows < 64);
		size_t row = t->nrows++;
		for (;;) {
			size_t n = 0;
			if (text[i] == '"') {
				i++;
				for (;;) {
					assert_true(i < len);
					if (text[i] == '"') {
						if (i + 1 < len && text[i + 1] == '"') {
							buf[n++] = '"';
							i += 2;
							continue;
						}
						i++;
						break;
					}
					buf[n++] = text[i++];
				}
				assert_true(i < len && (text[i] == ',' || text[i] == '\n'));
			} else {
				while (i < len && text[i] != ',' && text[i] != '\n') {
					assert_true(text[i] != '"' && text[i] != '\r');
					buf[n++] = text[i++];
				}
				assert_true(i < len);
			}
			assert_true(t->nfields[row] < 16);
			char *f = malloc(n + 1);
			assert_non_null(f);
			memcpy(f, buf, n);
			f[n] = '\0';
			t->field[row][t->nfields[row]++] = f;
			if (text[i++] == '\n')
				break;
		}
	}
}

static void free_table(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t f = 0; f < t->nfields[r]; f++)
			free(t->field[r][f]);
}

static void test_csv_quoting(void **state)
{
	(void)state;
	struct ur_csv csv;
	ur_csv_init(&csv);
	const char *const header[] = {"rep", "detail", "region"};
	ur_csv_header(&csv, header, 3);
	ur_csv_text(&csv, "plain");
	ur_csv_text(&csv, "a,b");
	ur_csv_text(&csv, "say \"hi\"");
	ur_csv_end_row(&csv);
	ur_csv_text(&csv, "two\nlines");
	ur_csv_text(&csv, "cr\r");
	ur_csv_text(&csv, "");
	ur_csv_end_row(&csv);
	ur_csv_text(&csv, "Алматы");
	ur_csv_text(&csv, " spaced ");
	ur_csv_text(&csv, "\"");
	ur_csv_end_row(&csv);
	assert_string_equal(text_of(&csv),
			    "rep,detail,region\n"
			    "plain,\"a,b\",\"say \"\"hi\"\"\"\n"
			    "\"two\nlines\",\"cr\r\",\n"
			    "Алматы, spaced ,\"\"\"\"\n");
	ur_csv_finish(&csv);
}

/* Random fields over an alphabet of the characters that matter read back exactly. */
static void test_csv_quoting_round_trip(void **state)
{
	(void)state;
	static const char *const alphabet[] = {"a", ",", "\"", "\n", "\r", " ", "é", "1"};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(rng);
	gsl_rng_set(rng, 4180);
	for (int trial = 0; trial < 2000; trial++) {
		char fields[8][6][64];
		size_t nrows = 1 + gsl_rng_uniform_int(rng, 8);
		size_t nfields = 1 + gsl_rng_uniform_int(rng, 6);
		struct ur_csv csv;
		ur_csv_init(&csv);
		for (size_t r = 0; r < nrows; r++) {
			for (size_t f = 0; f < nfields; f++) {
				size_t len = gsl_rng_uniform_int(rng, 8);
				fields[r][f][0] = '\0';
				for (size_t c = 0; c < len; c++)
					strcat(fields[r][f], alphabet[gsl_rng_uniform_int(rng, 8)]);
				ur_csv_text(&csv, fields[r][f]);
			}
			ur_csv_end_row(&csv);
		}
		struct table t;
		parse_csv(csv.data, csv.len, &t);
		assert_int_equal(t.nrows, nrows);
		for (size_t r = 0; r < nrows; r++) {
			assert_int_equal(t.nfields[r], nfields);
			for (size_t f = 0; f < nfields; f++)
				assert_string_equal(t.field[r][f], fields[r][f]);
		}
		free_table(&t);
		ur_csv_finish(&csv);
	}
	gsl_rng_free(rng);
}

/* ---- atomic files ------------------------------------------------------------------- */

static void test_atomic_commit(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	struct ur_output_error err = {0};
	struct ur_atomic_file *f = ur_atomic_file_create(dir, "summary.csv", &err);
	assert_non_null(f);
	assert_int_equal(ur_atomic_file_write(f, "a,b\n", 4), 0);
	fputs("1,2\n", ur_atomic_file_stream(f));
	/* Not there under its name until committed. */
	assert_false(testutil_exists(dir, "summary.csv"));
	assert_true(testutil_exists(dir, "summary.csv.tmp"));
	assert_int_equal(ur_atomic_file_commit(f, &err), UR_OUTPUT_OK);
	ur_atomic_file_destroy(f);
	assert_false(testutil_exists(dir, "summary.csv.tmp"));
	char *text = testutil_read_file(dir, "summary.csv", NULL);
	assert_non_null(text);
	assert_string_equal(text, "a,b\n1,2\n");
	free(text);
	const char *const names[] = {"summary.csv"};
	remove_dir(dir, names, 1);
	free(dir);
}

static void test_atomic_destroy_without_commit(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	struct ur_output_error err = {0};
	struct ur_atomic_file *f = ur_atomic_file_create(dir, "national.csv", &err);
	assert_non_null(f);
	assert_int_equal(ur_atomic_file_write(f, "half a fi", 9), 0);
	ur_atomic_file_destroy(f);
	assert_int_equal(count_entries(dir), 0);
	ur_atomic_file_destroy(NULL);
	remove_dir(dir, NULL, 0);
	free(dir);
}

/* A write that fails (the file size limit stands in for a full disk) fails the commit
 * with IOERR and leaves neither the file nor its temporary file. */
static void test_atomic_write_error(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	struct rlimit saved;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 8192)
		skip();
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit small = saved;
	small.rlim_cur = 4096;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);

	struct ur_output_error err = {0};
	struct ur_atomic_file *f = ur_atomic_file_create(dir, "timeseries.csv", &err);
	assert_non_null(f);
	static char block[1000];
	memset(block, 'x', sizeof block);
	for (int i = 0; i < 20; i++)
		ur_atomic_file_write(f, block, sizeof block);
	enum ur_output_status status = ur_atomic_file_commit(f, &err);
	ur_atomic_file_destroy(f);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old);
	assert_int_equal(status, UR_OUTPUT_IOERR);
	assert_int_equal(err.status, UR_OUTPUT_IOERR);
	assert_non_null(strstr(err.message, "timeseries.csv"));
	assert_int_equal(count_entries(dir), 0);
	remove_dir(dir, NULL, 0);
	free(dir);
}

/* ---- the output folder -------------------------------------------------------------- */

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static const struct ur_manifest empty_manifest = {
	.version = "0.0.0",
	.command = "run",
	.scenario = "x.cfg",
};

/* Writes DIR/manifest.cfg as an earlier run of unrestsim would: listing the files
 * names[0..n) and claiming one unit. */
static void write_our_manifest(const char *dir, const char *const *names, size_t n)
{
	static const struct ur_manifest_unit unit = {-1, 0, 1, false, NULL};
	struct ur_manifest m = empty_manifest;
	m.nfiles = n;
	m.files = names;
	m.nunits = 1;
	m.units = &unit;
	char *p = testutil_path(dir, "manifest.cfg");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(ur_manifest_write(f, &m), 0);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static void test_folder_created_with_parents(void **state)
{
	(void)state;
	char *base = testutil_temp_dir("test-output");
	char *dir = testutil_path(base, "a/b/c");
	struct ur_output_error err = {0};
	struct ur_output *out = ur_output_open(dir, &err);
	assert_non_null(out);
	assert_string_equal(ur_output_dir(out), dir);
	struct ur_atomic_file *f = ur_output_begin(out, "summary.csv", &err);
	assert_non_null(f);
	assert_int_equal(ur_atomic_file_write(f, "x\n", 2), 0);
	assert_int_equal(ur_output_commit(out, &empty_manifest, &err), UR_OUTPUT_OK);
	ur_output_destroy(out);
	assert_true(testutil_exists(dir, "summary.csv"));
	assert_true(testutil_exists(dir, "manifest.cfg"));
	assert_int_equal(count_entries(dir), 2);
	const char *const names[] = {"summary.csv", "manifest.cfg"};
	remove_dir(dir, names, 2);
	char *b = testutil_path(base, "a/b");
	assert_int_equal(rmdir(b), 0);
	free(b);
	b = testutil_path(base, "a");
	assert_int_equal(rmdir(b), 0);
	free(b);
	remove_dir(base, NULL, 0);
	free(dir);
	free(base);
}

/* A folder with a file that is not unrestsim's is refused and left as it was. */
static void test_folder_foreign_refused(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	write_file(dir, "notes.txt", "mine\n");
	write_file(dir, "summary.csv", "old\n");
	const char *const listed[] = {"summary.csv"};
	write_our_manifest(dir, listed, 1);
	char *before = testutil_read_file(dir, "manifest.cfg", NULL);
	struct ur_output_error err = {0};
	struct ur_output *out = ur_output_open(dir, &err);
	assert_null(out);
	assert_int_equal(err.status, UR_OUTPUT_CANTCREAT);
	assert_non_null(strstr(err.message, "notes.txt"));
	assert_int_equal(count_entries(dir), 3);
	char *text = testutil_read_file(dir, "manifest.cfg", NULL);
	assert_string_equal(text, before);
	free(text);
	free(before);
	const char *const names[] = {"notes.txt", "summary.csv", "manifest.cfg"};
	remove_dir(dir, names, 3);
	free(dir);
}

/* A folder another run is writing is refused, and its files and manifest are left to
 * that run; once that run is done with it, the folder can be used again. */
static void test_folder_in_use_refused(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	write_our_manifest(dir, NULL, 0);
	struct ur_output_error err = {0};
	struct ur_output *first = ur_output_open(dir, &err);
	assert_non_null(first);
	write_file(dir, "manifest.cfg", "first's\n");
	struct ur_output_error err2 = {0};
	assert_null(ur_output_open(dir, &err2));
	assert_int_equal(err2.status, UR_OUTPUT_CANTCREAT);
	assert_non_null(strstr(err2.message, "another unrestsim run"));
	char *text = testutil_read_file(dir, "manifest.cfg", NULL);
	assert_string_equal(text, "first's\n");
	free(text);
	ur_output_destroy(first);
	write_our_manifest(dir, NULL, 0);
	struct ur_output *again = ur_output_open(dir, &err);
	assert_non_null(again);
	ur_output_destroy(again);
	const char *const names[] = {"manifest.cfg"};
	remove_dir(dir, names, 1);
	free(dir);
}

/* ur_output_check refuses what ur_output_open refuses, but changes nothing in a folder
 * it accepts: an earlier run's manifest is still there afterwards; a missing folder is
 * made; a folder another run holds is refused. */
static void test_check_changes_nothing(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	const char *const listed[] = {"summary.csv"};
	write_our_manifest(dir, listed, 1);
	char *earlier = testutil_read_file(dir, "manifest.cfg", NULL);
	write_file(dir, "summary.csv", "rep\n0\n");
	struct ur_output_error err = {0};
	assert_int_equal(ur_output_check(dir, &err), UR_OUTPUT_OK);
	char *text = testutil_read_file(dir, "manifest.cfg", NULL);
	assert_string_equal(text, earlier);
	free(text);
	free(earlier);

	struct ur_output *first = ur_output_open(dir, &err);
	assert_non_null(first);
	assert_int_equal(ur_output_check(dir, &err), UR_OUTPUT_CANTCREAT);
	assert_non_null(strstr(err.message, "another unrestsim run"));
	ur_output_destroy(first);

	write_file(dir, "notes.txt", "mine\n");
	assert_int_equal(ur_output_check(dir, &err), UR_OUTPUT_CANTCREAT);
	assert_non_null(strstr(err.message, "notes.txt"));

	char *missing = testutil_path(dir, "new");
	assert_int_equal(ur_output_check(missing, &err), UR_OUTPUT_OK);
	assert_true(testutil_exists(dir, "new"));
	assert_int_equal(rmdir(missing), 0);
	free(missing);
	const char *const names[] = {"summary.csv", "notes.txt", "manifest.cfg"};
	remove_dir(dir, names, 3);
	free(dir);
}

/* A folder holding something of a known name that is not a plain file is refused. */
static void test_folder_known_name_not_a_file(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	char *sub = testutil_path(dir, "events.csv");
	assert_int_equal(mkdir(sub, 0777), 0);
	struct ur_output_error err = {0};
	assert_null(ur_output_open(dir, &err));
	assert_int_equal(err.status, UR_OUTPUT_CANTCREAT);
	assert_int_equal(rmdir(sub), 0);
	free(sub);
	/* A path that is a file is not a folder. */
	write_file(dir, "summary.csv", "x\n");
	char *file = testutil_path(dir, "summary.csv");
	assert_null(ur_output_open(file, &err));
	assert_int_equal(err.status, UR_OUTPUT_CANTCREAT);
	free(file);
	const char *const names[] = {"summary.csv"};
	remove_dir(dir, names, 1);
	free(dir);
}

/* An earlier run's folder is replaced: its manifest stays until the commit replaces
 * it; its files that this run does not write (and stale temporary files) go at
 * commit. */
static void test_folder_replaces_earlier_run(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	write_file(dir, "summary.csv", "old\n");
	write_file(dir, "events.csv", "old\n");
	write_file(dir, "national.csv.tmp", "half\n");
	const char *const listed[] = {"summary.csv", "events.csv"};
	write_our_manifest(dir, listed, 2);
	char *earlier = testutil_read_file(dir, "manifest.cfg", NULL);
	struct ur_output_error err = {0};
	struct ur_output *out = ur_output_open(dir, &err);
	assert_non_null(out);
	char *now = testutil_read_file(dir, "manifest.cfg", NULL);
	assert_string_equal(now, earlier);
	free(now);
	free(earlier);
	struct ur_atomic_file *f = ur_output_begin(out, "summary.csv", &err);
	assert_non_null(f);
	assert_int_equal(ur_atomic_file_write(f, "new\n", 4), 0);
	assert_int_equal(ur_output_commit(out, &empty_manifest, &err), UR_OUTPUT_OK);
	ur_output_destroy(out);
	assert_false(testutil_exists(dir, "events.csv"));
	assert_false(testutil_exists(dir, "national.csv.tmp"));
	assert_false(testutil_exists(dir, "summary.csv.tmp"));
	char *text = testutil_read_file(dir, "summary.csv", NULL);
	assert_string_equal(text, "new\n");
	free(text);
	text = testutil_read_file(dir, "manifest.cfg", NULL);
	assert_non_null(strstr(text, "files = [ \"summary.csv\" ];"));
	free(text);
	assert_int_equal(count_entries(dir), 2);
	const char *const names[] = {"summary.csv", "manifest.cfg"};
	remove_dir(dir, names, 2);
	free(dir);
}

/* An output destroyed without commit leaves only what was there (minus the earlier
 * manifest): no file of this run, no temporary file. */
static void test_folder_abandoned(void **state)
{
	(void)state;
	char *dir = testutil_temp_dir("test-output");
	struct ur_output_error err = {0};
	struct ur_output *out = ur_output_open(dir, &err);
	assert_non_null(out);
	struct ur_atomic_file *f = ur_output_begin(out, "summary.csv", &err);
	assert_non_null(f);
	assert_int_equal(ur_atomic_file_write(f, "x\n", 2), 0);
	assert_non_null(ur_output_begin(out, "national.csv", &err));
	ur_output_destroy(out);
	assert_int_equal(count_entries(dir), 0);
	remove_dir(dir, NULL, 0);
	free(dir);
}

/* Files named like outputs that no manifest of ours lists are a user's: the folder is
 * refused (73) and left exactly as it was, by ur_output_open and ur_output_check. */
static void test_folder_user_outputs_refused(void **state)
{
	(void)state;
	static const char *const names[] = {"summary.csv", "events.csv"};
	for (size_t i = 0; i < 2; i++) {
		char *dir = testutil_temp_dir("test-output");
		write_file(dir, names[i], "my own\n");
		struct ur_output_error err = {0};
		assert_null(ur_output_open(dir, &err));
		assert_int_equal(err.status, UR_OUTPUT_CANTCREAT);
		assert_non_null(strstr(err.message, names[i]));
		assert_non_null(strstr(err.message, "no manifest.cfg of unrestsim"));
		assert_int_equal(ur_output_check(dir, &err), UR_OUTPUT_CANTCREAT);
		char *text = testutil_read_file(dir, names[i], NULL);
		assert_string_equal(text, "my own\n");
		free(text);
		assert_int_equal(count_entries(dir), 1);

		/* Beside a manifest of ours that does not list it: the same. */
		const char *const other[] = {"national.csv"};
		write_our_manifest(dir, other, 1);
		assert_null(ur_output_open(dir, &err));
		assert_non_null(strstr(err.message, names[i]));

		/* A manifest.cfg that is not ours makes nothing in the folder ours. */
		write_file(dir, "manifest.cfg", "program = \"mine\";\nfiles = [ \"summary.csv\" ];\n");
		assert_null(ur_output_open(dir, &err));
		assert_non_null(strstr(err.message, "not written by unrestsim"));
		const char *const all[] = {names[i], "manifest.cfg"};
		remove_dir(dir, all, 2);
		free(dir);
	}
}

/* Fault injection (UNRESTSIM_FAULT=fail:N) at every step of a second commit (a
 * checkpoint after a first): afterwards the folder's manifest is either the first
 * commit's or the second's, never absent, and every file it lists is there and is
 * that commit's. */
static void test_commit_fault_at_every_step(void **state)
{
	(void)state;
	static const struct ur_manifest_unit units[2] = {{0, 0, 1, false, NULL},
							 {0, 1, 2, false, NULL}};
	long steps_of_first = -1;
	for (long n = 1; n < 200; n++) {
		char *dir = testutil_temp_dir("test-output");
		char spec[32];
		snprintf(spec, sizeof spec, "fail:%ld", n);
		assert_int_equal(setenv("UNRESTSIM_FAULT", spec, 1), 0);
		struct ur_output_error err = {0};
		struct ur_output *out = ur_output_open(dir, &err);
		assert_non_null(out);
		struct ur_manifest m = empty_manifest;
		m.nunits = 1;
		m.units = units;
		struct ur_atomic_file *f = ur_output_begin(out, "summary.csv", &err);
		enum ur_output_status st = UR_OUTPUT_IOERR;
		if (f) {
			ur_atomic_file_write(f, "rep\n0\n", 6);
			st = ur_output_commit(out, &m, &err);
		}
		bool first_done = st == UR_OUTPUT_OK;
		bool second_done = false;
		if (first_done) {
			f = ur_output_begin(out, "summary.csv", &err);
			if (f) {
				ur_atomic_file_write(f, "rep\n0\n1\n", 8);
				m.nunits = 2;
				second_done = ur_output_commit(out, &m, &err) == UR_OUTPUT_OK;
			}
		}
		ur_output_destroy(out);
		unsetenv("UNRESTSIM_FAULT");
		if (!first_done) {
			/* The first commit failed: nothing is claimed, nothing is left. */
			assert_int_equal(count_entries(dir), 0);
			steps_of_first = n;
		} else {
			char *man = testutil_read_file(dir, "manifest.cfg", NULL);
			char *sum = testutil_read_file(dir, "summary.csv", NULL);
			assert_non_null(man);
			assert_non_null(sum);
			assert_int_equal(count_entries(dir), 2);
			/* The manifest claims no unit the file lacks. */
			if (strstr(man, "units_total = 2;"))
				assert_string_equal(sum, "rep\n0\n1\n");
			else
				assert_non_null(strstr(man, "units_total = 1;"));
			if (!second_done)
				assert_int_not_equal(err.status, UR_OUTPUT_OK);
			free(man);
			free(sum);
		}
		const char *const names[] = {"summary.csv", "manifest.cfg"};
		remove_dir(dir, names, 2);
		free(dir);
		if (second_done)
			break; /* n is past the last step: every step was tried */
	}
	assert_true(steps_of_first > 0);
}

static void test_known_names(void **state)
{
	(void)state;
	assert_true(ur_output_known_name("summary.csv"));
	assert_true(ur_output_known_name("summary.csv.tmp"));
	assert_true(ur_output_known_name("manifest.cfg"));
	assert_false(ur_output_known_name("summary.csv.bak"));
	assert_false(ur_output_known_name("summary"));
	assert_false(ur_output_known_name(".tmp"));
	assert_false(ur_output_known_name(""));
}

/* ---- the manifest ------------------------------------------------------------------- */

static char *manifest_text(const struct ur_manifest *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(ur_manifest_write(f, m), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static const char *lookup_string(const config_t *cfg, const char *path)
{
	const char *s = NULL;
	if (!config_lookup_string(cfg, path, &s)) {
		fprintf(stderr, "no string at %s\n", path);
		fail();
	}
	return s;
}

static void test_manifest_parses(void **state)
{
	(void)state;
	const char *const argv[] = {
		"unrestsim", "run", "dir with space/x.cfg", "--set", "scenario.name=\"q\"",
		"back\\slash", "line\nbreak\ttab\x01", "Алматы", "",
	};
	const int argc = (int)(sizeof argv / sizeof argv[0]);
	const char *const files[] = {"scenario.cfg", "summary.csv"};
	const struct ur_manifest_unit units[] = {
		{.point = -1, .replication = 0, .seed = UINT64_C(0xfedcba9876543210)},
		{.point = -1, .replication = 1, .seed = 7, .failed = true,
		 .reason = "invariant: region 3 \"almaty\": quiet+active+held != n"},
		{.point = -1, .replication = 2, .seed = 8},
	};
	const struct ur_manifest m = {
		.version = "0.1.0",
		.command = "run",
		.argc = argc,
		.argv = argv,
		.scenario = "dir with space/x.cfg",
		.scenario_hash = UINT64_C(0x0123456789abcdef),
		.master_seed = 42,
		.nfiles = 2,
		.files = files,
		.nunits = 3,
		.units = units,
	};
	char *text = manifest_text(&m);
	/* Its layout: the command line on one line of its own. */
	assert_non_null(strstr(text, "\ncommand_line = [ \"unrestsim\", \"run\", "));
	assert_non_null(strstr(text, "\"line\\nbreak\\ttab\\x01\""));

	config_t cfg;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		fprintf(stderr, "line %d: %s\n%s", config_error_line(&cfg),
			config_error_text(&cfg), text);
		fail();
	}
	assert_string_equal(lookup_string(&cfg, "program"), "unrestsim");
	assert_string_equal(lookup_string(&cfg, "version"), "0.1.0");
	assert_string_equal(lookup_string(&cfg, "command"), "run");
	assert_string_equal(lookup_string(&cfg, "scenario"), "dir with space/x.cfg");
	assert_string_equal(lookup_string(&cfg, "scenario_hash"), "0x0123456789abcdef");
	assert_string_equal(lookup_string(&cfg, "master_seed"), "0x000000000000002a");
	config_setting_t *cl = config_lookup(&cfg, "command_line");
	assert_non_null(cl);
	assert_int_equal(config_setting_length(cl), argc);
	for (int i = 0; i < argc; i++)
		assert_string_equal(config_setting_get_string_elem(cl, i), argv[i]);
	config_setting_t *fl = config_lookup(&cfg, "files");
	assert_non_null(fl);
	assert_int_equal(config_setting_length(fl), 2);
	assert_string_equal(config_setting_get_string_elem(fl, 1), "summary.csv");
	int n;
	assert_true(config_lookup_int(&cfg, "units_total", &n));
	assert_int_equal(n, 3);
	assert_true(config_lookup_int(&cfg, "units_done", &n));
	assert_int_equal(n, 2);
	assert_true(config_lookup_int(&cfg, "units_failed", &n));
	assert_int_equal(n, 1);
	config_setting_t *ul = config_lookup(&cfg, "units");
	assert_non_null(ul);
	assert_int_equal(config_setting_length(ul), 3);
	assert_true(config_lookup_int(&cfg, "units.[2].replication", &n));
	assert_int_equal(n, 2);
	assert_string_equal(lookup_string(&cfg, "units.[0].seed"), "0xfedcba9876543210");
	assert_string_equal(lookup_string(&cfg, "units.[0].status"), "done");
	assert_string_equal(lookup_string(&cfg, "units.[1].status"), "failed");
	assert_string_equal(lookup_string(&cfg, "units.[1].reason"), units[1].reason);
	assert_null(config_lookup(&cfg, "units.[0].reason"));
	assert_null(config_lookup(&cfg, "units.[0].point"));
	config_destroy(&cfg);
	free(text);
}

/* A sweep's units carry their point; an empty manifest is valid too. */
static void test_manifest_points_and_empty(void **state)
{
	(void)state;
	const struct ur_manifest_unit units[] = {
		{.point = 4, .replication = 9, .seed = 1},
	};
	struct ur_manifest m = empty_manifest;
	m.nunits = 1;
	m.units = units;
	char *text = manifest_text(&m);
	config_t cfg;
	config_init(&cfg);
	assert_int_equal(config_read_string(&cfg, text), CONFIG_TRUE);
	int n;
	assert_true(config_lookup_int(&cfg, "units.[0].point", &n));
	assert_int_equal(n, 4);
	config_destroy(&cfg);
	free(text);

	text = manifest_text(&empty_manifest);
	config_init(&cfg);
	assert_int_equal(config_read_string(&cfg, text), CONFIG_TRUE);
	assert_int_equal(config_setting_length(config_lookup(&cfg, "units")), 0);
	assert_int_equal(config_setting_length(config_lookup(&cfg, "command_line")), 0);
	config_destroy(&cfg);
	free(text);
}

/* ---- the column tables and docs/output.md ------------------------------------------- */

static const char *output_doc; /* docs/output.md, from the command line */

/* docs/output.md's column tables are generated from the column tables: between
 * `<!-- BEGIN COLUMNS FILE -->` and `<!-- END COLUMNS FILE -->` each holds exactly what
 * ur_table_write_doc writes. UNREST_UPDATE_GOLDEN=1 rewrites them. */
static void test_doc_matches_columns(void **state)
{
	(void)state;
	size_t len = 0;
	FILE *in = fopen(output_doc, "rb");
	assert_non_null(in);
	char *doc = malloc(1 << 20);
	assert_non_null(doc);
	len = fread(doc, 1, (1 << 20) - 1, in);
	fclose(in);
	doc[len] = '\0';

	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	assert_non_null(f);
	const char *at = doc;
	bool stale = false;
	for (int t = 0; t < UR_TABLE_COUNT; t++) {
		char begin[96], end[96];
		snprintf(begin, sizeof begin, "<!-- BEGIN COLUMNS %s -->\n",
			 ur_table_file((enum ur_table)t));
		snprintf(end, sizeof end, "<!-- END COLUMNS %s -->",
			 ur_table_file((enum ur_table)t));
		char *b = strstr(at, begin), *e = strstr(at, end);
		if (!b || !e || e < b)
			fail_msg("%s: no markers %s ... %s", output_doc, begin, end);
		b += strlen(begin);
		char *gen = NULL;
		size_t genlen = 0;
		FILE *g = open_memstream(&gen, &genlen);
		assert_non_null(g);
		assert_int_equal(ur_table_write_doc((enum ur_table)t, g), 0);
		fclose(g);
		if ((size_t)(e - b) != genlen || memcmp(b, gen, genlen) != 0) {
			stale = true;
			fprintf(stderr, "%s: the columns of %s differ from the column table; "
				"expected:\n%s", output_doc, ur_table_file((enum ur_table)t), gen);
		}
		fwrite(at, 1, (size_t)(b - at), f);
		fputs(gen, f);
		free(gen);
		at = e;
	}
	fputs(at, f);
	fclose(f);
	const char *update = getenv("UNREST_UPDATE_GOLDEN");
	if (stale && update && strcmp(update, "1") == 0) {
		FILE *w = fopen(output_doc, "wb");
		assert_non_null(w);
		fwrite(out, 1, outlen, w);
		assert_int_equal(fclose(w), 0);
		stale = false;
	}
	free(out);
	free(doc);
	if (stale)
		fail_msg("%s is out of date: run the test with UNREST_UPDATE_GOLDEN=1", output_doc);
}

/* Every table's columns have distinct names, a doc, and the types a reader expects;
 * the sweep's metrics are summary.csv's numeric columns but rep; the recorder's rows
 * have as many fields as the table has columns (checked in test_recorder_rows). */
static void test_column_tables(void **state)
{
	(void)state;
	for (int t = 0; t < UR_TABLE_COUNT; t++) {
		const struct ur_column *c;
		size_t n = ur_table_columns((enum ur_table)t, &c);
		assert_true(n > 0);
		/* A run's tables start with the replication, a sweep's point series with
		 * its point. */
		assert_string_equal(c[0].name, t == UR_TABLE_POINT_SERIES ? "point" : "rep");
		for (size_t i = 0; i < n; i++) {
			assert_true(c[i].doc && c[i].doc[0]);
			assert_true(strchr(c[i].doc, '|') == NULL);
			assert_int_equal(ur_table_column_index((enum ur_table)t, c[i].name),
					 (long)i);
			if (c[i].metric)
				assert_true(strcmp(ur_column_type(c[i].kind), "text") != 0);
		}
	}
	assert_int_equal(ur_table_column_index(UR_TABLE_SUMMARY, "banana"), -1);
	assert_int_equal(ur_table_column_index(UR_TABLE_SUMMARY, "outcome"), 2);
}

/* point_series.csv's columns are point, hour, count, then METRIC_mean, _p5, _p50 and
 * _p95 for each of national.csv's columns but rep, hour and time, in its order; the
 * chosen ones follow output.national_columns, and a run never writes the table. */
static void test_point_series_columns(void **state)
{
	(void)state;
	const struct ur_column *ps, *nat;
	size_t nps = ur_table_columns(UR_TABLE_POINT_SERIES, &ps);
	size_t nnat = ur_table_columns(UR_TABLE_NATIONAL, &nat);
	assert_string_equal(ps[0].name, "point");
	assert_string_equal(ps[1].name, "hour");
	assert_string_equal(ps[2].name, "count");
	size_t i = 3;
	for (size_t c = 0; c < nnat; c++) {
		if (strcmp(nat[c].name, "rep") == 0 || strcmp(nat[c].name, "hour") == 0 ||
		    strcmp(nat[c].name, "time") == 0)
			continue;
		for (size_t st = 0; st < UR_SERIES_STATS; st++, i++) {
			char want[64];
			snprintf(want, sizeof want, "%s_%s", nat[c].name, ur_series_stat_suffix[st]);
			assert_true(i < nps);
			assert_string_equal(ps[i].name, want);
			assert_string_equal(ps[i].unit, nat[c].unit);
			assert_string_equal(ur_column_type(ps[i].kind), "real");
		}
	}
	assert_int_equal(i, nps);

	struct ur_params *pp = malloc(sizeof *pp); /* tens of KiB: not on the stack */
	assert_non_null(pp);
	ur_params_defaults(pp);
	struct ur_output_params *o = &pp->output;
	assert_false(ur_table_enabled(o, UR_TABLE_POINT_SERIES));
	assert_int_equal(ur_table_chosen_columns(o, UR_TABLE_POINT_SERIES),
			 (UINT64_C(1) << nps) - 1);
	/* national_columns = [ "killed", "time" ]: point, hour, count and killed's four. */
	o->national_columns.given = true;
	o->national_columns.n = 2;
	strcpy(o->national_columns.names[0], "killed");
	strcpy(o->national_columns.names[1], "time");
	uint64_t chosen = ur_table_chosen_columns(o, UR_TABLE_POINT_SERIES);
	uint64_t want = 7;
	for (size_t st = 0; st < UR_SERIES_STATS; st++) {
		char name[64];
		snprintf(name, sizeof name, "killed_%s", ur_series_stat_suffix[st]);
		long c = ur_table_column_index(UR_TABLE_POINT_SERIES, name);
		assert_true(c >= 3);
		want |= UINT64_C(1) << c;
	}
	assert_int_equal(chosen, want);
	assert_int_equal(ur_table_series_metrics(o),
			 UINT64_C(1) << ur_table_column_index(UR_TABLE_NATIONAL, "killed"));
	free(pp);
}

/* The validator: each kind's syntax, and empty only where the column is optional. */
static void test_column_check(void **state)
{
	(void)state;
	const struct ur_column *c;
	ur_table_columns(UR_TABLE_SUMMARY, &c);
	char why[128];
#define COL(name) (&c[ur_table_column_index(UR_TABLE_SUMMARY, name)])
#define OK(name, text) assert_int_equal(ur_column_check(COL(name), text, strlen(text), why, sizeof why), 0)
#define BAD(name, text) assert_int_equal(ur_column_check(COL(name), text, strlen(text), why, sizeof why), -1)
	OK("rep", "0");
	OK("rep", "12");
	BAD("rep", "-1");
	BAD("rep", "01");
	BAD("rep", "1.0");
	BAD("rep", "");
	OK("killed", "3");
	BAD("killed", "2.5"); /* counts are written whole (output.h) */
	BAD("killed", "banana");
	BAD("killed", "-1");
	BAD("killed", "");
	BAD("killed", " 3");
	OK("peak_hour", "1.5");
	OK("peak_hour", "1e+20");
	BAD("peak_hour", "nan");
	BAD("peak_hour", "0x1p3");
	BAD("peak_hour", "");
	OK("csto_request_hour", "");
	OK("csto_request_hour", "12.0");
	OK("seed", "0x744840405f3e12ca");
	BAD("seed", "0x744840405f3e12c");
	BAD("seed", "0x744840405F3E12CA");
	OK("outcome", "unresolved");
	BAD("outcome", "unresolve");
	BAD("outcome", "");
	BAD("events", "9.5");
	assert_non_null(strstr(why, "whole number"));
#undef COL
#undef OK
#undef BAD
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_known_answers),
		cmocka_unit_test(test_real_round_trip),
		cmocka_unit_test(test_real_any_locale),
		cmocka_unit_test(test_quantity_known_answers),
		cmocka_unit_test(test_quantity_property),
		cmocka_unit_test(test_csv_numbers),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_quoting_round_trip),
		cmocka_unit_test(test_atomic_commit),
		cmocka_unit_test(test_atomic_destroy_without_commit),
		cmocka_unit_test(test_atomic_write_error),
		cmocka_unit_test(test_folder_created_with_parents),
		cmocka_unit_test(test_folder_foreign_refused),
		cmocka_unit_test(test_folder_known_name_not_a_file),
		cmocka_unit_test(test_folder_in_use_refused),
		cmocka_unit_test(test_check_changes_nothing),
		cmocka_unit_test(test_folder_replaces_earlier_run),
		cmocka_unit_test(test_folder_abandoned),
		cmocka_unit_test(test_folder_user_outputs_refused),
		cmocka_unit_test(test_commit_fault_at_every_step),
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_manifest_parses),
		cmocka_unit_test(test_manifest_points_and_empty),
		cmocka_unit_test(test_column_tables),
		cmocka_unit_test(test_column_check),
		cmocka_unit_test(test_doc_matches_columns),
		cmocka_unit_test(test_point_series_columns),
	};
	if (argc != 2) {
		fprintf(stderr, "usage: test_output docs/output.md\n");
		return 64;
	}
	output_doc = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
