/*
 * manifest_read.c: reading a folder's manifest.cfg (output.h, ur_sweep_manifest_read),
 * with the writer of the format (manifest.c) in the output module. The file is
 * libconfig text, read through sim/conf (cf_read_file: the program's own tree; only
 * sim/conf/parse.c includes libconfig.h); this file uses only the public API of
 * conf.h and the scenario module's diag.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "unrest/output.h"
#include "unrest/rng.h"

struct reader {
	const char *file;
	struct ur_diag *diag;
	bool nomem;
};

/* A message, "FILE:LINE: what" (or "FILE: what" without a line). */
static void say(void *context, unsigned line, const char *what)
{
	struct reader *R = context;
	char text[900];
	if (line)
		snprintf(text, sizeof text, "%s:%u: %s", R->file, line, what);
	else
		snprintf(text, sizeof text, "%s: %s", R->file, what);
	if (ur_diag_add(R->diag, text) != 0)
		R->nomem = true;
}

__attribute__((format(printf, 4, 5)))
static void report(struct reader *R, const struct cf_setting *where, const char *path,
		   const char *fmt, ...)
{
	char what[700];
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(text, sizeof text, "%s: %s", path, what);
	say(R, where && cf_line(where) ? cf_line(where) : 1, text);
}

static bool is_integer(const struct cf_setting *s)
{
	return s && (s->type == CF_INT || s->type == CF_INT64);
}

void ur_sweep_manifest_destroy(struct ur_sweep_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nunits; i++)
		free(m->units[i].reason);
	free(m->units);
	free(m->command);
	free(m->scenario);
	free(m->posterior);
	free(m);
}

static bool manifest_seed(const struct cf_setting *g, const char *name, uint64_t *seed)
{
	const char *text = NULL;
	return cf_lookup_string(g, name, &text) &&
	       ur_rng_seed_parse(text, seed) == 0;
}

struct ur_sweep_manifest *ur_sweep_manifest_read(const char *path, struct ur_diag *diag,
						 enum ur_scenario_status *status)
{
	assert(path && diag && status);
	struct reader R = {.file = path, .diag = diag};
	struct ur_sweep_manifest *m = NULL;
	int st = 0;
	struct cf_setting *cfg = cf_read_file(path, "@include is not supported in a manifest",
					      say, &R, &st);
	*status = (enum ur_scenario_status)st;
	if (!cfg)
		goto cleanup;
	*status = UR_SCENARIO_BAD_INPUT;
	const struct cf_setting *root = cfg;
	m = calloc(1, sizeof *m);
	if (!m) {
		*status = UR_SCENARIO_NOMEM;
		goto cleanup;
	}
	const char *text;
	if (!cf_lookup_string(root, "command", &text) ||
	    !(m->command = strdup(text)) ||
	    !cf_lookup_string(root, "scenario", &text) ||
	    !(m->scenario = strdup(text)) ||
	    !manifest_seed(root, "scenario_hash", &m->scenario_hash) ||
	    !manifest_seed(root, "master_seed", &m->master_seed)) {
		report(&R, NULL, "manifest", "expected command, scenario, scenario_hash and "
		       "master_seed, got a file without them");
		goto cleanup;
	}
	if (cf_member(root, "posterior") &&
	    (!cf_lookup_string(root, "posterior", &text) || !(m->posterior = strdup(text)) ||
	     !manifest_seed(root, "posterior_checksum", &m->posterior_checksum))) {
		report(&R, cf_member(root, "posterior"), "posterior", "expected the posterior's "
		       "name and posterior_checksum, got %s", m->posterior ? "no checksum"
									    : "no name");
		goto cleanup;
	}
	const struct cf_setting *units = cf_member(root, "units");
	if (!units || !cf_is_list(units)) {
		report(&R, units, "units", "expected a list of units, got none");
		goto cleanup;
	}
	size_t n = (size_t)cf_length(units);
	m->units = calloc(n ? n : 1, sizeof *m->units);
	if (!m->units) {
		*status = UR_SCENARIO_NOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cf_setting *u = cf_elem(units, (unsigned)i);
		struct ur_sweep_manifest_unit *mu = &m->units[m->nunits++];
		const struct cf_setting *point = cf_member(u, "point");
		const struct cf_setting *rep = cf_member(u, "replication");
		const char *state = NULL;
		char where[64];
		snprintf(where, sizeof where, "units.[%zu]", i);
		if (!point || !is_integer(point) || cf_int64(point) < 0 || !rep ||
		    !is_integer(rep) || cf_int64(rep) < 0 || !manifest_seed(u, "seed", &mu->seed) ||
		    !cf_lookup_string(u, "status", &state) ||
		    (strcmp(state, "done") != 0 && strcmp(state, "failed") != 0)) {
			report(&R, u, where, "expected a sweep unit { point; replication; seed; "
			       "status = \"done\" or \"failed\"; }, got another group");
			goto cleanup;
		}
		mu->point = (long)cf_int64(point);
		mu->replication = (uint64_t)cf_int64(rep);
		mu->failed = strcmp(state, "failed") == 0;
		if (mu->failed) {
			const char *why = "unknown";
			cf_lookup_string(u, "reason", &why);
			if (!(mu->reason = strdup(why))) {
				*status = UR_SCENARIO_NOMEM;
				goto cleanup;
			}
		}
	}
	*status = UR_SCENARIO_OK;
cleanup:
	cf_free(cfg);
	if (*status != UR_SCENARIO_OK) {
		ur_sweep_manifest_destroy(m);
		m = NULL;
	}
	return m;
}

