/*
 * print.c: the resolved scenario as libconfig text, and the reference page's table,
 * both by walking the schema (schema.c).
 *
 * The printout is canonical: every setting in schema order, each real in the shortest
 * form that strtod reads back to the same double (with ".0" on integral values, so
 * that libconfig reads a float), optional settings only when given, fields an action's
 * kind does not use left out. Loading it gives the same struct ur_params, and printing
 * that gives the same bytes, which is what makes its hash an identity.
 */
#include <assert.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "unrest/params.h"

/* "%.*g" (or, fixed, "%.*f") of value into buf. Written wide first: the compiler
 * cannot see that a double at these precisions takes at most 25 bytes. */
static void put_real(char buf[SC_REAL_TEXT_SIZE], bool fixed, int precision, double value)
{
	char wide[400];
	int n = fixed ? snprintf(wide, sizeof wide, "%.*f", precision, value)
		      : snprintf(wide, sizeof wide, "%.*g", precision, value);
	size_t len = n < 0 ? 0 : (size_t)n < SC_REAL_TEXT_SIZE ? (size_t)n : SC_REAL_TEXT_SIZE - 1;
	memcpy(buf, wide, len);
	buf[len] = '\0';
}

char *sc_format_real(double value, bool force_point, char buf[SC_REAL_TEXT_SIZE])
{
	/* Shortest round trip by trying precisions: C has no "%shortest" conversion and
	 * 17 significant digits always suffice for a double. Whether p digits read back
	 * is monotone in p (the nearest p+1-digit decimal is at least as near as the
	 * nearest p-digit one), so a bisection finds the fewest in five tries. */
	int lo = 1, hi = 17;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		put_real(buf, false, mid, value);
		if (strtod(buf, NULL) == value)
			hi = mid;
		else
			lo = mid + 1;
	}
	int precision = lo;
	put_real(buf, false, precision, value);
	/* %g writes 500 as 5e+02; below 1e16 plain digits read better and are exact. */
	if (strchr(buf, 'e') && fabs(value) >= 1.0 && fabs(value) < 1e16) {
		int exponent = (int)floor(log10(fabs(value)));
		int decimals = precision - 1 - exponent;
		put_real(buf, true, decimals > 0 ? decimals : 0, value);
		if (strtod(buf, NULL) != value) /* log10 rounding at a power of ten */
			put_real(buf, false, precision, value);
	}
	if (force_point && !strpbrk(buf, ".eEni"))
		strncat(buf, ".0", SC_REAL_TEXT_SIZE - strlen(buf) - 1);
	return buf;
}

/* ---- the printout ------------------------------------------------------------------- */

struct printer {
	FILE *f;
	const struct ur_params *p;
	int depth;
};

static void indent(struct printer *pr)
{
	for (int i = 0; i < pr->depth; i++)
		fputs("  ", pr->f);
}

/* Scenario strings hold no control characters (fill.c refuses them), so this is the
 * quoting the printout always had: backslash and quote escaped. */
static void put_string(FILE *f, const char *s)
{
	ur_config_string_write(f, s);
}

static void put_unit(struct printer *pr, const struct sc_node *node)
{
	if (node->unit && *node->unit && strcmp(node->unit, "1") != 0)
		fprintf(pr->f, "  # %s", node->unit);
	fputc('\n', pr->f);
}

static void put_dist_param(FILE *f, const struct ur_dist *d, enum sc_dist_param prm)
{
	char real[SC_REAL_TEXT_SIZE];
	const struct sc_dist_param_info *info = sc_dist_param(prm);

	fprintf(f, " %s = ", info->name);
	if (prm == SC_DP_VALUES || prm == SC_DP_WEIGHTS) {
		const double *a = prm == SC_DP_VALUES ? d->values : d->weights;
		fputs("[", f);
		for (size_t i = 0; i < d->count; i++)
			fprintf(f, "%s%s", i ? ", " : " ", sc_format_real(a[i], true, real));
		fputs(" ];", f);
	} else {
		double v = *(const double *)((const char *)d + info->offset);
		fprintf(f, "%s;", sc_format_real(v, true, real));
	}
}

static void put_dist(FILE *f, const struct ur_dist *d)
{
	const struct sc_dist_family_info *fi = sc_dist_family(d->family);

	fprintf(f, "{ dist = \"%s\";", ur_dist_family_name(d->family));
	if (d->family == UR_DIST_LOGNORMAL) {
		/* the parameter the file gave: median, else mu */
		put_dist_param(f, d, isnan(d->median) ? SC_DP_MU : SC_DP_MEDIAN);
		put_dist_param(f, d, SC_DP_SIGMA);
	} else {
		for (size_t i = 0; i < fi->nrequired; i++)
			put_dist_param(f, d, fi->required[i]);
		for (size_t i = 0; i < fi->noptional; i++) {
			const struct sc_dist_param_info *info = sc_dist_param(fi->optional[i]);
			if (!isnan(*(const double *)((const char *)d + info->offset)))
				put_dist_param(f, d, fi->optional[i]);
		}
	}
	fputs(" }", f);
}

static int get_int(const char *at)
{
	int v;
	memcpy(&v, at, sizeof v);
	return v;
}

static void print_group_members(struct printer *pr, const struct sc_node *node,
				const char *base, int kind);

static void print_node(struct printer *pr, const struct sc_node *node, const char *base)
{
	const char *at = base + node->offset;
	char real[SC_REAL_TEXT_SIZE];
	FILE *f = pr->f;

	if (node->flags & SC_OPTIONAL) {
		if (node->has_offset != SC_NO_FLAG && !*(const bool *)(base + node->has_offset))
			return;
		if (node->type == SC_REAL && node->has_offset == SC_NO_FLAG &&
		    isnan(*(const double *)at))
			return;
		if ((node->type == SC_REGION || node->type == SC_ACTION) && get_int(at) == UR_NONE)
			return;
	}
	if (node->type == SC_REGIONS && ((const struct ur_region_set *)at)->all)
		return;
	if (node->type == SC_COLUMNS && !((const struct ur_column_set *)at)->given)
		return;
	indent(pr);
	fprintf(f, "%s = ", node->name);
	switch (node->type) {
	case SC_REAL:
		fprintf(f, "%s;", sc_format_real(*(const double *)at, true, real));
		break;
	case SC_INT:
		fprintf(f, "%u;", *(const unsigned *)at);
		break;
	case SC_INT64: {
		int64_t v;
		memcpy(&v, at, sizeof v);
		fprintf(f, "%lld%s;", (long long)v, v > INT_MAX || v < INT_MIN ? "L" : "");
		break;
	}
	case SC_BOOL:
		fprintf(f, "%s;", *(const bool *)at ? "true" : "false");
		break;
	case SC_STRING:
	case SC_ID:
		put_string(f, at);
		fputc(';', f);
		break;
	case SC_ENUM:
		put_string(f, node->names[get_int(at)]);
		fputc(';', f);
		break;
	case SC_TIME: {
		char t[UR_TIME_TEXT_SIZE];
		put_string(f, ur_time_format((const struct ur_scenario_params *)base, 0.0, t));
		fputc(';', f);
		break;
	}
	case SC_DIST:
		put_dist(f, (const struct ur_dist *)at);
		fputc(';', f);
		break;
	case SC_REGION:
		put_string(f, pr->p->regions[get_int(at)].id);
		fputc(';', f);
		break;
	case SC_REGIONS: {
		const struct ur_region_set *set = (const struct ur_region_set *)at;
		fputs("[", f);
		for (size_t i = 0; i < set->n; i++) {
			fputs(i ? ", " : " ", f);
			put_string(f, pr->p->regions[set->idx[i]].id);
		}
		fputs(" ];", f);
		break;
	}
	case SC_COLUMNS: {
		const struct ur_column_set *set = (const struct ur_column_set *)at;
		fputs("[", f);
		for (size_t i = 0; i < set->n; i++) {
			fputs(i ? ", " : " ", f);
			put_string(f, set->names[i]);
		}
		fputs(set->n ? " ];" : "];", f);
		break;
	}
	case SC_ACTION:
		put_string(f, pr->p->government.actions[get_int(at)].id);
		fputc(';', f);
		break;
	case SC_FACILITIES: {
		const struct ur_elite_params *e = (const struct ur_elite_params *)base;
		fputs("[", f);
		for (size_t i = 0; i < e->nseize; i++) {
			fputs(i ? ", " : " ", f);
			put_string(f, pr->p->regions[e->region].facilities[e->seize[i]].id);
		}
		fputs(e->nseize ? " ];" : "];", f);
		break;
	}
	case SC_GROUP:
		fputs("{\n", f);
		pr->depth++;
		print_group_members(pr, node, at, -1);
		pr->depth--;
		indent(pr);
		fputs("};\n", f);
		return;
	case SC_LIST: {
		size_t n = *(const size_t *)(base + node->count_offset);
		int kind = -1;
		if (n == 0) {
			fputs("();\n", f);
			return;
		}
		fputs("(\n", f);
		pr->depth++;
		for (size_t i = 0; i < n; i++) {
			const char *item = at + i * node->item_size;
			for (size_t k = 0; k < node->nchildren; k++)
				if (node->children[k].flags & SC_KIND)
					kind = get_int(item + node->children[k].offset);
			indent(pr);
			fputs("{\n", f);
			pr->depth++;
			print_group_members(pr, node, item, kind);
			pr->depth--;
			indent(pr);
			fputs(i + 1 < n ? "},\n" : "}\n", f);
		}
		pr->depth--;
		indent(pr);
		fputs(");\n", f);
		return;
	}
	}
	put_unit(pr, node);
}

static void print_group_members(struct printer *pr, const struct sc_node *node,
				const char *base, int kind)
{
	int trigger = 0;

	for (size_t i = 0; i < node->nchildren; i++) {
		const struct sc_node *child = &node->children[i];
		if (kind >= 0 && !sc_used_by_kind(child, kind))
			continue;
		if (child->flags & SC_TRIGGER) {
			/* at, when, after in this order: print the one in use */
			const struct ur_action *a = (const struct ur_action *)base;
			if ((int)a->trigger.kind != trigger++)
				continue;
		}
		if (pr->depth == 0 && i > 0)
			fputc('\n', pr->f);
		print_node(pr, child, base);
	}
}

char *sc_print(const struct ur_params *params, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct printer pr = { f, params, 0 };

	if (!f)
		return NULL;
	fputs("# The resolved scenario: defaults, base files and --set overrides applied.\n"
	      "# Loading this file gives the same parameters.\n\n", f);
	print_group_members(&pr, sc_schema_root(), (const char *)params, -1);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

int ur_params_write(const struct ur_params *p, FILE *stream)
{
	size_t len;
	char *text = sc_print(p, &len);
	int rc = text && fwrite(text, 1, len, stream) == len && fflush(stream) == 0 ? 0 : -1;
	free(text);
	return rc;
}

/* ---- the reference page ------------------------------------------------------------- */

static const char *type_name(const struct sc_node *node)
{
	switch (node->type) {
	case SC_GROUP: return "group";
	case SC_LIST: return "list of groups";
	case SC_REAL: return "real";
	case SC_INT: return "integer";
	case SC_INT64: return "integer (64-bit)";
	case SC_BOOL: return "boolean";
	case SC_STRING: return "string";
	case SC_ID: return "id";
	case SC_ENUM: return "string";
	case SC_TIME: return "string (ISO 8601 time)";
	case SC_DIST: return "distribution";
	case SC_REGION: return "region id";
	case SC_REGIONS: return "array of region ids";
	case SC_COLUMNS: return "array of column names";
	case SC_ACTION: return "action id";
	case SC_FACILITIES: return "array of facility ids";
	}
	return "?";
}

static void put_range(FILE *f, const struct sc_node *node)
{
	switch (node->type) {
	case SC_REAL:
	case SC_INT:
	case SC_INT64:
		if (node->max >= 9.2e18)
			fprintf(f, "%s%g, 2^63 - 1]", node->flags & SC_MIN_OPEN ? "(" : "[",
				node->min);
		else
			fprintf(f, "%s%g, %g%s", node->flags & SC_MIN_OPEN ? "(" : "[", node->min,
				node->max, node->flags & SC_MAX_OPEN ? ")" : "]");
		break;
	case SC_STRING:
		fprintf(f, "at most %.0f bytes", node->max);
		break;
	case SC_ID:
		fprintf(f, "`[A-Za-z_][A-Za-z0-9_-]*`, at most %d bytes", UR_ID_SIZE - 1);
		break;
	case SC_ENUM: {
		bool first = true;
		for (size_t i = 0; i < node->nnames; i++) {
			if (!node->names[i])
				continue;
			fprintf(f, "%s`\"%s\"`", first ? "" : ", ", node->names[i]);
			first = false;
		}
		break;
	}
	case SC_LIST:
	case SC_FACILITIES:
		fprintf(f, "at most %.0f items", node->max);
		break;
	default:
		break;
	}
}

static void put_default(FILE *f, const struct sc_node *node)
{
	char real[SC_REAL_TEXT_SIZE];

	if (node->flags & SC_REQUIRED) {
		fputs("required", f);
		return;
	}
	if (node->flags & SC_FIRST_REGION) {
		fputs("the first region", f);
		return;
	}
	if (node->flags & SC_OPTIONAL) {
		fputs("absent", f);
		return;
	}
	switch (node->type) {
	case SC_REAL:
		fprintf(f, "`%s`", sc_format_real(node->def, true, real));
		break;
	case SC_INT:
	case SC_INT64:
		fprintf(f, "`%.0f`", node->def);
		break;
	case SC_BOOL:
		fprintf(f, "`%s`", node->def != 0 ? "true" : "false");
		break;
	case SC_STRING:
		fprintf(f, "`\"%s\"`", node->sdef ? node->sdef : "");
		break;
	case SC_ENUM:
		fprintf(f, "`\"%s\"`", node->names[(size_t)node->def]);
		break;
	case SC_DIST: {
		struct ur_dist d = ur_dist_make(node->ddef->family);
		for (size_t i = 0; i < node->ddef->n; i++)
			*(double *)((char *)&d + sc_dist_param(node->ddef->p[i].param)->offset) =
				node->ddef->p[i].value;
		fputc('`', f);
		put_dist(f, &d);
		fputc('`', f);
		break;
	}
	case SC_REGIONS:
		fputs("all regions", f);
		break;
	case SC_COLUMNS:
		fputs(node->sdef, f);
		break;
	case SC_FACILITIES:
		fputs("`[]`", f);
		break;
	case SC_LIST:
		fputs("`()`", f);
		break;
	default:
		break;
	}
}

static void put_kinds(FILE *f, const struct sc_node *node)
{
	bool first = true;

	if (node->kinds == 0)
		return;
	fputs(" Kinds: ", f);
	for (int k = 0; k < UR_ACTION_KIND_COUNT; k++) {
		if (node->kinds & (1u << k)) {
			fprintf(f, "%s%s", first ? "" : ", ",
				ur_action_kind_name((enum ur_action_kind)k));
			first = false;
		}
	}
	fputc('.', f);
}

static void reference_rows(FILE *f, const struct sc_node *node, const char *prefix)
{
	for (size_t i = 0; i < node->nchildren; i++) {
		const struct sc_node *c = &node->children[i];
		char path[256];

		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", c->name);
		fprintf(f, "| `%s` | %s | %s | ", path, type_name(c),
			c->unit && strcmp(c->unit, "1") != 0 ? c->unit : "");
		put_range(f, c);
		fputs(" | ", f);
		put_default(f, c);
		fprintf(f, " | %s", c->doc);
		put_kinds(f, c);
		fputs(" |\n", f);
		if (c->type == SC_GROUP) {
			reference_rows(f, c, path);
		} else if (c->type == SC_LIST) {
			char item[300];
			snprintf(item, sizeof item, "%s.[N]", path);
			reference_rows(f, c, item);
		}
	}
}

int ur_params_write_reference(FILE *f)
{
	const struct sc_node *root = sc_schema_root();
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0), old = (locale_t)0;
	int rc = 0;

	assert(f);
	if (c) /* '.' decimals whatever the program's locale, as in load.c */
		old = uselocale(c);
	fputs("<!-- Generated from the schema in sim/params/schema.c; "
	      "tests/scenario checks that it matches. -->\n", f);
	for (size_t i = 0; i < root->nchildren; i++) {
		const struct sc_node *section = &root->children[i];
		const struct sc_node wrapper = { .name = "", .children = section, .nchildren = 1 };

		fprintf(f, "\n### %s\n\n%s\n\n", section->name, section->doc);
		fputs("| setting | type | unit | range | default | meaning |\n"
		      "| --- | --- | --- | --- | --- | --- |\n", f);
		reference_rows(f, &wrapper, "");
	}
	/* The settings an adjust may change, from the same tables the loader reads. */
	fputs("\n### Adjustable settings\n\nThe settings an `adjust` action may change "
	      "during a run (its `setting`), where, and the range its value is kept in.\n\n"
	      "| setting | where | range | effect |\n| --- | --- | --- | --- |\n", f);
	for (int id = 0; id < UR_ADJ_COUNT; id++) {
		struct ur_adjustable a = ur_adjustable((enum ur_adjustable_id)id);
		char lo[SC_REAL_TEXT_SIZE], hi[SC_REAL_TEXT_SIZE];
		fprintf(f, "| `%s` | %s | %s%s, %s] | %s |\n", a.path,
			a.regional ? "the action's regions" : "national", a.min_open ? "(" : "[",
			sc_format_real(a.min, false, lo), sc_format_real(a.max, false, hi),
			a.effect);
	}
	if (ferror(f) || fflush(f) != 0)
		rc = -1;
	if (c) {
		uselocale(old);
		freelocale(c);
	}
	return rc;
}
