/*
 * load.c: reading a scenario: files and their bases, --set overrides, and the walk of
 * the schema (schema.c) that checks every setting and fills struct ur_params.
 *
 * The pipeline (scenario.h has the contract):
 *   read bytes -> text checks (text.c) -> libconfig parse -> stamp every setting with
 *   its file -> follow `base` and merge onto the base's tree -> apply --set -> walk the
 *   schema over the tree: unknown names, types, ranges, defaults, references -> cross
 *   checks -> sort the messages by file and line.
 * libconfig 1.5 keeps each setting's line but has no include callback and no way to
 * name the file of a setting read from a string, so merged and overridden settings are
 * stamped by writing the `line` and `file` members of config_setting_t, which
 * libconfig.h declares public (config_setting_source_line reads them) and never frees.
 */
#include <assert.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "schema.h"
#include "unrest/dist.h"
#include "unrest/scenario.h"

#define MAX_BASE_DEPTH 16
#define PATH_SIZE 512

struct ur_scenario {
	struct ur_params params;
	double **blocks;            /* arrays of discrete distributions */
	size_t nblocks;
	char *text;                 /* the printout */
	size_t text_len;
	uint64_t hash;
};

enum file_kind { FILE_DISK, FILE_MEMORY, FILE_SET };

struct sc_file {
	char *name;                 /* as messages show it */
	enum file_kind kind;
	struct sc_text_scan scan;   /* its wide integer literals, hooked to settings */
};

struct sc_msg {
	char *text;
	size_t rank;                /* the file's index: messages sort by file, */
	unsigned line;              /* then line, */
	size_t seq;                 /* then the order they were found */
};

struct loader {
	struct sc_file **files;
	size_t nfiles, cap_files;
	struct sc_msg *msgs;
	size_t nmsgs, cap_msgs;
	bool missing, usage, bad, nomem;
	struct ur_scenario *sc;
	struct ur_params *p;
	bool regions_ok;
	const config_setting_t *actions; /* government.actions in the tree */
	locale_t c_locale;          /* this thread's locale during the load, or 0 */
};

struct path {
	char buf[PATH_SIZE];
	size_t len;
};

/* ---- messages ----------------------------------------------------------------------- */

static void add_msg(struct loader *L, size_t rank, unsigned line, char *text)
{
	if (!text) {
		L->nomem = true;
		return;
	}
	if (L->nmsgs == L->cap_msgs) {
		size_t cap = L->cap_msgs ? 2 * L->cap_msgs : 16;
		struct sc_msg *m = realloc(L->msgs, cap * sizeof *m);
		if (!m) {
			free(text);
			L->nomem = true;
			return;
		}
		L->msgs = m;
		L->cap_msgs = cap;
	}
	L->msgs[L->nmsgs] = (struct sc_msg){ text, rank, line, L->nmsgs };
	L->nmsgs++;
}

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *s;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	return s;
}

static size_t file_rank(const struct loader *L, const char *name)
{
	for (size_t i = 0; i < L->nfiles; i++)
		if (L->files[i]->name == name)
			return i;
	return L->nfiles;
}

/* A message about a file as a whole or a line of it, not a setting. */
static void report_file(struct loader *L, size_t rank, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report_file(struct loader *L, size_t rank, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *what, *text;

	va_start(ap, fmt);
	what = vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		L->nomem = true;
		return;
	}
	if (line)
		text = format("%s:%u: %s", L->files[rank]->name, line, what);
	else
		text = format("%s: %s", L->files[rank]->name, what);
	free(what);
	L->bad = true;
	add_msg(L, rank, line, text);
}

/* A message about the setting at `where` (or, when it is absent, its nearest
 * ancestor that exists) whose path is `path`. */
static void report(struct loader *L, const config_setting_t *where, const char *path,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report(struct loader *L, const config_setting_t *where, const char *path,
		   const char *fmt, ...)
{
	va_list ap;
	char *what, *text;
	size_t rank;

	assert(where);
	rank = file_rank(L, where->file);
	unsigned line = where->line ? where->line : 1;
	const char *sep = *path ? ": " : "";

	va_start(ap, fmt);
	what = vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		L->nomem = true;
		return;
	}
	if (rank < L->nfiles && L->files[rank]->kind == FILE_SET) {
		text = format("%s: %s%s%s", where->file, path, sep, what);
		L->usage = true;
		line = 0;
	} else {
		text = format("%s:%u: %s%s%s", where->file ? where->file : "?", line, path,
			      sep, what);
		L->bad = true;
	}
	free(what);
	add_msg(L, rank, line, text);
}

/* A --set that cannot be applied at all. */
static void report_usage(struct loader *L, const char *set, const char *path,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report_usage(struct loader *L, const char *set, const char *path,
			 const char *fmt, ...)
{
	va_list ap;
	char *what, *text;

	va_start(ap, fmt);
	what = vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		L->nomem = true;
		return;
	}
	text = *path ? format("--set %s: %s: %s", set, path, what)
		     : format("--set %s: %s", set, what);
	free(what);
	L->usage = true;
	add_msg(L, L->nfiles + 1, 0, text);
}

static int compare_msgs(const void *a, const void *b)
{
	const struct sc_msg *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- files -------------------------------------------------------------------------- */

static struct sc_file *add_file(struct loader *L, const char *name, enum file_kind kind)
{
	struct sc_file *f;

	if (L->nfiles == L->cap_files) {
		size_t cap = L->cap_files ? 2 * L->cap_files : 8;
		struct sc_file **files = realloc(L->files, cap * sizeof *files);
		if (!files)
			goto nomem;
		L->files = files;
		L->cap_files = cap;
	}
	f = calloc(1, sizeof *f);
	if (!f)
		goto nomem;
	f->name = strdup(name);
	if (!f->name) {
		free(f);
		goto nomem;
	}
	f->kind = kind;
	L->files[L->nfiles++] = f;
	return f;
nomem:
	L->nomem = true;
	return NULL;
}

static void describe(const config_setting_t *s, char *buf, size_t size)
{
	char real[SC_REAL_TEXT_SIZE];

	switch (s->type) {
	case CONFIG_TYPE_INT:
		if (s->hook)
			snprintf(buf, size, "%s", ((const struct sc_int_literal *)s->hook)->text);
		else
			snprintf(buf, size, "%d", s->value.ival);
		break;
	case CONFIG_TYPE_INT64:
		if (s->hook)
			snprintf(buf, size, "%sL",
				 ((const struct sc_int_literal *)s->hook)->text);
		else
			snprintf(buf, size, "%lldL", s->value.llval);
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, size, "%s", sc_format_real(s->value.fval, true, real));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, size, "%s", s->value.ival ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING: {
		/* Quoted as libconfig would write it, at most 40 bytes of it, cut at a
		 * character boundary. */
		const unsigned char *v = (const unsigned char *)(s->value.sval ? s->value.sval : "");
		size_t used = 0, taken = 0;
		buf[used++] = '"';
		for (; *v && used + 8 < size; v++) {
			if (taken >= 40 && (*v & 0xC0) != 0x80) {
				used += (size_t)snprintf(buf + used, size - used, "...");
				break;
			}
			if (*v == '"' || *v == '\\')
				used += (size_t)snprintf(buf + used, size - used, "\\%c", *v);
			else if (*v < 0x20 || *v == 0x7F)
				used += (size_t)snprintf(buf + used, size - used, "\\x%02X", *v);
			else
				buf[used++] = (char)*v;
			taken++;
		}
		snprintf(buf + used, size - used, "\"");
		break;
	}
	case CONFIG_TYPE_GROUP:
		snprintf(buf, size, "a group");
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, size, "a list");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, size, "an array");
		break;
	default:
		snprintf(buf, size, "nothing");
		break;
	}
}

#define DESCRIBE(s) (describe((s), found, sizeof found), found)

/* Reads the file into a NUL-terminated buffer. `base` is the setting that named it,
 * or NULL for the scenario itself. */
static char *read_file(struct loader *L, const char *path, const char *display,
		       const config_setting_t *base, size_t *len)
{
	FILE *f;
	struct stat st;
	char *text = NULL;
	int err = 0;

	f = fopen(path, "rb");
	if (!f) {
		err = errno;
	} else if (fstat(fileno(f), &st) != 0) {
		err = errno;
	} else if (S_ISDIR(st.st_mode)) {
		err = EISDIR;
	}
	if (err) {
		char why[128];
		if (strerror_r(err, why, sizeof why) != 0)
			snprintf(why, sizeof why, "error %d", err);
		if (base)
			report(L, base, "base", "cannot open \"%s\": %s", display, why);
		else
			add_msg(L, L->nfiles, 0, format("%s: cannot open: %s", display, why));
		L->missing = true;
		goto cleanup;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > SC_MAX_FILE_BYTES) {
		add_msg(L, L->nfiles, 0,
			format("%s: must be at most %u bytes, got %jd", display,
			       SC_MAX_FILE_BYTES, (intmax_t)st.st_size));
		L->bad = true;
		goto cleanup;
	}
	{
		size_t cap = 4096, n = 0, got;
		text = malloc(cap + 1);
		if (!text)
			goto nomem;
		while ((got = fread(text + n, 1, cap - n, f)) > 0) {
			n += got;
			if (n > SC_MAX_FILE_BYTES) {
				add_msg(L, L->nfiles, 0,
					format("%s: must be at most %u bytes", display,
					       SC_MAX_FILE_BYTES));
				L->bad = true;
				free(text);
				text = NULL;
				goto cleanup;
			}
			if (n == cap) {
				char *t = realloc(text, 2 * cap + 1);
				if (!t)
					goto nomem;
				text = t;
				cap *= 2;
			}
		}
		if (ferror(f)) {
			add_msg(L, L->nfiles, 0, format("%s: cannot read", display));
			L->missing = true;
			free(text);
			text = NULL;
			goto cleanup;
		}
		/* n < cap here: the text has room for the line end tidy_text may add. */
		*len = sc_tidy_text(text, n);
	}
	goto cleanup;
nomem:
	free(text);
	text = NULL;
	L->nomem = true;
cleanup:
	if (f)
		fclose(f);
	return text;
}

/* Stamps every setting with its file, and hooks the wide integer literals of the file
 * to their settings: the k-th integer setting of a line is its k-th integer literal. */
struct stamp {
	const struct sc_file *file;
	size_t next_wide;
	unsigned line;
	unsigned ordinal;
};

static void stamp_tree(config_setting_t *s, struct stamp *st)
{
	s->file = st->file->name;
	if (s->type == CONFIG_TYPE_INT || s->type == CONFIG_TYPE_INT64) {
		const struct sc_text_scan *scan = &st->file->scan;
		if (s->line != st->line) {
			st->line = s->line;
			st->ordinal = 0;
		}
		while (st->next_wide < scan->nwide &&
		       (scan->wide[st->next_wide].line < s->line ||
			(scan->wide[st->next_wide].line == s->line &&
			 scan->wide[st->next_wide].ordinal < st->ordinal)))
			st->next_wide++;
		if (st->next_wide < scan->nwide && scan->wide[st->next_wide].line == s->line &&
		    scan->wide[st->next_wide].ordinal == st->ordinal)
			s->hook = &scan->wide[st->next_wide];
		st->ordinal++;
	}
	if (config_setting_is_aggregate(s))
		for (int i = 0; i < config_setting_length(s); i++)
			stamp_tree(config_setting_get_elem(s, (unsigned)i), st);
}

/* Parses one file's text into a new config; NULL after reporting why. */
static config_t *parse_text(struct loader *L, struct sc_file *file, const char *text,
			    size_t len)
{
	size_t rank = L->nfiles - 1;
	config_t *cfg;
	struct stamp st = { file, 0, 0, 0 };
	int ok;

	assert(L->files[rank] == file);
	if (sc_scan_text(text, len, &file->scan) != 0) {
		L->nomem = true;
		return NULL;
	}
	switch (file->scan.problem) {
	case SC_TEXT_OK:
		break;
	case SC_TEXT_BINARY:
		report_file(L, rank, file->scan.problem_line,
			    "must be text, got byte 0x%02X", file->scan.problem_byte);
		return NULL;
	case SC_TEXT_ENCODING:
		report_file(L, rank, file->scan.problem_line,
			    "must be UTF-8 text, got byte 0x%02X", file->scan.problem_byte);
		return NULL;
	case SC_TEXT_INCLUDE:
		report_file(L, rank, file->scan.problem_line,
			    "@include is not supported, use base = \"FILE\";");
		return NULL;
	}
	if (file->scan.blank) {
		report_file(L, rank, 1, "must hold a scenario, got an empty file");
		return NULL;
	}
	cfg = malloc(sizeof *cfg);
	if (!cfg) {
		L->nomem = true;
		return NULL;
	}
	config_init(cfg);
	ok = config_read_string(cfg, text);
	/* libconfig switches the thread to its own C locale while parsing and then to
	 * the global locale, not back to ours: take ours again. */
	if (L->c_locale)
		uselocale(L->c_locale);
	if (!ok) {
		report_file(L, rank, (unsigned)config_error_line(cfg), "%s",
			    config_error_text(cfg) ? config_error_text(cfg) : "syntax error");
		config_destroy(cfg);
		free(cfg);
		return NULL;
	}
	if (config_setting_length(config_root_setting(cfg)) == 0) {
		report_file(L, rank, 1, "must hold a scenario, got no settings");
		config_destroy(cfg);
		free(cfg);
		return NULL;
	}
	stamp_tree(config_root_setting(cfg), &st);
	return cfg;
}

static void free_config(config_t *cfg)
{
	if (cfg) {
		config_destroy(cfg);
		free(cfg);
	}
}

/* ---- merging a file onto its base --------------------------------------------------- */

static config_setting_t *copy_setting(struct loader *L, config_setting_t *parent,
				      const config_setting_t *src)
{
	const char *name = config_setting_is_group(parent) ? src->name : NULL;
	config_setting_t *dst = config_setting_add(parent, name, src->type);

	if (!dst) {
		L->nomem = true;
		return NULL;
	}
	dst->line = src->line;
	dst->file = src->file;
	dst->hook = src->hook;
	switch (src->type) {
	case CONFIG_TYPE_INT:
		config_setting_set_int(dst, src->value.ival);
		break;
	case CONFIG_TYPE_INT64:
		config_setting_set_int64(dst, src->value.llval);
		break;
	case CONFIG_TYPE_FLOAT:
		config_setting_set_float(dst, src->value.fval);
		break;
	case CONFIG_TYPE_BOOL:
		config_setting_set_bool(dst, src->value.ival);
		break;
	case CONFIG_TYPE_STRING:
		if (!config_setting_set_string(dst, src->value.sval))
			L->nomem = true;
		break;
	default:
		for (int i = 0; i < config_setting_length(src); i++)
			if (!copy_setting(L, dst, config_setting_get_elem(src, (unsigned)i)))
				return NULL;
		break;
	}
	return dst;
}

static const char *dist_name_of(const config_setting_t *group)
{
	const config_setting_t *d = config_setting_get_member(group, "dist");
	return d && d->type == CONFIG_TYPE_STRING ? d->value.sval : NULL;
}

/* Merges src's members onto dst: groups merge by path, anything else (lists included)
 * replaces. A distribution merges when src names no other family. */
static void merge_group(struct loader *L, config_setting_t *dst, const config_setting_t *src,
			const struct sc_node *node)
{
	for (int i = 0; i < config_setting_length(src); i++) {
		const config_setting_t *m = config_setting_get_elem(src, (unsigned)i);
		config_setting_t *d = config_setting_get_member(dst, m->name);
		const struct sc_node *child = node ? sc_child(node, m->name) : NULL;
		bool merge = false;

		if (config_setting_is_root(dst) && strcmp(m->name, "base") == 0)
			continue;
		if (d && config_setting_is_group(d) && config_setting_is_group(m) && child) {
			if (child->type == SC_GROUP) {
				merge = true;
			} else if (child->type == SC_DIST) {
				const char *a = dist_name_of(d), *b = dist_name_of(m);
				merge = !b || (a && strcmp(a, b) == 0);
			}
		}
		if (merge) {
			d->line = m->line;
			d->file = m->file;
			merge_group(L, d, m, child);
			continue;
		}
		if (d)
			config_setting_remove(dst, m->name);
		if (!copy_setting(L, dst, m))
			return;
	}
}

/* ---- following base chains ---------------------------------------------------------- */

struct chain {
	dev_t dev[MAX_BASE_DEPTH + 1];
	ino_t ino[MAX_BASE_DEPTH + 1];
	const char *name[MAX_BASE_DEPTH + 1];
	size_t n;
};

/* Removes "./" segments and "dir/.." pairs in place, so that messages show
 * "scenarios/a.cfg" rather than "scenarios/sub/../a.cfg". Lexical, as a reader of the
 * file takes the path (a symlinked directory followed by ".." would resolve
 * elsewhere); cycles are found by inode, not by name. */
static void tidy_path(char *path)
{
	char *seg[64];
	size_t n = 0;
	bool absolute = path[0] == '/';
	char *save = NULL, *tok, *copy = strdup(path), *out = path;

	if (!copy)
		return;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0 && n > 0 && strcmp(seg[n - 1], "..") != 0) {
			n--;
			continue;
		}
		if (n == sizeof seg / sizeof seg[0]) {
			free(copy);
			return;
		}
		seg[n++] = tok;
	}
	if (absolute)
		*out++ = '/';
	else if (n == 0)
		*out++ = '.';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(seg[i]);
		if (i)
			*out++ = '/';
		memmove(out, seg[i], len);
		out += len;
	}
	*out = '\0';
	free(copy);
}

static char *join_dir(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	char *joined;

	if (rel[0] == '/' || !slash)
		joined = strdup(rel);
	else
		joined = format("%.*s/%s", (int)(slash - file), file, rel);
	if (joined)
		tidy_path(joined);
	return joined;
}

static config_t *load_chain(struct loader *L, const char *path,
			    const config_setting_t *from, struct chain *chain);

/* Follows the `base` of cfg (read from file) if it has one; returns the merged tree
 * (cfg itself when there is no base) or NULL. Takes ownership of cfg. */
static config_t *apply_base(struct loader *L, config_t *cfg, const char *path,
			    bool from_memory, struct chain *chain)
{
	config_setting_t *root = config_root_setting(cfg);
	config_setting_t *base = config_setting_get_member(root, "base");
	char found[96];
	config_t *merged;
	char *base_path;

	if (!base)
		return cfg;
	if (base->type != CONFIG_TYPE_STRING || !base->value.sval || !*base->value.sval) {
		report(L, base, "base", "must be a file name, got %s", DESCRIBE(base));
		free_config(cfg);
		return NULL;
	}
	if (from_memory) {
		report(L, base, "base", "cannot be followed from memory, got \"%s\"",
		       base->value.sval);
		free_config(cfg);
		return NULL;
	}
	if (chain->n > MAX_BASE_DEPTH) {
		report(L, base, "base", "must be a chain of at most %d files, got more",
		       MAX_BASE_DEPTH);
		free_config(cfg);
		return NULL;
	}
	base_path = join_dir(path, base->value.sval);
	if (!base_path) {
		L->nomem = true;
		free_config(cfg);
		return NULL;
	}
	merged = load_chain(L, base_path, base, chain);
	free(base_path);
	if (merged)
		merge_group(L, config_root_setting(merged), root, sc_schema_root());
	free_config(cfg);
	return merged;
}

static config_t *load_chain(struct loader *L, const char *path,
			    const config_setting_t *from, struct chain *chain)
{
	struct stat st;
	struct sc_file *file;
	config_t *cfg;
	char *text;
	size_t len = 0;

	if (stat(path, &st) == 0) {
		for (size_t i = 0; i < chain->n; i++) {
			if (chain->dev[i] == st.st_dev && chain->ino[i] == st.st_ino) {
				char cycle[PATH_SIZE] = "";
				size_t used = 0;
				for (size_t k = i; k < chain->n && used < sizeof cycle; k++)
					used += (size_t)snprintf(cycle + used, sizeof cycle - used,
								 "%s -> ", chain->name[k]);
				if (used < sizeof cycle)
					snprintf(cycle + used, sizeof cycle - used, "%s", path);
				report(L, from, "base", "must not form a cycle, got %s", cycle);
				return NULL;
			}
		}
	}
	text = read_file(L, path, path, from, &len);
	if (!text)
		return NULL;
	file = add_file(L, path, FILE_DISK);
	if (!file) {
		free(text);
		return NULL;
	}
	cfg = parse_text(L, file, text, len);
	free(text);
	if (!cfg)
		return NULL;
	chain->dev[chain->n] = st.st_dev;
	chain->ino[chain->n] = st.st_ino;
	chain->name[chain->n] = file->name;
	chain->n++;
	cfg = apply_base(L, cfg, path, false, chain);
	chain->n--;
	return cfg;
}

/* ---- paths -------------------------------------------------------------------------- */

static size_t path_push(struct path *p, const char *name)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof p->buf - p->len, "%s%s", p->len ? "." : "",
			 name);
	if (n > 0)
		p->len = p->len + (size_t)n < sizeof p->buf ? p->len + (size_t)n
							     : sizeof p->buf - 1;
	return old;
}

static size_t path_push_index(struct path *p, size_t i)
{
	char idx[32];
	snprintf(idx, sizeof idx, "[%zu]", i);
	return path_push(p, idx);
}

static void path_pop(struct path *p, size_t old)
{
	p->len = old;
	p->buf[old] = '\0';
}

/* ---- suggestions -------------------------------------------------------------------- */

static size_t suggestion_limit(const char *name)
{
	size_t n = strlen(name);
	return n <= 3 ? 1 : n <= 6 ? 2 : 3;
}

/* The candidate closest to name, or NULL when none is close. */
static const char *closest(const char *name, const char *const *candidates, size_t n)
{
	size_t limit = suggestion_limit(name), best_d = limit + 1;
	const char *best = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d;
		if (!candidates[i])
			continue;
		d = sc_edit_distance(name, candidates[i], limit);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

static const char *closest_child(const struct sc_node *node, const char *name)
{
	const char *names[64];
	size_t n = node->nchildren < 64 ? node->nchildren : 64;
	for (size_t i = 0; i < n; i++)
		names[i] = node->children[i].name;
	return closest(name, names, n);
}

static const char *closest_region(const struct loader *L, const char *id)
{
	const char *names[UR_MAX_REGIONS];
	for (size_t i = 0; i < L->p->nregions; i++)
		names[i] = L->p->regions[i].id;
	return closest(id, names, L->p->nregions);
}

/* " (did you mean \"x\"?)" or "". */
static void did_you_mean(const char *suggestion, char *buf, size_t size)
{
	if (suggestion)
		snprintf(buf, size, " (did you mean \"%s\"?)", suggestion);
	else
		buf[0] = '\0';
}

/* ---- reading scalars ---------------------------------------------------------------- */

static void format_limit(double v, char buf[SC_REAL_TEXT_SIZE])
{
	sc_format_real(v, false, buf);
}

static bool check_range(struct loader *L, const config_setting_t *s, const char *path,
			const struct sc_node *node, double v, const char *text)
{
	char lim[SC_REAL_TEXT_SIZE];
	bool min_open = node->flags & SC_MIN_OPEN, max_open = node->flags & SC_MAX_OPEN;

	if (min_open ? !(v > node->min) : !(v >= node->min)) {
		format_limit(node->min, lim);
		report(L, s, path, "must be %s %s, got %s", min_open ? ">" : ">=", lim, text);
		return false;
	}
	if (node->max < 9.2e18 && (max_open ? !(v < node->max) : !(v <= node->max))) {
		format_limit(node->max, lim);
		report(L, s, path, "must be %s %s, got %s", max_open ? "<" : "<=", lim, text);
		return false;
	}
	return true;
}

/* A number from an int, int64 or float setting. */
static bool get_number(struct loader *L, const config_setting_t *s, const char *path,
		       double *out)
{
	char found[96];
	const struct sc_int_literal *wide = s->hook;

	switch (s->type) {
	case CONFIG_TYPE_INT:
		*out = wide ? strtod(wide->text, NULL) : (double)s->value.ival;
		break;
	case CONFIG_TYPE_INT64:
		if (wide) {
			report(L, s, path, "must be a 64-bit integer, got %sL", wide->text);
			return false;
		}
		*out = (double)s->value.llval;
		break;
	case CONFIG_TYPE_FLOAT:
		*out = s->value.fval;
		break;
	default:
		report(L, s, path, "must be a number, got %s", DESCRIBE(s));
		return false;
	}
	if (!isfinite(*out)) {
		report(L, s, path, "must be a finite number, got %s",
		       wide ? wide->text : *out > 0 ? "inf" : "-inf");
		return false;
	}
	return true;
}

static bool get_real(struct loader *L, const config_setting_t *s, const char *path,
		     const struct sc_node *node, double *out)
{
	char found[96];
	if (!get_number(L, s, path, out))
		return false;
	return check_range(L, s, path, node, *out, DESCRIBE(s));
}

static bool get_integer(struct loader *L, const config_setting_t *s, const char *path,
			const struct sc_node *node, long long *out)
{
	char found[96];
	const struct sc_int_literal *wide = s->hook;

	switch (s->type) {
	case CONFIG_TYPE_INT:
		if (wide) {
			char *end;
			errno = 0;
			*out = strtoll(wide->text, &end, 0);
			if (errno != 0 || *end != '\0') {
				report(L, s, path, "must be a 64-bit integer, got %s", wide->text);
				return false;
			}
		} else {
			*out = s->value.ival;
		}
		break;
	case CONFIG_TYPE_INT64:
		if (wide) {
			report(L, s, path, "must be a 64-bit integer, got %sL", wide->text);
			return false;
		}
		*out = s->value.llval;
		break;
	default:
		report(L, s, path, "must be an integer, got %s", DESCRIBE(s));
		return false;
	}
	if (node->flags & SC_MIN_OPEN ? !((double)*out > node->min) : !((double)*out >= node->min)) {
		report(L, s, path, "must be %s %.0f, got %s", node->flags & SC_MIN_OPEN ? ">" : ">=",
		       node->min, DESCRIBE(s));
		return false;
	}
	if (node->max < 9.2e18 && (double)*out > node->max) {
		report(L, s, path, "must be <= %.0f, got %s", node->max, DESCRIBE(s));
		return false;
	}
	return true;
}

static bool valid_utf8_text(const char *s)
{
	struct sc_text_scan scan;
	bool ok;

	if (sc_scan_text(s, strlen(s), &scan) != 0)
		return false;
	ok = scan.problem == SC_TEXT_OK || scan.problem == SC_TEXT_INCLUDE;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20)
			ok = false;
	sc_scan_finish(&scan);
	return ok;
}

static const char *get_string(struct loader *L, const config_setting_t *s, const char *path,
			      size_t max_len)
{
	char found[96];
	const char *v;

	if (s->type != CONFIG_TYPE_STRING) {
		report(L, s, path, "must be a string, got %s", DESCRIBE(s));
		return NULL;
	}
	v = s->value.sval ? s->value.sval : "";
	if (strlen(v) > max_len) {
		report(L, s, path, "must be at most %zu bytes, got %zu", max_len, strlen(v));
		return NULL;
	}
	if (!valid_utf8_text(v)) {
		report(L, s, path, "must be UTF-8 text without control characters, got %s",
		       DESCRIBE(s));
		return NULL;
	}
	return v;
}

static bool is_id(const char *v)
{
	if (!(v[0] == '_' || (v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')))
		return false;
	for (const char *c = v + 1; *c; c++)
		if (!(*c == '_' || *c == '-' || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			return false;
	return strlen(v) < UR_ID_SIZE;
}

static const char *get_id(struct loader *L, const config_setting_t *s, const char *path)
{
	char found[96];
	const char *v;

	if (s->type != CONFIG_TYPE_STRING) {
		report(L, s, path, "must be an id string, got %s", DESCRIBE(s));
		return NULL;
	}
	v = s->value.sval ? s->value.sval : "";
	if (!is_id(v)) {
		report(L, s, path,
		       "must be an id of letters, digits, _ and - starting with a letter or _, "
		       "at most %d bytes, got %s", UR_ID_SIZE - 1, DESCRIBE(s));
		return NULL;
	}
	return v;
}

/* "\"a\", \"b\" or \"c\"", skipping NULL names (values no file may spell). */
static void list_names(const char *const *names, size_t n, char *buf, size_t size)
{
	size_t used = 0, total = 0, k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		total += names[i] != NULL;
	for (size_t i = 0; i < n && used < size; i++) {
		if (!names[i])
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s\"%s\"",
					 k == 0 ? "" : k + 1 == total ? " or " : ", ", names[i]);
		k++;
	}
}

static bool get_enum(struct loader *L, const config_setting_t *s, const char *path,
		     const char *const *names, size_t n, int *out)
{
	char found[96], choices[400], dym[96];

	if (s->type == CONFIG_TYPE_STRING && s->value.sval) {
		for (size_t i = 0; i < n; i++) {
			if (names[i] && strcmp(s->value.sval, names[i]) == 0) {
				*out = (int)i;
				return true;
			}
		}
	}
	list_names(names, n, choices, sizeof choices);
	did_you_mean(s->type == CONFIG_TYPE_STRING && s->value.sval
			     ? closest(s->value.sval, names, n)
			     : NULL,
		     dym, sizeof dym);
	report(L, s, path, "must be %s%s, got %s%s", strstr(choices, ", ") ? "one of " : "",
	       choices, DESCRIBE(s), dym);
	return false;
}

static int find_region(const struct loader *L, const char *id)
{
	for (size_t i = 0; i < L->p->nregions; i++)
		if (strcmp(L->p->regions[i].id, id) == 0)
			return (int)i;
	return UR_NONE;
}

/* A region named by its id; UR_NONE after a message (or silently when the regions
 * themselves were broken: that has been said already). */
static int get_region(struct loader *L, const config_setting_t *s, const char *path)
{
	char found[96], dym[96];
	int r;

	if (s->type != CONFIG_TYPE_STRING) {
		report(L, s, path, "must be a region id, got %s", DESCRIBE(s));
		return UR_NONE;
	}
	r = find_region(L, s->value.sval);
	if (r == UR_NONE && L->regions_ok) {
		did_you_mean(closest_region(L, s->value.sval), dym, sizeof dym);
		report(L, s, path, "must be the id of a region, got %s%s", DESCRIBE(s), dym);
	}
	return r;
}

/* ---- the schema walk ---------------------------------------------------------------- */

static void fill_node(struct loader *L, const struct sc_node *node,
		      const config_setting_t *s, const config_setting_t *parent,
		      char *base, struct path *path);

static void put_int(char *at, int v)
{
	memcpy(at, &v, sizeof v);
}

static void report_unknown(struct loader *L, const config_setting_t *m, struct path *path,
			   const char *suggestion)
{
	char dym[96];
	size_t old = path_push(path, m->name ? m->name : "?");
	did_you_mean(suggestion, dym, sizeof dym);
	report(L, m, path->buf, "unknown setting%s", dym);
	path_pop(path, old);
}

static void set_default_dist(struct ur_dist *d, const struct sc_dist_default *dd)
{
	*d = ur_dist_make(dd->family);
	for (size_t i = 0; i < dd->n; i++)
		*(double *)((char *)d + sc_dist_param(dd->p[i].param)->offset) = dd->p[i].value;
}

static bool family_takes(const struct sc_dist_family_info *fi, enum sc_dist_param prm)
{
	for (size_t i = 0; i < fi->nrequired; i++)
		if (fi->required[i] == prm)
			return true;
	for (size_t i = 0; i < fi->noptional; i++)
		if (fi->optional[i] == prm)
			return true;
	return false;
}

static int param_by_name(const char *name)
{
	for (int i = 0; i < SC_DP_COUNT; i++)
		if (strcmp(sc_dist_param((enum sc_dist_param)i)->name, name) == 0)
			return i;
	return -1;
}

static double *read_number_array(struct loader *L, const config_setting_t *s,
				 struct path *path, size_t *n)
{
	char found[96];
	double *values;
	bool ok = true;
	int len;

	if (s->type != CONFIG_TYPE_ARRAY && s->type != CONFIG_TYPE_LIST) {
		report(L, s, path->buf, "must be an array of numbers [ ... ], got %s",
		       DESCRIBE(s));
		return NULL;
	}
	len = config_setting_length(s);
	if (len == 0) {
		report(L, s, path->buf, "must hold at least one number, got an empty array");
		return NULL;
	}
	values = malloc((size_t)len * sizeof *values);
	if (!values) {
		L->nomem = true;
		return NULL;
	}
	for (int i = 0; i < len; i++) {
		size_t old = path_push_index(path, (size_t)i);
		if (!get_number(L, config_setting_get_elem(s, (unsigned)i), path->buf, &values[i]))
			ok = false;
		path_pop(path, old);
	}
	if (!ok) {
		free(values);
		return NULL;
	}
	*n = (size_t)len;
	return values;
}

static bool keep_block(struct loader *L, double *block)
{
	double **b = realloc(L->sc->blocks, (L->sc->nblocks + 1) * sizeof *b);
	if (!b) {
		free(block);
		L->nomem = true;
		return false;
	}
	b[L->sc->nblocks++] = block;
	L->sc->blocks = b;
	return true;
}

static void fill_dist(struct loader *L, const config_setting_t *s, struct ur_dist *d,
		      struct path *path)
{
	char found[96], dym[96], names[400];
	const char *family_names[UR_DIST_FAMILY_COUNT];
	const config_setting_t *fs = config_setting_get_member(s, "dist");
	const struct sc_dist_family_info *fi;
	enum ur_dist_family family;
	struct ur_dist_error err;
	bool ok = true;
	size_t nvalues = 0, nweights = 0, old;

	for (int i = 0; i < UR_DIST_FAMILY_COUNT; i++)
		family_names[i] = ur_dist_family_name((enum ur_dist_family)i);
	if (!config_setting_is_group(s)) {
		report(L, s, path->buf,
		       "must be a distribution { dist = \"family\"; ... }, got %s", DESCRIBE(s));
		return;
	}
	if (!fs) {
		old = path_push(path, "dist");
		report(L, s, path->buf, "required setting is missing");
		path_pop(path, old);
		return;
	}
	old = path_push(path, "dist");
	if (fs->type != CONFIG_TYPE_STRING) {
		report(L, fs, path->buf, "must be a family name, got %s", DESCRIBE(fs));
		path_pop(path, old);
		return;
	}
	family = ur_dist_family_from_name(fs->value.sval);
	if (family == UR_DIST_FAMILY_COUNT) {
		list_names(family_names, UR_DIST_FAMILY_COUNT, names, sizeof names);
		did_you_mean(closest(fs->value.sval, family_names, UR_DIST_FAMILY_COUNT), dym,
			     sizeof dym);
		report(L, fs, path->buf, "must be one of %s, got %s%s", names, DESCRIBE(fs), dym);
		path_pop(path, old);
		return;
	}
	path_pop(path, old);
	fi = sc_dist_family(family);
	*d = ur_dist_make(family);

	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		int prm = param_by_name(m->name);

		if (strcmp(m->name, "dist") == 0)
			continue;
		old = path_push(path, m->name);
		if (prm < 0 || !family_takes(fi, (enum sc_dist_param)prm)) {
			const char *cand[8];
			size_t nc = 0;
			for (size_t k = 0; k < fi->nrequired; k++)
				cand[nc++] = sc_dist_param(fi->required[k])->name;
			for (size_t k = 0; k < fi->noptional; k++)
				cand[nc++] = sc_dist_param(fi->optional[k])->name;
			did_you_mean(prm < 0 ? closest(m->name, cand, nc) : NULL, dym, sizeof dym);
			report(L, m, path->buf, "not a parameter of %s, which takes %s%s",
			       fs->value.sval, fi->takes, dym);
			ok = false;
		} else if (prm == SC_DP_VALUES || prm == SC_DP_WEIGHTS) {
			size_t n = 0;
			double *a = read_number_array(L, m, path, &n);
			if (!a || !keep_block(L, a)) {
				ok = false;
			} else if (prm == SC_DP_VALUES) {
				d->values = a;
				nvalues = n;
			} else {
				d->weights = a;
				nweights = n;
			}
		} else {
			double v;
			if (get_number(L, m, path->buf, &v))
				*(double *)((char *)d + sc_dist_param((enum sc_dist_param)prm)->offset) = v;
			else
				ok = false;
		}
		path_pop(path, old);
	}
	for (size_t k = 0; k < fi->nrequired; k++) {
		const char *name = sc_dist_param(fi->required[k])->name;
		if (!config_setting_get_member(s, name)) {
			old = path_push(path, name);
			report(L, s, path->buf, "required by %s, got nothing", fs->value.sval);
			path_pop(path, old);
			ok = false;
		}
	}
	if (family == UR_DIST_DISCRETE && d->values && d->weights) {
		if (nvalues != nweights) {
			const config_setting_t *w = config_setting_get_member(s, "weights");
			old = path_push(path, "weights");
			report(L, w, path->buf, "must have as many items as values (%zu), got %zu",
			       nvalues, nweights);
			path_pop(path, old);
			ok = false;
		}
		d->count = nvalues;
	}
	if (!ok)
		return;
	if (ur_dist_validate(d, &err) != 0) {
		const config_setting_t *where = s;
		char pname[sizeof err.param];
		char *dot;

		snprintf(pname, sizeof pname, "%s", err.param);
		dot = strchr(pname, '.');
		if (dot)
			*dot = '\0';
		if (*pname && config_setting_get_member(s, pname)) {
			where = config_setting_get_member(s, pname);
			if (dot) {
				long idx = strtol(dot + 3, NULL, 10); /* ".[N]" */
				if (idx >= 0 && idx < config_setting_length(where))
					where = config_setting_get_elem(where, (unsigned)idx);
			}
		}
		old = *err.param ? path_push(path, err.param) : path->len;
		report(L, where, path->buf, "%s", err.message);
		path_pop(path, old);
	}
}

/* s is the group in the tree, or NULL when it is absent; anchor is the nearest
 * setting that exists (s itself, or an ancestor), where messages about missing
 * settings point. */
static void fill_group(struct loader *L, const struct sc_node *node,
		       const config_setting_t *s, const config_setting_t *anchor, char *base,
		       struct path *path, int kind)
{
	/* Unknown names first, so that a misspelt required setting reads as a typo. */
	if (s) {
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
			const struct sc_node *child = sc_child(node, m->name);
			if (!child) {
				report_unknown(L, m, path, closest_child(node, m->name));
			} else if (kind >= 0 && !sc_used_by_kind(child, kind)) {
				size_t old = path_push(path, m->name);
				report(L, m, path->buf, "not used by kind \"%s\"",
				       ur_action_kind_name((enum ur_action_kind)kind));
				path_pop(path, old);
			}
		}
	}
	for (size_t i = 0; i < node->nchildren; i++) {
		const struct sc_node *child = &node->children[i];
		const config_setting_t *m = s ? config_setting_get_member(s, child->name) : NULL;
		size_t old;

		if (child->flags & SC_KIND)
			continue; /* read by the list item before its fields */
		if (kind >= 0 && !sc_used_by_kind(child, kind))
			m = NULL;
		old = path_push(path, child->name);
		fill_node(L, child, m, s ? s : anchor, base, path);
		path_pop(path, old);
	}
}

static bool same_id_before(const char *ids, size_t stride, size_t n, const char *id,
			   size_t *where)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ids + i * stride, id) == 0) {
			*where = i;
			return true;
		}
	}
	return false;
}

static void fill_list(struct loader *L, const struct sc_node *node,
		      const config_setting_t *s, char *base, struct path *path)
{
	char found[96];
	char *items = base + node->offset;
	size_t *count = (size_t *)(base + node->count_offset);
	const struct sc_node *key = NULL, *kind_node = NULL;
	int n;

	for (size_t i = 0; i < node->nchildren; i++) {
		if (node->children[i].flags & SC_KEY)
			key = &node->children[i];
		if (node->children[i].flags & SC_KIND)
			kind_node = &node->children[i];
	}
	*count = 0;
	if (s->type == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)
		n = 0; /* [] is as empty as () */
	else if (s->type != CONFIG_TYPE_LIST) {
		report(L, s, path->buf, "must be a list ( { ... }, ... ), got %s", DESCRIBE(s));
		return;
	} else
		n = config_setting_length(s);
	if (n > (int)node->max) {
		report(L, s, path->buf, "must have at most %.0f items, got %d", node->max, n);
		return;
	}
	if (n == 0 && (node->flags & SC_REQUIRED)) {
		report(L, s, path->buf, "must have at least one item, got none");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *item = config_setting_get_elem(s, (unsigned)i);
		char *ib = items + (size_t)i * node->item_size;
		size_t old = path_push_index(path, (size_t)i);
		int kind = -1;

		if (!config_setting_is_group(item)) {
			report(L, item, path->buf, "must be a group { ... }, got %s",
			       DESCRIBE(item));
			path_pop(path, old);
			continue;
		}
		if (kind_node) {
			const config_setting_t *k = config_setting_get_member(item, kind_node->name);
			size_t o2 = path_push(path, kind_node->name);
			if (!k)
				report(L, item, path->buf, "required setting is missing");
			else if (get_enum(L, k, path->buf, kind_node->names, kind_node->nnames, &kind))
				put_int(ib + kind_node->offset, kind);
			path_pop(path, o2);
			if (kind < 0) {
				/* Without a kind the fields cannot be judged; still flag
				 * names no kind knows. */
				fill_group(L, node, item, item, ib, path, -2);
				path_pop(path, old);
				continue;
			}
		}
		fill_group(L, node, item, item, ib, path, kind);
		if (key) {
			const char *id = ib + key->offset;
			size_t first;
			if (*id && same_id_before(items + key->offset, node->item_size, (size_t)i,
						  id, &first)) {
				const config_setting_t *k = config_setting_get_member(item, key->name);
				size_t o2 = path_push(path, key->name);
				report(L, k ? k : item, path->buf,
				       "must be unique, got \"%s\" again (first at [%zu])", id, first);
				path_pop(path, o2);
			}
		}
		path_pop(path, old);
	}
	*count = (size_t)n;
}

static void fill_region_set(struct loader *L, const config_setting_t *s,
			    struct ur_region_set *set, struct path *path)
{
	char found[96];
	bool seen[UR_MAX_REGIONS] = { false };
	int n;

	if (s->type != CONFIG_TYPE_ARRAY && s->type != CONFIG_TYPE_LIST) {
		report(L, s, path->buf, "must be an array of region ids [ \"ID\", ... ], got %s",
		       DESCRIBE(s));
		return;
	}
	n = config_setting_length(s);
	if (n == 0) {
		report(L, s, path->buf,
		       "must name at least one region (leave it out for all), got an empty list");
		return;
	}
	set->all = false;
	set->n = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		size_t old = path_push_index(path, (size_t)i);
		int r = get_region(L, e, path->buf);
		if (r != UR_NONE) {
			if (seen[r])
				report(L, e, path->buf, "must not repeat a region, got %s again",
				       DESCRIBE(e));
			seen[r] = true;
		}
		path_pop(path, old);
	}
	for (size_t r = 0; r < L->p->nregions; r++)
		if (seen[r])
			set->idx[set->n++] = (int)r;
}

static void all_regions(const struct loader *L, struct ur_region_set *set)
{
	set->all = true;
	set->n = L->p->nregions;
	for (size_t r = 0; r < L->p->nregions; r++)
		set->idx[r] = (int)r;
}

static int find_action(const struct loader *L, const char *id)
{
	if (!L->actions || L->actions->type != CONFIG_TYPE_LIST)
		return UR_NONE;
	for (int i = 0; i < config_setting_length(L->actions); i++) {
		const config_setting_t *item = config_setting_get_elem(L->actions, (unsigned)i);
		const config_setting_t *m = config_setting_is_group(item)
						    ? config_setting_get_member(item, "id")
						    : NULL;
		if (m && m->type == CONFIG_TYPE_STRING && strcmp(m->value.sval, id) == 0)
			return i;
	}
	return UR_NONE;
}

static const char *closest_action(const struct loader *L, const char *id)
{
	const char *names[UR_MAX_ACTIONS];
	size_t n = 0;
	if (!L->actions || L->actions->type != CONFIG_TYPE_LIST)
		return NULL;
	for (int i = 0; i < config_setting_length(L->actions) && n < UR_MAX_ACTIONS; i++) {
		const config_setting_t *item = config_setting_get_elem(L->actions, (unsigned)i);
		const config_setting_t *m = config_setting_is_group(item)
						    ? config_setting_get_member(item, "id")
						    : NULL;
		if (m && m->type == CONFIG_TYPE_STRING)
			names[n++] = m->value.sval;
	}
	return closest(id, names, n);
}

static void fill_facilities(struct loader *L, const struct sc_node *node,
			    const config_setting_t *s, char *base, struct path *path)
{
	char found[96], dym[96];
	int region = UR_NONE;
	size_t *count = (size_t *)(base + node->count_offset);
	int *idx = (int *)(base + node->offset);
	int n;

	/* The facilities belong to the region named by a sibling read before them. */
	memcpy(&region, base + node->region_offset, sizeof region);
	*count = 0;
	if (s->type != CONFIG_TYPE_ARRAY && s->type != CONFIG_TYPE_LIST) {
		report(L, s, path->buf, "must be an array of facility ids [ \"ID\", ... ], got %s",
		       DESCRIBE(s));
		return;
	}
	n = config_setting_length(s);
	if (n > (int)node->max) {
		report(L, s, path->buf, "must have at most %.0f items, got %d", node->max, n);
		return;
	}
	if (n > 0 && region == UR_NONE) {
		if (L->regions_ok)
			report(L, s, path->buf, "needs elite.region to name the facilities' region");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const struct ur_region *r = &L->p->regions[region];
		size_t old = path_push_index(path, (size_t)i);
		int f = UR_NONE;

		if (e->type != CONFIG_TYPE_STRING) {
			report(L, e, path->buf, "must be a facility id, got %s", DESCRIBE(e));
		} else {
			const char *names[UR_MAX_FACILITIES];
			for (size_t k = 0; k < r->nfacilities; k++) {
				names[k] = r->facilities[k].id;
				if (strcmp(r->facilities[k].id, e->value.sval) == 0)
					f = (int)k;
			}
			if (f == UR_NONE) {
				did_you_mean(closest(e->value.sval, names, r->nfacilities), dym,
					     sizeof dym);
				report(L, e, path->buf, "must be a facility of region %s, got %s%s",
				       r->id, DESCRIBE(e), dym);
			}
			for (int k = 0; k < i && f != UR_NONE; k++) {
				if (idx[k] == f) {
					report(L, e, path->buf,
					       "must not repeat a facility, got %s again", DESCRIBE(e));
					f = UR_NONE;
				}
			}
		}
		idx[i] = f;
		path_pop(path, old);
	}
	*count = (size_t)n;
}

static void fill_default(struct loader *L, const struct sc_node *node,
			 const config_setting_t *parent, char *base, struct path *path)
{
	char *at = base + node->offset;

	if (node->flags & SC_REQUIRED) {
		report(L, parent, path->buf, "required setting is missing");
		return;
	}
	if (node->flags & SC_OPTIONAL) {
		if (node->has_offset != SC_NO_FLAG)
			*(bool *)(base + node->has_offset) = false;
		else if (node->type == SC_REAL && !(node->flags & SC_TRIGGER))
			*(double *)at = (double)NAN;
		else if (node->type == SC_REGION || node->type == SC_ACTION)
			put_int(at, UR_NONE);
		return;
	}
	switch (node->type) {
	case SC_REAL:
		*(double *)at = node->def;
		break;
	case SC_INT:
		*(unsigned *)at = (unsigned)node->def;
		break;
	case SC_INT64: {
		int64_t v = (int64_t)node->def;
		memcpy(at, &v, sizeof v);
		break;
	}
	case SC_BOOL:
		*(bool *)at = node->def != 0;
		break;
	case SC_STRING:
		snprintf(at, (size_t)node->max + 1, "%s", node->sdef ? node->sdef : "");
		break;
	case SC_ENUM:
		put_int(at, (int)node->def);
		break;
	case SC_DIST:
		set_default_dist((struct ur_dist *)at, node->ddef);
		break;
	case SC_REGION:
		put_int(at, (node->flags & SC_FIRST_REGION) && L->p->nregions ? 0 : UR_NONE);
		break;
	case SC_REGIONS:
		all_regions(L, (struct ur_region_set *)at);
		break;
	case SC_FACILITIES:
		*(size_t *)(base + node->count_offset) = 0;
		break;
	case SC_GROUP:
		fill_group(L, node, NULL, parent, at, path, -1);
		break;
	case SC_LIST:
		*(size_t *)(base + node->count_offset) = 0;
		break;
	case SC_ID:
	case SC_TIME:
	case SC_ACTION:
		break; /* always required or optional */
	}
}

static void fill_node(struct loader *L, const struct sc_node *node,
		      const config_setting_t *s, const config_setting_t *parent,
		      char *base, struct path *path)
{
	char found[96];
	char *at = base + node->offset;

	if (!s) {
		fill_default(L, node, parent, base, path);
		return;
	}
	if (node->has_offset != SC_NO_FLAG)
		*(bool *)(base + node->has_offset) = true;
	switch (node->type) {
	case SC_GROUP:
		if (!config_setting_is_group(s)) {
			report(L, s, path->buf, "must be a group { ... }, got %s", DESCRIBE(s));
			fill_group(L, node, NULL, s, at, path, -1);
		} else {
			fill_group(L, node, s, s, at, path, -1);
		}
		break;
	case SC_LIST: {
		size_t before = L->nmsgs;
		fill_list(L, node, s, base, path);
		if (base == (char *)L->p && node->offset == offsetof(struct ur_params, regions))
			L->regions_ok = L->nmsgs == before && L->p->nregions > 0;
		break;
	}
	case SC_REAL: {
		double v;
		if (get_real(L, s, path->buf, node, &v))
			*(double *)at = v;
		break;
	}
	case SC_INT: {
		long long v;
		if (get_integer(L, s, path->buf, node, &v))
			*(unsigned *)at = (unsigned)v;
		break;
	}
	case SC_INT64: {
		long long v;
		if (get_integer(L, s, path->buf, node, &v)) {
			int64_t w = v;
			memcpy(at, &w, sizeof w);
		}
		break;
	}
	case SC_BOOL:
		if (s->type != CONFIG_TYPE_BOOL)
			report(L, s, path->buf, "must be true or false, got %s", DESCRIBE(s));
		else
			*(bool *)at = s->value.ival != 0;
		break;
	case SC_STRING: {
		const char *v = get_string(L, s, path->buf, (size_t)node->max);
		if (v)
			snprintf(at, (size_t)node->max + 1, "%s", v);
		break;
	}
	case SC_ID: {
		const char *v = get_id(L, s, path->buf);
		if (v)
			snprintf(at, UR_ID_SIZE, "%s", v);
		break;
	}
	case SC_ENUM: {
		int v;
		if (get_enum(L, s, path->buf, node->names, node->nnames, &v))
			put_int(at, v);
		break;
	}
	case SC_TIME: {
		struct ur_scenario_params *sp = (struct ur_scenario_params *)base;
		const char *v = get_string(L, s, path->buf, sizeof sp->start_text - 1);
		if (v && ur_time_parse(v, &sp->start_epoch, &sp->utc_offset_s) != 0)
			report(L, s, path->buf,
			       "must be an ISO 8601 time with offset such as "
			       "\"2022-01-01T00:00:00+06:00\", got %s", DESCRIBE(s));
		else if (v)
			snprintf(sp->start_text, sizeof sp->start_text, "%s", v);
		break;
	}
	case SC_DIST:
		fill_dist(L, s, (struct ur_dist *)at, path);
		break;
	case SC_REGION:
		put_int(at, get_region(L, s, path->buf));
		break;
	case SC_REGIONS:
		all_regions(L, (struct ur_region_set *)at);
		fill_region_set(L, s, (struct ur_region_set *)at, path);
		break;
	case SC_ACTION: {
		char dym[96];
		int a = UR_NONE;
		if (s->type != CONFIG_TYPE_STRING) {
			report(L, s, path->buf, "must be an action id, got %s", DESCRIBE(s));
		} else {
			a = find_action(L, s->value.sval);
			if (a == UR_NONE) {
				did_you_mean(closest_action(L, s->value.sval), dym, sizeof dym);
				report(L, s, path->buf, "must be the id of an action, got %s%s",
				       DESCRIBE(s), dym);
			}
		}
		put_int(at, a);
		break;
	}
	case SC_FACILITIES:
		fill_facilities(L, node, s, base, path);
		break;
	}
}

/* ---- checks across settings --------------------------------------------------------- */

static const config_setting_t *lookup(const config_setting_t *root, const char *path)
{
	return config_setting_lookup((config_setting_t *)(uintptr_t)root, path);
}

static void check_actions(struct loader *L, const config_setting_t *root)
{
	(void)root;
	struct ur_government_params *g = &L->p->government;
	char path[PATH_SIZE];
	static const char *const trigger_names[] = { "at", "when", "after" };

	if (!L->actions || L->actions->type != CONFIG_TYPE_LIST)
		return;
	for (size_t i = 0; i < g->nactions; i++) {
		const config_setting_t *item = config_setting_get_elem(L->actions, (unsigned)i);
		struct ur_action *a = &g->actions[i];
		const config_setting_t *t[3];
		size_t n = 0;
		int which = -1;

		if (!config_setting_is_group(item))
			continue;
		for (int k = 0; k < 3; k++) {
			t[k] = config_setting_get_member(item, trigger_names[k]);
			if (t[k]) {
				n++;
				if (which < 0)
					which = k;
			}
		}
		snprintf(path, sizeof path, "government.actions.[%zu]", i);
		if (n == 0) {
			report(L, item, path, "must have a trigger (at, when or after), got none");
		} else if (n > 1) {
			report(L, item, path, "must have one trigger of at, when and after, got %zu",
			       n);
		} else {
			a->trigger.kind = (enum ur_trigger_kind)which;
			if (which != UR_TRIGGER_AFTER)
				a->trigger.after = UR_NONE;
			if (which != UR_TRIGGER_WHEN)
				a->trigger.region = UR_NONE;
		}
		if (which == UR_TRIGGER_WHEN && n == 1 && a->trigger.indicator == UR_IND_REGIONS_ACTIVE &&
		    a->trigger.region != UR_NONE) {
			const config_setting_t *r = config_setting_get_member(t[1], "region");
			snprintf(path, sizeof path, "government.actions.[%zu].when.region", i);
			report(L, r ? r : t[1], path,
			       "must be absent for indicator \"regions_active\" (it is national), "
			       "got %s", L->p->regions[a->trigger.region].id);
		}
	}
	/* `after` chains: each action has at most one predecessor, so following them
	 * from any action either ends or enters a cycle. Report each cycle once, at its
	 * member that comes first in the file. */
	for (size_t i = 0; i < g->nactions; i++) {
		size_t steps = 0;
		int cur = (int)i;
		bool cycle = false;

		while (steps <= g->nactions && g->actions[cur].trigger.kind == UR_TRIGGER_AFTER &&
		       g->actions[cur].trigger.after != UR_NONE) {
			cur = g->actions[cur].trigger.after;
			steps++;
			if (cur == (int)i) {
				cycle = true;
				break;
			}
		}
		if (cycle) {
			char chain[PATH_SIZE];
			size_t used = 0;
			bool first = true;
			cur = (int)i;
			do {
				if (cur < (int)i)
					first = false;
				used += (size_t)snprintf(chain + used, used < sizeof chain ? sizeof chain - used : 0,
							 "%s -> ", g->actions[cur].id);
				cur = g->actions[cur].trigger.after;
			} while (cur != (int)i && used < sizeof chain);
			if (used < sizeof chain)
				snprintf(chain + used, sizeof chain - used, "%s", g->actions[i].id);
			if (first) {
				const config_setting_t *item =
					config_setting_get_elem(L->actions, (unsigned)i);
				const config_setting_t *af = config_setting_get_member(item, "after");
				snprintf(path, sizeof path, "government.actions.[%zu].after", i);
				report(L, af ? af : item, path, "must not form a cycle, got %s", chain);
			}
		}
	}
}

/* Refuses, while it is still a message, a scenario whose run could not fit in memory:
 * the model numbers agents with 32 bits, and a replication keeps its sample rows in
 * memory until they are written, so a tiny sample_interval would grow without bound
 * (or for days) instead of failing. */
static void check_size(struct loader *L, const config_setting_t *root)
{
	const struct ur_params *p = L->p;
	const config_setting_t *s;
	char a[SC_REAL_TEXT_SIZE], b[SC_REAL_TEXT_SIZE];

	if (!L->regions_ok)
		return;
	double agents = 0.0;
	for (size_t r = 0; r < p->nregions; r++)
		agents += ur_region_agents(p, r);
	if (!(agents < SC_MAX_AGENTS)) {
		s = lookup(root, "scenario.agent_scale");
		report(L, s ? s : root, "scenario.agent_scale",
		       "must leave fewer than %.0f agents (population times mobilizable share "
		       "over agent_scale, summed over regions), got %.0f with agent_scale %s",
		       SC_MAX_AGENTS, agents,
		       sc_format_real(p->scenario.agent_scale, false, a));
	}
	/* Sample times: 0, every interval before the horizon, and the horizon. */
	double samples = floor(p->scenario.horizon_h / p->scenario.sample_interval_h) + 2.0;
	double rows = samples * (double)(1 + p->nregions);
	if (!(rows <= SC_MAX_SAMPLE_ROWS)) {
		s = lookup(root, "scenario.sample_interval");
		if (!s)
			s = lookup(root, "scenario.horizon");
		report(L, s ? s : root, "scenario.sample_interval",
		       "must leave at most %.0f sample rows per replication (horizon over "
		       "sample_interval, times 1 + %zu regions), got %.0f with horizon %s",
		       SC_MAX_SAMPLE_ROWS, p->nregions, rows,
		       sc_format_real(p->scenario.horizon_h, false, b));
	}
}

static void check_across(struct loader *L, const config_setting_t *root)
{
	struct ur_params *p = L->p;
	const config_setting_t *s;
	char a[SC_REAL_TEXT_SIZE], b[SC_REAL_TEXT_SIZE];

	if (p->fuel.has_rollback && !(p->fuel.rollback_hour > p->fuel.rise_hour) &&
	    (s = lookup(root, "fuel.rollback_hour")) != NULL)
		report(L, s, "fuel.rollback_hour", "must be > fuel.rise_hour (%s), got %s",
		       sc_format_real(p->fuel.rise_hour, false, a),
		       sc_format_real(p->fuel.rollback_hour, false, b));
	if (p->internet.off_level > p->internet.throttled_level) {
		s = lookup(root, "internet.off_level");
		if (!s)
			s = lookup(root, "internet.throttled_level");
		report(L, s ? s : root, "internet.off_level",
		       "must be <= internet.throttled_level (%s), got %s",
		       sc_format_real(p->internet.throttled_level, false, a),
		       sc_format_real(p->internet.off_level, false, b));
	}
	check_size(L, root);
	if (p->elite.probability > 0 && p->elite.region == UR_NONE && L->regions_ok &&
	    !lookup(root, "elite.region")) {
		s = lookup(root, "elite.probability");
		report(L, s ? s : root, "elite.region",
		       "required when elite.probability > 0, got nothing");
	}
}

/* ---- --set -------------------------------------------------------------------------- */

struct segment {
	char text[64];
	bool bracket;
};

/* Splits "a.b.[3].c" (or "a.b[3].c") into segments; -1 when malformed. */
static int split_path(const char *path, struct segment *seg, size_t max, size_t *n)
{
	const char *s = path;
	*n = 0;
	while (*s) {
		size_t len;
		if (*n == max)
			return -1;
		if (*s == '[') {
			const char *close = strchr(s, ']');
			if (!close || close == s + 1 || (size_t)(close - s - 1) >= sizeof seg->text)
				return -1;
			len = (size_t)(close - s - 1);
			memcpy(seg[*n].text, s + 1, len);
			seg[*n].text[len] = '\0';
			seg[*n].bracket = true;
			s = close + 1;
		} else {
			len = strcspn(s, ".[");
			if (len == 0 || len >= sizeof seg->text)
				return -1;
			memcpy(seg[*n].text, s, len);
			seg[*n].text[len] = '\0';
			seg[*n].bracket = false;
			s += len;
		}
		(*n)++;
		if (*s == '.') {
			s++;
			if (!*s || *s == '.')
				return -1;
		} else if (*s && *s != '[') {
			return -1;
		}
	}
	return *n ? 0 : -1;
}

static void stamp_new(config_setting_t *s, const struct sc_file *f)
{
	s->file = f->name;
	s->line = 0;
	s->hook = NULL;
}

static config_setting_t *add_stamped(struct loader *L, config_setting_t *parent,
				     const char *name, int type, const struct sc_file *f)
{
	config_setting_t *s = config_setting_add(parent, name, type);
	if (!s) {
		L->nomem = true;
		return NULL;
	}
	stamp_new(s, f);
	return s;
}

/* Writes a distribution's default into an empty group, so that --set can change one
 * of its parameters. */
static bool materialize_dist(struct loader *L, config_setting_t *g,
			     const struct sc_dist_default *dd, const struct sc_file *f)
{
	config_setting_t *s = add_stamped(L, g, "dist", CONFIG_TYPE_STRING, f);
	if (!s || !config_setting_set_string(s, ur_dist_family_name(dd->family)))
		return false;
	for (size_t i = 0; i < dd->n; i++) {
		s = add_stamped(L, g, sc_dist_param(dd->p[i].param)->name, CONFIG_TYPE_FLOAT, f);
		if (!s)
			return false;
		config_setting_set_float(s, dd->p[i].value);
	}
	return true;
}

/* Whether v starts as a number of the file's syntax can: strtod and strtoll also skip
 * leading space and strtod takes hexadecimal reals, which a file cannot hold. */
static bool number_start(const char *v)
{
	const char *digits = v + (*v == '+' || *v == '-');
	return ((*digits >= '0' && *digits <= '9') || *digits == '.') &&
	       !strpbrk(v, "xX");
}

static bool parse_double(const char *v, double *out)
{
	char *end;
	if (!number_start(v))
		return false;
	errno = 0;
	*out = strtod(v, &end);
	return *end == '\0' && errno == 0 && isfinite(*out);
}

static bool parse_ll(const char *v, long long *out)
{
	char *end;
	if (!number_start(v))
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return *end == '\0' && errno == 0;
}

enum value_kind { V_NUMBER, V_INTEGER, V_BOOL, V_STRING };

/* Replaces (or adds) member `name` of g with the typed value; false after a message. */
static bool put_value(struct loader *L, config_setting_t *g, const char *name,
		      enum value_kind vk, const char *value, const char *set, const char *path,
		      const struct sc_file *f)
{
	config_setting_t *s;
	double d = 0;
	long long ll = 0;
	int type;
	char unq[256];

	switch (vk) {
	case V_NUMBER:
		if (!parse_double(value, &d)) {
			report_usage(L, set, path, "must be a finite number, got \"%s\"", value);
			return false;
		}
		type = CONFIG_TYPE_FLOAT;
		break;
	case V_INTEGER:
		if (!parse_ll(value, &ll)) {
			report_usage(L, set, path, "must be an integer, got \"%s\"", value);
			return false;
		}
		type = ll >= INT_MIN && ll <= INT_MAX ? CONFIG_TYPE_INT : CONFIG_TYPE_INT64;
		break;
	case V_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			report_usage(L, set, path, "must be true or false, got \"%s\"", value);
			return false;
		}
		type = CONFIG_TYPE_BOOL;
		break;
	case V_STRING:
	default: {
		size_t n = strlen(value);
		if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
			snprintf(unq, sizeof unq, "%.*s", (int)(n - 2), value + 1);
			value = unq;
		}
		type = CONFIG_TYPE_STRING;
		break;
	}
	}
	if (config_setting_get_member(g, name))
		config_setting_remove(g, name);
	s = add_stamped(L, g, name, type, f);
	if (!s)
		return false;
	switch (type) {
	case CONFIG_TYPE_FLOAT:
		config_setting_set_float(s, d);
		break;
	case CONFIG_TYPE_INT:
		config_setting_set_int(s, (int)ll);
		break;
	case CONFIG_TYPE_INT64:
		config_setting_set_int64(s, ll);
		break;
	case CONFIG_TYPE_BOOL:
		config_setting_set_bool(s, strcmp(value, "true") == 0);
		break;
	default:
		if (!config_setting_set_string(s, value)) {
			L->nomem = true;
			return false;
		}
		break;
	}
	return true;
}

/* The item of list s addressed by seg: "[3]" or "[id]". */
static config_setting_t *find_item(struct loader *L, config_setting_t *s,
				   const struct sc_node *node, const struct segment *seg,
				   const char *set, const char *path)
{
	const struct sc_node *key = NULL;
	int n = s->type == CONFIG_TYPE_LIST ? config_setting_length(s) : 0;
	const char *ids[UR_MAX_ACTIONS + UR_MAX_REGIONS];
	size_t nids = 0;

	if (seg->text[0] >= '0' && seg->text[0] <= '9') {
		char *end;
		unsigned long i = strtoul(seg->text, &end, 10);
		if (*end || i >= (unsigned long)n) {
			report_usage(L, set, path, "must address one of the %d items, got [%s]", n,
				     seg->text);
			return NULL;
		}
		return config_setting_get_elem(s, (unsigned)i);
	}
	for (size_t i = 0; i < node->nchildren; i++)
		if (node->children[i].flags & SC_KEY)
			key = &node->children[i];
	assert(key);
	for (int i = 0; i < n; i++) {
		config_setting_t *item = config_setting_get_elem(s, (unsigned)i);
		config_setting_t *k = config_setting_is_group(item)
					      ? config_setting_get_member(item, key->name)
					      : NULL;
		if (k && k->type == CONFIG_TYPE_STRING) {
			if (strcmp(k->value.sval, seg->text) == 0)
				return item;
			if (nids < sizeof ids / sizeof ids[0])
				ids[nids++] = k->value.sval;
		}
	}
	{
		char dym[96];
		did_you_mean(closest(seg->text, ids, nids), dym, sizeof dym);
		report_usage(L, set, path, "must address an item by index or %s, got [%s]%s",
			     key->name, seg->text, dym);
	}
	return NULL;
}

/* The kind of an action item in the tree, or -1. */
static int item_kind(const config_setting_t *item, const struct sc_node *list)
{
	for (size_t k = 0; k < list->nchildren; k++) {
		const struct sc_node *c = &list->children[k];
		const config_setting_t *ks;
		if (!(c->flags & SC_KIND))
			continue;
		ks = config_setting_get_member(item, c->name);
		for (size_t e = 0; ks && ks->type == CONFIG_TYPE_STRING && e < c->nnames; e++)
			if (strcmp(ks->value.sval, c->names[e]) == 0)
				return (int)e;
	}
	return -1;
}

/* Applies one --set to a scalar of the schema set in a distribution group. */
static void set_in_dist(struct loader *L, config_setting_t *s, const char *name,
			const char *value, const char *set, const char *shown,
			const struct sc_file *f)
{
	int prm = param_by_name(name);

	if (strcmp(name, "dist") == 0) {
		const char *old_family = dist_name_of(s);
		enum ur_dist_family fam = ur_dist_family_from_name(value);
		bool changed = !old_family || strcmp(old_family, value) != 0;

		if (!put_value(L, s, "dist", V_STRING, value, set, shown, f))
			return;
		/* A new family drops the parameters the old one had. */
		if (fam != UR_DIST_FAMILY_COUNT && changed) {
			const struct sc_dist_family_info *fi = sc_dist_family(fam);
			for (int k = config_setting_length(s) - 1; k >= 0; k--) {
				config_setting_t *m = config_setting_get_elem(s, (unsigned)k);
				int p2 = param_by_name(m->name);
				if (p2 >= 0 && !family_takes(fi, (enum sc_dist_param)p2))
					config_setting_remove_elem(s, (unsigned)k);
			}
		}
		return;
	}
	if (prm < 0) {
		const char *cand[SC_DP_COUNT + 1];
		char dym[96];
		for (int k = 0; k < SC_DP_COUNT; k++)
			cand[k] = sc_dist_param((enum sc_dist_param)k)->name;
		cand[SC_DP_COUNT] = "dist";
		did_you_mean(closest(name, cand, SC_DP_COUNT + 1), dym, sizeof dym);
		report_usage(L, set, shown, "must be dist or a distribution parameter%s", dym);
		return;
	}
	if (prm == SC_DP_VALUES || prm == SC_DP_WEIGHTS) {
		report_usage(L, set, shown, "is an array, --set takes a scalar setting");
		return;
	}
	put_value(L, s, name, V_NUMBER, value, set, shown, f);
}

static void apply_set(struct loader *L, config_t *cfg, const char *set)
{
	struct segment seg[16];
	size_t nseg = 0;
	const char *eq = strchr(set, '=');
	const char *value;
	char pathtext[PATH_SIZE];
	struct path shown = { .len = 0 };
	const struct sc_node *node = sc_schema_root();
	config_setting_t *s = config_root_setting(cfg);
	struct sc_file *f;
	bool in_item = false;
	int kind = -1;

	shown.buf[0] = '\0';
	if (!eq || eq == set || (size_t)(eq - set) >= sizeof pathtext) {
		report_usage(L, set, "", "must be PATH=VALUE");
		return;
	}
	value = eq + 1;
	snprintf(pathtext, sizeof pathtext, "%.*s", (int)(eq - set), set);
	if (split_path(pathtext, seg, sizeof seg / sizeof seg[0], &nseg) != 0) {
		report_usage(L, set, "", "must be PATH=VALUE with PATH like a.b.[N].c, got \"%s\"",
			     pathtext);
		return;
	}
	f = add_file(L, "", FILE_SET);
	if (!f)
		return;
	free(f->name);
	f->name = format("--set %s", set);
	if (!f->name) {
		L->nomem = true;
		return;
	}

	for (size_t i = 0; i < nseg; i++) {
		bool last = i + 1 == nseg;
		const struct sc_node *child;
		config_setting_t *m;
		char bracket[sizeof seg->text + 2];

		if (seg[i].bracket) {
			snprintf(bracket, sizeof bracket, "[%s]", seg[i].text);
			path_push(&shown, bracket);
			if (node->type != SC_LIST || in_item) {
				report_usage(L, set, shown.buf, "must be a name: the setting before it "
							    "is not a list");
				return;
			}
			m = find_item(L, s, node, &seg[i], set, shown.buf);
			if (!m)
				return;
			if (!config_setting_is_group(m)) {
				report_usage(L, set, shown.buf, "is not a group in the file");
				return;
			}
			if (last) {
				report_usage(L, set, shown.buf,
					     "is a list item, --set takes a scalar setting");
				return;
			}
			kind = item_kind(m, node);
			s = m;
			in_item = true;
			continue;
		}
		path_push(&shown, seg[i].text);
		if (node->type == SC_LIST && !in_item) {
			report_usage(L, set, shown.buf,
				     "must be an item [N] or [id]: the setting before it is a list");
			return;
		}
		if (node->type == SC_DIST) {
			if (!last) {
				report_usage(L, set, shown.buf, "is not a group");
				return;
			}
			set_in_dist(L, s, seg[i].text, value, set, shown.buf, f);
			return;
		}
		if (config_setting_is_root(s) && strcmp(seg[i].text, "base") == 0) {
			report_usage(L, set, shown.buf, "cannot be set on the command line");
			return;
		}
		child = sc_child(node, seg[i].text);
		if (!child) {
			char dym[96];
			did_you_mean(closest_child(node, seg[i].text), dym, sizeof dym);
			report_usage(L, set, shown.buf, "unknown setting%s", dym);
			return;
		}
		if (in_item && kind >= 0 && !sc_used_by_kind(child, kind)) {
			report_usage(L, set, shown.buf, "not used by kind \"%s\"",
				     ur_action_kind_name((enum ur_action_kind)kind));
			return;
		}
		in_item = false;
		m = config_setting_get_member(s, child->name);
		switch (child->type) {
		case SC_GROUP:
		case SC_DIST:
			if (last) {
				report_usage(L, set, shown.buf,
					     "is a group, --set takes a scalar setting");
				return;
			}
			if (m && !config_setting_is_group(m)) {
				report_usage(L, set, shown.buf, "is not a group in the file");
				return;
			}
			if (!m) {
				m = add_stamped(L, s, child->name, CONFIG_TYPE_GROUP, f);
				if (!m)
					return;
				if (child->type == SC_DIST && child->ddef &&
				    !materialize_dist(L, m, child->ddef, f))
					return;
			}
			s = m;
			node = child;
			break;
		case SC_LIST:
			if (last) {
				report_usage(L, set, shown.buf,
					     "is a list, --set takes a scalar setting");
				return;
			}
			if (!m) {
				report_usage(L, set, shown.buf, "has no items to address");
				return;
			}
			s = m;
			node = child;
			break;
		case SC_REGIONS:
		case SC_FACILITIES:
			report_usage(L, set, shown.buf, "is an array, --set takes a scalar setting");
			return;
		default: {
			enum value_kind vk = child->type == SC_REAL ? V_NUMBER
					     : child->type == SC_INT || child->type == SC_INT64
						     ? V_INTEGER
					     : child->type == SC_BOOL ? V_BOOL
								       : V_STRING;
			if (!last) {
				report_usage(L, set, shown.buf, "is not a group");
				return;
			}
			put_value(L, s, child->name, vk, value, set, shown.buf, f);
			return;
		}
		}
	}
}

/* ---- the whole load ----------------------------------------------------------------- */

static void loader_finish(struct loader *L)
{
	for (size_t i = 0; i < L->nfiles; i++) {
		sc_scan_finish(&L->files[i]->scan);
		free(L->files[i]->name);
		free(L->files[i]);
	}
	free(L->files);
	for (size_t i = 0; i < L->nmsgs; i++)
		free(L->msgs[i].text);
	free(L->msgs);
}

void ur_scenario_destroy(struct ur_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nblocks; i++)
		free(sc->blocks[i]);
	free(sc->blocks);
	free(sc->text);
	free(sc);
}

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct ur_scenario *load_here(struct loader *L, const char *path, const char *text,
				     size_t len, const char *const *sets, size_t nsets,
				     struct ur_diag *diag, enum ur_scenario_status *status);

/* Numbers are read and written with '.' decimals whatever the program's locale: the
 * calling thread works in the C locale for the load (POSIX per-thread locales, as
 * libconfig does), then returns to its own. */
static struct ur_scenario *load(const char *path, const char *text, size_t len,
				const char *const *sets, size_t nsets, struct ur_diag *diag,
				enum ur_scenario_status *status)
{
	struct loader L = { 0 };
	locale_t old = (locale_t)0;
	struct ur_scenario *sc;

	L.c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (L.c_locale)
		old = uselocale(L.c_locale);
	sc = load_here(&L, path, text, len, sets, nsets, diag, status);
	if (L.c_locale) {
		uselocale(old);
		freelocale(L.c_locale);
	}
	return sc;
}

static struct ur_scenario *load_here(struct loader *L, const char *path, const char *text,
				     size_t len, const char *const *sets, size_t nsets,
				     struct ur_diag *diag, enum ur_scenario_status *status)
{
	struct chain chain = { .n = 0 };
	config_t *cfg = NULL;
	struct path p = { .len = 0 };

	assert(path && diag && status && (nsets == 0 || sets));
	p.buf[0] = '\0';
	L->sc = calloc(1, sizeof *L->sc);
	if (!L->sc) {
		L->nomem = true;
		goto cleanup;
	}
	L->p = &L->sc->params;
	if (text) {
		struct sc_file *f = add_file(L, path, FILE_MEMORY);
		char *copy;
		if (!f)
			goto cleanup;
		if (memchr(text, '\0', len)) {
			size_t line = 1;
			const char *nul = memchr(text, '\0', len);
			for (const char *c = text; c < nul; c++)
				line += *c == '\n';
			report_file(L, 0, (unsigned)line, "must be text, got byte 0x00");
			goto cleanup;
		}
		copy = malloc(len + 2);
		if (!copy) {
			L->nomem = true;
			goto cleanup;
		}
		memcpy(copy, text, len);
		cfg = parse_text(L, f, copy, sc_tidy_text(copy, len));
		free(copy);
		if (cfg)
			cfg = apply_base(L, cfg, path, true, &chain);
	} else {
		cfg = load_chain(L, path, NULL, &chain);
	}
	if (!cfg || L->nomem)
		goto cleanup;

	for (size_t i = 0; i < nsets; i++)
		apply_set(L, cfg, sets[i]);
	if (L->nomem)
		goto cleanup;

	L->actions = lookup(config_root_setting(cfg), "government.actions");
	fill_group(L, sc_schema_root(), config_root_setting(cfg), config_root_setting(cfg),
		   (char *)L->p, &p, -1);
	/* Triggers and `after` chains can be judged whatever else is wrong; the checks
	 * between values only when the values themselves passed. */
	check_actions(L, config_root_setting(cfg));
	if (!L->bad && !L->usage)
		check_across(L, config_root_setting(cfg));
	if (L->bad || L->usage || L->nomem)
		goto cleanup;
	L->sc->text = sc_print(L->p, &L->sc->text_len);
	if (!L->sc->text) {
		L->nomem = true;
		goto cleanup;
	}
	L->sc->hash = fnv1a64(L->sc->text, L->sc->text_len);

cleanup:
	free_config(cfg);
	if (L->nomem) {
		*status = UR_SCENARIO_NOMEM;
		sc_diag_add(diag, "out of memory while loading the scenario");
	} else if (L->missing) {
		*status = UR_SCENARIO_MISSING;
	} else if (L->usage) {
		*status = UR_SCENARIO_USAGE;
	} else if (L->bad) {
		*status = UR_SCENARIO_BAD_INPUT;
	} else {
		*status = UR_SCENARIO_OK;
	}
	if (L->nmsgs) {
		size_t shown = 0;
		qsort(L->msgs, L->nmsgs, sizeof *L->msgs, compare_msgs);
		for (size_t i = 0; i < L->nmsgs && diag->count < diag->limit; i++, shown++)
			sc_diag_add(diag, L->msgs[i].text);
		diag->total += L->nmsgs;
		if (shown < L->nmsgs) {
			char *more = format("%s: %zu more errors not shown", path, L->nmsgs - shown);
			if (more)
				sc_diag_add(diag, more);
			free(more);
		}
	}
	loader_finish(L);
	if (*status != UR_SCENARIO_OK) {
		ur_scenario_destroy(L->sc);
		return NULL;
	}
	return L->sc;
}

struct ur_scenario *ur_scenario_load(const char *path, const char *const *sets,
				     size_t nsets, struct ur_diag *diag,
				     enum ur_scenario_status *status)
{
	return load(path, NULL, 0, sets, nsets, diag, status);
}

struct ur_scenario *ur_scenario_load_buffer(const char *name, const char *text,
					    size_t len, const char *const *sets,
					    size_t nsets, struct ur_diag *diag,
					    enum ur_scenario_status *status)
{
	assert(text || len == 0);
	return load(name, text ? text : "", len, sets, nsets, diag, status);
}

const struct ur_params *ur_scenario_params(const struct ur_scenario *sc)
{
	assert(sc);
	return &sc->params;
}

const char *ur_scenario_text(const struct ur_scenario *sc)
{
	assert(sc);
	return sc->text;
}

int ur_scenario_write(const struct ur_scenario *sc, FILE *stream)
{
	assert(sc && stream);
	if (fwrite(sc->text, 1, sc->text_len, stream) != sc->text_len)
		return -1;
	return fflush(stream) == 0 ? 0 : -1;
}

uint64_t ur_scenario_hash(const struct ur_scenario *sc)
{
	assert(sc);
	return sc->hash;
}

int ur_scenario_check(const char *path, const char *const *sets, size_t nsets, FILE *out,
		      FILE *err)
{
	struct ur_diag diag;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	int rc;

	assert(path && out && err);
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	sc = ur_scenario_load(path, sets, nsets, &diag, &status);
	if (sc) {
		rc = ur_scenario_write(sc, out) == 0 ? 0 : 74;
	} else {
		ur_diag_print(&diag, err);
		rc = (int)status;
	}
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
	return rc;
}
