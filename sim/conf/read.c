/*
 * read.c: a libconfig file of the program's own kinds (a sweep file, a manifest) read
 * whole and parsed (conf.h, cf_read_file), with the checks a scenario file gets: at
 * most CF_MAX_FILE_BYTES, a byte-order mark dropped, NUL or control bytes, bad UTF-8,
 * @include and integer literals that libconfig 1.5 would silently wrap (it keeps the
 * low 32 bits of 3000000000) refused with their line. The scenario loader gives such
 * a literal its true value by hooking it to its setting; these files have few
 * integers, so the L suffix is asked for instead.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"

struct reader {
	const char *file;
	cf_say_fn say;
	void *context;
	bool bad, nomem;
};

static void report_line(struct reader *R, unsigned line, const char *what)
{
	R->bad = true;
	R->say(R->context, line, what);
}

static char *read_text(struct reader *R, int *status, const char *include_words)
{
	char message[900];
	char what[256];
	char *text = NULL;
	struct stat st;
	int err = 0;
	FILE *f = fopen(R->file, "rb");
	if (!f)
		err = errno;
	else if (fstat(fileno(f), &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	/* Said as the scenario loader says them: "FILE: cannot open: ...", and the size
	 * of a regular file before it is read. */
	if (err || (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > CF_MAX_FILE_BYTES)) {
		if (err)
			snprintf(message, sizeof message, "cannot open: %s", strerror(err));
		else
			snprintf(message, sizeof message, "must be at most %u bytes, got %jd",
				 CF_MAX_FILE_BYTES, (intmax_t)st.st_size);
		report_line(R, 0, message);
		*status = err ? CF_MISSING : CF_BAD;
		if (f)
			fclose(f);
		return NULL;
	}
	*status = CF_BAD;
	size_t cap = 4096, n = 0;
	text = malloc(cap);
	while (text && n <= CF_MAX_FILE_BYTES) {
		if (cap - n < 3) { /* room for cf_tidy_text's line end and NUL */
			char *bigger = realloc(text, 2 * cap);
			if (!bigger) {
				free(text);
				text = NULL;
				break;
			}
			text = bigger;
			cap *= 2;
		}
		size_t got = fread(text + n, 1, cap - n - 2, f);
		n += got;
		if (got == 0)
			break;
	}
	if (!text) {
		R->nomem = true;
		*status = CF_NOMEM;
		fclose(f);
		return NULL;
	}
	if (n > CF_MAX_FILE_BYTES) {
		snprintf(what, sizeof what, "must be at most %u bytes, got more",
			 CF_MAX_FILE_BYTES);
		report_line(R, 1, what);
		fclose(f);
		free(text);
		return NULL;
	}
	if (ferror(f)) {
		snprintf(what, sizeof what, "cannot read: %s", strerror(errno));
		report_line(R, 1, what);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	n = cf_tidy_text(text, n);

	struct cf_text_scan scan;
	if (cf_scan_text(text, n, &scan) != 0) {
		R->nomem = true;
		*status = CF_NOMEM;
		free(text);
		return NULL;
	}
	switch (scan.problem) {
	case CF_TEXT_OK:
		break;
	case CF_TEXT_BINARY:
		snprintf(what, sizeof what, "must be text, got byte 0x%02X", scan.problem_byte);
		report_line(R, scan.problem_line, what);
		break;
	case CF_TEXT_ENCODING:
		snprintf(what, sizeof what, "must be UTF-8 text, got byte 0x%02X",
			 scan.problem_byte);
		report_line(R, scan.problem_line, what);
		break;
	case CF_TEXT_INCLUDE:
		report_line(R, scan.problem_line, include_words);
		break;
	}
	for (size_t i = 0; scan.problem == CF_TEXT_OK && i < scan.nwide; i++) {
		const struct cf_int_literal *w = &scan.wide[i];
		if (w->is64 && cf_int_literal_fits(w->text, true))
			continue; /* libconfig reads it whole */
		if (!w->is64 && cf_int_literal_fits(w->text, true))
			snprintf(what, sizeof what, "expected an integer within 32 bits, or with "
				 "the L suffix (%.40sL), got %.40s", w->text, w->text);
		else
			snprintf(what, sizeof what, "expected an integer within 64 bits, got %.40s",
				 w->text);
		report_line(R, w->line, what);
	}
	cf_scan_finish(&scan);
	if (R->bad || R->nomem) {
		if (R->nomem)
			*status = CF_NOMEM;
		free(text);
		return NULL;
	}
	*status = 0;
	return text;
}

struct cf_setting *cf_read_file(const char *path, const char *include_words,
				cf_say_fn say, void *context, int *status)
{
	struct reader R = { .file = path, .say = say, .context = context };
	char *text = read_text(&R, status, include_words);
	struct cf_parse_error err;
	struct cf_setting *tree;

	if (!text)
		return NULL;
	tree = cf_parse(text, path, &err);
	free(text);
	if (!tree) {
		if (err.nomem) {
			*status = CF_NOMEM;
		} else {
			report_line(&R, err.line, err.text);
			*status = CF_BAD;
		}
	}
	return tree;
}
