/*
 * test_model.c: the unrest model (model.h). `test_model unit GOLDEN` checks the API,
 * the bookkeeping, determinism, the independence of a run from its sampling, the
 * invariants, the fuel shock, police morale and looting, the outcome trackers, and the
 * run's fingerprint against the golden value in the file GOLDEN. `test_model stat`
 * holds the model to exact answers: Granovetter's and Epstein's limits, the rate of
 * the superposed decision stream, and the means of arrests, casualties and damage.
 *
 * Stochastic checks use fixed seeds; each states its tolerance from the standard error
 * of the quantity it checks. The golden fingerprint is rewritten, instead of checked,
 * when the environment has UNREST_UPDATE_GOLDEN=1 (docs/model.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "unrest/model.h"
#include "unrest/rng.h"

#include "fixture.h"
#include "model_internal.h"

static const char *golden_path;

/* ---- unit ------------------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ur_model_event_name(UR_MEV_FUEL_RISE), "fuel_rise");
	assert_string_equal(ur_model_event_name(UR_MEV_CLASH), "clash");
	assert_null(ur_model_event_name(UR_MODEL_EVENT_KIND_COUNT));
	for (int k = 0; k < UR_MODEL_EVENT_KIND_COUNT; ++k)
		assert_non_null(ur_model_event_name((enum ur_model_event_kind)k));
	assert_string_equal(ur_outcome_name(UR_OUTCOME_ORDER_RESTORED), "order_restored");
	assert_string_equal(ur_outcome_name(UR_OUTCOME_UNRESOLVED), "unresolved");
	assert_null(ur_outcome_name(UR_OUTCOME_COUNT));
	ur_model_destroy(NULL);
}

/* Bulk words are gsl_rng_get's words, in order, across the generator's twists, and
 * leave the generator where gsl_rng_get would have; the exponential from a word is
 * -log(u) within 1e-15 max(1, -log u). */
static void test_words(void **state)
{
	(void)state;
	gsl_rng *a = ur_rng_create(99), *b = ur_rng_create(99);
	assert_non_null(a);
	assert_non_null(b);
	static uint32_t words[5000];
	size_t sizes[] = {1, 7, 623, 624, 625, 1000, 1, 1248, 3};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; ++k) {
		ur_rng_fill_u32(a, words, sizes[k]);
		for (size_t i = 0; i < sizes[k]; ++i)
			assert_int_equal(words[i], gsl_rng_get(b));
		assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
	}
	/* another generator type is read word by word */
	gsl_rng *c = gsl_rng_alloc(gsl_rng_taus2), *d = gsl_rng_alloc(gsl_rng_taus2);
	assert_non_null(c);
	assert_non_null(d);
	ur_rng_fill_u32(c, words, 100);
	for (size_t i = 0; i < 100; ++i)
		assert_int_equal(words[i], gsl_rng_get(d));
	gsl_rng_free(c);
	gsl_rng_free(d);

	struct model_log_table *t = malloc(sizeof *t);
	assert_non_null(t);
	model_log_table_init(t);
	uint32_t edge[] = {0u, 1u, 2u, 3u, 1023u, 1024u, 0x7fffffffu, 0x80000000u, 0xfffffffeu,
			   0xffffffffu, 0x12345678u};
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; ++i) {
		double exact = -log(((double)edge[i] + 0.5) * 0x1p-32);
		assert_near(model_exp_from_word(t, edge[i]), exact, 1e-15 * fmax(1.0, exact));
	}
	double sum = 0.0;
	for (size_t i = 0; i < 100000; ++i) {
		uint32_t w = (uint32_t)gsl_rng_get(a);
		double e = model_exp_from_word(t, w);
		double exact = -log(((double)w + 0.5) * 0x1p-32);
		assert_near(e, exact, 1e-15 * fmax(1.0, exact));
		sum += e;
	}
	/* mean of 10^5 unit exponentials: sd 0.00316 */
	assert_near(sum / 100000.0, 1.0, 3.0 * 0.00316);
	free(t);
	ur_rng_destroy(a);
	ur_rng_destroy(b);
}

static void test_agent_counts(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1234, 1.0);
	fixture_add_region(&p, "r1", 5678, 51.169, 71.449);
	p.regions[0].adult_share = 0.5;
	p.regions[1].adult_share = 0.5;
	p.scenario.agent_scale = 10.0;
	struct ur_model *m = ur_model_create(&p, 1, NULL, NULL);
	assert_non_null(m);
	/* round(1234 * 0.5 / 10) = 62, round(5678 * 0.5 / 10) = 284 */
	assert_int_equal(ur_model_region_agents(m, 0), 62);
	assert_int_equal(ur_model_region_agents(m, 1), 284);
	assert_int_equal(ur_model_agents(m), 346);
	assert_int_equal(ur_model_region_first_agent(m, 0), 0);
	assert_int_equal(ur_model_region_first_agent(m, 1), 62);
	assert_null(ur_model_decision_counts(m));
	assert_int_equal(ur_model_check(m, NULL, 0), 0);
	ur_model_destroy(m);
}

static void test_distance_and_weights(void **state)
{
	(void)state;
	/* London to Paris on the mean sphere (computed independently), and half the
	 * equator. */
	assert_near(model_distance_km(51.5074, -0.1278, 48.8566, 2.3522), 343.5565348808831,
		    1e-9);
	assert_near(model_distance_km(0.0, 0.0, 0.0, 180.0), 20015.114442035923, 1e-7);
	assert_near(model_distance_km(10.0, 20.0, 10.0, 20.0), 0.0, 0.0);

	struct ur_params p;
	fixture_params(&p, 1000, 1.0);
	fixture_add_region(&p, "b", 2000, 51.169, 71.449);
	fixture_add_region(&p, "c", 3000, 47.1, 51.9);
	fixture_add_region(&p, "d", 4000, 43.3, 68.3);
	p.network.distance_exponent = 1.5;
	p.network.nationwide = 0.3;
	struct ur_model *m = ur_model_create(&p, 1, NULL, NULL);
	assert_non_null(m);
	for (size_t r = 0; r < 4; ++r) {
		double sum = 0.0;
		for (size_t s = 0; s < 4; ++s)
			sum += ur_model_weight(m, r, s);
		assert_near(ur_model_weight(m, r, r), 0.0, 0.0);
		assert_near(sum, 1.0, 1e-12);
	}
	/* Independently: the gravity part of row 0, then the mix. */
	double g[4] = {0.0}, gsum = 0.0, psum = 9000.0;
	for (size_t s = 1; s < 4; ++s) {
		double d = model_distance_km(p.regions[0].lat, p.regions[0].lon, p.regions[s].lat,
					     p.regions[s].lon);
		g[s] = (double)p.regions[s].population / pow(d, 1.5);
		gsum += g[s];
	}
	for (size_t s = 1; s < 4; ++s)
		assert_near(ur_model_weight(m, 0, s),
			    0.7 * g[s] / gsum + 0.3 * (double)p.regions[s].population / psum, 1e-12);
	ur_model_destroy(m);

	/* Entirely nationwide: w_rs = pop_s / sum of the others. */
	p.network.nationwide = 1.0;
	m = ur_model_create(&p, 1, NULL, NULL);
	assert_non_null(m);
	assert_near(ur_model_weight(m, 2, 0), 1000.0 / 7000.0, 1e-12);
	assert_near(ur_model_weight(m, 2, 3), 4000.0 / 7000.0, 1e-12);
	ur_model_destroy(m);

	/* One region: no cross term at all. */
	fixture_params(&p, 1000, 1.0);
	m = ur_model_create(&p, 1, NULL, NULL);
	assert_non_null(m);
	assert_near(ur_model_weight(m, 0, 0), 0.0, 0.0);
	ur_model_destroy(m);
}

static void test_sample_times(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 100, 5.5);
	p.scenario.sample_interval_h = 2.0;
	struct fixture_record *rec = fixture_record_new();
	fixture_run(&p, 3, rec, NULL);
	assert_int_equal(rec->samples, 4);
	assert_near(rec->sample_hours[0], 0.0, 0.0);
	assert_near(rec->sample_hours[1], 2.0, 0.0);
	assert_near(rec->sample_hours[2], 4.0, 0.0);
	assert_near(rec->sample_hours[3], 5.5, 0.0);
	assert_int_equal(rec->summaries, 1);

	/* A horizon that is a multiple of the interval is sampled once. */
	memset(rec, 0, sizeof *rec);
	p.scenario.horizon_h = 6.0;
	fixture_run(&p, 3, rec, NULL);
	assert_int_equal(rec->samples, 4);
	assert_near(rec->sample_hours[3], 6.0, 0.0);

	/* ... also when k x interval falls a rounding short of it: 720 x 0.7 is
	 * 503.99999999999994, which a quantity column writes as 504.0, the horizon's
	 * row; samples are taken at 0, 0.7, ..., 503.3 and 504. */
	memset(rec, 0, sizeof *rec);
	p.scenario.horizon_h = 504.0;
	p.scenario.sample_interval_h = 0.7;
	fixture_run(&p, 3, rec, NULL);
	assert_int_equal(rec->samples, 721);
	assert_near(rec->sample_hours[719], 719 * 0.7, 0.0);
	assert_near(rec->sample_hours[720], 504.0, 0.0);
	free(rec);
}

/* Agents whose grievance is the fuel shock alone: LPG-dependent ones turn active after
 * the rise and quiet after the rollback; the others never move. */
static void test_fuel_shock(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 2000, 40.0);
	p.regions[0].lpg_share = 0.3;
	p.agents.stratified = true;   /* exactly 600 LPG-dependent agents */
	p.agents.eta = 0.0;
	p.agents.sigma_fuel = 2.0;    /* a doubled price: a fuel term of 1 */
	p.agents.threshold = fixture_constant(0.5);
	p.agents.reconsider_rate = 2.0;
	p.fuel.steps[0].at_h = 5.0;
	p.fuel.steps[0].ratio = 2.0;
	p.fuel.nsteps = 2;
	p.fuel.steps[1] = p.fuel.steps[0];
	p.fuel.steps[1].at_h = 20.0;
	p.fuel.steps[1].ratio = 1.0;  /* back to the old price */
	struct fixture_record *rec = fixture_record_new();
	struct ur_observer obs = fixture_observer(rec);
	struct ur_model *m = ur_model_create(&p, 11, &obs, NULL);
	assert_non_null(m);
	struct ur_national_row n;

	assert_int_equal(ur_model_run_until(m, 4.99), UR_MODEL_OK);
	ur_model_snapshot(m, &n, NULL);
	assert_near(n.active, 0.0, 0.0);
	/* After 10 mean reconsideration times every LPG agent has decided but for
	 * 600 e^-20 ~ 1e-6 of one. */
	assert_int_equal(ur_model_run_until(m, 15.0), UR_MODEL_OK);
	ur_model_snapshot(m, &n, NULL);
	assert_near(n.active, 600.0, 0.0);
	assert_int_equal(ur_model_run_until(m, 30.0), UR_MODEL_OK);
	ur_model_snapshot(m, &n, NULL);
	assert_near(n.active, 0.0, 0.0);
	assert_int_equal(ur_model_run(m), UR_MODEL_OK);
	assert_int_equal(rec->event_count[UR_MEV_FUEL_RISE], 1);
	assert_int_equal(rec->event_count[UR_MEV_FUEL_ROLLBACK], 1);
	assert_int_equal(rec->event_count[UR_MEV_REGION_JOINED], 1);
	assert_string_equal(rec->event[0].name, "fuel_rise");
	assert_string_equal(rec->event[0].detail, "all");
	assert_near(rec->event[0].hour, 5.0, 0.0);
	assert_int_equal(rec->summary.regions_joined, 1);
	assert_near(rec->summary.peak_active, 600.0, 0.0);
	assert_true(rec->summary.peak_hour > 5.0 && rec->summary.peak_hour < 20.0);
	/* Active from about hour 5 to 20, below 1 person from about 21: order restored
	 * then, confirmed 24 hours later, which is past the horizon. */
	assert_true(isnan(rec->summary.order_restored_hour));
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_UNRESOLVED);
	ur_model_destroy(m);

	/* With a longer horizon, order is restored when the last agent turns quiet. */
	memset(rec, 0, sizeof *rec);
	p.scenario.horizon_h = 60.0;
	fixture_run(&p, 11, rec, NULL);
	assert_true(rec->summary.order_restored_hour > 20.0 &&
		    rec->summary.order_restored_hour < 30.0);
	assert_int_equal(rec->event_count[UR_MEV_ORDER_RESTORED], 1);
	for (size_t i = 0; i < rec->events; ++i)
		if (rec->event[i].kind == UR_MEV_ORDER_RESTORED) {
			assert_near(rec->event[i].hour, rec->summary.order_restored_hour + 24.0,
				    1e-9);
			assert_near(rec->event[i].value, rec->summary.order_restored_hour, 0.0);
		}
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_ORDER_RESTORED);
	free(rec);
}

/* The fuel-shock scenario of test_fuel_shock with the price stepped as given (hour,
 * ratio pairs), run to `horizon` with outcomes.order_threshold `threshold`: its LPG
 * agents turn active within hours of a rise and quiet within hours of a return to the
 * old price. */
static void stepped_run(struct fixture_record *rec, double horizon, double threshold,
			size_t nsteps, const double (*steps)[2])
{
	struct ur_params p;
	fixture_params(&p, 2000, horizon);
	p.outcomes.order_threshold = threshold;
	p.regions[0].lpg_share = 0.3;
	p.agents.stratified = true;
	p.agents.eta = 0.0;
	p.agents.sigma_fuel = 2.0;
	p.agents.threshold = fixture_constant(0.5);
	p.agents.reconsider_rate = 2.0;
	/* Every step in the fixture's first step's regions (all of them). */
	const struct ur_price_step every = p.fuel.steps[0];
	p.fuel.nsteps = nsteps;
	for (size_t i = 0; i < nsteps; ++i) {
		p.fuel.steps[i] = every;
		p.fuel.steps[i].at_h = steps[i][0];
		p.fuel.steps[i].ratio = steps[i][1];
	}
	memset(rec, 0, sizeof *rec);
	fixture_run(&p, 11, rec, NULL);
}

/* The outcome is the state at the horizon (docs/model.md, "Outcomes"): order holds when
 * the national crowd has been below outcomes.order_threshold over the last
 * order_window hours, whether or not it ever reached it, and a protest that comes back
 * undoes an earlier restoration. Under the first-restoration definition the quiet run
 * was "unresolved" and the returning protest "order_restored" at hour ~21. */
static void test_order_holds_at_the_horizon(void **state)
{
	(void)state;
	struct fixture_record *rec = fixture_record_new();

	/* No shock: nobody ever acts. Order held throughout, once the run has lasted
	 * the window; never lost, so no restoration hour and no event. */
	stepped_run(rec, 60.0, 1.0, 0, NULL);
	assert_near(rec->summary.peak_active, 0.0, 0.0);
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_ORDER_RESTORED);
	assert_true(isnan(rec->summary.order_restored_hour));
	assert_int_equal(rec->event_count[UR_MEV_ORDER_RESTORED], 0);
	stepped_run(rec, 20.0, 1.0, 0, NULL);
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_UNRESOLVED);
	/* A threshold of 0 is met by no one active: order never holds. */
	stepped_run(rec, 60.0, 0.0, 0, NULL);
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_UNRESOLVED);

	/* Rise at 5, rollback at 20 (quiet from ~21, restored at ~45), rise again at
	 * 50: 600 active at the horizon, 62 (short of collapse_hours above the
	 * capital's police, as the first rise is). The restoration was reported, but
	 * order does not hold. */
	static const double back[][2] = {{5.0, 2.0}, {20.0, 1.0}, {50.0, 2.0}, {65.0, 1.0}};
	stepped_run(rec, 62.0, 1.0, 3, back);
	assert_near(rec->last.active, 600.0, 0.0);
	assert_int_equal(rec->event_count[UR_MEV_ORDER_RESTORED], 1);
	assert_true(isnan(rec->summary.order_restored_hour));
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_UNRESOLVED);

	/* ... and rolled back again at 65: order is restored a second time, and the
	 * hour is the start of the last quiet stretch, after the second peak. */
	stepped_run(rec, 120.0, 1.0, 4, back);
	assert_int_equal(rec->event_count[UR_MEV_ORDER_RESTORED], 2);
	assert_true(rec->summary.order_restored_hour > 65.0 &&
		    rec->summary.order_restored_hour < 75.0);
	assert_int_equal(rec->summary.outcome, UR_OUTCOME_ORDER_RESTORED);
	free(rec);
}

/* Three regions with every mechanism of the core (no government, elite or CSTO) on: the scenario of the determinism,
 * invariant and golden tests. */
static void busy_params(struct ur_params *p)
{
	fixture_busy_params(p, 72.0);
	p->regions[2].eta = 0.8;
	p->agents.w_s = 0.4;
	p->agents.fatigue = 0.004;
	p->fuel.nsteps = 2;
	p->fuel.steps[0].at_h = 6.0;
	p->fuel.steps[0].ratio = 2.0;
	p->fuel.steps[0].regions.all = false;
	p->fuel.steps[0].regions.n = 2;
	p->fuel.steps[0].regions.idx[0] = 0;
	p->fuel.steps[0].regions.idx[1] = 2;
	p->fuel.steps[1] = p->fuel.steps[0];
	p->fuel.steps[1].at_h = 48.0;
	p->fuel.steps[1].ratio = 10.0 / 9.0; /* a fuel term a tenth of the full one */
	p->arrests.interval_h = 1.0;
	p->casualties.interval_h = 2.0;
	p->casualties.base_rate = 2.0;
	p->outcomes.capital = 1;
}

static void test_determinism(void **state)
{
	(void)state;
	struct ur_params p;
	busy_params(&p);
	struct fixture_record *a = fixture_record_new(), *b = fixture_record_new(), *c = fixture_record_new();
	struct ur_model_summary sa = fixture_run(&p, 0x1234, a, NULL);
	struct ur_model_summary sb = fixture_run(&p, 0x1234, b, NULL);
	struct ur_model_summary sc = fixture_run(&p, 0x1235, c, NULL);
	assert_true(sa.decisions > 10000);
	assert_true(a->events > 10);
	assert_true(sa.detained > 0.0 && sa.killed > 0.0 && sa.damage_usd > 0.0);
	assert_int_equal(sa.fingerprint, sb.fingerprint);
	assert_int_equal(a->hash, b->hash);
	assert_int_equal(a->events, b->events);
	assert_int_equal(sa.replication_seed, 0x1234);
	assert_true(sa.fingerprint != sc.fingerprint);
	assert_true(a->hash != c->hash);
	free(a);
	free(b);
	free(c);
}

/* Samples observe and change nothing: the trajectory (its fingerprint, and every
 * event reported) is the same whatever the sample interval and however the run is cut
 * by ur_model_run_until. */
static void test_sampling_does_not_perturb(void **state)
{
	(void)state;
	struct ur_params p;
	busy_params(&p);
	struct fixture_record *a = fixture_record_new(), *b = fixture_record_new();
	struct ur_model_summary sa = fixture_run(&p, 77, a, NULL);
	p.scenario.sample_interval_h = 0.37;
	struct ur_model_summary sb = fixture_run(&p, 77, b, NULL);
	assert_true(b->samples > a->samples);
	assert_int_equal(sa.fingerprint, sb.fingerprint);
	assert_int_equal(sa.decisions, sb.decisions);
	assert_int_equal(a->events, b->events);
	for (size_t i = 0; i < a->events && i < FIXTURE_MAX_EVENTS; ++i) {
		assert_int_equal(a->event[i].kind, b->event[i].kind);
		assert_near(a->event[i].hour, b->event[i].hour, 0.0);
		assert_near(a->event[i].value, b->event[i].value, 0.0);
	}
	assert_near(sa.killed, sb.killed, 0.0);
	assert_near(sa.detained, sb.detained, 0.0);
	/* Integrals are summed at model events only, so to the bit; events are model
	 * events, samples not counted. */
	assert_true(sa.damage_usd > 0.0);
	assert_true(memcmp(&sa.damage_usd, &sb.damage_usd, sizeof sa.damage_usd) == 0);
	assert_true(memcmp(&sa.shutdown_region_hours, &sb.shutdown_region_hours,
			   sizeof sa.shutdown_region_hours) == 0);
	assert_int_equal(sa.events, sb.events);

	/* Cut into 100 pieces. */
	p.scenario.sample_interval_h = 1.0;
	struct ur_model *m = ur_model_create(&p, 77, NULL, NULL);
	assert_non_null(m);
	for (int i = 1; i <= 100; ++i)
		assert_int_equal(ur_model_run_until(m, 0.72 * i), UR_MODEL_OK);
	assert_true(ur_model_finished(m));
	assert_int_equal(ur_model_run(m), UR_MODEL_FINISHED);
	struct ur_model_summary sm;
	ur_model_summary(m, &sm);
	assert_int_equal(sm.fingerprint, sa.fingerprint);
	ur_model_destroy(m);
	free(a);
	free(b);
}

static void test_invariants(void **state)
{
	(void)state;
	struct ur_params p;
	busy_params(&p);
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_options opt = {.check_invariants = true, .count_decisions = true};
	struct ur_observer obs = fixture_observer(rec);
	/* A seed whose run has the police leave their posts (about one run in fifteen
	 * does), so that the checks below see that too. */
	struct ur_model *m = ur_model_create(&p, 12, &obs, &opt);
	assert_non_null(m);
	rec->params = &p;
	rec->model = m;
	double last = 0.0;
	for (int i = 1; i <= 24; ++i) {
		assert_int_equal(ur_model_run_until(m, 3.0 * i), UR_MODEL_OK);
		char why[200] = "";
		if (ur_model_check(m, why, sizeof why) != 0)
			fail_msg("%s", why);
		assert_true(ur_model_now(m) >= last);
		last = ur_model_now(m);
	}
	assert_int_equal(rec->bad_samples, 0);
	/* events in time order */
	for (size_t i = 1; i < rec->events && i < FIXTURE_MAX_EVENTS; ++i)
		assert_true(rec->event[i].hour >= rec->event[i - 1].hour);
	/* decision counts add up */
	const uint32_t *counts = ur_model_decision_counts(m);
	assert_non_null(counts);
	uint64_t total = 0;
	for (size_t i = 0; i < ur_model_agents(m); ++i)
		total += counts[i];
	struct ur_model_stats st;
	ur_model_stats(m, &st);
	assert_int_equal(total, st.decisions);
	assert_true(st.state_changes > 0 && st.bytes > 0);
	/* held now + released = detained; cumulative national = sum of regions */
	assert_near(rec->last.detained, rec->summary.detained, 0.0);
	assert_true(rec->summary.killed_security <= rec->summary.killed);
	/* What happened was interesting enough to check something. */
	assert_true(rec->event_count[UR_MEV_ARRESTS] > 0);
	assert_true(rec->event_count[UR_MEV_CLASH] > 0);
	assert_true(rec->event_count[UR_MEV_POLICE_LEFT] > 0);
	ur_model_destroy(m);
	free(rec);
}

static void test_golden(void **state)
{
	(void)state;
	struct ur_params p;
	busy_params(&p);
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary s = fixture_run(&p, 2022, rec, NULL);
	free(rec);
	const char *update = getenv("UNREST_UPDATE_GOLDEN");
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *f = fopen(golden_path, "w");
		assert_non_null(f);
		fprintf(f, "0x%016" PRIx64 "\n", s.fingerprint);
		assert_int_equal(fclose(f), 0);
		print_message("rewrote %s: 0x%016" PRIx64 "\n", golden_path, s.fingerprint);
		return;
	}
	FILE *f = fopen(golden_path, "r");
	if (f == NULL)
		fail_msg("cannot read %s (UNREST_UPDATE_GOLDEN=1 writes it)", golden_path);
	char text[64] = "";
	char *line = fgets(text, sizeof text, f);
	fclose(f);
	assert_non_null(line);
	uint64_t golden = strtoull(text, NULL, 16);
	if (golden != s.fingerprint)
		fail_msg("fingerprint 0x%016" PRIx64 ", golden 0x%016" PRIx64
			 ": the model's behaviour changed; if on purpose, rerun with "
			 "UNREST_UPDATE_GOLDEN=1",
			 s.fingerprint, golden);
}

static void test_observer_stop(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 100, 10.0);
	struct fixture_record *rec = fixture_record_new();
	rec->stop_at_sample = 3;
	struct ur_observer obs = fixture_observer(rec);
	struct ur_model *m = ur_model_create(&p, 1, &obs, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run(m), UR_MODEL_OBSERVER);
	assert_true(strlen(ur_model_error(m)) > 0);
	assert_int_equal(rec->samples, 3);
	assert_int_equal(rec->summaries, 0);
	assert_false(ur_model_finished(m));
	ur_model_destroy(m);

	m = ur_model_create(&p, 1, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run_until(m, 5.0), UR_MODEL_OK);
	assert_int_equal(ur_model_run_until(m, 4.0), UR_MODEL_PAST);
	ur_model_destroy(m);
	free(rec);
}

/* Everyone active at once (threshold -1, fast reconsideration) against 10 police:
 * morale falls at 0.5 per hour from 1 to 0.2, the police leave their posts 1.6 h after
 * the crowd first exceeds 10, and damage then accrues at the looting rate, exactly. */
static void test_morale_and_looting(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 30.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 20.0;
	p.regions[0].police = 10.0;
	p.security.overwhelm_ratio = 1.0;
	p.security.morale_fall_rate = 0.5;
	p.security.morale_recovery_rate = 0.25;
	p.security.morale_min = 0.2;
	p.damage.usd_per_active_hour = 2.0;
	p.damage.looting_multiplier = 3.0;
	struct fixture_record *rec = fixture_record_new();
	struct ur_observer obs = fixture_observer(rec);
	struct ur_model *m = ur_model_create(&p, 9, &obs, NULL);
	assert_non_null(m);
	struct ur_national_row a, b;
	struct ur_region_row row;
	assert_int_equal(ur_model_run_until(m, 10.0), UR_MODEL_OK);
	ur_model_snapshot(m, &a, &row);
	assert_near(a.active, 1000.0, 0.0);
	assert_near(a.security, 10.0 * 0.2, 1e-12);
	assert_near(row.security, 2.0, 1e-12);
	assert_int_equal(rec->event_count[UR_MEV_POLICE_LEFT], 1);
	/* The crowd passed 10 persons within the first hour (1000 agents at 20 per hour:
	 * the 11th activation comes after about 11/20000 h); the police left 1.6 h later. */
	double left = 0.0;
	for (size_t i = 0; i < rec->events; ++i)
		if (rec->event[i].kind == UR_MEV_POLICE_LEFT)
			left = rec->event[i].hour;
	assert_true(left > 1.6 && left < 1.7);
	/* reported with A_r / C_r = 1000 / (10 x 0.2) */
	assert_near(rec->event_value_sum[UR_MEV_POLICE_LEFT], 500.0, 1e-9);
	assert_int_equal(ur_model_run_until(m, 20.0), UR_MODEL_OK);
	ur_model_snapshot(m, &b, NULL);
	assert_near(b.damage_usd - a.damage_usd, 2.0 * 1000.0 * 10.0 * 3.0,
		    1e-12 * b.damage_usd);
	ur_model_destroy(m);
	free(rec);
}

/* The capital overwhelmed: 1000 active against 100 police, overwhelm ratio 5, morale
 * falling at 0.1 per hour to 0.1. A_r / C_r passes collapse_ratio 20 when C_r = 50,
 * morale 0.5, 5 h after the fall began; collapse is declared collapse_hours = 10 h
 * later. The police leave at the floor, 9 h after the fall began. */
static void test_regime_collapse(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 200.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 50.0;
	p.regions[0].police = 100.0;
	p.security.overwhelm_ratio = 5.0;
	p.security.morale_fall_rate = 0.1;
	p.security.morale_min = 0.1;
	p.outcomes.collapse_ratio = 20.0;
	p.outcomes.collapse_h = 10.0;
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary s = fixture_run(&p, 4, rec, NULL);
	assert_int_equal(rec->event_count[UR_MEV_POLICE_LEFT], 1);
	assert_int_equal(rec->event_count[UR_MEV_REGIME_COLLAPSE], 1);
	double left = (double)NAN, collapse = (double)NAN;
	for (size_t i = 0; i < rec->events; ++i) {
		if (rec->event[i].kind == UR_MEV_POLICE_LEFT)
			left = rec->event[i].hour;
		if (rec->event[i].kind == UR_MEV_REGIME_COLLAPSE)
			collapse = rec->event[i].hour;
	}
	double began = left - 9.0;
	assert_true(began > 0.0 && began < 0.1);
	assert_near(collapse, began + 15.0, 1e-9);
	assert_int_equal(s.outcome, UR_OUTCOME_REGIME_COLLAPSE);
	free(rec);
}

/* ---- stat ------------------------------------------------------------------------ */

/* The smallest fixed point of a = F(a), F the CDF of N(mean, sd): iterating from 0
 * climbs monotonically to it. */
static double granovetter_fixed_point(double mean, double sd)
{
	double a = 0.0;
	for (int i = 0; i < 1000000; ++i) {
		double b = gsl_cdf_gaussian_P(a - mean, sd);
		if (fabs(b - a) < 1e-14)
			return b;
		a = b;
	}
	fail_msg("no fixed point for sd %g", sd);
	return (double)NAN;
}

/* w_g = w_n = 0, w_s = 1, mu = 0: U = a_r - theta. Starting from nobody, the active
 * share climbs to the smallest fixed point of the thresholds' empirical CDF, which
 * differs from F's by O(1/N) (stratified thresholds). With mean 0.25 the jump lies
 * between sd 0.120 (a* = 0.040) and 0.125 (a* = 1.000); three sd on each side. The
 * slowest (sd 0.115, F'(a*) = 0.52) approaches at rate (1 - F') lambda = 0.48 per hour:
 * 40 h leave a distance of e^-19 of the way. */
static void test_granovetter(void **state)
{
	(void)state;
	const double mean = 0.25;
	const double sds[] = {0.08, 0.10, 0.115, 0.14, 0.3, 0.5};
	for (size_t i = 0; i < sizeof sds / sizeof sds[0]; ++i) {
		struct ur_params p;
		fixture_params(&p, 20000, 40.0);
		p.agents.w_g = 0.0;
		p.agents.w_n = 0.0;
		p.agents.w_s = 1.0;
		p.agents.threshold = fixture_normal(mean, sds[i]);
		p.agents.stratified = true;
		struct fixture_record *rec = fixture_record_new();
		fixture_run(&p, 100 + i, rec, NULL);
		double share = rec->last.active / 20000.0;
		double expected = granovetter_fixed_point(mean, sds[i]);
		print_message("granovetter sd %.3f: share %.5f, fixed point %.5f\n", sds[i], share,
			      expected);
		assert_near(share, expected, 0.01);
		free(rec);
	}
}

/* Epstein: G = (1 - L) h with h ~ U(0, 1), theta = T, no police (P = 0): active iff
 * h >= T / (1 - L), a share 1 - T / (1 - L) (0.625 for L = 0.2, T = 0.3), binomial
 * across 10^5 agents (sd 0.0015; the tolerance 0.01 is 6 sd). With L >= 1 - T nobody
 * is ever active, whatever the police. */
static void test_epstein(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 100000, 12.0);
	p.agents.hardship = fixture_uniform(0.0, 1.0);
	p.agents.threshold = fixture_constant(0.3);
	p.agents.risk_aversion = fixture_uniform(0.0, 1.0);
	p.agents.legitimacy0 = 0.2;
	struct fixture_record *rec = fixture_record_new();
	fixture_run(&p, 7, rec, NULL);
	double share = rec->last.active / 100000.0;
	print_message("epstein L 0.2 T 0.3: share %.5f, expected 0.625\n", share);
	assert_near(share, 1.0 - 0.3 / 0.8, 0.01);
	free(rec);

	const double legitimacy[] = {0.7, 0.9};
	const double police[] = {0.0, 1000.0};
	for (size_t i = 0; i < 2; ++i) {
		fixture_params(&p, 20000, 12.0);
		p.agents.hardship = fixture_uniform(0.0, 1.0);
		p.agents.threshold = fixture_constant(0.3);
		p.agents.risk_aversion = fixture_uniform(0.0, 1.0);
		p.agents.legitimacy0 = legitimacy[i];
		p.regions[0].police = police[i];
		/* Every person instantiated: many decisions, nobody active. */
		struct ur_model_options all = {.instantiate_all = true};
		rec = fixture_record_new();
		struct ur_model_summary s = fixture_run(&p, 8, rec, &all);
		assert_near(s.peak_active, 0.0, 0.0);
		assert_true(s.decisions > 100000);
		free(rec);
		/* With the bound of who can act: at L = 0.9 nobody can (G <= 0.1 < 0.3), so
		 * nobody is made; at L = 0.7, G reaches 0.3 = theta at h = 1, so everyone is
		 * a candidate (the bound keeps those at the edge) and nobody acts. */
		struct ur_model *m = ur_model_create(&p, 8, NULL, NULL);
		assert_non_null(m);
		assert_int_equal(ur_model_agents(m), i == 0 ? 20000 : 0);
		ur_model_destroy(m);
	}
}

/* Every agent reconsiders at lambda = 2 per hour: over T = 50 h its count is
 * Poisson(100). The total over 2000 agents is within 3 sd (sqrt(2 10^5) = 447) of
 * 2 10^5, and sum (c_i - 100)^2 / 100 is chi-square with 2000 degrees of freedom:
 * its p-value must lie in (0.001, 0.999). A region whose reconsider multiplier is 0.5
 * gets half the rate (the thinned stream), within 3 sd as well. */
static void check_counts(const uint32_t *counts, size_t first, size_t n, double mean,
			 const char *what)
{
	double total = 0.0, chi2 = 0.0;
	for (size_t i = first; i < first + n; ++i) {
		total += counts[i];
		chi2 += ((double)counts[i] - mean) * ((double)counts[i] - mean) / mean;
	}
	double expected = mean * (double)n;
	double q = gsl_cdf_chisq_Q(chi2, (double)n);
	print_message("%s: %.0f decisions (expected %.0f), chi2 %.1f on %zu, p %.3f\n", what,
		      total, expected, chi2, n, q);
	assert_near(total, expected, 3.0 * sqrt(expected));
	assert_true(q > 0.001 && q < 0.999);
}

static void test_superposition(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 2000, 50.0);
	p.agents.reconsider_rate = 2.0;
	struct ur_model_options opt = {.count_decisions = true};
	struct ur_model *m = ur_model_create(&p, 21, NULL, &opt);
	assert_non_null(m);
	assert_int_equal(ur_model_run(m), UR_MODEL_OK);
	check_counts(ur_model_decision_counts(m), 0, 2000, 100.0, "one region");
	ur_model_destroy(m);

	fixture_add_region(&p, "slow", 3000, 51.169, 71.449);
	m = ur_model_create(&p, 22, NULL, &opt);
	assert_non_null(m);
	model_set_emergency(m, 1, true, 1.0, 0.5);
	assert_int_equal(ur_model_run(m), UR_MODEL_OK);
	check_counts(ur_model_decision_counts(m), 0, 2000, 100.0, "region at multiplier 1");
	check_counts(ur_model_decision_counts(m), 2000, 3000, 50.0, "region at multiplier 0.5");
	ur_model_destroy(m);
}

/* Everyone active (threshold -1, lambda 20 per hour), detention 0.01 h: at each hourly
 * sweep all 1000 agents are active (one released at the previous sweep is inactive at
 * the next with probability e^-19.8), so 200 sweeps give Binomial(2 10^5, p) arrests.
 * With 10^6 police (1000 per protester) the chance is the full probability 0.05: mean
 * 10^4, sd 97.5. With 100 police and capacity_ratio 1 it is 0.05 (1 - e^-0.1) =
 * 0.0047581: mean 951.6, sd 30.8. With capacity_ratio 0 the agents' k = 2.3 sets it:
 * 0.05 (1 - e^-0.23) = 0.0102725, mean 2054.5, sd 45.1. Exponential detention of
 * mean 2 h, full probability: the share held settles at p E / (1 + p E) = 1/11 of the
 * agents (Little's law with arrests of active agents only); its time average over 200
 * hourly samples, whose correlation time is about 2 h, has a standard error of about
 * 1.3 agents (tolerance 6). */
static void test_arrests(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 200.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 20.0;
	p.arrests.probability = 0.05;
	p.arrests.detention_h = fixture_constant(0.01);
	p.regions[0].police = 1e6;
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary s = fixture_run(&p, 31, rec, NULL);
	print_message("arrests: %.0f (expected 10000 +- 97.5)\n", s.detained);
	assert_near(s.detained, 10000.0, 3.0 * 97.5);
	assert_near(rec->event_value_sum[UR_MEV_ARRESTS], s.detained, 0.0);
	free(rec);

	p.regions[0].police = 100.0;
	p.arrests.capacity_ratio = 1.0;
	rec = fixture_record_new();
	s = fixture_run(&p, 32, rec, NULL);
	double q = 0.05 * -expm1(-0.1);
	print_message("arrests at 0.1 police per protester: %.0f (expected %.1f +- %.1f)\n",
		      s.detained, 2e5 * q, sqrt(2e5 * q * (1.0 - q)));
	assert_near(s.detained, 2e5 * q, 3.0 * sqrt(2e5 * q * (1.0 - q)));
	free(rec);

	p.arrests.capacity_ratio = 0.0;
	rec = fixture_record_new();
	s = fixture_run(&p, 34, rec, NULL);
	q = 0.05 * -expm1(-2.3 * 0.1);
	print_message("arrests at Epstein's k: %.0f (expected %.1f +- %.1f)\n", s.detained,
		      2e5 * q, sqrt(2e5 * q * (1.0 - q)));
	assert_near(s.detained, 2e5 * q, 3.0 * sqrt(2e5 * q * (1.0 - q)));
	free(rec);

	p.regions[0].police = 1e6;
	p.arrests.detention_h = fixture_exponential(2.0);
	struct ur_model *m = ur_model_create(&p, 33, NULL, NULL);
	assert_non_null(m);
	double held = 0.0;
	int n = 0;
	for (int h = 11; h <= 200; ++h) {
		assert_int_equal(ur_model_run_until(m, h - 0.5), UR_MODEL_OK);
		struct ur_national_row row;
		ur_model_snapshot(m, &row, NULL);
		held += row.held;
		n++;
	}
	held /= n;
	print_message("held: %.2f (expected %.2f)\n", held, 1000.0 / 11.0);
	assert_near(held, 1000.0 / 11.0, 6.0);
	ur_model_destroy(m);
}

/* No security, no arrests: everyone active for 30 hours at the largest probability,
 * with either form of the chance, detains nobody (with police = 0 and capacity_ratio
 * 0, 22,752 of 200,000 persons were detained in 30 hours before the chance depended
 * on the security present). In two regions, one policed and one not, the arrests
 * reported are all in the policed one. */
static void test_arrests_need_security(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 20000, 30.0);
	p.scenario.agent_scale = 10.0;
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 20.0;
	p.arrests.probability = 1.0;
	p.arrests.interval_h = 1.0 / 3600.0;
	p.scenario.max_events = 1000000000;
	for (int form = 0; form < 2; ++form) {
		p.arrests.capacity_ratio = form == 0 ? 0.0 : 10.0;
		struct fixture_record *rec = fixture_record_new();
		struct ur_model_summary s = fixture_run(&p, 35 + (uint64_t)form, rec, NULL);
		print_message("no police, capacity_ratio %g: %.0f detained, peak %.0f\n",
			      p.arrests.capacity_ratio, s.detained, s.peak_active);
		assert_true(s.peak_active == 20000.0);
		assert_true(s.detained == 0.0);
		assert_int_equal(rec->event_count[UR_MEV_ARRESTS], 0);
		free(rec);
	}
	p.arrests.interval_h = 1.0;
	p.arrests.probability = 0.05;
	p.arrests.capacity_ratio = 0.0;
	fixture_add_region(&p, "r1", 20000, 43.0, 76.0);
	p.regions[1].police = 500.0;
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary s = fixture_run(&p, 37, rec, NULL);
	size_t arrests = 0;
	for (size_t i = 0; i < rec->events && i < FIXTURE_MAX_EVENTS; ++i)
		if (rec->event[i].kind == UR_MEV_ARRESTS) {
			assert_int_equal(rec->event[i].region, 1);
			arrests++;
		}
	print_message("policed region only: %.0f detained in %zu sweeps\n", s.detained, arrests);
	assert_true(arrests > 0 && s.detained > 0.0);
	free(rec);
}

/* Demobilization by fatigue, against its closed form. One region, no police, no
 * government, no social term: every agent has margin u = -theta > 0 (G = 0, no risk)
 * and U = u - phi H, H its hours active. It joins at its first pick T1 ~ Exp(lambda),
 * stays while U >= 0, and leaves at its first pick after D = u / phi hours active,
 * T1 + D + T2 with T2 ~ Exp(lambda) by memorylessness; then U < 0 for good. So the
 * active share is
 *   a(t) = (1 - e^-lambda t) - E_D[ G2(t - D) ],  G2(s) = 1 - e^-lambda s (1 + lambda s)
 * for s > 0 (0 below), the Gamma(2, lambda) distribution function of T1 + T2.
 * For u ~ U(0, umax), D ~ U(0, dmax) with dmax = umax / phi, and
 *   E_D[G2(t - D)] = (I(t) - I(t - min(t, dmax))) / dmax,
 *   I(s) = s + e^-lambda s (2 + lambda s) / lambda  (an antiderivative of G2, s >= 0).
 * Agents are independent, so the share at any t is Binomial(n, a(t)) / n, sd
 * sqrt(a (1 - a) / n). Checked at every hour within 4 sd, and the half-life (from the
 * peak to half the peak) within 4 standard errors of the crossing time, which the
 * delta method gives as sqrt(var a(t_half) + var a_peak / 4) / |a'(t_half)|, plus the
 * 0.02 h grid of the measurement. */
struct fatigue_case {
	double lambda, phi, umin, umax; /* umin = umax: every margin the same */
};

static double gamma2_cdf(double lambda, double s)
{
	return s > 0.0 ? 1.0 - exp(-lambda * s) * (1.0 + lambda * s) : 0.0;
}

static double gamma2_integral(double lambda, double s) /* I(s) - I(0) */
{
	if (!(s > 0.0))
		return 0.0;
	return s + exp(-lambda * s) * (2.0 + lambda * s) / lambda - 2.0 / lambda;
}

static double fatigue_share(const struct fatigue_case *c, double t)
{
	double joined = 1.0 - exp(-c->lambda * t);
	if (c->umin == c->umax)
		return joined - gamma2_cdf(c->lambda, t - c->umax / c->phi);
	double dmax = c->umax / c->phi; /* umin = 0 */
	double lo = t - (t < dmax ? t : dmax);
	return joined - (gamma2_integral(c->lambda, t) - gamma2_integral(c->lambda, lo)) / dmax;
}

/* The peak (golden-section search on [0, tmax]) and the half-life after it. */
static void fatigue_peak(const struct fatigue_case *c, double tmax, double *t_peak,
			 double *a_peak, double *t_half)
{
	double lo = 0.0, hi = tmax, g = (sqrt(5.0) - 1.0) / 2.0;
	for (int i = 0; i < 200; ++i) {
		double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
		if (fatigue_share(c, x1) < fatigue_share(c, x2))
			lo = x1;
		else
			hi = x2;
	}
	*t_peak = (lo + hi) / 2.0;
	*a_peak = fatigue_share(c, *t_peak);
	lo = *t_peak;
	hi = tmax;
	for (int i = 0; i < 200; ++i) {
		double mid = (lo + hi) / 2.0;
		if (fatigue_share(c, mid) > *a_peak / 2.0)
			lo = mid;
		else
			hi = mid;
	}
	*t_half = (lo + hi) / 2.0;
}

static void check_fatigue(const struct fatigue_case *c, uint64_t seed)
{
	const int64_t n = 20000;
	const double horizon = 60.0, step = 0.02;
	struct ur_params p;
	fixture_params(&p, n, horizon);
	p.agents.reconsider_rate = c->lambda;
	p.agents.fatigue = c->phi;
	p.agents.threshold = c->umin == c->umax ? fixture_constant(-c->umax)
						 : fixture_uniform(-c->umax, -c->umin);
	struct ur_model *m = ur_model_create(&p, seed, NULL, NULL);
	assert_non_null(m);
	double t_peak, a_peak, t_half;
	fatigue_peak(c, horizon, &t_peak, &a_peak, &t_half);
	double worst = 0.0, best_share = 0.0, best_t = 0.0, half_meas = (double)NAN;
	int steps = (int)lround(horizon / step);
	for (int i = 1; i <= steps; ++i) {
		double t = i * step;
		assert_int_equal(ur_model_run_until(m, t), UR_MODEL_OK);
		struct ur_national_row row;
		ur_model_snapshot(m, &row, NULL);
		double share = row.active / (double)n;
		if (share > best_share) {
			best_share = share;
			best_t = t;
		}
		if (isnan(half_meas) && t > best_t && best_share > 0.1 && share <= best_share / 2.0)
			half_meas = t;
		if (i % 50 == 0) { /* every hour */
			double a = fatigue_share(c, t);
			double var = (double)n * a * (1.0 - a);
			if (var >= 10.0) { /* the normal approximation of the binomial */
				double z = fabs(row.active - (double)n * a) / sqrt(var);
				if (z > worst)
					worst = z;
				if (z > 4.0)
					fail_msg("fatigue: share %.5f at %g h, closed form %.5f "
						 "(sd %.5f)", share, t, a, sqrt(var) / (double)n);
			} else if (row.active > 0.0 && a < 0.5 && /* a tail: Poisson's */
				   gsl_cdf_poisson_Q((unsigned)row.active - 1u, (double)n * a) < 1e-4) {
				fail_msg("fatigue: %.0f active at %g h, closed form %.3g expected",
					 row.active, t, (double)n * a);
			}
		}
	}
	ur_model_destroy(m);
	double h = 1e-4;
	double slope = (fatigue_share(c, t_half + h) - fatigue_share(c, t_half - h)) / (2.0 * h);
	double ah = fatigue_share(c, t_half);
	double se = sqrt(ah * (1.0 - ah) / (double)n + a_peak * (1.0 - a_peak) / (4.0 * (double)n)) /
		    fabs(slope);
	print_message("fatigue lambda %g phi %g u in [%g, %g]: peak %.4f at %.2f h (measured "
		      "%.4f at %.2f h); half-life %.3f h after the peak, measured %.3f h (se %.3f "
		      "h); largest |z| over the hours %.2f\n",
		      c->lambda, c->phi, c->umin, c->umax, a_peak, t_peak, best_share, best_t,
		      t_half - t_peak, half_meas - t_peak, se, worst);
	assert_false(isnan(half_meas));
	assert_near(half_meas, t_half, 4.0 * se + step);
	assert_true(best_share > 2.0 * fatigue_share(c, horizon)); /* it decays */
}

static void test_fatigue(void **state)
{
	(void)state;
	const struct fatigue_case same = {.lambda = 0.5, .phi = 0.05, .umin = 0.5, .umax = 0.5};
	check_fatigue(&same, 81);
	const struct fatigue_case spread = {.lambda = 0.5, .phi = 0.05, .umin = 0.0, .umax = 1.0};
	check_fatigue(&spread, 82);
}

/* The example (docs/model.md, "The example"): two regions of n persons, person level,
 * no state, no social weight (w_s = 0), the cost of acting before protest is seen
 * e0 = 0.9 with s_e = 0.25, mu = 0.5. Region 0's grievance is 1 (threshold 0): its
 * persons act at their first pick whatever the example (U >= 1 - e0 > 0), so its share
 * is a0(t) = 1 - exp(-lambda t). Region 1's grievance is u = e0/e: its persons act
 * iff e0 exp(-S_1/s_e) <= u, i.e. S_1 >= s_e, S_1 = (1 - mu) a1 + mu a0. Nobody there
 * acts before mu a0(t) reaches s_e, at t* = -ln(1 - s_e/mu)/lambda = ln 2/lambda, and
 * from then on each of its persons joins at its next pick (S_1 only grows):
 * a1(t) = 1 - exp(-lambda (t - t*)), half of them by t* + ln 2/lambda. Without the
 * example (e0 = 0) region 1 would start at hour 0 and be half out by ln 2/lambda.
 * Tolerance: a0's and a1's binomial sd at a half, sqrt(1/(4n)), over the slope
 * lambda/2 of each crossing: 4 sd of both together, plus the sampling step. */
static void test_example_spread(void **state)
{
	(void)state;
	const int64_t n = 20000;
	const double lambda = 0.5, e0 = 0.9, se = 0.25, mu = 0.5, step = 0.02;
	struct ur_params p;
	fixture_params(&p, n, 8.0);
	fixture_add_region(&p, "r1", n, 44.0, 77.5);
	p.agents.hardship = fixture_constant(1.0);
	p.agents.threshold = fixture_constant(0.0);
	p.agents.w_n = 0.0;
	p.agents.reconsider_rate = lambda;
	p.agents.example_cost = e0;
	p.agents.example_share = se;
	p.network.mu = mu;
	p.regions[0].hardship = 1.0;
	p.regions[1].hardship = e0 / exp(1.0);
	struct ur_model *m = ur_model_create(&p, 4242, NULL, NULL);
	assert_non_null(m);
	assert_int_equal((int)ur_model_agents(m), (int)(2 * n));
	double t_star = -log(1.0 - se / mu) / lambda;
	double half0 = (double)NAN, half1 = (double)NAN, first1 = (double)NAN;
	int steps = (int)lround(8.0 / step);
	for (int i = 1; i <= steps; ++i) {
		double t = i * step;
		assert_int_equal(ur_model_run_until(m, t), UR_MODEL_OK);
		double a0 = (double)m->region[0].active / (double)n;
		double a1 = (double)m->region[1].active / (double)n;
		if (isnan(first1) && a1 > 0.0)
			first1 = t;
		if (isnan(half0) && a0 >= 0.5)
			half0 = t;
		if (isnan(half1) && a1 >= 0.5)
			half1 = t;
	}
	ur_model_destroy(m);
	double sd = sqrt(0.25 / (double)n) / (lambda / 2.0);
	double tol = 4.0 * sqrt(2.0) * sd + step;
	print_message("example: region 0 half out at %.3f h (closed form %.3f), region 1's "
		      "first at %.3f h (t* %.3f), half out at %.3f h (closed form %.3f, "
		      "tolerance %.3f h)\n",
		      half0, log(2.0) / lambda, first1, t_star, half1, t_star + log(2.0) / lambda,
		      tol);
	assert_near(half0, log(2.0) / lambda, 4.0 * sd + step);
	assert_false(isnan(first1));
	assert_near(first1, t_star, tol);
	assert_near(half1, t_star + log(2.0) / lambda, tol);
}

/* Who can act. One region of n = 200,000 at person level, no government, no social
 * term: U <= h - theta (w_g = 1, L = 0, eta = 1, h ~ U(0, 1), no politicization, risk
 * >= 0), so a person can ever act iff theta <= h (+ the slack s the model adds) and,
 * with theta ~ N(0.7, 0.2) independent of h, the instantiated count is Binomial(n, p)
 * with
 *   p = int_0^1 Phi((h + s - 0.7) / 0.2) dh = 0.2 [z Phi(z) + phi(z)] from
 *       z = (-0.7 + s) / 0.2 to (0.3 + s) / 0.2            (about 0.3058)
 * Each of 20 seeds within 4 sd, and their mean within 4 sd / sqrt(20). And every
 * instantiated person is one who can act: theta <= h + s. */
static double able_mass(double z)
{
	return z * gsl_cdf_ugaussian_P(z) + gsl_ran_ugaussian_pdf(z);
}

static void test_able_count(void **state)
{
	(void)state;
	const int64_t n = 200000;
	struct ur_params p;
	fixture_params(&p, n, 1.0);
	p.agents.hardship = fixture_uniform(0.0, 1.0);
	p.agents.risk_aversion = fixture_uniform(0.0, 1.0);
	p.agents.threshold = fixture_normal(0.7, 0.2);
	double sl = MODEL_ABLE_SLACK;
	double q = 0.2 * (able_mass((0.3 + sl) / 0.2) - able_mass((-0.7 + sl) / 0.2));
	double sd = sqrt((double)n * q * (1.0 - q));
	double sum = 0.0;
	const int seeds = 20;
	for (int k = 0; k < seeds; ++k) {
		struct ur_model *m = ur_model_create(&p, 900 + (uint64_t)k, NULL, NULL);
		assert_non_null(m);
		double count = (double)ur_model_agents(m);
		assert_near(count, (double)n * q, 4.0 * sd);
		sum += count;
		if (k == 0)
			for (size_t i = 0; i < ur_model_agents(m); ++i)
				if (!((double)m->attr[i].theta <= (double)m->attr[i].h + sl + 1e-6))
					fail_msg("agent %zu cannot act: theta %g, h %g", i,
						 (double)m->attr[i].theta, (double)m->attr[i].h);
		ur_model_destroy(m);
	}
	print_message("able: %.1f persons instantiated on average of %" PRId64 " (expected "
		      "%.1f, sd of the mean %.1f)\n",
		      sum / seeds, n, (double)n * q, sd / sqrt((double)seeds));
	assert_near(sum / seeds, (double)n * q, 4.0 * sd / sqrt((double)seeds));
}

/* Two-sample Kolmogorov-Smirnov: the statistic and its asymptotic p-value (ties make
 * it conservative). */
static double ks2_pvalue(double *x, size_t nx, double *y, size_t ny, double *stat)
{
	gsl_sort(x, 1, nx);
	gsl_sort(y, 1, ny);
	size_t i = 0, j = 0;
	double d = 0.0;
	while (i < nx && j < ny) {
		double v = x[i] < y[j] ? x[i] : y[j];
		while (i < nx && x[i] == v)
			i++;
		while (j < ny && y[j] == v)
			j++;
		double diff = fabs((double)i / (double)nx - (double)j / (double)ny);
		if (diff > d)
			d = diff;
	}
	*stat = d;
	double ne = (double)nx * (double)ny / (double)(nx + ny);
	double z = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * d;
	double sum = 0.0;
	for (int k = 1; k <= 100; ++k)
		sum += (k % 2 ? 2.0 : -2.0) * exp(-2.0 * k * k * z * z);
	return sum < 0.0 ? 0.0 : sum > 1.0 ? 1.0 : sum;
}

/* The bound changes no outcome's law: a small region with a social cascade, police,
 * arrests and deaths, 200 replications with the bound of who can act and 200 with
 * every person instantiated (independent seeds): two-sample KS p > 0.01 for the peak,
 * its hour, the detained and the killed. The bound starts at a signal of 0 and is
 * raised as the cascade grows (in most runs: asserted); about 140 of the 4000 persons
 * are made. A raise that made too few (tested by making none) fails the KS tests. */
static void test_able_law(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 4000, 48.0);
	p.agents.hardship = fixture_uniform(0.0, 1.0);
	p.agents.risk_aversion = fixture_uniform(0.0, 1.0);
	p.agents.threshold = fixture_normal(1.0, 0.3);
	p.agents.w_s = 0.6;
	p.agents.legitimacy0 = 0.3;
	p.agents.reconsider_rate = 0.5;
	p.regions[0].police = 4.0;
	p.arrests.probability = 0.1;
	p.arrests.detention_h = fixture_exponential(12.0);
	p.casualties.base_rate = 5.0;
	p.casualties.injury_ratio = fixture_constant(2.0);
	enum { REPS = 200, OUTS = 4 };
	static double out[2][OUTS][REPS];
	double made[2] = {0.0, 0.0};
	int raised = 0;
	for (int all = 0; all < 2; ++all) {
		struct ur_model_options opt = {.instantiate_all = all != 0};
		for (int k = 0; k < REPS; ++k) {
			struct ur_model *m = ur_model_create(&p, (all ? 5000u : 1000u) + (uint64_t)k,
							     NULL, &opt);
			assert_non_null(m);
			size_t start = ur_model_agents(m);
			assert_int_equal(ur_model_run(m), UR_MODEL_OK);
			made[all] += (double)ur_model_agents(m) / REPS;
			raised += ur_model_agents(m) > start;
			struct ur_model_summary s;
			ur_model_summary(m, &s);
			out[all][0][k] = s.peak_active;
			out[all][1][k] = s.peak_hour;
			out[all][2][k] = s.detained;
			out[all][3][k] = s.killed;
			ur_model_destroy(m);
		}
	}
	const char *names[OUTS] = {"peak_active", "peak_hour", "detained", "killed"};
	for (int o = 0; o < OUTS; ++o) {
		double mean[2] = {0.0, 0.0};
		for (int all = 0; all < 2; ++all)
			for (int k = 0; k < REPS; ++k)
				mean[all] += out[all][o][k] / REPS;
		double d, pv = ks2_pvalue(out[0][o], REPS, out[1][o], REPS, &d);
		print_message("able law %s: bound mean %.1f, all %.1f, KS D %.3f p %.3f\n",
			      names[o], mean[0], mean[1], d, pv);
		assert_true(pv > 0.01);
	}
	print_message("able law: %.0f of 4000 persons made with the bound, raised during %d "
		      "of %d runs\n", made[0], raised, REPS);
	assert_true(made[0] < 0.25 * made[1]);
	assert_true(raised > REPS / 2);
}

/* A lognormal threshold law of the reference's kind over a larger pool: grievance,
 * a strong social term and a cross-region signal, in two regions of 30,000 adults
 * each; most adults can never act (their thresholds lie beyond any utility), so the
 * counts' bound (share_bound_counts) and the persons' bound both bite. With the bound
 * and with everyone made, 200 replications each (independent seeds): KS p > 0.01 for
 * the peak, its hour, the detained and the killed, and fewer than a tenth made. */
static struct ur_params lognormal_pool_params(int64_t adults)
{
	struct ur_params p;
	fixture_params(&p, adults, 96.0);
	fixture_add_region(&p, "r1", adults, 44.0, 77.5);
	p.agents.hardship = fixture_uniform(0.0, 1.0);
	p.agents.risk_aversion = fixture_uniform(0.0, 1.0);
	p.agents.grievance = fixture_uniform(0.0, 1.0);
	struct ur_dist theta = ur_dist_make(UR_DIST_LOGNORMAL);
	theta.median = (double)NAN;
	theta.mu = log(9.0);
	theta.sigma = 1.2;
	struct ur_dist_error err;
	if (ur_dist_validate(&theta, &err) != 0)
		fail_msg("lognormal threshold invalid: %s %s", err.param, err.message);
	p.agents.threshold = theta;
	p.agents.w_s = 8.0;
	p.agents.w_n = 0.3;
	p.agents.politicization0 = 0.45;
	p.agents.legitimacy0 = 0.5;
	p.agents.reconsider_rate = 0.2;
	p.agents.fatigue = 0.005;
	p.network.mu = 0.4;
	p.regions[1].political = 1.5;
	p.regions[0].police = 0.002 * (double)adults;
	p.regions[1].police = 0.002 * (double)adults;
	p.arrests.probability = 0.05;
	p.arrests.detention_h = fixture_exponential(12.0);
	p.casualties.base_rate = 2.0;
	p.casualties.injury_ratio = fixture_constant(2.0);
	return p;
}

enum { LAW_REPS = 200, LAW_OUTS = 4 };

/* Runs LAW_REPS replications from seed `first` with the options, into out[o][k]: peak,
 * peak hour, detained, killed. Returns the mean number of agents made by the end of
 * the run; *raised (may be NULL) counts the replications that made agents during the
 * run (the bound of who can act raised). */
static double law_batch(const struct ur_params *p, uint64_t first,
			const struct ur_model_options *opt, double out[LAW_OUTS][LAW_REPS],
			int *raised)
{
	double made = 0.0;
	if (raised != NULL)
		*raised = 0;
	for (int k = 0; k < LAW_REPS; ++k) {
		struct ur_model *m = ur_model_create(p, first + (uint64_t)k, NULL, opt);
		assert_non_null(m);
		size_t start = ur_model_agents(m);
		assert_int_equal(ur_model_run(m), UR_MODEL_OK);
		made += (double)ur_model_agents(m) / LAW_REPS;
		if (raised != NULL && ur_model_agents(m) > start)
			++*raised;
		struct ur_model_summary s;
		ur_model_summary(m, &s);
		out[0][k] = s.peak_active;
		out[1][k] = s.peak_hour;
		out[2][k] = s.detained;
		out[3][k] = s.killed;
		ur_model_destroy(m);
	}
	return made;
}

static void law_compare(const char *what, double a[LAW_OUTS][LAW_REPS],
			double b[LAW_OUTS][LAW_REPS])
{
	const char *names[LAW_OUTS] = {"peak_active", "peak_hour", "detained", "killed"};
	for (int o = 0; o < LAW_OUTS; ++o) {
		double mean[2] = {0.0, 0.0};
		for (int k = 0; k < LAW_REPS; ++k) {
			mean[0] += a[o][k] / LAW_REPS;
			mean[1] += b[o][k] / LAW_REPS;
		}
		double d, pv = ks2_pvalue(a[o], LAW_REPS, b[o], LAW_REPS, &d);
		print_message("%s %s: means %.1f and %.1f, KS D %.3f p %.3f\n", what, names[o],
			      mean[0], mean[1], d, pv);
		assert_true(pv > 0.01);
	}
}

/* The pool's law with the bound against everyone made (seeds from `first` and
 * `first_all`), into out; asserts that fewer than a tenth are made and that most runs
 * raised the bound (the law holds where it was raised during the run). Besides the KS
 * test of each output, the two means must agree within 4 standard errors of their
 * difference, sqrt(s_a^2 + s_b^2) / sqrt(n) (the two laws are the same, so a larger
 * gap has probability 6e-5 by chance), and the protest must be one: a mean peak of at
 * least `min_peak` persons (a law that made no one able to act would pass the KS
 * tests with two columns of zeros). */
static void pool_law_check(const char *what, const struct ur_params *p, uint64_t first,
			   uint64_t first_all, double min_peak,
			   double out[2][LAW_OUTS][LAW_REPS])
{
	struct ur_model_options bound = {0}, all = {.instantiate_all = true};
	int raised;
	double made = law_batch(p, first, &bound, out[0], &raised);
	double everyone = law_batch(p, first_all, &all, out[1], NULL);
	law_compare(what, out[0], out[1]);
	const char *names[LAW_OUTS] = {"peak_active", "peak_hour", "detained", "killed"};
	for (int o = 0; o < LAW_OUTS; ++o) {
		double mean[2], var[2];
		for (int b = 0; b < 2; ++b) {
			mean[b] = gsl_stats_mean(out[b][o], 1, LAW_REPS);
			var[b] = gsl_stats_variance_m(out[b][o], 1, LAW_REPS, mean[b]);
		}
		double se = sqrt((var[0] + var[1]) / LAW_REPS);
		print_message("%s %s: mean difference %.2f, se %.2f\n", what, names[o],
			      mean[0] - mean[1], se);
		assert_true(fabs(mean[0] - mean[1]) <= 4.0 * se);
		if (o == 0) {
			print_message("%s: mean peak %.0f and %.0f, at least %.0f asked\n", what,
				      mean[0], mean[1], min_peak);
			assert_true(mean[0] >= min_peak && mean[1] >= min_peak);
		}
	}
	print_message("%s: %.0f of %.0f persons made with the bound; %d of %d runs "
		      "raised it\n", what, made, everyone, raised, LAW_REPS);
	assert_true(made < 0.1 * everyone);
	assert_true(raised > LAW_REPS / 2);
}

/* The least mean peak the pool's cascade is held to, about half of what it gives
 * (measured, seed 2000 / 7000: 491 and 490 persons, the mean's se about 3; with the
 * example's cost, seeds 21000 / 26000: 482 and 484): a bound that a law making too few
 * persons able to act, or none, would fail. */
#define ADULTS_MIN_PEAK 250.0
#define EXAMPLE_MIN_PEAK 250.0

static void test_able_law_adults(void **state)
{
	(void)state;
	struct ur_params p = lognormal_pool_params(30000);
	static double out[2][LAW_OUTS][LAW_REPS];
	pool_law_check("adults law", &p, 2000, 7000, ADULTS_MIN_PEAK, out);
}

/* The law of who can act with the example's cost (agents.example_cost): the cost
 * falls as the signal rises, so a person's share is where v0 + w_s B - e0 exp(-B/s_e)
 * reaches its threshold (able_share, by Lambert's W), not where v0 - e0 + w_s B does.
 * The pool of test_able_law_adults with the reference's e0 = 0.45 and s_e = 0.001:
 * with the bound and with everyone made, 200 replications each, KS p > 0.01 for the
 * peak, its hour, the detained and the killed. With the cost's full value kept in the
 * cutoffs (the persons whom the falling cost lets act are made too late) the peak is
 * told apart. */
static void test_able_law_example(void **state)
{
	(void)state;
	struct ur_params p = lognormal_pool_params(30000);
	p.agents.example_cost = 0.45;
	p.agents.example_share = 0.001;
	static double out[2][LAW_OUTS][LAW_REPS];
	pool_law_check("example law", &p, 21000, 26000, EXAMPLE_MIN_PEAK, out);
}

/* Scale convergence on a small scenario of the reference's mechanics (the two regions
 * of 30,000 adults of test_able_law_adults: lognormal thresholds, a strong social term
 * and a cross-region signal, politicization, police, arrests, deaths, fatigue): at 2
 * persons per agent, 200 replications against 200 at person level (independent
 * seeds): two-sample KS p > 0.01 for the peak, its hour, the detained and the killed.
 * Coarser agents are not exact (each is agent_scale persons who decide together, which
 * multiplies the variance of every count); the test holds that at 2 the difference is
 * below what 200 replications resolve (measured: p 0.062, 0.020, 0.256, 0.527), while
 * at 10 persons per agent the peak is told apart (KS D 0.385). This scenario's peak is
 * about 500 persons, a hundred agents at 5 persons per agent, the reference's default,
 * where its peak is told apart too (KS D 0.255): the reference's peak is a hundred
 * times larger, and there 5 is not told apart from person level (docs/model.md,
 * "Scale convergence"). */
static void test_scale_convergence(void **state)
{
	(void)state;
	struct ur_params p = lognormal_pool_params(30000);
	static double out[3][LAW_OUTS][LAW_REPS];
	struct ur_model_options opt = {0};
	law_batch(&p, 11000, &opt, out[0], NULL);
	p.scenario.agent_scale = 2.0;
	law_batch(&p, 12000, &opt, out[1], NULL);
	law_compare("scale 2 against 1", out[1], out[0]);
	p.scenario.agent_scale = 10.0;
	law_batch(&p, 13000, &opt, out[2], NULL);
	const char *names[LAW_OUTS] = {"peak_active", "peak_hour", "detained", "killed"};
	double d10[LAW_OUTS];
	for (int o = 0; o < LAW_OUTS; ++o) {
		double pv = ks2_pvalue(out[2][o], LAW_REPS, out[0][o], LAW_REPS, &d10[o]);
		print_message("scale 10 against 1 %s: KS D %.3f p %.3g\n", names[o], d10[o], pv);
	}
	/* The distance shrinks as agents get finer: 10 persons per agent is told apart
	 * from person level in the peak at 1% (D above the critical 1.63 sqrt(2 / 200)
	 * = 0.163), 2 is not (asserted above). */
	assert_true(d10[0] > 1.63 * sqrt(2.0 / LAW_REPS));
}

/* The bound raised far beyond its start: one region of 3,000 where, without the
 * social signal, about 15% can ever act (theta ~ N(1, 0.6) against at most
 * w_g (1 - L) h = 0.7 h), and the social term (w_s = 1) carries the cascade to
 * a large share, so the persons made during the run (drawn from the pools and their
 * growth) decide the outcome. With the bound and with everyone made, 200 replications
 * each: KS p > 0.01 for the peak, its hour, the detained and the killed. A bound that
 * stopped drawing more persons once past its first pool fails here (checked by hand:
 * mean peak 492 against 612, KS D 0.94), where test_able_law and
 * test_able_law_adults, whose signals stay small, do not notice it. */
static void test_able_cascade(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 3000, 36.0);
	p.agents.hardship = fixture_uniform(0.0, 1.0);
	p.agents.risk_aversion = fixture_uniform(0.0, 1.0);
	p.agents.threshold = fixture_normal(1.0, 0.6);
	p.agents.w_s = 1.0;
	p.agents.w_n = 0.1;
	p.agents.legitimacy0 = 0.3;
	p.agents.reconsider_rate = 0.3;
	p.agents.fatigue = 0.01;
	p.regions[0].police = 50.0;
	p.arrests.probability = 0.05;
	p.arrests.detention_h = fixture_exponential(12.0);
	p.casualties.base_rate = 1.0;
	p.casualties.injury_ratio = fixture_constant(2.0);
	static double out[2][LAW_OUTS][LAW_REPS];
	struct ur_model_options bound = {0}, all = {.instantiate_all = true};
	int raised;
	double made = law_batch(&p, 3000, &bound, out[0], &raised);
	double everyone = law_batch(&p, 8000, &all, out[1], NULL);
	law_compare("cascade law", out[0], out[1]);
	double peak = 0.0;
	for (int k = 0; k < LAW_REPS; ++k)
		peak += out[0][0][k] / LAW_REPS;
	print_message("cascade law: %.0f of %.0f persons made, %d of %d runs raised the bound, "
		      "mean peak %.0f\n", made, everyone, raised, LAW_REPS, peak);
	assert_true(raised == LAW_REPS);
	/* The cascade reaches far past the persons who could act without it. */
	assert_true(peak > 0.15 * 3000.0);
}

/* The dead stay out of the pool: everyone wants to act (threshold -1), police engage
 * them and clashes kill; at person level every civilian death turns one active agent
 * dead, and a dead agent never acts again although its utility stays positive. */
static void test_dead_stay_out(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 2000, 48.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.regions[0].police = 500.0;
	p.casualties.base_rate = 20.0;
	p.casualties.injury_ratio = fixture_constant(1.0);
	p.casualties.security_share = 0.1;
	struct ur_model *m = ur_model_create(&p, 77, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run_until(m, 24.0), UR_MODEL_OK);
	const struct model_region *g = &m->region[0];
	double civilians = g->killed - g->killed_security;
	print_message("dead: %.0f killed, %.0f of them security, %u agents dead\n", g->killed,
		      g->killed_security, (unsigned)g->dead);
	assert_true(civilians > 50.0);
	assert_true(fabs((double)g->dead - civilians) < 0.5);
	size_t n = ur_model_agents(m);
	bool *was_dead = calloc(n, sizeof *was_dead);
	assert_non_null(was_dead);
	for (size_t i = 0; i < n; ++i)
		was_dead[i] = (m->tag[i] & TAG_STATE_MASK) == AGENT_DEAD;
	uint64_t decisions = m->decisions;
	assert_int_equal(ur_model_run(m), UR_MODEL_OK);
	assert_true(m->decisions > decisions + 10000);
	size_t dead = 0;
	for (size_t i = 0; i < n; ++i) {
		bool now_dead = (m->tag[i] & TAG_STATE_MASK) == AGENT_DEAD;
		if (was_dead[i] && !now_dead)
			fail_msg("agent %zu came back from the dead", i);
		dead += now_dead;
	}
	free(was_dead);
	/* Everyone alive and free is active: the dead are exactly the agents missing. */
	assert_int_equal(dead, g->dead);
	assert_int_equal((uint64_t)g->active + g->held + g->dead, g->n);
	char why[256];
	assert_int_equal(ur_model_check(m, why, sizeof why), 0);
	ur_model_destroy(m);
}

/* Everyone active against 500 police (never overwhelmed): E = 500 - the police killed
 * so far (the dead leave the force), m = 2 x 1 h x E / 1000 = E / 500, so each engaged
 * person dies with the same probability q = 1 - e^(-1/500) at every hourly clash and
 * each policeman with q / 4 (security share 0.25): E_t = 500 (1 - q/4)^t on average,
 * and the deaths of the 500 clashes have mean sum_t q E_t = 2000 (1 - (1 - q/4)^500) =
 * 442.1 and sd at most that of 442 Bernoulli trials, 21.0 (19.4 in 20,000 runs of
 * the process). Injuries D R, R ~ U(1, 5), mean 3 per death: 1326.3; the sd of 500
 * clashes at a constant 500 engaged, 77, bounds it (67 in those runs). Security
 * deaths Binomial(deaths, 0.25). */
static void test_casualties(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 500.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 20.0;
	p.regions[0].police = 500.0;
	p.casualties.base_rate = 2.0;
	p.casualties.injury_ratio = fixture_uniform(1.0, 5.0);
	p.casualties.security_share = 0.25;
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary s = fixture_run(&p, 41, rec, NULL);
	double q = -expm1(-1.0 / 500.0);
	double mean = 2000.0 * (1.0 - pow(1.0 - q / 4.0, 500.0));
	print_message("casualties: %.0f killed (%.1f +- 21.0), %.0f security, %.0f injured "
		      "(%.1f +- 77)\n",
		      s.killed, mean, s.killed_security, s.injured, 3.0 * mean);
	assert_near(s.killed, mean, 3.0 * sqrt(mean));
	assert_near(s.injured, 3.0 * mean, 3.0 * sqrt(500.0 * 11.92));
	assert_near(s.killed_security, 0.25 * s.killed, 3.0 * sqrt(s.killed * 0.25 * 0.75));
	assert_near(s.injured, floor(s.injured), 0.0);
	assert_near(rec->event_value_sum[UR_MEV_CLASH], s.killed, 0.0);
	free(rec);
}

/* Threshold -1: each agent turns active at its first decision, at tau ~ Exp(0.5 per
 * hour), and stays so. Damage = 2 USD x sum over agents of (T - tau)^+, T = 10 h:
 * per agent mean T - (1 - e^-5) / 0.5 = 8.01348 h, variance of min(tau, T)
 * = 7.67658 - 1.98652^2 = 3.73032 h^2; over 1000 agents sd 61.08 person-hours, 122.2
 * USD. */
static void test_damage(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 10.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 0.5;
	p.damage.usd_per_active_hour = 2.0;
	double mean_h = 10.0 - (1.0 - exp(-5.0)) / 0.5;
	double e2 = 8.0 * (1.0 - exp(-5.0) * 6.0);
	double m1 = (1.0 - exp(-5.0)) / 0.5;
	double sd = 2.0 * sqrt(1000.0 * (e2 - m1 * m1));
	for (uint64_t seed = 51; seed < 54; ++seed) {
		struct fixture_record *rec = fixture_record_new();
		struct ur_model_summary s = fixture_run(&p, seed, rec, NULL);
		print_message("damage: %.1f USD (expected %.1f +- %.1f)\n", s.damage_usd,
			      2.0 * 1000.0 * mean_h, sd);
		assert_near(s.damage_usd, 2000.0 * mean_h, 3.0 * sd);
		free(rec);
	}
}

/* Bounded draws. Everyone active (threshold -1), police C fixed, so each clash
 * engages E = min(A, C) persons of A + C present. base_rate 1e6 per 1000 engaged asks
 * for a mean far above E: deaths are Binomial(E, 1 - exp(-m / E)), so every clash
 * kills at most E and injures at most A + C - deaths (a count check on every clash
 * reported). Before the bound, deaths were Poisson(5e5) against 500 engaged, and a
 * large force (mean 5e9) never returned from GSL's draw. */
static void check_clashes(const struct fixture_record *rec, double engaged, double present,
			  double *mean)
{
	size_t clashes = 0;
	double deaths = 0.0;
	for (size_t i = 0; i < rec->events && i < FIXTURE_MAX_EVENTS; ++i) {
		const struct ur_model_event *e = &rec->event[i];
		if (e->kind != UR_MEV_CLASH)
			continue;
		double security = -1.0, injured = -1.0;
		assert_int_equal(sscanf(e->detail, "security=%lf injured=%lf", &security, &injured),
				 2);
		if (!(e->value <= engaged && e->value + injured <= present && security <= e->value))
			fail_msg("clash at %g h: %g deaths and %g injured of %g engaged", e->hour,
				 e->value, injured, engaged);
		clashes++;
		deaths += e->value;
	}
	assert_true(clashes > 0);
	*mean = deaths / (double)clashes;
}

static void test_bounded_casualties(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 200.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 20.0;
	p.regions[0].police = 500.0;
	p.casualties.base_rate = 1e6;
	p.casualties.injury_ratio = fixture_constant(3.0);
	p.casualties.security_share = 0.25;
	struct fixture_record *rec = fixture_record_new();
	struct ur_model_summary s = fixture_run(&p, 61, rec, NULL);
	double mean;
	check_clashes(rec, 500.0, 1500.0, &mean);
	/* The first hourly clash (at hour 1, when everyone is active) is Binomial(500,
	 * 1 - e^-1000): all 500 engaged die; the civilians among them leave the pool, so
	 * the next kills the other 500 and then nobody is left to engage. Deaths never
	 * exceed the persons engaged, nor civilian deaths the population. */
	print_message("bounded casualties: %zu clashes, %.1f deaths each (500), %.0f "
		      "killed, %.0f of them security\n", rec->event_count[UR_MEV_CLASH], mean,
		      s.killed, s.killed_security);
	assert_true(rec->event_count[UR_MEV_CLASH] >= 1);
	assert_true(s.killed - s.killed_security <= 1000.0);
	assert_true(s.killed <= (double)rec->event_count[UR_MEV_CLASH] * 500.0);
	assert_true(s.injured <= (double)rec->event_count[UR_MEV_CLASH] * 1500.0 - s.killed);
	assert_true(s.peak_active == 1000.0);
	free(rec);

	/* A large force: 1e7 persons (agent_scale 100), 5e6 police, a mean of 5e9 deaths
	 * asked for: the draw returns, with no more deaths than the 5e6 engaged. */
	fixture_params(&p, 10000000, 5.0);
	p.scenario.agent_scale = 100.0;
	p.agents.threshold = fixture_constant(-1.0);
	p.agents.reconsider_rate = 20.0;
	p.regions[0].police = 5e6;
	p.casualties.base_rate = 1e6;
	p.casualties.fighter_multiplier = 1e4;
	p.casualties.injury_ratio = fixture_constant(3.0);
	rec = fixture_record_new();
	s = fixture_run(&p, 62, rec, NULL);
	check_clashes(rec, 5e6, 1.5e7, &mean);
	print_message("bounded casualties, large force: %.0f deaths a clash of 5e6 engaged\n",
		      mean);
	assert_true(rec->event_count[UR_MEV_CLASH] >= 1 && rec->event_count[UR_MEV_CLASH] <= 5);
	assert_true(s.killed <= (double)rec->event_count[UR_MEV_CLASH] * 5e6);
	assert_true(s.killed - s.killed_security <= 1e7);
	free(rec);
}

/* model_security_killed: the dead leave their force and C_r falls by them; they are
 * shared by the forces' parts of C_r (stand-down police are not there to die), and a
 * surplus over a force's persons goes to the others. */
static void test_security_killed_leave_force(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 10.0);
	p.regions[0].police = 500.0;
	struct ur_model *m = ur_model_create(&p, 81, NULL, NULL);
	assert_non_null(m);
	struct model_region *g = &m->region[0];
	model_set_security(m, 0, 300.0, 0.0, 0.0);
	assert_near(region_security_at(m, 0, 0.0), 800.0, 0.0);
	model_security_killed(m, 0, 100.0);
	/* Exactly 100 fewer, police and guard together. */
	assert_near(region_security_at(m, 0, 0.0), 700.0, 0.0);
	assert_near(g->police + g->guard, 700.0, 0.0);
	assert_near(g->police_killed, 500.0 - g->police, 0.0);
	assert_true(g->police < 500.0 && g->guard < 300.0);
	assert_near(model_security_persons(m, 0), 700.0, 0.0);
	/* All of them: nobody is left to engage. */
	model_security_killed(m, 0, 700.0);
	assert_near(region_security_at(m, 0, 0.0), 0.0, 0.0);
	assert_near(model_security_persons(m, 0), 0.0, 0.0);
	assert_near(g->police_killed, 500.0, 0.0);
	ur_model_destroy(m);

	/* Standing down, the police are not in the clash: the guard dies first, then (its
	 * 10 persons exhausted) the surplus falls on the police. */
	m = ur_model_create(&p, 82, NULL, NULL);
	g = &m->region[0];
	model_set_security(m, 0, 10.0, 0.0, 1.0);
	model_security_killed(m, 0, 5.0);
	assert_near(g->guard, 5.0, 0.0);
	assert_near(g->police, 500.0, 0.0);
	model_security_killed(m, 0, 50.0);
	assert_near(g->guard, 0.0, 0.0);
	assert_near(g->police, 455.0, 0.0);
	ur_model_destroy(m);

	/* Proportional: 10^6 police and 10^6 guard, 10^4 killed: the police among them are
	 * Binomial(10^4, 1/2), 5000 within 3 sd (150). */
	p.regions[0].police = 1e6;
	m = ur_model_create(&p, 83, NULL, NULL);
	g = &m->region[0];
	model_set_security(m, 0, 1e6, 0.0, 0.0);
	model_security_killed(m, 0, 1e4);
	print_message("security killed: %.0f police of 10000 (5000 +- 150)\n",
		      1e6 - g->police);
	assert_near(1e6 - g->police, 5000.0, 150.0);
	assert_near(2e6 - g->police - g->guard, 1e4, 0.0);
	ur_model_destroy(m);
}

/* The event budget: an arrest sweep every 1e-300 h (5e302 events, which the schema now
 * refuses but code may still build) stops at scenario.max_events with a message naming
 * the setting and the hour reached; so does a flood of decisions. */
static void test_event_budget(void **state)
{
	(void)state;
	struct ur_params p;
	fixture_params(&p, 1000, 24.0);
	p.agents.threshold = fixture_constant(-1.0);
	p.arrests.interval_h = 1e-300;
	p.arrests.probability = 0.01;
	p.scenario.max_events = 100000;
	struct ur_model *m = ur_model_create(&p, 71, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run(m), UR_MODEL_BUDGET);
	const char *why = ur_model_error(m);
	print_message("budget: %s\n", why);
	assert_non_null(strstr(why, "scenario.max_events"));
	assert_non_null(strstr(why, "100000 model events"));
	assert_non_null(strstr(why, " h of the 24 h horizon"));
	assert_true(ur_model_now(m) < 1e-290);
	assert_false(ur_model_finished(m));
	struct ur_model_summary s;
	ur_model_summary(m, &s);
	assert_int_equal(s.events, 100000);
	ur_model_destroy(m);

	/* Decisions count: 1000 agents at 20 per hour make 20000 in the first hour. */
	fixture_params(&p, 1000, 24.0);
	p.agents.reconsider_rate = 20.0;
	p.scenario.max_events = 5000;
	m = ur_model_create(&p, 72, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(ur_model_run(m), UR_MODEL_BUDGET);
	assert_non_null(strstr(ur_model_error(m), "scenario.max_events"));
	assert_true(ur_model_now(m) > 0.1 && ur_model_now(m) < 1.0);
	ur_model_summary(m, &s);
	assert_int_equal(s.events, 5000);
	assert_int_equal(s.decisions, 5000);
	ur_model_destroy(m);

	/* The same run with a budget it does not reach: its events, to the last one. */
	p.scenario.max_events = 1000000000;
	struct fixture_record *rec = fixture_record_new();
	s = fixture_run(&p, 72, rec, NULL);
	p.scenario.max_events = s.events;
	struct ur_model_summary exact = fixture_run(&p, 72, rec, NULL);
	assert_int_equal(exact.events, s.events);
	assert_int_equal(exact.fingerprint, s.fingerprint);
	p.scenario.max_events = s.events - 1;
	m = ur_model_create(&p, 72, NULL, NULL);
	assert_int_equal(ur_model_run(m), UR_MODEL_BUDGET);
	ur_model_destroy(m);
	free(rec);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_agent_counts),
		cmocka_unit_test(test_distance_and_weights),
		cmocka_unit_test(test_sample_times),
		cmocka_unit_test(test_fuel_shock),
		cmocka_unit_test(test_order_holds_at_the_horizon),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_sampling_does_not_perturb),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_observer_stop),
		cmocka_unit_test(test_bounded_casualties),
		cmocka_unit_test(test_security_killed_leave_force),
		cmocka_unit_test(test_arrests_need_security),
		cmocka_unit_test(test_event_budget),
		cmocka_unit_test(test_morale_and_looting),
		cmocka_unit_test(test_regime_collapse),
		cmocka_unit_test(test_dead_stay_out),
	};
	const struct CMUnitTest stat[] = {
		cmocka_unit_test(test_granovetter),
		cmocka_unit_test(test_epstein),
		cmocka_unit_test(test_superposition),
		cmocka_unit_test(test_arrests),
		cmocka_unit_test(test_casualties),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_fatigue),
		cmocka_unit_test(test_example_spread),
		cmocka_unit_test(test_able_count),
		cmocka_unit_test(test_able_law),
		cmocka_unit_test(test_able_law_adults),
		cmocka_unit_test(test_able_cascade),
		cmocka_unit_test(test_able_law_example),
		cmocka_unit_test(test_scale_convergence),
	};
	if (argc >= 2 && strcmp(argv[1], "unit") == 0 && argc >= 3) {
		golden_path = argv[2];
		return cmocka_run_group_tests_name("model-unit", unit, NULL, NULL);
	}
	if (argc >= 2 && strcmp(argv[1], "stat") == 0)
		return cmocka_run_group_tests_name("model-stat", stat, NULL, NULL);
	fprintf(stderr, "usage: test_model unit GOLDEN_FILE | stat\n");
	return 2;
}
