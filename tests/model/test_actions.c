/*
 * test_actions.c: adjusts (set, add and multiply, their durations and how they
 * compose), the named kinds that are adjusts underneath, cash transfers, curfews, and
 * the fuel price as price ratios (docs/model.md, "Adjust", "Cash transfers",
 * "Curfews", "Fuel").
 *
 * Stochastic checks fix their seeds and state their tolerance from the standard error
 * of the quantity checked.
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

#include "unrest/model.h"

#include "fixture.h"
#include "model_internal.h"

static struct ur_action *adjust(struct ur_params *p, const char *id, const char *setting,
				enum ur_adjust_op op, double value, double at, double duration)
{
	struct ur_action *a = fixture_action(p, id, UR_ACTION_ADJUST, at);
	snprintf(a->setting, sizeof a->setting, "%s", setting);
	a->op = op;
	a->value = value;
	if (duration > 0.0) {
		a->has_duration = true;
		a->duration_h = fixture_constant(duration);
	}
	return a;
}

static double arrest_probability_at(struct ur_model *m, double t)
{
	assert_int_equal(ur_model_run_until(m, t), UR_MODEL_OK);
	return m->p->arrests.probability;
}

/* Set, add and multiply of a national setting, timed and for good: the value is the
 * base with the adjusts in force applied in the order they took effect, and an end
 * restores exactly what the others give (bit for bit: tolerance 0). */
static void test_adjust_ops_and_reverts(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 100, 40.0);
	p.arrests.probability = 0.01;
	adjust(&p, "times3", "arrests.probability", UR_ADJUST_MULTIPLY, 3.0, 2.0, 10.0);
	adjust(&p, "plus", "arrests.probability", UR_ADJUST_ADD, 0.02, 4.0, 4.0);
	adjust(&p, "set", "arrests.probability", UR_ADJUST_SET, 0.2, 14.0, 4.0);
	adjust(&p, "forever", "arrests.probability", UR_ADJUST_ADD, 0.1, 16.0, 0.0);
	struct ur_model *m = ur_model_create(&p, 5, NULL, NULL);
	assert_non_null(m);
	double base = 0.01;
	assert_true(arrest_probability_at(m, 1.0) == base);
	assert_true(arrest_probability_at(m, 3.0) == base * 3.0);
	assert_true(arrest_probability_at(m, 5.0) == base * 3.0 + 0.02);
	assert_true(arrest_probability_at(m, 9.0) == base * 3.0);  /* the add ended */
	assert_true(arrest_probability_at(m, 13.0) == base);       /* both ended */
	assert_true(arrest_probability_at(m, 15.0) == 0.2);
	assert_true(arrest_probability_at(m, 17.0) == 0.2 + 0.1);  /* set, then add */
	assert_true(arrest_probability_at(m, 19.0) == base + 0.1); /* the set ended */
	assert_true(arrest_probability_at(m, 40.0) == base + 0.1);
	/* The scenario's own params are untouched. */
	assert_true(p.arrests.probability == base);
	ur_model_destroy(m);
}

/* A regional setting changes in the action's regions only; a named kind's delta
 * (envoys: legitimacy add) and an adjust of the same setting compose; each step is
 * clamped to the range; the adjust's end reverts only its own change. */
static void test_adjust_regional_and_overlapping(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 100, 30.0);
	fixture_add_region(&p, "r1", 100, 51.169, 71.449);
	p.agents.legitimacy0 = 0.6;
	struct ur_action *cut = adjust(&p, "cut", "agents.legitimacy", UR_ADJUST_MULTIPLY, 0.5,
				       2.0, 10.0);
	fixture_one_region(&cut->regions, 1);
	struct ur_action *env = fixture_action(&p, "env", UR_ACTION_ENVOYS, 4.0);
	env->legitimacy_delta = 0.3; /* in both regions */
	struct ur_action *up = adjust(&p, "up", "agents.legitimacy", UR_ADJUST_ADD, 0.5, 6.0,
				      2.0);
	fixture_one_region(&up->regions, 1);
	struct ur_model *m = ur_model_create(&p, 5, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run_until(m, 3.0), UR_MODEL_OK);
	assert_true(m->region[0].legitimacy == 0.6);
	assert_true(m->region[1].legitimacy == 0.6 * 0.5);
	assert_int_equal(ur_model_run_until(m, 5.0), UR_MODEL_OK);
	assert_true(m->region[0].legitimacy == 0.6 + 0.3);
	assert_true(m->region[1].legitimacy == 0.6 * 0.5 + 0.3);
	assert_int_equal(ur_model_run_until(m, 7.0), UR_MODEL_OK);
	assert_true(m->region[1].legitimacy == 1.0); /* 0.6 + 0.5 clamped at 1 */
	assert_int_equal(ur_model_run_until(m, 9.0), UR_MODEL_OK);
	assert_true(m->region[1].legitimacy == 0.6 * 0.5 + 0.3); /* `up` reverted */
	assert_int_equal(ur_model_run_until(m, 13.0), UR_MODEL_OK);
	assert_true(m->region[1].legitimacy == 0.6 + 0.3); /* `cut` reverted: envoys stay */
	assert_true(m->region[0].legitimacy == 0.6 + 0.3);
	/* The coefficient decisions read follows: w_g (1 - L). */
	assert_true(m->region[1].griev == p.agents.w_g * (1.0 - (0.6 + 0.3)));
	ur_model_destroy(m);
}

/* What an adjust refreshes: C_r after regions.police, the decision rate after
 * agents.reconsider_rate, the fuel term after agents.sigma_fuel. */
static void test_adjust_refreshes_caches(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 10.0);
	p.agents.stratified = true; /* every agent made, so the decision rate is N lambda */
	p.regions[0].police = 100.0;
	p.agents.sigma_fuel = 1.0;
	p.fuel.steps[0].at_h = 0.5;
	adjust(&p, "police", "regions.police", UR_ADJUST_ADD, 50.0, 1.0, 0.0);
	adjust(&p, "rate", "agents.reconsider_rate", UR_ADJUST_MULTIPLY, 4.0, 2.0, 0.0);
	adjust(&p, "sigma", "agents.sigma_fuel", UR_ADJUST_SET, 0.4, 3.0, 0.0);
	adjust(&p, "scale", "security.police_scale", UR_ADJUST_MULTIPLY, 2.0, 4.0, 0.0);
	struct ur_model *m = ur_model_create(&p, 5, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run_until(m, 0.9), UR_MODEL_OK);
	assert_near(region_security_at(m, 0, m->now), 100.0, 0.0);
	assert_near(m->region[0].fuel, 0.5, 0.0);
	double rate = m->rate;
	assert_int_equal(ur_model_run_until(m, 1.5), UR_MODEL_OK);
	assert_near(region_security_at(m, 0, m->now), 150.0, 0.0);
	assert_int_equal(ur_model_run_until(m, 2.5), UR_MODEL_OK);
	assert_near(m->rate, 4.0 * rate, 0.0);
	assert_int_equal(ur_model_run_until(m, 3.5), UR_MODEL_OK);
	assert_near(m->region[0].fuel, 0.4 * 0.5, 0.0);
	assert_int_equal(ur_model_run_until(m, 4.5), UR_MODEL_OK);
	assert_near(region_security_at(m, 0, m->now), 300.0, 0.0);
	ur_model_destroy(m);
}

/* A named kind is an adjust underneath: envoys' legitimacy delta and a price_rollback
 * give the very run an adjust of the same setting gives (same fingerprint). */
static void test_named_kinds_are_adjusts(void **state)
{
	(void)state;
	struct ur_params a, b;
	fixture_params(&a, 2000, 30.0);
	a.regions[0].lpg_share = 0.5;
	a.agents.hardship = fixture_uniform(0.0, 1.0);
	a.agents.threshold = fixture_uniform(0.0, 1.0);
	a.agents.sigma_fuel = 1.0;
	a.agents.legitimacy0 = 0.3;
	a.fuel.steps[0].at_h = 1.0;
	a.fuel.steps[0].ratio = 3.0;
	b = a;
	struct ur_action *env = fixture_action(&a, "x", UR_ACTION_ENVOYS, 5.0);
	env->legitimacy_delta = 0.2;
	struct ur_action *rb = fixture_action(&a, "y", UR_ACTION_PRICE_ROLLBACK, 10.0);
	rb->ratio = 1.5;
	adjust(&b, "x", "agents.legitimacy", UR_ADJUST_ADD, 0.2, 5.0, 0.0);
	adjust(&b, "y", "fuel.price", UR_ADJUST_SET, 1.5, 10.0, 0.0);
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary sa = fixture_run(&a, 9, rec, NULL);
	struct ur_model_summary sb = fixture_run(&b, 9, rec, NULL);
	assert_true(sa.fingerprint == sb.fingerprint);
	/* and the adjusts did something: without them the run differs */
	struct ur_params c = b;
	c.government.nactions = 0;
	struct ur_model_summary sc = fixture_run(&c, 9, rec, NULL);
	assert_true(sc.fingerprint != sa.fingerprint);
	free(rec);
}

/* The bound of who can act covers adjusts: with legitimacy set to 0 mid-run, agents
 * whose thresholds only that reaches are made, and they act. Threshold U(0, 2),
 * hardship 1, eta 1: U = (1 - L) - theta, so the active share is (1 - L) / 2: 0.1 at
 * L = 0.8, 0.5 at L = 0 (binomial SE 0.005 at N = 10000; tolerance 5 SE). */
static void test_adjust_widens_who_can_act(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 10000, 40.0);
	p.agents.hardship = fixture_constant(1.0);
	p.agents.threshold = fixture_uniform(0.0, 2.0);
	p.agents.legitimacy0 = 0.8;
	struct ur_params q = p;
	adjust(&p, "fall", "agents.legitimacy", UR_ADJUST_SET, 0.0, 10.0, 0.0);
	struct ur_model *without = ur_model_create(&q, 3, NULL, NULL);
	struct ur_model *with = ur_model_create(&p, 3, NULL, NULL);
	assert_non_null(without);
	assert_non_null(with);
	assert_true(ur_model_agents(with) > 4 * ur_model_agents(without));
	assert_int_equal(ur_model_run(without), UR_MODEL_OK);
	assert_int_equal(ur_model_run(with), UR_MODEL_OK);
	struct ur_national_row n;
	ur_model_snapshot(without, &n, NULL);
	assert_near(n.active / 10000.0, 0.1, 5 * 0.003);
	ur_model_snapshot(with, &n, NULL);
	assert_near(n.active / 10000.0, 0.5, 5 * 0.005);
	ur_model_destroy(with);
	ur_model_destroy(without);
}

/* Cash transfers. U = h - theta, h and theta U(0, 1): half the agents are active.
 * A transfer of 0.2 at hour 10 (reach exponential, mean 5 h) leaves those with
 * h - 0.2 > theta: 0.32. Paired runs (common random numbers: the transfer draws from
 * no stream) at 20 seeds: the mean paired difference of the active shares at hour 40
 * is -0.18, within 5 SE of the pairs. The reach ramps: at hour 15 the share reached
 * is 1 - e^-1 (binomial SE 0.007 at N = 5000). */
static void test_cash_transfer(void **state)
{
	(void)state;
	enum { N = 5000, SEEDS = 20 };
	struct ur_params p;
	fixture_params(&p, N, 40.0);
	p.agents.hardship = fixture_uniform(0.0, 1.0);
	p.agents.threshold = fixture_uniform(0.0, 1.0);
	p.agents.reconsider_rate = 2.0;
	struct ur_params q = p;
	struct ur_action *t = fixture_action(&p, "cash", UR_ACTION_CASH_TRANSFER, 10.0);
	t->amount = 0.2;
	t->reach_h = fixture_exponential(5.0);
	double sum = 0.0, sum2 = 0.0;
	for (uint64_t seed = 1; seed <= SEEDS; ++seed) {
		struct ur_national_row a, b;
		struct ur_model *with = ur_model_create(&p, seed, NULL, NULL);
		struct ur_model *without = ur_model_create(&q, seed, NULL, NULL);
		assert_non_null(with);
		assert_non_null(without);
		if (seed == 1) {
			assert_int_equal(ur_model_run_until(with, 15.0), UR_MODEL_OK);
			size_t reached = 0;
			for (uint32_t i = 0; i < (uint32_t)ur_model_agents(with); ++i)
				reached += model_cash_relief(with, 0, i, 15.0) > 0.0;
			double share = (double)reached / (double)ur_model_agents(with);
			assert_near(share, 1.0 - exp(-1.0), 5 * 0.007);
		}
		assert_int_equal(ur_model_run(with), UR_MODEL_OK);
		assert_int_equal(ur_model_run(without), UR_MODEL_OK);
		ur_model_snapshot(with, &a, NULL);
		ur_model_snapshot(without, &b, NULL);
		double d = (a.active - b.active) / N;
		sum += d;
		sum2 += d * d;
		ur_model_destroy(with);
		ur_model_destroy(without);
	}
	double mean = sum / SEEDS, sd = sqrt((sum2 - SEEDS * mean * mean) / (SEEDS - 1));
	double se = sd / sqrt((double)SEEDS);
	assert_true(mean < 0.0);
	assert_near(mean, -0.18, 5 * se + 1e-3);
}

/* Curfews. 20000 agents reconsider once an hour; a curfew from 20:00 to 06:00 (local
 * time of scenario.start, 00:00 at hour 0) with reconsider multiplier 0.25 and risk
 * multiplier 3, in force from hour 10 for 40 hours. Decisions per hour: 20000 outside
 * its hours, 5000 inside (Poisson: SD 141 and 71; tolerance 5 SD), and soe_r 3 inside
 * only; after its end every hour is back to 20000. */
static void test_curfew_hours(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 20000, 72.0);
	p.agents.stratified = true; /* every agent made: the full rate */
	struct ur_action *c = fixture_action(&p, "curfew", UR_ACTION_CURFEW, 10.0);
	c->from_hour = 20.0;
	c->to_hour = 6.0;
	c->reconsider_multiplier = 0.25;
	c->risk_multiplier = 3.0;
	c->has_duration = true;
	c->duration_h = fixture_constant(40.0);
	struct ur_model *m = ur_model_create(&p, 4, NULL, NULL);
	assert_non_null(m);
	struct ur_model_stats st;
	uint64_t before = 0;
	for (int h = 1; h <= 72; ++h) {
		assert_int_equal(ur_model_run_until(m, (double)h - 0.5), UR_MODEL_OK);
		double hour_of_day = fmod((double)h - 0.5, 24.0);
		bool inside = h - 0.5 > 10.0 && h - 0.5 < 50.0 &&
			      (hour_of_day >= 20.0 || hour_of_day < 6.0);
		assert_near(m->region[0].soe, inside ? 3.0 : 1.0, 0.0);
		assert_int_equal(ur_model_run_until(m, (double)h), UR_MODEL_OK);
		ur_model_stats(m, &st);
		double count = (double)(st.decisions - before);
		before = st.decisions;
		/* the hour [h-1, h) lies wholly inside or outside the curfew's hours */
		if (inside)
			assert_near(count, 5000.0, 5 * 71.0);
		else
			assert_near(count, 20000.0, 5 * 141.0);
	}
	ur_model_destroy(m);
}

/* A curfew's exit multiplier. 20000 agents reconsider once an hour; an all-day curfew
 * from hour 10 to 30 with reconsider multiplier 0.5 and exit multiplier 4. Active
 * agents (threshold -1: all join within hours) then reconsider at 0.5 x 4 = 2 an
 * hour, 40000 decisions an hour; quiet ones (threshold 1: none joins) at 0.5, 10000;
 * after the curfew both are back to 20000. Poisson counts: SD at most 200, tolerance
 * 5 SD. */
static void curfew_exit_counts(double threshold, double inside_rate)
{
	struct ur_params p;
	fixture_params(&p, 20000, 40.0);
	p.agents.stratified = true; /* every agent made: the full rate */
	p.agents.threshold = fixture_constant(threshold);
	struct ur_action *c = fixture_action(&p, "curfew", UR_ACTION_CURFEW, 10.0);
	c->from_hour = 0.0;
	c->to_hour = 0.0;
	c->risk_multiplier = 1.0;
	c->reconsider_multiplier = 0.5;
	c->exit_multiplier = 4.0;
	c->has_duration = true;
	c->duration_h = fixture_constant(20.0);
	struct ur_model *m = ur_model_create(&p, 5, NULL, NULL);
	assert_non_null(m);
	struct ur_model_stats st;
	uint64_t before = 0;
	for (int h = 1; h <= 40; ++h) {
		assert_int_equal(ur_model_run_until(m, (double)h), UR_MODEL_OK);
		ur_model_stats(m, &st);
		double count = (double)(st.decisions - before);
		before = st.decisions;
		if (h <= 10 && threshold < 0.0)
			continue; /* joining: the first picks are of quiet agents */
		double rate = h > 10 && h <= 30 ? inside_rate : 1.0;
		assert_near(count, 20000.0 * rate, 5 * sqrt(20000.0 * rate));
	}
	ur_model_destroy(m);
}

/* A curfew's risk multiplier is the arrest chance's too, within its hours: 20000
 * agents, all active for good (threshold -1, no risk aversion), security without
 * limit (p = probability = 0.01 a sweep, hourly), held for good. From hour 10.5 an
 * all-day curfew of risk 3: each of the sweeps at hours 11 to 20 takes 3% of those
 * still active, so of the A active at 10.5, A (1 - 0.97^10) are detained by 20.5
 * (about 4,700 of 18,000; without the multiplier 1,700). Binomial SD at most 71: tolerance
 * 5 SD. */
static void test_curfew_arrests(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 20000, 30.0);
	p.agents.stratified = true;
	p.agents.threshold = fixture_constant(-1.0);
	p.regions[0].police = 1e9;
	p.arrests.probability = 0.01;
	p.arrests.detention_h = fixture_constant(1000.0);
	struct ur_action *c = fixture_action(&p, "curfew", UR_ACTION_CURFEW, 10.5);
	c->from_hour = 0.0;
	c->to_hour = 0.0;
	c->risk_multiplier = 3.0;
	c->reconsider_multiplier = 1.0;
	c->has_duration = true;
	c->duration_h = fixture_constant(10.0);
	struct ur_model *m = ur_model_create(&p, 6, NULL, NULL);
	assert_non_null(m);
	struct ur_national_row n;
	assert_int_equal(ur_model_run_until(m, 10.5), UR_MODEL_OK);
	ur_model_snapshot(m, &n, NULL);
	double active = n.active, detained = n.detained;
	assert_true(active > 15000.0); /* a tenth taken by the ten sweeps before */
	assert_int_equal(ur_model_run_until(m, 20.5), UR_MODEL_OK);
	ur_model_snapshot(m, &n, NULL);
	double expect = active * (1.0 - pow(0.97, 10.0));
	assert_near(n.detained - detained, expect, 5 * 71.0);
	ur_model_destroy(m);
}

static void test_curfew_exit(void **state)
{
	(void)state;
	curfew_exit_counts(-1.0, 2.0); /* everyone active: the exit rate */
	curfew_exit_counts(1.0, 0.5);  /* nobody active: the quiet rate */
}

/* The fuel term 1 - r^-gamma: 0 at or below the old price, rising with the price,
 * more for a tripling than a doubling, concave, saturating below 1; gamma its
 * curvature. */
static void test_fuel_grievance_function(void **state)
{
	(void)state;
	assert_true(ur_fuel_grievance(0.8, 1.0) == 0.0);
	assert_true(ur_fuel_grievance(1.0, 1.0) == 0.0);
	assert_true(ur_fuel_grievance(2.0, 1.0) == 0.5);
	assert_near(ur_fuel_grievance(3.0, 1.0), 2.0 / 3.0, 1e-15);
	assert_true(ur_fuel_grievance(3.0, 1.0) > ur_fuel_grievance(2.0, 1.0));
	assert_true(ur_fuel_grievance(3.0, 1.0) - ur_fuel_grievance(2.0, 1.0) <
		    ur_fuel_grievance(2.0, 1.0) - ur_fuel_grievance(1.0, 1.0));
	assert_true(ur_fuel_grievance(1000.0, 1.0) < 1.0);
	assert_true(ur_fuel_grievance(1000.0, 1.0) > 0.99);
	assert_near(ur_fuel_grievance(4.0, 0.5), 0.5, 1e-15);
}

/* Price steps and rollbacks in the model. LPG agents only, U = (1 - L) sigma f(r) -
 * theta with theta U(0, 1), L = 0, sigma 1: the active share is f(r), 1/2 where the
 * price doubled, 2/3 where it tripled (binomial SE 0.005 at N = 10000; tolerance
 * 5 SE). A rollback to 1.5 holds the price even when a later step raises it. */
static void test_price_steps(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 10000, 40.0);
	fixture_add_region(&p, "r1", 10000, 51.169, 71.449);
	p.regions[0].lpg_share = 1.0;
	p.regions[1].lpg_share = 1.0;
	p.agents.eta = 0.0;
	p.agents.sigma_fuel = 1.0;
	p.agents.threshold = fixture_uniform(0.0, 1.0);
	p.agents.reconsider_rate = 2.0;
	p.fuel.nsteps = 3;
	p.fuel.steps[0].at_h = 1.0;
	p.fuel.steps[0].ratio = 2.0;
	fixture_one_region(&p.fuel.steps[0].regions, 0);
	p.fuel.steps[1] = p.fuel.steps[0];
	p.fuel.steps[1].ratio = 3.0;
	fixture_one_region(&p.fuel.steps[1].regions, 1);
	p.fuel.steps[2] = p.fuel.steps[1];
	p.fuel.steps[2].at_h = 30.0;
	p.fuel.steps[2].ratio = 4.0;
	struct ur_action *rb = fixture_action(&p, "rb", UR_ACTION_PRICE_ROLLBACK, 25.0);
	fixture_one_region(&rb->regions, 1);
	rb->ratio = 1.5;
	struct ur_model *m = ur_model_create(&p, 8, NULL, NULL);
	assert_non_null(m);
	struct ur_region_row rows[2];
	struct ur_national_row n;
	assert_int_equal(ur_model_run_until(m, 20.0), UR_MODEL_OK);
	ur_model_snapshot(m, &n, rows);
	assert_near(rows[0].active / 10000.0, 0.5, 5 * 0.005);
	assert_near(rows[1].active / 10000.0, 2.0 / 3.0, 5 * 0.005);
	assert_true(rows[1].active > rows[0].active);
	assert_int_equal(ur_model_run_until(m, 35.0), UR_MODEL_OK);
	assert_true(m->region[1].price == 1.5); /* the step to 4 came after the rollback */
	assert_near(m->region[1].shock, 1.0 / 3.0, 1e-15);
	ur_model_snapshot(m, &n, rows);
	assert_near(rows[1].active / 10000.0, 1.0 / 3.0, 5 * 0.005);
	ur_model_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adjust_ops_and_reverts),
		cmocka_unit_test(test_adjust_regional_and_overlapping),
		cmocka_unit_test(test_adjust_refreshes_caches),
		cmocka_unit_test(test_named_kinds_are_adjusts),
		cmocka_unit_test(test_adjust_widens_who_can_act),
		cmocka_unit_test(test_cash_transfer),
		cmocka_unit_test(test_curfew_hours),
		cmocka_unit_test(test_curfew_exit),
		cmocka_unit_test(test_curfew_arrests),
		cmocka_unit_test(test_fuel_grievance_function),
		cmocka_unit_test(test_price_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
