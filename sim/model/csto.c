/*
 * csto.c: troops of the Collective Security Treaty Organization (DESIGN.md section 5).
 *
 * A request_csto action that takes effect is a request (the first sets the summary's
 * csto_request_hour). Unless one is already awaiting its answer or was granted, it is
 * answered after a drawn decision delay, granted with csto.probability. Once granted,
 * troops are on their way (regime collapse can no longer be declared) and each
 * contingent flies in flight by flight: the first after its first_flight delay from
 * the decision, each next one after a drawn interval, troops_per_flight a flight (the
 * last carries the rest), to its destination regions in turn. A flight adds its troops
 * to csto_r, hence to C_r (times csto.effectiveness); in a region with facilities they
 * guard them and free police, min(csto.freed_police csto_r, police_r), who join C_r
 * (model_set_security).
 *
 * announce_withdrawal stops the flights still to come (a withdrawal announced before
 * the decision means none), and after csto.withdrawal_delay the troops leave, each
 * contingent one flight (troops_per_flight, or what is left) per
 * csto.withdrawal_interval, from the region where it has the most troops (the first
 * such region in the scenario's order). When the last troops have left, the CSTO has
 * withdrawn (csto_withdrawn) and troops are no longer arriving. Troops killed in a
 * clash leave their contingents (model_csto_killed).
 *
 * Random numbers: keyed draws of the CSTO stream (model_keyed): a request's answer and
 * delay by its number, each flight's time by its contingent and number. A contingent's
 * timetable is the same whatever the other contingents do.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "model_internal.h"

enum {
	KEY_REQUEST = 8,
	KEY_FLIGHT = 9,
	KEY_WITHDRAWAL = 10,
	KEY_DEPARTURE = 11
};

static double positive(double x)
{
	return x > 0.0 ? x : 0.0;
}

static void csto_change(struct ur_model *m, size_t c, size_t r, int64_t troops)
{
	struct model_region *g = &m->region[r];
	struct model_contingent *k = &m->csto.c[c];
	k->in_region[r] += troops;
	k->present += troops;
	model_set_security(m, r, g->guard, g->csto + (double)troops, g->stand_down);
}

void model_csto_request(struct ur_model *m)
{
	struct model_csto *x = &m->csto;
	if (isnan(m->csto_request_hour))
		m->csto_request_hour = m->now;
	model_report(m, UR_MEV_CSTO_REQUEST, UR_EVENTS_MAJOR, m->now, UR_NONE, (double)NAN, "");
	if (x->pending || x->granted)
		return;
	unsigned n = x->requests++;
	x->pending = true;
	double delay = positive(model_sample(
		m, &m->p->csto.decision_h, model_keyed(m, UR_STREAM_CSTO, MODEL_KEY(KEY_REQUEST, n, 1))));
	model_fingerprint(m, model_time_bits(delay) ^ 0xc1u);
	if (m->now + delay <= m->horizon)
		model_schedule(m, m->now + delay, KIND_CSTO_DECISION, 0, n, NULL);
}

static void schedule_flight(struct ur_model *m, size_t c)
{
	const struct ur_contingent *ct = &m->p->csto.contingents[c];
	struct model_contingent *k = &m->csto.c[c];
	const struct ur_dist *d = k->arrivals == 0 ? &ct->first_flight_h : &ct->interval_h;
	double wait = positive(model_sample(
		m, d, model_keyed(m, UR_STREAM_CSTO, MODEL_KEY(KEY_FLIGHT, c, k->arrivals))));
	model_fingerprint(m, ((uint64_t)c << 40) ^ model_time_bits(wait));
	if (m->now + wait <= m->horizon)
		model_schedule(m, m->now + wait, KIND_CSTO_FLIGHT, (uint32_t)c, 0, &k->flight_event);
}

void model_csto_decision_handler(struct ur_engine *engine, const struct ur_event *event,
				 void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	struct model_csto *x = &m->csto;
	const struct ur_csto_params *cp = &m->p->csto;
	x->pending = false;
	uint64_t n = (uint64_t)event->payload.integer;
	double u = gsl_rng_uniform(model_keyed(m, UR_STREAM_CSTO, MODEL_KEY(KEY_REQUEST, n, 0)));
	bool granted = u < cp->probability;
	model_fingerprint(m, granted ? 0xc3u : 0xc2u);
	model_report(m, UR_MEV_CSTO_DECISION, UR_EVENTS_MAJOR, m->now, UR_NONE,
		     granted ? 1.0 : 0.0, "");
	if (!granted || x->withdrawing)
		return;
	x->granted = true;
	m->csto_arriving = true;
	for (size_t c = 0; c < cp->ncontingents; ++c) {
		x->c[c].to_send = cp->contingents[c].troops;
		schedule_flight(m, c);
	}
}

void model_csto_flight_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t c = event->target;
	const struct ur_contingent *ct = &m->p->csto.contingents[c];
	struct model_contingent *k = &m->csto.c[c];
	k->flight_event = (struct ur_event_handle){0, 0};
	if (m->csto.withdrawing || k->to_send <= 0)
		return;
	int64_t troops = ct->troops_per_flight < k->to_send ? ct->troops_per_flight : k->to_send;
	assert(ct->regions.n > 0);
	size_t r = (size_t)ct->regions.idx[k->next_region % ct->regions.n];
	k->next_region++;
	k->to_send -= troops;
	k->arrivals++;
	csto_change(m, c, r, troops);
	model_report(m, UR_MEV_CSTO_ARRIVAL, UR_EVENTS_MAJOR, m->now, (int)r, (double)troops,
		     ct->country);
	if (k->to_send > 0)
		schedule_flight(m, c);
}

static bool anyone_left(const struct ur_model *m)
{
	for (size_t c = 0; c < m->p->csto.ncontingents; ++c)
		if (m->csto.c[c].present > 0)
			return true;
	return false;
}

static void withdrawn(struct ur_model *m)
{
	if (m->csto.withdrawn)
		return;
	m->csto.withdrawn = true;
	m->csto_arriving = false;
	model_report(m, UR_MEV_CSTO_WITHDRAWN, UR_EVENTS_MAJOR, m->now, UR_NONE, 0.0, "");
}

void model_csto_killed(struct ur_model *m, size_t r, int64_t troops)
{
	struct model_region *g = &m->region[r];
	int64_t left = troops;
	/* Which contingent's troops die is not modelled (the rates are national): the
	 * first in the scenario's order with troops here loses them first, which needs no
	 * draw and keeps each contingent's count whole. */
	for (size_t c = 0; c < m->p->csto.ncontingents && left > 0; ++c) {
		struct model_contingent *k = &m->csto.c[c];
		int64_t d = k->in_region[r] < left ? k->in_region[r] : left;
		k->in_region[r] -= d;
		k->present -= d;
		left -= d;
	}
	assert(left == 0 && "more troops killed than present");
	double csto = g->csto - (double)(troops - left);
	model_set_security(m, r, g->guard, csto > 0.0 ? csto : 0.0, g->stand_down);
	/* A withdrawal whose last troops died has ended. */
	if (m->csto.withdrawing && m->csto.granted && !anyone_left(m))
		withdrawn(m);
}

void model_csto_withdraw(struct ur_model *m)
{
	struct model_csto *x = &m->csto;
	const struct ur_csto_params *cp = &m->p->csto;
	if (x->withdrawing)
		return;
	x->withdrawing = true;
	for (size_t c = 0; c < cp->ncontingents; ++c) {
		ur_engine_cancel(m->engine, x->c[c].flight_event);
		x->c[c].flight_event = (struct ur_event_handle){0, 0};
		x->c[c].to_send = 0;
	}
	if (!x->granted)
		return;
	if (!anyone_left(m)) {
		withdrawn(m);
		return;
	}
	double delay = positive(model_sample(
		m, &cp->withdrawal_delay_h, model_keyed(m, UR_STREAM_CSTO, MODEL_KEY(KEY_WITHDRAWAL, 0, 0))));
	model_fingerprint(m, model_time_bits(delay) ^ 0xc4u);
	for (size_t c = 0; c < cp->ncontingents; ++c)
		if (x->c[c].present > 0 && m->now + delay <= m->horizon)
			model_schedule(m, m->now + delay, KIND_CSTO_DEPARTURE, (uint32_t)c, 0, NULL);
}

void model_csto_departure_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t c = event->target;
	const struct ur_csto_params *cp = &m->p->csto;
	const struct ur_contingent *ct = &cp->contingents[c];
	struct model_contingent *k = &m->csto.c[c];
	if (k->present <= 0)
		return;
	size_t from = 0;
	for (size_t r = 1; r < m->nregions; ++r)
		if (k->in_region[r] > k->in_region[from])
			from = r;
	int64_t troops = ct->troops_per_flight < k->in_region[from] ? ct->troops_per_flight
								    : k->in_region[from];
	k->departures++;
	csto_change(m, c, from, -troops);
	model_report(m, UR_MEV_CSTO_DEPARTURE, UR_EVENTS_MAJOR, m->now, (int)from,
		     (double)troops, ct->country);
	if (k->present > 0) {
		double wait = positive(model_sample(
			m, &cp->withdrawal_interval_h,
			model_keyed(m, UR_STREAM_CSTO, MODEL_KEY(KEY_DEPARTURE, c, k->departures))));
		model_fingerprint(m, ((uint64_t)c << 40) ^ model_time_bits(wait));
		if (m->now + wait <= m->horizon)
			model_schedule(m, m->now + wait, KIND_CSTO_DEPARTURE, (uint32_t)c, 0, NULL);
	} else if (!anyone_left(m)) {
		withdrawn(m);
	}
}
