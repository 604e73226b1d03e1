/*
 * chain.c: the files of a scenario: reading one (at most CF_MAX_FILE_BYTES), checking
 * its bytes and parsing it (sim/conf), hooking its wide integer literals to their
 * settings, following `base` (at most UR_MAX_BASE_DEPTH files deep, cycles found by
 * inode) and merging a file onto its base's tree: groups merge by path, anything else
 * (lists included) replaces, a distribution merges when it names no other family.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "unrest/dist.h"
#include "unrest/scenario.h"

/* Reads the file into a NUL-terminated buffer. `base` is the setting that named it,
 * or NULL for the scenario itself. */
static char *sc_read_file(struct loader *L, const char *path, const char *display,
		       const struct cf_setting *base, size_t *len)
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
			sc_report(L, base, "base", "cannot open \"%s\": %s", display, why);
		else
			sc_add_msg(L, L->nfiles, 0, sc_format("%s: cannot open: %s", display, why));
		L->missing = true;
		goto cleanup;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > CF_MAX_FILE_BYTES) {
		sc_add_msg(L, L->nfiles, 0,
			sc_format("%s: must be at most %u bytes, got %jd", display,
			       CF_MAX_FILE_BYTES, (intmax_t)st.st_size));
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
			if (n > CF_MAX_FILE_BYTES) {
				sc_add_msg(L, L->nfiles, 0,
					sc_format("%s: must be at most %u bytes", display,
					       CF_MAX_FILE_BYTES));
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
			sc_add_msg(L, L->nfiles, 0, sc_format("%s: cannot read", display));
			L->missing = true;
			free(text);
			text = NULL;
			goto cleanup;
		}
		/* n < cap here: the text has room for the line end tidy_text may add. */
		*len = cf_tidy_text(text, n);
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

static void stamp_tree(struct cf_setting *s, struct stamp *st)
{
	s->file = st->file->name;
	if (s->type == CF_INT || s->type == CF_INT64) {
		const struct cf_text_scan *scan = &st->file->scan;
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
	if (cf_is_aggregate(s))
		for (int i = 0; i < cf_length(s); i++)
			stamp_tree(cf_elem(s, (unsigned)i), st);
}

/* Parses one file's text into a new config; NULL after reporting why. */
struct cf_setting *sc_parse_text(struct loader *L, struct sc_file *file, const char *text,
			    size_t len)
{
	size_t rank = L->nfiles - 1;
	struct cf_setting *cfg;
	struct stamp st = { file, 0, 0, 0 };

	assert(L->files[rank] == file);
	if (cf_scan_text(text, len, &file->scan) != 0) {
		L->nomem = true;
		return NULL;
	}
	switch (file->scan.problem) {
	case CF_TEXT_OK:
		break;
	case CF_TEXT_BINARY:
		sc_report_file(L, rank, file->scan.problem_line,
			    "must be text, got byte 0x%02X", file->scan.problem_byte);
		return NULL;
	case CF_TEXT_ENCODING:
		sc_report_file(L, rank, file->scan.problem_line,
			    "must be UTF-8 text, got byte 0x%02X", file->scan.problem_byte);
		return NULL;
	case CF_TEXT_INCLUDE:
		sc_report_file(L, rank, file->scan.problem_line,
			    "@include is not supported, use base = \"FILE\";");
		return NULL;
	}
	if (file->scan.blank) {
		sc_report_file(L, rank, 1, "must hold a scenario, got an empty file");
		return NULL;
	}
	struct cf_parse_error err;
	cfg = cf_parse(text, file->name, &err);
	if (!cfg && err.nomem) {
		L->nomem = true;
		return NULL;
	}
	if (!cfg) {
		sc_report_file(L, rank, err.line, "%s", err.text);
		return NULL;
	}
	if (cf_length(cfg) == 0) {
		sc_report_file(L, rank, 1, "must hold a scenario, got no settings");
		cf_free(cfg);
		return NULL;
	}
	stamp_tree(cfg, &st);
	return cfg;
}

/* ---- merging a file onto its base --------------------------------------------------- */

static struct cf_setting *copy_setting(struct loader *L, struct cf_setting *parent,
				       const struct cf_setting *src)
{
	struct cf_setting *dst = cf_copy(parent, src);
	if (!dst)
		L->nomem = true;
	return dst;
}

const char *sc_dist_name_of(const struct cf_setting *group)
{
	const struct cf_setting *d = cf_member(group, "dist");
	return d && d->type == CF_STRING ? d->value.sval : NULL;
}

/* Merges src's members onto dst: groups merge by path, anything else (lists included)
 * replaces. A distribution merges when src names no other family. */
static void sc_merge_group(struct loader *L, struct cf_setting *dst, const struct cf_setting *src,
			const struct sc_node *node)
{
	for (int i = 0; i < cf_length(src); i++) {
		const struct cf_setting *m = cf_elem(src, (unsigned)i);
		struct cf_setting *d = cf_member(dst, m->name);
		const struct sc_node *child = node ? sc_child(node, m->name) : NULL;
		bool merge = false;

		if (cf_is_root(dst) && strcmp(m->name, "base") == 0)
			continue;
		if (d && cf_is_group(d) && cf_is_group(m) && child) {
			if (child->type == SC_GROUP) {
				merge = true;
			} else if (child->type == SC_DIST) {
				const char *a = sc_dist_name_of(d), *b = sc_dist_name_of(m);
				merge = !b || (a && strcmp(a, b) == 0);
			}
		}
		if (merge) {
			d->line = m->line;
			d->file = m->file;
			sc_merge_group(L, d, m, child);
			continue;
		}
		if (d)
			cf_remove(dst, m->name);
		if (!copy_setting(L, dst, m))
			return;
	}
}

/* ---- following base chains ---------------------------------------------------------- */


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

char *sc_join_dir(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	char *joined;

	if (rel[0] == '/' || !slash)
		joined = strdup(rel);
	else
		joined = sc_format("%.*s/%s", (int)(slash - file), file, rel);
	if (joined)
		tidy_path(joined);
	return joined;
}


/* Follows the `base` of cfg (read from file) if it has one; returns the merged tree
 * (cfg itself when there is no base) or NULL. Takes ownership of cfg. */
struct cf_setting *sc_apply_base(struct loader *L, struct cf_setting *cfg, const char *path,
			    bool from_memory, struct chain *chain)
{
	struct cf_setting *root = cfg;
	struct cf_setting *base = cf_member(root, "base");
	char found[96];
	struct cf_setting *merged;
	char *base_path;

	if (!base)
		return cfg;
	if (base->type != CF_STRING || !base->value.sval || !*base->value.sval) {
		sc_report(L, base, "base", "must be a file name, got %s", DESCRIBE(base));
		cf_free(cfg);
		return NULL;
	}
	if (from_memory) {
		sc_report(L, base, "base", "cannot be followed from memory, got \"%s\"",
		       base->value.sval);
		cf_free(cfg);
		return NULL;
	}
	if (chain->n > SC_MAX_BASE_DEPTH) {
		sc_report(L, base, "base", "must end within %d base files of the scenario, "
			  "got a %dth", SC_MAX_BASE_DEPTH, SC_MAX_BASE_DEPTH + 1);
		cf_free(cfg);
		return NULL;
	}
	base_path = sc_join_dir(path, base->value.sval);
	if (!base_path) {
		L->nomem = true;
		cf_free(cfg);
		return NULL;
	}
	merged = sc_load_chain(L, base_path, base, chain);
	free(base_path);
	if (merged)
		sc_merge_group(L, merged, root, sc_schema_root());
	cf_free(cfg);
	return merged;
}

struct cf_setting *sc_load_chain(struct loader *L, const char *path,
			    const struct cf_setting *from, struct chain *chain)
{
	struct stat st;
	struct sc_file *file;
	struct cf_setting *cfg;
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
				sc_report(L, from, "base", "must not form a cycle, got %s", cycle);
				return NULL;
			}
		}
	}
	text = sc_read_file(L, path, path, from, &len);
	if (!text)
		return NULL;
	file = sc_add_file(L, path, FILE_DISK);
	if (!file) {
		free(text);
		return NULL;
	}
	cfg = sc_parse_text(L, file, text, len);
	free(text);
	if (!cfg)
		return NULL;
	chain->dev[chain->n] = st.st_dev;
	chain->ino[chain->n] = st.st_ino;
	chain->name[chain->n] = file->name;
	chain->n++;
	cfg = sc_apply_base(L, cfg, path, false, chain);
	chain->n--;
	return cfg;
}

