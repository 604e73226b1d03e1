/*
 * tree.c: the plain tree of libconfig settings (conf.h): reading, changing, copying
 * and freeing it. Written by hand because libconfig's own tree cannot be copied, keeps
 * its file names in the config_t that parsed it, and is only reachable through
 * libconfig.h; this one is a few arrays of owned nodes.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int cf_length(const struct cf_setting *s)
{
	return s && cf_is_aggregate(s) ? s->n : 0;
}

struct cf_setting *cf_elem(const struct cf_setting *s, unsigned i)
{
	return s && (int)i < cf_length(s) ? s->elems[i] : NULL;
}

struct cf_setting *cf_member(const struct cf_setting *s, const char *name)
{
	if (!s || s->type != CF_GROUP || !name)
		return NULL;
	for (int i = 0; i < s->n; i++)
		if (s->elems[i]->name && strcmp(s->elems[i]->name, name) == 0)
			return s->elems[i];
	return NULL;
}

struct cf_setting *cf_lookup(const struct cf_setting *s, const char *path)
{
	char name[128];
	while (s && *path) {
		size_t len = strcspn(path, ".");
		if (len == 0 || len >= sizeof name)
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		if (name[0] == '[' && name[len - 1] == ']') {
			/* a list item by index, as messages spell paths */
			char *end;
			long i = strtol(name + 1, &end, 10);
			s = end == name + len - 1 && i >= 0 && i < cf_length(s) &&
					    (s->type == CF_LIST || s->type == CF_ARRAY)
				    ? cf_elem(s, (unsigned)i)
				    : NULL;
		} else {
			s = cf_member(s, name);
		}
		path += len + (path[len] == '.');
	}
	return (struct cf_setting *)(uintptr_t)s;
}

bool cf_is_group(const struct cf_setting *s)
{
	return s && s->type == CF_GROUP;
}

bool cf_is_list(const struct cf_setting *s)
{
	return s && s->type == CF_LIST;
}

bool cf_is_aggregate(const struct cf_setting *s)
{
	return s && (s->type == CF_GROUP || s->type == CF_LIST || s->type == CF_ARRAY);
}

bool cf_is_root(const struct cf_setting *s)
{
	return s && !s->parent;
}

enum cf_type cf_type_of(const struct cf_setting *s)
{
	return s ? s->type : CF_NONE;
}

const char *cf_name(const struct cf_setting *s)
{
	return s ? s->name : NULL;
}

unsigned cf_line(const struct cf_setting *s)
{
	return s ? s->line : 0;
}

int cf_int(const struct cf_setting *s)
{
	if (!s)
		return 0;
	if (s->type == CF_INT)
		return s->value.ival;
	if (s->type == CF_INT64 && s->value.llval >= INT_MIN && s->value.llval <= INT_MAX)
		return (int)s->value.llval;
	return 0;
}

long long cf_int64(const struct cf_setting *s)
{
	if (!s)
		return 0;
	if (s->type == CF_INT64)
		return s->value.llval;
	if (s->type == CF_INT)
		return s->value.ival;
	return 0;
}

double cf_float(const struct cf_setting *s)
{
	return s && s->type == CF_FLOAT ? s->value.fval : 0.0;
}

bool cf_bool(const struct cf_setting *s)
{
	return s && s->type == CF_BOOL && s->value.ival != 0;
}

const char *cf_string(const struct cf_setting *s)
{
	return s && s->type == CF_STRING ? s->value.sval : NULL;
}

bool cf_lookup_string(const struct cf_setting *g, const char *name, const char **out)
{
	const struct cf_setting *s = cf_member(g, name);
	if (!s || s->type != CF_STRING)
		return false;
	*out = s->value.sval;
	return true;
}

struct cf_setting *cf_new_root(void)
{
	struct cf_setting *root = calloc(1, sizeof *root);
	if (root)
		root->type = CF_GROUP;
	return root;
}

struct cf_setting *cf_add(struct cf_setting *parent, const char *name, enum cf_type type)
{
	struct cf_setting *s;

	if (!cf_is_aggregate(parent))
		return NULL;
	if (parent->type == CF_GROUP && (!name || cf_member(parent, name)))
		return NULL;
	if (parent->n == parent->cap) {
		int cap = parent->cap ? 2 * parent->cap : 4;
		struct cf_setting **elems = realloc(parent->elems, (size_t)cap * sizeof *elems);
		if (!elems)
			return NULL;
		parent->elems = elems;
		parent->cap = cap;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->type = type;
	if (parent->type == CF_GROUP) {
		s->name = strdup(name);
		if (!s->name) {
			free(s);
			return NULL;
		}
	}
	s->parent = parent;
	parent->elems[parent->n++] = s;
	return s;
}

int cf_remove_elem(struct cf_setting *parent, unsigned i)
{
	if ((int)i >= cf_length(parent))
		return -1;
	struct cf_setting *s = parent->elems[i];
	memmove(parent->elems + i, parent->elems + i + 1,
		(size_t)(parent->n - (int)i - 1) * sizeof *parent->elems);
	parent->n--;
	s->parent = NULL;
	cf_free(s);
	return 0;
}

int cf_remove(struct cf_setting *parent, const char *name)
{
	for (int i = 0; parent && parent->type == CF_GROUP && i < parent->n; i++)
		if (strcmp(parent->elems[i]->name, name) == 0)
			return cf_remove_elem(parent, (unsigned)i);
	return -1;
}

static void clear_value(struct cf_setting *s, enum cf_type type)
{
	if (s->type == CF_STRING)
		free(s->value.sval);
	s->value.llval = 0;
	s->type = type;
}

void cf_set_int(struct cf_setting *s, int v)
{
	clear_value(s, CF_INT);
	s->value.ival = v;
}

void cf_set_int64(struct cf_setting *s, long long v)
{
	clear_value(s, CF_INT64);
	s->value.llval = v;
}

void cf_set_float(struct cf_setting *s, double v)
{
	clear_value(s, CF_FLOAT);
	s->value.fval = v;
}

void cf_set_bool(struct cf_setting *s, bool v)
{
	clear_value(s, CF_BOOL);
	s->value.ival = v;
}

bool cf_set_string(struct cf_setting *s, const char *v)
{
	char *copy = strdup(v ? v : "");
	if (!copy)
		return false;
	clear_value(s, CF_STRING);
	s->value.sval = copy;
	return true;
}

struct cf_setting *cf_copy(struct cf_setting *parent, const struct cf_setting *s)
{
	struct cf_setting *d;

	if (parent) {
		d = cf_add(parent, parent->type == CF_GROUP ? s->name : NULL, s->type);
	} else {
		d = cf_new_root();
		if (d)
			d->type = s->type;
	}
	if (!d)
		return NULL;
	d->line = s->line;
	d->file = s->file;
	d->hook = s->hook;
	if (s->type == CF_STRING) {
		if (!cf_set_string(d, s->value.sval))
			goto nomem;
	} else if (!cf_is_aggregate(s)) {
		d->value = s->value;
	}
	for (int i = 0; cf_is_aggregate(s) && i < s->n; i++)
		if (!cf_copy(d, s->elems[i]))
			goto nomem;
	return d;
nomem:
	if (!parent)
		cf_free(d);
	/* else: the partial copy stays in parent, which its owner frees */
	return NULL;
}

void cf_free(struct cf_setting *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		cf_free(s->elems[i]);
	free(s->elems);
	if (s->type == CF_STRING)
		free(s->value.sval);
	free(s->name);
	free(s);
}
