/*
 * params.h: the validated parameters of one scenario, as plain C structs, their
 * defaults, and overrides applied to them.
 *
 * Model: the settings schema (sim/params/schema.c) describes every field of struct
 * ur_params once: its path as a scenario file spells it, type, unit, range, default
 * and meaning. The params module (sim/params) walks it to give the defaults
 * (ur_params_defaults), to apply an override PATH=VALUE to a struct (ur_params_set),
 * to check the settings against one another (ur_params_check_across), and to print;
 * it needs no libconfig, so the model and its tests link without it. The scenario
 * module (scenario.h) sits above: it reads a libconfig file, its base files and the
 * --set overrides, walks the same schema over them, and fills one struct ur_params.
 * The model reads nothing else: it never sees a file, a path or a string it has to
 * look up. Every section of DESIGN.md section 5 has a struct here; the setting that
 * fills each field is named in the field's comment as it is spelled in a scenario
 * file (docs/scenario-reference.md lists them all with their ranges and defaults). A
 * new setting is one field here and one line of the schema.
 *
 * Units: times and durations in hours (from scenario.start, or of a span), rates per
 * hour, counts of persons in persons (never agents), money in US dollars, shares and
 * probabilities in [0, 1], distances in kilometres, angles in decimal degrees.
 *
 * Invariants (hold after a successful ur_scenario_load; the model may assert them):
 *   - arrays are fixed-size with the maxima below; `n...` counts the items in use, and
 *     items past the count are zeroed;
 *   - references between sections are indices, already resolved and in range: a
 *     region index is < ur_params.nregions, an action index < government.nactions, a
 *     facility index < the region's nfacilities; UR_NONE (-1) marks "none" where the
 *     comment allows it;
 *   - `after` triggers form no cycle, and an action's `after` names another action;
 *   - every struct ur_dist has passed ur_dist_validate(); the arrays of a discrete
 *     distribution (values, weights) are owned by the struct ur_scenario the params
 *     came from, so a copy of ur_params stays valid only as long as that scenario;
 *   - no field is NaN or infinite except where its comment says so.
 *
 * Error policy: ur_params_set and ur_params_check_across say whether a value passes;
 * the messages, with the file and line of each setting, are the scenario module's.
 */
#ifndef UNREST_PARAMS_H
#define UNREST_PARAMS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unrest/dist.h"

/* Maxima of the fixed-size arrays; a scenario that needs more is refused with a
 * message naming the limit. */
#define UR_MAX_REGIONS 256         /* regions in one scenario; at most 256: the model
                                    * keeps a region index in 8 bits of an agent's
                                    * tag (sim/model/model_internal.h) */
#define UR_MAX_FACILITIES 16       /* key facilities of one region */
#define UR_MAX_ACTIONS 64          /* government actions */
#define UR_MAX_CONTINGENTS 16      /* CSTO contingents */
#define UR_MAX_SEIZE UR_MAX_FACILITIES /* facilities the elite sets out to seize */
#define UR_ID_SIZE 32              /* ids: at most 31 bytes, [A-Za-z_][A-Za-z0-9_-]* */
/* The length of the id at the start of s[0, len): the longest prefix of the form
 * [A-Za-z_][A-Za-z0-9_-]*, 0 when s does not begin with one. The one rule of ids, for
 * the scenario's loader and for readers of ids in the outputs (region_onsets). An id
 * must also be shorter than UR_ID_SIZE. */
size_t ur_id_length(const char *s, size_t len);
#define UR_NAME_SIZE 64            /* names: at most 63 bytes of UTF-8 */
#define UR_TEXT_SIZE 256           /* free text (scenario.description) */
#define UR_PATH_SIZE 1024          /* a file a scenario names (scenario.record,
                                    * scenario.posterior) */

/* Limits of a run, each one constant read by the schema (a scenario that exceeds one
 * is refused when it loads, by `check` as by `run`) and by the drivers. */
#define UR_MAX_REPLICATIONS 1000000u   /* replications of a run or sweep point */
#define UR_MAX_BASE_DEPTH 16           /* base files under a scenario */
#define UR_MAX_SEED INT64_MAX          /* master seeds: scenario.seed, -s */
/* The model numbers agents with 32 bits (model.h: it refuses 2^32 - 1 agents or
 * more), and a replication keeps its rows of national.csv and timeseries.csv in
 * memory (about 80 bytes a row) until they are written. */
#define UR_MAX_AGENTS 4294967295.0
#define UR_MAX_SAMPLE_ROWS 10000000.0

/* The "no index" value of an index field that allows none. */
#define UR_NONE (-1)

/* A set of regions, as indices in ascending order without repeats. `all` is true when
 * the file named no regions (the default of every regions list): then idx holds every
 * region 0 .. nregions-1 and n equals ur_params.nregions. */
struct ur_region_set {
	bool all;
	size_t n;
	int idx[UR_MAX_REGIONS];
};

/* ---- scenario: what is run, when, and at what resolution ------------------------ */
struct ur_scenario_params {
	char name[UR_NAME_SIZE];        /* scenario.name */
	char description[UR_TEXT_SIZE]; /* scenario.description (may be empty) */
	char start_text[40];            /* scenario.start as written, ISO 8601 with offset */
	int64_t start_epoch;            /* scenario.start: seconds since 1970-01-01T00:00Z */
	int32_t utc_offset_s;           /* scenario.start's offset from UTC, seconds */
	double horizon_h;               /* scenario.horizon: length of a run, hours, > 0 */
	double sample_interval_h;       /* scenario.sample_interval: hours between rows of
					 * national.csv and timeseries.csv, > 0 */
	double agent_scale;             /* scenario.agent_scale: persons per agent, >= 1 */
	unsigned replications;          /* scenario.replications: default replications, >= 1 */
	uint64_t seed;                  /* scenario.seed: master seed, < 2^63 */
	uint64_t max_events;            /* scenario.max_events: a replication that would run
					 * more model events fails (model.h), >= 1 */
	char record[UR_PATH_SIZE];      /* scenario.record: the historical record's facts
					 * (docs/record.md), an absolute path once loaded;
					 * empty: the scenario has none */
	char regions_file[UR_PATH_SIZE]; /* scenario.regions_file: its regions, likewise */
	char posterior[UR_PATH_SIZE];   /* scenario.posterior: a posterior file (posterior.h)
					 * each replication draws its values from; "" for
					 * none. After a load, the file's absolute name. */
};

/* ---- regions ----------------------------------------------------------------------- */
struct ur_facility {
	char id[UR_ID_SIZE];            /* regions.[i].facilities.[j].id, unique in region */
	char name[UR_NAME_SIZE];        /* regions.[i].facilities.[j].name */
};

struct ur_region {
	char id[UR_ID_SIZE];            /* regions.[i].id, unique */
	char name[UR_NAME_SIZE];        /* regions.[i].name */
	int64_t population;             /* regions.[i].population: persons, > 0 */
	double lat, lon;                /* regions.[i].lat, .lon: centre, degrees */
	double hardship;                /* regions.[i].hardship: index in [0, 1]; scales the
					 * agents' drawn hardship h (h_agent * hardship) */
	double lpg_share;               /* regions.[i].lpg_share: share of livelihoods that
					 * depend on LPG, [0, 1] (the bernoulli p of `lpg`) */
	double police;                  /* regions.[i].police: security persons on duty at
					 * the start, >= 0 (times security.police_scale) */
	double eta;                     /* regions.[i].eta: weight of hardship in this
					 * region's grievance; NAN when not set: use
					 * agents.eta (the model reads ur_region_eta()) */
	double adult_share;             /* regions.[i].adult_share: share of the population
					 * of age to take part (18 and over), (0, 1]; every
					 * adult is a possible participant (docs/model.md,
					 * "Who can act") */
	double political;               /* regions.[i].political: multiplier of political
					 * grievance (pi q) in this region, >= 0: urban
					 * crowds and a history of protest, 1 by default */
	size_t nfacilities;
	struct ur_facility facilities[UR_MAX_FACILITIES]; /* regions.[i].facilities */
};

/* ---- the gravity network of the social signal -------------------------------------
 * w_rs = (1 - nationwide) * g_rs + nationwide * pop_s / sum_{s' != r} pop_s', with
 * g_rs = pop_r pop_s / max(d_rs, min_distance_km)^distance_exponent, rows normalized,
 * no self term. The nationwide term is the media and online coupling the record needs
 * (protest reached Almaty 1,600 km away within two days); being in the cross-region
 * term, it is cut with connectivity c(t) like the rest of it. */
struct ur_network_params {
	double distance_exponent;       /* network.distance_exponent: >= 0 */
	double min_distance_km;         /* network.min_distance: km, > 0 (neighbouring
					 * centres are not infinitely coupled) */
	double mu;                      /* network.mu: cross-region coupling, [0, 1] */
	double nationwide;              /* network.nationwide: share of the cross-region
					 * signal that is national rather than gravity, [0, 1] */
};

/* ---- agents and their decision (DESIGN.md section 5) --------------------------------
 * G = (1 - L) clamp(eta_r h + lpg sigma_fuel shock_r, 0, 1) + pi q - cash_i
 * (shock_r the fuel term, ur_fuel_grievance; cash_i the relief of cash transfers that
 * have reached agent i)
 * U = w_g G + w_s S + beta_b blackout_r - w_n N - theta - phi H - e0 exp(-S / s_e);
 * active iff U >= 0, H the hours the agent has been active so far (fatigue,
 * docs/model.md), the last term the cost of acting before protest is seen (the
 * example, docs/model.md) */
struct ur_agent_params {
	struct ur_dist hardship;        /* agents.hardship: h, dimensionless */
	struct ur_dist risk_aversion;   /* agents.risk_aversion: rho */
	struct ur_dist grievance;       /* agents.grievance: political grievance q */
	struct ur_dist threshold;       /* agents.threshold: theta */
	bool stratified;                /* agents.stratified: quantile draws (DESIGN 3) */
	double w_g;                     /* agents.w_g: weight of grievance, >= 0 */
	double w_s;                     /* agents.w_s: weight of the social signal, >= 0 */
	double w_n;                     /* agents.w_n: weight of net risk, >= 0 */
	double beta_b;                  /* agents.beta_b: pull of the street in a blackout */
	double eta;                     /* agents.eta: weight of hardship (regions.[i].eta
					 * overrides it per region), >= 0 */
	double sigma_fuel;              /* agents.sigma_fuel: weight of the fuel shock for
					 * LPG-dependent agents, >= 0 */
	double k;                       /* agents.k: arrest-risk steepness, > 0 (2.3) */
	double legitimacy0;             /* agents.legitimacy: L at hour 0, [0, 1] */
	double politicization0;         /* agents.politicization: pi at hour 0, [0, 1] */
	double reconsider_rate;         /* agents.reconsider_rate: lambda, per agent-hour,
					 * > 0 */
	double fatigue;                 /* agents.fatigue: phi, utility lost per hour of
					 * participation (U - phi H, H the hours an agent
					 * has been active), >= 0; 0: none */
	double example_cost;            /* agents.example_cost: e0, the cost of acting
					 * where no protest is seen (S = 0), >= 0; 0: none */
	double example_share;           /* agents.example_share: s_e, the social signal
					 * at which that cost has fallen to 1/e, > 0 */
};

/* ---- the fuel price ---------------------------------------------------------------
 * price_r(t) is the fuel price in region r as a ratio to the price before the run (1
 * until a step: 2.0 doubled, 3.0 tripled); each step sets it from its hour in its
 * regions, and the government's price_rollback action (an adjust of fuel.price,
 * docs/model.md) lowers it. The fuel term of grievance is shock_r =
 * ur_fuel_grievance(price_r, gamma): 1 - price_r^-gamma above the old price, 0 at or
 * below it, rising with the price and saturating at 1 (docs/model.md, "Fuel"). */
#define UR_MAX_PRICE_STEPS 16
struct ur_price_step {
	double at_h;                    /* fuel.steps.[i].at: hours, >= 0 */
	double ratio;                   /* fuel.steps.[i].ratio: price over the price
					 * before the run, (0, 1000] */
	struct ur_region_set regions;   /* fuel.steps.[i].regions: default all */
};

struct ur_fuel_params {
	double gamma;                   /* fuel.gamma: curvature of the fuel term, the
					 * fuel's share of a household's budget under
					 * Cobb-Douglas preferences, (0, 10] */
	size_t nsteps;
	struct ur_price_step steps[UR_MAX_PRICE_STEPS]; /* fuel.steps */
};

/* The fuel term of grievance at price ratio `ratio`: the share of real income a
 * Cobb-Douglas household with fuel budget share gamma loses, 1 - ratio^-gamma, when
 * the price is above the old one; no grievance at or below it. In [0, 1). */
static inline double ur_fuel_grievance(double ratio, double gamma)
{
	return ratio > 1.0 ? 1.0 - pow(ratio, -gamma) : 0.0;
}

/* ---- security forces ---------------------------------------------------------------
 * C_r = police_r police_scale morale_r + guard_r + csto_r csto.effectiveness, times
 * (1 - elite.stand_down) in the elite's region while the counter-coup runs.
 * morale falls at morale_fall_rate per hour while A_r / C_r > overwhelm_ratio, to no
 * less than morale_min, and recovers at morale_recovery_rate per hour below it. */
struct ur_security_params {
	double police_scale;            /* security.police_scale: multiplier of every
					 * region's police, > 0 (for calibration sweeps) */
	double overwhelm_ratio;         /* security.overwhelm_ratio: active per security
					 * person above which morale falls, > 0 */
	double morale_fall_rate;        /* security.morale_fall_rate: per hour, >= 0 */
	double morale_recovery_rate;    /* security.morale_recovery_rate: per hour, >= 0 */
	double morale_min;              /* security.morale_min: floor of morale, [0, 1] */
	double guard_reserve;           /* security.guard_reserve: national guard persons
					 * held in reserve at the start, >= 0 */
};

/* ---- arrests -----------------------------------------------------------------------
 * Every interval_h in a region with active agents: Binomial(active agents, p) arrests,
 * p = probability (1 - exp(-C_r / (capacity_ratio A_r))) when capacity_ratio > 0, else
 * p = probability (1 - exp(-k C_r / A_r)) with agents.k (Epstein's estimate made
 * real); p = 0 without security. Each arrested agent is held for a drawn term. */
struct ur_arrest_params {
	double interval_h;              /* arrests.interval: hours, > 0 */
	double probability;             /* arrests.probability: per active agent per sweep */
	double capacity_ratio;          /* arrests.capacity_ratio: active persons per
					 * security person at which p is (1 - 1/e) of
					 * probability; 0 = use agents.k */
	struct ur_dist detention_h;     /* arrests.detention: term in custody, hours */
};

/* ---- casualties --------------------------------------------------------------------
 * Every interval_h in a region with clashes: deaths ~ Binomial(floor(E),
 * 1 - exp(-m / E)), of mean about m while m is small against E, with
 * m = base_rate interval_h (E / 1000)^force_exponent * fighter_multiplier^[fighters in r]
 *     * lethal_force_multiplier^[lethal force ordered] * facility_multiplier^[held in r],
 * E = min(A_r, C_r) the engaged force in persons; injuries = deaths * a drawn ratio;
 * a security_share of the deaths are security personnel. */
struct ur_casualty_params {
	double interval_h;              /* casualties.interval: hours, > 0 */
	double base_rate;               /* casualties.base_rate: deaths per hour per 1000
					 * engaged persons, >= 0 */
	double force_exponent;          /* casualties.force_exponent: growth with E, >= 0 */
	double fighter_multiplier;      /* casualties.fighter_multiplier: >= 1 */
	double lethal_force_multiplier; /* casualties.lethal_force_multiplier: >= 1 (the
					 * lethal_force action may override it) */
	double facility_multiplier;     /* casualties.facility_multiplier: while the elite
					 * holds a facility in r, >= 1 */
	struct ur_dist injury_ratio;    /* casualties.injury_ratio: injured per death */
	double security_share;          /* casualties.security_share: [0, 1] */
};

/* ---- damage in US dollars ---------------------------------------------------------- */
struct ur_damage_params {
	double usd_per_active_hour;     /* damage.per_active_hour: USD per active person-h */
	double looting_multiplier;      /* damage.looting_multiplier: while facilities are
					 * held or police have left their posts, >= 1 */
	double shutdown_usd_per_region_hour; /* damage.shutdown_per_region_hour: USD */
	double soe_usd_per_region_hour; /* damage.emergency_per_region_hour: USD */
};

/* ---- government actions ------------------------------------------------------------ */
enum ur_action_kind {
	UR_ACTION_ENVOYS,
	UR_ACTION_PRICE_ROLLBACK,
	UR_ACTION_ADDRESS,
	UR_ACTION_DISMISS_GOVERNMENT,
	UR_ACTION_STATE_OF_EMERGENCY,
	UR_ACTION_INTERNET_SHUTDOWN,
	UR_ACTION_SECURITY_COUNCIL,
	UR_ACTION_REQUEST_CSTO,
	UR_ACTION_LETHAL_FORCE,
	UR_ACTION_REDEPLOY_GUARD,
	UR_ACTION_ANNOUNCE_WITHDRAWAL,
	UR_ACTION_ADJUST,               /* changes a numeric setting (ur_adjustable) */
	UR_ACTION_CASH_TRANSFER,        /* grievance down, reaching people over time */
	UR_ACTION_CURFEW,               /* risk up, reconsideration slowed, in hours */
	UR_ACTION_DETENTION_SWEEP,      /* those who took part detained after the fact */
	UR_ACTION_KIND_COUNT
};

/* How an adjust changes its setting's value v: to `value`, by adding it, or by
 * multiplying by it. */
enum ur_adjust_op {
	UR_ADJUST_SET,                  /* "set" */
	UR_ADJUST_ADD,                  /* "add" */
	UR_ADJUST_MULTIPLY,             /* "multiply" */
	UR_ADJUST_OP_COUNT
};

/* The settings an adjust may change during a run (docs/scenario-reference.md,
 * "Adjustable settings"): ur_adjustable() says each one's path, scope and range. The
 * regional ones change in the action's regions, the national ones everywhere. */
enum ur_adjustable_id {
	UR_ADJ_LEGITIMACY,              /* agents.legitimacy: L_r, regional */
	UR_ADJ_POLITICIZATION,          /* agents.politicization: pi, national */
	UR_ADJ_W_G,                     /* agents.w_g */
	UR_ADJ_W_S,                     /* agents.w_s */
	UR_ADJ_W_N,                     /* agents.w_n */
	UR_ADJ_BETA_B,                  /* agents.beta_b */
	UR_ADJ_SIGMA_FUEL,              /* agents.sigma_fuel */
	UR_ADJ_K,                       /* agents.k */
	UR_ADJ_RECONSIDER_RATE,         /* agents.reconsider_rate */
	UR_ADJ_MU,                      /* network.mu */
	UR_ADJ_POLICE_SCALE,            /* security.police_scale */
	UR_ADJ_ARREST_PROBABILITY,      /* arrests.probability */
	UR_ADJ_CAPACITY_RATIO,          /* arrests.capacity_ratio */
	UR_ADJ_BASE_RATE,               /* casualties.base_rate */
	UR_ADJ_SECURITY_SHARE,          /* casualties.security_share */
	UR_ADJ_CSTO_EFFECTIVENESS,      /* csto.effectiveness */
	UR_ADJ_REGION_POLICE,           /* regions.police: regional */
	UR_ADJ_REGION_ETA,              /* regions.eta: regional */
	UR_ADJ_FUEL_PRICE,              /* fuel.price: price_r, regional */
	UR_ADJ_COUNT
};

struct ur_adjustable {
	const char *path;               /* as an adjust's `setting` spells it */
	bool regional;                  /* changes in the action's regions */
	double min, max;                /* the range values are kept in: the schema's
					 * range of the setting (fuel.price: of a price
					 * step's ratio) */
	bool min_open;                  /* the range excludes min */
	const char *effect;             /* what a change does during a run, for the
					 * reference page */
};



enum ur_trigger_kind {
	UR_TRIGGER_AT,                  /* at a fixed hour */
	UR_TRIGGER_WHEN,                /* an indicator crosses a value (and holds) */
	UR_TRIGGER_AFTER                /* another action took effect */
};

/* Indicators a `when` trigger watches; national unless a region is named. */
enum ur_indicator {
	UR_IND_ACTIVE,                  /* "active": active persons */
	UR_IND_REGIONS_ACTIVE,          /* "regions_active": regions with at least
					 * outcomes.region_active persons active (national
					 * only) */
	UR_IND_FACILITIES_SEIZED,       /* "facilities_seized": facilities held by the
					 * elite's fighters */
	UR_IND_FORCE_RATIO,             /* "force_ratio": A_r / C_r, the largest over
					 * regions (or the named region's) */
	UR_IND_DEATHS,                  /* "deaths": cumulative deaths */
	UR_IND_COUNT
};

enum ur_compare {
	UR_CMP_GE,                      /* ">=" */
	UR_CMP_GT,                      /* ">" */
	UR_CMP_LE,                      /* "<=" */
	UR_CMP_LT,                      /* "<" */
	UR_CMP_COUNT
};

/* The internet states of a region and of internet_shutdown actions. */
enum ur_net_state {
	UR_NET_ON,
	UR_NET_THROTTLED,
	UR_NET_OFF,
	UR_NET_STATE_COUNT
};

struct ur_trigger {
	enum ur_trigger_kind kind;
	double at_h;                    /* AT: actions.[i].at, hours >= 0 */
	enum ur_indicator indicator;    /* WHEN: actions.[i].when.indicator */
	enum ur_compare op;             /* WHEN: actions.[i].when.op */
	double value;                   /* WHEN: actions.[i].when.value */
	double hold_h;                  /* WHEN: actions.[i].when.hold: hours the condition
					 * must hold without a break, >= 0 */
	int region;                     /* WHEN: actions.[i].when.region, UR_NONE = national */
	int after;                      /* AFTER: actions.[i].after, an action index */
};

/* One government action. It fires once: when its trigger is met, a delay is drawn;
 * when the delay has passed, with `probability` it takes effect (else it never does,
 * and actions `after` it never fire). Fields a kind does not use keep their defaults
 * (a file may not set them: the scenario module refuses them). */
struct ur_action {
	char id[UR_ID_SIZE];            /* government.actions.[i].id, unique */
	enum ur_action_kind kind;       /* .kind */
	struct ur_trigger trigger;      /* .at | .when | .after (exactly one) */
	struct ur_dist delay_h;         /* .delay: decision latency, hours (constant 0) */
	double probability;             /* .probability: that it takes effect, [0, 1] */
	struct ur_region_set regions;   /* .regions: envoys, price_rollback,
					 * state_of_emergency, internet_shutdown,
					 * redeploy_guard (destinations), adjust (of a
					 * regional setting), cash_transfer, curfew,
					 * detention_sweep;
					 * default all */
	double legitimacy_delta;        /* .legitimacy: change of L, [-1, 1]; any kind; for
					 * envoys, in the named regions only */
	double politicization_delta;    /* .politicization: change of pi, [-1, 1]; any kind */
	double ratio;                   /* .ratio: price_rollback, the price ratio after
					 * (below the highest price step of its regions) */
	char setting[UR_NAME_SIZE];     /* .setting: adjust, the path of an adjustable
					 * setting (ur_adjustable_find) */
	enum ur_adjust_op op;           /* .op: adjust */
	double value;                   /* .value: adjust, the operand of op */
	double amount;                  /* .amount: cash_transfer, grievance G taken off
					 * each person reached, [0, 1] */
	struct ur_dist reach_h;         /* .reach: cash_transfer, hours from the action
					 * until a person is reached (one draw a person) */
	double from_hour, to_hour;      /* .from, .to: curfew, local hours of the day
					 * [0, 24) it holds in each day; from > to wraps
					 * midnight (20 to 6) */
	double risk_multiplier;         /* .risk_multiplier: state_of_emergency (soe_r),
					 * curfew (in its hours), >= 1 */
	double reconsider_multiplier;   /* .reconsider_multiplier: state_of_emergency,
					 * curfew (in its hours), on lambda in the named
					 * regions, (0, 1] */
	double exit_multiplier;         /* .exit_multiplier: curfew, on the active
					 * persons' lambda in its hours (they must decide
					 * whether to defy it), [1, 1000] */
	double sweep_rate;              /* .rate: detention_sweep, detentions per hour per
					 * person of the pool (ever active, never detained)
					 * at full coverage by security, (0, 100] */
	enum ur_net_state net_state;    /* .state: internet_shutdown, "off" | "throttled" |
					 * "on" (a restoration) */
	bool has_duration;              /* .duration given: state_of_emergency,
					 * internet_shutdown, adjust, cash_transfer, curfew,
					 * detention_sweep
					 * (else lasts to the horizon) */
	struct ur_dist duration_h;      /* .duration: hours */
	double lethality_multiplier;    /* .lethality: lethal_force, multiplies casualty
					 * rates (replaces casualties.lethal_force_multiplier
					 * when set), >= 1 */
	bool has_lethality;             /* .lethality given */
	double repression_multiplier;   /* .repression: lethal_force, ell, >= 1 */
	double troops;                  /* .troops: redeploy_guard, persons from the
					 * reserve, >= 0 */
	struct ur_dist travel_h;        /* .travel: redeploy_guard, hours to arrive */
};

/* A change to one action, made by a scenario built on a base: lists replace as a whole,
 * so a counterfactual changes an action of its base here, in a few lines, instead of
 * repeating the list. The model applies edits in order (a later one wins) before the
 * run; settings an edit leaves out keep the action's own. */
struct ur_action_edit {
	int action;                     /* government.edits.[i].action: an action index */
	bool has_at;                    /* .at given: */
	double at_h;                    /* .at: replaces the action's trigger by `at` this
					 * hour, >= 0 */
	bool has_delay;                 /* .delay given: */
	struct ur_dist delay_h;         /* .delay: replaces the action's delay, hours */
	bool has_probability;           /* .probability given: */
	double probability;             /* .probability: replaces the action's, [0, 1] */
};

struct ur_government_params {
	size_t nactions;
	struct ur_action actions[UR_MAX_ACTIONS]; /* government.actions */
	size_t nedits;
	struct ur_action_edit edits[UR_MAX_ACTIONS]; /* government.edits */
};

/* ---- adjusts (sim/params/adjust.c) ---- */
struct ur_params;

/* The adjustable setting `id` (< UR_ADJ_COUNT). */
struct ur_adjustable ur_adjustable(enum ur_adjustable_id id);
/* The id of the adjustable setting at `path`, or -1 with *why set to the reason it is
 * not one (a setting fixed once the agents are made, or no setting at all). */
int ur_adjustable_find(const char *path, const char **why);
/* The value the scenario gives setting id in region r (r ignored for national ones),
 * before any adjust: what an adjust's run starts from (fuel.price: 1, the price
 * before the first step). */
double ur_adjustable_base(const struct ur_params *p, enum ur_adjustable_id id, size_t r);
/* One step of an adjust: op applied to v with `value`, then clamped to the setting's
 * range (an open lower bound is never reached: the loader refuses what could reach
 * it). */
double ur_adjust_apply(enum ur_adjustable_id id, enum ur_adjust_op op, double value,
		       double v);

/* What an action changes as adjusts (docs/model.md, "Adjust"): an adjust its own
 * setting; any kind's legitimacy and politicization deltas (add, for good); a
 * price_rollback fuel.price (set, for good). `all_regions`: the part reaches every
 * region rather than the action's regions; `timed`: it ends with the action's
 * drawn duration. */
struct ur_adjust_part {
	enum ur_adjustable_id id;
	enum ur_adjust_op op;
	double value;
	bool all_regions;
	bool timed;
};
#define UR_MAX_ADJUST_PARTS 3
/* The parts of action a, in the order they apply; their number. An adjust whose
 * setting is not adjustable (not loaded) has none. */
size_t ur_action_adjust_parts(const struct ur_action *a,
			      struct ur_adjust_part part[UR_MAX_ADJUST_PARTS]);
/* Whether part of action a reaches region r. */
bool ur_adjust_part_reaches(const struct ur_action *a, const struct ur_adjust_part *part,
			    size_t r);

/* The extremes setting id can reach in region r over a run, whatever adjusts take
 * effect in whatever order: lo <= value <= hi (docs/model.md, "Adjust"). */
void ur_adjust_extremes(const struct ur_params *p, enum ur_adjustable_id id, size_t r,
			double *lo, double *hi);

/* ---- internet ----------------------------------------------------------------------
 * Connectivity of a region: 1 when on, throttled_level or off_level; c(t) is the
 * population-weighted mean. blackout_r is off_street while off, throttled_street while
 * throttled, 0 when on. */
struct ur_internet_params {
	double throttled_level;         /* internet.throttled_level: [0, 1] */
	double off_level;               /* internet.off_level: [0, 1], <= throttled_level */
	double throttled_street;        /* internet.throttled_street: blackout_r, [0, 1] */
	double off_street;              /* internet.off_street: blackout_r, [0, 1] */
};

/* ---- the elite's counter-coup ------------------------------------------------------
 * After a security_council action takes effect: with `probability`, after a drawn
 * delay, a drawn number of fighters appears in `region`, its security stands down by
 * stand_down_share, and the fighters seize seize[0], seize[1], ... one by one after
 * drawn delays. A held facility is retaken at rate
 * recapture_rate (C_r / fighters)^recapture_exponent per hour. With no facility held,
 * fighters disperse at disperse_rate per fighter-hour. */
struct ur_elite_params {
	double probability;             /* elite.probability: [0, 1] (0: no counter-coup) */
	struct ur_dist delay_h;         /* elite.delay: hours after the security_council */
	struct ur_dist fighters;        /* elite.fighters: persons */
	int region;                     /* elite.region: UR_NONE only when probability = 0 */
	double stand_down_share;        /* elite.stand_down: share of C_r lost, [0, 1] */
	size_t nseize;
	int seize[UR_MAX_SEIZE];        /* elite.seize: facility indices in `region`, in
					 * the order they are attacked */
	struct ur_dist seize_delay_h;   /* elite.seize_delay: hours between seizures */
	double recapture_rate;          /* elite.recapture_rate: per hour at ratio 1, >= 0 */
	double recapture_exponent;      /* elite.recapture_exponent: >= 0 */
	double disperse_rate;           /* elite.disperse_rate: per fighter-hour, >= 0 */
};

/* ---- CSTO --------------------------------------------------------------------------
 * A request_csto action is answered with `probability` after a drawn decision delay;
 * then each contingent flies troops_per_flight per flight (the last flight carries the
 * rest), the first after first_flight_h, the next after interval_h each, to its
 * destination regions in turn. After announce_withdrawal (and withdrawal_delay_h) each
 * contingent leaves flight by flight, one flight per withdrawal_interval_h. */
struct ur_contingent {
	char country[UR_ID_SIZE];       /* csto.contingents.[i].country, unique: its id */
	int64_t troops;                 /* .troops: persons, > 0 */
	int64_t troops_per_flight;      /* .per_flight: persons, > 0 */
	struct ur_dist first_flight_h;  /* .first_flight: hours after the decision */
	struct ur_dist interval_h;      /* .interval: hours between flights */
	struct ur_region_set regions;   /* .regions: destinations, default all */
};

struct ur_csto_params {
	double probability;             /* csto.probability: that a request is granted */
	struct ur_dist decision_h;      /* csto.decision: hours from request to decision */
	double effectiveness;           /* csto.effectiveness: security persons one troop
					 * is worth in C_r, >= 0 */
	double freed_police_per_troop;  /* csto.freed_police: police freed from guard duty
					 * per troop guarding facilities, >= 0 (record:
					 * 1,600 freed by about 2,030 troops) */
	struct ur_dist withdrawal_delay_h; /* csto.withdrawal_delay: hours from the
					 * announce_withdrawal action to the first departures */
	struct ur_dist withdrawal_interval_h; /* csto.withdrawal_interval: hours */
	size_t ncontingents;
	struct ur_contingent contingents[UR_MAX_CONTINGENTS]; /* csto.contingents */
};

/* ---- outcomes ----------------------------------------------------------------------
 * Order is restored at the first hour after which national active persons stay under
 * order_threshold for order_window_h. Regime collapse: A_r / C_r in `capital` above
 * collapse_ratio for collapse_h with no CSTO troops arriving. */
struct ur_outcome_params {
	double order_threshold;         /* outcomes.order_threshold: persons, >= 0 */
	double order_window_h;          /* outcomes.order_window: hours, > 0 (24) */
	double region_active;           /* outcomes.region_active: active persons from
					 * which a region counts as joined, > 0 */
	int capital;                    /* outcomes.capital: region index */
	double collapse_ratio;          /* outcomes.collapse_ratio: > 0 */
	double collapse_h;              /* outcomes.collapse_hours: hours, > 0 */
};

/* ---- output ------------------------------------------------------------------------ */
enum ur_events_detail {
	UR_EVENTS_NONE,                 /* "none": no events.csv */
	UR_EVENTS_MAJOR,                /* "major": government, elite, CSTO, internet,
					 * outcome events */
	UR_EVENTS_ALL,                  /* "all": also arrests and clashes with a draw */
	UR_EVENTS_DETAIL_COUNT
};

/* timeseries.csv's interval when output.timeseries_interval is absent: this, or the
 * first whole multiple of scenario.sample_interval above it. */
#define UR_TIMESERIES_INTERVAL_H 6.0

enum ur_compress {
	UR_COMPRESS_NONE,               /* "none": NAME.csv */
	UR_COMPRESS_GZIP,               /* "gzip": NAME.csv.gz */
	UR_COMPRESS_COUNT
};

/* The columns of one table a run writes, by name: the loader checks the names against
 * the table (output.h, ur_table_columns), and the writer adds the table's key
 * columns (rep, hour, region) and writes them in the table's order. Not given: the
 * table's default columns (every one but `time`). */
#define UR_MAX_COLUMNS 64
struct ur_column_set {
	bool given;
	size_t n;
	char names[UR_MAX_COLUMNS][UR_ID_SIZE];
};

struct ur_output_params {
	bool summary;                   /* output.summary: write summary.csv */
	bool national;                  /* output.national: write national.csv */
	bool timeseries;                /* output.timeseries: write timeseries.csv */
	enum ur_events_detail events;   /* output.events */
	struct ur_region_set regions;   /* output.regions: timeseries.csv's regions */
	struct ur_column_set national_columns;   /* output.national_columns */
	struct ur_column_set timeseries_columns; /* output.timeseries_columns */
	bool has_timeseries_interval;   /* output.timeseries_interval given */
	double timeseries_interval_h;   /* output.timeseries_interval: hours, a whole
					 * multiple of scenario.sample_interval; absent:
					 * UR_TIMESERIES_INTERVAL_H or the next multiple */
	enum ur_compress compress;      /* output.compress */
	bool point_series;              /* output.point_series: a sweep writes, per point,
					 * the national series' mean and percentiles by
					 * sample (point_series.csv) */
};

/* ---- everything -------------------------------------------------------------------- */
struct ur_params {
	struct ur_scenario_params scenario;
	size_t nregions;
	struct ur_region regions[UR_MAX_REGIONS];
	struct ur_network_params network;
	struct ur_agent_params agents;
	struct ur_fuel_params fuel;
	struct ur_security_params security;
	struct ur_arrest_params arrests;
	struct ur_casualty_params casualties;
	struct ur_damage_params damage;
	struct ur_government_params government;
	struct ur_internet_params internet;
	struct ur_elite_params elite;
	struct ur_csto_params csto;
	struct ur_outcome_params outcomes;
	struct ur_output_params output;
};

/* Every how many samples timeseries.csv has a row of each region (>= 1): the given
 * interval over the samples' (the loader refuses one that is not a whole multiple),
 * or UR_TIMESERIES_INTERVAL_H taken up to the next multiple. */
static inline unsigned long ur_timeseries_every(const struct ur_params *p)
{
	double ratio = (p->output.has_timeseries_interval ? p->output.timeseries_interval_h
						       : UR_TIMESERIES_INTERVAL_H) /
		       p->scenario.sample_interval_h;
	double m = p->output.has_timeseries_interval ? nearbyint(ratio) : ceil(ratio - 1e-9);
	return m >= 1.0 && m < 1e9 ? (unsigned long)m : 1;
}

/* The weight of hardship in region r's grievance: its own eta, else agents.eta. */
static inline double ur_region_eta(const struct ur_params *p, size_t r)
{
	double eta = p->regions[r].eta;
	return isnan(eta) ? p->agents.eta : eta;
}

/* Region r's pool, n_r = round(population_r * adult_share_r / agent_scale): every
 * adult, in agents, as a double. The model makes an agent only of those who can ever
 * act (docs/model.md, "Who can act"); the loader refuses a scenario whose pools would
 * not fit the model's 32-bit agent numbers even if everyone could. */
static inline double ur_region_agents(const struct ur_params *p, size_t r)
{
	return round((double)p->regions[r].population * p->regions[r].adult_share /
		     p->scenario.agent_scale);
}

/* Names as scenario files spell them ("state_of_emergency", "regions_active", ">=",
 * "throttled", "major"); the scenario module and the output layer share them. NULL for
 * a value out of range. */
const char *ur_action_kind_name(enum ur_action_kind kind);
const char *ur_indicator_name(enum ur_indicator indicator);
const char *ur_compare_name(enum ur_compare op);
const char *ur_net_state_name(enum ur_net_state state);
const char *ur_events_detail_name(enum ur_events_detail detail);
const char *ur_adjust_op_name(enum ur_adjust_op op);

/* ---- defaults, overrides and checks (sim/params) ------------------------------------ */

/* Every setting at its schema default: no regions, no actions, no contingents, every
 * region set `all` (of no regions yet), settings without a default zero (name, start)
 * and optional ones absent. A test or a program builds a scenario from this by adding
 * items (ur_params_add) and overriding fields. */
void ur_params_defaults(struct ur_params *p);

/* Appends an item at its defaults to the list at `list` ("regions",
 * "government.actions", "government.edits", "csto.contingents",
 * "regions.[i].facilities" is not a list of items with defaults) and returns it, or
 * NULL when the list is full or unknown. Region sets that are `all` are widened to a
 * new region. */
void *ur_params_add(struct ur_params *p, const char *list);

/* Applies one override "PATH=VALUE" (PATH as scenario files and --set spell it: a.b,
 * list items by [N] or [id]) to p through the schema, the value checked against the
 * setting's type and range. 0 when applied; -1, with p unchanged, when the override
 * is not one this fast path can judge exactly as a file would be judged: an unknown
 * path, a bad value, a value out of range, or a setting whose change reaches beyond
 * its field (an id, an action's kind or trigger, a region reference, a distribution's
 * family or an optional parameter, a string, a time). The scenario module then
 * judges it on the file's tree, with its messages. */
int ur_params_set(struct ur_params *p, const char *set);

/* Whether paths a and b (as --set spells them) name one setting of p: the same field
 * whether a list item is addressed by [N] or by [id] (`government.actions.[8].delay`
 * and `government.actions.[blackout].delay` when the blackout is item 8), and a
 * lognormal's `mu` and `median` (mu = log median: one value given either way). 0 when
 * either names no setting of p. */
int ur_params_same_setting(const struct ur_params *p, const char *a, const char *b);

/* Checks between settings that pass on their own (a rollback after the rise, off
 * level under throttled, the run's size, the elite's region): for each failure,
 * report(context, path, where, message) with the path the message names, up to two
 * settings (NULL-terminated) that locate it in a file, and the message's words.
 * Returns the number of failures. report may be NULL to count only. */
typedef void (*ur_params_report_fn)(void *context, const char *path,
				    const char *const where[3], const char *message);
size_t ur_params_check_across(const struct ur_params *p, ur_params_report_fn report,
			      void *context);

/* Writes p as a scenario file: the printout ur_scenario_text gives for the scenario
 * these params came from (every setting in schema order, reals exact). 0 or -1. */
int ur_params_write(const struct ur_params *p, FILE *stream);

/* Writes text as a libconfig string literal with its quotes: backslash and quote
 * escaped, LF, CR and tab as \n, \r, \t, other control bytes as \xHH, other bytes
 * (UTF-8) as they are. 0 or -1. The one writer of string literals (literal.c): the
 * printout, manifests and sweep.cfg use it. */
int ur_config_string_write(FILE *stream, const char *text);

/* The table of every setting (path, type, unit, range, default, meaning) in Markdown,
 * as it stands in docs/scenario-reference.md between its schema markers. 0 or -1. */
int ur_params_write_reference(FILE *stream);

/* ---- times (timefmt.c) ---------------------------------------------------------------- */

/* ISO 8601 local time with offset, "2022-01-01T00:00:00+06:00" (seconds optional,
 * "Z" for +00:00): 0 with the instant as seconds since 1970-01-01T00:00:00Z and the
 * offset in seconds, or -1 when the text is not such a time or not a valid date. */
int ur_time_parse(const char *text, int64_t *epoch, int32_t *offset_s);

/* The instant `hour` hours after the scenario's start, in the start's offset, as
 * "2022-01-05T19:00:00+06:00", rounded to the nearest second. buf needs
 * UR_TIME_TEXT_SIZE bytes; returns buf. hour must be finite and |hour| < 1e9. */
#define UR_TIME_TEXT_SIZE 40
char *ur_time_format(const struct ur_scenario_params *scenario, double hour,
		     char buf[UR_TIME_TEXT_SIZE]);

#endif /* UNREST_PARAMS_H */
