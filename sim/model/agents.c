/*
 * agents.c: the agents: their attributes, drawn once, and their decisions, drawn as one
 * superposed Poisson stream.
 *
 * Attributes. Region by region, in region order, each attribute for all the region's
 * agents in turn (hardship, LPG dependence, risk aversion, grievance, threshold), from
 * the scenario's distributions on the agents stream, stratified when agents.stratified
 * says so (ur_dist_sample_n). LPG dependence is bernoulli(lpg_share_r), drawn the same
 * way. Drawn hardship is multiplied by the region's hardship index.
 *
 * Who can act. With independent draws, only the persons who can act under each
 * region's bound on its social signal are made; the bound starts at 0 and rises the
 * moment the signal would pass it, and the persons it then covers are drawn and made
 * (below, "Who can act, made as the run needs them"; docs/model.md). They are drawn
 * person by person, every attribute in turn, from class pools. Agents made during the
 * run are numbered after all the others.
 *
 * Decisions. Agent i reconsiders at rate lambda m_r per hour (m_r the region's
 * reconsider multiplier, 1 without a state of emergency). DESIGN.md replaces the N
 * per-agent timers by one Poisson stream per region of rate n_r lambda m_r; this file
 * superposes those streams once more, into one stream of rate lambda m_max N, whose
 * each event picks an agent uniformly among all N and keeps the pick with probability
 * m_r / m_max (thinning; with equal multipliers every pick is kept). The picks of
 * region r then form a Poisson stream of rate n_r lambda m_r, independent of the other
 * regions': the same process in law as per-region streams and as per-agent timers, with
 * one pending engine event instead of nregions. When a multiplier changes the pending
 * pick is redrawn at the new rate (memorylessness). A curfew's exit multiplier x_r
 * raises the rate of the region's active agents alone: m_max is then the largest
 * m_r x_r, and an active agent's pick is kept with probability m_r x_r / m_max, a
 * quiet one's with m_r / m_max, so each agent reconsiders at its own state's rate.
 *
 * Fatigue. U falls by phi (agents.fatigue) for every hour an agent has been active:
 * U = ... - theta - phi H(t), H(t) the hours of all its spells active so far (spells
 * held or quiet add nothing). No field is added for it: a quiet or held agent's stored
 * threshold is theta + phi H, a constant; an active one's, from the start t0 of its
 * spell, theta + phi H(t0) - phi t0, so that its U is the stored value's minus phi t.
 * model_agent_set_state moves between the two forms, and a decision of an active agent
 * costs one multiply-add more. With phi = 0 nothing is touched.
 *
 * Batches. A pick that falls before the engine's next event changes nothing another
 * event could see first, so the decision handler runs picks in a loop until the next
 * one falls at or after the engine's next event (or past the time the run goes to),
 * and only then schedules its event: most decisions never touch the queue. The loop
 * asks the engine for its next event again after every change of state, the only thing
 * that could schedule one. Ties between a pick and an event scheduled at the same
 * instant (probability zero: pick times are continuous) go to the event.
 *
 * Random numbers. Picks are Lemire's multiply-shift with rejection on 32-bit words of
 * the agents stream (exactly uniform; GSL's gsl_rng_uniform_int divides at every
 * call, which would cost more than the rest of a decision); waits are -log(u) of
 * u = (word + 1/2) / 2^32 (words.h). Both are drawn DECISION_BLOCK at a time, picks
 * and waits in separate blocks, from words read in bulk (words.h), so the agents
 * about to decide are known ahead and their data are prefetched. The order of words taken from the stream is a function of the
 * trajectory alone, so a run is reproducible.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_lambert.h>

#include "model_internal.h"
#include "words.h"

/* How many picks ahead the attributes are prefetched: enough to cover a miss to main
 * memory at the rate decisions run. */
enum { PREFETCH_AHEAD = 16 };

static void *alloc_counted(struct ur_model *m, size_t count, size_t size, bool zero)
{
	if (count == 0)
		return NULL;
	void *ptr = zero ? calloc(count, size) : malloc(count * size);
	if (ptr != NULL)
		m->bytes += count * size;
	return ptr;
}

/* n draws of `dist` (validated) into out[], on the agents stream. -1 if out of
 * memory. */
static int draw(struct ur_model *m, const struct ur_dist *dist, size_t n, double *out)
{
	struct ur_dist copy = *dist;
	copy.prepared = false;
	copy.table = NULL;
	copy.order = NULL;
	copy.cumulative = NULL;
	if (ur_dist_prepare(&copy) != 0) {
		ur_dist_finish(&copy);
		return -1;
	}
	ur_dist_sample_n(&copy, m->rng_agents, n, m->p->agents.stratified, out);
	ur_dist_finish(&copy);
	return 0;
}

/* The largest and smallest values a validated distribution can draw (+-INFINITY
 * where its support is unbounded). */
static double support_max(const struct ur_dist *d)
{
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return d->value;
	case UR_DIST_UNIFORM:
	case UR_DIST_TRIANGULAR:
		return d->max;
	case UR_DIST_NORMAL:
		return isnan(d->max) ? HUGE_VAL : d->max;
	case UR_DIST_BETA:
	case UR_DIST_BERNOULLI:
		return 1.0;
	case UR_DIST_BINOMIAL:
		return d->trials;
	case UR_DIST_DISCRETE: {
		double x = -HUGE_VAL;
		for (size_t i = 0; i < d->count; ++i)
			if (d->weights[i] > 0.0 && d->values[i] > x)
				x = d->values[i];
		return x;
	}
	default:
		return HUGE_VAL;
	}
}

static double support_min(const struct ur_dist *d)
{
	switch (d->family) {
	case UR_DIST_CONSTANT:
		return d->value;
	case UR_DIST_UNIFORM:
	case UR_DIST_TRIANGULAR:
		return d->min;
	case UR_DIST_NORMAL:
		return isnan(d->min) ? -HUGE_VAL : d->min;
	case UR_DIST_DISCRETE: {
		double x = HUGE_VAL;
		for (size_t i = 0; i < d->count; ++i)
			if (d->weights[i] > 0.0 && d->values[i] < x)
				x = d->values[i];
		return x;
	}
	default: /* exponential, lognormal, gamma, weibull, beta, the counts: >= 0 */
		return 0.0;
	}
}

/* The parts of the largest utility region r can ever offer (docs/model.md, "Who can
 * act"): for an agent with hardship h (already times the region's index), LPG bit,
 * grievance q and risk aversion rho, while no region's active share exceeds S,
 *   U <= w_g [(1 - L_min) clamp(eta h + lpg sigma_fuel shock_max, 0, 1)
 *            + pi_max max(q, 0)] + w_s S + beta_b blackout_max
 *        + w_n max(-rho, 0) soe_max ell_max - e0 exp(-S / s_e) - theta,
 * every term at its reachable extreme over the run, the risk and the fatigue at 0; the
 * example's cost at its least while shares stay <= S (S_r <= S: a weighted mean of
 * shares). */
struct able_bound {
	double griev;     /* w_g (1 - L_min) */
	double eta;       /* eta_r */
	double fuel;      /* sigma_fuel shock_max (the highest price's fuel term) */
	double pol;       /* w_g pi_max */
	double w_s;       /* w_s */
	double street;    /* beta_b blackout_max */
	double risk;      /* w_n soe_max ell_max */
	double example;   /* e0: the example's cost at S = 0 */
	double example_share; /* s_e */
};

static bool region_in(const struct ur_region_set *set, size_t r)
{
	for (size_t i = 0; i < set->n; ++i)
		if ((size_t)set->idx[i] == r)
			return true;
	return false;
}

static struct able_bound able_bound_of(const struct ur_params *p, size_t r)
{
	/* Each setting an adjust may change at its extreme over the run
	 * (ur_adjust_extremes): legitimacy at its lowest, politicization, the weights
	 * and the fuel price at their highest. With the named kinds' deltas alone, the
	 * lowest legitimacy is L0 plus the negative deltas that reach r, clamped to
	 * [0, 1] (a rise clamped at 1 still leaves it above that sum), and likewise the
	 * highest politicization. */
	double lmin, pimax, w_g, w_s, beta_b, eta, sigma, price, w_n, lo;
	ur_adjust_extremes(p, UR_ADJ_LEGITIMACY, r, &lmin, &lo);
	ur_adjust_extremes(p, UR_ADJ_POLITICIZATION, r, &lo, &pimax);
	ur_adjust_extremes(p, UR_ADJ_W_G, r, &lo, &w_g);
	ur_adjust_extremes(p, UR_ADJ_W_S, r, &lo, &w_s);
	ur_adjust_extremes(p, UR_ADJ_BETA_B, r, &lo, &beta_b);
	ur_adjust_extremes(p, UR_ADJ_REGION_ETA, r, &lo, &eta);
	ur_adjust_extremes(p, UR_ADJ_SIGMA_FUEL, r, &lo, &sigma);
	ur_adjust_extremes(p, UR_ADJ_FUEL_PRICE, r, &lo, &price);
	ur_adjust_extremes(p, UR_ADJ_W_N, r, &lo, &w_n);
	double soe = 1.0, ell = 1.0, curfew = 1.0;
	for (size_t i = 0; i < p->government.nactions; ++i) {
		const struct ur_action *x = &p->government.actions[i];
		if (x->kind == UR_ACTION_STATE_OF_EMERGENCY)
			soe = fmax(soe, x->risk_multiplier);
		if (x->kind == UR_ACTION_CURFEW && region_in(&x->regions, r))
			curfew *= x->risk_multiplier;
		if (x->kind == UR_ACTION_LETHAL_FORCE)
			ell = fmax(ell, x->repression_multiplier);
	}
	return (struct able_bound){
		.griev = w_g * (1.0 - lmin),
		.eta = eta,
		.fuel = sigma * ur_fuel_grievance(price, p->fuel.gamma),
		.pol = w_g * pimax * p->regions[r].political,
		.w_s = w_s,
		.street = beta_b * fmax(p->internet.throttled_street, p->internet.off_street),
		.risk = w_n * soe * curfew * ell,
		.example = p->agents.example_cost,
		.example_share = p->agents.example_share,
	};
}

/* The least cost of acting before protest is seen while every S_r <= S. */
static double able_example(const struct able_bound *b, double S)
{
	return b->example > 0.0 ? b->example * exp(-S / b->example_share) : 0.0;
}

/* V: a person's largest utility but for the threshold and the example's cost, while
 * shares stay <= S. The example's cost is left out here and put into the cutoffs and
 * shares (able_cutoff, able_share), where its least value over signals <= B is
 * e0 exp(-B / s_e): a class's cutoff at B = 0 has the whole cost, and a person of it
 * becomes able as the signal erases it. */
static double able_value(const struct able_bound *b, double S, double h, bool lpg, double q,
			 double rho)
{
	double need = b->eta * h + (lpg ? b->fuel : 0.0);
	need = need < 0.0 ? 0.0 : need > 1.0 ? 1.0 : need;
	return b->griev * need + b->pol * (q > 0.0 ? q : 0.0) + b->w_s * S + b->street +
	       b->risk * (rho < 0.0 ? -rho : 0.0) + MODEL_ABLE_SLACK;
}

/* T_r(S): V's bound over every attribute (need is at most 1), the example's cost
 * left out as in V. */
static double able_threshold(const struct ur_params *p, const struct able_bound *b, double S)
{
	double qmax = support_max(&p->agents.grievance);
	double rhomin = support_min(&p->agents.risk_aversion);
	return b->griev + b->pol * (qmax > 0.0 ? qmax : 0.0) + b->w_s * S + b->street +
	       b->risk * (rhomin < 0.0 ? -rhomin : 0.0) + MODEL_ABLE_SLACK;
}

static int draw_all(struct ur_model *m, size_t r, size_t n, double *buffer,
		    struct agent_attr *attr, uint16_t *tag)
{
	const struct ur_params *p = m->p;
	const struct ur_agent_params *a = &p->agents;
	int rc = draw(m, &a->hardship, n, buffer);
	double index = p->regions[r].hardship;
	for (size_t i = 0; i < n && rc == 0; ++i)
		attr[i].h = (float)(buffer[i] * index);

	struct ur_dist lpg = ur_dist_make(UR_DIST_BERNOULLI);
	lpg.p = p->regions[r].lpg_share;
	if (rc == 0)
		rc = draw(m, &lpg, n, buffer);
	for (size_t i = 0; i < n && rc == 0; ++i)
		tag[i] = (uint16_t)((r << TAG_REGION_SHIFT) | AGENT_QUIET |
				    (buffer[i] != 0.0 ? TAG_LPG : 0u));

	if (rc == 0)
		rc = draw(m, &a->risk_aversion, n, buffer);
	for (size_t i = 0; i < n && rc == 0; ++i)
		attr[i].rho = (float)buffer[i];
	if (rc == 0)
		rc = draw(m, &a->grievance, n, buffer);
	for (size_t i = 0; i < n && rc == 0; ++i)
		attr[i].q = (float)buffer[i];
	if (rc == 0)
		rc = draw(m, &a->threshold, n, buffer);
	for (size_t i = 0; i < n && rc == 0; ++i)
		attr[i].theta = (float)buffer[i];
	return rc;
}

/* A person of a region's pool: threshold, the attributes of V, and the smallest
 * social signal at which V reaches the threshold. */
struct candidate {
	double theta, h, q, rho;
	double share; /* (theta - V(0)) / w_s, 0 when V(0) already reaches theta */
	bool lpg;
};

/*
 * Who can act, made as the run needs them (docs/model.md, "Who can act"). Region r's
 * persons fall into classes by LPG bit, hardship bin and grievance bin (bins of equal
 * probability of continuous laws, one bin otherwise); a class's counts are
 * multinomial, and its persons independent draws of the law given the class. Within a
 * class, V(0) is at most the class's v0 (V at the bins' worst corner), so a person
 * with theta > v0 + w_s B cannot act while the region's signal stays <= B. Each
 * class's persons are split three ways:
 *   - the agents made: the pool's first `next` persons (moved to its front when
 *     made), every person of the class with share <= the region's bound B_r;
 *   - the rest of the pool: persons with theta <= cut drawn but not made;
 *   - the persons never drawn: n - drawn of them, each with theta > cut,
 *     cut >= v0 + w_s B_r (so their share exceeds B_r).
 * While region r's social signal stays <= B_r none but the agents made can act. When
 * a change of state takes it above (model_able_check), B_r rises at once, before any
 * further pick, and the persons of the pools whose share the new bound covers are
 * made (quiet: they could not act before). When the new bound's cutoff passes a
 * class's, its pool grows by the persons with theta in (cut, cut']: their number
 * Binomial(n - drawn, (F(cut') - F(cut)) / (1 - F(cut))) (each person not yet drawn
 * has theta > cut, and is in the band with that probability, independently), each
 * drawn from the law given the band and the class. Nothing the run did depends on the
 * persons not yet drawn, so drawing them then is the same in law as drawing them at
 * the start.
 */
enum { ABLE_BINS = 4 };

struct able_class {
	double n;           /* persons of the class */
	double v0;          /* the class's bound on V(0) */
	double cut;         /* theta of everyone drawn is <= cut (-INFINITY: nobody) */
	double f_cut;       /* F_theta(cut) */
	double drawn;       /* persons drawn (theta <= cut) */
	size_t hbin, qbin;  /* its hardship and grievance bins */
	bool lpg;
	struct candidate *pool;
	size_t npool, capacity, next;
};

struct able_region {
	struct able_bound b;
	double bound;       /* B_r: the signal the agents made cover */
	size_t nclasses;
	struct able_class cls[2 * ABLE_BINS * ABLE_BINS];
};

enum { ABLE_STASH = 64 };

struct able_stash {
	double v[ABLE_STASH];
	size_t n;
};

struct model_able {
	struct ur_dist d[4]; /* prepared copies: hardship, risk, grievance, threshold */
	size_t nprepared;
	/* the bins of hardship (drawn, before the region's index) and of grievance:
	 * edges, probabilities, and the draws kept for each */
	size_t nbins[2];
	double edge[2][ABLE_BINS + 1], prob[2][ABLE_BINS];
	struct able_stash stash[2][ABLE_BINS];
	struct able_region region[UR_MAX_REGIONS];
	size_t agent_capacity;
	size_t list_capacity[UR_MAX_REGIONS];
};

/* The bound on the signal rises at least by this factor, and a pool's share is this
 * many times the bound when it grows: a run raises each bound a few dozen times and
 * draws the pools a few times. */
#define ABLE_BOUND_GROWTH 1.1
#define ABLE_POOL_GROWTH 1.5
/* The pools' share at the start: enough for the first raises. */
#define ABLE_POOL_START 0.001

/* v0 + w_s share - e0 exp(-share / s_e): the threshold above which nobody of the
 * class can act while the region's signal stays <= share (every S_r <= share, so the
 * example costs at least e0 exp(-share / s_e)). It rises with the share. */
static double able_cutoff(const struct able_region *a, const struct able_class *c,
			  double share)
{
	return (a->b.w_s > 0.0 ? c->v0 + a->b.w_s * share : c->v0) - able_example(&a->b, share);
}

/* A person's share: the least signal B at which theta <= v0 + w_s B - e0 exp(-B / s_e),
 * y = theta - v0. Without the example, y / w_s. With it, writing k = w_s s_e, the
 * equation w_s B - y = e0 exp(-B / s_e) is solved by Lambert's W:
 * B = y / w_s + s_e W0((e0 / k) exp(-y / k)) (GSL's gsl_sf_lambert_W0). Where that
 * argument overflows a double, W0 solves w + ln w = ln(argument) by Newton's method
 * from ln - ln ln, which converges in a few steps for an argument above e^700. */
static double able_share(const struct able_bound *b, double y)
{
	double e0 = b->example > 0.0 ? b->example : 0.0;
	if (y <= -e0)
		return 0.0;
	if (e0 == 0.0)
		return b->w_s > 0.0 ? y / b->w_s : HUGE_VAL;
	if (!(b->w_s > 0.0))
		return y < 0.0 ? -b->example_share * log(-y / e0) : HUGE_VAL;
	double k = b->w_s * b->example_share;
	double lnx = log(e0 / k) - y / k;
	double w;
	if (lnx < 700.0) {
		w = gsl_sf_lambert_W0(exp(lnx));
	} else {
		w = lnx - log(lnx);
		for (int i = 0; i < 8; ++i)
			w -= (w + log(w) - lnx) / (1.0 + 1.0 / w);
	}
	double share = y / b->w_s + b->example_share * w;
	return share > 0.0 ? share : 0.0;
}

/* Whether bins of equal probability hold exactly for the law: continuous, with a
 * distribution function. */
static bool binnable(const struct ur_dist *d)
{
	switch (d->family) {
	case UR_DIST_UNIFORM:
	case UR_DIST_NORMAL:
	case UR_DIST_LOGNORMAL:
	case UR_DIST_EXPONENTIAL:
	case UR_DIST_GAMMA:
	case UR_DIST_WEIBULL:
	case UR_DIST_BETA:
	case UR_DIST_TRIANGULAR:
		return true;
	default:
		return false;
	}
}

/* A draw of law `law` (0 hardship, 1 grievance) given its bin `bin`: by rejection,
 * keeping the draws that fall in other bins for their next requests. The draws of
 * the law are independent, so those that fall in a bin, in any order, are
 * independent draws of the law given the bin: none is wasted but the few left over. */
static double draw_in(struct model_able *able, int law, size_t bin, gsl_rng *rng)
{
	if (able->nbins[law] == 1)
		return ur_dist_sample(&able->d[law == 0 ? 0 : 2], rng);
	struct able_stash *st = &able->stash[law][bin];
	if (st->n > 0)
		return st->v[--st->n];
	const double *edge = able->edge[law];
	for (;;) {
		double x = ur_dist_sample(&able->d[law == 0 ? 0 : 2], rng);
		size_t j = 0;
		while (j + 1 < able->nbins[law] && x > edge[j + 1])
			j++;
		if (j == bin)
			return x;
		struct able_stash *other = &able->stash[law][j];
		if (other->n < ABLE_STASH)
			other->v[other->n++] = x;
	}
}

/* Grows class c of region r's pool to the cutoff `to`: the persons with theta in
 * (cut, to], drawn on the agents stream person by person, sorted by share among the
 * persons not yet made. -1 when out of memory. */
static int pool_grow(struct ur_model *m, size_t r, struct able_class *c, double to)
{
	struct model_able *able = m->able;
	const struct able_region *a = &able->region[r];
	const struct ur_dist *theta = &able->d[3];
	if (!(to > c->cut))
		return 0;
	double f = ur_dist_cdf(theta, to);
	double rest = c->n - c->drawn;
	double p = c->f_cut < 1.0 ? (f - c->f_cut) / (1.0 - c->f_cut) : 0.0;
	p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
	double k = rest > 0.0 ? model_binomial(m->rng_agents, p, rest) : 0.0;
	size_t need = c->npool + (size_t)k;
	if (need > c->capacity) {
		size_t cap = c->capacity * 2 > need ? c->capacity * 2 : need;
		struct candidate *grown = realloc(c->pool, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		m->bytes += (cap - c->capacity) * sizeof *grown;
		c->pool = grown;
		c->capacity = cap;
	}
	double index = m->p->regions[r].hardship;
	gsl_rng *rng = m->rng_agents;
	for (size_t i = c->npool; i < need; ++i) {
		struct candidate *x = &c->pool[i];
		double y = ur_dist_quantile(theta, c->f_cut + gsl_rng_uniform_pos(rng) * (f - c->f_cut));
		/* A quantile at the edge of double precision may round out of the band;
		 * the law given the band puts nothing there. */
		x->theta = y > to ? to : y;
		x->h = draw_in(able, 0, c->hbin, rng) * index;
		x->lpg = c->lpg;
		x->rho = ur_dist_sample(&able->d[1], rng);
		x->q = draw_in(able, 1, c->qbin, rng);
		double v0 = able_value(&a->b, 0.0, x->h, x->lpg, x->q, x->rho);
		x->share = able_share(&a->b, x->theta - v0);
	}
	c->npool = need;
	c->drawn += k;
	c->cut = to;
	c->f_cut = f;
	return 0;
}

/* Room for `n` agents in all and `k` in region r's active list. -1 when out of
 * memory. */
static int agents_reserve(struct ur_model *m, size_t n, size_t r, size_t k)
{
	struct model_able *able = m->able;
	if (n > able->agent_capacity) {
		size_t cap = able->agent_capacity + able->agent_capacity / 2;
		cap = cap > n ? cap : n;
		size_t old = able->agent_capacity;
		size_t bytes = (cap * sizeof *m->attr + 63) / 64 * 64;
		struct agent_attr *attr = aligned_alloc(64, bytes);
		if (attr == NULL)
			return -1;
		if (m->nagents > 0)
			memcpy(attr, m->attr, m->nagents * sizeof *attr);
		free(m->attr);
		m->attr = attr;
		uint16_t *tag = realloc(m->tag, cap * sizeof *tag);
		if (tag != NULL)
			m->tag = tag;
		uint32_t *pos = tag != NULL ? realloc(m->active_pos, cap * sizeof *pos) : NULL;
		if (pos != NULL)
			m->active_pos = pos;
		uint32_t *counts = NULL;
		if (pos != NULL && m->opt.count_decisions) {
			counts = realloc(m->decision_counts, cap * sizeof *counts);
			if (counts != NULL) {
				memset(counts + old, 0, (cap - old) * sizeof *counts);
				m->decision_counts = counts;
			}
		}
		if (tag == NULL || pos == NULL || (m->opt.count_decisions && counts == NULL))
			return -1;
		m->bytes += (cap - old) * (sizeof *m->attr + sizeof *m->tag + sizeof *m->active_pos +
					   (m->opt.count_decisions ? sizeof *counts : 0));
		able->agent_capacity = cap;
	}
	if (k > able->list_capacity[r]) {
		size_t cap = able->list_capacity[r] * 2 > k ? able->list_capacity[r] * 2 : k;
		uint32_t *list = realloc(m->region[r].active_list, cap * sizeof *list);
		if (list == NULL)
			return -1;
		m->bytes += (cap - able->list_capacity[r]) * sizeof *list;
		m->region[r].active_list = list;
		able->list_capacity[r] = cap;
	}
	return 0;
}

/* Makes agents of class c's pool persons whose share is <= the region's bound,
 * quiet: they are moved to the pool's front (the pool is in no order beyond it). -1
 * when out of memory or past 2^32 agents. */
static int able_make(struct ur_model *m, size_t r, struct able_class *c)
{
	double bound = m->able->region[r].bound;
	struct model_region *g = &m->region[r];
	size_t end = c->next;
	for (size_t i = c->next; i < c->npool; ++i)
		if (c->pool[i].share <= bound) {
			struct candidate x = c->pool[i];
			c->pool[i] = c->pool[end];
			c->pool[end++] = x;
		}
	size_t k = end - c->next;
	if (k == 0)
		return 0;
	if ((double)m->nagents + (double)k >= (double)UINT32_MAX ||
	    agents_reserve(m, m->nagents + k, r, g->n + k) != 0)
		return -1;
	for (size_t i = c->next; i < end; ++i) {
		const struct candidate *x = &c->pool[i];
		size_t j = m->nagents++;
		m->attr[j] = (struct agent_attr){.h = (float)x->h,
						 .q = (float)x->q,
						 .rho = (float)x->rho,
						 .theta = (float)x->theta};
		m->tag[j] = (uint16_t)((r << TAG_REGION_SHIFT) | AGENT_QUIET | (x->lpg ? TAG_LPG : 0u));
		if (m->decision_counts != NULL)
			m->decision_counts[j] = 0;
	}
	g->n += (uint32_t)k;
	c->next = end;
	return 0;
}

/* Raises region r's bound to cover a signal of `signal`, by ABLE_BOUND_GROWTH at
 * least, growing a class's pool when the bound's cutoff passes it. */
static int able_raise(struct ur_model *m, size_t r, double signal)
{
	struct able_region *a = &m->able->region[r];
	double bound = a->bound * ABLE_BOUND_GROWTH;
	bound = bound > signal ? bound : signal;
	a->bound = bound;
	/* Shares are at most 1 (to rounding): no pool beyond the cutoff of 1 is needed. */
	double share = bound * ABLE_POOL_GROWTH;
	share = share < 1.0 ? share : bound > 1.0 ? bound : 1.0;
	for (size_t i = 0; i < a->nclasses; ++i) {
		struct able_class *c = &a->cls[i];
		if (able_cutoff(a, c, bound) > c->cut &&
		    pool_grow(m, r, c, able_cutoff(a, c, share)) != 0)
			return -1;
		if (able_make(m, r, c) != 0)
			return -1;
	}
	return 0;
}

void model_able_check(struct ur_model *m)
{
	struct model_able *able = m->able;
	if (able == NULL)
		return;
	size_t before = m->nagents;
	for (size_t r = 0; r < m->nregions; ++r) {
		const struct model_region *g = &m->region[r];
		double a = (double)g->active * g->inv_n;
		double signal = a > g->cross ? a : g->cross;
		if (signal > able->region[r].bound && able_raise(m, r, signal) != 0) {
			model_fail(m, UR_MODEL_NOMEM, "out of memory making the agents who can "
				   "act at %g h", m->now);
			return;
		}
	}
	if (m->nagents == before)
		return;
	/* The picks drawn ahead were uniform over the agents before: dropped (they
	 * were drawn independently of everything, so dropping them changes no law). */
	uint32_t n = (uint32_t)m->nagents;
	m->pick_reject = (uint32_t)(0u - n) % n;
	m->pick_pos = m->pick_len;
	model_decision_rate_changed(m);
}

void model_agents_destroy(struct ur_model *m)
{
	struct model_able *able = m->able;
	if (able == NULL)
		return;
	for (size_t j = 0; j < able->nprepared; ++j)
		ur_dist_finish(&able->d[j]);
	for (size_t r = 0; r < UR_MAX_REGIONS; ++r)
		for (size_t i = 0; i < able->region[r].nclasses; ++i)
			free(able->region[r].cls[i].pool);
	free(able);
	m->able = NULL;
}

/* The bins' edges of a law: `bins` of equal probability for a continuous law, one
 * otherwise; their probabilities from the distribution function (the same edges the
 * rejection in draw_in uses). Returns the number of bins. */
static size_t able_bins(const struct ur_dist *d, double *edge, double *prob)
{
	size_t k = binnable(d) ? ABLE_BINS : 1;
	edge[0] = support_min(d);
	edge[k] = support_max(d);
	for (size_t i = 1; i < k; ++i)
		edge[i] = ur_dist_quantile(d, (double)i / (double)k);
	for (size_t i = 0; i < k; ++i)
		prob[i] = k == 1 ? 1.0 : ur_dist_cdf(d, edge[i + 1]) - ur_dist_cdf(d, edge[i]);
	return k;
}

/* Region r's classes: their counts (multinomial, as sequential binomials), bounds
 * and first pools. -1 when out of memory. */
static int able_classes(struct ur_model *m, size_t r)
{
	struct model_able *able = m->able;
	struct able_region *a = &able->region[r];
	size_t nh = able->nbins[0], nq = able->nbins[1];
	const double *he = able->edge[0], *hp = able->prob[0], *qe = able->edge[1],
		     *qp = able->prob[1];
	double index = m->p->regions[r].hardship, lpg_share = m->p->regions[r].lpg_share;
	double rho = support_min(&able->d[1]);
	double whole = able_threshold(m->p, &a->b, 0.0);
	double left = m->region[r].n_full;
	double mass = 1.0;
	gsl_rng *rng = m->rng_agents;
	a->nclasses = 0;
	for (int lpg = 0; lpg < 2; ++lpg)
		for (size_t i = 0; i < nh; ++i)
			for (size_t j = 0; j < nq; ++j) {
				double pc = (lpg ? lpg_share : 1.0 - lpg_share) * hp[i] * qp[j];
				/* The class's share of the persons left; all of them where the
				 * classes after it have no probability but rounding's (an LPG
				 * share of 0 or 1 must leave nobody in the other bit). */
				double share = mass - pc <= 1e-12 ? 1.0 : mass > 0.0 ? pc / mass : 0.0;
				share = share < 0.0 ? 0.0 : share > 1.0 ? 1.0 : share;
				bool last = lpg == 1 && i + 1 == nh && j + 1 == nq;
				double n = last ? left : model_binomial(rng, share, left);
				left -= n;
				mass -= pc;
				struct able_class *c = &a->cls[a->nclasses++];
				*c = (struct able_class){.n = n, .cut = -HUGE_VAL, .lpg = lpg != 0,
							 .hbin = i, .qbin = j};
				/* V(0) is monotone in h and in q: its largest over the bins is
				 * at a corner; the region's bound where a corner is not finite. */
				double v = -HUGE_VAL;
				for (int ch = 0; ch < 2; ++ch)
					for (int cq = 0; cq < 2; ++cq) {
						double x = able_value(&a->b, 0.0,
								      he[i + (size_t)ch] * index,
								      lpg != 0, qe[j + (size_t)cq], rho);
						v = isnan(x) || isnan(v) ? (double)NAN : x > v ? x : v;
					}
				c->v0 = isfinite(v) && v < whole ? v : whole;
				if (pool_grow(m, r, c, able_cutoff(a, c, ABLE_POOL_START)) != 0 ||
				    able_make(m, r, c) != 0)
					return -1;
			}
	return 0;
}

/* The bounded start: every region's bound at 0 (nobody is active), its pools drawn
 * to ABLE_POOL_START, the persons who can act without any signal made. */
static int able_create(struct ur_model *m, const struct able_bound *b)
{
	const struct ur_agent_params *ap = &m->p->agents;
	struct model_able *able = calloc(1, sizeof *able);
	if (able == NULL)
		return -1;
	m->able = able;
	m->bytes += sizeof *able;
	const struct ur_dist *laws[4] = {&ap->hardship, &ap->risk_aversion, &ap->grievance,
					 &ap->threshold};
	for (size_t j = 0; j < 4; ++j) {
		able->d[j] = *laws[j];
		able->d[j].prepared = false;
		able->d[j].table = NULL;
		able->d[j].order = NULL;
		able->d[j].cumulative = NULL;
		if (ur_dist_prepare(&able->d[j]) != 0) {
			ur_dist_finish(&able->d[j]);
			return -1;
		}
		able->nprepared = j + 1;
	}
	able->nbins[0] = able_bins(&able->d[0], able->edge[0], able->prob[0]);
	able->nbins[1] = able_bins(&able->d[2], able->edge[1], able->prob[1]);
	for (size_t r = 0; r < m->nregions; ++r) {
		struct able_region *a = &able->region[r];
		a->b = b[r];
		a->bound = 0.0;
		m->region[r].first = m->nagents;
		if (able_classes(m, r) != 0)
			return -1;
	}
	return 0;
}

int model_agents_create(struct ur_model *m)
{
	const struct ur_params *p = m->p;
	const struct ur_agent_params *a = &p->agents;
	/* Who can act (docs/model.md): with independent draws and a bound that bites in
	 * every region (the threshold law has mass above T_r(1)), only the persons who
	 * can act are made, as the run needs them. Otherwise (stratified draws, whose
	 * quantiles are of the whole pool, instantiate_all, or a region where anyone may
	 * act) the whole pool is made. */
	bool bounded = !a->stratified && !m->opt.instantiate_all;
	struct able_bound b[UR_MAX_REGIONS];
	double capacity = 0.0;
	for (size_t r = 0; r < p->nregions; ++r) {
		double x = ur_region_agents(p, r);
		/* Agent indices are 32-bit; a run of 2^32 agents would need 100 GiB. */
		if (!(x >= 0.0 && x < (double)UINT32_MAX))
			return -1;
		struct model_region *g = &m->region[r];
		g->n_full = x;
		g->inv_n = x > 0.0 ? 1.0 / x : 0.0;
		capacity += x;
		b[r] = able_bound_of(p, r);
		double t = able_threshold(p, &b[r], 1.0);
		if (!(isfinite(t) && ur_dist_cdf(&a->threshold, t) < 1.0))
			bounded = false;
	}
	gsl_rng *rng = m->rng_agents;
	/* The picks use whole 32-bit words: mt19937's range. */
	if (gsl_rng_min(rng) != 0 || gsl_rng_max(rng) != 0xffffffffUL)
		return -1;

	if (bounded) {
		if (able_create(m, b) != 0)
			return -1;
	} else {
		if (capacity >= (double)UINT32_MAX)
			return -1;
		size_t n = (size_t)capacity, largest = 0;
		if (n > 0) {
			/* Cache-line aligned: four records to a line, never one split over two. */
			size_t bytes = (n * sizeof *m->attr + 63) / 64 * 64;
			m->attr = aligned_alloc(64, bytes);
			if (m->attr == NULL)
				return -1;
			m->bytes += bytes;
		}
		m->tag = alloc_counted(m, n, sizeof *m->tag, false);
		m->active_pos = alloc_counted(m, n, sizeof *m->active_pos, false);
		if (m->opt.count_decisions)
			m->decision_counts = alloc_counted(m, n, sizeof *m->decision_counts, true);
		if (n > 0 && (m->tag == NULL || m->active_pos == NULL ||
			      (m->opt.count_decisions && m->decision_counts == NULL)))
			return -1;
		for (size_t r = 0; r < p->nregions; ++r)
			if ((size_t)m->region[r].n_full > largest)
				largest = (size_t)m->region[r].n_full;
		double *buffer = largest > 0 ? malloc(largest * sizeof *buffer) : NULL;
		if (largest > 0 && buffer == NULL)
			return -1;
		size_t total = 0;
		int rc = 0;
		for (size_t r = 0; r < p->nregions && rc == 0; ++r) {
			struct model_region *g = &m->region[r];
			size_t k = (size_t)g->n_full;
			g->first = total;
			g->active_list = alloc_counted(m, k, sizeof *g->active_list, false);
			if (k > 0 && g->active_list == NULL)
				rc = -1;
			if (k > 0 && rc == 0)
				rc = draw_all(m, r, k, buffer, m->attr + total, m->tag + total);
			g->n = (uint32_t)k;
			total += k;
		}
		free(buffer);
		if (rc != 0)
			return -1;
		m->nagents = total;
	}
	if (m->nagents > 0)
		m->pick_reject = (uint32_t)(0u - (uint32_t)m->nagents) % (uint32_t)m->nagents;
	return 0;
}

/* ---- the decision stream ------------------------------------------------------------ */

static void refill_picks(struct ur_model *m)
{
	gsl_rng *rng = m->rng_agents;
	uint64_t n = m->nagents;
	uint32_t reject = m->pick_reject;
	ur_rng_fill_u32(rng, m->picks, DECISION_BLOCK);
	for (size_t i = 0; i < DECISION_BLOCK; ++i) {
		uint64_t product = (uint64_t)m->picks[i] * n;
		/* Rejected with probability N / 2^32 (1 in 4,000 at 10^6 agents): the next
		 * words of the stream replace the word. */
		while ((uint32_t)product < reject) {
			uint32_t word;
			ur_rng_fill_u32(rng, &word, 1);
			product = (uint64_t)word * n;
		}
		m->picks[i] = (uint32_t)(product >> 32);
	}
	m->pick_pos = 0;
	m->pick_len = DECISION_BLOCK;
}

static void refill_waits(struct ur_model *m)
{
	uint32_t words[DECISION_BLOCK];
	ur_rng_fill_u32(m->rng_agents, words, DECISION_BLOCK);
	for (size_t i = 0; i < DECISION_BLOCK; ++i)
		m->waits[i] = model_exp_from_word(&m->log_table, words[i]);
	m->wait_pos = 0;
	m->wait_len = DECISION_BLOCK;
}

/* A unit exponential waiting time. */
static inline double next_wait(struct ur_model *m)
{
	if (m->wait_pos == m->wait_len)
		refill_waits(m);
	return m->waits[m->wait_pos++];
}

void model_decision_rate_changed(struct ur_model *m)
{
	/* An active agent's multiplier is never below a quiet one's (exit >= 1). */
	double largest = 0.0;
	for (size_t r = 0; r < m->nregions; ++r)
		if (m->region[r].n > 0 && m->region[r].reconsider_active > largest)
			largest = m->region[r].reconsider_active;
	m->thinning = false;
	for (size_t r = 0; r < m->nregions; ++r) {
		struct model_region *g = &m->region[r];
		g->accept = largest > 0.0 ? g->reconsider / largest : 0.0;
		g->accept_active = largest > 0.0 ? g->reconsider_active / largest : 0.0;
		if (g->n > 0 && g->accept < 1.0)
			m->thinning = true;
	}
	m->rate = m->p->agents.reconsider_rate * largest * (double)m->nagents;
	m->inv_rate = m->rate > 0.0 ? 1.0 / m->rate : 0.0;
	/* Inside a batch the next wait is drawn after this change, at the new rate. */
	if (m->in_batch || m->nagents == 0)
		return;
	ur_engine_cancel(m->engine, m->decide_event);
	m->decide_event = (struct ur_event_handle){0, 0};
	if (m->rate > 0.0) {
		m->decision_time = m->now + next_wait(m) * m->inv_rate;
		model_schedule(m, m->decision_time, KIND_DECIDE, 0, 0, &m->decide_event);
	}
}

int model_decisions_start(struct ur_model *m)
{
	for (size_t r = 0; r < m->nregions; ++r) {
		m->region[r].reconsider = 1.0;
		m->region[r].reconsider_active = 1.0;
	}
	model_decision_rate_changed(m);
	return m->status == UR_MODEL_OK ? 0 : -1;
}

void model_agent_set_state(struct ur_model *m, uint32_t agent, unsigned from, unsigned to)
{
	assert(from != to && agent < m->nagents);
	uint16_t tag = m->tag[agent];
	assert((tag & TAG_STATE_MASK) == from);
	size_t r = (size_t)(tag >> TAG_REGION_SHIFT);
	struct model_region *g = &m->region[r];
	region_advance(m, r, m->now);
	m->tag[agent] = (uint16_t)((tag & ~TAG_STATE_MASK) | to);
	if (m->sweeps)
		model_sweep_pool(m, r, agent, to);
	if (m->fatigue > 0.0 && (from == AGENT_ACTIVE || to == AGENT_ACTIVE)) {
		/* The threshold carries the hours spent active (see the file's comment):
		 * a spell ending at t adds phi t, one starting at t takes it off. */
		double shift = from == AGENT_ACTIVE ? m->fatigue * m->now : -m->fatigue * m->now;
		m->attr[agent].theta = (float)((double)m->attr[agent].theta + shift);
	}

	int delta = 0;
	if (from == AGENT_ACTIVE) {
		uint32_t pos = m->active_pos[agent];
		uint32_t last = g->active_list[--g->active];
		g->active_list[pos] = last;
		m->active_pos[last] = pos;
		m->active--;
		delta = -1;
	} else if (from == AGENT_HELD) {
		g->held--;
		m->held--;
	}
	if (to == AGENT_ACTIVE) {
		m->active_pos[agent] = g->active;
		g->active_list[g->active++] = agent;
		m->active++;
		delta += 1;
	} else if (to == AGENT_HELD) {
		g->held++;
		m->held++;
	} else if (to == AGENT_DEAD) {
		g->dead++;
	}
	m->state_changes++;
	model_fingerprint(m, model_time_bits(m->now) +
				     ((uint64_t)agent * 4u + to) * UINT64_C(0x9e3779b97f4a7c15));

	if (delta != 0) {
		/* The cross signals, exactly: fixed-point sums of counts (model_internal.h). */
		const int64_t *step = m->cross_step + r * m->nregions;
		bool example = m->p->agents.example_cost > 0.0;
		for (size_t s = 0; s < m->nregions; ++s) {
			struct model_region *h = &m->region[s];
			h->cross_fixed += delta * step[s];
			h->cross = (double)h->cross_fixed * CROSS_UNIT;
			/* The example follows every region's social signal; the risk
			 * does not, so only the example is recomputed. */
			h->example_stale |= example;
		}
		region_security_changed(m, r);
		if (delta > 0 && !g->joined &&
		    (double)g->active * m->scale >= m->p->outcomes.region_active) {
			g->joined = true;
			g->joined_hour = m->now;
			m->regions_joined++;
			model_report(m, UR_MEV_REGION_JOINED, UR_EVENTS_MAJOR, m->now, (int)r,
				     (double)g->active * m->scale, "");
		}
		bool above = (double)g->active * m->scale >= m->p->outcomes.region_active;
		if (above != g->above_joined) {
			g->above_joined = above;
			m->regions_active = above ? m->regions_active + 1 : m->regions_active - 1;
		}
		model_national_changed(m);
		if (model_watching(m, UR_IND_ACTIVE) || model_watching(m, UR_IND_REGIONS_ACTIVE))
			model_watch(m, WATCH_ACTIVE | WATCH_REGIONS, (int)r);
		/* A signal rose: the agents who can act under it are made before any
		 * further pick. */
		if (delta > 0 && m->able != NULL)
			model_able_check(m);
	}
	if (m->opt.check_invariants)
		model_check_region(m, r);
}

/* One pick at time t (m->now). Returns whether the agent's state changed. */
static inline bool decide(struct ur_model *m, uint32_t agent, double t)
{
	uint16_t tag = m->tag[agent];
	struct model_region *g = &m->region[tag >> TAG_REGION_SHIFT];
	unsigned state = tag & TAG_STATE_MASK;
	if (m->thinning && gsl_rng_uniform(m->rng_agents) >=
			       (state == AGENT_ACTIVE ? g->accept_active : g->accept))
		return false;
	m->decisions++;
	if (m->decision_counts != NULL)
		m->decision_counts[agent]++;
	if (state >= AGENT_HELD) /* held or dead */
		return false;
	if (g->stale) {
		region_refresh_risk(m, (size_t)(tag >> TAG_REGION_SHIFT), t);
		g->example_stale = false;
	} else if (g->example_stale) {
		g->example = model_example_cost(m, (size_t)(tag >> TAG_REGION_SHIFT));
		g->example_stale = false;
	}
	struct agent_attr a = m->attr[agent];
	double need = g->eta * (double)a.h + ((tag & TAG_LPG) ? g->fuel : 0.0);
	need = need < 0.0 ? 0.0 : need > 1.0 ? 1.0 : need;
	double u = g->griev * need + g->pol * (double)a.q +
		   g->s_local * ((double)g->active * g->inv_n) + g->s_cross * g->cross +
		   g->street - g->risk * (double)a.rho - g->example - (double)a.theta;
	if (state == AGENT_ACTIVE)
		u -= m->fatigue * t;
	if (g->transfers > 0)
		u -= model_cash_relief(m, (size_t)(tag >> TAG_REGION_SHIFT), agent, t);
	unsigned want = u >= 0.0 ? AGENT_ACTIVE : AGENT_QUIET;
	if (want == state)
		return false;
	model_agent_set_state(m, agent, state, want);
	return true;
}

/* Picks run in the batch while they fall before this time. */
static double batch_stop(struct ur_model *m)
{
	double next = ur_engine_next_time(m->engine);
	return next < m->run_stop ? next : m->run_stop;
}

void model_decide_handler(struct ur_engine *engine, const struct ur_event *event,
			  void *context)
{
	(void)engine;
	struct ur_model *m = context;
	double t = event->time;
	m->batches++;
	m->in_batch = true;
	double stop = batch_stop(m);
	/* Decisions count against scenario.max_events with the other model events, which
	 * do not change inside a batch: one comparison a pick. */
	m->decision_limit = m->max_events - m->other_events;
	for (;;) {
		m->now = t;
		if (m->decisions >= m->decision_limit) {
			model_budget_spent(m);
			break;
		}
		if (m->pick_pos == m->pick_len)
			refill_picks(m);
		uint32_t agent = m->picks[m->pick_pos++];
#if defined(__GNUC__)
		if (m->pick_pos + PREFETCH_AHEAD < m->pick_len) {
			uint32_t ahead = m->picks[m->pick_pos + PREFETCH_AHEAD];
			__builtin_prefetch(&m->attr[ahead]);
			__builtin_prefetch(&m->tag[ahead]);
		}
#endif
		if (decide(m, agent, t)) {
			if (m->status != UR_MODEL_OK)
				break;
			stop = batch_stop(m);
		}
		t += next_wait(m) * m->inv_rate;
		if (!(t < stop))
			break;
	}
	m->in_batch = false;
	m->decision_time = t;
	model_schedule(m, t, KIND_DECIDE, 0, 0, &m->decide_event);
}
