/*
 * test_sweeps.c: the detention_sweep kind (docs/model.md, "Detention sweeps"): who
 * can be swept, the law of coverage by security, the closed form of the number
 * detained, the bound by those who ever acted, agent_scale, and determinism.
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

/* A one-region scenario of `persons` persons at `scale` persons an agent in which
 * nobody acts by himself (threshold 1), no street arrest (probability 0), and a
 * detention sweep of `rate` from hour `at` for `duration` hours; detention terms
 * outlast the horizon. */
static struct ur_action *sweep_params(struct ur_params *p, int64_t persons, double scale,
				      double horizon, double rate, double at, double duration)
{
	fixture_params(p, persons, horizon);
	p->scenario.agent_scale = scale;
	p->agents.stratified = true; /* every agent made at the start */
	p->arrests.detention_h = fixture_constant(10000.0);
	struct ur_action *a = fixture_action(p, "sweep", UR_ACTION_DETENTION_SWEEP, at);
	a->sweep_rate = rate;
	a->has_duration = true;
	a->duration_h = fixture_constant(duration);
	return a;
}

/* Makes agents 0 .. k-1 act once and go home at hour 0: the pool of those who took
 * part, now quiet (threshold 1: they never act again by themselves). */
static void took_part(struct ur_model *m, uint32_t k)
{
	for (uint32_t i = 0; i < k; ++i) {
		model_agent_set_state(m, i, AGENT_QUIET, AGENT_ACTIVE);
		model_agent_set_state(m, i, AGENT_ACTIVE, AGENT_QUIET);
	}
	assert_int_equal(m->region[0].pool, k);
}

/* The closed form. A pool of K = 8000 agents (of 20000), security without limit
 * (police 1e9: coverage 1 - exp(-2.3e9 / P) = 1 in double), a sweep of rate 0.05 an
 * hour from hour 2.5 for 10 hours, arrest sweeps hourly. By hour t the number
 * detained is Binomial(K, 1 - exp(-0.05 (min(t, 12.5) - 2.5))) at each hourly sweep
 * (the exposure of the half hour before the first is counted): checked at hours 2,
 * 3, 8, 13 and 30, tolerance 5 binomial SD (at most 5 sqrt(2000) = 224 of ~3150),
 * nothing at hour 2, nothing more after the end. The same at agent_scale 5 (1600
 * agents, in persons). */
static void closed_form(double scale, uint64_t seed)
{
	struct ur_params p;
	sweep_params(&p, 20000, scale, 30.0, 0.05, 2.5, 10.0);
	p.regions[0].police = 1e9;
	struct ur_model *m = ur_model_create(&p, seed, NULL, NULL);
	assert_non_null(m);
	uint32_t k = (uint32_t)(8000.0 / scale);
	took_part(m, k);
	static const double hours[] = {2.0, 3.0, 8.0, 13.0, 30.0};
	double at13 = 0.0;
	for (size_t h = 0; h < sizeof hours / sizeof hours[0]; ++h) {
		double t = hours[h];
		assert_int_equal(ur_model_run_until(m, t), UR_MODEL_OK);
		double exposure = 0.05 * (fmax(0.0, fmin(floor(t), 12.5) - 2.5));
		double q = -expm1(-exposure);
		double agents = m->region[0].detained / scale;
		double sd = sqrt((double)k * q * (1.0 - q));
		assert_true(agents == floor(agents));
		assert_true(fabs(agents - (double)k * q) <= 5.0 * sd);
		assert_int_equal(m->region[0].held, (uint32_t)agents);
		if (t == 2.0)
			assert_true(agents == 0.0);
		if (t == 13.0)
			at13 = agents;
		if (t == 30.0)
			assert_true(agents == at13);
	}
	ur_model_destroy(m);
}

static void test_sweep_closed_form(void **state)
{
	(void)state;
	closed_form(1.0, 11);
	closed_form(5.0, 12);
}

/* Only those who took part are swept: with 5000 of 20000 in the pool and a sweep of
 * rate 2 an hour for 20 hours (nearly all of the pool: 1 - exp(-40)), every agent held
 * is one of the 5000 and none of the others is; the pool is then empty. With nobody in
 * the pool, nobody is detained. */
static void test_sweep_only_those_who_acted(void **state)
{
	(void)state;
	struct ur_params p;
	sweep_params(&p, 20000, 1.0, 30.0, 2.0, 1.0, 20.0);
	p.regions[0].police = 1e9;
	struct ur_model *m = ur_model_create(&p, 3, NULL, NULL);
	assert_non_null(m);
	took_part(m, 5000);
	assert_int_equal(ur_model_run_until(m, 30.0), UR_MODEL_OK);
	assert_int_equal(m->region[0].held, 5000);
	assert_true(m->region[0].detained == 5000.0);
	assert_int_equal(m->region[0].pool, 0);
	for (uint32_t i = 0; i < m->nagents; ++i) {
		unsigned s = m->tag[i] & TAG_STATE_MASK;
		assert_int_equal(s, i < 5000 ? AGENT_HELD : AGENT_QUIET);
	}
	ur_model_destroy(m);

	m = ur_model_create(&p, 3, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run_until(m, 30.0), UR_MODEL_OK);
	assert_true(m->region[0].detained == 0.0);
	ur_model_destroy(m);
}

/* No security, no sweep: police 0 and a pool of 5000 under a sweep of the largest rate
 * (100 an hour) detains nobody. */
static void test_sweep_needs_security(void **state)
{
	(void)state;
	struct ur_params p;
	sweep_params(&p, 20000, 1.0, 30.0, 100.0, 1.0, 20.0);
	p.regions[0].police = 0.0;
	struct ur_model *m = ur_model_create(&p, 4, NULL, NULL);
	assert_non_null(m);
	took_part(m, 5000);
	assert_int_equal(ur_model_run_until(m, 30.0), UR_MODEL_OK);
	assert_true(m->region[0].detained == 0.0);
	assert_int_equal(m->region[0].pool, 5000);
	ur_model_destroy(m);
}

/* The coverage law. capacity_ratio 1 and police equal to the pool in persons (10000):
 * coverage 1 - exp(-1); a sweep of rate 0.4 from hour 0.5 to the horizon; the first
 * arrest sweep, at hour 1, detains Binomial(10000, 1 - exp(-0.2 (1 - e^-1))) (mean
 * 1191, SD 32; tolerance 5 SD). With capacity_ratio 0.1, coverage 1 - exp(-10): mean
 * 1812, SD 39. Averaged over 4 seeds (SD halves). */
static void coverage(double capacity_ratio, uint64_t seed)
{
	struct ur_params p;
	sweep_params(&p, 20000, 1.0, 1.0, 0.4, 0.5, 100.0);
	p.regions[0].police = 10000.0;
	p.arrests.capacity_ratio = capacity_ratio;
	double cover = -expm1(-1.0 / capacity_ratio);
	double q = -expm1(-0.2 * cover);
	double sum = 0.0;
	for (uint64_t s = 0; s < 4; ++s) {
		struct ur_model *m = ur_model_create(&p, seed + s, NULL, NULL);
		assert_non_null(m);
		took_part(m, 10000);
		assert_int_equal(ur_model_run_until(m, 1.0), UR_MODEL_OK);
		sum += m->region[0].detained;
		ur_model_destroy(m);
	}
	double mean = sum / 4.0, sd = sqrt(10000.0 * q * (1.0 - q) / 4.0);
	assert_true(fabs(mean - 10000.0 * q) <= 5.0 * sd);
}

static void test_sweep_coverage(void **state)
{
	(void)state;
	coverage(1.0, 20);
	coverage(0.1, 30);
}

/* In a busy scenario (street arrests, clashes, deaths) with a sweep of rate 1 from
 * hour 6, and detentions outlasting the horizon (so each person is detained at most
 * once), the detained never exceed the persons who ever acted, at every hour, and the
 * invariants hold (the pool's count agrees with the agents' tags); the sweep does
 * detain (more detained than the same run without it). */
static double busy_detained(bool sweep, uint64_t seed, bool check)
{
	struct ur_params p;
	fixture_busy_params(&p, 48.0);
	p.arrests.detention_h = fixture_constant(10000.0);
	if (sweep) {
		struct ur_action *a = fixture_action(&p, "sweep", UR_ACTION_DETENTION_SWEEP, 6.0);
		a->sweep_rate = 1.0;
	}
	struct ur_model *m = ur_model_create(&p, seed, NULL, NULL);
	assert_non_null(m);
	double detained = 0.0;
	for (int h = 1; h <= 48; ++h) {
		assert_int_equal(ur_model_run_until(m, (double)h), UR_MODEL_OK);
		if (!check)
			continue;
		char why[256];
		if (ur_model_check(m, why, sizeof why) != 0)
			fail_msg("%s", why);
		double ever = 0.0;
		for (uint32_t i = 0; i < m->nagents; ++i)
			ever += (m->tag[i] & TAG_EVER) ? 1.0 : 0.0;
		detained = 0.0;
		for (size_t r = 0; r < m->nregions; ++r)
			detained += m->region[r].detained;
		assert_true(detained <= ever * m->scale);
	}
	detained = 0.0;
	for (size_t r = 0; r < m->nregions; ++r)
		detained += m->region[r].detained;
	ur_model_destroy(m);
	return detained;
}

static void test_sweep_bounded_by_those_who_acted(void **state)
{
	(void)state;
	double with = busy_detained(true, 7, true);
	double without = busy_detained(false, 7, false);
	assert_true(with > without);
}

/* Determinism: the same seed gives the same fingerprint and summary whatever the
 * sample interval, with a sweep in force. */
static void test_sweep_determinism(void **state)
{
	(void)state;
	uint64_t fp[2];
	double detained[2];
	for (int k = 0; k < 2; ++k) {
		struct ur_params p;
		fixture_busy_params(&p, 48.0);
		p.scenario.sample_interval_h = k == 0 ? 1.0 : 0.25;
		struct ur_action *a = fixture_action(&p, "sweep", UR_ACTION_DETENTION_SWEEP, 6.0);
		a->sweep_rate = 0.5;
		a->has_duration = true;
		a->duration_h = fixture_exponential(12.0);
		struct fixture_record *rec = fixture_record_new();
		struct ur_model_summary s = fixture_run(&p, 9, rec, NULL);
		fp[k] = s.fingerprint;
		detained[k] = s.detained;
		free(rec);
	}
	assert_true(fp[0] == fp[1]);
	assert_true(detained[0] == detained[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_closed_form),
		cmocka_unit_test(test_sweep_only_those_who_acted),
		cmocka_unit_test(test_sweep_needs_security),
		cmocka_unit_test(test_sweep_coverage),
		cmocka_unit_test(test_sweep_bounded_by_those_who_acted),
		cmocka_unit_test(test_sweep_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
