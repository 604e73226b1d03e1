/*
 * internal.h: what the files of the scenario module share and nobody else sees: the
 * diag's entries, the printout, the text checks done before libconfig parses a file,
 * and number formatting that reads back exactly.
 */
#ifndef UNREST_SCENARIO_INTERNAL_H
#define UNREST_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unrest/params.h"
#include "unrest/scenario.h"

struct ur_diag_entry {
	char *text;
};

/* Appends a copy of text (respecting the limit is the caller's business); 0 or -1
 * when out of memory. */
int sc_diag_add(struct ur_diag *diag, const char *text);

/* The printout of params (see ur_scenario_text) in a malloc'd NUL-terminated buffer,
 * or NULL when out of memory. */
char *sc_print(const struct ur_params *params, size_t *len);

/* A double as the shortest text strtod reads back to the same value; with
 * force_point, integral values get ".0" so that libconfig reads a float. */
#define SC_REAL_TEXT_SIZE 32

/* Size limits of a run, checked when a scenario is loaded (load.c check_size): the
 * model numbers agents with 32 bits (model.h: it refuses 2^32 - 1 agents or more), and
 * a replication keeps its rows of national.csv and timeseries.csv in memory (about 80
 * bytes a row) until they are written. */
#define SC_MAX_AGENTS 4294967295.0
#define SC_MAX_SAMPLE_ROWS 10000000.0
char *sc_format_real(double value, bool force_point, char buf[SC_REAL_TEXT_SIZE]);

/* The largest scenario or sweep file read: no real one is anywhere near this. */
#define SC_MAX_FILE_BYTES (16u << 20)

/* Problems the text checks find before parsing. */
enum sc_text_problem {
	SC_TEXT_OK,
	SC_TEXT_BINARY,          /* a NUL or control byte */
	SC_TEXT_ENCODING,        /* not UTF-8 */
	SC_TEXT_INCLUDE          /* an @include directive */
};

/* An integer literal whose value libconfig 1.5 would silently wrap (it keeps only
 * the low 32 bits of a literal without L, and clamps one with L to 64 bits): the k-th
 * integer literal on `line`, and its text. */
struct sc_int_literal {
	unsigned line;
	unsigned ordinal;        /* 0-based among the integer literals of that line */
	bool is64;               /* it had the L suffix */
	char text[48];           /* truncated when longer */
};

struct sc_text_scan {
	enum sc_text_problem problem;
	unsigned problem_line;
	unsigned char problem_byte;
	bool blank;              /* nothing but white space */
	struct sc_int_literal *wide; /* malloc'd; literals that do not fit in an int */
	size_t nwide;
};

/* Makes the n bytes of text what libconfig can read, in place, and NUL-terminates
 * them (the buffer must hold n + 2 bytes): drops a UTF-8 byte-order mark and ends a
 * last line without a line end. Returns the new length; line numbers do not change. */
size_t sc_tidy_text(char *text, size_t n);

/* Scans text[0..len). 0, or -1 when out of memory. */
int sc_scan_text(const char *text, size_t len, struct sc_text_scan *scan);
void sc_scan_finish(struct sc_text_scan *scan);

/* Whether an integer literal's text (libconfig syntax: decimal or 0x hex, without its
 * L suffix) fits in an int, or with is64 in a long long. */
bool sc_int_literal_fits(const char *text, bool is64);

#endif /* UNREST_SCENARIO_INTERNAL_H */
