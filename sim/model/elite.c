/*
 * elite.c: the elite's counter-coup (DESIGN.md section 5).
 *
 * When the first security_council action takes effect the elite answers with
 * elite.probability, after a drawn delay: F fighters (a drawn number, rounded; none
 * means no counter-coup) appear in elite.region, whose security stands down by
 * elite.stand_down (C_r times 1 - stand_down) while the counter-coup runs, and they
 * attack elite.seize[0], [1], ... one by one, each after a drawn delay; an attack on a
 * facility already held changes nothing. A held facility multiplies the region's death
 * rate (casualties.facility_multiplier) and its riot damage (damage.looting_multiplier);
 * fighters present multiply the death rate (casualties.fighter_multiplier).
 *
 * The fighters' fate is settled at the sweeps of the model (security.c), with the
 * region's state then:
 *   - arrest sweep: Binomial(F, p) fighters arrested, p the arrest probability of
 *     the sweep with the fighters counted in the crowd the security must process,
 *     p = model_arrest_probability(C_r, A_r + F); they count among the detained
 *     (persons, not agents);
 *   - clash sweep, every casualties.interval hours (dt):
 *       fighters killed ~ Binomial(civilian deaths of the sweep, F / (F + A_r)): the
 *         deaths are shared between fighters and protesters by their numbers;
 *       each held facility, in the order of elite.seize, is retaken with probability
 *         1 - exp(-recapture_rate (C_r / F)^recapture_exponent dt): a rate growing
 *         with the force ratio, constant over the sweep;
 *       once no facility is held and no attack is left, Binomial(F, 1 - exp(
 *         -disperse_rate dt)) fighters disperse.
 * With no fighter left, any facility still held is retaken, the stand-down ends and so
 * does the counter-coup (counter_coup_end, with the fighters killed, arrested and
 * dispersed).
 *
 * Random numbers: the answer, the delay, F and the seizure delays are keyed draws of
 * the elite stream (model_keyed); the sweeps draw from the elite stream in order. None
 * of this touches another stream: a scenario without the counter-coup sees the same
 * numbers everywhere else.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_randist.h>

#include "model_internal.h"

enum { KEY_ELITE = 6, KEY_SEIZE = 7 };

static size_t elite_region(const struct ur_model *m)
{
	assert(m->p->elite.region >= 0 && (size_t)m->p->elite.region < m->nregions);
	return (size_t)m->p->elite.region;
}

static const char *facility_id(const struct ur_model *m, int facility)
{
	return m->p->regions[elite_region(m)].facilities[facility].id;
}

void model_elite_answer(struct ur_model *m)
{
	const struct ur_elite_params *e = &m->p->elite;
	if (m->elite.answered)
		return;
	m->elite.answered = true;
	if (!(e->probability > 0.0) || e->region == UR_NONE)
		return;
	double u = gsl_rng_uniform(model_keyed(m, UR_STREAM_ELITE, MODEL_KEY(KEY_ELITE, 0, 0)));
	model_fingerprint(m, model_time_bits(u) ^ 0xe1u);
	if (!(u < e->probability))
		return;
	double delay = model_sample(m, &e->delay_h,
				    model_keyed(m, UR_STREAM_ELITE, MODEL_KEY(KEY_ELITE, 0, 1)));
	if (!(delay > 0.0))
		delay = 0.0;
	if (m->now + delay <= m->horizon)
		model_schedule(m, m->now + delay, KIND_ELITE_START, 0, 0, NULL);
}

static void schedule_seizure(struct ur_model *m, size_t k)
{
	const struct ur_elite_params *e = &m->p->elite;
	double delay = model_sample(m, &e->seize_delay_h,
				    model_keyed(m, UR_STREAM_ELITE, MODEL_KEY(KEY_SEIZE, k, 0)));
	if (!(delay > 0.0))
		delay = 0.0;
	model_fingerprint(m, ((uint64_t)k << 40) ^ model_time_bits(delay));
	if (m->now + delay <= m->horizon)
		model_schedule(m, m->now + delay, KIND_ELITE_SEIZE, 0, (int64_t)k, NULL);
}

void model_elite_start_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	const struct ur_elite_params *e = &m->p->elite;
	double drawn = model_sample(m, &e->fighters,
				    model_keyed(m, UR_STREAM_ELITE, MODEL_KEY(KEY_ELITE, 0, 2)));
	double fighters = drawn > 0.0 ? floor(drawn + 0.5) : 0.0;
	if (fighters > 1e9)
		fighters = 1e9;
	model_fingerprint(m, model_time_bits(fighters));
	if (!(fighters >= 1.0))
		return;
	size_t r = elite_region(m);
	struct model_region *g = &m->region[r];
	m->elite.running = true;
	m->elite.fighters = (uint64_t)fighters;
	model_set_security(m, r, g->guard, g->csto, e->stand_down_share);
	model_set_fighters(m, r, (unsigned)m->elite.fighters, 0);
	model_report(m, UR_MEV_COUNTER_COUP, UR_EVENTS_MAJOR, m->now, (int)r, fighters, "");
	if (e->nseize > 0)
		schedule_seizure(m, 0);
}

void model_elite_seize_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	struct model_elite *x = &m->elite;
	if (!x->running)
		return;
	const struct ur_elite_params *e = &m->p->elite;
	size_t k = (size_t)event->payload.integer;
	assert(k < e->nseize);
	int f = e->seize[k];
	x->next_seize = k + 1;
	if (!x->held[f]) {
		size_t r = elite_region(m);
		x->held[f] = true;
		x->nheld++;
		model_set_fighters(m, r, (unsigned)x->fighters, x->nheld);
		model_report(m, UR_MEV_SEIZURE, UR_EVENTS_MAJOR, m->now, (int)r, x->nheld,
			     facility_id(m, f));
		if (model_watching(m, UR_IND_FACILITIES_SEIZED))
			model_watch(m, WATCH_FACILITIES, (int)r);
	}
	if (k + 1 < e->nseize)
		schedule_seizure(m, k + 1);
}

static void release(struct ur_model *m, int f)
{
	struct model_elite *x = &m->elite;
	size_t r = elite_region(m);
	x->held[f] = false;
	x->nheld--;
	model_set_fighters(m, r, (unsigned)x->fighters, x->nheld);
	model_report(m, UR_MEV_RECAPTURE, UR_EVENTS_MAJOR, m->now, (int)r, x->nheld,
		     facility_id(m, f));
	if (model_watching(m, UR_IND_FACILITIES_SEIZED))
		model_watch(m, WATCH_FACILITIES, (int)r);
}

/* After the fighters' number changed: the region's multipliers, and the end. */
static void fighters_changed(struct ur_model *m)
{
	struct model_elite *x = &m->elite;
	const struct ur_elite_params *e = &m->p->elite;
	size_t r = elite_region(m);
	if (x->fighters > 0) {
		model_set_fighters(m, r, (unsigned)x->fighters, x->nheld);
		return;
	}
	for (size_t k = 0; k < e->nseize; ++k)
		if (x->held[e->seize[k]])
			release(m, e->seize[k]);
	struct model_region *g = &m->region[r];
	x->running = false;
	x->ended = true;
	model_set_fighters(m, r, 0, 0);
	model_set_security(m, r, g->guard, g->csto, 0.0);
	char detail[96];
	snprintf(detail, sizeof detail, "killed=%.0f arrested=%.0f dispersed=%.0f", x->killed,
		 x->arrested, x->dispersed);
	model_report(m, UR_MEV_COUNTER_COUP_END, UR_EVENTS_MAJOR, m->now, (int)r, 0.0, detail);
}

void model_elite_arrests(struct ur_model *m)
{
	struct model_elite *x = &m->elite;
	size_t r = elite_region(m);
	struct model_region *g = &m->region[r];
	if (!x->running || x->fighters == 0)
		return;
	region_advance(m, r, m->now);
	double crowd = (double)g->active * m->scale + (double)x->fighters;
	double p = model_arrest_probability(m, region_security_at(m, r, m->now), crowd);
	unsigned k = gsl_ran_binomial(m->rng_elite, p, (unsigned)x->fighters);
	model_fingerprint(m, ((uint64_t)0xe2u << 32) | k);
	if (k == 0)
		return;
	x->fighters -= k;
	x->arrested += k;
	g->detained += k;
	fighters_changed(m);
}

uint64_t model_elite_clash(struct ur_model *m, uint64_t civilian_deaths)
{
	struct model_elite *x = &m->elite;
	const struct ur_elite_params *e = &m->p->elite;
	size_t r = elite_region(m);
	const struct model_region *g = &m->region[r];
	double dt = m->p->casualties.interval_h;
	if (!x->running)
		return 0;
	uint64_t before = x->fighters, killed = 0;
	if (civilian_deaths > 0 && x->fighters > 0) {
		double f = (double)x->fighters;
		double share = f / (f + (double)g->active * m->scale);
		uint64_t k = (uint64_t)model_binomial(m->rng_elite, share,
						      (double)civilian_deaths);
		if (k > x->fighters)
			k = x->fighters;
		model_fingerprint(m, ((uint64_t)0xe3u << 32) | k);
		x->fighters -= k;
		x->killed += k;
		killed = k;
	}
	double c = region_security_at(m, r, m->now);
	for (size_t j = 0; j < e->nseize && x->fighters > 0; ++j) {
		int f = e->seize[j];
		if (!x->held[f])
			continue;
		double rate = e->recapture_rate * pow(c / (double)x->fighters, e->recapture_exponent);
		double p = -expm1(-rate * dt);
		double u = gsl_rng_uniform(m->rng_elite);
		model_fingerprint(m, model_time_bits(u) ^ ((uint64_t)j << 56));
		if (u < p)
			release(m, f);
	}
	if (x->nheld == 0 && x->next_seize >= e->nseize && x->fighters > 0) {
		double p = -expm1(-e->disperse_rate * dt);
		unsigned k = gsl_ran_binomial(m->rng_elite, p, (unsigned)x->fighters);
		model_fingerprint(m, ((uint64_t)0xe4u << 32) | k);
		x->fighters -= k;
		x->dispersed += k;
	}
	if (x->fighters != before)
		fighters_changed(m);
	return killed;
}
