/*
 * cross.c: the checks between settings, once every setting passed its own: the
 * triggers and `after` chains of the government's actions, and the checks of
 * sim/params (ur_params_check_across) located at the settings they name.
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

/* ---- checks across settings --------------------------------------------------------- */

const struct cf_setting *sc_lookup(const struct cf_setting *root, const char *path)
{
	return cf_lookup((struct cf_setting *)(uintptr_t)root, path);
}

/* Settings a kind needs that have no default, refused when missing. */
static void require(struct loader *L, const struct cf_setting *item, size_t i,
		    const char *const *names)
{
	char path[PATH_SIZE];
	for (size_t k = 0; names[k]; k++)
		if (!cf_member(item, names[k])) {
			snprintf(path, sizeof path, "government.actions.[%zu].%s", i, names[k]);
			sc_report(L, item, path, "required setting is missing");
		}
}

/* The setting of an adjust: adjustable, its scope, its value kept in range. */
static void check_adjust(struct loader *L, const struct cf_setting *item, size_t i,
			 const struct ur_action *a)
{
	static const char *const need[] = { "setting", "value", NULL };
	char path[PATH_SIZE];
	require(L, item, i, need);
	const struct cf_setting *s = cf_member(item, "setting");
	if (!s || !cf_member(item, "value"))
		return;
	const char *why = NULL;
	int id = ur_adjustable_find(a->setting, &why);
	snprintf(path, sizeof path, "government.actions.[%zu].setting", i);
	if (id < 0) {
		const char *names[UR_ADJ_COUNT], *closest = NULL;
		char dym[96];
		for (int k = 0; k < UR_ADJ_COUNT; k++)
			names[k] = ur_adjustable((enum ur_adjustable_id)k).path;
		sc_known_name(a->setting, names, UR_ADJ_COUNT, &closest);
		sc_did_you_mean(closest, dym, sizeof dym);
		sc_report(L, s, path, "must be an adjustable setting (docs/scenario-reference.md, "
			  "\"Adjustable settings\"), got \"%s\": %s%s", a->setting, why, dym);
		return;
	}
	struct ur_adjustable info = ur_adjustable((enum ur_adjustable_id)id);
	const struct cf_setting *regions = cf_member(item, "regions");
	if (!info.regional && regions) {
		snprintf(path, sizeof path, "government.actions.[%zu].regions", i);
		sc_report(L, regions, path, "must be absent: %s is national (it changes "
			  "everywhere), got a list of regions", info.path);
	}
	/* Its value's range: ur_params_check_across (check.c), so that --set and a
	 * sweep's points are judged as the file is. */
}

void sc_check_actions(struct loader *L)
{
	struct ur_government_params *g = &L->p->government;
	char path[PATH_SIZE];
	static const char *const trigger_names[] = { "at", "when", "after" };

	if (!L->actions || L->actions->type != CF_LIST)
		return;
	for (size_t i = 0; i < g->nactions; i++) {
		const struct cf_setting *item = cf_elem(L->actions, (unsigned)i);
		struct ur_action *a = &g->actions[i];
		const struct cf_setting *t[3];
		size_t n = 0;
		int which = -1;

		if (!cf_is_group(item))
			continue;
		if (L->regions_ok) {
			static const char *const cash[] = { "amount", NULL };
			static const char *const curfew[] = { "from", "to", NULL };
			static const char *const sweep[] = { "rate", NULL };
			if (a->kind == UR_ACTION_ADJUST)
				check_adjust(L, item, i, a);
			else if (a->kind == UR_ACTION_CASH_TRANSFER)
				require(L, item, i, cash);
			else if (a->kind == UR_ACTION_CURFEW)
				require(L, item, i, curfew);
			else if (a->kind == UR_ACTION_DETENTION_SWEEP)
				require(L, item, i, sweep);
		}
		for (int k = 0; k < 3; k++) {
			t[k] = cf_member(item, trigger_names[k]);
			if (t[k]) {
				n++;
				if (which < 0)
					which = k;
			}
		}
		snprintf(path, sizeof path, "government.actions.[%zu]", i);
		if (n == 0) {
			sc_report(L, item, path, "must have a trigger (at, when or after), got none");
		} else if (n > 1) {
			sc_report(L, item, path, "must have one trigger of at, when and after, got %zu",
			       n);
		} else {
			a->trigger.kind = (enum ur_trigger_kind)which;
			if (which != UR_TRIGGER_AFTER)
				a->trigger.after = UR_NONE;
			if (which != UR_TRIGGER_WHEN)
				a->trigger.region = UR_NONE;
		}
		if (which == UR_TRIGGER_WHEN && n == 1 && a->trigger.indicator == UR_IND_REGIONS_ACTIVE &&
		    a->trigger.region != UR_NONE) {
			const struct cf_setting *r = cf_member(t[1], "region");
			snprintf(path, sizeof path, "government.actions.[%zu].when.region", i);
			sc_report(L, r ? r : t[1], path,
			       "must be absent for indicator \"regions_active\" (it is national), "
			       "got %s", L->p->regions[a->trigger.region].id);
		}
	}
	/* `after` chains: each action has at most one predecessor, so following them
	 * from any action either ends or enters a cycle. Report each cycle once, at its
	 * member that comes first in the file. */
	for (size_t i = 0; i < g->nactions; i++) {
		size_t steps = 0;
		int cur = (int)i;
		bool cycle = false;

		while (steps <= g->nactions && g->actions[cur].trigger.kind == UR_TRIGGER_AFTER &&
		       g->actions[cur].trigger.after != UR_NONE) {
			cur = g->actions[cur].trigger.after;
			steps++;
			if (cur == (int)i) {
				cycle = true;
				break;
			}
		}
		if (cycle) {
			char chain[PATH_SIZE];
			size_t used = 0;
			bool first = true;
			cur = (int)i;
			do {
				if (cur < (int)i)
					first = false;
				used += (size_t)snprintf(chain + used, used < sizeof chain ? sizeof chain - used : 0,
							 "%s -> ", g->actions[cur].id);
				cur = g->actions[cur].trigger.after;
			} while (cur != (int)i && used < sizeof chain);
			if (used < sizeof chain)
				snprintf(chain + used, sizeof chain - used, "%s", g->actions[i].id);
			if (first) {
				const struct cf_setting *item =
					cf_elem(L->actions, (unsigned)i);
				const struct cf_setting *af = cf_member(item, "after");
				snprintf(path, sizeof path, "government.actions.[%zu].after", i);
				sc_report(L, af ? af : item, path, "must not form a cycle, got %s", chain);
			}
		}
	}
}

struct locate {
	struct loader *L;
	const struct cf_setting *root;
};

/* Reports a failure of ur_params_check_across at the first of the settings it names
 * that the tree holds (a --set, a file's line), else at the file's start. */
static void locate_report(void *context, const char *path, const char *const where[3],
			  const char *message)
{
	const struct locate *at = context;
	const struct cf_setting *s = NULL;
	for (size_t i = 0; where[i] && !s; i++)
		s = sc_lookup(at->root, where[i]);
	sc_report(at->L, s ? s : at->root, path, "%s", message);
}

void sc_check_across(struct loader *L, const struct cf_setting *root)
{
	struct locate at = { L, root };
	if (L->regions_ok)
		ur_params_check_across(L->p, locate_report, &at);
}
