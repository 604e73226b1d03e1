/*
 * conf.h: libconfig text as a plain tree, for the readers of the config layer (the
 * scenario loader, the sweep-file reader, the manifest reader).
 *
 * Model: a file's bytes are first checked (text.c: binary bytes, encoding, @include,
 * integer literals libconfig would wrap), then parsed by libconfig and copied into a
 * tree of struct cf_setting that this program owns (parse.c, the one file that
 * includes libconfig.h). Every setting carries the line it was read from and the name
 * of its file as messages show it; settings made by the program (a --set, a merged
 * base) are stamped with their own file name and line. The tree mirrors libconfig's
 * (groups, lists, arrays, int, int64, float, bool, string; names on group members
 * only) and its functions mirror libconfig's so that the readers read like libconfig
 * code; unlike libconfig's, the tree can be copied cheaply, is freed with one call,
 * and a tree nobody changes may be read from many threads at once.
 *
 * Layering: the model and the params module (sim/params) never see this header: the
 * model links without libconfig. Above it sit the scenario module (load.c and the
 * files it is split into), the sweep-file reader (sim/sweep/sweepfile.c) and the
 * manifest reader (sim/output/manifest_read.c).
 *
 * Error policy: out of memory is a NULL or -1 return; a syntax error is a struct
 * cf_parse_error with libconfig's line and text, the one message path from libconfig.
 */
#ifndef UNREST_CONF_H
#define UNREST_CONF_H

#include <stdbool.h>
#include <stddef.h>

enum cf_type {
	CF_NONE,
	CF_GROUP,
	CF_ARRAY,
	CF_LIST,
	CF_INT,
	CF_INT64,
	CF_FLOAT,
	CF_STRING,
	CF_BOOL
};

struct cf_setting {
	enum cf_type type;
	char *name;                 /* group members only; NULL elsewhere */
	unsigned line;              /* 1-based line in its file; 0 when made by the program */
	const char *file;           /* its file as messages name it; not owned */
	const void *hook;           /* the reader's: a wide integer literal (load.c) */
	union {
		int ival;           /* CF_INT, CF_BOOL */
		long long llval;    /* CF_INT64 */
		double fval;        /* CF_FLOAT */
		char *sval;         /* CF_STRING, owned */
	} value;
	struct cf_setting *parent;  /* NULL for the root */
	struct cf_setting **elems;  /* group, list, array: members in file order */
	int n, cap;
};

/* ---- reading the tree ---------------------------------------------------------------- */
int cf_length(const struct cf_setting *s);
struct cf_setting *cf_elem(const struct cf_setting *s, unsigned i);
/* Member `name` of a group, or NULL (also when s is not a group). */
struct cf_setting *cf_member(const struct cf_setting *s, const char *name);
/* A dotted path of member names, "government.actions", from s, with list items as
 * [N] ("government.actions.[2].value"); NULL when absent. */
struct cf_setting *cf_lookup(const struct cf_setting *s, const char *path);
bool cf_is_group(const struct cf_setting *s);
bool cf_is_list(const struct cf_setting *s);
bool cf_is_aggregate(const struct cf_setting *s);
bool cf_is_root(const struct cf_setting *s);
enum cf_type cf_type_of(const struct cf_setting *s);
const char *cf_name(const struct cf_setting *s);
unsigned cf_line(const struct cf_setting *s);
/* libconfig's getters: 0 (or NULL) for a setting of another type, except that an int
 * reads as an int64 and an int64 that fits reads as an int. */
int cf_int(const struct cf_setting *s);
long long cf_int64(const struct cf_setting *s);
double cf_float(const struct cf_setting *s);
bool cf_bool(const struct cf_setting *s);
const char *cf_string(const struct cf_setting *s);
/* Member `name` of group g as a string: true and *out when it is one. */
bool cf_lookup_string(const struct cf_setting *g, const char *name, const char **out);

/* ---- changing the tree --------------------------------------------------------------- */
/* A new empty root group. NULL when out of memory. */
struct cf_setting *cf_new_root(void);
/* Adds a setting of `type` at the end of parent (name only for a group's member; NULL
 * when a member of that name exists or memory runs out). The new setting has line 0,
 * no file, no hook, value 0. */
struct cf_setting *cf_add(struct cf_setting *parent, const char *name, enum cf_type type);
/* Removes and frees member `name` / element i; 0, or -1 when there is none. */
int cf_remove(struct cf_setting *parent, const char *name);
int cf_remove_elem(struct cf_setting *parent, unsigned i);
void cf_set_int(struct cf_setting *s, int v);
void cf_set_int64(struct cf_setting *s, long long v);
void cf_set_float(struct cf_setting *s, double v);
void cf_set_bool(struct cf_setting *s, bool v);
/* Copies v; false when out of memory. */
bool cf_set_string(struct cf_setting *s, const char *v);
/* A deep copy of s (its stamps included) added to parent, or a new root when parent
 * is NULL (s then a group). NULL when out of memory. */
struct cf_setting *cf_copy(struct cf_setting *parent, const struct cf_setting *s);
/* Frees s and everything under it (s must be a root, or already unlinked). */
void cf_free(struct cf_setting *s);

/* ---- parsing (parse.c, the libconfig adapter) ----------------------------------------- */
struct cf_parse_error {
	unsigned line;              /* 0 when libconfig gave none */
	char text[160];             /* libconfig's words, "syntax error" */
	bool nomem;
};

/* Parses NUL-terminated libconfig text into a new root group whose settings are
 * stamped with `file` (not copied: it must outlive the tree) and their lines. NULL
 * with *err on a syntax error or when out of memory. The calling thread's locale is
 * what it was before (libconfig changes it while it parses). */
struct cf_setting *cf_parse(const char *text, const char *file, struct cf_parse_error *err);

/* ---- whole files (read.c) ------------------------------------------------------------- */

/* Statuses of cf_read_file, equal to exit statuses of sysexits.h. */
enum { CF_BAD = 65, CF_MISSING = 66, CF_NOMEM = 70 };

/* Where cf_read_file's messages go: `what` about line `line` of the file (0: the file
 * as a whole), without the file's name. */
typedef void (*cf_say_fn)(void *context, unsigned line, const char *what);

/* Reads the file at path whole (at most CF_MAX_FILE_BYTES), checks its bytes as the
 * scenario loader does (with include_words as the message for an @include), refuses
 * integer literals libconfig would wrap (asking for the L suffix), and parses it.
 * The tree, or NULL with *status (CF_MISSING, CF_BAD, CF_NOMEM) and every problem
 * said through say. */
struct cf_setting *cf_read_file(const char *path, const char *include_words,
				cf_say_fn say, void *context, int *status);

/* ---- checks on the bytes before parsing (text.c) --------------------------------------- */

/* Problems the text checks find before parsing. */
enum cf_text_problem {
	CF_TEXT_OK,
	CF_TEXT_BINARY,             /* a NUL or control byte */
	CF_TEXT_ENCODING,           /* not UTF-8 */
	CF_TEXT_INCLUDE             /* an @include directive */
};

/* An integer literal whose value libconfig 1.5 would silently wrap (it keeps only
 * the low 32 bits of a literal without L, and clamps one with L to 64 bits): the k-th
 * integer literal on `line`, and its text. */
struct cf_int_literal {
	unsigned line;
	unsigned ordinal;           /* 0-based among the integer literals of that line */
	bool is64;                  /* it had the L suffix */
	char text[48];              /* truncated when longer */
};

struct cf_text_scan {
	enum cf_text_problem problem;
	unsigned problem_line;
	unsigned char problem_byte;
	bool blank;                 /* nothing but white space */
	struct cf_int_literal *wide; /* malloc'd; literals that do not fit in an int */
	size_t nwide;
};

/* Makes the n bytes of text what libconfig can read, in place, and NUL-terminates
 * them (the buffer must hold n + 2 bytes): drops a UTF-8 byte-order mark and ends a
 * last line without a line end. Returns the new length; line numbers do not change. */
size_t cf_tidy_text(char *text, size_t n);

/* Scans text[0..len). 0, or -1 when out of memory. */
int cf_scan_text(const char *text, size_t len, struct cf_text_scan *scan);
void cf_scan_finish(struct cf_text_scan *scan);

/* The offset of the first byte of text[0..len) that does not begin a valid UTF-8
 * sequence (an overlong form, a surrogate, a code point above U+10FFFF, a cut
 * sequence), and its line (1-based) in *line; len when all of it is UTF-8. For the
 * readers of CSV files, which must be UTF-8 as the scenario files are (pandas and R
 * read them as such). */
size_t cf_utf8_check(const char *text, size_t len, unsigned long *line);

/* Whether an integer literal's text (libconfig syntax: decimal or 0x hex, without its
 * L suffix) fits in an int, or with is64 in a long long. */
bool cf_int_literal_fits(const char *text, bool is64);

/* The largest scenario, sweep or manifest file read: no real one is anywhere near. */
#define CF_MAX_FILE_BYTES (16u << 20)

#endif /* UNREST_CONF_H */
