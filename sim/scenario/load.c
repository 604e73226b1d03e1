/*
 * load.c: the loader's pipeline and its messages, the public API of scenario.h, and
 * derived scenarios.
 *
 * The pipeline (scenario.h has the contract; internal.h names the file of each step):
 *   read bytes -> text checks -> parse into the program's tree (sim/conf) -> follow
 *   `base` and merge onto the base's tree (chain.c) -> apply --set (set.c) -> walk
 *   the schema over the tree: unknown names, types, ranges, defaults, references
 *   (fill.c) -> checks across settings (cross.c) -> sort the messages by file and line.
 *
 * Parsed once: a loaded scenario keeps its files and merged tree (struct sc_source),
 * never changed after the load. ur_scenario_derive makes a scenario of it plus
 * overrides without reading a file: first by applying the overrides straight to a
 * copy of the params (ur_params_set, sim/params) and checking across settings; when
 * that declines or finds a fault, by copying the tree and running the steps from
 * --set on, which gives the exact messages a file would.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unrest/posterior.h"
#include "unrest/dist.h"
#include "unrest/scenario.h"

/* ---- messages ----------------------------------------------------------------------- */

void sc_add_msg(struct loader *L, size_t rank, unsigned line, char *text)
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

char *sc_vformat(const char *fmt, va_list ap)
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

char *sc_format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = sc_vformat(fmt, ap);
	va_end(ap);
	return s;
}

static size_t sc_file_rank(const struct loader *L, const char *name)
{
	for (size_t i = 0; i < L->nfiles; i++)
		if (L->files[i]->name == name)
			return i;
	return L->nfiles;
}

/* A message about a file as a whole or a line of it, not a setting. */
void sc_report_file(struct loader *L, size_t rank, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *what, *text;

	va_start(ap, fmt);
	what = sc_vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		L->nomem = true;
		return;
	}
	if (line)
		text = sc_format("%s:%u: %s", L->files[rank]->name, line, what);
	else
		text = sc_format("%s: %s", L->files[rank]->name, what);
	free(what);
	L->bad = true;
	sc_add_msg(L, rank, line, text);
}

/* A message about the setting at `where` (or, when it is absent, its nearest
 * ancestor that exists) whose path is `path`. */
void sc_report(struct loader *L, const struct cf_setting *where, const char *path,
		   const char *fmt, ...)
{
	va_list ap;
	char *what, *text;
	size_t rank;

	assert(where);
	rank = sc_file_rank(L, where->file);
	unsigned line = where->line ? where->line : 1;
	const char *sep = *path ? ": " : "";

	va_start(ap, fmt);
	what = sc_vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		L->nomem = true;
		return;
	}
	if (rank < L->nfiles && L->files[rank]->kind == FILE_SET) {
		text = sc_format("%s: %s%s%s", where->file, path, sep, what);
		L->usage = true;
		line = 0;
	} else {
		text = sc_format("%s:%u: %s%s%s", where->file ? where->file : "?", line, path,
			      sep, what);
		L->bad = true;
	}
	free(what);
	sc_add_msg(L, rank, line, text);
}

/* A --set that cannot be applied at all. */
void sc_report_usage(struct loader *L, const char *set, const char *path,
			 const char *fmt, ...)
{
	va_list ap;
	char *what, *text;

	va_start(ap, fmt);
	what = sc_vformat(fmt, ap);
	va_end(ap);
	if (!what) {
		L->nomem = true;
		return;
	}
	text = *path ? sc_format("--set %s: %s: %s", set, path, what)
		     : sc_format("--set %s: %s", set, what);
	free(what);
	L->usage = true;
	sc_add_msg(L, L->nfiles + 1, 0, text);
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

struct sc_file *sc_add_file(struct loader *L, const char *name, enum file_kind kind)
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

void sc_describe(const struct cf_setting *s, char *buf, size_t size)
{
	char real[SC_REAL_TEXT_SIZE];

	switch (s->type) {
	case CF_INT:
		if (s->hook)
			snprintf(buf, size, "%s", ((const struct cf_int_literal *)s->hook)->text);
		else
			snprintf(buf, size, "%d", s->value.ival);
		break;
	case CF_INT64:
		if (s->hook)
			snprintf(buf, size, "%sL",
				 ((const struct cf_int_literal *)s->hook)->text);
		else
			snprintf(buf, size, "%lldL", s->value.llval);
		break;
	case CF_FLOAT:
		snprintf(buf, size, "%s", sc_format_real(s->value.fval, true, real));
		break;
	case CF_BOOL:
		snprintf(buf, size, "%s", s->value.ival ? "true" : "false");
		break;
	case CF_STRING: {
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
	case CF_GROUP:
		snprintf(buf, size, "a group");
		break;
	case CF_LIST:
		snprintf(buf, size, "a list");
		break;
	case CF_ARRAY:
		snprintf(buf, size, "an array");
		break;
	default:
		snprintf(buf, size, "nothing");
		break;
	}
}

#define DESCRIBE(s) (sc_describe((s), found, sizeof found), found)

/* ---- the whole load ----------------------------------------------------------------- */

static void free_files(struct sc_file **files, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++) {
		cf_scan_finish(&files[i]->scan);
		free(files[i]->name);
		free(files[i]);
	}
}

static void loader_finish(struct loader *L)
{
	free_files(L->files, L->borrowed, L->nfiles);
	free(L->files);
	for (size_t i = 0; i < L->nmsgs; i++)
		free(L->msgs[i].text);
	free(L->msgs);
}

static void source_destroy(struct sc_source *src)
{
	if (!src)
		return;
	cf_free(src->tree);
	free_files(src->files, 0, src->nfiles);
	free(src->files);
	free(src->path);
	free(src);
}

/* A scenario with zeroed params, or with a copy of `params` (a derived one: not
 * zeroed first, a point is checked in microseconds and the params are 200 KiB). */
static struct ur_scenario *scenario_new(const struct ur_params *params)
{
	struct ur_scenario *sc = params ? malloc(sizeof *sc) : calloc(1, sizeof *sc);
	if (!sc)
		return NULL;
	if (params) {
		memcpy(&sc->params, params, sizeof *params);
		sc->blocks = NULL;
		sc->nblocks = 0;
		sc->source = NULL;
		sc->text = NULL;
		sc->text_len = 0;
		sc->hash = 0;
		sc->posterior = NULL;
		sc->owns_posterior = false;
	}
	if (pthread_mutex_init(&sc->text_lock, NULL) != 0) {
		free(sc);
		sc = NULL;
	}
	return sc;
}

void ur_scenario_destroy(struct ur_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nblocks; i++)
		free(sc->blocks[i]);
	free(sc->blocks);
	free(sc->text);
	if (sc->owns_posterior)
		sc_posterior_destroy((struct ur_posterior *)(uintptr_t)sc->posterior);
	source_destroy(sc->source);
	pthread_mutex_destroy(&sc->text_lock);
	free(sc);
}

/* The settings that name a file (SC_FILE_PATH), as the printout writes them: at the
 * scenario group's indentation, `  NAME = "VALUE";`. No other setting has these names. */
static const char *const file_settings[] = {"record", "regions_file", "posterior"};
#define CONTENT_MARK "\"; # content 0x"
#define CONTENT_MARK_LEN (sizeof CONTENT_MARK - 1)
#define CONTENT_LINE_TAIL (CONTENT_MARK_LEN + 16)

/* The length of `  NAME = "` when line (n bytes, no newline) opens with it for a file
 * setting, else 0. */
static size_t file_line_head(const char *line, size_t n)
{
	for (size_t i = 0; i < sizeof file_settings / sizeof *file_settings; i++) {
		size_t k = strlen(file_settings[i]);
		if (n > k + 6 && memcmp(line, "  ", 2) == 0 &&
		    memcmp(line + 2, file_settings[i], k) == 0 && memcmp(line + 2 + k, " = \"", 4) == 0)
			return k + 6;
	}
	return 0;
}

/* A file's bytes' FNV-1a 64 (as the manifest's record_hash); false when unreadable. */
static bool file_checksum(const char *path, uint64_t *sum)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;
	uint64_t h = 14695981039346656037ull;
	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)buf[i];
			h *= 1099511628211ull;
		}
	bool bad = ferror(f) != 0;
	fclose(f);
	*sum = h;
	return !bad;
}

/* The file setting's line of the printout, `  NAME = "/absolute/path";`, followed by
 * `# content 0x...`: the file's checksum, which the hash takes in place of the path
 * (ur_scenario_text_fold). A file unreadable now keeps its line bare: its path then
 * stays in the hash. */
static bool mark_contents(const struct ur_scenario *sc, char **text, size_t *len)
{
	const struct ur_scenario_params *sp = &sc->params.scenario;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return false;
	for (const char *line = *text, *end = *text + *len; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		size_t head = file_line_head(line, n);
		fwrite(line, 1, n, f);
		if (head && n >= head + 2 && memcmp(line + n - 2, "\";", 2) == 0) {
			uint64_t sum;
			bool known = false;
			if (line[2] == 'p' && sc->posterior) {
				sum = ur_posterior_checksum(sc->posterior);
				known = true;
			} else if (line[2] == 'r' && line[3] == 'e' && line[4] == 'c') {
				known = *sp->record && file_checksum(sp->record, &sum);
			} else if (line[2] == 'r') {
				known = *sp->regions_file && file_checksum(sp->regions_file, &sum);
			}
			if (known)
				fprintf(f, " # content 0x%016llx", (unsigned long long)sum);
		}
		if (nl)
			fputc('\n', f);
		line += n + (nl ? 1 : 0);
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return false;
	}
	if (fclose(f) != 0) {
		free(buf);
		return false;
	}
	free(*text);
	*text = buf;
	*len = size;
	return true;
}

uint64_t ur_scenario_text_fold(uint64_t h, const char *text, size_t len)
{
	for (const char *line = text, *end = text + len; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) + 1 : (size_t)(end - line);
		size_t body = nl ? n - 1 : n;
		size_t head = file_line_head(line, body);
		size_t skip_from = n, skip_to = n;
		if (head && body >= head + CONTENT_LINE_TAIL &&
		    memcmp(line + body - CONTENT_LINE_TAIL, CONTENT_MARK, CONTENT_MARK_LEN) == 0) {
			/* A file named with its content: where it lives is no part of the
			 * scenario's identity, its bytes are. */
			skip_from = head;
			skip_to = body - CONTENT_LINE_TAIL;
		}
		for (size_t i = 0; i < n; i++) {
			if (i == skip_from)
				i = skip_to;
			h ^= (unsigned char)line[i];
			h *= 1099511628211ull;
		}
		line += n;
	}
	return h;
}

/* Makes the printout and its hash; false when out of memory. */
static bool make_text(struct ur_scenario *sc)
{
	sc->text = sc_print(&sc->params, &sc->text_len);
	if (!sc->text)
		return false;
	if (!mark_contents(sc, &sc->text, &sc->text_len)) {
		free(sc->text);
		sc->text = NULL;
		return false;
	}
	sc->hash = ur_scenario_text_fold(14695981039346656037ull, sc->text, sc->text_len);
	if (sc->posterior) {
		/* The scenario's identity includes its posterior's bytes, not only its name:
		 * a folder run with another file under the same name is another run. */
		uint64_t sum = ur_posterior_checksum(sc->posterior);
		unsigned char bytes[8];
		for (int i = 0; i < 8; i++)
			bytes[i] = (unsigned char)(sum >> (8 * i));
		for (int i = 0; i < 8; i++) {
			sc->hash ^= bytes[i];
			sc->hash *= 1099511628211ull;
		}
	}
	return true;
}

/* Numbers are read and written with '.' decimals whatever the program's locale: the
 * calling thread works in the C locale for the load (POSIX per-thread locales, as
 * libconfig does), then returns to its own. */
struct c_locale {
	locale_t c, old;
};

static void c_locale_enter(struct c_locale *cl)
{
	cl->old = (locale_t)0;
	cl->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (cl->c)
		cl->old = uselocale(cl->c);
}

static void c_locale_leave(struct c_locale *cl)
{
	if (cl->c) {
		uselocale(cl->old);
		freelocale(cl->c);
	}
}

/* The rank of the file a setting came from in L->files (0 is the file loaded, its
 * bases after it), or SIZE_MAX for a --set or a setting of no file. */
static size_t file_rank(const struct loader *L, const struct cf_setting *s)
{
	for (size_t i = 0; i < L->nfiles; i++)
		if (L->files[i]->name == s->file)
			return L->files[i]->kind == FILE_SET ? SIZE_MAX : i;
	return SIZE_MAX;
}

/* A file that takes the scenario naming a posterior as its base (a counterfactual)
 * and sets a column the posterior draws would see its value replaced in every
 * replication, silently: refused at the setting's line. The file that names the
 * posterior and its own bases give the starting values the posterior replaces. (A
 * government edit is not a setting of an action's path: the calibration's file says
 * which settings counterfactuals may change, docs/calibration.md.) */
static void check_posterior_columns(struct loader *L, const struct cf_setting *cfg)
{
	const struct ur_posterior *P = L->sc->posterior;
	const struct cf_setting *named = sc_lookup(cfg, "scenario.posterior");
	if (!P || !named)
		return;
	size_t owner = file_rank(L, named);
	if (owner == SIZE_MAX || L->files[owner]->kind != FILE_DISK)
		return;
	for (size_t j = 0; j < ur_posterior_parameters(P); j++) {
		const char *path = ur_posterior_parameter(P, j);
		const struct cf_setting *s = sc_lookup(cfg, path);
		if (s && file_rank(L, s) < owner)
			sc_report(L, s, path, "expected a setting that %s (the posterior %s "
				  "names) does not draw, found a value its rows would replace in "
				  "every replication", ur_posterior_name(P), L->files[owner]->name);
	}
}

/* Steps from --set on, over cfg (the loader's), into L->sc; then the messages into
 * diag and the status. Takes cfg: keeps it in the scenario's source when keep_source,
 * else frees it. Returns the scenario or NULL. `shown` names the scenario in the
 * "more errors" line. */
static struct ur_scenario *finish_load(struct loader *L, struct cf_setting *cfg,
				       const char *shown, const char *const *sets,
				       size_t nsets, bool keep_source,
				       const struct ur_posterior *inherit, struct ur_diag *diag,
				       enum ur_scenario_status *status)
{
	struct path p = { .len = 0 };

	p.buf[0] = '\0';
	if (!cfg || L->nomem)
		goto cleanup;
	for (size_t i = 0; i < nsets; i++)
		sc_apply_set(L, cfg, sets[i]);
	if (L->nomem)
		goto cleanup;

	L->actions = sc_lookup(cfg, "government.actions");
	sc_fill_group(L, sc_schema_root(), cfg, cfg, (char *)L->p, &p, -1);
	/* Triggers and `after` chains can be judged whatever else is wrong; the checks
	 * between values only when the values themselves passed. */
	sc_check_actions(L);
	if (!L->bad && !L->usage)
		sc_check_across(L, cfg);
	if (!L->bad && !L->usage && !L->nomem)
		sc_check_record(L, cfg);
	/* The posterior's rows are judged on params that pass every check. */
	if (!L->bad && !L->usage && !L->nomem)
		sc_posterior_load(L, cfg, inherit);
	/* A --set of a column the posterior draws would be overridden in every
	 * replication, silently: refused, under any of its names (a list item by [N]
	 * or [id], a lognormal's mu or median). (The scenario file's own value is the
	 * default the posterior replaces, as documented.) */
	for (size_t i = 0; L->sc->posterior && i < nsets; i++) {
		const struct ur_posterior *P = L->sc->posterior;
		char path[PATH_SIZE];
		snprintf(path, sizeof path, "%.*s", (int)strcspn(sets[i], "="), sets[i]);
		long j = ur_posterior_column_of(P, &L->sc->params, path);
		if (j < 0)
			continue;
		const char *column = ur_posterior_parameter(P, (size_t)j);
		if (ur_posterior_names(P, path))
			sc_report_usage(L, sets[i], path, "expected a setting the scenario's "
					"posterior does not draw, found a column of %s",
					ur_posterior_name(P));
		else
			sc_report_usage(L, sets[i], path, "expected a setting the scenario's "
					"posterior does not draw, found its column %s by another "
					"name (%s)", column, ur_posterior_name(P));
	}
	check_posterior_columns(L, cfg);
	if (L->bad || L->usage || L->nomem || L->missing)
		goto cleanup;
	if (keep_source) {
		if (!make_text(L->sc)) {
			L->nomem = true;
			goto cleanup;
		}
		struct sc_source *src = calloc(1, sizeof *src);
		char *path = strdup(shown);
		if (!src || !path) {
			free(src);
			free(path);
			L->nomem = true;
			goto cleanup;
		}
		/* The files and the tree now belong to the scenario. */
		src->files = L->files;
		src->nfiles = L->nfiles;
		src->tree = cfg;
		src->path = path;
		L->sc->source = src;
		L->files = NULL;
		L->nfiles = L->borrowed = 0;
		cfg = NULL;
	}

cleanup:
	cf_free(cfg);
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
		size_t kept = 0;
		qsort(L->msgs, L->nmsgs, sizeof *L->msgs, compare_msgs);
		for (size_t i = 0; i < L->nmsgs && diag->count < diag->limit; i++, kept++)
			sc_diag_add(diag, L->msgs[i].text);
		diag->total += L->nmsgs;
		if (kept < L->nmsgs) {
			char *more = sc_format("%s: %zu more errors not shown", shown,
					       L->nmsgs - kept);
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

static struct ur_scenario *load(const char *path, const char *text, size_t len,
				const char *const *sets, size_t nsets, struct ur_diag *diag,
				enum ur_scenario_status *status)
{
	struct loader L = { 0 };
	struct chain chain = { .n = 0 };
	struct cf_setting *cfg = NULL;
	struct c_locale cl;
	struct ur_scenario *sc;

	assert(path && diag && status && (nsets == 0 || sets));
	c_locale_enter(&cl);
	L.sc = scenario_new(NULL);
	if (!L.sc) {
		L.nomem = true;
	} else if (text) {
		L.p = &L.sc->params;
		struct sc_file *f = sc_add_file(&L, path, FILE_MEMORY);
		const char *nul = memchr(text, '\0', len);
		char *copy = NULL;
		if (f && nul) {
			size_t line = 1;
			for (const char *c = text; c < nul; c++)
				line += *c == '\n';
			sc_report_file(&L, 0, (unsigned)line, "must be text, got byte 0x00");
		} else if (f && !(copy = malloc(len + 2))) {
			L.nomem = true;
		} else if (f) {
			memcpy(copy, text, len);
			cfg = sc_parse_text(&L, f, copy, cf_tidy_text(copy, len));
			free(copy);
			if (cfg)
				cfg = sc_apply_base(&L, cfg, path, true, &chain);
		}
	} else {
		L.p = &L.sc->params;
		cfg = sc_load_chain(&L, path, NULL, &chain);
	}
	sc = finish_load(&L, cfg, path, sets, nsets, true, NULL, diag, status);
	c_locale_leave(&cl);
	return sc;
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

/* ---- derived scenarios ------------------------------------------------------------- */

/* The slow, exact path: the base's tree copied, the overrides applied to it and the
 * whole schema walked, as if the file had been read again with these --set. */
static struct ur_scenario *derive_on_tree(const struct ur_scenario *base,
					  const char *const *sets, size_t nsets,
					  struct ur_diag *diag, enum ur_scenario_status *status)
{
	const struct sc_source *src = base->source;
	struct loader L = { 0 };
	struct cf_setting *cfg = NULL;

	L.sc = scenario_new(NULL);
	L.files = malloc((src->nfiles + nsets + 1) * sizeof *L.files);
	if (!L.sc || !L.files) {
		L.nomem = true;
	} else {
		L.p = &L.sc->params;
		memcpy(L.files, src->files, src->nfiles * sizeof *L.files);
		L.nfiles = L.borrowed = src->nfiles;
		L.cap_files = src->nfiles + nsets + 1;
		cfg = cf_copy(NULL, src->tree);
		if (!cfg)
			L.nomem = true;
	}
	return finish_load(&L, cfg, src->path, sets, nsets, false, base->posterior, diag,
			   status);
}

struct ur_scenario *ur_scenario_derive(const struct ur_scenario *base,
				       const char *const *sets, size_t nsets,
				       unsigned flags, struct ur_diag *diag,
				       enum ur_scenario_status *status)
{
	struct c_locale cl;
	struct ur_scenario *sc = NULL;
	bool fast = !(flags & UR_DERIVE_EXACT);

	assert(base && base->source && diag && status && (nsets == 0 || sets));
	c_locale_enter(&cl);
	if (fast) {
		/* The discrete distributions' arrays stay the base's (nblocks 0). */
		sc = scenario_new(&base->params);
		if (!sc) {
			*status = UR_SCENARIO_NOMEM;
			sc_diag_add(diag, "out of memory while loading the scenario");
			goto done;
		}
		for (size_t i = 0; i < nsets && fast; i++)
			fast = ur_params_set(&sc->params, sets[i]) == 0;
		/* Another posterior file is read and checked on the tree. */
		fast = fast && strcmp(sc->params.scenario.posterior,
				      base->params.scenario.posterior) == 0;
		sc->posterior = base->posterior;
		if (fast && ur_params_check_across(&sc->params, NULL, NULL) == 0) {
			*status = UR_SCENARIO_OK;
			goto done;
		}
		ur_scenario_destroy(sc);
	}
	sc = derive_on_tree(base, sets, nsets, diag, status);
done:
	c_locale_leave(&cl);
	return sc;
}

const struct ur_params *ur_scenario_params(const struct ur_scenario *sc)
{
	assert(sc);
	return &sc->params;
}

/* The printout of a derived scenario is made when first asked for: a sweep checks
 * and runs its points without it. */
static const struct ur_scenario *with_text(const struct ur_scenario *sc)
{
	struct ur_scenario *w = (struct ur_scenario *)(uintptr_t)sc;
	pthread_mutex_lock(&w->text_lock);
	if (!w->text) {
		struct c_locale cl;
		c_locale_enter(&cl);
		make_text(w);
		c_locale_leave(&cl);
	}
	pthread_mutex_unlock(&w->text_lock);
	return sc;
}

const char *ur_scenario_text(const struct ur_scenario *sc)
{
	assert(sc);
	return with_text(sc)->text;
}

int ur_scenario_write(const struct ur_scenario *sc, FILE *stream)
{
	assert(sc && stream);
	const char *text = ur_scenario_text(sc);
	if (!text || fwrite(text, 1, sc->text_len, stream) != sc->text_len)
		return -1;
	return fflush(stream) == 0 ? 0 : -1;
}

uint64_t ur_scenario_hash(const struct ur_scenario *sc)
{
	assert(sc);
	return with_text(sc)->hash;
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
		if (rc == 0 && sc->posterior &&
		    ur_posterior_write_summary(sc->posterior, out) != 0)
			rc = 74;
	} else {
		ur_diag_print(&diag, err);
		rc = (int)status;
	}
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
	return rc;
}
