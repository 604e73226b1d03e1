/*
 * schema.c: the table of every scenario setting (see schema.h), the parameters of the
 * distribution families, and the names of the model's enums as files spell them.
 *
 * Ranges are the physically or logically possible values, widened where a sweep might
 * reasonably go; they catch typos and unit mistakes (minutes for hours, a percentage
 * for a share), not implausible calibrations. A range must also give a run that
 * finishes: no interval is under a second, no multiplier of a rate exceeds MULT_MAX,
 * and scenario.max_events bounds the rest (docs/model.md, "Bounded runs"). Defaults
 * make a file that sets only the required settings a plain Epstein model with no
 * government, elite or CSTO.
 */
#include "schema.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "unrest/output.h"
#include "unrest/params.h"

/* ---- enum names ------------------------------------------------------------------- */

static const char *const action_kind_names[UR_ACTION_KIND_COUNT] = {
	[UR_ACTION_ENVOYS] = "envoys",
	[UR_ACTION_PRICE_ROLLBACK] = "price_rollback",
	[UR_ACTION_ADDRESS] = "address",
	[UR_ACTION_DISMISS_GOVERNMENT] = "dismiss_government",
	[UR_ACTION_STATE_OF_EMERGENCY] = "state_of_emergency",
	[UR_ACTION_INTERNET_SHUTDOWN] = "internet_shutdown",
	[UR_ACTION_SECURITY_COUNCIL] = "security_council",
	[UR_ACTION_REQUEST_CSTO] = "request_csto",
	[UR_ACTION_LETHAL_FORCE] = "lethal_force",
	[UR_ACTION_REDEPLOY_GUARD] = "redeploy_guard",
	[UR_ACTION_ANNOUNCE_WITHDRAWAL] = "announce_withdrawal",
	[UR_ACTION_ADJUST] = "adjust",
	[UR_ACTION_CASH_TRANSFER] = "cash_transfer",
	[UR_ACTION_CURFEW] = "curfew",
	[UR_ACTION_DETENTION_SWEEP] = "detention_sweep",
};

static const char *const adjust_op_names[UR_ADJUST_OP_COUNT] = {
	[UR_ADJUST_SET] = "set",
	[UR_ADJUST_ADD] = "add",
	[UR_ADJUST_MULTIPLY] = "multiply",
};

static const char *const indicator_names[UR_IND_COUNT] = {
	[UR_IND_ACTIVE] = "active",
	[UR_IND_REGIONS_ACTIVE] = "regions_active",
	[UR_IND_FACILITIES_SEIZED] = "facilities_seized",
	[UR_IND_FORCE_RATIO] = "force_ratio",
	[UR_IND_DEATHS] = "deaths",
};

static const char *const compare_names[UR_CMP_COUNT] = {
	[UR_CMP_GE] = ">=",
	[UR_CMP_GT] = ">",
	[UR_CMP_LE] = "<=",
	[UR_CMP_LT] = "<",
};

static const char *const net_state_names[UR_NET_STATE_COUNT] = {
	[UR_NET_ON] = "on",
	[UR_NET_THROTTLED] = "throttled",
	[UR_NET_OFF] = "off",
};

static const char *const events_detail_names[UR_EVENTS_DETAIL_COUNT] = {
	[UR_EVENTS_NONE] = "none",
	[UR_EVENTS_MAJOR] = "major",
	[UR_EVENTS_ALL] = "all",
};

#define NAME_OF(table, value) \
	((size_t)(value) < sizeof(table) / sizeof((table)[0]) ? (table)[(value)] : NULL)

const char *ur_action_kind_name(enum ur_action_kind kind)
{
	return NAME_OF(action_kind_names, kind);
}

const char *ur_indicator_name(enum ur_indicator indicator)
{
	return NAME_OF(indicator_names, indicator);
}

const char *ur_compare_name(enum ur_compare op)
{
	return NAME_OF(compare_names, op);
}

const char *ur_net_state_name(enum ur_net_state state)
{
	return NAME_OF(net_state_names, state);
}

const char *ur_events_detail_name(enum ur_events_detail detail)
{
	return NAME_OF(events_detail_names, detail);
}

const char *ur_adjust_op_name(enum ur_adjust_op op)
{
	return NAME_OF(adjust_op_names, op);
}

/* Enums are stored through an int; the loader relies on their being int-sized. */
_Static_assert(sizeof(enum ur_action_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ur_indicator) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ur_compare) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ur_net_state) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ur_events_detail) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ur_adjust_op) == sizeof(int), "enum size");

/* ---- distribution families -------------------------------------------------------- */

static const struct sc_dist_param_info dist_params[SC_DP_COUNT] = {
	[SC_DP_VALUE] = { "value", offsetof(struct ur_dist, value) },
	[SC_DP_MIN] = { "min", offsetof(struct ur_dist, min) },
	[SC_DP_MAX] = { "max", offsetof(struct ur_dist, max) },
	[SC_DP_MODE] = { "mode", offsetof(struct ur_dist, mode) },
	[SC_DP_MEAN] = { "mean", offsetof(struct ur_dist, mean) },
	[SC_DP_SD] = { "sd", offsetof(struct ur_dist, sd) },
	[SC_DP_MU] = { "mu", offsetof(struct ur_dist, mu) },
	[SC_DP_SIGMA] = { "sigma", offsetof(struct ur_dist, sigma) },
	[SC_DP_MEDIAN] = { "median", offsetof(struct ur_dist, median) },
	[SC_DP_SHAPE] = { "shape", offsetof(struct ur_dist, shape) },
	[SC_DP_SCALE] = { "scale", offsetof(struct ur_dist, scale) },
	[SC_DP_ALPHA] = { "alpha", offsetof(struct ur_dist, alpha) },
	[SC_DP_BETA] = { "beta", offsetof(struct ur_dist, beta) },
	[SC_DP_P] = { "p", offsetof(struct ur_dist, p) },
	[SC_DP_TRIALS] = { "trials", offsetof(struct ur_dist, trials) },
	[SC_DP_VALUES] = { "values", offsetof(struct ur_dist, values) },
	[SC_DP_WEIGHTS] = { "weights", offsetof(struct ur_dist, weights) },
};

const struct sc_dist_param_info *sc_dist_param(enum sc_dist_param param)
{
	assert((size_t)param < SC_DP_COUNT);
	return &dist_params[param];
}

static const struct sc_dist_family_info dist_families[UR_DIST_FAMILY_COUNT] = {
	[UR_DIST_CONSTANT] = { { SC_DP_VALUE }, 1, { 0 }, 0, "value" },
	[UR_DIST_UNIFORM] = { { SC_DP_MIN, SC_DP_MAX }, 2, { 0 }, 0, "min and max" },
	[UR_DIST_EXPONENTIAL] = { { SC_DP_MEAN }, 1, { 0 }, 0, "mean" },
	[UR_DIST_NORMAL] = { { SC_DP_MEAN, SC_DP_SD }, 2, { SC_DP_MIN, SC_DP_MAX }, 2,
			     "mean and sd, and optionally min and max" },
	[UR_DIST_LOGNORMAL] = { { SC_DP_SIGMA }, 1, { SC_DP_MEDIAN, SC_DP_MU }, 2,
				"median or mu, and sigma" },
	[UR_DIST_GAMMA] = { { SC_DP_SHAPE, SC_DP_SCALE }, 2, { 0 }, 0, "shape and scale" },
	[UR_DIST_WEIBULL] = { { SC_DP_SHAPE, SC_DP_SCALE }, 2, { 0 }, 0, "shape and scale" },
	[UR_DIST_BETA] = { { SC_DP_ALPHA, SC_DP_BETA }, 2, { 0 }, 0, "alpha and beta" },
	[UR_DIST_TRIANGULAR] = { { SC_DP_MIN, SC_DP_MODE, SC_DP_MAX }, 3, { 0 }, 0,
				 "min, mode and max" },
	[UR_DIST_POISSON] = { { SC_DP_MEAN }, 1, { 0 }, 0, "mean" },
	[UR_DIST_BINOMIAL] = { { SC_DP_TRIALS, SC_DP_P }, 2, { 0 }, 0, "trials and p" },
	[UR_DIST_BERNOULLI] = { { SC_DP_P }, 1, { 0 }, 0, "p" },
	[UR_DIST_DISCRETE] = { { SC_DP_VALUES, SC_DP_WEIGHTS }, 2, { 0 }, 0,
			       "values and weights" },
};

const struct sc_dist_family_info *sc_dist_family(enum ur_dist_family family)
{
	assert((size_t)family < UR_DIST_FAMILY_COUNT);
	return &dist_families[family];
}

/* ---- helpers ------------------------------------------------------------------------ */

bool sc_reads_as_missing(const char *v)
{
	/* pandas' default na_values (io/parsers: STR_NA_VALUES) and R's "NA"; compared
	 * without regard to case, as a spreadsheet or another reader may fold it. */
	static const char *const words[] = {
		"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
		"1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
		"nan", "null",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		const char *a = v, *b = words[i];
		while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
			a++, b++;
		if (!*a && !*b)
			return true;
	}
	return false;
}

size_t sc_edit_distance(const char *a, const char *b, size_t limit)
{
	/* Two rows of the Wagner-Fischer table; names are short (ids and setting names
	 * of at most a few dozen bytes), longer ones are simply "far". */
	enum { MAXLEN = 64 };
	size_t la = strlen(a), lb = strlen(b);
	size_t prev[MAXLEN + 1], cur[MAXLEN + 1];

	if (la > MAXLEN || lb > MAXLEN)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t row_min;
		cur[0] = i;
		row_min = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1;
			size_t ins = cur[j - 1] + 1;
			size_t best = sub < del ? sub : del;
			cur[j] = best < ins ? best : ins;
			if (cur[j] < row_min)
				row_min = cur[j];
		}
		if (row_min > limit)
			return limit + 1;
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb] <= limit ? prev[lb] : limit + 1;
}

const struct sc_node *sc_child(const struct sc_node *node, const char *name)
{
	for (size_t i = 0; i < node->nchildren; i++)
		if (strcmp(node->children[i].name, name) == 0)
			return &node->children[i];
	return NULL;
}

bool sc_used_by_kind(const struct sc_node *node, int kind)
{
	return node->kinds == 0 || (node->kinds & (1u << kind)) != 0;
}

/* ---- the table ---------------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define BIG 1e12                 /* "no practical upper bound" for money and persons */
#define HMAX 1e6                 /* hours: about 114 years */
#define SECOND_H (1.0 / 3600.0)  /* one second in hours: the shortest interval */
#define MULT_MAX 1000            /* the largest multiplier of a rate */

/* Scalars: NAME, struct, field, min, max, flags, default, unit, meaning. */
#define REAL(nm, st, fld, lo, hi, fl, dv, un, dc)                                    \
	{ .name = nm, .type = SC_REAL, .flags = (fl), .offset = offsetof(st, fld),    \
	  .has_offset = SC_NO_FLAG, .min = (lo), .max = (hi), .def = (dv),          \
	  .unit = un, .doc = dc }
#define OPTREAL(nm, st, fld, hasfld, lo, hi, fl, un, dc)                               \
	{ .name = nm, .type = SC_REAL, .flags = (fl) | SC_OPTIONAL,                   \
	  .offset = offsetof(st, fld), .has_offset = offsetof(st, hasfld),            \
	  .min = (lo), .max = (hi), .unit = un, .doc = dc }
#define INTEGER(ty, nm, st, fld, lo, hi, fl, dv, un, dc)                             \
	{ .name = nm, .type = ty, .flags = (fl), .offset = offsetof(st, fld),         \
	  .has_offset = SC_NO_FLAG, .min = (lo), .max = (hi), .def = (dv),          \
	  .unit = un, .doc = dc }
#define BOOL(nm, st, fld, dv, dc)                                                     \
	{ .name = nm, .type = SC_BOOL, .offset = offsetof(st, fld),                   \
	  .has_offset = SC_NO_FLAG, .def = (dv), .unit = "", .doc = dc }
#define STRING(nm, st, fld, fl, dv, dc)                                               \
	{ .name = nm, .type = SC_STRING, .flags = (fl), .offset = offsetof(st, fld),  \
	  .has_offset = SC_NO_FLAG, .max = (double)(sizeof(((st *)0)->fld) - 1),      \
	  .sdef = dv, .unit = "", .doc = dc }
#define ID(nm, st, fld, fl, dc)                                                       \
	{ .name = nm, .type = SC_ID, .flags = (fl), .offset = offsetof(st, fld),      \
	  .has_offset = SC_NO_FLAG, .max = UR_ID_SIZE - 1, .unit = "", .doc = dc }
#define ENUM(nm, st, fld, fl, dv, tbl, dc)                                            \
	{ .name = nm, .type = SC_ENUM, .flags = (fl), .offset = offsetof(st, fld),    \
	  .has_offset = SC_NO_FLAG, .def = (dv), .names = tbl, .nnames = COUNT(tbl),  \
	  .unit = "", .doc = dc }
#define DIST(nm, st, fld, dd, un, dc)                                                 \
	{ .name = nm, .type = SC_DIST, .offset = offsetof(st, fld),                   \
	  .has_offset = SC_NO_FLAG, .ddef = dd, .unit = un, .doc = dc }
#define OPTDIST(nm, st, fld, hasfld, un, dc)                                           \
	{ .name = nm, .type = SC_DIST, .flags = SC_OPTIONAL,                          \
	  .offset = offsetof(st, fld), .has_offset = offsetof(st, hasfld),            \
	  .unit = un, .doc = dc }
#define REGION(nm, st, fld, fl, dc)                                                   \
	{ .name = nm, .type = SC_REGION, .flags = (fl), .offset = offsetof(st, fld),  \
	  .has_offset = SC_NO_FLAG, .unit = "", .doc = dc }
#define REGIONS(nm, st, fld, dc)                                                      \
	{ .name = nm, .type = SC_REGIONS, .offset = offsetof(st, fld),                \
	  .has_offset = SC_NO_FLAG, .unit = "", .doc = dc }
#define GROUP(nm, st, fld, ch, dc)                                                    \
	{ .name = nm, .type = SC_GROUP, .offset = offsetof(st, fld),                  \
	  .has_offset = SC_NO_FLAG, .children = ch, .nchildren = COUNT(ch),           \
	  .unit = "", .doc = dc }
#define LIST(nm, st, fld, cnt, item, maxn, fl, ch, dc)                                \
	{ .name = nm, .type = SC_LIST, .flags = (fl), .offset = offsetof(st, fld),    \
	  .has_offset = SC_NO_FLAG, .count_offset = offsetof(st, cnt),                \
	  .item_size = sizeof(item), .min = 0, .max = (maxn), .children = ch,         \
	  .nchildren = COUNT(ch), .unit = "", .doc = dc }

#define K(kind) (1u << UR_ACTION_##kind)
#define OPEN SC_MIN_OPEN
#define REQ SC_REQUIRED

static const struct sc_dist_default dd_uniform01 = {
	UR_DIST_UNIFORM, 2, { { SC_DP_MIN, 0.0 }, { SC_DP_MAX, 1.0 } }
};
static const struct sc_dist_default dd_threshold = {
	UR_DIST_CONSTANT, 1, { { SC_DP_VALUE, 0.1 } }
};
static const struct sc_dist_default dd_zero = {
	UR_DIST_CONSTANT, 1, { { SC_DP_VALUE, 0.0 } }
};
static const struct sc_dist_default dd_detention = {
	UR_DIST_LOGNORMAL, 2, { { SC_DP_MEDIAN, 72.0 }, { SC_DP_SIGMA, 0.5 } }
};
static const struct sc_dist_default dd_injury = {
	UR_DIST_LOGNORMAL, 2, { { SC_DP_MEDIAN, 15.0 }, { SC_DP_SIGMA, 0.5 } }
};
static const struct sc_dist_default dd_travel = {
	UR_DIST_CONSTANT, 1, { { SC_DP_VALUE, 6.0 } }
};
static const struct sc_dist_default dd_elite_delay = {
	UR_DIST_LOGNORMAL, 2, { { SC_DP_MEDIAN, 2.0 }, { SC_DP_SIGMA, 0.5 } }
};
static const struct sc_dist_default dd_fighters = {
	UR_DIST_LOGNORMAL, 2, { { SC_DP_MEDIAN, 500.0 }, { SC_DP_SIGMA, 0.5 } }
};
static const struct sc_dist_default dd_seize_delay = {
	UR_DIST_EXPONENTIAL, 1, { { SC_DP_MEAN, 2.0 } }
};
static const struct sc_dist_default dd_two_hours = {
	UR_DIST_CONSTANT, 1, { { SC_DP_VALUE, 2.0 } }
};
static const struct sc_dist_default dd_one_hour = {
	UR_DIST_CONSTANT, 1, { { SC_DP_VALUE, 1.0 } }
};

static const struct sc_node scenario_nodes[] = {
	STRING("name", struct ur_scenario_params, name, REQ, NULL,
	       "Name of the scenario, for reports."),
	STRING("description", struct ur_scenario_params, description, 0, "",
	       "What the scenario asks, in a sentence."),
	{ .name = "start", .type = SC_TIME, .flags = REQ,
	  .offset = offsetof(struct ur_scenario_params, start_text),
	  .has_offset = SC_NO_FLAG, .unit = "",
	  .doc = "Local time of hour 0 with its UTC offset, "
		 "\"2022-01-01T00:00:00+06:00\"; output times use this offset." },
	REAL("horizon", struct ur_scenario_params, horizon_h, 0, HMAX, OPEN, 504, "h",
	     "Length of a run."),
	REAL("sample_interval", struct ur_scenario_params, sample_interval_h, SECOND_H, HMAX,
	     0, 1, "h", "Hours between samples, at least a second (1/3600 h): the rows of "
	     "national.csv, and of timeseries.csv every output.timeseries_interval."),
	REAL("agent_scale", struct ur_scenario_params, agent_scale, 1, 1e9, 0, 10,
	     "persons", "Persons one agent stands for (1: a person-level run)."),
	INTEGER(SC_INT, "replications", struct ur_scenario_params, replications, 1,
		UR_MAX_REPLICATIONS,
		0, 10, "", "Replications of a run unless the command line says otherwise."),
	INTEGER(SC_INT64, "seed", struct ur_scenario_params, seed, 0, (double)UR_MAX_SEED,
		0, 1, "", "Master seed of a run unless the command line says otherwise."),
	INTEGER(SC_INT64, "max_events", struct ur_scenario_params, max_events, 1, 1e11, 0,
		1e9, "events", "Budget of model events per replication (decisions included, "
		"samples not): a replication that would run more fails with a message naming "
		"the hour it reached. The default is some 270 times a person-level run of the "
		"reference scenario; 1e11 events take hours."),
	STRING("record", struct ur_scenario_params, record, SC_FILE_PATH, "",
	       "The historical record the scenario is validated against: a CSV file of "
	       "facts in the format of docs/record.md, relative to the file that sets it "
	       "(checked at the load; printed as an absolute path). Empty: none, and "
	       "analysis/record.py refuses to compare the run."),
	STRING("regions_file", struct ur_scenario_params, regions_file, SC_FILE_PATH, "",
	       "The record's regions (docs/record.md): one row per region of the scenario, "
	       "with the same ids; relative to the file that sets it."),
	STRING("posterior", struct ur_scenario_params, posterior, SC_FILE_PATH, "",
	       "A posterior file (CSV: one column per setting, and `weight`; "
	       "docs/calibration.md), relative to the file that names it: each replication "
	       "draws one row by the weights and runs with its values. Printed as the "
	       "file's absolute name. Empty: none."),
};

static const struct sc_node facility_nodes[] = {
	ID("id", struct ur_facility, id, REQ | SC_KEY,
	   "Id of the facility, unique in its region."),
	STRING("name", struct ur_facility, name, 0, "", "Name of the facility."),
};

static const struct sc_node region_nodes[] = {
	ID("id", struct ur_region, id, REQ | SC_KEY | SC_CSV_WORD,
	   "Id of the region, unique; actions and contingents name regions by it. "
	   "Not a word R or pandas reads as missing (NA, NaN, null, None)."),
	STRING("name", struct ur_region, name, REQ, NULL, "Name of the region."),
	INTEGER(SC_INT64, "population", struct ur_region, population, 0, 1e10,
		REQ | OPEN, 0, "persons", "Population."),
	REAL("lat", struct ur_region, lat, -90, 90, REQ, 0, "deg",
	     "Latitude of the region's centre."),
	REAL("lon", struct ur_region, lon, -180, 180, REQ, 0, "deg",
	     "Longitude of the region's centre."),
	REAL("hardship", struct ur_region, hardship, 0, 1, 0, 0.5, "1",
	     "Hardship index: scales the hardship h agents draw."),
	REAL("lpg_share", struct ur_region, lpg_share, 0, 1, 0, 0.1, "1",
	     "Share of agents whose living depends on LPG (hit by the fuel price)."),
	REAL("police", struct ur_region, police, 0, BIG, REQ, 0, "persons",
	     "Police on duty at the start (times security.police_scale)."),
	{ .name = "eta", .type = SC_REAL, .flags = SC_OPTIONAL,
	  .offset = offsetof(struct ur_region, eta), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = 100, .unit = "1",
	  .doc = "Weight of hardship in this region's grievance; agents.eta when absent." },
	REAL("adult_share", struct ur_region, adult_share, 0, 1, OPEN, 1, "1",
	     "Share of the population aged 18 and over: every adult may join, and who "
	     "does follows from the agents' distributions and the region's conditions."),
	REAL("political", struct ur_region, political, 0, 10, 0, 1, "1",
	     "Multiplier of political grievance (politicization times q) here: urban "
	     "crowds and a history of protest."),
	LIST("facilities", struct ur_region, facilities, nfacilities, struct ur_facility,
	     UR_MAX_FACILITIES, 0, facility_nodes,
	     "Key facilities the elite's fighters may seize and CSTO troops guard."),
};

static const struct sc_node network_nodes[] = {
	REAL("distance_exponent", struct ur_network_params, distance_exponent, 0, 10, 0,
	     2, "1", "Gravity weights fall with distance to this power."),
	REAL("min_distance", struct ur_network_params, min_distance_km, 0, 1e5, OPEN, 50,
	     "km", "Distances below this count as this (no infinite coupling)."),
	REAL("mu", struct ur_network_params, mu, 0, 1, 0, 0.5, "1",
	     "Weight of other regions in the social signal, times connectivity."),
	REAL("nationwide", struct ur_network_params, nationwide, 0, 1, 0, 0.3, "1",
	     "Share of the cross-region signal that is national (media, online) rather "
	     "than gravity."),
};

static const struct sc_node agent_nodes[] = {
	DIST("hardship", struct ur_agent_params, hardship, &dd_uniform01, "1",
	     "Hardship h of an agent (times its region's hardship index)."),
	DIST("risk_aversion", struct ur_agent_params, risk_aversion, &dd_uniform01, "1",
	     "Risk aversion rho."),
	DIST("grievance", struct ur_agent_params, grievance, &dd_uniform01, "1",
	     "Political grievance q."),
	DIST("threshold", struct ur_agent_params, threshold, &dd_threshold, "1",
	     "Activation threshold theta."),
	BOOL("stratified", struct ur_agent_params, stratified, 0,
	     "Draw attributes at the quantiles (i + 0.5)/n, shuffled."),
	REAL("w_g", struct ur_agent_params, w_g, 0, 100, 0, 1, "1", "Weight of grievance G."),
	REAL("w_s", struct ur_agent_params, w_s, 0, 100, 0, 0, "1",
	     "Weight of the social signal S."),
	REAL("w_n", struct ur_agent_params, w_n, 0, 100, 0, 1, "1", "Weight of net risk N."),
	REAL("beta_b", struct ur_agent_params, beta_b, 0, 100, 0, 0, "1",
	     "Pull of the street while the region's internet is off."),
	REAL("eta", struct ur_agent_params, eta, 0, 100, 0, 1, "1",
	     "Weight of hardship in grievance (regions.[N].eta overrides it)."),
	REAL("sigma_fuel", struct ur_agent_params, sigma_fuel, 0, 100, 0, 0, "1",
	     "Grievance of agents who depend on LPG at an unbounded price: their fuel "
	     "term is sigma_fuel (1 - ratio^-gamma) above the old price (a doubling: half)."),
	REAL("k", struct ur_agent_params, k, 0, 100, OPEN, 2.3, "1",
	     "Steepness of the arrest risk P = 1 - exp(-k C/(A + agent_scale))."),
	REAL("legitimacy", struct ur_agent_params, legitimacy0, 0, 1, 0, 0.8, "1",
	     "Legitimacy L of the government at hour 0."),
	REAL("politicization", struct ur_agent_params, politicization0, 0, 1, 0, 0, "1",
	     "Politicization pi at hour 0."),
	REAL("reconsider_rate", struct ur_agent_params, reconsider_rate, 0, 1000, OPEN, 0.5,
	     "1/h", "Rate at which an agent reconsiders, per agent-hour."),
	REAL("fatigue", struct ur_agent_params, fatigue, 0, 100, 0, 0, "1/h",
	     "Fatigue phi: utility lost per hour an agent has been active (U - phi H)."),
	REAL("example_cost", struct ur_agent_params, example_cost, 0, 100, 0, 0, "1",
	     "Cost e0 of acting where no protest is seen: U - e0 exp(-S/example_share), "
	     "S the social signal (own region and, through the network, the others)."),
	REAL("example_share", struct ur_agent_params, example_share, 1e-9, 1, 0, 0.001,
	     "1", "Social signal S (a share of adults) at which the cost of acting "
	     "before protest is seen has fallen to 1/e of example_cost."),
};

static const struct sc_node price_step_nodes[] = {
	REAL("at", struct ur_price_step, at_h, 0, HMAX, REQ, 0, "h",
	     "Hour the price changes."),
	REAL("ratio", struct ur_price_step, ratio, 0, 1000, REQ | OPEN, 1, "1",
	     "The price from then on over the price before the run: 2.0 doubled, 3.0 "
	     "tripled, below 1 a price under the old one."),
	REGIONS("regions", struct ur_price_step, regions,
		"Regions whose price changes; all when absent."),
};

static const struct sc_node fuel_nodes[] = {
	REAL("gamma", struct ur_fuel_params, gamma, 0, 10, OPEN, 1, "1",
	     "Curvature of the fuel term 1 - ratio^-gamma (the fuel's budget share of a "
	     "Cobb-Douglas household; docs/model.md, \"Fuel\")."),
	LIST("steps", struct ur_fuel_params, steps, nsteps, struct ur_price_step,
	     UR_MAX_PRICE_STEPS, 0, price_step_nodes,
	     "Price steps, each from its hour in its regions (the price is 1 before any)."),
};

static const struct sc_node security_nodes[] = {
	REAL("police_scale", struct ur_security_params, police_scale, 0, 100, OPEN, 1, "1",
	     "Multiplies every region's police (for calibration sweeps)."),
	REAL("overwhelm_ratio", struct ur_security_params, overwhelm_ratio, 0, 1e6, OPEN,
	     3, "1", "Active persons per security person above which police morale falls."),
	REAL("morale_fall_rate", struct ur_security_params, morale_fall_rate, 0, 100, 0,
	     0.1, "1/h", "Rate at which morale falls while overwhelmed."),
	REAL("morale_recovery_rate", struct ur_security_params, morale_recovery_rate, 0,
	     100, 0, 0.05, "1/h", "Rate at which morale recovers."),
	REAL("morale_min", struct ur_security_params, morale_min, 0, 1, 0, 0.2, "1",
	     "Floor of police morale."),
	REAL("guard_reserve", struct ur_security_params, guard_reserve, 0, BIG, 0, 0,
	     "persons", "National guard held in reserve at the start."),
};

static const struct sc_node arrest_nodes[] = {
	REAL("interval", struct ur_arrest_params, interval_h, SECOND_H, HMAX, 0, 1, "h",
	     "Hours between arrest sweeps in a region; at least a second (1/3600 h)."),
	REAL("probability", struct ur_arrest_params, probability, 0, 1, 0, 0.01, "1",
	     "Chance an active agent is arrested in a sweep."),
	REAL("capacity_ratio", struct ur_arrest_params, capacity_ratio, 0, 1e6, 0, 0, "1",
	     "Active persons per security person at which the arrest chance is 1 - 1/e of "
	     "probability: p = probability (1 - exp(-C/(capacity_ratio A))); 0: "
	     "probability (1 - exp(-k C/A)) with agents.k. No security, no arrests."),
	DIST("detention", struct ur_arrest_params, detention_h, &dd_detention, "h",
	     "Term an arrested agent is held."),
};

static const struct sc_node casualty_nodes[] = {
	REAL("interval", struct ur_casualty_params, interval_h, SECOND_H, HMAX, 0, 1, "h",
	     "Hours between clash events in a region; at least a second (1/3600 h)."),
	REAL("base_rate", struct ur_casualty_params, base_rate, 0, 1000, 0, 0.01, "1/h",
	     "Deaths per hour per 1000 engaged persons while deaths are few; each engaged "
	     "person dies with probability 1 - exp(-deaths expected / engaged)."),
	REAL("force_exponent", struct ur_casualty_params, force_exponent, 0, 10, 0, 1, "1",
	     "Growth of the death rate with the engaged force min(A, C)/1000."),
	REAL("fighter_multiplier", struct ur_casualty_params, fighter_multiplier, 1,
	     MULT_MAX, 0, 3, "1", "Death rate multiplier where armed fighters are present."),
	REAL("lethal_force_multiplier", struct ur_casualty_params, lethal_force_multiplier,
	     1, MULT_MAX, 0, 3, "1", "Death rate multiplier once lethal force is ordered."),
	REAL("facility_multiplier", struct ur_casualty_params, facility_multiplier, 1,
	     MULT_MAX, 0, 2, "1",
	     "Death rate multiplier while the elite holds a facility there."),
	DIST("injury_ratio", struct ur_casualty_params, injury_ratio, &dd_injury, "1",
	     "Injured per death."),
	REAL("security_share", struct ur_casualty_params, security_share, 0, 1, 0, 0.08,
	     "1", "Share of the deaths that are security personnel."),
};

static const struct sc_node damage_nodes[] = {
	REAL("per_active_hour", struct ur_damage_params, usd_per_active_hour, 0, BIG, 0, 0,
	     "USD", "Riot damage per active person-hour."),
	REAL("looting_multiplier", struct ur_damage_params, looting_multiplier, 1, MULT_MAX,
	     0, 1, "1", "Multiplies riot damage while facilities are held or police have left."),
	REAL("shutdown_per_region_hour", struct ur_damage_params,
	     shutdown_usd_per_region_hour, 0, BIG, 0, 0, "USD",
	     "Cost of an internet shutdown per region-hour."),
	REAL("emergency_per_region_hour", struct ur_damage_params, soe_usd_per_region_hour,
	     0, BIG, 0, 0, "USD", "Cost of a state of emergency per region-hour."),
};

static const struct sc_node when_nodes[] = {
	ENUM("indicator", struct ur_trigger, indicator, REQ, 0, indicator_names,
	     "What is watched: active persons, regions active, facilities seized, the "
	     "active-to-security ratio, deaths."),
	ENUM("op", struct ur_trigger, op, 0, UR_CMP_GE, compare_names,
	     "How the indicator compares with value."),
	REAL("value", struct ur_trigger, value, 0, BIG, REQ, 0, "",
	     "Value the indicator is compared with."),
	REAL("hold", struct ur_trigger, hold_h, 0, HMAX, 0, 0, "h",
	     "Hours the condition must hold without a break."),
	REGION("region", struct ur_trigger, region, SC_OPTIONAL,
	       "Region watched; national when absent (the largest ratio for force_ratio)."),
};

#define ACTION_REGION_KINDS                                                          \
	(K(ENVOYS) | K(PRICE_ROLLBACK) | K(STATE_OF_EMERGENCY) | K(INTERNET_SHUTDOWN) | \
	 K(REDEPLOY_GUARD) | K(ADJUST) | K(CASH_TRANSFER) | K(CURFEW) | \
	 K(DETENTION_SWEEP))



static const struct sc_node action_nodes[] = {
	ID("id", struct ur_action, id, REQ | SC_KEY,
	   "Id of the action, unique; `after` names actions by it."),
	{ .name = "kind", .type = SC_ENUM, .flags = REQ | SC_KIND,
	  .offset = offsetof(struct ur_action, kind), .has_offset = SC_NO_FLAG,
	  .names = action_kind_names, .nnames = COUNT(action_kind_names), .unit = "",
	  .doc = "What the action does (the table of kinds above)." },
	{ .name = "at", .type = SC_REAL, .flags = SC_OPTIONAL | SC_TRIGGER,
	  .offset = offsetof(struct ur_action, trigger.at_h), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = HMAX, .unit = "h",
	  .doc = "Trigger: at this hour. Exactly one of at, when and after." },
	{ .name = "when", .type = SC_GROUP, .flags = SC_OPTIONAL | SC_TRIGGER,
	  .offset = offsetof(struct ur_action, trigger), .has_offset = SC_NO_FLAG,
	  .children = when_nodes, .nchildren = COUNT(when_nodes), .unit = "",
	  .doc = "Trigger: when an indicator crosses a value." },
	{ .name = "after", .type = SC_ACTION, .flags = SC_OPTIONAL | SC_TRIGGER,
	  .offset = offsetof(struct ur_action, trigger.after), .has_offset = SC_NO_FLAG,
	  .unit = "", .doc = "Trigger: when the named action takes effect." },
	DIST("delay", struct ur_action, delay_h, &dd_zero, "h",
	     "Decision latency from trigger to effect."),
	REAL("probability", struct ur_action, probability, 0, 1, 0, 1, "1",
	     "Chance the action takes effect once triggered."),
	{ .name = "regions", .type = SC_REGIONS,
	  .offset = offsetof(struct ur_action, regions), .has_offset = SC_NO_FLAG,
	  .unit = "", .kinds = ACTION_REGION_KINDS,
	  .doc = "Regions it applies to (redeploy_guard: destinations); all when absent." },
	REAL("legitimacy", struct ur_action, legitimacy_delta, -1, 1, 0, 0, "1",
	     "Change of legitimacy L (envoys: in the named regions only)."),
	REAL("politicization", struct ur_action, politicization_delta, -1, 1, 0, 0, "1",
	     "Change of politicization pi."),
	{ .name = "ratio", .type = SC_REAL, .flags = SC_MIN_OPEN,
	  .offset = offsetof(struct ur_action, ratio), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = 1000, .def = 1, .unit = "1", .kinds = K(PRICE_ROLLBACK),
	  .doc = "Fuel price ratio after the rollback (fuel.price set to it); below the "
		 "highest price step of each of its regions." },
	{ .name = "setting", .type = SC_STRING, .sdef = "",
	  .offset = offsetof(struct ur_action, setting), .has_offset = SC_NO_FLAG,
	  .max = UR_NAME_SIZE - 1, .unit = "", .kinds = K(ADJUST),
	  .doc = "Path of the setting changed (the table of adjustable settings)." },
	{ .name = "op", .type = SC_ENUM, .offset = offsetof(struct ur_action, op),
	  .has_offset = SC_NO_FLAG, .def = UR_ADJUST_SET, .names = adjust_op_names,
	  .nnames = COUNT(adjust_op_names), .unit = "", .kinds = K(ADJUST),
	  .doc = "\"set\", \"add\" or \"multiply\"." },
	{ .name = "value", .type = SC_REAL,
	  .offset = offsetof(struct ur_action, value), .has_offset = SC_NO_FLAG,
	  .min = -BIG, .max = BIG, .unit = "", .kinds = K(ADJUST),
	  .doc = "The value set, added or multiplied by; the result must stay in the "
		 "setting's range." },
	{ .name = "amount", .type = SC_REAL,
	  .offset = offsetof(struct ur_action, amount), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = 1, .unit = "1", .kinds = K(CASH_TRANSFER),
	  .doc = "Grievance G taken off each person reached." },
	{ .name = "reach", .type = SC_DIST, .offset = offsetof(struct ur_action, reach_h),
	  .has_offset = SC_NO_FLAG, .ddef = &dd_zero, .unit = "h",
	  .kinds = K(CASH_TRANSFER),
	  .doc = "Hours from the transfer until a person is reached, drawn per person." },
	{ .name = "from", .type = SC_REAL, .flags = SC_MAX_OPEN,
	  .offset = offsetof(struct ur_action, from_hour), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = 24, .unit = "h",
	  .kinds = K(CURFEW), .doc = "Local hour of the day the curfew begins." },
	{ .name = "to", .type = SC_REAL,
	  .offset = offsetof(struct ur_action, to_hour), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = 24, .flags = SC_MAX_OPEN, .unit = "h",
	  .kinds = K(CURFEW),
	  .doc = "Local hour of the day it ends (before `from`: the next morning)." },
	{ .name = "risk_multiplier", .type = SC_REAL,
	  .offset = offsetof(struct ur_action, risk_multiplier), .has_offset = SC_NO_FLAG,
	  .min = 1, .max = 1000, .def = 2, .unit = "1",
	  .kinds = K(STATE_OF_EMERGENCY) | K(CURFEW),
	  .doc = "Risk multiplier soe_r in the named regions (curfew: in its hours)." },
	{ .name = "reconsider_multiplier", .type = SC_REAL, .flags = SC_MIN_OPEN,
	  .offset = offsetof(struct ur_action, reconsider_multiplier),
	  .has_offset = SC_NO_FLAG, .min = 0, .max = 1, .def = 0.5, .unit = "1",
	  .kinds = K(STATE_OF_EMERGENCY) | K(CURFEW),
	  .doc = "Multiplies the reconsideration rate in the named regions (curfew: in "
		 "its hours)." },
	{ .name = "exit_multiplier", .type = SC_REAL,
	  .offset = offsetof(struct ur_action, exit_multiplier),
	  .has_offset = SC_NO_FLAG, .min = 1, .max = 1000, .def = 1, .unit = "1",
	  .kinds = K(CURFEW),
	  .doc = "Multiplies, in its hours, the reconsideration rate of the persons active "
		 "in the named regions (on top of reconsider_multiplier): the curfew makes "
		 "those on the street decide whether to defy it." },
	{ .name = "rate", .type = SC_REAL, .flags = SC_MIN_OPEN,
	  .offset = offsetof(struct ur_action, sweep_rate), .has_offset = SC_NO_FLAG,
	  .min = 0, .max = 100, .def = 1, .unit = "1/h", .kinds = K(DETENTION_SWEEP),
	  .doc = "Detentions per hour per person who took part and was never detained, "
		 "in the named regions, at full coverage by security; times "
		 "1 - exp(-C_r / (capacity_ratio P_r)), P_r those persons (docs/model.md, "
		 "\"Detention sweeps\")." },
	{ .name = "state", .type = SC_ENUM,
	  .offset = offsetof(struct ur_action, net_state), .has_offset = SC_NO_FLAG,
	  .def = UR_NET_OFF, .names = net_state_names,
	  .nnames = COUNT(net_state_names), .unit = "", .kinds = K(INTERNET_SHUTDOWN),
	  .doc = "Internet state imposed in the named regions: \"off\", \"throttled\" (a "
		 "partial restoration after \"off\"), or \"on\" (a restoration: ends "
		 "earlier shutdowns there)." },
	{ .name = "duration", .type = SC_DIST, .flags = SC_OPTIONAL,
	  .offset = offsetof(struct ur_action, duration_h),
	  .has_offset = offsetof(struct ur_action, has_duration), .unit = "h",
	  .kinds = K(STATE_OF_EMERGENCY) | K(INTERNET_SHUTDOWN) | K(ADJUST) |
		   K(CASH_TRANSFER) | K(CURFEW) | K(DETENTION_SWEEP),
	  .doc = "How long it lasts, drawn per region (adjust of a national setting: "
		 "once); to the horizon when absent. An adjust then reverts its own "
		 "change." },
	{ .name = "lethality", .type = SC_REAL, .flags = SC_OPTIONAL,
	  .offset = offsetof(struct ur_action, lethality_multiplier),
	  .has_offset = offsetof(struct ur_action, has_lethality), .min = 1, .max = MULT_MAX,
	  .unit = "1", .kinds = K(LETHAL_FORCE),
	  .doc = "Death rate multiplier; casualties.lethal_force_multiplier when absent." },
	{ .name = "repression", .type = SC_REAL,
	  .offset = offsetof(struct ur_action, repression_multiplier),
	  .has_offset = SC_NO_FLAG, .min = 1, .max = 1000, .def = 2, .unit = "1",
	  .kinds = K(LETHAL_FORCE), .doc = "Repression multiplier ell on perceived risk." },
	{ .name = "troops", .type = SC_REAL, .offset = offsetof(struct ur_action, troops),
	  .has_offset = SC_NO_FLAG, .min = 0, .max = BIG, .def = 0, .unit = "persons",
	  .kinds = K(REDEPLOY_GUARD), .doc = "National guard sent from the reserve." },
	{ .name = "travel", .type = SC_DIST, .offset = offsetof(struct ur_action, travel_h),
	  .has_offset = SC_NO_FLAG, .ddef = &dd_travel, .unit = "h",
	  .kinds = K(REDEPLOY_GUARD), .doc = "Travel time of the redeployed guard." },
};

static const struct sc_node edit_nodes[] = {
	{ .name = "action", .type = SC_ACTION, .flags = REQ,
	  .offset = offsetof(struct ur_action_edit, action), .has_offset = SC_NO_FLAG,
	  .unit = "", .doc = "Id of the action changed." },
	OPTREAL("at", struct ur_action_edit, at_h, has_at, 0, HMAX, 0, "h",
		"Replaces the action's trigger by `at` this hour."),
	OPTDIST("delay", struct ur_action_edit, delay_h, has_delay, "h",
		"Replaces the action's delay."),
	OPTREAL("probability", struct ur_action_edit, probability, has_probability, 0, 1, 0,
		"1", "Replaces the action's probability (0: it never takes effect)."),
};

static const struct sc_node government_nodes[] = {
	LIST("actions", struct ur_government_params, actions, nactions, struct ur_action,
	     UR_MAX_ACTIONS, 0, action_nodes, "The government's actions."),
	LIST("edits", struct ur_government_params, edits, nedits, struct ur_action_edit,
	     UR_MAX_ACTIONS, 0, edit_nodes,
	     "Changes to actions, applied in order: how a scenario built on a base changes "
	     "the base's actions without repeating the list."),
};

static const struct sc_node internet_nodes[] = {
	REAL("throttled_level", struct ur_internet_params, throttled_level, 0, 1, 0, 0.5,
	     "1", "Connectivity of a throttled region."),
	REAL("off_level", struct ur_internet_params, off_level, 0, 1, 0, 0.02, "1",
	     "Connectivity of a region that is off (at most throttled_level)."),
	REAL("throttled_street", struct ur_internet_params, throttled_street, 0, 1, 0,
	     0.25, "1", "Blackout term blackout_r while throttled."),
	REAL("off_street", struct ur_internet_params, off_street, 0, 1, 0, 1, "1",
	     "Blackout term blackout_r while off."),
};

static const struct sc_node elite_nodes[] = {
	REAL("probability", struct ur_elite_params, probability, 0, 1, 0, 0, "1",
	     "Chance the elite answers a security_council action with a counter-coup."),
	DIST("delay", struct ur_elite_params, delay_h, &dd_elite_delay, "h",
	     "Hours from the security_council action to the counter-coup."),
	DIST("fighters", struct ur_elite_params, fighters, &dd_fighters, "persons",
	     "Armed fighters of the counter-coup."),
	REGION("region", struct ur_elite_params, region, SC_OPTIONAL,
	       "Region of the counter-coup; required when probability > 0."),
	REAL("stand_down", struct ur_elite_params, stand_down_share, 0, 1, 0, 0.5, "1",
	     "Share of the region's security that stands down."),
	{ .name = "seize", .type = SC_FACILITIES,
	  .offset = offsetof(struct ur_elite_params, seize),
	  .count_offset = offsetof(struct ur_elite_params, nseize),
	  .region_offset = offsetof(struct ur_elite_params, region),
	  .has_offset = SC_NO_FLAG, .max = UR_MAX_SEIZE, .unit = "",
	  .doc = "Facility ids of the region, in the order they are attacked." },
	DIST("seize_delay", struct ur_elite_params, seize_delay_h, &dd_seize_delay, "h",
	     "Hours between seizures."),
	REAL("recapture_rate", struct ur_elite_params, recapture_rate, 0, 1000, 0, 0.05,
	     "1/h", "Rate a held facility is retaken at force ratio 1."),
	REAL("recapture_exponent", struct ur_elite_params, recapture_exponent, 0, 10, 0, 1,
	     "1", "Growth of the recapture rate with the force ratio."),
	REAL("disperse_rate", struct ur_elite_params, disperse_rate, 0, 1000, 0, 0.05,
	     "1/h", "Rate fighters disperse per fighter-hour once nothing is held."),
};

static const struct sc_node contingent_nodes[] = {
	ID("country", struct ur_contingent, country, REQ | SC_KEY,
	   "Country of the contingent, unique: its id."),
	INTEGER(SC_INT64, "troops", struct ur_contingent, troops, 0, 1e7, REQ | OPEN, 0,
		"persons", "Troops of the contingent."),
	INTEGER(SC_INT64, "per_flight", struct ur_contingent, troops_per_flight, 0, 1e6,
		OPEN, 100, "persons", "Troops per flight."),
	DIST("first_flight", struct ur_contingent, first_flight_h, &dd_zero, "h",
	     "Hours from the CSTO decision to the first flight's arrival."),
	DIST("interval", struct ur_contingent, interval_h, &dd_one_hour, "h",
	     "Hours between flights."),
	REGIONS("regions", struct ur_contingent, regions,
		"Destination regions, served in turn; all when absent."),
};

static const struct sc_node csto_nodes[] = {
	REAL("probability", struct ur_csto_params, probability, 0, 1, 0, 1, "1",
	     "Chance a request_csto action is granted."),
	DIST("decision", struct ur_csto_params, decision_h, &dd_two_hours, "h",
	     "Hours from the request to the decision."),
	REAL("effectiveness", struct ur_csto_params, effectiveness, 0, 1000, 0, 1, "1",
	     "Security persons one troop is worth in C_r."),
	REAL("freed_police", struct ur_csto_params, freed_police_per_troop, 0, 1000, 0,
	     0.8, "1", "Police freed from guard duty per troop guarding facilities."),
	DIST("withdrawal_delay", struct ur_csto_params, withdrawal_delay_h, &dd_zero, "h",
	     "Hours from the announce_withdrawal action to the first departures."),
	DIST("withdrawal_interval", struct ur_csto_params, withdrawal_interval_h,
	     &dd_two_hours, "h", "Hours between departing flights after the withdrawal."),
	LIST("contingents", struct ur_csto_params, contingents, ncontingents,
	     struct ur_contingent, UR_MAX_CONTINGENTS, 0, contingent_nodes,
	     "National contingents."),
};

static const struct sc_node outcome_nodes[] = {
	REAL("order_threshold", struct ur_outcome_params, order_threshold, 0, BIG, 0, 1000,
	     "persons", "Active persons under which order counts as restored."),
	REAL("order_window", struct ur_outcome_params, order_window_h, 0, HMAX, OPEN, 24,
	     "h", "Hours active persons must stay under order_threshold."),
	REAL("region_active", struct ur_outcome_params, region_active, 0, BIG, OPEN, 100,
	     "persons", "Active persons from which a region counts as joined."),
	REGION("capital", struct ur_outcome_params, capital, SC_FIRST_REGION,
	       "Region whose security decides regime collapse and elite victory; the "
	       "first region when absent."),
	REAL("collapse_ratio", struct ur_outcome_params, collapse_ratio, 0, 1e6, OPEN, 10,
	     "1", "Active-to-security ratio in the capital that means collapse."),
	REAL("collapse_hours", struct ur_outcome_params, collapse_h, 0, HMAX, OPEN, 12, "h",
	     "Hours the ratio must stay above collapse_ratio with no troops arriving."),
};

static const char *const compress_names[UR_COMPRESS_COUNT] = {
	[UR_COMPRESS_NONE] = "none",
	[UR_COMPRESS_GZIP] = "gzip",
};

#define COLUMNS(nm, st, fld, table, dflt, dc)                                         \
	{ .name = nm, .type = SC_COLUMNS, .offset = offsetof(st, fld),                \
	  .has_offset = SC_NO_FLAG, .def = (table), .sdef = dflt, .unit = "",         \
	  .doc = dc }

static const struct sc_node output_nodes[] = {
	BOOL("summary", struct ur_output_params, summary, 1, "Write summary.csv."),
	BOOL("national", struct ur_output_params, national, 1, "Write national.csv."),
	BOOL("timeseries", struct ur_output_params, timeseries, 1, "Write timeseries.csv."),
	ENUM("events", struct ur_output_params, events, 0, UR_EVENTS_MAJOR,
	     events_detail_names,
	     "events.csv: \"none\", \"major\" (government, elite, CSTO, internet, "
	     "outcomes) or \"all\" (also arrests and clashes)."),
	REGIONS("regions", struct ur_output_params, regions,
		"The regions whose rows timeseries.csv holds, by id."),
	COLUMNS("national_columns", struct ur_output_params, national_columns,
		UR_TABLE_NATIONAL, "all",
		"national.csv's columns, by name (docs/output.md); rep and hour are "
		"always written."),
	COLUMNS("timeseries_columns", struct ur_output_params, timeseries_columns,
		UR_TABLE_TIMESERIES, "all but `time`",
		"timeseries.csv's columns, by name (docs/output.md); rep, hour and "
		"region are always written."),
	OPTREAL("timeseries_interval", struct ur_output_params, timeseries_interval_h,
		has_timeseries_interval, 0, HMAX, OPEN, "h",
		"Hours between timeseries.csv's rows of a region: a whole multiple of "
		"scenario.sample_interval (national.csv has a row every sample_interval); "
		"the horizon's sample is always written. Absent: 6 h, or the first "
		"multiple of sample_interval above 6 h."),
	ENUM("compress", struct ur_output_params, compress, 0, UR_COMPRESS_NONE,
	     compress_names,
	     "\"none\", or \"gzip\": a run's CSV files are written as NAME.csv.gz, "
	     "which pandas, R and zcat read as they are. A sweep's files stay plain, "
	     "but for point_series.csv."),
	BOOL("point_series", struct ur_output_params, point_series, 0,
	     "Sweeps: write point_series.csv, per point and sample hour the mean and "
	     "5th, 50th and 95th percentiles over the point's replications of each of "
	     "national.csv's numeric columns (output.national_columns), and keep each "
	     "unit's national series in sweep_national.csv so that merge and --resume "
	     "give the same bytes. Runs ignore it."),
};

static const struct sc_node root_nodes[] = {
	GROUP("scenario", struct ur_params, scenario, scenario_nodes,
	      "What is run, from when, for how long, at what resolution."),
	LIST("regions", struct ur_params, regions, nregions, struct ur_region,
	     UR_MAX_REGIONS, REQ, region_nodes, "The regions, at least one."),
	GROUP("network", struct ur_params, network, network_nodes,
	      "The coupling of regions in the social signal."),
	GROUP("agents", struct ur_params, agents, agent_nodes,
	      "Agents' attributes and their decision rule."),
	GROUP("fuel", struct ur_params, fuel, fuel_nodes,
	      "The fuel price, as ratios to the price before the run."),
	GROUP("security", struct ur_params, security, security_nodes,
	      "Police morale and the national guard."),
	GROUP("arrests", struct ur_params, arrests, arrest_nodes, "Arrest sweeps."),
	GROUP("casualties", struct ur_params, casualties, casualty_nodes,
	      "Deaths and injuries in clashes."),
	GROUP("damage", struct ur_params, damage, damage_nodes, "Damage in US dollars."),
	GROUP("government", struct ur_params, government, government_nodes,
	      "The government's actions."),
	GROUP("internet", struct ur_params, internet, internet_nodes,
	      "Connectivity levels and the blackout's pull."),
	GROUP("elite", struct ur_params, elite, elite_nodes, "The elite's counter-coup."),
	GROUP("csto", struct ur_params, csto, csto_nodes, "CSTO troops."),
	GROUP("outcomes", struct ur_params, outcomes, outcome_nodes,
	      "How a replication's outcome is judged."),
	GROUP("output", struct ur_params, output, output_nodes, "Which files a run writes."),
};

static const struct sc_node root = {
	.name = "", .type = SC_GROUP, .has_offset = SC_NO_FLAG, .children = root_nodes,
	.nchildren = COUNT(root_nodes), .unit = "", .doc = "",
};

const struct sc_node *sc_schema_root(void)
{
	return &root;
}

bool sc_known_name(const char *name, const char *const *names, size_t n,
		   const char **closest)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t k = 0; k < n; k++) {
		if (strcmp(name, names[k]) == 0)
			return true;
		size_t d = sc_edit_distance(name, names[k], 2);
		if (d < best_d) {
			best_d = d;
			best = names[k];
		}
	}
	*closest = best;
	return false;
}
