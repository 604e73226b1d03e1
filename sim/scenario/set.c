/*
 * set.c: the --set overrides, applied to the merged tree before the schema walk, so
 * that an override is checked exactly as the same setting in a file would be. PATH is
 * a message's path (`a.b.[N].c`, or `[id]` for list items with an id); a
 * distribution group absent from the file is first written out with its default.
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

/* ---- --set -------------------------------------------------------------------------- */

static void stamp_new(struct cf_setting *s, const struct sc_file *f)
{
	s->file = f->name;
	s->line = 0;
	s->hook = NULL;
}

static struct cf_setting *add_stamped(struct loader *L, struct cf_setting *parent,
				     const char *name, int type, const struct sc_file *f)
{
	struct cf_setting *s = cf_add(parent, name, type);
	if (!s) {
		L->nomem = true;
		return NULL;
	}
	stamp_new(s, f);
	return s;
}

/* Writes a distribution's default into an empty group, so that --set can change one
 * of its parameters. */
static bool materialize_dist(struct loader *L, struct cf_setting *g,
			     const struct sc_dist_default *dd, const struct sc_file *f)
{
	struct cf_setting *s = add_stamped(L, g, "dist", CF_STRING, f);
	if (!s || !cf_set_string(s, ur_dist_family_name(dd->family)))
		return false;
	for (size_t i = 0; i < dd->n; i++) {
		s = add_stamped(L, g, sc_dist_param(dd->p[i].param)->name, CF_FLOAT, f);
		if (!s)
			return false;
		cf_set_float(s, dd->p[i].value);
	}
	return true;
}

enum value_kind { V_NUMBER, V_INTEGER, V_BOOL, V_STRING };

/* Replaces (or adds) member `name` of g with the typed value; false after a message. */
static bool put_value(struct loader *L, struct cf_setting *g, const char *name,
		      enum value_kind vk, const char *value, const char *set, const char *path,
		      const struct sc_file *f)
{
	struct cf_setting *s;
	double d = 0;
	long long ll = 0;
	int type;
	char unq[256];

	switch (vk) {
	case V_NUMBER:
		if (!sc_parse_double(value, &d)) {
			sc_report_usage(L, set, path, "must be a finite number, got \"%s\"", value);
			return false;
		}
		type = CF_FLOAT;
		break;
	case V_INTEGER:
		if (!sc_parse_ll(value, &ll)) {
			sc_report_usage(L, set, path, "must be an integer, got \"%s\"", value);
			return false;
		}
		type = ll >= INT_MIN && ll <= INT_MAX ? CF_INT : CF_INT64;
		break;
	case V_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			sc_report_usage(L, set, path, "must be true or false, got \"%s\"", value);
			return false;
		}
		type = CF_BOOL;
		break;
	case V_STRING:
	default: {
		size_t n = strlen(value);
		if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
			snprintf(unq, sizeof unq, "%.*s", (int)(n - 2), value + 1);
			value = unq;
		}
		type = CF_STRING;
		break;
	}
	}
	if (cf_member(g, name))
		cf_remove(g, name);
	s = add_stamped(L, g, name, type, f);
	if (!s)
		return false;
	switch (type) {
	case CF_FLOAT:
		cf_set_float(s, d);
		break;
	case CF_INT:
		cf_set_int(s, (int)ll);
		break;
	case CF_INT64:
		cf_set_int64(s, ll);
		break;
	case CF_BOOL:
		cf_set_bool(s, strcmp(value, "true") == 0);
		break;
	default:
		if (!cf_set_string(s, value)) {
			L->nomem = true;
			return false;
		}
		break;
	}
	return true;
}

/* The item of list s addressed by seg: "[3]" or "[id]". */
static struct cf_setting *find_item(struct loader *L, struct cf_setting *s,
				   const struct sc_node *node, const struct sc_segment *seg,
				   const char *set, const char *path)
{
	const struct sc_node *key = NULL;
	int n = s->type == CF_LIST ? cf_length(s) : 0;
	const char *ids[UR_MAX_ACTIONS + UR_MAX_REGIONS];
	size_t nids = 0;

	if (seg->text[0] >= '0' && seg->text[0] <= '9') {
		char *end;
		unsigned long i = strtoul(seg->text, &end, 10);
		if (*end || i >= (unsigned long)n) {
			sc_report_usage(L, set, path, "must address one of the %d items, got [%s]", n,
				     seg->text);
			return NULL;
		}
		return cf_elem(s, (unsigned)i);
	}
	for (size_t i = 0; i < node->nchildren; i++)
		if (node->children[i].flags & SC_KEY)
			key = &node->children[i];
	if (!key) {
		sc_report_usage(L, set, path, "must address one of the %d items by index, got [%s]",
				n, seg->text);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		struct cf_setting *item = cf_elem(s, (unsigned)i);
		struct cf_setting *k = cf_is_group(item)
					      ? cf_member(item, key->name)
					      : NULL;
		if (k && k->type == CF_STRING) {
			if (strcmp(k->value.sval, seg->text) == 0)
				return item;
			if (nids < sizeof ids / sizeof ids[0])
				ids[nids++] = k->value.sval;
		}
	}
	{
		char dym[96];
		sc_did_you_mean(sc_closest(seg->text, ids, nids), dym, sizeof dym);
		sc_report_usage(L, set, path, "must address an item by index or %s, got [%s]%s",
			     key->name, seg->text, dym);
	}
	return NULL;
}

/* The kind of an action item in the tree, or -1. */
static int item_kind(const struct cf_setting *item, const struct sc_node *list)
{
	for (size_t k = 0; k < list->nchildren; k++) {
		const struct sc_node *c = &list->children[k];
		const struct cf_setting *ks;
		if (!(c->flags & SC_KIND))
			continue;
		ks = cf_member(item, c->name);
		for (size_t e = 0; ks && ks->type == CF_STRING && e < c->nnames; e++)
			if (strcmp(ks->value.sval, c->names[e]) == 0)
				return (int)e;
	}
	return -1;
}

/* Applies one --set to a scalar of the schema set in a distribution group. */
static void set_in_dist(struct loader *L, struct cf_setting *s, const char *name,
			const char *value, const char *set, const char *shown,
			const struct sc_file *f)
{
	int prm = sc_param_by_name(name);

	if (strcmp(name, "dist") == 0) {
		const char *old_family = sc_dist_name_of(s);
		enum ur_dist_family fam = ur_dist_family_from_name(value);
		bool changed = !old_family || strcmp(old_family, value) != 0;

		if (!put_value(L, s, "dist", V_STRING, value, set, shown, f))
			return;
		/* A new family drops the parameters the old one had. */
		if (fam != UR_DIST_FAMILY_COUNT && changed) {
			const struct sc_dist_family_info *fi = sc_dist_family(fam);
			for (int k = cf_length(s) - 1; k >= 0; k--) {
				struct cf_setting *m = cf_elem(s, (unsigned)k);
				int p2 = sc_param_by_name(m->name);
				if (p2 >= 0 && !sc_family_takes(fi, (enum sc_dist_param)p2))
					cf_remove_elem(s, (unsigned)k);
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
		sc_did_you_mean(sc_closest(name, cand, SC_DP_COUNT + 1), dym, sizeof dym);
		sc_report_usage(L, set, shown, "must be dist or a distribution parameter%s", dym);
		return;
	}
	if (prm == SC_DP_VALUES || prm == SC_DP_WEIGHTS) {
		sc_report_usage(L, set, shown, "is an array, --set takes a scalar setting");
		return;
	}
	put_value(L, s, name, V_NUMBER, value, set, shown, f);
}

void sc_apply_set(struct loader *L, struct cf_setting *cfg, const char *set)
{
	struct sc_segment seg[16];
	size_t nseg = 0;
	const char *eq = strchr(set, '=');
	const char *value;
	char pathtext[PATH_SIZE];
	struct path shown = { .len = 0 };
	const struct sc_node *node = sc_schema_root();
	struct cf_setting *s = cfg;
	struct sc_file *f;
	bool in_item = false;
	int kind = -1;

	shown.buf[0] = '\0';
	if (!eq || eq == set || (size_t)(eq - set) >= sizeof pathtext) {
		sc_report_usage(L, set, "", "must be PATH=VALUE");
		return;
	}
	value = eq + 1;
	snprintf(pathtext, sizeof pathtext, "%.*s", (int)(eq - set), set);
	if (sc_split_path(pathtext, seg, sizeof seg / sizeof seg[0], &nseg) != 0) {
		sc_report_usage(L, set, "", "must be PATH=VALUE with PATH like a.b.[N].c, got \"%s\"",
			     pathtext);
		return;
	}
	f = sc_add_file(L, "", FILE_SET);
	if (!f)
		return;
	free(f->name);
	f->name = sc_format("--set %s", set);
	if (!f->name) {
		L->nomem = true;
		return;
	}

	for (size_t i = 0; i < nseg; i++) {
		bool last = i + 1 == nseg;
		const struct sc_node *child;
		struct cf_setting *m;
		char bracket[sizeof seg->text + 2];

		if (seg[i].bracket) {
			snprintf(bracket, sizeof bracket, "[%.63s]", seg[i].text);
			sc_path_push(&shown, bracket);
			if (node->type != SC_LIST || in_item) {
				sc_report_usage(L, set, shown.buf, "must be a name: the setting before it "
							    "is not a list");
				return;
			}
			m = find_item(L, s, node, &seg[i], set, shown.buf);
			if (!m)
				return;
			if (!cf_is_group(m)) {
				sc_report_usage(L, set, shown.buf, "is not a group in the file");
				return;
			}
			if (last) {
				sc_report_usage(L, set, shown.buf,
					     "is a list item, --set takes a scalar setting");
				return;
			}
			kind = item_kind(m, node);
			s = m;
			in_item = true;
			continue;
		}
		sc_path_push(&shown, seg[i].text);
		if (node->type == SC_LIST && !in_item) {
			sc_report_usage(L, set, shown.buf,
				     "must be an item [N] or [id]: the setting before it is a list");
			return;
		}
		if (node->type == SC_DIST) {
			if (!last) {
				sc_report_usage(L, set, shown.buf, "is not a group");
				return;
			}
			set_in_dist(L, s, seg[i].text, value, set, shown.buf, f);
			return;
		}
		if (cf_is_root(s) && strcmp(seg[i].text, "base") == 0) {
			sc_report_usage(L, set, shown.buf, "cannot be set on the command line");
			return;
		}
		child = sc_child(node, seg[i].text);
		if (!child) {
			char dym[96], full[PATH_SIZE + sizeof seg->text + 2];
			snprintf(full, sizeof full, "%.500s%s%.63s", shown.buf, *shown.buf ? "." : "",
				 seg[i].text);
			/* shown may already name the setting, or only its parent */
			const char *replaced = sc_replaced(shown.buf);
			if (!replaced)
				replaced = sc_replaced(full);
			else
				snprintf(full, sizeof full, "%.500s", shown.buf);
			sc_did_you_mean(sc_closest_child(node, seg[i].text), dym, sizeof dym);
			if (replaced)
				sc_report_usage(L, set, full, "%s", replaced);
			else
				sc_report_usage(L, set, shown.buf, "unknown setting%s", dym);
			return;
		}
		if (in_item && kind >= 0 && !sc_used_by_kind(child, kind)) {
			sc_report_usage(L, set, shown.buf, "not used by kind \"%s\"",
				     ur_action_kind_name((enum ur_action_kind)kind));
			return;
		}
		in_item = false;
		m = cf_member(s, child->name);
		switch (child->type) {
		case SC_GROUP:
		case SC_DIST:
			if (last) {
				sc_report_usage(L, set, shown.buf,
					     "is a group, --set takes a scalar setting");
				return;
			}
			if (m && !cf_is_group(m)) {
				sc_report_usage(L, set, shown.buf, "is not a group in the file");
				return;
			}
			if (!m) {
				m = add_stamped(L, s, child->name, CF_GROUP, f);
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
				sc_report_usage(L, set, shown.buf,
					     "is a list, --set takes a scalar setting");
				return;
			}
			if (!m) {
				sc_report_usage(L, set, shown.buf, "has no items to address");
				return;
			}
			s = m;
			node = child;
			break;
		case SC_REGIONS:
		case SC_COLUMNS:
		case SC_FACILITIES:
			sc_report_usage(L, set, shown.buf, "is an array, --set takes a scalar setting");
			return;
		default: {
			enum value_kind vk = child->type == SC_REAL ? V_NUMBER
					     : child->type == SC_INT || child->type == SC_INT64
						     ? V_INTEGER
					     : child->type == SC_BOOL ? V_BOOL
								       : V_STRING;
			if (!last) {
				sc_report_usage(L, set, shown.buf, "is not a group");
				return;
			}
			put_value(L, s, child->name, vk, value, set, shown.buf, f);
			return;
		}
		}
	}
}

