/*
 * override.c: an override PATH=VALUE applied straight to a struct ur_params through
 * the schema (path -> node -> field offset), with no file and no tree: the fast path
 * by which a sweep point (the sweep's scenario plus its values) is checked and built,
 * a few microseconds a point instead of a reload.
 *
 * It accepts exactly what the scenario loader would accept for the same --set, and
 * leaves the same params; whatever it cannot judge that way it declines (-1, params
 * unchanged), and the loader then judges the override on the scenario's tree, with
 * its messages (sim/scenario/load.c, ur_scenario_derive). It declines: paths the
 * schema does not know, values of the wrong type or out of range, ids, an action's
 * kind or trigger (but the settings inside the `when` of an action whose trigger is
 * `when`: its threshold and hold, which a calibration fits and a posterior draws),
 * region and action references, region lists, facilities, times,
 * strings beyond printable ASCII, file paths (scenario.record), a distribution's
 * family, a parameter its family does not take or one that leaves it invalid, an
 * optional distribution or group that is absent, and fields an action's kind does
 * not use.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "unrest/params.h"

int sc_split_path(const char *path, struct sc_segment *seg, size_t max, size_t *n)
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

static bool number_start(const char *v)
{
	const char *digits = v + (*v == '+' || *v == '-');
	return ((*digits >= '0' && *digits <= '9') || *digits == '.') &&
	       !strpbrk(v, "xX");
}

bool sc_parse_double(const char *v, double *out)
{
	char *end;
	if (!number_start(v))
		return false;
	errno = 0;
	*out = strtod(v, &end);
	return *end == '\0' && errno == 0 && isfinite(*out);
}

bool sc_parse_ll(const char *v, long long *out)
{
	char *end;
	if (!number_start(v))
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return *end == '\0' && errno == 0;
}

/* The loader's range check of a real (fill.c check_range). */
static bool real_in_range(const struct sc_node *node, double v)
{
	bool min_open = node->flags & SC_MIN_OPEN, max_open = node->flags & SC_MAX_OPEN;
	if (min_open ? !(v > node->min) : !(v >= node->min))
		return false;
	if (node->max < 9.2e18 && (max_open ? !(v < node->max) : !(v <= node->max)))
		return false;
	return true;
}

/* The loader's range check of an integer (fill.c get_integer). */
static bool integer_in_range(const struct sc_node *node, long long v)
{
	if (node->flags & SC_MIN_OPEN ? !((double)v > node->min) : !((double)v >= node->min))
		return false;
	return !(node->max < 9.2e18 && (double)v > node->max);
}

static const struct sc_node *flagged_child(const struct sc_node *node, unsigned flag)
{
	for (size_t i = 0; i < node->nchildren; i++)
		if (node->children[i].flags & flag)
			return &node->children[i];
	return NULL;
}

/* The item of a list addressed by "[N]" or "[id]"; NULL when there is none. */
static char *find_item(const struct sc_node *list, char *parent, const char *text)
{
	size_t count;
	char *items = parent + list->offset;

	memcpy(&count, parent + list->count_offset, sizeof count);
	if (text[0] >= '0' && text[0] <= '9') {
		char *end;
		unsigned long i = strtoul(text, &end, 10);
		return *end || i >= count ? NULL : items + i * list->item_size;
	}
	const struct sc_node *key = flagged_child(list, SC_KEY);
	if (!key)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (strcmp(items + i * list->item_size + key->offset, text) == 0)
			return items + i * list->item_size;
	return NULL;
}

static bool plain_text(const char *v, size_t max)
{
	size_t n = 0;
	for (; v[n]; n++)
		if ((unsigned char)v[n] < 0x20 || (unsigned char)v[n] > 0x7E)
			return false;
	return n <= max;
}

/* Sets the scalar `node` of the struct at base to value; false to decline. */
static bool set_scalar(const struct sc_node *node, char *base, const char *value)
{
	char *at = base + node->offset;
	char unquoted[256];
	size_t n = strlen(value);

	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		snprintf(unquoted, sizeof unquoted, "%.*s", (int)(n - 2), value + 1);
	} else {
		snprintf(unquoted, sizeof unquoted, "%s", value);
	}
	switch (node->type) {
	case SC_REAL: {
		double v;
		if (!sc_parse_double(value, &v) || !real_in_range(node, v))
			return false;
		*(double *)at = v;
		break;
	}
	case SC_INT:
	case SC_INT64: {
		long long v;
		if (!sc_parse_ll(value, &v) || !integer_in_range(node, v))
			return false;
		if (node->type == SC_INT) {
			*(unsigned *)at = (unsigned)v;
		} else {
			int64_t w = v;
			memcpy(at, &w, sizeof w);
		}
		break;
	}
	case SC_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return false;
		*(bool *)at = strcmp(value, "true") == 0;
		break;
	case SC_ENUM: {
		int found = -1;
		for (size_t i = 0; i < node->nnames; i++)
			if (node->names[i] && strcmp(unquoted, node->names[i]) == 0)
				found = (int)i;
		if (found < 0)
			return false;
		memcpy(at, &found, sizeof found);
		break;
	}
	case SC_STRING:
		/* A file path is resolved and its file read by the loader. */
		if (node->flags & SC_FILE_PATH)
			return false;
		if (strlen(value) >= sizeof unquoted || !plain_text(unquoted, (size_t)node->max))
			return false;
		snprintf(at, (size_t)node->max + 1, "%s", unquoted);
		break;
	default:
		return false;
	}
	if (node->has_offset != SC_NO_FLAG)
		*(bool *)(base + node->has_offset) = true;
	return true;
}

/* Sets parameter `name` of the distribution at d; false to decline. */
static bool set_dist_param(struct ur_dist *d, const char *name, const char *value)
{
	const struct sc_dist_family_info *fi = sc_dist_family(d->family);
	struct ur_dist changed = *d;
	struct ur_dist_error err;
	double v;
	bool takes = false;

	for (size_t i = 0; i < fi->nrequired + fi->noptional; i++) {
		enum sc_dist_param prm = i < fi->nrequired ? fi->required[i]
							   : fi->optional[i - fi->nrequired];
		const struct sc_dist_param_info *info = sc_dist_param(prm);
		if (prm == SC_DP_VALUES || prm == SC_DP_WEIGHTS || strcmp(info->name, name) != 0)
			continue;
		if (!sc_parse_double(value, &v))
			return false;
		*(double *)((char *)&changed + info->offset) = v;
		takes = true;
	}
	if (!takes || ur_dist_validate(&changed, &err) != 0)
		return false;
	*d = changed;
	return true;
}

int ur_params_set(struct ur_params *p, const char *set)
{
	struct sc_segment seg[16];
	size_t nseg;
	char pathtext[512];
	const char *eq = strchr(set, '=');
	const struct sc_node *node = sc_schema_root();
	char *base = (char *)p;
	int kind = -1;

	if (!eq || eq == set || (size_t)(eq - set) >= sizeof pathtext)
		return -1;
	snprintf(pathtext, sizeof pathtext, "%.*s", (int)(eq - set), set);
	if (sc_split_path(pathtext, seg, sizeof seg / sizeof seg[0], &nseg) != 0)
		return -1;
	const char *value = eq + 1;

	for (size_t i = 0; i < nseg; i++) {
		bool last = i + 1 == nseg;
		if (seg[i].bracket)
			return -1; /* only right after a list, below */
		const struct sc_node *child = sc_child(node, seg[i].text);
		/* Into the trigger in use when it is a `when` (base is the action: the
		 * trigger is a list item's child); never to another kind of trigger. */
		bool in_when = child && (child->flags & SC_TRIGGER) && child->type == SC_GROUP &&
			       ((const struct ur_action *)base)->trigger.kind == UR_TRIGGER_WHEN;
		if (!child || (child->flags & (SC_KEY | SC_KIND)) ||
		    ((child->flags & SC_TRIGGER) && !in_when) ||
		    (kind >= 0 && !sc_used_by_kind(child, kind)))
			return -1;
		if (child->has_offset != SC_NO_FLAG && child->type != SC_REAL &&
		    !*(bool *)(base + child->has_offset))
			return -1; /* an absent optional group or distribution */
		switch (child->type) {
		case SC_GROUP:
			if (last)
				return -1;
			base += child->offset;
			node = child;
			kind = -1;
			break;
		case SC_LIST: {
			if (last || !seg[i + 1].bracket || i + 2 == nseg)
				return -1;
			char *item = find_item(child, base, seg[i + 1].text);
			if (!item)
				return -1;
			const struct sc_node *kn = flagged_child(child, SC_KIND);
			kind = -1;
			if (kn)
				memcpy(&kind, item + kn->offset, sizeof kind);
			base = item;
			node = child;
			i++;
			break;
		}
		case SC_DIST: {
			if (i + 2 != nseg || seg[i + 1].bracket)
				return -1;
			struct ur_dist *d = (struct ur_dist *)(base + child->offset);
			if (!set_dist_param(d, seg[i + 1].text, value))
				return -1;
			if (child->has_offset != SC_NO_FLAG)
				*(bool *)(base + child->has_offset) = true;
			return 0;
		}
		default:
			if (!last)
				return -1;
			return set_scalar(child, base, value) ? 0 : -1;
		}
	}
	return -1;
}

/* The storage a path names in p, or NULL when it names none. Walks as ur_params_set
 * does, without its judgement of the value: every list item by [N] or [id] alike,
 * present or absent optional groups alike (their storage is there either way). A
 * lognormal's mu and median are one setting (mu = log median: exactly one of them is
 * given), located at median. */
static const char *locate(const struct ur_params *p, const char *path)
{
	struct sc_segment seg[16];
	size_t nseg;
	const struct sc_node *node = sc_schema_root();
	char *base = (char *)(uintptr_t)p;

	if (sc_split_path(path, seg, sizeof seg / sizeof seg[0], &nseg) != 0)
		return NULL;
	for (size_t i = 0; i < nseg; i++) {
		bool last = i + 1 == nseg;
		if (seg[i].bracket)
			return NULL;
		const struct sc_node *child = sc_child(node, seg[i].text);
		if (!child)
			return NULL;
		switch (child->type) {
		case SC_GROUP:
			if (last)
				return NULL;
			base += child->offset;
			node = child;
			break;
		case SC_LIST: {
			if (last || !seg[i + 1].bracket || i + 2 == nseg)
				return NULL;
			base = find_item(child, base, seg[i + 1].text);
			if (!base)
				return NULL;
			node = child;
			i++;
			break;
		}
		case SC_DIST: {
			if (i + 2 != nseg || seg[i + 1].bracket)
				return NULL;
			for (int k = 0; k < SC_DP_COUNT; k++) {
				enum sc_dist_param prm = (enum sc_dist_param)k;
				if (strcmp(sc_dist_param(prm)->name, seg[i + 1].text) != 0)
					continue;
				if (prm == SC_DP_MU)
					prm = SC_DP_MEDIAN;
				return base + child->offset + sc_dist_param(prm)->offset;
			}
			return NULL;
		}
		default:
			return last ? base + child->offset : NULL;
		}
	}
	return NULL;
}

int ur_params_same_setting(const struct ur_params *p, const char *a, const char *b)
{
	const char *x = locate(p, a);
	return x && x == locate(p, b);
}
