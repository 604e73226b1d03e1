/*
 * fixture.h: scenarios for the model's tests, built in C as struct ur_params, and an
 * observer that records what a run reports.
 *
 * fixture_params() gives a one-region scenario in which nothing happens: no fuel shock
 * before the horizon, no police, no arrests, no deaths, no damage, no network term. A
 * test turns on the one mechanism it checks. Every distribution is validated, as
 * ur_scenario_load would have done.
 */
#ifndef UNREST_TESTS_MODEL_FIXTURE_H
#define UNREST_TESTS_MODEL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "unrest/dist.h"
#include "unrest/model.h"
#include "unrest/params.h"

#include "testutil.h" /* assert_near */

struct ur_dist fixture_constant(double value);
struct ur_dist fixture_uniform(double min, double max);
struct ur_dist fixture_normal(double mean, double sd);
struct ur_dist fixture_exponential(double mean);

/* One region of `agents` persons at agent_scale 1 and adult_share 1, horizon
 * `horizon` hours, samples every hour. Agents: hardship, grievance and risk aversion 0,
 * threshold 1 (nobody is active), w_g = w_n = 1, w_s = beta_b = 0, lambda = 1. */
void fixture_params(struct ur_params *p, int64_t agents, double horizon);

/* Three regions (the fixture's, "b" and "c"; 1500, 1000 and 800 persons at agent_scale 2, LPG
 * shares, police and hardship rising by region) and the settings the busy scenarios
 * of test_model.c and test_response.c share: a coupled network, agents with spread
 * traits and a reconsideration every 2 hours, falling morale, arrests, casualties,
 * damage and outcome thresholds. Each scenario then sets what is its own. */
void fixture_busy_params(struct ur_params *p, double horizon);

/* Adds a region (population, lat, lon) with the first region's other settings. */
void fixture_add_region(struct ur_params *p, const char *id, int64_t population, double lat,
			double lon);

/* The response. An action `id` of `kind` appended to government.actions, triggered `at`
 * that hour, with no delay, probability 1, all regions, and the schema's defaults
 * for its kind's settings; the caller changes what it tests. */
struct ur_action *fixture_action(struct ur_params *p, const char *id, enum ur_action_kind kind,
				 double at);
/* Turns an action's trigger into `when` (national when region is UR_NONE) or `after`. */
void fixture_when(struct ur_action *a, enum ur_indicator indicator, enum ur_compare op,
		  double value, double hold, int region);
void fixture_after(struct ur_action *a, int after);
/* Limits an action (or a set) to one region. */
void fixture_one_region(struct ur_region_set *set, int region);
/* A CSTO contingent flying to one region. */
struct ur_contingent *fixture_contingent(struct ur_params *p, const char *country,
					 int64_t troops, int64_t per_flight,
					 struct ur_dist first_flight, struct ur_dist interval,
					 int region);

/* A recording observer: counts samples and events, keeps the last sample's rows and
 * the summary, and hashes everything it is told (for determinism checks). */
#define FIXTURE_MAX_EVENTS 4096
struct fixture_record {
	size_t samples;
	double sample_hours[2048];
	struct ur_national_row last;
	struct ur_region_row last_regions[UR_MAX_REGIONS];
	size_t events;
	struct ur_model_event event[FIXTURE_MAX_EVENTS]; /* detail points into details */
	char details[FIXTURE_MAX_EVENTS][48];
	size_t event_count[UR_MODEL_EVENT_KIND_COUNT];
	double event_value_sum[UR_MODEL_EVENT_KIND_COUNT];
	struct ur_model_summary summary;
	int summaries;
	uint64_t hash;
	/* a check run at every sample: active + held <= agents x scale in every region */
	const struct ur_params *params;
	const struct ur_model *model;
	int bad_samples;
	int stop_at_sample; /* > 0: return non-zero at that sample */
};

struct ur_observer fixture_observer(struct fixture_record *record);

/* A zeroed record on the heap (it is large); free() it. */
struct fixture_record *fixture_record_new(void);

/* Creates, runs to the horizon, checks the status, and destroys a model; returns the
 * summary. */
struct ur_model_summary fixture_run(const struct ur_params *p, uint64_t seed,
				    struct fixture_record *record,
				    const struct ur_model_options *options);

#endif
