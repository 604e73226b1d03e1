/*
 * model.h: the unrest model: regions, agents, the spread of protest, security forces,
 * arrests, casualties and damage, the government's actions, the internet, the elite's
 * counter-coup and CSTO troops (DESIGN.md section 5), run on the discrete-event engine
 * and reported to an observer.
 *
 * Model. One struct ur_model is one replication of one scenario: it reads a validated
 * struct ur_params (params.h) and a replication seed (rng.h), and nothing else; its
 * results are a pure function of the two. Region r's pool is
 * n_r = round(population_r * adult_share_r / agent_scale) agents, each standing for
 * agent_scale persons, of whom the model makes only those who can ever act (docs/
 * model.md, "Who can act"). An agent is quiet, active, held (in custody) or dead
 * (killed in a clash: it never acts again). When it
 * reconsiders at time t it turns active iff
 *   G = (1 - L_r) clamp(eta_r h + lpg sigma_fuel shock_r(t), 0, 1) + pi kappa_r q
 *   S = (1 - mu c) a_r + mu c sum_s w_rs a_s
 *   P = 1 - exp(-k C_r / (A_r + agent_scale))
 *   N = rho P soe_r ell
 *   U = w_g G + w_s S + beta_b blackout_r - w_n N - theta  >= 0
 * and turns (or stays) quiet otherwise. Agents reconsider at lambda (times the region's
 * multiplier) per agent-hour; arrests, clashes, police morale and damage follow the
 * equations of params.h. The government's actions (each with a trigger, a drawn delay
 * and a probability), the internet, the elite's counter-coup and the CSTO change L, pi,
 * shock_r, c, blackout_r, soe_r, ell and C_r as params.h describes. docs/model.md gives
 * every equation with its units and the choices made where DESIGN.md leaves room.
 *
 * Units. Times in hours from scenario.start. Every count reported (active, held,
 * detained, killed, injured, security, troops) is in persons, never agents: agent
 * counts times agent_scale, so a count is an integer whenever agent_scale is one.
 * Money in US dollars.
 *
 * Observer. The model reports through a struct ur_observer whose callbacks (any may be
 * NULL) it calls from inside ur_model_run*, in this order over a run:
 *   - sample: at hour 0, every scenario.sample_interval hours, and at the horizon (the
 *     last one even when the horizon is not a multiple of the interval): the national
 *     row and one row per region, as of that instant;
 *   - event: each model event worth a line of events.csv (not agent decisions), when
 *     it happens, if its level is at or below params.output.events;
 *   - summary: once, when the run reaches the horizon.
 * The structs passed are valid during the call only. A callback returns 0 to go on,
 * anything else to stop the run: ur_model_run then returns UR_MODEL_OBSERVER.
 *
 * Invariants (ur_model_check tests them; options.check_invariants has them checked
 * during the run, which builds without NDEBUG always do): in every region quiet + active + held + dead = n_r; every count is
 * non-negative; cumulative counts never decrease; the clock never goes back (checked
 * at every event in every build).
 *
 * Error policy. Creation fails (NULL) only for want of memory, or for a scenario of
 * 2^32 - 1 agents or more (agent indices are 32-bit; such a run would need 100 GiB). A run returns a status;
 * after a failure ur_model_error says why in one line. Passing NULL where a pointer is
 * required, or params that did not pass ur_scenario_load's checks, is a programming
 * error and asserts.
 *
 * Threads. No global or static mutable state: one model per replication, any number
 * at once, one thread per model.
 *
 * Stability. This interface only grows: fields, event kinds and functions are added
 * at the end, never renamed or removed.
 */
#ifndef UNREST_MODEL_H
#define UNREST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unrest/params.h"

/* ---- what the observer receives ---------------------------------------------------- */

/* One row of national.csv (without rep and time, which the writer adds). */
struct ur_national_row {
	double hour;            /* hours since scenario.start */
	double active;          /* persons active now */
	double held;            /* persons in custody now */
	double detained;        /* persons detained since the start (cumulative) */
	double killed;          /* deaths since the start, security personnel included */
	double injured;         /* injured since the start */
	double security;        /* effective security persons now: sum of C_r */
	double csto_troops;     /* CSTO troops in the country now */
	double connectivity;    /* c(t): population-weighted mean connectivity, [0, 1] */
	double legitimacy;      /* population-weighted mean legitimacy, [0, 1] */
	unsigned facilities_held; /* facilities held by the elite's fighters now */
	double damage_usd;      /* damage since the start (cumulative), USD */
};

/* One row of timeseries.csv for one region (rep, hour, time and the region's id are
 * the writer's: params->regions[index].id). */
struct ur_region_row {
	double active;
	double held;
	double detained;        /* cumulative */
	double killed;          /* cumulative, security personnel included */
	double injured;         /* cumulative */
	double security;        /* C_r now */
	double csto_troops;     /* CSTO troops in the region now */
	enum ur_net_state internet; /* the region's internet now */
};

struct ur_model_sample {
	double hour;
	struct ur_national_row national;
	size_t nregions;                     /* params->nregions */
	const struct ur_region_row *regions; /* nregions rows, in params order */
};

/* The model events that make a line of events.csv. Numbers are stable; new kinds are
 * appended before UR_MODEL_EVENT_KIND_COUNT. */
enum ur_model_event_kind {
	UR_MEV_FUEL_RISE,        /* the price rise: value = shock level; region none;
				  * detail "all" or the regions' ids, space-separated */
	UR_MEV_FUEL_ROLLBACK,    /* the exogenous rollback: value = shock level after;
				  * detail as for the rise */
	UR_MEV_REGION_JOINED,    /* a region's active persons first reach
				  * outcomes.region_active: value = active persons */
	UR_MEV_POLICE_LEFT,      /* a region's police leave their posts: overwhelmed
				  * with morale at its floor (below 1), looting from
				  * now: value = A_r / C_r (inf when C_r = 0) */
	UR_MEV_POLICE_RETURNED,  /* they return: the region is no longer overwhelmed:
				  * value = A_r / C_r */
	UR_MEV_ORDER_RESTORED,   /* national active persons have stayed under
				  * outcomes.order_threshold for order_window hours
				  * after reaching it (one per restoration):
				  * hour = now (the window's end), value = the hour order
				  * was restored (the window's start, summary's
				  * order_restored_hour) */
	UR_MEV_REGIME_COLLAPSE,  /* the capital's A_r / C_r stayed above collapse_ratio
				  * for collapse_hours with no troops arriving:
				  * value = A_r / C_r */
	UR_MEV_ARRESTS,          /* level all: an arrest sweep with at least one arrest:
				  * value = persons arrested */
	UR_MEV_CLASH,            /* level all: a clash with at least one death:
				  * value = deaths, detail "security=N injured=M" */
	/* Government actions. detail "id=ID kind=KIND" names the action. */
	UR_MEV_ACTION_TRIGGERED, /* level all: an action's trigger fired and its delay
				  * was drawn: value = the delay, hours */
	UR_MEV_ACTION,           /* an action took effect: value = hours since its
				  * trigger fired (the decision latency) */
	UR_MEV_ACTION_FAILED,    /* its delay passed but it did not take effect (its
				  * probability): value = hours since its trigger */
	UR_MEV_INTERNET,         /* a region's internet changed: value = its connectivity
				  * now, detail "state=on|throttled|off action=ID" (the
				  * action that set it, or whose duration ran out) */
	UR_MEV_EMERGENCY,        /* a state of emergency began or ended in a region:
				  * value = soe_r now (1 when it ended), detail
				  * "state=on|off action=ID" */
	UR_MEV_GUARD_ARRIVAL,    /* redeployed national guard arrived: value = persons,
				  * detail "action=ID" */
	/* The elite's counter-coup, in elite.region. */
	UR_MEV_COUNTER_COUP,     /* it began: value = fighters */
	UR_MEV_SEIZURE,          /* fighters seized a facility: value = facilities held
				  * now, detail = the facility's id */
	UR_MEV_RECAPTURE,        /* a facility was retaken: value and detail as above */
	UR_MEV_COUNTER_COUP_END, /* no facility held and no fighter left: value = 0,
				  * detail "killed=N arrested=N dispersed=N" (fighters) */
	/* The CSTO. */
	UR_MEV_CSTO_REQUEST,     /* a request_csto action took effect: no value */
	UR_MEV_CSTO_DECISION,    /* the answer: value = 1 granted, 0 refused */
	UR_MEV_CSTO_ARRIVAL,     /* a flight landed: value = troops, detail = country */
	UR_MEV_CSTO_DEPARTURE,   /* a flight left: value = troops, detail = country */
	UR_MEV_CSTO_WITHDRAWN,   /* the last troops left: value = 0 */
	UR_MODEL_EVENT_KIND_COUNT
};

/* "fuel_rise", "region_joined", ...; NULL for a value out of range. */
const char *ur_model_event_name(enum ur_model_event_kind kind);

struct ur_model_event {
	double hour;
	enum ur_model_event_kind kind;
	const char *name;             /* ur_model_event_name(kind) */
	int region;                   /* region index, or UR_NONE (-1) when national */
	double value;                 /* as the kind says; NAN when it has none */
	const char *detail;           /* free text, "" when none; never NULL */
	enum ur_events_detail level;  /* UR_EVENTS_MAJOR or UR_EVENTS_ALL */
};

/* The outcome of a replication (DESIGN.md section 5, Outcomes). */
enum ur_outcome {
	UR_OUTCOME_ORDER_RESTORED,
	UR_OUTCOME_ELITE_PREVAILS,
	UR_OUTCOME_REGIME_COLLAPSE,
	UR_OUTCOME_UNRESOLVED,
	UR_OUTCOME_COUNT
};

/* "order_restored", "elite_prevails", "regime_collapse", "unresolved"; NULL for a value
 * out of range. */
const char *ur_outcome_name(enum ur_outcome outcome);

/* The model's part of a summary.csv row (rep and seed are the writer's; the seed is
 * also here). */
struct ur_model_summary {
	uint64_t replication_seed;
	enum ur_outcome outcome;
	double peak_active;           /* the largest national active persons */
	double peak_hour;             /* when it was first reached */
	unsigned regions_joined;      /* regions whose active persons ever reached
				       * outcomes.region_active */
	double killed;                /* deaths, security personnel included */
	double killed_security;       /* of which security personnel */
	double injured;
	double detained;              /* persons detained over the run */
	double damage_usd;
	double shutdown_region_hours; /* sum over regions of hours with internet off */
	double csto_request_hour;     /* NAN when none was made */
	double csto_troops_peak;      /* the most CSTO troops in the country at once */
	double order_restored_hour;   /* the start of the quiet stretch that lasts to
				       * the horizon, after the crowd reached
				       * outcomes.order_threshold; NAN when order does
				       * not hold at the horizon or was never lost */
	uint64_t events;              /* model events executed, each agent decision one
				       * event, samples not counted (the `events`
				       * column) */
	uint64_t decisions;           /* agent decisions (held agents picked included) */
	uint64_t engine_events;       /* events the engine dispatched (decisions run in
				       * batches between other events: docs/model.md) */
	uint64_t fingerprint;         /* hash of the trajectory (docs/model.md) */
	/* When each region's active persons first reached outcomes.region_active, by
	 * the model's clock (the instant of its region_joined event), NAN when they never
	 * did; in the order of params->regions. Exact whatever is sampled or recorded:
	 * the region_onsets column, and calibrate's timing targets. */
	size_t nregions;
	double region_onset[UR_MAX_REGIONS];
	/* When each government action took effect, by the model's clock (the instant of
	 * its `action` event), NAN when it did not (its trigger never fired, it failed
	 * its probability, or its delay ran past the horizon); in the order of
	 * params->government.actions: the action_hours column, and calibrate's
	 * action_hour targets. */
	size_t nactions;
	double action_hour[UR_MAX_ACTIONS];
};

/* The callbacks; any may be NULL. `context` is passed back to each. */
struct ur_observer {
	void *context;
	int (*sample)(void *context, const struct ur_model_sample *sample);
	int (*event)(void *context, const struct ur_model_event *event);
	int (*summary)(void *context, const struct ur_model_summary *summary);
};

/* ---- the model --------------------------------------------------------------------- */

enum ur_model_status {
	UR_MODEL_OK = 0,
	UR_MODEL_NOMEM,      /* out of memory during the run */
	UR_MODEL_OBSERVER,   /* an observer callback returned non-zero */
	UR_MODEL_INVARIANT,  /* an invariant failed (a bug; ur_model_error says which) */
	UR_MODEL_ENGINE,     /* the engine refused an event (a bug; ur_model_error) */
	UR_MODEL_FINISHED,   /* the run had already reached the horizon */
	UR_MODEL_PAST,       /* ur_model_run_until to a time before the clock */
	UR_MODEL_BUDGET      /* the replication would run more than
			      * scenario.max_events model events (ur_model_error
			      * names the setting and the hour reached) */
};

/* Options for tests and diagnostics; pass NULL for the defaults (all false, except
 * check_invariants, which builds without NDEBUG turn on whatever is passed). */
struct ur_model_options {
	bool check_invariants;  /* check the counts of the region concerned after every
				 * change of an agent's state (O(1)), and every invariant
				 * (ur_model_check, O(agents)) and the growth of the
				 * cumulative counts at every sample; a failure stops the
				 * run with UR_MODEL_INVARIANT */
	bool count_decisions;   /* keep each agent's number of decisions
				 * (ur_model_decision_counts); 4 bytes per agent */
	bool instantiate_all;   /* make an agent of every person of the pool, also of
				 * those who can never act (docs/model.md, "Who can
				 * act"): the same law of every outcome, at more cost;
				 * for the tests of that claim */
};

struct ur_model;

/* A model at hour 0 with its agents drawn, all quiet, nothing run yet. `params` must
 * have passed ur_scenario_load's checks and must outlive the model (it is not copied);
 * `observer` (may be NULL) is copied. NULL when out of memory or with too many agents
 * (above). */
struct ur_model *ur_model_create(const struct ur_params *params, uint64_t replication_seed,
				 const struct ur_observer *observer,
				 const struct ur_model_options *options);

/* Frees the model; NULL is a no-op. */
void ur_model_destroy(struct ur_model *model);

/* Runs to scenario.horizon, then reports the last sample and the summary. */
enum ur_model_status ur_model_run(struct ur_model *model);

/* Runs every event due at or before `hour` (<= the horizon; clamped to it), with the
 * clock then at `hour`; a later call continues. Reaching the horizon finishes the run
 * as ur_model_run does. */
enum ur_model_status ur_model_run_until(struct ur_model *model, double hour);

/* Why the last run call failed, one line without a newline; "" after success. */
const char *ur_model_error(const struct ur_model *model);

/* The clock, hours. */
double ur_model_now(const struct ur_model *model);

/* Whether the run has reached the horizon (summary reported). */
bool ur_model_finished(const struct ur_model *model);

/* The rows as of now (integrals brought up to the clock): `national` may be NULL;
 * `regions` NULL or room for params->nregions rows. */
void ur_model_snapshot(struct ur_model *model, struct ur_national_row *national,
		       struct ur_region_row *regions);

/* The summary as of now (final once the run has finished). */
void ur_model_summary(struct ur_model *model, struct ur_model_summary *summary);

/* Checks every invariant (O(agents)). 0 if they hold, else -1 with a one-line reason
 * in why[0..size) (why may be NULL). */
int ur_model_check(const struct ur_model *model, char *why, size_t size);

/* Agents in region r (n_r), in all regions, and the index of region r's first agent:
 * agents are numbered region by region, 0 .. ur_model_agents(model) - 1, when
 * everyone is made; with the bound of who can act (docs/model.md), the agents made
 * during the run follow all of those made at the start, so a region's are then not
 * one range. The counts are of the agents made so far. */
size_t ur_model_region_agents(const struct ur_model *model, size_t region);
size_t ur_model_agents(const struct ur_model *model);
size_t ur_model_region_first_agent(const struct ur_model *model, size_t region);

/* Each agent's number of decisions so far (indexed as above), or NULL unless
 * options.count_decisions was set. */
const uint32_t *ur_model_decision_counts(const struct ur_model *model);

/* The gravity weight w_rs of the social signal (rows sum to 1 when there are at least
 * two regions; w_rr = 0). */
double ur_model_weight(const struct ur_model *model, size_t r, size_t s);

/* Counters of the work done and memory held, for benchmarks. */
struct ur_model_stats {
	uint64_t decisions;       /* agent decisions (picks of held agents included) */
	uint64_t state_changes;   /* decisions that changed an agent's state */
	uint64_t engine_events;   /* events the engine dispatched */
	size_t max_pending;       /* the engine's largest queue */
	size_t bytes;             /* memory the model allocated (agents, tables, engine
				   * excluded) */
};
void ur_model_stats(const struct ur_model *model, struct ur_model_stats *stats);

#endif /* UNREST_MODEL_H */
