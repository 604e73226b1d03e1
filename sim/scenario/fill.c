/*
 * fill.c: the walk of the schema (sim/params/schema.h) over a scenario's tree: every
 * setting's name, type, range and references are checked, defaults applied, and
 * struct ur_params filled. Messages name the setting's file, line and path, with a
 * "did you mean" where a known name is close.
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
#include "unrest/output.h"
#include "unrest/scenario.h"

/* ---- paths -------------------------------------------------------------------------- */

size_t sc_path_push(struct path *p, const char *name)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof p->buf - p->len, "%s%s", p->len ? "." : "",
			 name);
	if (n > 0)
		p->len = p->len + (size_t)n < sizeof p->buf ? p->len + (size_t)n
							     : sizeof p->buf - 1;
	return old;
}

size_t sc_path_push_index(struct path *p, size_t i)
{
	char idx[32];
	snprintf(idx, sizeof idx, "[%zu]", i);
	return sc_path_push(p, idx);
}

void sc_path_pop(struct path *p, size_t old)
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
const char *sc_closest(const char *name, const char *const *candidates, size_t n)
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

const char *sc_closest_child(const struct sc_node *node, const char *name)
{
	const char *names[64];
	size_t n = node->nchildren < 64 ? node->nchildren : 64;
	for (size_t i = 0; i < n; i++)
		names[i] = node->children[i].name;
	return sc_closest(name, names, n);
}

static const char *sc_closest_region(const struct loader *L, const char *id)
{
	const char *names[UR_MAX_REGIONS];
	for (size_t i = 0; i < L->p->nregions; i++)
		names[i] = L->p->regions[i].id;
	return sc_closest(id, names, L->p->nregions);
}

/* " (did you mean \"x\"?)" or "". */
void sc_did_you_mean(const char *suggestion, char *buf, size_t size)
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

static bool check_range(struct loader *L, const struct cf_setting *s, const char *path,
			const struct sc_node *node, double v, const char *text)
{
	char lim[SC_REAL_TEXT_SIZE];
	bool min_open = node->flags & SC_MIN_OPEN, max_open = node->flags & SC_MAX_OPEN;

	if (min_open ? !(v > node->min) : !(v >= node->min)) {
		format_limit(node->min, lim);
		sc_report(L, s, path, "must be %s %s, got %s", min_open ? ">" : ">=", lim, text);
		return false;
	}
	if (node->max < 9.2e18 && (max_open ? !(v < node->max) : !(v <= node->max))) {
		format_limit(node->max, lim);
		sc_report(L, s, path, "must be %s %s, got %s", max_open ? "<" : "<=", lim, text);
		return false;
	}
	return true;
}

/* A number from an int, int64 or float setting. */
static bool get_number(struct loader *L, const struct cf_setting *s, const char *path,
		       double *out)
{
	char found[96];
	const struct cf_int_literal *wide = s->hook;

	switch (s->type) {
	case CF_INT:
		*out = wide ? strtod(wide->text, NULL) : (double)s->value.ival;
		break;
	case CF_INT64:
		if (wide) {
			sc_report(L, s, path, "must be a 64-bit integer, got %sL", wide->text);
			return false;
		}
		*out = (double)s->value.llval;
		break;
	case CF_FLOAT:
		*out = s->value.fval;
		break;
	default:
		sc_report(L, s, path, "must be a number, got %s", DESCRIBE(s));
		return false;
	}
	if (!isfinite(*out)) {
		sc_report(L, s, path, "must be a finite number, got %s",
		       wide ? wide->text : *out > 0 ? "inf" : "-inf");
		return false;
	}
	return true;
}

static bool get_real(struct loader *L, const struct cf_setting *s, const char *path,
		     const struct sc_node *node, double *out)
{
	char found[96];
	if (!get_number(L, s, path, out))
		return false;
	return check_range(L, s, path, node, *out, DESCRIBE(s));
}

static bool get_integer(struct loader *L, const struct cf_setting *s, const char *path,
			const struct sc_node *node, long long *out)
{
	char found[96];
	const struct cf_int_literal *wide = s->hook;

	switch (s->type) {
	case CF_INT:
		if (wide) {
			char *end;
			errno = 0;
			*out = strtoll(wide->text, &end, 0);
			if (errno != 0 || *end != '\0') {
				sc_report(L, s, path, "must be a 64-bit integer, got %s", wide->text);
				return false;
			}
		} else {
			*out = s->value.ival;
		}
		break;
	case CF_INT64:
		if (wide) {
			sc_report(L, s, path, "must be a 64-bit integer, got %sL", wide->text);
			return false;
		}
		*out = s->value.llval;
		break;
	default:
		sc_report(L, s, path, "must be an integer, got %s", DESCRIBE(s));
		return false;
	}
	if (node->flags & SC_MIN_OPEN ? !((double)*out > node->min) : !((double)*out >= node->min)) {
		sc_report(L, s, path, "must be %s %.0f, got %s", node->flags & SC_MIN_OPEN ? ">" : ">=",
		       node->min, DESCRIBE(s));
		return false;
	}
	if (node->max < 9.2e18 && (double)*out > node->max) {
		sc_report(L, s, path, "must be <= %.0f, got %s", node->max, DESCRIBE(s));
		return false;
	}
	return true;
}

static bool sc_valid_utf8_text(const char *s)
{
	struct cf_text_scan scan;
	bool ok;

	if (cf_scan_text(s, strlen(s), &scan) != 0)
		return false;
	ok = scan.problem == CF_TEXT_OK || scan.problem == CF_TEXT_INCLUDE;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20)
			ok = false;
	cf_scan_finish(&scan);
	return ok;
}

static const char *get_string(struct loader *L, const struct cf_setting *s, const char *path,
			      size_t max_len)
{
	char found[96];
	const char *v;

	if (s->type != CF_STRING) {
		sc_report(L, s, path, "must be a string, got %s", DESCRIBE(s));
		return NULL;
	}
	v = s->value.sval ? s->value.sval : "";
	if (strlen(v) > max_len) {
		sc_report(L, s, path, "must be at most %zu bytes, got %zu", max_len, strlen(v));
		return NULL;
	}
	if (!sc_valid_utf8_text(v)) {
		sc_report(L, s, path, "must be UTF-8 text without control characters, got %s",
		       DESCRIBE(s));
		return NULL;
	}
	return v;
}

static bool is_id(const char *v)
{
	size_t len = strlen(v);
	return len < UR_ID_SIZE && len > 0 && ur_id_length(v, len) == len;
}

static const char *get_id(struct loader *L, const struct cf_setting *s, const char *path)
{
	char found[96];
	const char *v;

	if (s->type != CF_STRING) {
		sc_report(L, s, path, "must be an id string, got %s", DESCRIBE(s));
		return NULL;
	}
	v = s->value.sval ? s->value.sval : "";
	if (!is_id(v)) {
		sc_report(L, s, path,
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

static bool get_enum(struct loader *L, const struct cf_setting *s, const char *path,
		     const char *const *names, size_t n, int *out)
{
	char found[96], choices[400], dym[96];

	if (s->type == CF_STRING && s->value.sval) {
		for (size_t i = 0; i < n; i++) {
			if (names[i] && strcmp(s->value.sval, names[i]) == 0) {
				*out = (int)i;
				return true;
			}
		}
	}
	list_names(names, n, choices, sizeof choices);
	sc_did_you_mean(s->type == CF_STRING && s->value.sval
			     ? sc_closest(s->value.sval, names, n)
			     : NULL,
		     dym, sizeof dym);
	sc_report(L, s, path, "must be %s%s, got %s%s", strstr(choices, ", ") ? "one of " : "",
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
static int get_region(struct loader *L, const struct cf_setting *s, const char *path)
{
	char found[96], dym[96];
	int r;

	if (s->type != CF_STRING) {
		sc_report(L, s, path, "must be a region id, got %s", DESCRIBE(s));
		return UR_NONE;
	}
	r = find_region(L, s->value.sval);
	if (r == UR_NONE && L->regions_ok) {
		sc_did_you_mean(sc_closest_region(L, s->value.sval), dym, sizeof dym);
		sc_report(L, s, path, "must be the id of a region, got %s%s", DESCRIBE(s), dym);
	}
	return r;
}

/* ---- the schema walk ---------------------------------------------------------------- */

static void fill_node(struct loader *L, const struct sc_node *node,
		      const struct cf_setting *s, const struct cf_setting *parent,
		      char *base, struct path *path);

static void put_int(char *at, int v)
{
	memcpy(at, &v, sizeof v);
}

const char *sc_replaced(const char *path)
{
	static const char fuel[] =
		"replaced by fuel.steps, a list of price steps { at = HOUR; ratio = PRICE; "
		"regions = [ ... ]; } with the price as a ratio to the price before the run "
		"(2.0 doubled, 3.0 tripled, 1.0 the old price)";
	static const char *const fuel_names[] = {
		"fuel.rise_hour", "fuel.level", "fuel.regions", "fuel.rollback_hour",
		"fuel.rollback_level",
	};
	for (size_t i = 0; i < sizeof fuel_names / sizeof fuel_names[0]; i++)
		if (strcmp(path, fuel_names[i]) == 0)
			return fuel;
	const char *dot = strrchr(path, '.');
	/* scenario.mobilizable_share and regions.[i].mobilizable_share set how many could
	 * join; it now follows from the adult population and the agents' laws. */
	if (strcmp(dot ? dot + 1 : path, "mobilizable_share") == 0)
		return "removed: every adult of a region may join (regions.[i].adult_share), "
		       "and who can act follows from the threshold, grievance and risk "
		       "distributions and the region's conditions (docs/model.md, "
		       "\"Who can act\"); delete the setting";
	if (strncmp(path, "government.actions.", 19) == 0 && dot != NULL &&
	    strcmp(dot, ".shock_level") == 0)
		return "replaced by ratio, the fuel price after the rollback as a ratio to the "
		       "price before the run (1.0 the old price; below the highest price step)";
	return NULL;
}

static void report_unknown(struct loader *L, const struct cf_setting *m, struct path *path,
			   const char *suggestion)
{
	char dym[96];
	size_t old = sc_path_push(path, m->name ? m->name : "?");
	const char *replaced = sc_replaced(path->buf);
	sc_did_you_mean(suggestion, dym, sizeof dym);
	if (replaced)
		sc_report(L, m, path->buf, "%s", replaced);
	else
		sc_report(L, m, path->buf, "unknown setting%s", dym);
	sc_path_pop(path, old);
}

static void set_default_dist(struct ur_dist *d, const struct sc_dist_default *dd)
{
	*d = ur_dist_make(dd->family);
	for (size_t i = 0; i < dd->n; i++)
		*(double *)((char *)d + sc_dist_param(dd->p[i].param)->offset) = dd->p[i].value;
}

bool sc_family_takes(const struct sc_dist_family_info *fi, enum sc_dist_param prm)
{
	for (size_t i = 0; i < fi->nrequired; i++)
		if (fi->required[i] == prm)
			return true;
	for (size_t i = 0; i < fi->noptional; i++)
		if (fi->optional[i] == prm)
			return true;
	return false;
}

int sc_param_by_name(const char *name)
{
	for (int i = 0; i < SC_DP_COUNT; i++)
		if (strcmp(sc_dist_param((enum sc_dist_param)i)->name, name) == 0)
			return i;
	return -1;
}

static double *read_number_array(struct loader *L, const struct cf_setting *s,
				 struct path *path, size_t *n)
{
	char found[96];
	double *values;
	bool ok = true;
	int len;

	if (s->type != CF_ARRAY && s->type != CF_LIST) {
		sc_report(L, s, path->buf, "must be an array of numbers [ ... ], got %s",
		       DESCRIBE(s));
		return NULL;
	}
	len = cf_length(s);
	if (len == 0) {
		sc_report(L, s, path->buf, "must hold at least one number, got an empty array");
		return NULL;
	}
	values = malloc((size_t)len * sizeof *values);
	if (!values) {
		L->nomem = true;
		return NULL;
	}
	for (int i = 0; i < len; i++) {
		size_t old = sc_path_push_index(path, (size_t)i);
		if (!get_number(L, cf_elem(s, (unsigned)i), path->buf, &values[i]))
			ok = false;
		sc_path_pop(path, old);
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

static void fill_dist(struct loader *L, const struct cf_setting *s, struct ur_dist *d,
		      struct path *path)
{
	char found[96], dym[96], names[400];
	const char *family_names[UR_DIST_FAMILY_COUNT];
	const struct cf_setting *fs = cf_member(s, "dist");
	const struct sc_dist_family_info *fi;
	enum ur_dist_family family;
	struct ur_dist_error err;
	bool ok = true;
	size_t nvalues = 0, nweights = 0, old;

	for (int i = 0; i < UR_DIST_FAMILY_COUNT; i++)
		family_names[i] = ur_dist_family_name((enum ur_dist_family)i);
	if (!cf_is_group(s)) {
		sc_report(L, s, path->buf,
		       "must be a distribution { dist = \"family\"; ... }, got %s", DESCRIBE(s));
		return;
	}
	if (!fs) {
		old = sc_path_push(path, "dist");
		sc_report(L, s, path->buf, "required setting is missing");
		sc_path_pop(path, old);
		return;
	}
	old = sc_path_push(path, "dist");
	if (fs->type != CF_STRING) {
		sc_report(L, fs, path->buf, "must be a family name, got %s", DESCRIBE(fs));
		sc_path_pop(path, old);
		return;
	}
	family = ur_dist_family_from_name(fs->value.sval);
	if (family == UR_DIST_FAMILY_COUNT) {
		list_names(family_names, UR_DIST_FAMILY_COUNT, names, sizeof names);
		sc_did_you_mean(sc_closest(fs->value.sval, family_names, UR_DIST_FAMILY_COUNT), dym,
			     sizeof dym);
		sc_report(L, fs, path->buf, "must be one of %s, got %s%s", names, DESCRIBE(fs), dym);
		sc_path_pop(path, old);
		return;
	}
	sc_path_pop(path, old);
	fi = sc_dist_family(family);
	*d = ur_dist_make(family);

	for (int i = 0; i < cf_length(s); i++) {
		const struct cf_setting *m = cf_elem(s, (unsigned)i);
		int prm = sc_param_by_name(m->name);

		if (strcmp(m->name, "dist") == 0)
			continue;
		old = sc_path_push(path, m->name);
		if (prm < 0 || !sc_family_takes(fi, (enum sc_dist_param)prm)) {
			const char *cand[8];
			size_t nc = 0;
			for (size_t k = 0; k < fi->nrequired; k++)
				cand[nc++] = sc_dist_param(fi->required[k])->name;
			for (size_t k = 0; k < fi->noptional; k++)
				cand[nc++] = sc_dist_param(fi->optional[k])->name;
			sc_did_you_mean(prm < 0 ? sc_closest(m->name, cand, nc) : NULL, dym, sizeof dym);
			sc_report(L, m, path->buf, "not a parameter of %s, which takes %s%s",
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
		sc_path_pop(path, old);
	}
	for (size_t k = 0; k < fi->nrequired; k++) {
		const char *name = sc_dist_param(fi->required[k])->name;
		if (!cf_member(s, name)) {
			old = sc_path_push(path, name);
			sc_report(L, s, path->buf, "required by %s, got nothing", fs->value.sval);
			sc_path_pop(path, old);
			ok = false;
		}
	}
	if (family == UR_DIST_DISCRETE && d->values && d->weights) {
		if (nvalues != nweights) {
			const struct cf_setting *w = cf_member(s, "weights");
			old = sc_path_push(path, "weights");
			sc_report(L, w, path->buf, "must have as many items as values (%zu), got %zu",
			       nvalues, nweights);
			sc_path_pop(path, old);
			ok = false;
		}
		d->count = nvalues;
	}
	if (!ok)
		return;
	if (ur_dist_validate(d, &err) != 0) {
		const struct cf_setting *where = s;
		char pname[sizeof err.param];
		char *dot;

		snprintf(pname, sizeof pname, "%s", err.param);
		dot = strchr(pname, '.');
		if (dot)
			*dot = '\0';
		if (*pname && cf_member(s, pname)) {
			where = cf_member(s, pname);
			if (dot) {
				long idx = strtol(dot + 3, NULL, 10); /* ".[N]" */
				if (idx >= 0 && idx < cf_length(where))
					where = cf_elem(where, (unsigned)idx);
			}
		}
		old = *err.param ? sc_path_push(path, err.param) : path->len;
		sc_report(L, where, path->buf, "%s", err.message);
		sc_path_pop(path, old);
	}
}

/* s is the group in the tree, or NULL when it is absent; anchor is the nearest
 * setting that exists (s itself, or an ancestor), where messages about missing
 * settings point. */
void sc_fill_group(struct loader *L, const struct sc_node *node,
		       const struct cf_setting *s, const struct cf_setting *anchor, char *base,
		       struct path *path, int kind)
{
	/* Unknown names first, so that a misspelt required setting reads as a typo. */
	if (s) {
		for (int i = 0; i < cf_length(s); i++) {
			const struct cf_setting *m = cf_elem(s, (unsigned)i);
			const struct sc_node *child = sc_child(node, m->name);
			if (!child) {
				report_unknown(L, m, path, sc_closest_child(node, m->name));
			} else if (kind >= 0 && !sc_used_by_kind(child, kind)) {
				size_t old = sc_path_push(path, m->name);
				sc_report(L, m, path->buf, "not used by kind \"%s\"",
				       ur_action_kind_name((enum ur_action_kind)kind));
				sc_path_pop(path, old);
			}
		}
	}
	for (size_t i = 0; i < node->nchildren; i++) {
		const struct sc_node *child = &node->children[i];
		const struct cf_setting *m = s ? cf_member(s, child->name) : NULL;
		size_t old;

		if (child->flags & SC_KIND)
			continue; /* read by the list item before its fields */
		if (kind >= 0 && !sc_used_by_kind(child, kind))
			m = NULL;
		old = sc_path_push(path, child->name);
		fill_node(L, child, m, s ? s : anchor, base, path);
		sc_path_pop(path, old);
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
		      const struct cf_setting *s, char *base, struct path *path)
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
	if (s->type == CF_ARRAY && cf_length(s) == 0)
		n = 0; /* [] is as empty as () */
	else if (s->type != CF_LIST) {
		sc_report(L, s, path->buf, "must be a list ( { ... }, ... ), got %s", DESCRIBE(s));
		return;
	} else
		n = cf_length(s);
	if (n > (int)node->max) {
		sc_report(L, s, path->buf, "must have at most %.0f items, got %d", node->max, n);
		return;
	}
	if (n == 0 && (node->flags & SC_REQUIRED)) {
		sc_report(L, s, path->buf, "must have at least one item, got none");
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct cf_setting *item = cf_elem(s, (unsigned)i);
		char *ib = items + (size_t)i * node->item_size;
		size_t old = sc_path_push_index(path, (size_t)i);
		int kind = -1;

		if (!cf_is_group(item)) {
			sc_report(L, item, path->buf, "must be a group { ... }, got %s",
			       DESCRIBE(item));
			sc_path_pop(path, old);
			continue;
		}
		if (kind_node) {
			const struct cf_setting *k = cf_member(item, kind_node->name);
			size_t o2 = sc_path_push(path, kind_node->name);
			if (!k)
				sc_report(L, item, path->buf, "required setting is missing");
			else if (get_enum(L, k, path->buf, kind_node->names, kind_node->nnames, &kind))
				put_int(ib + kind_node->offset, kind);
			sc_path_pop(path, o2);
			if (kind < 0) {
				/* Without a kind the fields cannot be judged; still flag
				 * names no kind knows. */
				sc_fill_group(L, node, item, item, ib, path, -2);
				sc_path_pop(path, old);
				continue;
			}
		}
		sc_fill_group(L, node, item, item, ib, path, kind);
		if (key) {
			const char *id = ib + key->offset;
			size_t first;
			if (*id && same_id_before(items + key->offset, node->item_size, (size_t)i,
						  id, &first)) {
				const struct cf_setting *k = cf_member(item, key->name);
				size_t o2 = sc_path_push(path, key->name);
				sc_report(L, k ? k : item, path->buf,
				       "must be unique, got \"%s\" again (first at [%zu])", id, first);
				sc_path_pop(path, o2);
			}
		}
		sc_path_pop(path, old);
	}
	*count = (size_t)n;
}

static void fill_region_set(struct loader *L, const struct cf_setting *s,
			    struct ur_region_set *set, struct path *path)
{
	char found[96];
	bool seen[UR_MAX_REGIONS] = { false };
	int n;

	if (s->type != CF_ARRAY && s->type != CF_LIST) {
		sc_report(L, s, path->buf, "must be an array of region ids [ \"ID\", ... ], got %s",
		       DESCRIBE(s));
		return;
	}
	n = cf_length(s);
	if (n == 0) {
		sc_report(L, s, path->buf,
		       "must name at least one region (leave it out for all), got an empty list");
		return;
	}
	set->all = false;
	set->n = 0;
	for (int i = 0; i < n; i++) {
		const struct cf_setting *e = cf_elem(s, (unsigned)i);
		size_t old = sc_path_push_index(path, (size_t)i);
		int r = get_region(L, e, path->buf);
		if (r != UR_NONE) {
			if (seen[r])
				sc_report(L, e, path->buf, "must not repeat a region, got %s again",
				       DESCRIBE(e));
			seen[r] = true;
		}
		sc_path_pop(path, old);
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

/* The table a column-set node names (its `def`, enum ur_table). */
static enum ur_table column_set_table(const struct sc_node *node)
{
	return (enum ur_table)(int)node->def;
}

/* Column names of the node's table, each once (the writer adds the key columns). */
static void fill_column_set(struct loader *L, const struct cf_setting *s,
			    const struct sc_node *node, struct ur_column_set *set,
			    struct path *path)
{
	enum ur_table table = column_set_table(node);
	const struct ur_column *columns;
	size_t ncolumns = ur_table_columns(table, &columns);
	const char *names[64];
	char dym[96], found[96];
	int n;

	assert(ncolumns <= 64);
	if (s->type != CF_ARRAY && s->type != CF_LIST) {
		sc_report(L, s, path->buf, "must be an array of column names [ \"NAME\", ... ], "
			  "got %s", DESCRIBE(s));
		return;
	}
	for (size_t i = 0; i < ncolumns; i++)
		names[i] = columns[i].name;
	set->given = true;
	set->n = 0;
	uint64_t seen = 0;
	n = cf_length(s);
	for (int i = 0; i < n; i++) {
		const struct cf_setting *e = cf_elem(s, (unsigned)i);
		size_t old = sc_path_push_index(path, (size_t)i);
		long c = e->type == CF_STRING ? ur_table_column_index(table, e->value.sval) : -1;
		if (e->type != CF_STRING) {
			sc_report(L, e, path->buf, "must be a column name of %s, got %s",
				  ur_table_file(table), DESCRIBE(e));
		} else if (c < 0) {
			sc_did_you_mean(sc_closest(e->value.sval, names, ncolumns), dym, sizeof dym);
			sc_report(L, e, path->buf, "must be a column name of %s, got %s%s",
				  ur_table_file(table), DESCRIBE(e), dym);
		} else {
			uint64_t bit = UINT64_C(1) << c;
			if (seen & bit)
				sc_report(L, e, path->buf, "must not repeat a column, got %s again",
					  DESCRIBE(e));
			else if (set->n < UR_MAX_COLUMNS)
				snprintf(set->names[set->n++], UR_ID_SIZE, "%s", columns[c].name);
			seen |= bit;
		}
		sc_path_pop(path, old);
	}
}

static int find_action(const struct loader *L, const char *id)
{
	if (!L->actions || L->actions->type != CF_LIST)
		return UR_NONE;
	for (int i = 0; i < cf_length(L->actions); i++) {
		const struct cf_setting *item = cf_elem(L->actions, (unsigned)i);
		const struct cf_setting *m = cf_is_group(item)
						    ? cf_member(item, "id")
						    : NULL;
		if (m && m->type == CF_STRING && strcmp(m->value.sval, id) == 0)
			return i;
	}
	return UR_NONE;
}

static const char *closest_action(const struct loader *L, const char *id)
{
	const char *names[UR_MAX_ACTIONS];
	size_t n = 0;
	if (!L->actions || L->actions->type != CF_LIST)
		return NULL;
	for (int i = 0; i < cf_length(L->actions) && n < UR_MAX_ACTIONS; i++) {
		const struct cf_setting *item = cf_elem(L->actions, (unsigned)i);
		const struct cf_setting *m = cf_is_group(item)
						    ? cf_member(item, "id")
						    : NULL;
		if (m && m->type == CF_STRING)
			names[n++] = m->value.sval;
	}
	return sc_closest(id, names, n);
}

static void fill_facilities(struct loader *L, const struct sc_node *node,
			    const struct cf_setting *s, char *base, struct path *path)
{
	char found[96], dym[96];
	int region = UR_NONE;
	size_t *count = (size_t *)(base + node->count_offset);
	int *idx = (int *)(base + node->offset);
	int n;

	/* The facilities belong to the region named by a sibling read before them. */
	memcpy(&region, base + node->region_offset, sizeof region);
	*count = 0;
	if (s->type != CF_ARRAY && s->type != CF_LIST) {
		sc_report(L, s, path->buf, "must be an array of facility ids [ \"ID\", ... ], got %s",
		       DESCRIBE(s));
		return;
	}
	n = cf_length(s);
	if (n > (int)node->max) {
		sc_report(L, s, path->buf, "must have at most %.0f items, got %d", node->max, n);
		return;
	}
	if (n > 0 && region == UR_NONE) {
		if (L->regions_ok)
			sc_report(L, s, path->buf, "needs elite.region to name the facilities' region");
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct cf_setting *e = cf_elem(s, (unsigned)i);
		const struct ur_region *r = &L->p->regions[region];
		size_t old = sc_path_push_index(path, (size_t)i);
		int f = UR_NONE;

		if (e->type != CF_STRING) {
			sc_report(L, e, path->buf, "must be a facility id, got %s", DESCRIBE(e));
		} else {
			const char *names[UR_MAX_FACILITIES];
			for (size_t k = 0; k < r->nfacilities; k++) {
				names[k] = r->facilities[k].id;
				if (strcmp(r->facilities[k].id, e->value.sval) == 0)
					f = (int)k;
			}
			if (f == UR_NONE) {
				sc_did_you_mean(sc_closest(e->value.sval, names, r->nfacilities), dym,
					     sizeof dym);
				sc_report(L, e, path->buf, "must be a facility of region %s, got %s%s",
				       r->id, DESCRIBE(e), dym);
			}
			for (int k = 0; k < i && f != UR_NONE; k++) {
				if (idx[k] == f) {
					sc_report(L, e, path->buf,
					       "must not repeat a facility, got %s again", DESCRIBE(e));
					f = UR_NONE;
				}
			}
		}
		idx[i] = f;
		sc_path_pop(path, old);
	}
	*count = (size_t)n;
}

static void fill_default(struct loader *L, const struct sc_node *node,
			 const struct cf_setting *parent, char *base, struct path *path)
{
	char *at = base + node->offset;

	if (node->flags & SC_REQUIRED) {
		sc_report(L, parent, path->buf, "required setting is missing");
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
	case SC_COLUMNS:
		((struct ur_column_set *)at)->given = false;
		((struct ur_column_set *)at)->n = 0;
		break;
	case SC_FACILITIES:
		*(size_t *)(base + node->count_offset) = 0;
		break;
	case SC_GROUP:
		sc_fill_group(L, node, NULL, parent, at, path, -1);
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
		      const struct cf_setting *s, const struct cf_setting *parent,
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
		if (!cf_is_group(s)) {
			sc_report(L, s, path->buf, "must be a group { ... }, got %s", DESCRIBE(s));
			sc_fill_group(L, node, NULL, s, at, path, -1);
		} else {
			sc_fill_group(L, node, s, s, at, path, -1);
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
		if (s->type != CF_BOOL)
			sc_report(L, s, path->buf, "must be true or false, got %s", DESCRIBE(s));
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
		if (v && (node->flags & SC_CSV_WORD) && sc_reads_as_missing(v))
			sc_report(L, s, path->buf, "must not be a word R or pandas reads as a "
				  "missing value (NA, NaN, null, None, in any case), got %s",
				  DESCRIBE(s));
		else if (v)
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
			sc_report(L, s, path->buf,
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
	case SC_COLUMNS:
		fill_column_set(L, s, node, (struct ur_column_set *)at, path);
		break;
	case SC_ACTION: {
		char dym[96];
		int a = UR_NONE;
		if (s->type != CF_STRING) {
			sc_report(L, s, path->buf, "must be an action id, got %s", DESCRIBE(s));
		} else {
			a = find_action(L, s->value.sval);
			if (a == UR_NONE) {
				sc_did_you_mean(closest_action(L, s->value.sval), dym, sizeof dym);
				sc_report(L, s, path->buf, "must be the id of an action, got %s%s",
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

