/*
 * adjust.c: the settings an `adjust` action may change during a run, their ranges, the
 * arithmetic of one adjust step, the adjusts each action kind stands for, and the
 * extremes a setting can reach (params.h, docs/model.md "Adjust").
 *
 * One table names every adjustable setting with its scope and effect; its range is
 * read from the settings schema (fuel.price from a price step's ratio), so a range is
 * written down once. A setting is adjustable when the model reads it afresh at every
 * event that uses it, or when a change can be carried to every cache that holds it
 * (the model's adjust.c does that); the rest are refused with the reason.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "schema.h"
#include "unrest/params.h"

struct adjustable_row {
	const char *path;
	const char *range_path; /* the schema setting whose range applies */
	bool regional;
	const char *effect;
};

static const struct adjustable_row rows[UR_ADJ_COUNT] = {
	[UR_ADJ_LEGITIMACY] = { "agents.legitimacy", "agents.legitimacy", true,
				"legitimacy L_r of the named regions" },
	[UR_ADJ_POLITICIZATION] = { "agents.politicization", "agents.politicization", false,
				    "politicization pi" },
	[UR_ADJ_W_G] = { "agents.w_g", "agents.w_g", false, "weight of grievance" },
	[UR_ADJ_W_S] = { "agents.w_s", "agents.w_s", false, "weight of the social signal" },
	[UR_ADJ_W_N] = { "agents.w_n", "agents.w_n", false, "weight of net risk" },
	[UR_ADJ_BETA_B] = { "agents.beta_b", "agents.beta_b", false,
			    "pull of the street in a blackout" },
	[UR_ADJ_SIGMA_FUEL] = { "agents.sigma_fuel", "agents.sigma_fuel", false,
				"weight of the fuel term" },
	[UR_ADJ_K] = { "agents.k", "agents.k", false, "steepness of the arrest risk" },
	[UR_ADJ_RECONSIDER_RATE] = { "agents.reconsider_rate", "agents.reconsider_rate",
				     false, "rate of reconsideration (the pending pick is "
				     "redrawn at the new rate)" },
	[UR_ADJ_MU] = { "network.mu", "network.mu", false,
			"weight of other regions in the social signal" },
	[UR_ADJ_POLICE_SCALE] = { "security.police_scale", "security.police_scale", false,
				  "every region's police at full morale" },
	[UR_ADJ_ARREST_PROBABILITY] = { "arrests.probability", "arrests.probability", false,
					"chance of arrest per active agent per sweep, from "
					"the next sweep" },
	[UR_ADJ_CAPACITY_RATIO] = { "arrests.capacity_ratio", "arrests.capacity_ratio",
				    false, "arrest capacity, from the next sweep" },
	[UR_ADJ_BASE_RATE] = { "casualties.base_rate", "casualties.base_rate", false,
			       "death rate in clashes, from the next clash" },
	[UR_ADJ_SECURITY_SHARE] = { "casualties.security_share",
				    "casualties.security_share", false,
				    "share of the dead who are security personnel" },
	[UR_ADJ_CSTO_EFFECTIVENESS] = { "csto.effectiveness", "csto.effectiveness", false,
					"security persons a CSTO troop is worth" },
	[UR_ADJ_REGION_POLICE] = { "regions.police", "regions.police", true,
				   "police of the named regions at full morale" },
	[UR_ADJ_REGION_ETA] = { "regions.eta", "regions.eta", true,
				"weight of hardship in the named regions' grievance" },
	[UR_ADJ_FUEL_PRICE] = { "fuel.price", "fuel.steps.ratio", true,
				"fuel price ratio of the named regions (fuel.steps set it "
				"before adjusts apply)" },
};

/* Settings that exist but are fixed during a run, with the reason. */
static const struct {
	const char *path;
	const char *why;
} fixed[] = {
	{ "agents.hardship", "drawn into each agent when the agents are made" },
	{ "agents.risk_aversion", "drawn into each agent when the agents are made" },
	{ "agents.grievance", "drawn into each agent when the agents are made" },
	{ "agents.threshold", "drawn into each agent when the agents are made" },
	{ "agents.stratified", "how the agents are drawn, once" },
	{ "agents.eta", "overridden region by region: adjust regions.eta" },
	{ "agents.fatigue", "carried in each agent's threshold as the hours it has been "
			    "active; a change would rewrite the past" },
	{ "agents.example_cost", "enters the bound of who can act, computed once when "
				 "the agents are made" },
	{ "agents.example_share", "enters the bound of who can act, computed once when "
				  "the agents are made" },
	{ "regions.population", "fixes the agents when they are made" },
	{ "regions.hardship", "drawn into each agent when the agents are made" },
	{ "regions.lpg_share", "drawn into each agent when the agents are made" },
	{ "regions.mobilizable_share", "fixes the agents when they are made" },
	{ "network.distance_exponent", "the gravity weights are computed once, at the start" },
	{ "network.min_distance", "the gravity weights are computed once, at the start" },
	{ "network.nationwide", "the gravity weights are computed once, at the start" },
	{ "arrests.interval", "sweeps fall at whole multiples of the interval" },
	{ "casualties.interval", "clashes fall at whole multiples of the interval" },
	{ "security.overwhelm_ratio", "police morale moves along lines drawn at its last "
				      "change of direction" },
	{ "security.morale_fall_rate", "police morale moves along lines drawn at its last "
				       "change of direction" },
	{ "security.morale_recovery_rate", "police morale moves along lines drawn at its "
					   "last change of direction" },
	{ "security.morale_min", "police morale moves along lines drawn at its last change "
				 "of direction" },
	{ "security.guard_reserve", "the reserve is spent by redeploy_guard actions" },
	{ "fuel.gamma", "the fuel term's shape; adjust fuel.price or agents.sigma_fuel" },
	{ "casualties.lethal_force_multiplier", "set by the lethal_force action" },
};

static const struct sc_node *schema_node(const char *path)
{
	struct sc_segment seg[4];
	size_t n;
	const struct sc_node *node = sc_schema_root();
	if (sc_split_path(path, seg, 4, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n && node != NULL; i++)
		node = seg[i].bracket ? node : sc_child(node, seg[i].text);
	return node;
}

struct ur_adjustable ur_adjustable(enum ur_adjustable_id id)
{
	const struct adjustable_row *row = &rows[id];
	const struct sc_node *node = schema_node(row->range_path);
	struct ur_adjustable a = {
		.path = row->path,
		.regional = row->regional,
		.min = node ? node->min : 0.0,
		.max = node ? node->max : 0.0,
		.min_open = node ? (node->flags & SC_MIN_OPEN) != 0 : false,
		.effect = row->effect,
	};
	return a;
}

int ur_adjustable_find(const char *path, const char **why)
{
	for (int i = 0; i < UR_ADJ_COUNT; i++)
		if (strcmp(rows[i].path, path) == 0)
			return i;
	*why = "not a setting";
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strcmp(fixed[i].path, path) == 0) {
			*why = fixed[i].why;
			return -1;
		}
	const struct sc_node *node = schema_node(path);
	if (node != NULL && node != sc_schema_root())
		*why = node->type == SC_REAL ? "not adjustable during a run"
					     : "not a number that can change during a run";
	return -1;
}

double ur_adjustable_base(const struct ur_params *p, enum ur_adjustable_id id, size_t r)
{
	switch (id) {
	case UR_ADJ_LEGITIMACY: return p->agents.legitimacy0;
	case UR_ADJ_POLITICIZATION: return p->agents.politicization0;
	case UR_ADJ_W_G: return p->agents.w_g;
	case UR_ADJ_W_S: return p->agents.w_s;
	case UR_ADJ_W_N: return p->agents.w_n;
	case UR_ADJ_BETA_B: return p->agents.beta_b;
	case UR_ADJ_SIGMA_FUEL: return p->agents.sigma_fuel;
	case UR_ADJ_K: return p->agents.k;
	case UR_ADJ_RECONSIDER_RATE: return p->agents.reconsider_rate;
	case UR_ADJ_MU: return p->network.mu;
	case UR_ADJ_POLICE_SCALE: return p->security.police_scale;
	case UR_ADJ_ARREST_PROBABILITY: return p->arrests.probability;
	case UR_ADJ_CAPACITY_RATIO: return p->arrests.capacity_ratio;
	case UR_ADJ_BASE_RATE: return p->casualties.base_rate;
	case UR_ADJ_SECURITY_SHARE: return p->casualties.security_share;
	case UR_ADJ_CSTO_EFFECTIVENESS: return p->csto.effectiveness;
	case UR_ADJ_REGION_POLICE: return p->regions[r].police;
	case UR_ADJ_REGION_ETA: return ur_region_eta(p, r);
	case UR_ADJ_FUEL_PRICE: return 1.0;
	case UR_ADJ_COUNT: break;
	}
	return (double)NAN;
}

double ur_adjust_apply(enum ur_adjustable_id id, enum ur_adjust_op op, double value,
		       double v)
{
	struct ur_adjustable a = ur_adjustable(id);
	double x = op == UR_ADJUST_SET ? value : op == UR_ADJUST_ADD ? v + value : v * value;
	if (x < a.min || (a.min_open && x <= a.min))
		x = a.min_open ? nextafter(a.min, HUGE_VAL) : a.min;
	if (x > a.max)
		x = a.max;
	return x;
}

size_t ur_action_adjust_parts(const struct ur_action *a,
			      struct ur_adjust_part part[UR_MAX_ADJUST_PARTS])
{
	size_t n = 0;
	if (a->kind == UR_ACTION_ADJUST) {
		const char *why;
		int id = ur_adjustable_find(a->setting, &why);
		if (id >= 0)
			part[n++] = (struct ur_adjust_part){ (enum ur_adjustable_id)id, a->op,
							     a->value, false, true };
	}
	if (a->kind == UR_ACTION_PRICE_ROLLBACK)
		part[n++] = (struct ur_adjust_part){ UR_ADJ_FUEL_PRICE, UR_ADJUST_SET, a->ratio,
						     false, false };
	/* Legitimacy, then politicization: the order the named kinds always applied
	 * them in. Envoys change legitimacy in their regions only. */
	if (a->legitimacy_delta != 0.0)
		part[n++] = (struct ur_adjust_part){ UR_ADJ_LEGITIMACY, UR_ADJUST_ADD,
						     a->legitimacy_delta,
						     a->kind != UR_ACTION_ENVOYS, false };
	if (a->politicization_delta != 0.0)
		part[n++] = (struct ur_adjust_part){ UR_ADJ_POLITICIZATION, UR_ADJUST_ADD,
						     a->politicization_delta, true, false };
	return n;
}

bool ur_adjust_part_reaches(const struct ur_action *a, const struct ur_adjust_part *part,
			    size_t r)
{
	if (part->all_regions || !rows[part->id].regional)
		return true;
	for (size_t k = 0; k < a->regions.n; k++)
		if ((size_t)a->regions.idx[k] == r)
			return true;
	return false;
}

/*
 * Every adjustable range lies in [0, inf) and the loader refuses negative factors, so
 * over any sequence of steps taken from the set S of sets, A of adds and F of factors,
 * each step clamped to [min, max]:
 *   v <= (max(base, max S) + sum of positive adds) * prod max(f, 1),
 *   v >= min(base, min S) * prod min(f, 1) + sum of negative adds,
 * by induction on the steps (a set stays inside both, an add moves both bounds by at
 * least as much, a factor scales a nonnegative value by no more than its bound's, and
 * a clamp only moves a value toward the range, which holds the base).
 */
void ur_adjust_extremes(const struct ur_params *p, enum ur_adjustable_id id, size_t r,
			double *lo, double *hi)
{
	struct ur_adjustable info = ur_adjustable(id);
	double base = ur_adjustable_base(p, id, r);
	double base_lo = base, base_hi = base;
	if (id == UR_ADJ_FUEL_PRICE) {
		for (size_t i = 0; i < p->fuel.nsteps; i++) {
			const struct ur_price_step *s = &p->fuel.steps[i];
			bool here = s->regions.all;
			for (size_t k = 0; k < s->regions.n && !here; k++)
				here = (size_t)s->regions.idx[k] == r;
			if (here) {
				base_lo = fmin(base_lo, s->ratio);
				base_hi = fmax(base_hi, s->ratio);
			}
		}
	}
	/* Two passes: sets and factors first, then the adds in the order of the file,
	 * summed one by one onto the bounds as the model sums them onto the value (the
	 * bound of legitimacy is then the very number the steps give without sets or
	 * factors). */
	double set_lo = base_lo, set_hi = base_hi, factor_lo = 1.0, factor_hi = 1.0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->government.nactions; i++) {
			const struct ur_action *a = &p->government.actions[i];
			struct ur_adjust_part part[UR_MAX_ADJUST_PARTS];
			size_t n = ur_action_adjust_parts(a, part);
			for (size_t k = 0; k < n; k++) {
				if (part[k].id != id || !ur_adjust_part_reaches(a, &part[k], r))
					continue;
				double x = part[k].value;
				if (pass == 0 && part[k].op == UR_ADJUST_SET) {
					set_lo = fmin(set_lo, x);
					set_hi = fmax(set_hi, x);
				} else if (pass == 0 && part[k].op == UR_ADJUST_MULTIPLY) {
					if (x < 1.0)
						factor_lo *= x;
					else
						factor_hi *= x;
				} else if (pass == 1 && part[k].op == UR_ADJUST_ADD) {
					if (x < 0.0)
						set_lo += x;
					else
						set_hi += x;
				}
			}
		}
		if (pass == 0)
			set_lo *= factor_lo;
	}
	double l = set_lo, h = set_hi * factor_hi;
	*lo = l < info.min ? info.min : l;
	*hi = h > info.max ? info.max : h;
}
