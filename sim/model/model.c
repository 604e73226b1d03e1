/*
 * model.c: one replication of the unrest model: creation, the run, samples, outcomes,
 * the fingerprint, the invariant checks, and the state setters the
 * government, internet, elite and CSTO mechanisms build on.
 *
 * A run is driven by the engine (engine.h). At creation the model schedules the sample
 * at hour 0, the fuel price rise (and its exogenous rollback), the first arrest and
 * clash sweeps and the first pick of the decision stream; every handler schedules what
 * follows from it. Samples and the final report are observations: they read the state
 * and the integrals' values at their time, store nothing (an integral stored at a
 * sample would cut its floating-point sum there), do not enter the fingerprint and are
 * not counted as events, so neither the sample interval nor the outputs chosen change
 * a run or its summary by a bit.
 *
 * Outcomes. Order holds at the horizon when national active persons have been below
 * outcomes.order_threshold over at least its last order_window hours, whether or not
 * they ever reached it: a protest the state deters before it grows counts with one it
 * ends, so that more force can never lower the share of order restored by preventing
 * protest (docs/model.md, "Outcomes"). order_restored_hour is the start of that final
 * quiet stretch when the crowd had reached the threshold before it (the hour the
 * protest ended), and NAN when it never did (order was never lost). Each time the
 * crowd falls below the threshold after reaching it and stays below for order_window
 * hours an order_restored event is reported; reaching the threshold again undoes it.
 * The capital is "above" while A_r > collapse_ratio C_r; regime collapse is its
 * staying above for collapse_hours with no CSTO troops arriving. At the horizon the
 * outcome is, in this order of precedence: regime_collapse if it happened;
 * elite_prevails if a facility is still held or the capital's police have left their
 * posts; order_restored if order holds; unresolved otherwise.
 *
 * Fingerprint. A 64-bit hash (ur_rng_mix64 chained) over every event but samples:
 * its time, kind and target, the number of decisions made before it, and the draws
 * that decided it (arrest, death and injury counts, detention terms); and over every
 * decision that changed an agent's state: its time, agent and new state. Decisions
 * that changed nothing enter through the running count of decisions.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static const char *const event_names[UR_MODEL_EVENT_KIND_COUNT] = {
	[UR_MEV_FUEL_RISE] = "fuel_rise",
	[UR_MEV_FUEL_ROLLBACK] = "fuel_rollback",
	[UR_MEV_REGION_JOINED] = "region_joined",
	[UR_MEV_POLICE_LEFT] = "police_left",
	[UR_MEV_POLICE_RETURNED] = "police_returned",
	[UR_MEV_ORDER_RESTORED] = "order_restored",
	[UR_MEV_REGIME_COLLAPSE] = "regime_collapse",
	[UR_MEV_ARRESTS] = "arrests",
	[UR_MEV_CLASH] = "clash",
	[UR_MEV_ACTION_TRIGGERED] = "action_triggered",
	[UR_MEV_ACTION] = "action",
	[UR_MEV_ACTION_FAILED] = "action_failed",
	[UR_MEV_INTERNET] = "internet",
	[UR_MEV_EMERGENCY] = "emergency",
	[UR_MEV_GUARD_ARRIVAL] = "guard_arrival",
	[UR_MEV_COUNTER_COUP] = "counter_coup",
	[UR_MEV_SEIZURE] = "seizure",
	[UR_MEV_RECAPTURE] = "recapture",
	[UR_MEV_COUNTER_COUP_END] = "counter_coup_end",
	[UR_MEV_CSTO_REQUEST] = "csto_request",
	[UR_MEV_CSTO_DECISION] = "csto_decision",
	[UR_MEV_CSTO_ARRIVAL] = "csto_arrival",
	[UR_MEV_CSTO_DEPARTURE] = "csto_departure",
	[UR_MEV_CSTO_WITHDRAWN] = "csto_withdrawn",
};

static const char *const outcome_names[UR_OUTCOME_COUNT] = {
	[UR_OUTCOME_ORDER_RESTORED] = "order_restored",
	[UR_OUTCOME_ELITE_PREVAILS] = "elite_prevails",
	[UR_OUTCOME_REGIME_COLLAPSE] = "regime_collapse",
	[UR_OUTCOME_UNRESOLVED] = "unresolved",
};

const char *ur_model_event_name(enum ur_model_event_kind kind)
{
	return (unsigned)kind < UR_MODEL_EVENT_KIND_COUNT ? event_names[kind] : NULL;
}

const char *ur_outcome_name(enum ur_outcome outcome)
{
	return (unsigned)outcome < UR_OUTCOME_COUNT ? outcome_names[outcome] : NULL;
}

/* ---- small services of the other files ---------------------------------------------- */

uint64_t model_time_bits(double t)
{
	uint64_t bits;
	memcpy(&bits, &t, sizeof bits);
	return bits;
}

void model_fingerprint(struct ur_model *m, uint64_t x)
{
	m->fingerprint = ur_rng_mix64(m->fingerprint ^ x);
}

void model_clock(struct ur_model *m, double t)
{
	assert(t >= m->now && "the clock went back");
	if (!(t >= m->now))
		model_fail(m, UR_MODEL_INVARIANT, "event at %.17g h before the clock at %.17g h", t,
			   m->now);
	else
		m->now = t;
}

void model_budget_spent(struct ur_model *m)
{
	model_fail(m, UR_MODEL_BUDGET,
		   "scenario.max_events: the budget of %" PRIu64 " model events was spent at "
		   "%.6g h of the %.6g h horizon (%" PRIu64 " decisions, %" PRIu64 " other "
		   "events); raise it, or look for an interval or rate that floods the run",
		   m->max_events, m->now, m->horizon, m->decisions, m->other_events);
}

void model_event_clock(struct ur_model *m, double t)
{
	model_clock(m, t);
	if (m->decisions + m->other_events >= m->max_events) {
		model_budget_spent(m);
		return;
	}
	m->other_events++;
}

void model_event_begin(struct ur_model *m, const struct ur_event *event)
{
	model_event_clock(m, event->time);
	model_fingerprint(m, model_time_bits(event->time));
	model_fingerprint(m, ((uint64_t)event->kind << 32) | event->target);
	model_fingerprint(m, m->decisions);
}

void model_fail(struct ur_model *m, enum ur_model_status status, const char *fmt, ...)
{
	if (m->status == UR_MODEL_OK) {
		m->status = status;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(m->error, sizeof m->error, fmt, ap);
		va_end(ap);
	}
	ur_engine_stop(m->engine);
}

void model_schedule(struct ur_model *m, double t, unsigned kind, uint32_t target,
		    int64_t payload, struct ur_event_handle *handle)
{
	int rc = ur_engine_schedule(m->engine, t, kind, target, (union ur_payload){.integer = payload},
				    handle);
	if (rc == UR_ENGINE_NOMEM)
		model_fail(m, UR_MODEL_NOMEM, "out of memory scheduling an event at %g h", t);
	else if (rc != UR_ENGINE_OK)
		model_fail(m, UR_MODEL_ENGINE, "%s", ur_engine_last_error(m->engine)->message);
}

void model_report(struct ur_model *m, enum ur_model_event_kind kind, enum ur_events_detail level,
		  double hour, int region, double value, const char *detail)
{
	if (m->obs.event == NULL || level > m->p->output.events)
		return;
	struct ur_model_event ev = {
		.hour = hour,
		.kind = kind,
		.name = ur_model_event_name(kind),
		.region = region,
		.value = value,
		.detail = detail != NULL ? detail : "",
		.level = level,
	};
	if (m->obs.event(m->obs.context, &ev) != 0)
		model_fail(m, UR_MODEL_OBSERVER, "the observer stopped the run at event %s, %g h",
			   ev.name, hour);
}

void model_national_changed(struct ur_model *m)
{
	double active = (double)m->active * m->scale;
	if (active > m->peak_active) {
		m->peak_active = active;
		m->peak_hour = m->now;
	}
	const struct ur_outcome_params *o = &m->p->outcomes;
	bool above = active >= o->order_threshold;
	if (above == m->order_above)
		return;
	m->order_above = above;
	if (above) {
		/* Order is lost: a restoration before this no longer holds. */
		m->order_ever_above = true;
		m->order_below_since = (double)NAN;
		m->order_restored_hour = (double)NAN;
		ur_engine_cancel(m->engine, m->order_event);
		m->order_event = (struct ur_event_handle){0, 0};
	} else if (m->order_ever_above) {
		m->order_below_since = m->now;
		model_schedule(m, m->now + o->order_window_h, KIND_ORDER, 0, 0, &m->order_event);
	}
}

void model_order_handler(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_clock(m, event->time);
	if (m->status != UR_MODEL_OK)
		return;
	model_fingerprint(m, model_time_bits(event->time) ^ KIND_ORDER);
	m->order_event = (struct ur_event_handle){0, 0};
	if (m->order_above)
		return;
	m->order_restored_hour = m->order_below_since;
	model_report(m, UR_MEV_ORDER_RESTORED, UR_EVENTS_MAJOR, m->now, UR_NONE,
		     m->order_restored_hour, "");
}

void model_check_region(struct ur_model *m, size_t r)
{
	const struct model_region *g = &m->region[r];
	if ((uint64_t)g->active + g->held + g->dead > g->n)
		model_fail(m, UR_MODEL_INVARIANT,
			   "region %zu: %u active + %u held + %u dead > %u agents at %g h", r,
			   (unsigned)g->active, (unsigned)g->held, (unsigned)g->dead,
			   (unsigned)g->n, m->now);
}

/* ---- coefficients and setters ---------------------------------------------------- */

void region_coefficients(struct ur_model *m, size_t r)
{
	const struct ur_agent_params *a = &m->p->agents;
	const struct ur_network_params *net = &m->p->network;
	struct model_region *g = &m->region[r];
	g->griev = a->w_g * (1.0 - g->legitimacy);
	g->eta = ur_region_eta(m->p, r);
	g->fuel = a->sigma_fuel * g->shock;
	g->pol = a->w_g * m->politicization * m->p->regions[r].political;
	g->s_local = a->w_s * (1.0 - net->mu * m->connectivity);
	g->s_cross = a->w_s * net->mu * m->connectivity;
	g->street = a->beta_b * g->blackout;
	g->stale = true;
}

double model_example_cost(const struct ur_model *m, size_t r)
{
	const struct ur_agent_params *a = &m->p->agents;
	if (!(a->example_cost > 0.0))
		return 0.0;
	const struct model_region *g = &m->region[r];
	double mc = m->p->network.mu * m->connectivity;
	double S = (1.0 - mc) * ((double)g->active * g->inv_n) + mc * g->cross;
	return a->example_cost * exp(-S / a->example_share);
}

/*
 * The population-weighted mean of a share kept in each region (connectivity c(t),
 * legitimacy), at offset `field` of struct model_region: sum_r pop_r x_r / sum_r pop_r.
 * It stays in [0, 1] exactly, with no clamp: each product pop_r x_r (x_r in [0, 1],
 * pop_r a whole number) rounds to at most pop_r, a sum of such terms rounds to at most
 * the exact sum of the populations (rounding is monotone and that sum is exact), and a
 * correctly rounded quotient of y <= total by total is at most 1. When every region's
 * share is 1 the mean is 1 exactly. Normalized weights pop_r / total, summed, would not
 * be: their sum is 1 only to rounding, and connectivity read 1.0000000000000002.
 */
double model_population_mean(const struct ur_model *m, size_t field)
{
	double sum = 0.0;
	for (size_t r = 0; r < m->nregions; ++r) {
		double x;
		memcpy(&x, (const char *)&m->region[r] + field, sizeof x);
		sum += m->region[r].population * x;
	}
	return m->population > 0.0 ? sum / m->population : 0.0;
}

static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

void model_set_legitimacy(struct ur_model *m, size_t r, double legitimacy)
{
	assert(r < m->nregions);
	m->region[r].legitimacy = clamp01(legitimacy);
	region_coefficients(m, r);
}

void model_set_politicization(struct ur_model *m, double politicization)
{
	m->politicization = clamp01(politicization);
	for (size_t r = 0; r < m->nregions; ++r)
		region_coefficients(m, r);
}

void model_set_price(struct ur_model *m, size_t r, double ratio)
{
	assert(r < m->nregions);
	m->region[r].price = ratio;
	m->region[r].shock = ur_fuel_grievance(ratio, m->p->fuel.gamma);
	region_coefficients(m, r);
}

void model_set_internet(struct ur_model *m, size_t r, enum ur_net_state state)
{
	assert(r < m->nregions && (unsigned)state < UR_NET_STATE_COUNT);
	const struct ur_internet_params *ip = &m->p->internet;
	struct model_region *g = &m->region[r];
	region_advance(m, r, m->now);
	g->net = state;
	g->connectivity = state == UR_NET_ON ? 1.0 : state == UR_NET_THROTTLED ? ip->throttled_level
									      : ip->off_level;
	g->blackout = state == UR_NET_ON ? 0.0 : state == UR_NET_THROTTLED ? ip->throttled_street
									  : ip->off_street;
	m->connectivity = model_population_mean(m, offsetof(struct model_region, connectivity));
	for (size_t s = 0; s < m->nregions; ++s)
		region_coefficients(m, s);
}

/* soe_r and the reconsider multiplier from the emergency's and the curfews'. */
static void region_multipliers(struct ur_model *m, size_t r)
{
	struct model_region *g = &m->region[r];
	g->soe = g->soe_risk * g->curfew_risk;
	g->stale = true;
	double reconsider = g->soe_reconsider * g->curfew_reconsider;
	double reconsider_active = reconsider * g->curfew_exit;
	if (reconsider != g->reconsider || reconsider_active != g->reconsider_active) {
		g->reconsider = reconsider;
		g->reconsider_active = reconsider_active;
		model_decision_rate_changed(m);
	}
}

void model_set_emergency(struct ur_model *m, size_t r, bool on, double risk_multiplier,
			 double reconsider_multiplier)
{
	assert(r < m->nregions);
	struct model_region *g = &m->region[r];
	region_advance(m, r, m->now);
	g->soe_on = on;
	g->soe_risk = on ? risk_multiplier : 1.0;
	g->soe_reconsider = on ? reconsider_multiplier : 1.0;
	region_multipliers(m, r);
}

void model_set_curfew(struct ur_model *m, size_t r, double risk_multiplier,
		      double reconsider_multiplier, double exit_multiplier)
{
	assert(r < m->nregions);
	struct model_region *g = &m->region[r];
	g->curfew_risk = risk_multiplier;
	g->curfew_reconsider = reconsider_multiplier;
	g->curfew_exit = exit_multiplier;
	region_multipliers(m, r);
}

void model_set_repression(struct ur_model *m, double repression)
{
	m->repression = repression;
	for (size_t r = 0; r < m->nregions; ++r)
		m->region[r].stale = true;
}

void model_set_lethality(struct ur_model *m, double lethality)
{
	m->lethality = lethality;
}

void model_set_security(struct ur_model *m, size_t r, double guard, double csto,
			double stand_down)
{
	assert(r < m->nregions);
	struct model_region *g = &m->region[r];
	region_advance(m, r, m->now);
	g->guard = guard;
	g->csto = csto;
	g->stand_down = stand_down;
	/* Troops guard the region's facilities and free the police who guarded them. */
	g->freed = 0.0;
	if (m->p->regions[r].nfacilities > 0) {
		g->freed = m->p->csto.freed_police_per_troop * csto;
		if (g->freed > g->police)
			g->freed = g->police;
	}
	double troops = 0.0;
	for (size_t s = 0; s < m->nregions; ++s)
		troops += m->region[s].csto;
	if (troops > m->csto_troops_peak)
		m->csto_troops_peak = troops;
	region_security_changed(m, r);
}

void model_set_fighters(struct ur_model *m, size_t r, unsigned fighters,
			unsigned facilities_held)
{
	assert(r < m->nregions);
	region_advance(m, r, m->now);
	m->region[r].fighters = fighters;
	m->region[r].facilities_held = facilities_held;
}

/* ---- fuel ------------------------------------------------------------------------ */

static void fuel_detail(const struct ur_model *m, const struct ur_region_set *set,
			char *text, size_t size)
{
	if (set->all) {
		snprintf(text, size, "all");
		return;
	}
	size_t used = 0;
	text[0] = '\0';
	for (size_t i = 0; i < set->n && used < size; ++i) {
		int n = snprintf(text + used, size - used, "%s%s", i > 0 ? " " : "",
				 m->p->regions[set->idx[i]].id);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* A price step: the price before adjusts in its regions (a price_rollback in force
 * there still holds the price down: model_adjust_rebase). */
static void fuel_handler(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_clock(m, event->time);
	if (m->status != UR_MODEL_OK)
		return;
	model_fingerprint(m, model_time_bits(event->time) ^ event->kind);
	const struct ur_price_step *step = &m->p->fuel.steps[event->payload.integer];
	for (size_t i = 0; i < step->regions.n; ++i)
		model_adjust_rebase(m, UR_ADJ_FUEL_PRICE, (size_t)step->regions.idx[i],
				    step->ratio);
	char detail[UR_TEXT_SIZE];
	fuel_detail(m, &step->regions, detail, sizeof detail);
	model_report(m, event->kind == KIND_FUEL_RISE ? UR_MEV_FUEL_RISE : UR_MEV_FUEL_ROLLBACK,
		     UR_EVENTS_MAJOR, m->now, UR_NONE, step->ratio, detail);
}

/* ---- samples ------------------------------------------------------------------------ */

static void fill_rows(struct ur_model *m, double t, struct ur_national_row *nat,
		      struct ur_region_row *rows)
{
	struct ur_national_row n = {.hour = t, .connectivity = m->connectivity};
	for (size_t r = 0; r < m->nregions; ++r) {
		const struct model_region *g = &m->region[r];
		double damage, shutdown_hours;
		region_integrals_at(m, r, t, &damage, &shutdown_hours);
		struct ur_region_row row = {
			.active = (double)g->active * m->scale,
			.held = (double)g->held * m->scale,
			.detained = g->detained,
			.killed = g->killed,
			.injured = g->injured,
			.security = region_security_at(m, r, t),
			.csto_troops = g->csto,
			.internet = g->net,
		};
		if (rows != NULL)
			rows[r] = row;
		n.active += row.active;
		n.held += row.held;
		n.detained += row.detained;
		n.killed += row.killed;
		n.injured += row.injured;
		n.security += row.security;
		n.csto_troops += row.csto_troops;
		n.facilities_held += g->facilities_held;
		n.damage_usd += damage;
	}
	n.legitimacy = model_population_mean(m, offsetof(struct model_region, legitimacy));
	if (nat != NULL)
		*nat = n;
}

static void emit_sample(struct ur_model *m, double t)
{
	struct ur_model_sample sample = {.hour = t, .nregions = m->nregions, .regions = m->rows};
	fill_rows(m, t, &sample.national, m->rows);
	if (m->opt.check_invariants) {
		char why[200];
		const struct ur_national_row *a = &m->previous, *b = &sample.national;
		if (ur_model_check(m, why, sizeof why) != 0)
			model_fail(m, UR_MODEL_INVARIANT, "%s", why);
		else if (b->detained < a->detained || b->killed < a->killed ||
			 b->injured < a->injured || b->damage_usd < a->damage_usd || b->hour < a->hour)
			model_fail(m, UR_MODEL_INVARIANT,
				   "a cumulative count decreased between %g h and %g h", a->hour,
				   b->hour);
		m->previous = sample.national;
	}
	if (m->obs.sample != NULL && m->obs.sample(m->obs.context, &sample) != 0)
		model_fail(m, UR_MODEL_OBSERVER, "the observer stopped the run at the sample of %g h",
			   t);
}

/* Relative: far above the rounding of k x interval (10^-16), far below a sample
 * interval (at least a second in 10^6 hours, 3 x 10^-10). */
#define SAMPLE_HORIZON_TOLERANCE 1e-12

static void sample_handler(struct ur_engine *engine, const struct ur_event *event, void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_clock(m, event->time);
	m->samples++;
	emit_sample(m, m->now);
	/* The horizon has its own sample (at the finish); a k x interval that falls
	 * within rounding of it (720 x 0.7 = 503.99999999999994 for 504) is that same
	 * instant, and a second row there would read as a duplicate. */
	int64_t next = event->payload.integer + 1;
	double due = (double)next * m->p->scenario.sample_interval_h;
	if (due < m->horizon - SAMPLE_HORIZON_TOLERANCE * m->horizon)
		model_schedule(m, due, KIND_SAMPLE, 0, next, NULL);
}

/* ---- create and destroy ----------------------------------------------------------- */

static int prepare_copy(struct ur_dist *out, const struct ur_dist *in)
{
	*out = *in;
	out->prepared = false;
	out->table = NULL;
	out->order = NULL;
	out->cumulative = NULL;
	return ur_dist_prepare(out);
}

static int register_handlers(struct ur_model *m)
{
	static const struct {
		unsigned kind;
		ur_event_handler handler;
	} table[] = {
		{KIND_DECIDE, model_decide_handler},
		{KIND_SAMPLE, sample_handler},
		{KIND_FUEL_RISE, fuel_handler},
		{KIND_FUEL_ROLLBACK, fuel_handler},
		{KIND_ARRESTS, model_arrests_handler},
		{KIND_CLASHES, model_clashes_handler},
		{KIND_RELEASE, model_release_handler},
		{KIND_MORALE_FLOOR, model_morale_handler},
		{KIND_ORDER, model_order_handler},
		{KIND_COLLAPSE, model_collapse_handler},
		{KIND_COLLAPSE_CROSS, model_collapse_cross_handler},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i)
		if (ur_engine_set_handler(m->engine, table[i].kind, table[i].handler, m) != 0)
			return -1;
	return model_response_register(m);
}

static int init_network(struct ur_model *m)
{
	size_t n = m->nregions;
	m->weight = malloc(n * n * sizeof *m->weight);
	m->cross_step = malloc(n * n * sizeof *m->cross_step);
	if (m->weight == NULL || m->cross_step == NULL)
		return -1;
	m->bytes += n * n * (sizeof *m->weight + sizeof *m->cross_step);
	model_gravity(m->p, m->weight);
	for (size_t s = 0; s < n; ++s)
		for (size_t r = 0; r < n; ++r)
			m->cross_step[s * n + r] =
				(int64_t)llround(m->weight[r * n + s] * m->region[s].inv_n / CROSS_UNIT);
	return 0;
}

static void init_regions(struct ur_model *m)
{
	const struct ur_params *p = m->p;
	/* Populations are whole numbers below 2^53 (the schema's limit times
	 * UR_MAX_REGIONS), so their sum is exact. */
	m->population = 0.0;
	for (size_t r = 0; r < p->nregions; ++r)
		m->population += (double)p->regions[r].population;
	for (size_t r = 0; r < p->nregions; ++r) {
		struct model_region *g = &m->region[r];
		g->population = (double)p->regions[r].population;
		g->legitimacy = p->agents.legitimacy0;
		g->shock = 0.0;
		g->connectivity = 1.0;
		g->net = UR_NET_ON;
		g->blackout = 0.0;
		g->soe = 1.0;
		g->soe_risk = 1.0;
		g->soe_reconsider = 1.0;
		g->curfew_risk = 1.0;
		g->curfew_reconsider = 1.0;
		g->curfew_exit = 1.0;
		g->price = 1.0;
		g->reconsider = 1.0;
		g->reconsider_active = 1.0;
		g->police = p->regions[r].police * p->security.police_scale;
		g->morale = 1.0;
		g->morale_time = 0.0;
		g->morale_dir = 0;
		g->last = 0.0;
		g->net_action = UR_NONE;
		g->soe_action = UR_NONE;
	}
	m->guard_reserve = p->security.guard_reserve;
	m->politicization = p->agents.politicization0;
	m->fatigue = p->agents.fatigue;
	m->repression = 1.0;
	m->connectivity = 1.0;
	m->lethality = 1.0;
	m->csto_request_hour = (double)NAN;
	m->order_below_since = (double)NAN;
	m->order_restored_hour = (double)NAN;
	m->collapse_since = (double)NAN;
	m->collapse_hour = (double)NAN;
}

static int schedule_start(struct ur_model *m)
{
	const struct ur_params *p = m->p;
	model_schedule(m, 0.0, KIND_SAMPLE, 0, 0, NULL);
	/* A step above the price of the step before it (in time; 1 before any) is a
	 * rise, else a rollback: the name of its event. */
	for (size_t i = 0; i < p->fuel.nsteps; ++i) {
		const struct ur_price_step *step = &p->fuel.steps[i];
		double before = 1.0, when = -HUGE_VAL;
		for (size_t j = 0; j < p->fuel.nsteps; ++j) {
			const struct ur_price_step *o = &p->fuel.steps[j];
			if ((o->at_h < step->at_h || (o->at_h == step->at_h && j < i)) &&
			    o->at_h >= when) {
				when = o->at_h;
				before = o->ratio;
			}
		}
		if (step->at_h <= m->horizon)
			model_schedule(m, step->at_h,
				       step->ratio > before ? KIND_FUEL_RISE : KIND_FUEL_ROLLBACK,
				       0, (int64_t)i, NULL);
	}
	if (p->arrests.interval_h <= m->horizon)
		model_schedule(m, p->arrests.interval_h, KIND_ARRESTS, 0, 1, NULL);
	if (p->casualties.interval_h <= m->horizon)
		model_schedule(m, p->casualties.interval_h, KIND_CLASHES, 0, 1, NULL);
	if (m->status != UR_MODEL_OK)
		return -1;
	return model_decisions_start(m);
}

struct ur_model *ur_model_create(const struct ur_params *params, uint64_t replication_seed,
				 const struct ur_observer *observer,
				 const struct ur_model_options *options)
{
	assert(params != NULL);
	assert(params->nregions >= 1 && params->nregions <= UR_MAX_REGIONS);
	struct ur_model *m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	/* The run's own params: adjusts change them; the scenario's stay as they are
	 * (they may be shared by threads). Distributions' arrays stay the scenario's. */
	m->own = malloc(sizeof *m->own);
	if (m->own == NULL) {
		free(m);
		return NULL;
	}
	*m->own = *params;
	m->p = m->own;
	if (observer != NULL)
		m->obs = *observer;
	if (options != NULL)
		m->opt = *options;
#ifndef NDEBUG
	/* Debug builds (and the default debugoptimized one) check the invariants in every
	 * run, the program's included: a broken count then stops the run with a reason
	 * instead of writing wrong numbers. Release builds check them when asked. */
	m->opt.check_invariants = true;
#endif
	m->replication_seed = replication_seed;
	m->scale = params->scenario.agent_scale;
	m->horizon = params->scenario.horizon_h;
	assert(params->scenario.max_events >= 1);
	m->max_events = params->scenario.max_events;
	m->nregions = params->nregions;
	m->status = UR_MODEL_OK;
	m->bytes = sizeof *m + sizeof *m->own;

	m->rngs = ur_rng_set_create(replication_seed);
	m->engine = ur_engine_create(0.0);
	m->rows = calloc(m->nregions, sizeof *m->rows);
	if (m->rngs == NULL || m->engine == NULL || m->rows == NULL)
		goto fail;
	m->rng_agents = ur_rng_set_stream(m->rngs, UR_STREAM_AGENTS);
	m->rng_security = ur_rng_set_stream(m->rngs, UR_STREAM_SECURITY);
	m->rng_elite = ur_rng_set_stream(m->rngs, UR_STREAM_ELITE);
	m->keyed = ur_rng_create(0);
	if (m->keyed == NULL)
		goto fail;
	if (register_handlers(m) != 0)
		goto fail;
	if (prepare_copy(&m->detention, &params->arrests.detention_h) != 0 ||
	    prepare_copy(&m->injury_ratio, &params->casualties.injury_ratio) != 0)
		goto fail;

	init_regions(m);
	for (size_t i = 0; i < params->government.nactions; ++i)
		if (params->government.actions[i].kind == UR_ACTION_DETENTION_SWEEP)
			m->sweeps = true;
	model_log_table_init(&m->log_table);
	if (model_agents_create(m) != 0 || init_network(m) != 0)
		goto fail;
	for (size_t r = 0; r < m->nregions; ++r)
		region_coefficients(m, r);
	m->previous.hour = 0.0;
	m->fingerprint = ur_rng_mix64(replication_seed ^ UINT64_C(0x756e72657374)); /* "unrest" */
	m->run_limit = 0.0;
	m->run_stop = 0.0;
	if (model_government_create(m) != 0 || model_adjust_create(m) != 0 ||
	    schedule_start(m) != 0)
		goto fail;
	return m;
fail:
	ur_model_destroy(m);
	return NULL;
}

void ur_model_destroy(struct ur_model *m)
{
	if (m == NULL)
		return;
	model_adjust_destroy(m);
	model_government_destroy(m);
	ur_rng_destroy(m->keyed);
	free(m->rows);
	free(m->cross_step);
	free(m->weight);
	model_agents_destroy(m);
	free(m->decision_counts);
	for (size_t r = 0; r < m->nregions; ++r) {
		free(m->region[r].active_list);
		free(m->region[r].pool_list);
	}
	free(m->active_pos);
	free(m->tag);
	free(m->attr);
	ur_dist_finish(&m->injury_ratio);
	ur_dist_finish(&m->detention);
	ur_engine_destroy(m->engine);
	ur_rng_set_destroy(m->rngs);
	free(m->own);
	free(m);
}

/* ---- the run ------------------------------------------------------------------------ */

static enum ur_outcome outcome_of(const struct ur_model *m)
{
	if (m->collapsed)
		return UR_OUTCOME_REGIME_COLLAPSE;
	const struct model_region *capital = &m->region[m->p->outcomes.capital];
	for (size_t r = 0; r < m->nregions; ++r)
		if (m->region[r].facilities_held > 0)
			return UR_OUTCOME_ELITE_PREVAILS;
	if (capital->left)
		return UR_OUTCOME_ELITE_PREVAILS;
	if (!isnan(m->order_restored_hour))
		return UR_OUTCOME_ORDER_RESTORED;
	/* Never at the threshold: order held throughout, once the run has lasted the
	 * window (the same quiet stretch a restoration needs). The crowd is compared
	 * here, not order_above: that starts false and changes only when the crowd does,
	 * so with a threshold of 0 a run in which no one ever acted would pass as below
	 * it. */
	const struct ur_outcome_params *o = &m->p->outcomes;
	if (!m->order_ever_above && (double)m->active * m->scale < o->order_threshold &&
	    m->now >= o->order_window_h)
		return UR_OUTCOME_ORDER_RESTORED;
	return UR_OUTCOME_UNRESOLVED;
}

void ur_model_summary(struct ur_model *m, struct ur_model_summary *s)
{
	assert(m != NULL && s != NULL);
	struct ur_national_row n;
	fill_rows(m, m->now, &n, NULL);
	struct ur_engine_stats es;
	ur_engine_stats(m->engine, &es);
	/* Every engine event is a batch of decisions, a sample or a model event counted by
	 * model_event_clock (a handler that forgot it would be missed by the budget). */
	assert(m->status != UR_MODEL_OK ||
	       es.executed == m->batches + m->samples + m->other_events);
	double killed_security = 0.0, shutdown = 0.0;
	for (size_t r = 0; r < m->nregions; ++r) {
		double damage, hours;
		region_integrals_at(m, r, m->now, &damage, &hours);
		killed_security += m->region[r].killed_security;
		shutdown += hours;
	}
	*s = (struct ur_model_summary){
		.replication_seed = m->replication_seed,
		.outcome = outcome_of(m),
		.peak_active = m->peak_active,
		.peak_hour = m->peak_hour,
		.regions_joined = m->regions_joined,
		.killed = n.killed,
		.killed_security = killed_security,
		.injured = n.injured,
		.detained = n.detained,
		.damage_usd = n.damage_usd,
		.shutdown_region_hours = shutdown,
		.csto_request_hour = m->csto_request_hour,
		.csto_troops_peak = m->csto_troops_peak,
		.order_restored_hour = m->order_restored_hour,
		/* Model events only: decisions, and engine events that are neither a batch
		 * of decisions (counted one by one above) nor a sample. */
		.events = m->decisions + m->other_events,
		.decisions = m->decisions,
		.engine_events = es.executed,
		.fingerprint = m->fingerprint,
		.nregions = m->nregions,
	};
	for (size_t r = 0; r < m->nregions; ++r)
		s->region_onset[r] = m->region[r].joined ? m->region[r].joined_hour : (double)NAN;
	s->nactions = m->nactions;
	for (size_t i = 0; i < m->nactions; ++i)
		s->action_hour[i] = m->actions[i].effect_time;
}

static void finish(struct ur_model *m)
{
	m->now = m->horizon;
	emit_sample(m, m->horizon);
	if (m->status != UR_MODEL_OK)
		return;
	m->finished = true;
	if (m->obs.summary != NULL) {
		struct ur_model_summary s;
		ur_model_summary(m, &s);
		if (m->obs.summary(m->obs.context, &s) != 0)
			model_fail(m, UR_MODEL_OBSERVER, "the observer stopped the run at the summary");
	}
}

enum ur_model_status ur_model_run_until(struct ur_model *m, double hour)
{
	assert(m != NULL && !isnan(hour));
	if (m->finished)
		return UR_MODEL_FINISHED;
	if (m->status != UR_MODEL_OK)
		return m->status;
	if (hour < m->now) {
		snprintf(m->error, sizeof m->error, "run to %g h, before the clock at %g h", hour,
			 m->now);
		return UR_MODEL_PAST;
	}
	m->error[0] = '\0';
	if (hour > m->horizon)
		hour = m->horizon;
	m->run_limit = hour;
	m->run_stop = nextafter(hour, HUGE_VAL);
	int rc = ur_engine_run_until(m->engine, hour);
	if (m->status != UR_MODEL_OK)
		return m->status;
	if (rc != UR_ENGINE_OK) {
		model_fail(m, UR_MODEL_ENGINE, "%s", ur_engine_last_error(m->engine)->message);
		return m->status;
	}
	m->now = hour;
	if (hour == m->horizon)
		finish(m);
	return m->status;
}

enum ur_model_status ur_model_run(struct ur_model *m)
{
	assert(m != NULL);
	return ur_model_run_until(m, m->horizon);
}

/* ---- queries --------------------------------------------------------------------- */

const char *ur_model_error(const struct ur_model *m)
{
	return m->error;
}

double ur_model_now(const struct ur_model *m)
{
	return m->now;
}

bool ur_model_finished(const struct ur_model *m)
{
	return m->finished;
}

void ur_model_snapshot(struct ur_model *m, struct ur_national_row *national,
		       struct ur_region_row *regions)
{
	assert(m != NULL);
	fill_rows(m, m->now, national, regions);
}

size_t ur_model_region_agents(const struct ur_model *m, size_t region)
{
	assert(region < m->nregions);
	return m->region[region].n;
}

size_t ur_model_agents(const struct ur_model *m)
{
	return m->nagents;
}

size_t ur_model_region_first_agent(const struct ur_model *m, size_t region)
{
	assert(region < m->nregions);
	return m->region[region].first;
}

const uint32_t *ur_model_decision_counts(const struct ur_model *m)
{
	return m->decision_counts;
}

double ur_model_weight(const struct ur_model *m, size_t r, size_t s)
{
	assert(r < m->nregions && s < m->nregions);
	return m->weight[r * m->nregions + s];
}

void ur_model_stats(const struct ur_model *m, struct ur_model_stats *stats)
{
	struct ur_engine_stats es;
	ur_engine_stats(m->engine, &es);
	*stats = (struct ur_model_stats){
		.decisions = m->decisions,
		.state_changes = m->state_changes,
		.engine_events = es.executed,
		.max_pending = es.max_pending,
		.bytes = m->bytes,
	};
}

static int check_fail(char *why, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int check_fail(char *why, size_t size, const char *fmt, ...)
{
	if (why != NULL && size > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int ur_model_check(const struct ur_model *m, char *why, size_t size)
{
	assert(m != NULL);
	uint64_t active = 0, held = 0;
	/* Agents made during the run (who can act, agents.c) follow every region's
	 * first ones: each region's are counted by their tags. */
	uint32_t counts[UR_MAX_REGIONS][4], pools[UR_MAX_REGIONS];
	memset(counts, 0, sizeof counts);
	memset(pools, 0, sizeof pools);
	for (size_t i = 0; i < m->nagents; ++i) {
		size_t r = (size_t)(m->tag[i] >> TAG_REGION_SHIFT);
		if (r >= m->nregions)
			return check_fail(why, size, "agent %zu: bad tag %#x", i, (unsigned)m->tag[i]);
		counts[r][m->tag[i] & TAG_STATE_MASK]++;
		pools[r] += (m->tag[i] & (TAG_EVER | TAG_GONE)) == TAG_EVER;
	}
	for (size_t r = 0; r < m->nregions; ++r) {
		const struct model_region *g = &m->region[r];
		const uint32_t *count = counts[r];
		if (count[AGENT_ACTIVE] != g->active || count[AGENT_HELD] != g->held ||
		    count[AGENT_DEAD] != g->dead ||
		    (uint64_t)count[0] + count[1] + count[2] + count[3] != g->n)
			return check_fail(why, size,
					  "region %zu at %g h: %u quiet + %u active + %u held "
					  "!= counted %u active, %u held of %u agents",
					  r, m->now, (unsigned)count[0], (unsigned)count[1],
					  (unsigned)count[2], (unsigned)g->active,
					  (unsigned)g->held, (unsigned)g->n);
		if (m->sweeps && (pools[r] != g->pool || g->pool > g->pool_len))
			return check_fail(why, size,
					  "region %zu at %g h: %u agents in the sweep pool by their "
					  "tags, %u counted, %u listed",
					  r, m->now, (unsigned)pools[r], (unsigned)g->pool,
					  (unsigned)g->pool_len);
		for (uint32_t j = 0; j < g->active; ++j) {
			uint32_t agent = g->active_list[j];
			if (agent >= m->nagents ||
			    (size_t)(m->tag[agent] >> TAG_REGION_SHIFT) != r ||
			    (m->tag[agent] & TAG_STATE_MASK) != AGENT_ACTIVE ||
			    m->active_pos[agent] != j)
				return check_fail(why, size,
						  "region %zu: active list entry %u is wrong", r,
						  (unsigned)j);
		}
		if (!(g->detained >= 0.0 && g->killed >= 0.0 && g->injured >= 0.0 &&
		      g->killed_security >= 0.0 && g->killed_security <= g->killed &&
		      g->damage >= 0.0 && g->shutdown_hours >= 0.0))
			return check_fail(why, size, "region %zu: a negative or NaN count", r);
		if (g->last > m->now || g->morale_time > m->now)
			return check_fail(why, size, "region %zu: integrals ahead of the clock", r);
		double morale = region_morale_at(m, r, m->now);
		if (!(morale >= m->p->security.morale_min && morale <= 1.0))
			return check_fail(why, size, "region %zu: morale %g out of range", r, morale);
		active += g->active;
		held += g->held;
	}
	if (active != m->active || held != m->held)
		return check_fail(why, size, "national counts differ from the regions' sums");
	if (m->now > m->horizon)
		return check_fail(why, size, "clock %g h past the horizon %g h", m->now, m->horizon);
	return 0;
}
