/*
 * fixture.c: the scenarios and the recording observer of the model's tests (fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unrest/rng.h"

#include "fixture.h"

static struct ur_dist checked(struct ur_dist d)
{
	struct ur_dist_error err;
	if (ur_dist_validate(&d, &err) != 0)
		fail_msg("test distribution invalid: %s %s", err.param, err.message);
	return d;
}

struct ur_dist fixture_constant(double value)
{
	struct ur_dist d = ur_dist_make(UR_DIST_CONSTANT);
	d.value = value;
	return checked(d);
}

struct ur_dist fixture_uniform(double min, double max)
{
	struct ur_dist d = ur_dist_make(UR_DIST_UNIFORM);
	d.min = min;
	d.max = max;
	return checked(d);
}

struct ur_dist fixture_normal(double mean, double sd)
{
	struct ur_dist d = ur_dist_make(UR_DIST_NORMAL);
	d.mean = mean;
	d.sd = sd;
	return checked(d);
}

struct ur_dist fixture_exponential(double mean)
{
	struct ur_dist d = ur_dist_make(UR_DIST_EXPONENTIAL);
	d.mean = mean;
	return checked(d);
}

static void all_regions(struct ur_region_set *set, size_t n)
{
	set->all = true;
	set->n = n;
	for (size_t i = 0; i < n; ++i)
		set->idx[i] = (int)i;
}

void fixture_params(struct ur_params *p, int64_t agents, double horizon)
{
	/* The schema's defaults (what a file that leaves a setting out gets), then what
	 * makes this a scenario in which nothing happens unless a test says so. */
	ur_params_defaults(p);
	struct ur_scenario_params *s = &p->scenario;
	snprintf(s->name, sizeof s->name, "test");
	snprintf(s->start_text, sizeof s->start_text, "2022-01-01T00:00:00+06:00");
	s->start_epoch = 1640973600;
	s->utc_offset_s = 6 * 3600;
	s->horizon_h = horizon;
	s->sample_interval_h = 1.0;
	s->agent_scale = 1.0;
	s->replications = 1;
	s->seed = 1;

	struct ur_region *r = ur_params_add(p, "regions");
	assert_non_null(r);
	snprintf(r->id, sizeof r->id, "r0");
	snprintf(r->name, sizeof r->name, "Region 0");
	r->population = agents;
	r->lat = 43.238;
	r->lon = 76.945;
	r->hardship = 1.0;
	r->lpg_share = 0.0;
	r->police = 0.0;
	r->eta = (double)NAN;
	r->adult_share = 1.0;
	r->political = 1.0;

	p->network = (struct ur_network_params){
		.distance_exponent = 2.0, .min_distance_km = 10.0, .mu = 0.0, .nationwide = 0.0};

	struct ur_agent_params *a = &p->agents;
	a->hardship = fixture_constant(0.0);
	a->risk_aversion = fixture_constant(0.0);
	a->grievance = fixture_constant(0.0);
	a->threshold = fixture_constant(1.0);
	a->stratified = false;
	a->w_g = 1.0;
	a->w_s = 0.0;
	a->w_n = 1.0;
	a->beta_b = 0.0;
	a->eta = 1.0;
	a->sigma_fuel = 0.0;
	a->k = 2.3;
	a->legitimacy0 = 0.0;
	a->politicization0 = 0.0;
	a->reconsider_rate = 1.0;

	/* A doubling after the horizon: no price change in the run. */
	p->fuel.gamma = 1.0;
	p->fuel.nsteps = 1;
	p->fuel.steps[0].at_h = horizon + 1.0;
	p->fuel.steps[0].ratio = 2.0;
	all_regions(&p->fuel.steps[0].regions, 1);

	p->security = (struct ur_security_params){.police_scale = 1.0,
						  .overwhelm_ratio = 1e9,
						  .morale_fall_rate = 0.0,
						  .morale_recovery_rate = 0.0,
						  .morale_min = 0.0,
						  .guard_reserve = 0.0};
	p->arrests.interval_h = 1.0;
	p->arrests.probability = 0.0;
	p->arrests.capacity_ratio = 0.0;
	p->arrests.detention_h = fixture_constant(24.0);
	p->casualties.interval_h = 1.0;
	p->casualties.base_rate = 0.0;
	p->casualties.force_exponent = 1.0;
	p->casualties.fighter_multiplier = 1.0;
	p->casualties.lethal_force_multiplier = 1.0;
	p->casualties.facility_multiplier = 1.0;
	p->casualties.injury_ratio = fixture_constant(0.0);
	p->casualties.security_share = 0.0;

	p->internet = (struct ur_internet_params){.throttled_level = 0.5,
						  .off_level = 0.0,
						  .throttled_street = 0.0,
						  .off_street = 0.0};
	p->elite.probability = 0.0;
	p->elite.region = UR_NONE;
	p->elite.delay_h = fixture_constant(0.0);
	p->elite.fighters = fixture_constant(0.0);
	p->elite.seize_delay_h = fixture_constant(0.0);
	p->csto.decision_h = fixture_constant(0.0);
	p->csto.withdrawal_delay_h = fixture_constant(0.0);
	p->csto.withdrawal_interval_h = fixture_constant(0.0);
	p->csto.effectiveness = 1.0;
	p->csto.freed_police_per_troop = 0.0;

	p->outcomes = (struct ur_outcome_params){.order_threshold = 1.0,
						 .order_window_h = 24.0,
						 .region_active = 1.0,
						 .capital = 0,
						 .collapse_ratio = 1e9,
						 .collapse_h = 24.0};
	p->output = (struct ur_output_params){
		.summary = true, .national = true, .timeseries = true, .events = UR_EVENTS_ALL};
}

void fixture_add_region(struct ur_params *p, const char *id, int64_t population, double lat,
			double lon)
{
	size_t i = p->nregions++;
	p->regions[i] = p->regions[0];
	snprintf(p->regions[i].id, sizeof p->regions[i].id, "%s", id);
	p->regions[i].population = population;
	p->regions[i].lat = lat;
	p->regions[i].lon = lon;
	for (size_t k = 0; k < p->fuel.nsteps; ++k)
		if (p->fuel.steps[k].regions.all)
			all_regions(&p->fuel.steps[k].regions, p->nregions);
	for (size_t k = 0; k < p->government.nactions; ++k)
		if (p->government.actions[k].regions.all)
			all_regions(&p->government.actions[k].regions, p->nregions);
}

void fixture_busy_params(struct ur_params *p, double horizon)
{
	fixture_params(p, 1500, horizon);
	fixture_add_region(p, "b", 1000, 51.169, 71.449);
	fixture_add_region(p, "c", 800, 47.1, 51.9);
	p->scenario.agent_scale = 2.0;
	for (size_t r = 0; r < 3; ++r) {
		p->regions[r].lpg_share = 0.2 + 0.3 * (double)r;
		p->regions[r].police = 150.0;
		p->regions[r].hardship = 0.5 + 0.2 * (double)r;
	}
	p->network.mu = 0.5;
	p->network.nationwide = 0.25;
	p->agents.hardship = fixture_uniform(0.0, 1.0);
	p->agents.grievance = fixture_uniform(0.0, 0.5);
	p->agents.risk_aversion = fixture_uniform(0.0, 1.0);
	p->agents.threshold = fixture_normal(0.45, 0.15);
	p->agents.sigma_fuel = 1.2;   /* times 1 - 1/2 for a doubled price */
	p->agents.legitimacy0 = 0.3;
	p->agents.politicization0 = 0.2;
	p->agents.reconsider_rate = 0.5;
	p->security.overwhelm_ratio = 2.0;
	p->security.morale_fall_rate = 0.2;
	p->security.morale_recovery_rate = 0.1;
	p->security.morale_min = 0.3;
	p->arrests.probability = 0.03;
	p->arrests.capacity_ratio = 3.0;
	p->arrests.detention_h = fixture_exponential(12.0);
	p->casualties.injury_ratio = fixture_uniform(2.0, 6.0);
	p->casualties.security_share = 0.2;
	p->damage.usd_per_active_hour = 3.0;
	p->damage.looting_multiplier = 4.0;
	p->outcomes.order_threshold = 50.0;
	p->outcomes.region_active = 100.0;
	p->outcomes.collapse_ratio = 5.0;
	p->outcomes.collapse_h = 6.0;
}

/* ---- the response ---------------------------------------------------------------------- */

struct ur_action *fixture_action(struct ur_params *p, const char *id, enum ur_action_kind kind,
				 double at)
{
	struct ur_action *a = ur_params_add(p, "government.actions");
	assert_non_null(a);
	snprintf(a->id, sizeof a->id, "%s", id);
	a->kind = kind;
	a->trigger.kind = UR_TRIGGER_AT;
	a->trigger.at_h = at;
	a->trigger.region = UR_NONE;
	a->trigger.after = UR_NONE;
	a->delay_h = fixture_constant(0.0);
	a->probability = 1.0;
	all_regions(&a->regions, p->nregions);
	a->risk_multiplier = 2.0;
	a->reconsider_multiplier = 0.5;
	a->exit_multiplier = 1.0;
	a->net_state = UR_NET_OFF;
	a->duration_h = fixture_constant(0.0);
	a->repression_multiplier = 2.0;
	a->lethality_multiplier = 1.0;
	a->travel_h = fixture_constant(0.0);
	return a;
}

void fixture_when(struct ur_action *a, enum ur_indicator indicator, enum ur_compare op,
		  double value, double hold, int region)
{
	a->trigger.kind = UR_TRIGGER_WHEN;
	a->trigger.indicator = indicator;
	a->trigger.op = op;
	a->trigger.value = value;
	a->trigger.hold_h = hold;
	a->trigger.region = region;
}

void fixture_after(struct ur_action *a, int after)
{
	a->trigger.kind = UR_TRIGGER_AFTER;
	a->trigger.after = after;
}

void fixture_one_region(struct ur_region_set *set, int region)
{
	set->all = false;
	set->n = 1;
	set->idx[0] = region;
}

struct ur_contingent *fixture_contingent(struct ur_params *p, const char *country,
					 int64_t troops, int64_t per_flight,
					 struct ur_dist first_flight, struct ur_dist interval,
					 int region)
{
	struct ur_contingent *c = ur_params_add(p, "csto.contingents");
	assert_non_null(c);
	snprintf(c->country, sizeof c->country, "%s", country);
	c->troops = troops;
	c->troops_per_flight = per_flight;
	c->first_flight_h = first_flight;
	c->interval_h = interval;
	fixture_one_region(&c->regions, region);
	return c;
}

/* ---- the recording observer ------------------------------------------------------- */

static void mix(struct fixture_record *rec, const void *data, size_t size)
{
	const unsigned char *bytes = data;
	for (size_t i = 0; i < size; ++i)
		rec->hash = ur_rng_mix64(rec->hash ^ bytes[i]);
}

static void mix_real(struct fixture_record *rec, double x)
{
	mix(rec, &x, sizeof x);
}

static int on_sample(void *context, const struct ur_model_sample *s)
{
	struct fixture_record *rec = context;
	if (rec->samples < sizeof rec->sample_hours / sizeof rec->sample_hours[0])
		rec->sample_hours[rec->samples] = s->hour;
	rec->samples++;
	rec->last = s->national;
	const struct ur_national_row *n = &s->national;
	double fields[] = {n->hour, n->active, n->held, n->detained, n->killed, n->injured,
			   n->security, n->csto_troops, n->connectivity, n->legitimacy,
			   n->damage_usd};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i)
		mix_real(rec, fields[i]);
	for (size_t r = 0; r < s->nregions; ++r) {
		rec->last_regions[r] = s->regions[r];
		const struct ur_region_row *g = &s->regions[r];
		double f[] = {g->active, g->held, g->detained, g->killed, g->injured, g->security,
			      g->csto_troops};
		for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i)
			mix_real(rec, f[i]);
		if (rec->params != NULL && rec->model != NULL) {
			double agents = (double)ur_model_region_agents(rec->model, r) *
					rec->params->scenario.agent_scale;
			if (g->active < 0.0 || g->held < 0.0 || g->active + g->held > agents)
				rec->bad_samples++;
		}
	}
	if (rec->stop_at_sample > 0 && rec->samples == (size_t)rec->stop_at_sample)
		return 1;
	return 0;
}

static int on_event(void *context, const struct ur_model_event *e)
{
	struct fixture_record *rec = context;
	if (rec->events < FIXTURE_MAX_EVENTS) {
		/* the model's strings live only during the call */
		rec->event[rec->events] = *e;
		snprintf(rec->details[rec->events], sizeof rec->details[0], "%s", e->detail);
		rec->event[rec->events].detail = rec->details[rec->events];
	}
	rec->events++;
	rec->event_count[e->kind]++;
	rec->event_value_sum[e->kind] += e->value;
	mix_real(rec, e->hour);
	mix(rec, &e->kind, sizeof e->kind);
	mix(rec, &e->region, sizeof e->region);
	mix_real(rec, e->value);
	mix(rec, e->detail, strlen(e->detail));
	return 0;
}

static int on_summary(void *context, const struct ur_model_summary *s)
{
	struct fixture_record *rec = context;
	rec->summary = *s;
	rec->summaries++;
	/* field by field: the struct's padding is not part of its value */
	double reals[] = {s->peak_active, s->peak_hour, s->killed, s->killed_security,
			  s->injured, s->detained, s->damage_usd, s->shutdown_region_hours,
			  s->csto_request_hour, s->csto_troops_peak, s->order_restored_hour};
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; ++i)
		mix_real(rec, reals[i]);
	uint64_t words[] = {s->replication_seed, (uint64_t)s->outcome, s->regions_joined,
			    s->events, s->decisions, s->engine_events, s->fingerprint};
	mix(rec, words, sizeof words);
	return 0;
}

struct ur_observer fixture_observer(struct fixture_record *record)
{
	return (struct ur_observer){
		.context = record, .sample = on_sample, .event = on_event, .summary = on_summary};
}

struct ur_model_summary fixture_run(const struct ur_params *p, uint64_t seed,
				    struct fixture_record *record,
				    const struct ur_model_options *options)
{
	struct ur_observer obs = fixture_observer(record);
	struct ur_model *m = ur_model_create(p, seed, &obs, options);
	assert_non_null(m);
	record->params = p;
	record->model = m;
	enum ur_model_status st = ur_model_run(m);
	if (st != UR_MODEL_OK)
		fail_msg("run failed (%d): %s", (int)st, ur_model_error(m));
	struct ur_model_summary s;
	ur_model_summary(m, &s);
	record->model = NULL;
	ur_model_destroy(m);
	return s;
}

struct fixture_record *fixture_record_new(void)
{
	struct fixture_record *rec = calloc(1, sizeof *rec);
	assert_non_null(rec);
	return rec;
}
