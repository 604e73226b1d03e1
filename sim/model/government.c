/*
 * government.c: the government's actions (DESIGN.md section 5): triggers, decision
 * delays, probabilities and effects, the internet, states of emergency and the national
 * guard; the handlers of the elite's and the CSTO's events are registered here too.
 *
 * An action fires once. Its trigger is `at` (an hour), `when` (an indicator crosses a
 * value and the condition then holds `hold` hours without a break) or `after` (another
 * action took effect). When the trigger fires a delay is drawn (the decision latency,
 * negative draws count as 0); when the delay has passed the action takes effect with
 * its probability, else it fails, and the actions `after` it never fire. government.
 * edits are applied to the scenario's actions before the run.
 *
 * `when`. A crossing is the condition turning true after having been false: a
 * condition already true at hour 0 waits until it has failed once. Active persons,
 * regions active, facilities held and deaths change only at events, where they are
 * checked (model_watch). The force ratio A_r / C_r also moves between events, while
 * police morale moves C_r along a line: the instant the line takes a region's ratio
 * across the value is computed and an event is scheduled there (KIND_WATCH_CROSS), so
 * the crossing is found exactly; at that event the region's side is the one the line
 * reaches (its ratio equals the value up to rounding). National force_ratio is the
 * largest over regions: ">=" and ">" hold when one region's ratio does, "<=" and "<"
 * when every region's does. A region with no active persons has ratio 0; one with
 * active persons and no security, infinity.
 *
 * Effects (params.h, docs/model.md): legitimacy changes in every region (envoys: in
 * the named regions only), politicization nationally, and price_rollback sets the
 * fuel price, all as adjusts (adjust.c), with the adjust, cash_transfer and curfew
 * kinds;
 * state_of_emergency and internet_shutdown set the named regions' state for a drawn
 * duration per region (to the horizon without one), a later action of the same kind
 * superseding an earlier one in a region (its end then changes nothing there);
 * lethal_force sets the casualty multiplier and the repression multiplier ell;
 * detention_sweep detains, for a drawn duration per region, persons who took part
 * earlier (adjust.c starts and ends it, security.c detains);
 * redeploy_guard sends troops from the national guard reserve to the named regions in
 * proportion to their active persons (equal shares when none are active), each share
 * arriving after its own travel time.
 *
 * Random numbers. Each draw is keyed (model_keyed): a generator seeded by the hash of
 * the stream's seed and a key naming the draw (the action, what is drawn, the
 * region). An action's delay is then the same number whatever else happened before
 * it, in any scenario built on the same seed: the common random numbers of a
 * counterfactual hold action by action, not only stream by stream. Delays, the
 * probability and the emergency and guard draws come from the government stream,
 * shutdown durations from the internet stream.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "model_internal.h"

/* What a keyed draw of the government and internet streams is for. */
enum key_purpose {
	KEY_DELAY = 1,
	KEY_PROBABILITY = 2,
	KEY_EMERGENCY = 3,
	KEY_GUARD = 4,
	KEY_SHUTDOWN = 5
};

gsl_rng *model_keyed(struct ur_model *m, enum ur_stream stream, uint64_t key)
{
	uint64_t seed = ur_rng_set_stream_seed(m->rngs, stream);
	ur_rng_reseed(m->keyed, ur_rng_mix64(seed ^ ur_rng_mix64(key ^ UINT64_C(0x6b65796564))));
	return m->keyed;
}

double model_sample(struct ur_model *m, const struct ur_dist *dist, gsl_rng *rng)
{
	/* The response draws a few hundred numbers a run: preparing a copy each time is cheaper
	 * than keeping a prepared copy of every distribution. */
	struct ur_dist copy = *dist;
	copy.prepared = false;
	copy.table = NULL;
	copy.order = NULL;
	copy.cumulative = NULL;
	if (ur_dist_prepare(&copy) != 0) {
		ur_dist_finish(&copy);
		model_fail(m, UR_MODEL_NOMEM, "out of memory preparing a distribution");
		return 0.0;
	}
	double x = ur_dist_sample(&copy, rng);
	ur_dist_finish(&copy);
	return x;
}

void model_action_detail(const struct ur_model *m, size_t i, char *text, size_t size)
{
	const struct ur_action *a = &m->actions[i].a;
	snprintf(text, size, "id=%s kind=%s", a->id, ur_action_kind_name(a->kind));
}

static void action_report(struct ur_model *m, size_t i, enum ur_model_event_kind kind,
			  enum ur_events_detail level, double value)
{
	char detail[96];
	model_action_detail(m, i, detail, sizeof detail);
	model_report(m, kind, level, m->now, UR_NONE, value, detail);
}

/* ---- triggers ------------------------------------------------------------------------ */

static void fire(struct ur_model *m, size_t i)
{
	struct model_action *x = &m->actions[i];
	assert(x->status == ACTION_WAITING);
	x->status = ACTION_PENDING;
	x->trigger_time = m->now;
	if (x->a.trigger.kind == UR_TRIGGER_WHEN) {
		m->watching[x->a.trigger.indicator]--;
		ur_engine_cancel(m->engine, x->hold_event);
		ur_engine_cancel(m->engine, x->cross_event);
		x->hold_event = x->cross_event = (struct ur_event_handle){0, 0};
	}
	double delay = model_sample(m, &x->a.delay_h,
				    model_keyed(m, UR_STREAM_GOVERNMENT, MODEL_KEY(KEY_DELAY, i, 0)));
	if (!(delay > 0.0))
		delay = 0.0;
	model_fingerprint(m, ((uint64_t)i << 40) ^ model_time_bits(delay));
	action_report(m, i, UR_MEV_ACTION_TRIGGERED, UR_EVENTS_ALL, delay);
	if (m->now + delay <= m->horizon)
		model_schedule(m, m->now + delay, KIND_ACTION_EFFECT, (uint32_t)i, 0, NULL);
}

static bool compare(double x, enum ur_compare op, double value)
{
	switch (op) {
	case UR_CMP_GE: return x >= value;
	case UR_CMP_GT: return x > value;
	case UR_CMP_LE: return x <= value;
	case UR_CMP_LT: return x < value;
	case UR_CMP_COUNT: break;
	}
	assert(!"bad comparison");
	return false;
}

static double region_ratio(const struct ur_model *m, size_t r)
{
	double a = (double)m->region[r].active * m->scale;
	if (!(a > 0.0))
		return 0.0;
	double c = region_security_at(m, r, m->now);
	return c > 0.0 ? a / c : HUGE_VAL;
}

/* The condition of a `when` trigger now; region `forced` (>= 0) is taken to be on the
 * side `truth` (the crossing a moving C_r has just made). */
static bool condition(const struct ur_model *m, const struct ur_trigger *t, int forced,
		      bool truth)
{
	double x = 0.0;
	switch (t->indicator) {
	case UR_IND_ACTIVE:
		x = t->region == UR_NONE ? (double)m->active * m->scale
					 : (double)m->region[t->region].active * m->scale;
		break;
	case UR_IND_REGIONS_ACTIVE:
		x = m->regions_active;
		break;
	case UR_IND_FACILITIES_SEIZED:
		if (t->region != UR_NONE)
			x = m->region[t->region].facilities_held;
		else
			for (size_t r = 0; r < m->nregions; ++r)
				x += m->region[r].facilities_held;
		break;
	case UR_IND_DEATHS:
		if (t->region != UR_NONE)
			x = m->region[t->region].killed;
		else
			for (size_t r = 0; r < m->nregions; ++r)
				x += m->region[r].killed;
		break;
	case UR_IND_FORCE_RATIO: {
		if (t->region != UR_NONE)
			return forced == t->region ? truth
						   : compare(region_ratio(m, (size_t)t->region),
							     t->op, t->value);
		bool any = t->op == UR_CMP_GE || t->op == UR_CMP_GT;
		for (size_t r = 0; r < m->nregions; ++r) {
			bool holds = forced == (int)r ? truth
						      : compare(region_ratio(m, r), t->op, t->value);
			if (any && holds)
				return true;
			if (!any && !holds)
				return false;
		}
		return !any;
	}
	case UR_IND_COUNT:
		assert(!"bad indicator");
		break;
	}
	return compare(x, t->op, t->value);
}

/* While police morale moves C_r along a line, a region's force ratio moves
 * monotonically; schedules a check at the first instant it crosses the trigger's value
 * in a region in scope (cancelling the previous one). Crossings closer than 1e-9 h are
 * taken as made already, so a check never reschedules itself at its own instant. */
static void predict_cross(struct ur_model *m, size_t i)
{
	struct model_action *x = &m->actions[i];
	const struct ur_trigger *t = &x->a.trigger;
	const struct ur_security_params *sp = &m->p->security;
	ur_engine_cancel(m->engine, x->cross_event);
	x->cross_event = (struct ur_event_handle){0, 0};
	if (!(t->value > 0.0))
		return;
	double best = HUGE_VAL;
	int best_region = UR_NONE;
	bool best_truth = false;
	size_t lo = t->region == UR_NONE ? 0 : (size_t)t->region;
	size_t hi = t->region == UR_NONE ? m->nregions : (size_t)t->region + 1;
	for (size_t r = lo; r < hi; ++r) {
		const struct model_region *g = &m->region[r];
		if (g->morale_dir == 0 || g->active == 0)
			continue;
		double morale = region_morale_at(m, r, m->now);
		double c = region_security_at(m, r, m->now);
		double target = (double)g->active * m->scale / t->value; /* C at the crossing */
		double rate = g->morale_dir < 0 ? sp->morale_fall_rate : sp->morale_recovery_rate;
		double slope = (1.0 - g->stand_down) * g->police * rate; /* |dC/dt| */
		if (!(slope > 0.0))
			continue;
		double due;
		bool rising_ratio = g->morale_dir < 0;
		if (rising_ratio) {
			double room = morale - sp->morale_min; /* morale left to lose */
			if (!(c > target) || !(c - target < slope / rate * room))
				continue;
			due = m->now + (c - target) / slope;
		} else {
			double room = 1.0 - morale;
			if (!(c < target) || !(target - c < slope / rate * room))
				continue;
			due = m->now + (target - c) / slope;
		}
		if (!(due - m->now >= 1e-9) || !(due < best))
			continue;
		best = due;
		best_region = (int)r;
		/* the side the region reaches: above the value when the ratio rises */
		bool above = rising_ratio;
		best_truth = (t->op == UR_CMP_GE || t->op == UR_CMP_GT) ? above : !above;
	}
	if (best_region != UR_NONE && best <= m->horizon)
		model_schedule(m, best, KIND_WATCH_CROSS, (uint32_t)i,
			       (int64_t)best_region * 2 + (best_truth ? 1 : 0), &x->cross_event);
}

static void watch_one(struct ur_model *m, size_t i, int forced, bool truth)
{
	struct model_action *x = &m->actions[i];
	const struct ur_trigger *t = &x->a.trigger;
	bool holds = condition(m, t, forced, truth);
	if (!x->armed) {
		if (!holds)
			x->armed = true;
	} else if (holds && !x->holding) {
		x->holding = true;
		x->since = m->now;
		if (!(t->hold_h > 0.0)) {
			fire(m, i);
			return;
		}
		model_schedule(m, m->now + t->hold_h, KIND_WATCH_HOLD, (uint32_t)i, 0,
			       &x->hold_event);
	} else if (!holds && x->holding) {
		x->holding = false;
		ur_engine_cancel(m->engine, x->hold_event);
		x->hold_event = (struct ur_event_handle){0, 0};
	}
	if (t->indicator == UR_IND_FORCE_RATIO)
		predict_cross(m, i);
}

void model_watch(struct ur_model *m, unsigned indicators, int region)
{
	for (size_t k = 0; k < m->nwatchers; ++k) {
		size_t i = m->watchers[k];
		const struct model_action *x = &m->actions[i];
		const struct ur_trigger *t = &x->a.trigger;
		if (x->status != ACTION_WAITING || !(indicators & (1u << t->indicator)))
			continue;
		if (t->region != UR_NONE && region != UR_NONE && t->region != region)
			continue;
		watch_one(m, i, UR_NONE, false);
	}
}

static void watch_hold_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	struct model_action *x = &m->actions[event->target];
	x->hold_event = (struct ur_event_handle){0, 0};
	if (x->status == ACTION_WAITING && x->holding)
		fire(m, event->target);
}

static void watch_cross_handler(struct ur_engine *engine, const struct ur_event *event,
				void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	struct model_action *x = &m->actions[event->target];
	x->cross_event = (struct ur_event_handle){0, 0};
	if (x->status != ACTION_WAITING)
		return;
	int64_t code = event->payload.integer;
	watch_one(m, event->target, (int)(code / 2), (code % 2) != 0);
}

static void action_at_handler(struct ur_engine *engine, const struct ur_event *event,
			      void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	if (m->actions[event->target].status == ACTION_WAITING)
		fire(m, event->target);
}

/* ---- effects ------------------------------------------------------------------------- */

static void internet_report(struct ur_model *m, size_t r)
{
	const struct model_region *g = &m->region[r];
	char detail[96];
	snprintf(detail, sizeof detail, "state=%s action=%s", ur_net_state_name(g->net),
		 g->net_action != UR_NONE ? m->actions[g->net_action].a.id : "");
	model_report(m, UR_MEV_INTERNET, UR_EVENTS_MAJOR, m->now, (int)r, g->connectivity, detail);
}

static void emergency_report(struct ur_model *m, size_t r)
{
	const struct model_region *g = &m->region[r];
	char detail[96];
	snprintf(detail, sizeof detail, "state=%s action=%s", g->soe_on ? "on" : "off",
		 g->soe_action != UR_NONE ? m->actions[g->soe_action].a.id : "");
	model_report(m, UR_MEV_EMERGENCY, UR_EVENTS_MAJOR, m->now, (int)r, g->soe, detail);
}

static void shutdown_start(struct ur_model *m, size_t i, size_t r)
{
	const struct ur_action *a = &m->actions[i].a;
	struct model_region *g = &m->region[r];
	uint32_t generation = ++g->net_generation;
	g->net_action = (int)i;
	model_set_internet(m, r, a->net_state);
	internet_report(m, r);
	/* A restoration ("on") has nothing to end; the new generation above already
	 * voids the end of any shutdown it replaces. */
	if (!a->has_duration || a->net_state == UR_NET_ON)
		return;
	double d = model_sample(m, &a->duration_h,
				model_keyed(m, UR_STREAM_INTERNET, MODEL_KEY(KEY_SHUTDOWN, i, r)));
	if (!(d > 0.0))
		d = 0.0;
	model_fingerprint(m, ((uint64_t)r << 40) ^ model_time_bits(d));
	if (m->now + d <= m->horizon)
		model_schedule(m, m->now + d, KIND_INTERNET_END, (uint32_t)r, generation, NULL);
}

static void internet_end_handler(struct ur_engine *engine, const struct ur_event *event,
				 void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t r = event->target;
	if (m->region[r].net_generation != (uint32_t)event->payload.integer)
		return; /* a later shutdown superseded this one here */
	model_set_internet(m, r, UR_NET_ON);
	internet_report(m, r);
}

static void emergency_start(struct ur_model *m, size_t i, size_t r)
{
	const struct ur_action *a = &m->actions[i].a;
	struct model_region *g = &m->region[r];
	uint32_t generation = ++g->soe_generation;
	g->soe_action = (int)i;
	model_set_emergency(m, r, true, a->risk_multiplier, a->reconsider_multiplier);
	emergency_report(m, r);
	if (!a->has_duration)
		return;
	double d = model_sample(m, &a->duration_h,
				model_keyed(m, UR_STREAM_GOVERNMENT, MODEL_KEY(KEY_EMERGENCY, i, r)));
	if (!(d > 0.0))
		d = 0.0;
	model_fingerprint(m, ((uint64_t)r << 40) ^ model_time_bits(d));
	if (m->now + d <= m->horizon)
		model_schedule(m, m->now + d, KIND_EMERGENCY_END, (uint32_t)r, generation, NULL);
}

static void emergency_end_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t r = event->target;
	if (m->region[r].soe_generation != (uint32_t)event->payload.integer)
		return;
	model_set_emergency(m, r, false, 1.0, 1.0);
	emergency_report(m, r);
}

static void guard_send(struct ur_model *m, size_t i)
{
	const struct ur_action *a = &m->actions[i].a;
	double troops = a->troops < m->guard_reserve ? a->troops : m->guard_reserve;
	if (!(troops > 0.0))
		return;
	m->guard_reserve -= troops;
	double weight[UR_MAX_REGIONS], total = 0.0;
	for (size_t k = 0; k < a->regions.n; ++k) {
		weight[k] = (double)m->region[a->regions.idx[k]].active;
		total += weight[k];
	}
	for (size_t k = 0; k < a->regions.n; ++k) {
		double share = total > 0.0 ? weight[k] / total : 1.0 / (double)a->regions.n;
		if (!(share > 0.0))
			continue;
		size_t r = (size_t)a->regions.idx[k];
		double travel = model_sample(m, &a->travel_h,
					     model_keyed(m, UR_STREAM_GOVERNMENT,
							 MODEL_KEY(KEY_GUARD, i, r)));
		if (!(travel > 0.0))
			travel = 0.0;
		model_fingerprint(m, ((uint64_t)r << 40) ^ model_time_bits(travel));
		if (m->now + travel <= m->horizon) {
			int rc = ur_engine_schedule(m->engine, m->now + travel, KIND_GUARD_ARRIVAL,
						    (uint32_t)r,
						    (union ur_payload){.real = troops * share}, NULL);
			if (rc != UR_ENGINE_OK)
				model_fail(m, rc == UR_ENGINE_NOMEM ? UR_MODEL_NOMEM : UR_MODEL_ENGINE,
					   "cannot schedule a guard arrival at %g h", m->now + travel);
		}
	}
}

static void guard_arrival_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t r = event->target;
	struct model_region *g = &m->region[r];
	double persons = event->payload.real;
	model_set_security(m, r, g->guard + persons, g->csto, g->stand_down);
	model_report(m, UR_MEV_GUARD_ARRIVAL, UR_EVENTS_MAJOR, m->now, (int)r, persons, "");
}

static void apply(struct ur_model *m, size_t i)
{
	const struct ur_action *a = &m->actions[i].a;
	/* Legitimacy and politicization deltas, a rollback's price, an adjust's setting,
	 * a cash transfer and a curfew: adjust.c. */
	model_adjust_start(m, i);
	switch (a->kind) {
	case UR_ACTION_ENVOYS:
	case UR_ACTION_ADDRESS:
	case UR_ACTION_DISMISS_GOVERNMENT:
	case UR_ACTION_PRICE_ROLLBACK:
	case UR_ACTION_ADJUST:
	case UR_ACTION_CASH_TRANSFER:
	case UR_ACTION_CURFEW:
	case UR_ACTION_DETENTION_SWEEP:
		break; /* adjusts, transfers, curfews and sweeps only (adjust.c) */
	case UR_ACTION_STATE_OF_EMERGENCY:
		for (size_t k = 0; k < a->regions.n; ++k)
			emergency_start(m, i, (size_t)a->regions.idx[k]);
		break;
	case UR_ACTION_INTERNET_SHUTDOWN:
		for (size_t k = 0; k < a->regions.n; ++k)
			shutdown_start(m, i, (size_t)a->regions.idx[k]);
		break;
	case UR_ACTION_SECURITY_COUNCIL:
		model_elite_answer(m);
		break;
	case UR_ACTION_REQUEST_CSTO:
		model_csto_request(m);
		break;
	case UR_ACTION_LETHAL_FORCE:
		model_set_lethality(m, a->has_lethality ? a->lethality_multiplier
							: m->p->casualties.lethal_force_multiplier);
		model_set_repression(m, a->repression_multiplier);
		break;
	case UR_ACTION_REDEPLOY_GUARD:
		guard_send(m, i);
		break;
	case UR_ACTION_ANNOUNCE_WITHDRAWAL:
		model_csto_withdraw(m);
		break;
	case UR_ACTION_KIND_COUNT:
		assert(!"bad action kind");
		break;
	}
}

static void action_effect_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t i = event->target;
	struct model_action *x = &m->actions[i];
	assert(x->status == ACTION_PENDING);
	double u = gsl_rng_uniform(model_keyed(m, UR_STREAM_GOVERNMENT,
					       MODEL_KEY(KEY_PROBABILITY, i, 0)));
	double latency = m->now - x->trigger_time;
	if (!(u < x->a.probability)) {
		x->status = ACTION_FAILED;
		model_fingerprint(m, ((uint64_t)i << 8) | 0x0fu);
		action_report(m, i, UR_MEV_ACTION_FAILED, UR_EVENTS_MAJOR, latency);
		return;
	}
	x->status = ACTION_DONE;
	model_fingerprint(m, ((uint64_t)i << 8) | 0x0du);
	action_report(m, i, UR_MEV_ACTION, UR_EVENTS_MAJOR, latency);
	apply(m, i);
	/* Actions `after` this one, in the order of the file. */
	for (size_t j = 0; j < m->nactions && m->status == UR_MODEL_OK; ++j) {
		const struct model_action *y = &m->actions[j];
		if (y->status == ACTION_WAITING && y->a.trigger.kind == UR_TRIGGER_AFTER &&
		    y->a.trigger.after == (int)i)
			fire(m, j);
	}
}

/* ---- creation -------------------------------------------------------------------------- */

int model_response_register(struct ur_model *m)
{
	static const struct {
		unsigned kind;
		ur_event_handler handler;
	} table[] = {
		{KIND_ACTION_AT, action_at_handler},
		{KIND_ACTION_EFFECT, action_effect_handler},
		{KIND_WATCH_HOLD, watch_hold_handler},
		{KIND_WATCH_CROSS, watch_cross_handler},
		{KIND_EMERGENCY_END, emergency_end_handler},
		{KIND_INTERNET_END, internet_end_handler},
		{KIND_GUARD_ARRIVAL, guard_arrival_handler},
		{KIND_ELITE_START, model_elite_start_handler},
		{KIND_ELITE_SEIZE, model_elite_seize_handler},
		{KIND_CSTO_DECISION, model_csto_decision_handler},
		{KIND_CSTO_FLIGHT, model_csto_flight_handler},
		{KIND_CSTO_DEPARTURE, model_csto_departure_handler},
		{KIND_ACTION_END, model_action_end_handler},
		{KIND_CURFEW_EDGE, model_curfew_edge_handler},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i)
		if (ur_engine_set_handler(m->engine, table[i].kind, table[i].handler, m) != 0)
			return -1;
	return 0;
}

int model_government_create(struct ur_model *m)
{
	const struct ur_government_params *gp = &m->p->government;
	m->nactions = gp->nactions;
	if (m->nactions == 0)
		return 0;
	m->actions = calloc(m->nactions, sizeof *m->actions);
	m->watchers = calloc(m->nactions, sizeof *m->watchers);
	if (m->actions == NULL || m->watchers == NULL)
		return -1;
	m->bytes += m->nactions * (sizeof *m->actions + sizeof *m->watchers);
	for (size_t i = 0; i < m->nactions; ++i) {
		m->actions[i].a = gp->actions[i];
		m->actions[i].status = ACTION_WAITING;
		m->actions[i].trigger_time = (double)NAN;
		m->actions[i].effect_time = (double)NAN;
	}
	for (size_t e = 0; e < gp->nedits; ++e) {
		const struct ur_action_edit *ed = &gp->edits[e];
		assert(ed->action >= 0 && (size_t)ed->action < m->nactions);
		struct ur_action *a = &m->actions[ed->action].a;
		if (ed->has_at) {
			a->trigger.kind = UR_TRIGGER_AT;
			a->trigger.at_h = ed->at_h;
			a->trigger.after = UR_NONE;
			a->trigger.region = UR_NONE;
		}
		if (ed->has_delay)
			a->delay_h = ed->delay_h;
		if (ed->has_probability)
			a->probability = ed->probability;
	}
	for (size_t i = 0; i < m->nactions; ++i) {
		struct model_action *x = &m->actions[i];
		switch (x->a.trigger.kind) {
		case UR_TRIGGER_AT:
			if (x->a.trigger.at_h <= m->horizon)
				model_schedule(m, x->a.trigger.at_h, KIND_ACTION_AT, (uint32_t)i, 0, NULL);
			break;
		case UR_TRIGGER_WHEN:
			m->watchers[m->nwatchers++] = i;
			m->watching[x->a.trigger.indicator]++;
			break;
		case UR_TRIGGER_AFTER:
			break;
		}
	}
	/* Arm the `when` triggers whose condition fails at hour 0. */
	for (size_t k = 0; k < m->nwatchers; ++k)
		watch_one(m, m->watchers[k], UR_NONE, false);
	return m->status == UR_MODEL_OK ? 0 : -1;
}

void model_government_destroy(struct ur_model *m)
{
	free(m->watchers);
	free(m->actions);
}
