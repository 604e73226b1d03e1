/*
 * security.c: security forces, police morale, arrests, casualties and damage.
 *
 * Security (persons):
 *   C_r(t) = (1 - stand_down_r) police_r police_scale morale_r(t) + guard_r + freed_r
 *            + csto_r csto.effectiveness
 * (the elite's stand-down holds back the region's own police only: the guard sent in,
 * the police freed by CSTO troops and the troops themselves are not under its chiefs).
 * Morale falls at morale_fall_rate per hour while A_r > overwhelm_ratio C_r, down to
 * morale_min, and recovers at morale_recovery_rate per hour otherwise, up to 1. While
 * A_r and the other terms of C_r stay constant the direction cannot change: falling
 * morale lowers C_r and keeps the region overwhelmed, rising morale raises C_r and
 * keeps it below the ratio. So morale is exactly piecewise linear, with a new piece at
 * each change of A_r or of C_r's other terms (region_security_changed) and at the
 * floor (KIND_MORALE_FLOOR, scheduled when a fall begins). Police have left their
 * posts while the region is overwhelmed with morale at a floor below 1.
 *
 * Arrest risk: P_r = 1 - exp(-k C_r / (A_r + agent_scale)), recomputed at the next
 * decision in the region after A_r or C_r changed, and at every decision while morale
 * moves.
 *
 * Arrests: every arrests.interval hours, in each region with active agents,
 * Binomial(active agents, p) of them, chosen uniformly among the active, are held for
 * a term drawn from arrests.detention (a negative draw counts as 0) and then released
 * quiet, by one KIND_RELEASE event each: the queue holds one event per agent in
 * custody, which is what DESIGN.md's O(regions + pending actions) allows. An active
 * person's chance grows with the security present per protester, as in Epstein's
 * (2002) estimated arrest probability, and is 0 where no security is present
 * (model_arrest_probability):
 *   p = probability (1 - exp(-C_r / (capacity_ratio A_r)))   (capacity_ratio > 0)
 *   p = probability (1 - exp(-k C_r / A_r))                  (capacity_ratio = 0)
 * times, within a curfew's hours, the curfews' risk multiplier (at most 1).
 *
 * Detention sweeps (docs/model.md, "Detention sweeps"): the pool P_r of region r is
 * its agents who have been active, were never detained (on the street or by a sweep)
 * and are alive, whatever their state now. While sweeps are in force in r, a person
 * of the pool is detained at the hazard
 *   h_r(t) = rho_r(t) (1 - exp(-C_r / (capacity_ratio P_r)))   (k C_r / P_r at 0)
 * rho_r the sum of the rates of the sweeps in force, P_r in persons: the street
 * arrest's law of coverage, with the pool for the crowd, 0 without security. At each
 * arrest sweep the exposure X = integral of rho_r over the interval since the last
 * (exact: rho_r is piecewise constant) is taken with C_r and P_r as they are then,
 * as the street arrests take them: Binomial(pool agents, 1 - exp(-X f)) of the pool,
 * chosen uniformly, are held for a term from arrests.detention like an arrest, count
 * among the detained (agent_scale persons each) and leave the pool for good. With
 * rho, C_r and P_r fixed, the share of the pool detained by T hours of sweeps is
 * 1 - exp(-h T) at every arrest sweep, whatever the interval.
 * Draws are from the security stream, after the street arrests and the elite's, and
 * only where a sweep has exposure: a scenario without one draws what it drew before.
 *
 * Casualties: every casualties.interval hours, in each region where E = min(A_r, C_r)
 * is positive, each of the floor(E) engaged persons dies with probability
 * q = 1 - exp(-m / E), m = base_rate interval (E / 1000)^force_exponent
 * x fighter_multiplier^[fighters] x lethality x facility_multiplier^[facility held]:
 * deaths ~ Binomial(floor(E), q), of mean m (1 - O(m/E)) where m is small against E,
 * and never more than the persons engaged, whatever the rates (a Poisson draw of mean
 * m is not bounded: base_rate 1e6 once killed 240 times the population).
 * Security deaths ~ Binomial(deaths, security_share); injuries = deaths x ratio, the
 * ratio drawn from casualties.injury_ratio, rounded stochastically (up with
 * probability equal to the fraction) so that the mean is exact; a clash injures only
 * persons present, so injuries are capped at floor(A_r + C_r) - deaths. Deaths are
 * counted in
 * persons; security deaths (at most the whole persons of the region's forces) leave
 * their forces, shared by the forces' parts of C_r (model_security_killed), so C_r
 * falls and the security killed never exceed those who served;
 * the protesters among them leave the pool for good (model_kill_active): the
 * civilian deaths, less the elite's fighters killed in its region, over agent_scale,
 * rounded stochastically, of the region's active agents, chosen uniformly, turn dead.
 *
 * Damage (USD), integrated exactly since every term is constant between events:
 *   d damage_r / dt = per_active_hour A_r (looting_multiplier while the police have
 *                     left or a facility is held) + shutdown_per_region_hour [off]
 *                     + emergency_per_region_hour [state of emergency]
 * The sums are stored only at model events (region_advance, called before any term
 * changes); a sample or the summary reads the value at its time without storing it
 * (region_integrals_at), so the floating-point sum is cut at the same instants, and
 * gives the same bits, whatever the sample interval.
 *
 * Draws of this file come from the security stream, in region order within an event.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "model_internal.h"

double model_arrest_probability(const struct ur_model *m, double security, double crowd)
{
	const struct ur_arrest_params *ap = &m->p->arrests;
	if (!(security > 0.0) || !(crowd > 0.0))
		return 0.0;
	double per = security / crowd; /* security persons per protester */
	double x = ap->capacity_ratio > 0.0 ? per / ap->capacity_ratio : m->p->agents.k * per;
	return ap->probability * -expm1(-x);
}

double model_binomial(gsl_rng *rng, double p, double n)
{
	assert(n >= 0.0 && n == floor(n));
	if (!(p > 0.0) || n == 0.0)
		return 0.0;
	if (p >= 1.0)
		return n;
	if (n <= (double)UINT32_MAX)
		return (double)gsl_ran_binomial(rng, p, (unsigned)n);
	double k = floor(n * p + sqrt(n * p * (1.0 - p)) * gsl_ran_gaussian_ziggurat(rng, 1.0) + 0.5);
	return k < 0.0 ? 0.0 : k > n ? n : k;
}

double region_morale_at(const struct ur_model *m, size_t r, double t)
{
	const struct model_region *g = &m->region[r];
	const struct ur_security_params *s = &m->p->security;
	double x = g->morale;
	if (g->morale_dir < 0) {
		x -= s->morale_fall_rate * (t - g->morale_time);
		if (x < s->morale_min)
			x = s->morale_min;
	} else if (g->morale_dir > 0) {
		x += s->morale_recovery_rate * (t - g->morale_time);
		if (x > 1.0)
			x = 1.0;
	}
	return x;
}

static double security_of(const struct ur_model *m, const struct model_region *g,
			  double morale)
{
	/* The stand-down is the region's own police obeying the elite's chiefs: the guard
	 * sent in, the police the CSTO frees and the troops answer to others. */
	return (1.0 - g->stand_down) * g->police * morale + g->guard + g->freed +
	       g->csto * m->p->csto.effectiveness;
}

double region_security_at(const struct ur_model *m, size_t r, double t)
{
	return security_of(m, &m->region[r], region_morale_at(m, r, t));
}

/* Region r's damage and shutdown hours at t >= r->last, from the stored values and the
 * rates in force since `last`; nothing is stored. */
void region_integrals_at(const struct ur_model *m, size_t r, double t, double *damage,
			 double *shutdown_hours)
{
	const struct model_region *g = &m->region[r];
	double dt = t - g->last;
	assert(dt >= 0.0 && "region integrals into the past");
	*damage = g->damage;
	*shutdown_hours = g->shutdown_hours;
	if (!(dt > 0.0))
		return;
	const struct ur_damage_params *d = &m->p->damage;
	double looting = (g->left || g->facilities_held > 0) ? d->looting_multiplier : 1.0;
	double rate = d->usd_per_active_hour * (double)g->active * m->scale * looting;
	if (g->net == UR_NET_OFF) {
		rate += d->shutdown_usd_per_region_hour;
		*shutdown_hours += dt;
	}
	if (g->soe_on)
		rate += d->soe_usd_per_region_hour;
	*damage += rate * dt;
}

void region_advance(struct ur_model *m, size_t r, double t)
{
	struct model_region *g = &m->region[r];
	if (!(t - g->last > 0.0))
		return;
	region_integrals_at(m, r, t, &g->damage, &g->shutdown_hours);
	g->last = t;
}

void region_refresh_risk(struct ur_model *m, size_t r, double t)
{
	struct model_region *g = &m->region[r];
	const struct ur_agent_params *a = &m->p->agents;
	double morale = region_morale_at(m, r, t);
	double c = security_of(m, g, morale);
	double p = -expm1(-a->k * c / ((double)g->active * m->scale + m->scale));
	g->risk = a->w_n * p * g->soe * m->repression;
	g->example = model_example_cost(m, r);
	/* While morale moves, C_r moves with the clock: recompute at every decision, until
	 * a recovery has reached 1 (a fall ends with its floor event). */
	g->stale = g->moving && !(g->morale_dir > 0 && morale >= 1.0);
}

/* The capital's "above the collapse ratio" changed to `above` at time t. */
static void collapse_flip(struct ur_model *m, double t, bool above)
{
	m->collapse_above = above;
	if (above) {
		m->collapse_since = t;
		if (!m->collapsed) {
			double due = t + m->p->outcomes.collapse_h;
			model_schedule(m, due > m->now ? due : m->now, KIND_COLLAPSE, 0, 0,
				       &m->collapse_event);
		}
	} else {
		ur_engine_cancel(m->engine, m->collapse_event);
		m->collapse_event = (struct ur_event_handle){0, 0};
	}
}

/* The capital after a change at m->now: whether it is above the collapse ratio, and
 * when a falling morale will take it there. */
static void capital_changed(struct ur_model *m, size_t r, double a, double c)
{
	const struct ur_outcome_params *o = &m->p->outcomes;
	struct model_region *g = &m->region[r];
	bool above = a > o->collapse_ratio * c;
	if (above != m->collapse_above)
		collapse_flip(m, m->now, above);
	ur_engine_cancel(m->engine, m->collapse_cross_event);
	m->collapse_cross_event = (struct ur_event_handle){0, 0};
	if (above || m->collapsed || g->morale_dir >= 0)
		return;
	/* Falling: C_r(t) = c - slope (t - now) until the floor; A_r = ratio C_r at
	 * t = now + (c - a / ratio) / slope. */
	double slope = (1.0 - g->stand_down) * g->police * m->p->security.morale_fall_rate;
	double floor_c = security_of(m, g, m->p->security.morale_min);
	double target = a / o->collapse_ratio;
	if (!(slope > 0.0) || !(target > floor_c))
		return;
	double t = m->now + (c - target) / slope;
	model_schedule(m, t, KIND_COLLAPSE_CROSS, (uint32_t)r, 0, &m->collapse_cross_event);
}

void region_security_changed(struct ur_model *m, size_t r)
{
	struct model_region *g = &m->region[r];
	const struct ur_security_params *s = &m->p->security;
	double now = m->now;
	double morale = region_morale_at(m, r, now);
	double c = security_of(m, g, morale);
	double a = (double)g->active * m->scale;
	bool over = a > s->overwhelm_ratio * c;
	int dir;
	if (over)
		dir = (morale > s->morale_min && s->morale_fall_rate > 0.0) ? -1 : 0;
	else
		dir = (morale < 1.0 && s->morale_recovery_rate > 0.0) ? 1 : 0;
	if (dir != g->morale_dir) {
		if (g->morale_dir < 0) {
			ur_engine_cancel(m->engine, g->morale_event);
			g->morale_event = (struct ur_event_handle){0, 0};
		}
		g->morale = morale;
		g->morale_time = now;
		g->morale_dir = dir;
		if (dir < 0)
			model_schedule(m, now + (morale - s->morale_min) / s->morale_fall_rate,
				       KIND_MORALE_FLOOR, (uint32_t)r, 0, &g->morale_event);
	}
	g->moving = dir != 0;
	g->stale = true;

	bool left = over && morale <= s->morale_min && s->morale_min < 1.0;
	if (left != g->left) {
		g->left = left;
		model_fingerprint(m, ((uint64_t)r << 8) | (left ? 0x51u : 0x50u));
		model_report(m, left ? UR_MEV_POLICE_LEFT : UR_MEV_POLICE_RETURNED,
			     UR_EVENTS_MAJOR, now, (int)r, c > 0.0 ? a / c : HUGE_VAL, "");
	}
	if ((int)r == m->p->outcomes.capital)
		capital_changed(m, r, a, c);
	if (model_watching(m, UR_IND_FORCE_RATIO))
		model_watch(m, WATCH_RATIO, (int)r);
}

/* ---- events ------------------------------------------------------------------------- */

void model_sweep_pool(struct ur_model *m, size_t r, uint32_t agent, unsigned to)
{
	struct model_region *g = &m->region[r];
	uint16_t tag = m->tag[agent];
	if (to == AGENT_ACTIVE && !(tag & TAG_EVER)) {
		if (g->pool_len == g->pool_cap) {
			/* Grows by doubling: the pool is the agents ever active, known only
			 * as the run goes; entries are never moved but at a pick. */
			uint32_t cap = g->pool_cap > 0 ? g->pool_cap * 2 : 64;
			if (cap < g->pool_cap) {
				model_fail(m, UR_MODEL_NOMEM, "detention sweep pool past 2^32");
				return;
			}
			uint32_t *list = realloc(g->pool_list, (size_t)cap * sizeof *list);
			if (list == NULL) {
				model_fail(m, UR_MODEL_NOMEM, "out of memory for a sweep pool");
				return;
			}
			m->bytes += (size_t)(cap - g->pool_cap) * sizeof *list;
			g->pool_list = list;
			g->pool_cap = cap;
		}
		g->pool_list[g->pool_len++] = agent;
		g->pool++;
		m->tag[agent] = (uint16_t)(tag | TAG_EVER);
	} else if ((to == AGENT_HELD || to == AGENT_DEAD) && (tag & TAG_EVER) &&
		   !(tag & TAG_GONE)) {
		g->pool--;
		m->tag[agent] = (uint16_t)(tag | TAG_GONE);
	}
}

void model_sweep_rate(struct ur_model *m, size_t r, double delta)
{
	struct model_region *g = &m->region[r];
	g->sweep_exposure += g->sweep_rate * (m->now - g->sweep_since);
	g->sweep_since = m->now;
	g->sweep_rate += delta;
	/* Sums of rates of at most 100 each: an end restores 0 up to rounding, which
	 * must not leave a sweep running. */
	if (g->sweep_rate < 1e-9)
		g->sweep_rate = 0.0;
}

/* The sweeps' detentions in region r at the arrest sweep at t (the file's comment). */
static void sweep_region(struct ur_model *m, size_t r, double t)
{
	struct model_region *g = &m->region[r];
	const struct ur_arrest_params *ap = &m->p->arrests;
	double x = g->sweep_exposure + g->sweep_rate * (t - g->sweep_since);
	g->sweep_exposure = 0.0;
	g->sweep_since = t;
	if (!(x > 0.0) || g->pool == 0)
		return;
	region_advance(m, r, t);
	double c = region_security_at(m, r, t);
	if (!(c > 0.0))
		return;
	double per = c / ((double)g->pool * m->scale); /* security per person of the pool */
	double cover = -expm1(-(ap->capacity_ratio > 0.0 ? per / ap->capacity_ratio
							 : m->p->agents.k * per));
	double q = -expm1(-x * cover);
	unsigned k = gsl_ran_binomial(m->rng_security, q, g->pool);
	model_fingerprint(m, ((uint64_t)r << 32) ^ k ^ UINT64_C(0x5357454550)); /* "SWEEP" */
	for (unsigned j = 0; j < k && m->status == UR_MODEL_OK; ++j) {
		/* Uniform among the pool: an entry that left it (detained on the street,
		 * killed) is dropped where it is met, and the pick drawn again. */
		uint32_t agent;
		for (;;) {
			unsigned long pick = gsl_rng_uniform_int(m->rng_security, g->pool_len);
			agent = g->pool_list[pick];
			if (!(m->tag[agent] & TAG_GONE))
				break;
			g->pool_list[pick] = g->pool_list[--g->pool_len];
		}
		double term = ur_dist_sample(&m->detention, m->rng_security);
		if (!(term > 0.0))
			term = 0.0;
		model_fingerprint(m, ((uint64_t)agent << 32) ^ model_time_bits(term));
		g->detained += m->scale;
		model_agent_set_state(m, agent, m->tag[agent] & TAG_STATE_MASK, AGENT_HELD);
		model_schedule(m, t + term, KIND_RELEASE, agent, 0, NULL);
	}
	if (k > 0)
		model_report(m, UR_MEV_ARRESTS, UR_EVENTS_ALL, t, (int)r, (double)k * m->scale,
			     "by=sweep");
}

void model_arrests_handler(struct ur_engine *engine, const struct ur_event *event,
			   void *context)
{
	(void)engine;
	struct ur_model *m = context;
	const struct ur_arrest_params *ap = &m->p->arrests;
	model_event_begin(m, event);
	double t = m->now;
	for (size_t r = 0; r < m->nregions && m->status == UR_MODEL_OK; ++r) {
		struct model_region *g = &m->region[r];
		if (g->active == 0)
			continue;
		region_advance(m, r, t);
		double a = (double)g->active * m->scale;
		double p = model_arrest_probability(m, region_security_at(m, r, t), a);
		/* Within a curfew's hours, being out breaks it: the chance of arrest is
		 * the curfews' risk multiplier times the usual (the risk the agents weigh,
		 * soe_r, is the one they run). Outside curfews the multiplier is exactly 1
		 * and p <= 1, so the product and the cap leave p's bits as they are. */
		p = fmin(1.0, p * g->curfew_risk);
		unsigned k = gsl_ran_binomial(m->rng_security, p, g->active);
		model_fingerprint(m, ((uint64_t)r << 32) | k);
		for (unsigned j = 0; j < k; ++j) {
			unsigned long pick = gsl_rng_uniform_int(m->rng_security, g->active);
			uint32_t agent = g->active_list[pick];
			double term = ur_dist_sample(&m->detention, m->rng_security);
			if (!(term > 0.0))
				term = 0.0;
			model_fingerprint(m, ((uint64_t)agent << 32) ^ model_time_bits(term));
			g->detained += m->scale;
			model_agent_set_state(m, agent, AGENT_ACTIVE, AGENT_HELD);
			model_schedule(m, t + term, KIND_RELEASE, agent, 0, NULL);
		}
		if (k > 0)
			model_report(m, UR_MEV_ARRESTS, UR_EVENTS_ALL, t, (int)r,
				     (double)k * m->scale, "");
	}
	if (m->elite.running && m->status == UR_MODEL_OK)
		model_elite_arrests(m);
	if (m->sweeps)
		for (size_t r = 0; r < m->nregions && m->status == UR_MODEL_OK; ++r)
			sweep_region(m, r, t);
	int64_t next = event->payload.integer + 1;
	double due = (double)next * ap->interval_h;
	if (due <= m->horizon)
		model_schedule(m, due, KIND_ARRESTS, 0, next, NULL);
}

void model_kill_active(struct ur_model *m, size_t r, double persons)
{
	struct model_region *g = &m->region[r];
	double x = persons / m->scale;
	double k = floor(x);
	if (x > k && gsl_rng_uniform(m->rng_security) < x - k)
		k += 1.0;
	for (double j = 0.0; j < k && g->active > 0 && m->status == UR_MODEL_OK; j += 1.0) {
		unsigned long pick = gsl_rng_uniform_int(m->rng_security, g->active);
		uint32_t agent = g->active_list[pick];
		model_fingerprint(m, ((uint64_t)agent << 32) ^ 0xdeadu);
		model_agent_set_state(m, agent, AGENT_ACTIVE, AGENT_DEAD);
	}
}

double model_security_persons(const struct ur_model *m, size_t r)
{
	const struct model_region *g = &m->region[r];
	/* Whole persons: a scaled police count or a guard's share may be fractional. */
	return floor(g->police) + floor(g->guard) + floor(g->csto);
}

void model_security_killed(struct ur_model *m, size_t r, double persons)
{
	struct model_region *g = &m->region[r];
	assert(persons >= 0.0 && persons == floor(persons));
	assert(persons <= model_security_persons(m, r));
	if (!(persons > 0.0))
		return;
	/* The dead are among the engaged, and every engaged security person runs the same
	 * risk (the clash's Binomial), so each force loses in proportion to its part of
	 * C_r: the police on duty (not those standing down or gone from their posts) with
	 * the police the troops freed, the guard, the troops as effective persons. Police
	 * first would kill police who are not there (a stand-down, a rout) while guards
	 * and troops hold the street. Two Binomial draws split the deaths exactly. */
	double morale = region_morale_at(m, r, m->now);
	double share[3] = {(1.0 - g->stand_down) * g->police * morale + g->freed, g->guard,
			   g->csto * m->p->csto.effectiveness};
	double cap[3] = {floor(g->police), floor(g->guard), floor(g->csto)};
	double dead[3];
	double total = share[0] + share[1] + share[2];
	dead[0] = model_binomial(m->rng_security, total > 0.0 ? share[0] / total : 0.0, persons);
	double rest = share[1] + share[2];
	dead[1] = model_binomial(m->rng_security, rest > 0.0 ? share[1] / rest : 0.0,
				 persons - dead[0]);
	dead[2] = persons - dead[0] - dead[1];
	/* A force's share can exceed its persons (the freed police are counted beside the
	 * police on duty; effectiveness can exceed 1): the surplus dies among the other
	 * forces, in the order police, guard, troops; two passes place it all since
	 * persons <= the sum of the caps. */
	double carry = 0.0;
	for (int pass = 0; pass < 2; ++pass)
		for (int f = 0; f < 3; ++f) {
			dead[f] += carry;
			carry = dead[f] > cap[f] ? dead[f] - cap[f] : 0.0;
			dead[f] -= carry;
		}
	assert(carry == 0.0);
	model_fingerprint(m, ((uint64_t)r << 48) ^ ((uint64_t)dead[0] << 24) ^ (uint64_t)dead[1]);
	g->police_killed += dead[0];
	g->police -= dead[0];
	if (dead[2] > 0.0) {
		g->guard -= dead[1];
		model_csto_killed(m, r, (int64_t)dead[2]); /* C_r changes there */
	} else {
		model_set_security(m, r, g->guard - dead[1], g->csto, g->stand_down);
	}
}

void model_clashes_handler(struct ur_engine *engine, const struct ur_event *event,
			   void *context)
{
	(void)engine;
	struct ur_model *m = context;
	const struct ur_casualty_params *cp = &m->p->casualties;
	model_event_begin(m, event);
	double t = m->now;
	uint64_t elite_civilian_deaths = 0;
	for (size_t r = 0; r < m->nregions && m->status == UR_MODEL_OK; ++r) {
		struct model_region *g = &m->region[r];
		double a = (double)g->active * m->scale;
		double c = region_security_at(m, r, t);
		double engaged = a < c ? a : c;
		if (!(engaged > 0.0))
			continue;
		double mean = cp->base_rate * cp->interval_h * pow(engaged / 1000.0, cp->force_exponent) *
			      m->lethality;
		if (g->fighters > 0)
			mean *= cp->fighter_multiplier;
		if (g->facilities_held > 0)
			mean *= cp->facility_multiplier;
		if (!(mean > 0.0)) /* 0, or NaN from 0 x an overflowed power */
			continue;
		/* Each engaged person dies with probability q: a hazard of mean / engaged
		 * per person over the interval (an infinite mean gives q = 1). */
		double q = -expm1(-mean / engaged);
		double deaths = model_binomial(m->rng_security, q, floor(engaged));
		model_fingerprint(m, ((uint64_t)r << 32) | (uint64_t)deaths);
		if (deaths == 0.0)
			continue;
		double security = model_binomial(m->rng_security, cp->security_share, deaths);
		/* Only the security who are here can die: C_r can count more than its
		 * persons (freed police, effectiveness above 1); the rest of the dead are
		 * protesters (deaths <= E <= A_r). */
		double persons = model_security_persons(m, r);
		if (security > persons)
			security = persons;
		double ratio = ur_dist_sample(&m->injury_ratio, m->rng_security);
		if (!(ratio > 0.0))
			ratio = 0.0;
		double x = deaths * ratio;
		double injured = floor(x);
		if (gsl_rng_uniform(m->rng_security) < x - injured)
			injured += 1.0;
		/* Injuries are among those present, protesters and security (a few per death
		 * even where few are engaged: the injury ratio is calibrated so). */
		double present = floor(a + c);
		if (injured > present - deaths)
			injured = present - deaths;
		model_fingerprint(m, ((uint64_t)security << 32) ^ model_time_bits(injured));
		g->killed += deaths;
		g->killed_security += security;
		g->injured += injured;
		char detail[64];
		snprintf(detail, sizeof detail, "security=%.0f injured=%.0f", security, injured);
		model_report(m, UR_MEV_CLASH, UR_EVENTS_ALL, t, (int)r, deaths, detail);
		model_security_killed(m, r, security);
		if ((int)r == m->p->elite.region && m->elite.running)
			elite_civilian_deaths = (uint64_t)(deaths - security);
		else
			model_kill_active(m, r, deaths - security);
		if (model_watching(m, UR_IND_DEATHS))
			model_watch(m, WATCH_DEATHS, (int)r);
	}
	if (m->elite.running && m->status == UR_MODEL_OK) {
		uint64_t fighters = model_elite_clash(m, elite_civilian_deaths);
		if (m->status == UR_MODEL_OK)
			model_kill_active(m, (size_t)m->p->elite.region,
					  (double)(elite_civilian_deaths - fighters));
	}
	int64_t next = event->payload.integer + 1;
	double due = (double)next * cp->interval_h;
	if (due <= m->horizon)
		model_schedule(m, due, KIND_CLASHES, 0, next, NULL);
}

void model_release_handler(struct ur_engine *engine, const struct ur_event *event,
			   void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	uint32_t agent = event->target;
	if (agent >= m->nagents || (m->tag[agent] & TAG_STATE_MASK) != AGENT_HELD) {
		model_fail(m, UR_MODEL_INVARIANT, "release of agent %u, who is not held at %g h",
			   (unsigned)agent, m->now);
		return;
	}
	model_agent_set_state(m, agent, AGENT_HELD, AGENT_QUIET);
}

void model_morale_handler(struct ur_engine *engine, const struct ur_event *event,
			  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	size_t r = event->target;
	struct model_region *g = &m->region[r];
	region_advance(m, r, m->now);
	g->morale_event = (struct ur_event_handle){0, 0};
	g->morale = m->p->security.morale_min;
	g->morale_time = m->now;
	g->morale_dir = 0;
	region_security_changed(m, r);
}

void model_collapse_cross_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	m->collapse_cross_event = (struct ur_event_handle){0, 0};
	/* At the predicted instant A_r equals ratio C_r up to rounding; C_r goes on
	 * falling, so the capital is above from now on. */
	if (!m->collapse_above)
		collapse_flip(m, m->now, true);
}

void model_collapse_handler(struct ur_engine *engine, const struct ur_event *event,
			    void *context)
{
	(void)engine;
	struct ur_model *m = context;
	model_event_begin(m, event);
	m->collapse_event = (struct ur_event_handle){0, 0};
	if (!m->collapse_above || m->collapsed || m->csto_arriving)
		return;
	m->collapsed = true;
	m->collapse_hour = m->now;
	size_t r = (size_t)m->p->outcomes.capital;
	double c = region_security_at(m, r, m->now);
	double a = (double)m->region[r].active * m->scale;
	model_report(m, UR_MEV_REGIME_COLLAPSE, UR_EVENTS_MAJOR, m->now, (int)r,
		     c > 0.0 ? a / c : HUGE_VAL, "");
}
