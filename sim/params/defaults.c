/*
 * defaults.c: every setting at its schema default (params.h, ur_params_defaults), and
 * list items at theirs (ur_params_add): the same table the loader reads, so a test or
 * program that starts here gets what a scenario file that leaves a setting out gets.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "schema.h"
#include "unrest/params.h"

static void all_regions(struct ur_region_set *set, size_t nregions)
{
	set->all = true;
	set->n = nregions;
	for (size_t r = 0; r < nregions; r++)
		set->idx[r] = (int)r;
}

static void default_dist(struct ur_dist *d, const struct sc_dist_default *dd)
{
	*d = ur_dist_make(dd->family);
	for (size_t i = 0; i < dd->n; i++)
		*(double *)((char *)d + sc_dist_param(dd->p[i].param)->offset) = dd->p[i].value;
}

static void fill_group(const struct sc_node *node, char *base, size_t nregions);

/* The loader's default of one setting (sim/scenario/fill.c fill_default), for a
 * scenario of nregions regions. */
static void fill_node(const struct sc_node *node, char *base, size_t nregions)
{
	char *at = base + node->offset;
	int none = UR_NONE;

	if (node->flags & SC_REQUIRED)
		return;
	if (node->flags & SC_OPTIONAL) {
		if (node->has_offset != SC_NO_FLAG)
			*(bool *)(base + node->has_offset) = false;
		else if (node->type == SC_REAL && !(node->flags & SC_TRIGGER))
			*(double *)at = (double)NAN;
		else if (node->type == SC_REGION || node->type == SC_ACTION)
			memcpy(at, &none, sizeof none);
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
	case SC_ENUM: {
		int v = (int)node->def;
		memcpy(at, &v, sizeof v);
		break;
	}
	case SC_DIST:
		default_dist((struct ur_dist *)at, node->ddef);
		break;
	case SC_REGION: {
		int v = (node->flags & SC_FIRST_REGION) && nregions ? 0 : UR_NONE;
		memcpy(at, &v, sizeof v);
		break;
	}
	case SC_REGIONS:
		all_regions((struct ur_region_set *)at, nregions);
		break;
	case SC_COLUMNS:
		((struct ur_column_set *)at)->given = false;
		((struct ur_column_set *)at)->n = 0;
		break;
	case SC_FACILITIES:
	case SC_LIST:
		*(size_t *)(base + node->count_offset) = 0;
		break;
	case SC_GROUP:
		fill_group(node, at, nregions);
		break;
	case SC_ID:
	case SC_TIME:
	case SC_ACTION:
		break; /* always required or optional */
	}
}

static void fill_group(const struct sc_node *node, char *base, size_t nregions)
{
	for (size_t i = 0; i < node->nchildren; i++)
		fill_node(&node->children[i], base, nregions);
}

void ur_params_defaults(struct ur_params *p)
{
	memset(p, 0, sizeof *p);
	fill_group(sc_schema_root(), (char *)p, 0);
}

/* Widens every `all` region set under node (at base) to nregions regions. */
static void widen(const struct sc_node *node, char *base, size_t nregions)
{
	for (size_t i = 0; i < node->nchildren; i++) {
		const struct sc_node *c = &node->children[i];
		char *at = base + c->offset;
		if (c->type == SC_REGIONS && ((struct ur_region_set *)at)->all) {
			all_regions((struct ur_region_set *)at, nregions);
		} else if (c->type == SC_GROUP) {
			widen(c, at, nregions);
		} else if (c->type == SC_LIST) {
			size_t count;
			memcpy(&count, base + c->count_offset, sizeof count);
			for (size_t k = 0; k < count; k++)
				widen(c, at + k * c->item_size, nregions);
		}
	}
}

void *ur_params_add(struct ur_params *p, const char *list)
{
	struct sc_segment seg[4];
	size_t nseg;
	const struct sc_node *node = sc_schema_root();
	char *base = (char *)p;

	if (sc_split_path(list, seg, 4, &nseg) != 0)
		return NULL;
	for (size_t i = 0; i < nseg; i++) {
		const struct sc_node *c = seg[i].bracket ? NULL : sc_child(node, seg[i].text);
		if (!c || (c->type != SC_GROUP && c->type != SC_LIST) ||
		    (c->type == SC_LIST) != (i + 1 == nseg))
			return NULL;
		if (c->type == SC_GROUP)
			base += c->offset;
		node = c;
	}
	size_t *count = (size_t *)(base + node->count_offset);
	if (*count >= (size_t)node->max)
		return NULL;
	char *item = base + node->offset + *count * node->item_size;
	memset(item, 0, node->item_size);
	(*count)++;
	fill_group(node, item, p->nregions);
	if (node == sc_child(sc_schema_root(), "regions"))
		widen(sc_schema_root(), (char *)p, p->nregions);
	if ((char *)item >= (char *)p->government.actions &&
	    (char *)item < (char *)(p->government.actions + UR_MAX_ACTIONS)) {
		/* What the loader gives an action whose trigger is `at` hour 0 (cross.c
		 * check_actions): no region watched, no action followed. */
		struct ur_action *a = (struct ur_action *)(void *)item;
		a->trigger.kind = UR_TRIGGER_AT;
		a->trigger.at_h = 0.0;
		a->trigger.region = UR_NONE;
		a->trigger.after = UR_NONE;
	}
	return item;
}
