/*
 * parse.c: the libconfig adapter, the one file of the program that includes
 * libconfig.h. It parses text with libconfig and copies the result into the program's
 * own tree (conf.h), stamping each setting with its file and line, and passes on
 * libconfig's syntax errors as they are: the one path by which libconfig's words reach
 * a message.
 */
#include <libconfig.h>
#include <locale.h>
#include <stdio.h>

#include "conf.h"

static enum cf_type type_of(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return CF_GROUP;
	case CONFIG_TYPE_ARRAY: return CF_ARRAY;
	case CONFIG_TYPE_LIST: return CF_LIST;
	case CONFIG_TYPE_INT: return CF_INT;
	case CONFIG_TYPE_INT64: return CF_INT64;
	case CONFIG_TYPE_FLOAT: return CF_FLOAT;
	case CONFIG_TYPE_STRING: return CF_STRING;
	case CONFIG_TYPE_BOOL: return CF_BOOL;
	default: return CF_NONE;
	}
}

/* Copies src's members (or elements) into dst; false when out of memory. */
static bool copy_members(struct cf_setting *dst, const config_setting_t *src,
			 const char *file)
{
	for (int i = 0; i < config_setting_length(src); i++) {
		const config_setting_t *s = config_setting_get_elem(src, (unsigned)i);
		struct cf_setting *d = cf_add(dst, config_setting_name(s),
					      type_of(config_setting_type(s)));
		if (!d)
			return false;
		d->line = config_setting_source_line(s);
		d->file = file;
		switch (d->type) {
		case CF_INT:
			d->value.ival = config_setting_get_int(s);
			break;
		case CF_INT64:
			d->value.llval = config_setting_get_int64(s);
			break;
		case CF_FLOAT:
			d->value.fval = config_setting_get_float(s);
			break;
		case CF_BOOL:
			d->value.ival = config_setting_get_bool(s);
			break;
		case CF_STRING: {
			const char *v = config_setting_get_string(s);
			if (!cf_set_string(d, v ? v : ""))
				return false;
			break;
		}
		case CF_GROUP:
		case CF_ARRAY:
		case CF_LIST:
			if (!copy_members(d, s, file))
				return false;
			break;
		case CF_NONE:
			break;
		}
	}
	return true;
}

struct cf_setting *cf_parse(const char *text, const char *file, struct cf_parse_error *err)
{
	config_t cfg;
	struct cf_setting *root = NULL;
	/* libconfig switches the thread to its own C locale while parsing and then to
	 * the global locale, not back to the caller's: take the caller's again. */
	locale_t before = uselocale((locale_t)0);

	*err = (struct cf_parse_error){ 0 };
	config_init(&cfg);
	int ok = config_read_string(&cfg, text);
	uselocale(before);
	if (!ok) {
		const char *why = config_error_text(&cfg);
		err->line = (unsigned)config_error_line(&cfg);
		snprintf(err->text, sizeof err->text, "%s", why ? why : "syntax error");
		goto done;
	}
	root = cf_new_root();
	if (!root || !copy_members(root, config_root_setting(&cfg), file)) {
		cf_free(root);
		root = NULL;
		err->nomem = true;
		snprintf(err->text, sizeof err->text, "out of memory");
	}
	if (root)
		root->file = file;
done:
	config_destroy(&cfg);
	return root;
}
