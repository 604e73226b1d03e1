/*
 * reader.h: what every reader of a libconfig-based file of the program's own shares
 * (the sweep, calibration and sensitivity files): messages in the form
 * `FILE:LINE: PATH: expected ..., got ...` gathered in a ur_diag before anything is
 * acted on, what a setting is for "got ...", numbers of either libconfig type,
 * unknown names refused with a near miss, and bounded numbers and counts.
 *
 * The scenario loader has its own (sim/scenario/diag.c): it reports against the
 * settings schema, with more context than these readers need.
 */
#ifndef UNREST_CONF_READER_H
#define UNREST_CONF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct ur_diag;

struct cf_reader {
	const char *file;      /* as messages name it */
	struct ur_diag *diag;  /* where messages go */
	bool bad;              /* a message was given */
	bool nomem;            /* out of memory somewhere */
};

/* Adds a whole message: counted, kept up to the diag's limit. */
void cf_reader_add(struct cf_reader *R, const char *text);

/* The status of a read once its checks are done: CF_NOMEM when R ran out of memory
 * (with a message "out of memory while reading the WHAT"), else `status` if a check
 * set one (a scenario the file names is missing: CF_MISSING), else CF_BAD if a message
 * was given, else 0. */
int cf_reader_status(struct cf_reader *R, int status, const char *what);

/* Reads and parses R->file (cf_read_file), its messages as R's ("FILE:LINE: what" or
 * "FILE: what"); `include_words` says why @include is refused. NULL with *status (a
 * CF_ status) when the file cannot be used; R->nomem set when out of memory. */
struct cf_setting *cf_reader_parse(struct cf_reader *R, const char *include_words,
				   int *status);

/* `FILE:LINE: PATH: ` then the formatted text; line 1 when `where` is NULL. */
__attribute__((format(printf, 4, 5)))
void cf_report(struct cf_reader *R, const struct cf_setting *where, const char *path,
	       const char *fmt, ...);

/* What a setting is, for "got ...": its value, or "a group", "a list", ... */
const char *cf_describe(const struct cf_setting *s, char *buf, size_t size);

bool cf_is_number(const struct cf_setting *s);
bool cf_is_integer(const struct cf_setting *s);
/* libconfig's getters return 0 for a setting of another numeric type: these read
 * either. */
double cf_number(const struct cf_setting *s);
int64_t cf_integer(const struct cf_setting *s);

/* strdup that records running out of memory in R. */
char *cf_copy_text(struct cf_reader *R, const char *text);

/* Reports the settings of group `g` (at `path`, "" for the root) not in names. */
void cf_check_names(struct cf_reader *R, const struct cf_setting *g, const char *path,
		    const char *const *names, size_t n);

/* A number setting `name` of g in [lo, hi] (open ends when asked), into *out.
 * Absent: false, reported only when required. */
bool cf_read_number(struct cf_reader *R, const struct cf_setting *g, const char *gpath,
		    const char *name, bool required, double lo, bool lo_open, double hi,
		    bool hi_open, double *out);

/* A whole number setting `name` of the root group g in [lo, hi], into *out. */
bool cf_read_count(struct cf_reader *R, const struct cf_setting *g, const char *name,
		   bool required, uint64_t lo, uint64_t hi, uint64_t *out);

#endif
