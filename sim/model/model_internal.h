/*
 * model_internal.h: the state of one model run, shared by the files of sim/model.
 *
 * Layout. Agents are numbered region by region. Their attributes live in arrays, one
 * entry per agent: `attr` holds the four numbers a decision reads (h, q, rho, theta) in
 * one 16-byte record, so that a decision, which picks an agent at random, touches one
 * cache line of attributes and one of `tag` (state, LPG flag, region); at person level
 * the arrays are far larger than the caches and a decision costs what its cache misses
 * cost. `active_pos` and the per-region `active_list` (a swap-remove list of the
 * region's active agents) serve arrests, which pick among active agents uniformly.
 *
 * Regions. struct model_region begins with what every decision in the region reads
 * (the coefficients of U, kept up to date by the setters below) and goes on with the
 * region's state and its integrals. A coefficient that depends on state is refreshed
 * when that state changes: region_coefficients() after a change of legitimacy,
 * politicization, shock, connectivity, blackout, soe or repression; the arrest risk P,
 * which depends on A_r and C_r(t), lazily, through `stale`, at the next decision in
 * the region.
 *
 * Integrals. Damage, shutdown hours and police morale change continuously; each region
 * keeps them as of `last` and region_advance(m, r, t) brings them to t, exactly, since
 * what drives them (A_r, the multipliers) is constant between the events that call it.
 * Every change of a region's A_r or C_r first advances the region to the current time.
 *
 * The response (government, internet, elite, CSTO) changes state through the model_set_*
 * functions declared here, which keep every cache and the decision stream right.
 */
#ifndef UNREST_SIM_MODEL_INTERNAL_H
#define UNREST_SIM_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "unrest/dist.h"
#include "unrest/engine.h"
#include "unrest/model.h"
#include "unrest/params.h"
#include "unrest/rng.h"

#include "words.h"

struct model_able;

/* Agent states, as stored in the low bits of a tag. */
enum agent_state {
	AGENT_QUIET = 0,
	AGENT_ACTIVE = 1,
	AGENT_HELD = 2,
	AGENT_DEAD = 3    /* killed in a clash: never acts again */
};

/* tag: bits 0-1 state, bit 2 LPG-dependent, bits 3-4 the detention sweeps' pool
 * (kept only when the scenario has a detention_sweep: m->sweeps), bits 8-15 region
 * index. An agent is in its region's pool while TAG_EVER is set and TAG_GONE is not. */
#define TAG_STATE_MASK 0x3u
#define TAG_LPG 0x4u
#define TAG_EVER 0x8u   /* has been active */
#define TAG_GONE 0x10u  /* has been detained (street or sweep) or killed */
#define TAG_REGION_SHIFT 8

/* The attributes a decision reads. Floats: the inputs are drawn from distributions
 * whose parameters are known to two or three digits; the utility is computed in
 * double from them. */
struct agent_attr {
	float h;     /* hardship, already times the region's hardship index */
	float q;     /* political grievance */
	float rho;   /* risk aversion */
	float theta; /* activation threshold; with fatigue, theta + phi H while quiet or
		      * held and theta + phi H - phi t_active while active (agents.c) */
};

/* Engine event kinds of the core (the crowd, security, outcomes). The response's
 * kinds follow, from MODEL_KIND_CORE_COUNT. */
enum model_kind {
	KIND_DECIDE = 0,   /* the superposed decision stream (batched, see agents.c) */
	KIND_SAMPLE,       /* payload: sample number k, at k * sample_interval */
	KIND_FUEL_RISE,    /* payload: a price step that raises the price (ratio > 1) */
	KIND_FUEL_ROLLBACK, /* payload: a price step to the old price or below */
	KIND_ARRESTS,      /* payload: sweep number k, at k * arrests.interval */
	KIND_CLASHES,      /* payload: sweep number k, at k * casualties.interval */
	KIND_RELEASE,      /* target: the agent released */
	KIND_MORALE_FLOOR, /* target: the region whose police morale reaches its floor */
	KIND_ORDER,        /* order restored, if active persons stayed low */
	KIND_COLLAPSE,     /* regime collapse, if the capital stayed overwhelmed */
	KIND_COLLAPSE_CROSS, /* the capital's falling C_r crosses A_r / collapse_ratio */
	MODEL_KIND_CORE_COUNT
};

/* Engine event kinds of the response (government.c, elite.c, csto.c). */
enum model_kind_response {
	KIND_ACTION_AT = MODEL_KIND_CORE_COUNT, /* target: action; its `at` hour has come */
	KIND_ACTION_EFFECT,  /* target: action; its delay has passed */
	KIND_WATCH_HOLD,     /* target: action; its `when` condition has held `hold` h */
	KIND_WATCH_CROSS,    /* target: action, payload: 2 region + truth after: a moving
			      * C_r takes the region's force ratio across the value */
	KIND_EMERGENCY_END,  /* target: region, payload: the emergency's generation */
	KIND_INTERNET_END,   /* target: region, payload: the shutdown's generation */
	KIND_GUARD_ARRIVAL,  /* target: region, payload.real: persons */
	KIND_ELITE_START,    /* the counter-coup begins */
	KIND_ELITE_SEIZE,    /* payload: k, the attack on elite.seize[k] */
	KIND_CSTO_DECISION,  /* payload: the request's number */
	KIND_CSTO_FLIGHT,    /* target: contingent; a flight lands */
	KIND_CSTO_DEPARTURE, /* target: contingent; a flight leaves */
	KIND_ACTION_END,     /* target: region, payload: action; its drawn duration there
			      * is over (adjust, cash_transfer, curfew) */
	KIND_CURFEW_EDGE,    /* target: region, payload: 2 action + 1 when its hours
			      * begin, + 0 when they end */
	MODEL_KIND_COUNT
};

/* Where an action stands. */
enum action_status {
	ACTION_WAITING,      /* its trigger has not fired */
	ACTION_PENDING,      /* triggered, its delay running */
	ACTION_DONE,         /* took effect */
	ACTION_FAILED        /* its delay passed and its probability said no */
};

/* One government action during a run: the scenario's, with government.edits applied,
 * and its state. */
struct model_action {
	struct ur_action a;
	enum action_status status;
	double trigger_time;      /* when its trigger fired; NAN before */
	/* `when` triggers: a crossing is the condition turning true after it has been
	 * false (at hour 0 included), and it must then hold `hold` hours */
	bool armed;               /* the condition has been false */
	bool holding;             /* it holds, since `since` */
	double since;
	struct ur_event_handle hold_event;
	struct ur_event_handle cross_event; /* force_ratio: the next predicted flip */
	/* adjusts (adjust.c): what it changes, and where its timed parts are in force
	 * (in_force[0] for a national setting); cash transfers and curfews: where they
	 * are in force, and a curfew's being within its hours */
	struct ur_adjust_part part[UR_MAX_ADJUST_PARTS];
	size_t nparts;
	double effect_time;       /* when it took effect; NAN before */
	bool in_force[UR_MAX_REGIONS];
	bool inside[UR_MAX_REGIONS];
	struct ur_dist reach;     /* cash_transfer: its reach law, prepared */
	bool reach_prepared;
	uint64_t reach_seed;      /* cash_transfer: keys each person's reach draw */
};

/* The elite's counter-coup. */
struct model_elite {
	bool answered;            /* a security_council action has taken effect */
	bool running;             /* fighters are in the field (stand-down in force) */
	bool ended;
	uint64_t fighters;        /* persons */
	size_t next_seize;        /* the next attack: elite.seize[next_seize] */
	bool held[UR_MAX_FACILITIES]; /* by facility index in elite.region */
	unsigned nheld;
	double killed, arrested, dispersed; /* fighters, persons */
};

/* One CSTO contingent. */
struct model_contingent {
	int64_t to_send;          /* troops not yet flown in */
	int64_t present;          /* troops in the country */
	uint32_t arrivals, departures; /* flights so far */
	size_t next_region;       /* the next flight's destination: regions.idx[next % n] */
	int64_t in_region[UR_MAX_REGIONS]; /* its troops by region */
	struct ur_event_handle flight_event;
};

struct model_csto {
	unsigned requests;        /* request_csto actions that took effect */
	bool pending;             /* a request awaits its decision */
	bool granted;
	bool withdrawing;         /* announce_withdrawal has taken effect */
	bool withdrawn;           /* the last troops have left */
	struct model_contingent c[UR_MAX_CONTINGENTS];
};

/* The unit of the fixed-point cross signal: 2^-58. A row of w sums to 1, so a sum of
 * steps times counts stays below 2^58 (1 + nregions 2^-58 n_max) < 2^63. */
#define CROSS_UNIT 0x1p-58

/* Pre-drawn random numbers of the decision stream: agent picks and unit exponential
 * waiting times, drawn in blocks (the picks are known ahead, so the attributes of the
 * agents about to decide are prefetched). */
#define DECISION_BLOCK 512

struct model_region {
	/* ---- read by every decision in the region ---- */
	double griev;     /* w_g (1 - L_r) */
	double eta;       /* eta_r */
	double fuel;      /* sigma_fuel shock_r */
	double pol;       /* w_g pi */
	double s_local;   /* w_s (1 - mu c) */
	double s_cross;   /* w_s mu c */
	double street;    /* beta_b blackout_r */
	double risk;      /* w_n P_r soe_r ell; valid unless `stale` */
	double example;   /* e0 exp(-S_r / s_e), the cost of acting before protest is
			   * seen (0 without it); valid unless `stale` */
	double inv_n;     /* 1 / n_full: the social signal's share is of every person
			   * who could join, instantiated or not (0 without any) */
	double cross;     /* sum_s w_rs a_s: cross_fixed * CROSS_UNIT */
	double accept;    /* reconsider_r / the largest reconsider multiplier */
	double accept_active; /* reconsider_r exit_r / the largest: an active agent's */
	uint32_t active;  /* active agents */
	uint32_t held;    /* agents in custody */
	uint32_t dead;    /* agents killed (each stands for agent_scale persons) */
	uint32_t n;       /* agents made: those who can act under the region's bound
			   * on its signal, which the run raises as needed (agents.c) */
	bool stale;       /* `risk` and `example` must be recomputed before use */
	bool example_stale; /* `example` alone must be: a signal changed, not security */
	bool moving;      /* morale is changing: C_r, hence risk, changes with time */
	int64_t cross_fixed; /* sum_s cross_step[s][r] active_s (see cross_step) */

	/* ---- state ---- */
	size_t first;             /* index of the region's first agent: its agents are
				   * first..first+n-1 when everyone is made; with the
				   * bound of who can act, those made at the start begin
				   * there and those made during the run follow all of
				   * them, in the order made */
	double n_full;            /* agents of the pool, round(population x share /
				   * agent_scale), instantiated or not */
	uint32_t *active_list;    /* the region's active agents, any order */
	double population;        /* population_r, persons (a whole number) */
	double legitimacy;        /* L_r */
	double shock;             /* shock_r */
	double connectivity;      /* c_r */
	enum ur_net_state net;    /* internet state */
	double blackout;          /* blackout_r */
	double soe;               /* soe_r: soe_risk curfew_risk */
	double soe_risk;          /* the emergency's risk multiplier, 1 without one */
	double soe_reconsider;    /* the emergency's reconsider multiplier */
	double curfew_risk;       /* the product of the curfews within their hours */
	double curfew_reconsider;
	double curfew_exit;       /* the product of the curfews' exit multipliers within
				   * their hours: on the active agents' rate only */
	double price;             /* price_r, the fuel price ratio */
	unsigned transfers;       /* cash transfers in force here */
	bool soe_on;              /* a state of emergency is in force (costs money) */
	double reconsider;        /* multiplier of lambda: soe_reconsider
				   * curfew_reconsider */
	double reconsider_active; /* an active agent's: reconsider curfew_exit */
	double police;            /* police_r * police_scale - police_killed, persons at
				   * full morale */
	double police_killed;     /* police killed in clashes here (model_security_killed):
				   * a change of police_r or police_scale keeps them dead */
	double guard;             /* national guard persons in the region */
	double csto;              /* CSTO troops in the region */
	double stand_down;        /* share of C_r standing down (elite) */
	double freed;             /* police freed from guarding facilities by CSTO troops:
				   * min(csto.freed_police csto_r, police_r) where the
				   * region has facilities */
	unsigned fighters;        /* the elite's fighters present (response) */
	unsigned facilities_held; /* facilities held by fighters (response) */
	bool above_joined;        /* active persons >= outcomes.region_active now (the
				   * regions_active indicator) */
	uint32_t soe_generation;  /* bumped by each state of emergency set here: an end
				   * event of an earlier one finds it changed */
	uint32_t net_generation;  /* the same for internet shutdowns */
	int net_action;           /* the action that set the internet state, or UR_NONE */
	int soe_action;           /* the action that set the emergency, or UR_NONE */
	double morale;            /* police morale at morale_time, [morale_min, 1] */
	double morale_time;       /* when morale_dir last changed */
	int morale_dir;           /* -1 falling, +1 recovering, 0 still */
	bool left;                /* police have left their posts (looting) */
	bool joined;              /* active persons reached outcomes.region_active */
	double joined_hour;       /* when they first did (the region_onsets column) */
	struct ur_event_handle morale_event; /* KIND_MORALE_FLOOR while falling */
	double last;              /* time damage and shutdown_hours stand at */

	/* ---- detention sweeps (security.c), kept when m->sweeps ---- */
	uint32_t *pool_list;      /* agents that entered the pool, in order; entries
				   * that left it (TAG_GONE) are dropped when met */
	uint32_t pool_len, pool_cap;
	uint32_t pool;            /* agents in the pool: ever active, never detained,
				   * alive */
	double sweep_rate;        /* the sum of the rates of the sweeps in force */
	double sweep_exposure;    /* integral of sweep_rate since the last arrest sweep
				   * (exact: piecewise constant), as of sweep_since */
	double sweep_since;

	/* ---- cumulative, persons and USD ---- */
	double detained;
	double killed;            /* security personnel included */
	double killed_security;
	double injured;
	double damage;
	double shutdown_hours;
};

struct ur_model {
	const struct ur_params *p; /* the run's params: `own`, read-only */
	struct ur_params *own;    /* a copy of the scenario's, which adjusts change */
	struct ur_observer obs;
	struct ur_model_options opt;
	uint64_t replication_seed;
	struct ur_rng_set *rngs;
	gsl_rng *rng_agents;
	gsl_rng *rng_security;
	struct ur_engine *engine;
	double scale;             /* persons per agent */
	bool sweeps;              /* the scenario has a detention_sweep: pools are kept */
	double horizon;

	/* distributions drawn during the run (prepared copies of the params') */
	struct ur_dist detention;
	struct ur_dist injury_ratio;

	/* agents */
	size_t nagents;
	struct agent_attr *attr;
	uint16_t *tag;
	uint32_t *active_pos;     /* position of an active agent in its region's list */
	uint32_t *decision_counts;

	/* regions */
	size_t nregions;
	struct model_region region[UR_MAX_REGIONS];
	double *weight;           /* w_rs, row-major nregions x nregions */
	int64_t *cross_step;      /* cross_step[s * nregions + r] = w_rs / n_s in units
				   * of CROSS_UNIT, rounded: the change of region r's
				   * cross signal when one agent of s turns active. In
				   * integers the running sums are exact, so the signal
				   * is a function of the counts alone and never drifts,
				   * whatever the order of changes or the sampling. */

	/* national state */
	double politicization;    /* pi */
	double repression;        /* ell */
	double connectivity;      /* c(t), population-weighted (model_population_mean) */
	double population;        /* sum of the regions' populations, exact */
	double lethality;         /* multiplier of casualty rates (1 until lethal force) */
	double fatigue;           /* phi, agents.fatigue */
	struct model_able *able;  /* who can act, made as needed (agents.c); NULL when
				   * everyone is made */
	bool csto_arriving;       /* troops are arriving or in the country (response) */
	double csto_request_hour; /* NAN until requested (response) */
	double csto_troops_peak;
	uint64_t active;          /* active agents, nationally */
	uint64_t held;

	/* the decision stream */
	double rate;              /* candidate picks per hour: lambda max_r(mult) N */
	double inv_rate;
	bool thinning;            /* some region's multiplier is below the largest */
	double decision_time;     /* time of the pending pick */
	struct ur_event_handle decide_event;
	bool in_batch;
	uint32_t pick_reject;     /* Lemire's rejection threshold for N */
	uint32_t picks[DECISION_BLOCK];
	size_t pick_pos, pick_len;
	double waits[DECISION_BLOCK];
	size_t wait_pos, wait_len;
	struct model_log_table log_table;

	/* clock and run control */
	double now;
	double run_limit;         /* the time ur_model_run_until runs to */
	double run_stop;          /* the next double after run_limit */
	bool finished;
	enum ur_model_status status;
	char error[256];

	/* outcome tracking */
	double peak_active, peak_hour;
	unsigned regions_joined;
	bool order_above;         /* national active persons >= order_threshold */
	bool order_ever_above;
	double order_below_since; /* NAN while above */
	double order_restored_hour;
	struct ur_event_handle order_event;
	bool collapse_above;      /* the capital's A/C above collapse_ratio */
	double collapse_since;
	bool collapsed;
	double collapse_hour;
	struct ur_event_handle collapse_event;
	struct ur_event_handle collapse_cross_event; /* predicted crossing while the
						      * capital's morale falls */

	/* the response: government, internet, elite, CSTO */
	gsl_rng *rng_elite;       /* the elite's sweep-time draws (fighters' fate,
				   * recaptures) */
	gsl_rng *keyed;           /* reseeded for each keyed draw (model_keyed) */
	size_t nactions;
	struct model_action *actions;
	size_t *watchers;         /* indices of the `when` actions */
	size_t nwatchers;
	unsigned watching[UR_IND_COUNT]; /* `when` actions still waiting, by indicator */
	unsigned regions_active;  /* regions with above_joined */
	double guard_reserve;     /* national guard persons not yet sent */
	struct model_elite elite;
	struct model_csto csto;
	/* adjusts (adjust.c) */
	double adjust_base[UR_ADJ_COUNT][UR_MAX_REGIONS]; /* values before adjusts */
	size_t adjust_order[UR_MAX_ACTIONS]; /* actions with parts, in the order they
					      * took effect */
	size_t nadjust_order;
	size_t transfer_list[UR_MAX_ACTIONS]; /* cash transfers that took effect */
	size_t ntransfers;
	double local_hour0;       /* local hour of the day at hour 0, [0, 24) */

	/* counters */
	uint64_t decisions;
	uint64_t state_changes;
	uint64_t batches;         /* engine events of kind KIND_DECIDE */
	uint64_t samples;         /* engine events of kind KIND_SAMPLE */
	uint64_t other_events;    /* model events but decisions: engine events that
				   * are neither a batch of decisions nor a sample */
	uint64_t max_events;      /* scenario.max_events */
	uint64_t decision_limit;  /* in a batch: decisions may reach this number,
				   * max_events - other_events */
	uint64_t fingerprint;
	size_t bytes;

	/* scratch: the rows handed to the observer */
	struct ur_region_row *rows;
	/* the previous sample's cumulative totals, for the invariant checks */
	struct ur_national_row previous;
};

/* ---- agents.c ---- */
/* Added to the bound of who can act (agents.c): thresholds are stored as floats and
 * the cross signal is a sum of rounded steps, so a decision's utility may exceed the
 * exact bound by a few units in the seventh digit. */
#define MODEL_ABLE_SLACK 1e-5
int model_agents_create(struct ur_model *m);
void model_agents_destroy(struct ur_model *m);
/* After a change of state raised an active count: makes the agents who can act under
 * every region's new signal (a failure fails the run). */
void model_able_check(struct ur_model *m);
void model_decide_handler(struct ur_engine *engine, const struct ur_event *event,
			  void *context);
/* Recomputes the decision stream's rate after a reconsider multiplier changed and
 * redraws the pending pick (memorylessness makes the redraw exact). */
void model_decision_rate_changed(struct ur_model *m);
/* Starts the decision stream at the current time. */
int model_decisions_start(struct ur_model *m);
/* Moves an agent between states at m->now, keeping every count, list, cross signal
 * and tracker right. */
void model_agent_set_state(struct ur_model *m, uint32_t agent, unsigned from, unsigned to);

/* ---- network.c ---- */
double model_distance_km(double lat1, double lon1, double lat2, double lon2);
void model_gravity(const struct ur_params *p, double *weight);

/* ---- security.c ---- */
/* Brings region r's integrals (damage, shutdown hours) from r->last to t: called at
 * model events only, before a term of their rates changes. Morale is not integrated
 * but kept as a line from its last change of direction (region_morale_at), so that it,
 * and every decision that reads it, depends on the trajectory alone, not on when
 * samples are taken. */
void region_advance(struct ur_model *m, size_t r, double t);
/* Region r's damage and shutdown hours at t >= r->last, without storing them: what
 * samples and the summary read, so that observing never cuts an integration interval
 * (the sums' rounding, hence summary.csv, would then depend on the sample interval). */
void region_integrals_at(const struct ur_model *m, size_t r, double t, double *damage,
			 double *shutdown_hours);
/* C_r at time t >= r->last, without advancing the region. */
double region_security_at(const struct ur_model *m, size_t r, double t);
/* After A_r or a term of C_r changed at m->now: the morale's direction, the police's
 * posts, the collapse tracker, and `stale`. */
void region_security_changed(struct ur_model *m, size_t r);
/* Recomputes `risk` at time t. */
void region_refresh_risk(struct ur_model *m, size_t r, double t);
/* e0 exp(-S_r / s_e): the cost of acting in region r before protest is seen, from the
 * social signal S_r as it is now (docs/model.md, "The example"); 0 when e0 is 0. */
double model_example_cost(const struct ur_model *m, size_t r);
void model_arrests_handler(struct ur_engine *engine, const struct ur_event *event,
			   void *context);
/* The rate of the detention sweeps in force in region r changes by `delta` at m->now
 * (a sweep begins or ends there). */
void model_sweep_rate(struct ur_model *m, size_t r, double delta);
/* After agent's tag changed to state `to` (model_agent_set_state): keeps the pool of
 * region r (a failure fails the run). */
void model_sweep_pool(struct ur_model *m, size_t r, uint32_t agent, unsigned to);
void model_clashes_handler(struct ur_engine *engine, const struct ur_event *event,
			   void *context);
void model_release_handler(struct ur_engine *engine, const struct ur_event *event,
			   void *context);
void model_morale_handler(struct ur_engine *engine, const struct ur_event *event,
			  void *context);
void model_collapse_handler(struct ur_engine *engine, const struct ur_event *event,
			    void *context);
void model_collapse_cross_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context);
void model_order_handler(struct ur_engine *engine, const struct ur_event *event,
			 void *context);
/* Police morale at time t (>= morale_time). */
double region_morale_at(const struct ur_model *m, size_t r, double t);

/* ---- model.c ---- */
/* The coefficients of U in region r from the current state. */
void region_coefficients(struct ur_model *m, size_t r);
/* After national active agents changed at m->now: peak, order-restored tracking. */
void model_national_changed(struct ur_model *m);
/* The population-weighted mean of the double at offset `field` of struct
 * model_region, a share: in [0, 1] exactly when every region's is. */
double model_population_mean(const struct ur_model *m, size_t field);
/* Mixes x into the fingerprint. */
void model_fingerprint(struct ur_model *m, uint64_t x);
uint64_t model_time_bits(double t);
/* Reports an event to the observer when its level is wanted; a non-zero answer stops
 * the run. */
void model_report(struct ur_model *m, enum ur_model_event_kind kind, enum ur_events_detail level,
		  double hour, int region, double value, const char *detail);
/* Sets the clock to t; a t before it (a bug) fails the run with UR_MODEL_INVARIANT. */
void model_clock(struct ur_model *m, double t);
/* What every model event but the decisions does first: counts it against
 * scenario.max_events (failing the run with UR_MODEL_BUDGET when it would exceed it)
 * and sets the clock to t. */
void model_event_clock(struct ur_model *m, double t);
/* Fails the run with UR_MODEL_BUDGET: the budget is spent at m->now. */
void model_budget_spent(struct ur_model *m);

/* Bounded draws (security.c, docs/model.md "Bounded runs"). */
/* An active person's chance of arrest in a sweep where `security` persons face a crowd
 * of `crowd` persons: arrests.probability (1 - exp(-C / (capacity_ratio A))), or with
 * capacity_ratio 0 the agents' own k: probability (1 - exp(-k C / A)); 0 without
 * security (or without a crowd). */
double model_arrest_probability(const struct ur_model *m, double security, double crowd);
/* Binomial(n, p) for a whole n >= 0 of any size: GSL's for n below 2^32 (its n is an
 * unsigned int), the normal law of the same mean and variance above, within [0, n]. */
double model_binomial(gsl_rng *rng, double p, double n);
/* Stops the run with a status and a message. */
void model_fail(struct ur_model *m, enum ur_model_status status, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Schedules an engine event at absolute time t; a refusal fails the run. */
void model_schedule(struct ur_model *m, double t, unsigned kind, uint32_t target,
		    int64_t payload, struct ur_event_handle *handle);
/* The light invariant check of region r (O(1)) when options.check_invariants. */
void model_check_region(struct ur_model *m, size_t r);

/* Mixes an event's time, kind, target and the decisions before it into the
 * fingerprint, after setting the clock: what every handler but the decisions' and the
 * samples' does first. */
void model_event_begin(struct ur_model *m, const struct ur_event *event);

/* ---- government.c ---- */
/* Applies government.edits, schedules the `at` triggers and arms the `when` ones at
 * hour 0. -1 when out of memory. */
int model_government_create(struct ur_model *m);
void model_government_destroy(struct ur_model *m);
int model_response_register(struct ur_model *m);
/* A watched indicator may have changed: active persons, regions active or the force
 * ratio in region r (UR_NONE: anywhere), deaths or facilities. Cheap when nothing
 * watches it. */
enum {
	WATCH_ACTIVE = 1u << UR_IND_ACTIVE,
	WATCH_REGIONS = 1u << UR_IND_REGIONS_ACTIVE,
	WATCH_FACILITIES = 1u << UR_IND_FACILITIES_SEIZED,
	WATCH_RATIO = 1u << UR_IND_FORCE_RATIO,
	WATCH_DEATHS = 1u << UR_IND_DEATHS
};
void model_watch(struct ur_model *m, unsigned indicators, int region);
static inline bool model_watching(const struct ur_model *m, enum ur_indicator indicator)
{
	return m->watching[indicator] > 0;
}
/* A generator seeded by hash(the stream's seed, key), fresh for each call: the draws a
 * key names do not depend on what else was drawn before (docs/model.md). */
gsl_rng *model_keyed(struct ur_model *m, enum ur_stream stream, uint64_t key);
/* One draw of a validated distribution (prepared for the call); NOMEM fails the run. */
double model_sample(struct ur_model *m, const struct ur_dist *dist, gsl_rng *rng);
#define MODEL_KEY(purpose, index, sub)                                                  \
	(((uint64_t)(purpose) << 48) | ((uint64_t)(index) << 24) | (uint64_t)(sub))
/* "id=ID kind=KIND" of action i. */
void model_action_detail(const struct ur_model *m, size_t i, char *text, size_t size);

/* ---- adjust.c ---- */
/* Prepares the adjusts: each action's parts, the values before adjusts, the cash
 * transfers' reach laws. -1 when out of memory. */
int model_adjust_create(struct ur_model *m);
void model_adjust_destroy(struct ur_model *m);
/* Action i took effect: its adjust parts, cash transfer or curfew start. */
void model_adjust_start(struct ur_model *m, size_t i);
/* The value setting id has before adjusts in region r changed (a price step):
 * recomputes the value with the adjusts in force. */
void model_adjust_rebase(struct ur_model *m, enum ur_adjustable_id id, size_t r,
			 double base);
/* The relief of the cash transfers that have reached `agent` of region r by t, in
 * utility: w_g times the sum of their amounts. */
double model_cash_relief(const struct ur_model *m, size_t r, uint32_t agent, double t);
void model_action_end_handler(struct ur_engine *engine, const struct ur_event *event,
			      void *context);
void model_curfew_edge_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context);

/* ---- elite.c ---- */
/* The security_council action took effect: the elite may answer. */
void model_elite_answer(struct ur_model *m);
/* The elite's part of an arrest sweep (fighters arrested with probability p, per
 * person) and of a clash sweep (fighters among the deaths, recaptures, dispersal). */
void model_elite_arrests(struct ur_model *m);
uint64_t model_elite_clash(struct ur_model *m, uint64_t civilian_deaths); /* returns
	* the fighters killed among the civilian deaths */
/* Civilian deaths in region r leave the pool: persons / agent_scale of its active
 * agents, rounded stochastically, chosen uniformly, turn dead (security.c). */
void model_kill_active(struct ur_model *m, size_t r, double persons);
/* Security deaths in region r leave the forces they belong to: `persons` (a whole
 * number, at most police + guard + troops present) are shared among the police, the
 * guard and the CSTO troops in proportion to each one's part of C_r, a force's share
 * above its persons going to the others, and C_r falls (security.c). */
void model_security_killed(struct ur_model *m, size_t r, double persons);
/* The whole persons of region r's forces who can die in a clash: police (full count),
 * guard and troops, whatever their morale or stand-down (security.c). */
double model_security_persons(const struct ur_model *m, size_t r);
void model_elite_start_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context);
void model_elite_seize_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context);

/* ---- csto.c ---- */
void model_csto_request(struct ur_model *m);
void model_csto_withdraw(struct ur_model *m);
/* `troops` CSTO troops were killed in region r: they leave their contingents (the
 * first in the scenario's order first) and C_r (csto.c). */
void model_csto_killed(struct ur_model *m, size_t r, int64_t troops);
void model_csto_decision_handler(struct ur_engine *engine, const struct ur_event *event,
				 void *context);
void model_csto_flight_handler(struct ur_engine *engine, const struct ur_event *event,
			       void *context);
void model_csto_departure_handler(struct ur_engine *engine, const struct ur_event *event,
				  void *context);

/* ---- state setters for the response (model.c); each takes effect at m->now ---- */
void model_set_legitimacy(struct ur_model *m, size_t r, double legitimacy);
void model_set_politicization(struct ur_model *m, double politicization);
/* The fuel price ratio of region r; its fuel term follows (ur_fuel_grievance). */
void model_set_price(struct ur_model *m, size_t r, double ratio);
/* The multipliers of the curfews within their hours in region r. */
void model_set_curfew(struct ur_model *m, size_t r, double risk_multiplier,
		      double reconsider_multiplier, double exit_multiplier);
void model_set_internet(struct ur_model *m, size_t r, enum ur_net_state state);
void model_set_emergency(struct ur_model *m, size_t r, bool on, double risk_multiplier,
			 double reconsider_multiplier);
void model_set_repression(struct ur_model *m, double repression);
void model_set_lethality(struct ur_model *m, double lethality);
void model_set_security(struct ur_model *m, size_t r, double guard, double csto,
			double stand_down);
void model_set_fighters(struct ur_model *m, size_t r, unsigned fighters,
			unsigned facilities_held);

#endif /* UNREST_SIM_MODEL_INTERNAL_H */
