/*
 * adjust.c: settings changed during a run (the adjust action and the named kinds that
 * are adjusts underneath), cash transfers and curfews (docs/model.md, "Adjust",
 * "Cash transfers", "Curfews").
 *
 * Adjusts. Each adjustable setting (params.h, enum ur_adjustable_id) has, in each
 * region for a regional one or once for a national one, a value before adjusts: the
 * scenario's, or for fuel.price the latest price step's. Its value during the run is
 * that base with every adjust in force applied, one step each (set, add or multiply,
 * clamped to the setting's range: ur_adjust_apply), in the order the adjusts took
 * effect (actions in the order of the file when they take effect at the same event).
 * An adjust whose duration ends leaves the list and the value is recomputed from the
 * base: it reverts exactly its own change, whatever else changed the setting in the
 * meantime, and adjusts of the same setting compose in one way whatever their ends.
 * With adds alone this is the running sum clamped at each step that the named kinds
 * (legitimacy and politicization deltas) always made, term for term.
 *
 * Where a value lives: the regional state of legitimacy (L_r), politicization (pi) and
 * the fuel price (price_r) in the model's regions; every other setting in the model's
 * own copy of the params (m->own), which the rest of the model reads; after writing,
 * whatever caches the value is refreshed (the coefficients of U, the arrest risk, the
 * decision rate, C_r).
 *
 * Cash transfers. Transfer k reaches person i of its region at effect_k + d_ki, d_ki
 * the reach law's quantile at a uniform hashed from (the government stream's seed,
 * k, i): one draw a person, made without a random stream, so a run with a transfer
 * and one without share every other draw (common random numbers), and nothing is
 * stored or scheduled per person. From then until the transfer's end, the person's
 * grievance is `amount` lower (model_cash_relief, read at each decision).
 *
 * Curfews. Within its hours each day (local time of scenario.start), in force in a
 * region, a curfew multiplies soe_r by its risk multiplier and the reconsider rate by
 * its reconsider multiplier; several multiply. An event at each beginning and end of
 * its hours switches it.
 *
 * Detention sweeps. In force in a region from the action's effect to its drawn
 * duration's end there, a sweep adds its rate to the region's (model_sweep_rate);
 * security.c detains at each arrest sweep.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* Keys of the government stream's keyed draws made here (government.c uses 1-5). */
enum {
	KEY_DURATION = 6,
	KEY_REACH = 7
};

/* ---- values of settings ------------------------------------------------------------ */

static double *national_field(struct ur_model *m, enum ur_adjustable_id id)
{
	struct ur_params *p = m->own;
	switch (id) {
	case UR_ADJ_W_G: return &p->agents.w_g;
	case UR_ADJ_W_S: return &p->agents.w_s;
	case UR_ADJ_W_N: return &p->agents.w_n;
	case UR_ADJ_BETA_B: return &p->agents.beta_b;
	case UR_ADJ_SIGMA_FUEL: return &p->agents.sigma_fuel;
	case UR_ADJ_K: return &p->agents.k;
	case UR_ADJ_RECONSIDER_RATE: return &p->agents.reconsider_rate;
	case UR_ADJ_MU: return &p->network.mu;
	case UR_ADJ_POLICE_SCALE: return &p->security.police_scale;
	case UR_ADJ_ARREST_PROBABILITY: return &p->arrests.probability;
	case UR_ADJ_CAPACITY_RATIO: return &p->arrests.capacity_ratio;
	case UR_ADJ_BASE_RATE: return &p->casualties.base_rate;
	case UR_ADJ_SECURITY_SHARE: return &p->casualties.security_share;
	case UR_ADJ_CSTO_EFFECTIVENESS: return &p->csto.effectiveness;
	default: return NULL;
	}
}

/* Region r's police at full morale changed (its own or the national scale): C_r
 * changes at m->now, as when troops arrive. */
static void police_changed(struct ur_model *m, size_t r)
{
	struct model_region *g = &m->region[r];
	region_advance(m, r, m->now);
	/* The police killed in clashes stay dead whatever the new count. */
	g->police = m->own->regions[r].police * m->own->security.police_scale - g->police_killed;
	if (!(g->police > 0.0))
		g->police = 0.0;
	model_set_security(m, r, g->guard, g->csto, g->stand_down);
}

static void write_value(struct ur_model *m, enum ur_adjustable_id id, size_t r, double v)
{
	switch (id) {
	case UR_ADJ_LEGITIMACY:
		model_set_legitimacy(m, r, v);
		return;
	case UR_ADJ_POLITICIZATION:
		model_set_politicization(m, v);
		return;
	case UR_ADJ_FUEL_PRICE:
		model_set_price(m, r, v);
		return;
	case UR_ADJ_REGION_POLICE:
		m->own->regions[r].police = v;
		police_changed(m, r);
		return;
	case UR_ADJ_REGION_ETA:
		m->own->regions[r].eta = v;
		region_coefficients(m, r);
		return;
	default:
		break;
	}
	double *field = national_field(m, id);
	assert(field != NULL);
	if (field == NULL) {
		model_fail(m, UR_MODEL_INVARIANT, "adjust of setting %d: no field", (int)id);
		return;
	}
	*field = v;
	switch (id) {
	case UR_ADJ_W_G:
	case UR_ADJ_W_S:
	case UR_ADJ_BETA_B:
	case UR_ADJ_SIGMA_FUEL:
	case UR_ADJ_MU:
		for (size_t s = 0; s < m->nregions; ++s)
			region_coefficients(m, s);
		break;
	case UR_ADJ_W_N:
	case UR_ADJ_K:
		for (size_t s = 0; s < m->nregions; ++s)
			m->region[s].stale = true;
		break;
	case UR_ADJ_RECONSIDER_RATE:
		model_decision_rate_changed(m);
		break;
	case UR_ADJ_POLICE_SCALE:
		for (size_t s = 0; s < m->nregions; ++s)
			police_changed(m, s);
		break;
	case UR_ADJ_CSTO_EFFECTIVENESS:
		for (size_t s = 0; s < m->nregions; ++s) {
			region_advance(m, s, m->now);
			region_security_changed(m, s);
		}
		break;
	default: /* read afresh at each sweep or clash */
		break;
	}
}

static bool part_in_force(const struct model_action *x, const struct ur_adjust_part *part,
			  size_t r)
{
	if (!part->timed)
		return true;
	return x->in_force[ur_adjustable(part->id).regional ? r : 0];
}

/* The value of setting id in region r (0 for a national one) from its base and the
 * adjusts in force, written where the model reads it. */
static void recompute(struct ur_model *m, enum ur_adjustable_id id, size_t r)
{
	double v = m->adjust_base[id][r];
	for (size_t j = 0; j < m->nadjust_order; ++j) {
		const struct model_action *x = &m->actions[m->adjust_order[j]];
		for (size_t k = 0; k < x->nparts; ++k) {
			const struct ur_adjust_part *part = &x->part[k];
			if (part->id == id && ur_adjust_part_reaches(&x->a, part, r) &&
			    part_in_force(x, part, r))
				v = ur_adjust_apply(id, part->op, part->value, v);
		}
	}
	write_value(m, id, r, v);
}

void model_adjust_rebase(struct ur_model *m, enum ur_adjustable_id id, size_t r,
			 double base)
{
	m->adjust_base[id][r] = base;
	recompute(m, id, r);
}

/* ---- creation ---------------------------------------------------------------------- */

int model_adjust_create(struct ur_model *m)
{
	const struct ur_params *p = m->p;
	for (int id = 0; id < UR_ADJ_COUNT; ++id)
		for (size_t r = 0; r < m->nregions; ++r)
			m->adjust_base[id][r] = ur_adjustable_base(p, (enum ur_adjustable_id)id, r);
	int hour = (int)((((p->scenario.start_epoch + p->scenario.utc_offset_s) % 86400) + 86400) %
			 86400);
	m->local_hour0 = hour / 3600.0;
	uint64_t seed = ur_rng_set_stream_seed(m->rngs, UR_STREAM_GOVERNMENT);
	for (size_t i = 0; i < m->nactions; ++i) {
		struct model_action *x = &m->actions[i];
		x->nparts = ur_action_adjust_parts(&x->a, x->part);
		if (x->a.kind == UR_ACTION_CASH_TRANSFER) {
			x->reach = x->a.reach_h;
			x->reach.prepared = false;
			x->reach.table = NULL;
			x->reach.order = NULL;
			x->reach.cumulative = NULL;
			x->reach_prepared = true;
			if (ur_dist_prepare(&x->reach) != 0)
				return -1;
			x->reach_seed = ur_rng_mix64(seed ^ ur_rng_mix64(MODEL_KEY(KEY_REACH, i, 0)));
		}
	}
	return 0;
}

void model_adjust_destroy(struct ur_model *m)
{
	if (m->actions == NULL)
		return;
	for (size_t i = 0; i < m->nactions; ++i)
		if (m->actions[i].reach_prepared)
			ur_dist_finish(&m->actions[i].reach);
}

/* ---- effects -------------------------------------------------------------------------- */

/* The local hour of the day at model time t. */
static double local_hour(const struct ur_model *m, double t)
{
	return fmod(m->local_hour0 + t, 24.0);
}

static bool within_hours(const struct ur_action *a, double h)
{
	if (a->from_hour == a->to_hour)
		return true; /* all day */
	if (a->from_hour < a->to_hour)
		return h >= a->from_hour && h < a->to_hour;
	return h >= a->from_hour || h < a->to_hour;
}

static void curfew_refresh(struct ur_model *m, size_t r)
{
	double risk = 1.0, reconsider = 1.0, exits = 1.0;
	for (size_t i = 0; i < m->nactions; ++i) {
		const struct model_action *x = &m->actions[i];
		if (x->a.kind == UR_ACTION_CURFEW && x->in_force[r] && x->inside[r]) {
			risk *= x->a.risk_multiplier;
			reconsider *= x->a.reconsider_multiplier;
			exits *= x->a.exit_multiplier;
		}
	}
	model_set_curfew(m, r, risk, reconsider, exits);
}

/* Schedules curfew i's next beginning or end of its hours in region r. */
static void curfew_next_edge(struct ur_model *m, size_t i, size_t r)
{
	const struct ur_action *a = &m->actions[i].a;
	if (a->from_hour == a->to_hour)
		return;
	double h = local_hour(m, m->now), best = HUGE_VAL;
	bool begins = false;
	for (int e = 0; e < 2; ++e) {
		double edge = e == 0 ? a->from_hour : a->to_hour;
		double d = fmod(edge - h + 48.0, 24.0);
		if (d < 1e-9)
			d += 24.0; /* the edge of this very instant is done */
		if (d < best) {
			best = d;
			begins = e == 0;
		}
	}
	if (m->now + best <= m->horizon)
		model_schedule(m, m->now + best, KIND_CURFEW_EDGE, (uint32_t)r,
			       (int64_t)i * 2 + (begins ? 1 : 0), NULL);
}

void model_curfew_edge_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t r = event->target, i = (size_t)(event->payload.integer / 2);
	struct model_action *x = &m->actions[i];
	if (!x->in_force[r])
		return;
	x->inside[r] = (event->payload.integer % 2) != 0;
	curfew_refresh(m, r);
	curfew_next_edge(m, i, r);
}

/* Schedules the end of action i's effect in region r after a drawn duration. */
static void schedule_end(struct ur_model *m, size_t i, size_t r)
{
	const struct ur_action *a = &m->actions[i].a;
	if (!a->has_duration)
		return;
	double d = model_sample(m, &a->duration_h,
				model_keyed(m, UR_STREAM_GOVERNMENT, MODEL_KEY(KEY_DURATION, i, r)));
	if (!(d > 0.0))
		d = 0.0;
	model_fingerprint(m, ((uint64_t)r << 40) ^ model_time_bits(d));
	if (m->now + d <= m->horizon)
		model_schedule(m, m->now + d, KIND_ACTION_END, (uint32_t)r, (int64_t)i, NULL);
}

void model_adjust_start(struct ur_model *m, size_t i)
{
	struct model_action *x = &m->actions[i];
	const struct ur_action *a = &x->a;
	x->effect_time = m->now;
	if (x->nparts > 0) {
		m->adjust_order[m->nadjust_order++] = i;
		/* Where the timed part is in force, before any value is recomputed. */
		for (size_t k = 0; k < x->nparts; ++k) {
			if (!x->part[k].timed)
				continue;
			if (ur_adjustable(x->part[k].id).regional) {
				for (size_t j = 0; j < a->regions.n; ++j)
					x->in_force[a->regions.idx[j]] = true;
			} else {
				x->in_force[0] = true;
			}
		}
		for (size_t k = 0; k < x->nparts; ++k) {
			const struct ur_adjust_part *part = &x->part[k];
			if (!ur_adjustable(part->id).regional) {
				recompute(m, part->id, 0);
				continue;
			}
			for (size_t r = 0; r < m->nregions; ++r)
				if (ur_adjust_part_reaches(a, part, r))
					recompute(m, part->id, r);
		}
		if (a->kind == UR_ACTION_ADJUST) {
			if (ur_adjustable(x->part[0].id).regional)
				for (size_t j = 0; j < a->regions.n; ++j)
					schedule_end(m, i, (size_t)a->regions.idx[j]);
			else
				schedule_end(m, i, 0);
		}
	}
	if (a->kind == UR_ACTION_CASH_TRANSFER) {
		m->transfer_list[m->ntransfers++] = i;
		for (size_t j = 0; j < a->regions.n; ++j) {
			size_t r = (size_t)a->regions.idx[j];
			x->in_force[r] = true;
			m->region[r].transfers++;
			schedule_end(m, i, r);
		}
	}
	if (a->kind == UR_ACTION_CURFEW) {
		double h = local_hour(m, m->now);
		for (size_t j = 0; j < a->regions.n; ++j) {
			size_t r = (size_t)a->regions.idx[j];
			x->in_force[r] = true;
			x->inside[r] = within_hours(a, h);
			curfew_refresh(m, r);
			curfew_next_edge(m, i, r);
			schedule_end(m, i, r);
		}
	}
	if (a->kind == UR_ACTION_DETENTION_SWEEP) {
		for (size_t j = 0; j < a->regions.n; ++j) {
			size_t r = (size_t)a->regions.idx[j];
			x->in_force[r] = true;
			model_sweep_rate(m, r, a->sweep_rate);
			schedule_end(m, i, r);
		}
	}
}

void model_action_end_handler(struct ur_engine *engine, const struct ur_event *event,
			      void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t r = event->target, i = (size_t)event->payload.integer;
	struct model_action *x = &m->actions[i];
	if (!x->in_force[r])
		return;
	x->in_force[r] = false;
	switch (x->a.kind) {
	case UR_ACTION_ADJUST:
		recompute(m, x->part[0].id, r);
		break;
	case UR_ACTION_CASH_TRANSFER:
		m->region[r].transfers--;
		break;
	case UR_ACTION_CURFEW:
		curfew_refresh(m, r);
		break;
	case UR_ACTION_DETENTION_SWEEP:
		model_sweep_rate(m, r, -x->a.sweep_rate);
		break;
	default:
		assert(!"an end of a kind without one");
		break;
	}
}

/* ---- cash transfers ------------------------------------------------------------------- */

double model_cash_relief(const struct ur_model *m, size_t r, uint32_t agent, double t)
{
	double relief = 0.0;
	for (size_t j = 0; j < m->ntransfers; ++j) {
		const struct model_action *x = &m->actions[m->transfer_list[j]];
		if (!x->in_force[r])
			continue;
		/* A uniform in (0, 1) from 53 bits of the hash. */
		uint64_t h = ur_rng_mix64(x->reach_seed ^ ((uint64_t)agent * UINT64_C(0x9e3779b97f4a7c15)));
		double u = ((double)(h >> 11) + 0.5) * 0x1p-53;
		double d = ur_dist_quantile(&x->reach, u);
		if (!(d > 0.0))
			d = 0.0;
		if (t >= x->effect_time + d)
			relief += x->a.amount;
	}
	return m->p->agents.w_g * relief;
}
