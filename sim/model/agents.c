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
 * Decisions. Agent i reconsiders at rate lambda m_r per hour (m_r the region's
 * reconsider multiplier, 1 without a state of emergency). DESIGN.md replaces the N
 * per-agent timers by one Poisson stream per region of rate n_r lambda m_r; this file
 * superposes those streams once more, into one stream of rate lambda m_max N, whose
 * each event picks an agent uniformly among all N and keeps the pick with probability
 * m_r / m_max (thinning; with equal multipliers every pick is kept). The picks of
 * region r then form a Poisson stream of rate n_r lambda m_r, independent of the other
 * regions': the same process in law as per-region streams and as per-agent timers, with
 * one pending engine event instead of nregions. When a multiplier changes the pending
 * pick is redrawn at the new rate (memorylessness).
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

/* V: a person's largest utility but for the threshold, while shares stay <= S. */
static double able_value(const struct able_bound *b, double S, double h, bool lpg, double q,
			 double rho)
{
	double need = b->eta * h + (lpg ? b->fuel : 0.0);
	need = need < 0.0 ? 0.0 : need > 1.0 ? 1.0 : need;
	return b->griev * need + b->pol * (q > 0.0 ? q : 0.0) + b->w_s * S + b->street +
	       b->risk * (rho < 0.0 ? -rho : 0.0) - able_example(b, S) + MODEL_ABLE_SLACK;
}

/* T_r(S): V's bound over every attribute (need is at most 1). */
static double able_threshold(const struct ur_params *p, const struct able_bound *b, double S)
{
	double qmax = support_max(&p->agents.grievance);
	double rhomin = support_min(&p->agents.risk_aversion);
	return b->griev + b->pol * (qmax > 0.0 ? qmax : 0.0) + b->w_s * S + b->street +
	       b->risk * (rhomin < 0.0 ? -rhomin : 0.0) - able_example(b, S) + MODEL_ABLE_SLACK;
}

/* A person of the pool who may act: threshold and the attributes of V. */
struct candidate {
	double theta, h, q, rho;
	bool lpg;
};

/*
 * The share bound on counts alone (docs/model.md, "Who can act"). Every region's
 * active share (a_r, and X_r, a weighted mean of shares) stays at or below S in every
 * run if, for every r, #{persons of r with theta <= T_r(S)} / n_full_r <= S: nobody
 * above that cutoff can ever act while shares stay <= S. Start at S_0 = 1 with
 * K_r ~ Binomial(n_full_r, F(T_r(1))) persons at or below the cutoff c_r = T_r(1);
 * then S_{k+1} = max_r K_r / n_full_r, and as the cutoffs fall to T_r(S_{k+1}) the
 * counts thin: K_r' ~ Binomial(K_r, F(c_r') / F(c_r)), the number of the K_r below
 * the lower cutoff (each of them is there with that probability, independently).
 * The counts so drawn have the law of the counts of the whole pool below each
 * cutoff; given them, the K_r persons below the last cutoff are independent draws of
 * the law of a person given theta <= c_r (the draws above it concern other persons).
 * So nobody is drawn until the bound is found. Fills cut[] and count[]; returns S.
 */
static double share_bound_counts(struct ur_model *m, const struct able_bound *b,
				 double *cut, double *count)
{
	const struct ur_dist *theta = &m->p->agents.threshold;
	double S = 1.0, F[UR_MAX_REGIONS];
	for (size_t r = 0; r < m->nregions; ++r) {
		cut[r] = able_threshold(m->p, &b[r], S);
		F[r] = ur_dist_cdf(theta, cut[r]);
		count[r] = model_binomial(m->rng_agents, F[r], m->region[r].n_full);
	}
	for (int it = 0; it < 1000; ++it) {
		double next = 0.0;
		for (size_t r = 0; r < m->nregions; ++r)
			if (m->region[r].n_full > 0.0 && count[r] / m->region[r].n_full > next)
				next = count[r] / m->region[r].n_full;
		if (!(next < S))
			break;
		S = next;
		for (size_t r = 0; r < m->nregions; ++r) {
			double c = able_threshold(m->p, &b[r], S);
			if (!(c < cut[r]) || count[r] == 0.0)
				continue;
			double f = ur_dist_cdf(theta, c);
			double keep = F[r] > 0.0 ? f / F[r] : 0.0;
			count[r] = model_binomial(m->rng_agents, keep > 1.0 ? 1.0 : keep, count[r]);
			cut[r] = c;
			F[r] = f;
		}
	}
	return S;
}

/*
 * Region r's k persons below the cutoff c: each drawn from the law of a person given
 * theta <= c, its threshold the quantile of u F(c), u uniform, its other attributes
 * from their own laws (independent of theta), person by person on the agents stream.
 * NULL for none; -1 when out of memory.
 */
static int draw_candidates(struct ur_model *m, size_t r, double c, double k,
			   struct candidate **out)
{
	const struct ur_params *p = m->p;
	const struct ur_agent_params *a = &p->agents;
	*out = NULL;
	if (k == 0.0)
		return 0;
	double f = ur_dist_cdf(&a->threshold, c);
	struct candidate *cand = malloc((size_t)k * sizeof *cand);
	struct ur_dist d[4] = {a->hardship, a->risk_aversion, a->grievance, a->threshold};
	int rc = cand == NULL ? -1 : 0;
	for (size_t j = 0; j < 4; ++j) {
		d[j].prepared = false;
		d[j].table = NULL;
		d[j].order = NULL;
		d[j].cumulative = NULL;
		if (rc == 0 && ur_dist_prepare(&d[j]) != 0)
			rc = -1;
	}
	double index = p->regions[r].hardship, lpg_share = p->regions[r].lpg_share;
	gsl_rng *rng = m->rng_agents;
	for (size_t i = 0; i < (size_t)k && rc == 0; ++i) {
		double x = ur_dist_quantile(&d[3], gsl_rng_uniform_pos(rng) * f);
		/* The quantile of a value at the edge of double precision may round above
		 * the cutoff; the law given theta <= c puts nothing there. */
		cand[i].theta = x > c ? c : x;
		cand[i].h = ur_dist_sample(&d[0], rng) * index;
		cand[i].lpg = gsl_rng_uniform(rng) < lpg_share;
		cand[i].rho = ur_dist_sample(&d[1], rng);
		cand[i].q = ur_dist_sample(&d[2], rng);
	}
	for (size_t j = 0; j < 4; ++j)
		ur_dist_finish(&d[j]);
	if (rc != 0) {
		free(cand);
		return -1;
	}
	*out = cand;
	return 0;
}

/*
 * The bound tightened on the drawn persons: with each person's own V (its attributes
 * in place of their extremes), S_{k+1} = max_r #{i of r: theta_i <= V_r(i; S_k)} /
 * n_full_r, from the S of the counts, while it falls. Still a bound on this draw:
 * nobody outside these persons can act while shares stay <= S.
 */
static double share_bound_persons(struct ur_model *m, struct candidate *const *c,
				  const size_t *n, const struct able_bound *b, double S)
{
	for (int it = 0; it < 1000; ++it) {
		double next = 0.0;
		for (size_t r = 0; r < m->nregions; ++r) {
			const struct model_region *g = &m->region[r];
			if (!(g->n_full > 0.0))
				continue;
			size_t able = 0;
			for (size_t i = 0; i < n[r]; ++i)
				able += c[r][i].theta <= able_value(&b[r], S, c[r][i].h, c[r][i].lpg,
								    c[r][i].q, c[r][i].rho);
			if ((double)able / g->n_full > next)
				next = (double)able / g->n_full;
		}
		if (!(next < S))
			break;
		S = next;
	}
	return S;
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

int model_agents_create(struct ur_model *m)
{
	const struct ur_params *p = m->p;
	const struct ur_agent_params *a = &p->agents;
	/* Who can act (docs/model.md): with independent draws and a bound that bites in
	 * every region (the threshold law has mass above T_r(1)), only the persons who
	 * can ever act are drawn. Otherwise (stratified draws, whose quantiles are of the
	 * whole pool, instantiate_all, or a region where anyone may act) the whole pool
	 * is made. */
	bool bounded = !a->stratified && !m->opt.instantiate_all;
	struct able_bound b[UR_MAX_REGIONS];
	for (size_t r = 0; r < p->nregions; ++r) {
		double x = ur_region_agents(p, r);
		/* Agent indices are 32-bit; a run of 2^32 agents would need 100 GiB. */
		if (!(x >= 0.0 && x < (double)UINT32_MAX))
			return -1;
		struct model_region *g = &m->region[r];
		g->n_full = x;
		g->inv_n = x > 0.0 ? 1.0 / x : 0.0;
		b[r] = able_bound_of(p, r);
		double t = able_threshold(p, &b[r], 1.0);
		g->able_bound = t;
		if (!(isfinite(t) && ur_dist_cdf(&a->threshold, t) < 1.0))
			bounded = false;
	}

	struct candidate *cand[UR_MAX_REGIONS] = {NULL};
	size_t ncand[UR_MAX_REGIONS] = {0};
	size_t capacity = 0, largest = 0;
	int rc = 0;
	double S = 1.0;
	if (bounded) {
		double cut[UR_MAX_REGIONS], count[UR_MAX_REGIONS];
		S = share_bound_counts(m, b, cut, count);
		for (size_t r = 0; r < p->nregions && rc == 0; ++r) {
			rc = draw_candidates(m, r, cut[r], count[r], &cand[r]);
			ncand[r] = (size_t)count[r];
		}
		if (rc == 0)
			S = share_bound_persons(m, cand, ncand, b, S);
	}
	for (size_t r = 0; r < p->nregions && rc == 0; ++r) {
		struct model_region *g = &m->region[r];
		size_t n = bounded ? ncand[r] : (size_t)g->n_full;
		g->able_bound = bounded ? able_threshold(p, &b[r], S) : HUGE_VAL;
		capacity += n;
		if (n > largest)
			largest = n;
		if (capacity >= UINT32_MAX)
			rc = -1;
	}
	m->able_share_bound = S;

	if (capacity > 0 && rc == 0) {
		/* Cache-line aligned: four records to a line, never one split over two. */
		size_t bytes = (capacity * sizeof *m->attr + 63) / 64 * 64;
		m->attr = aligned_alloc(64, bytes);
		if (m->attr == NULL)
			rc = -1;
		else
			m->bytes += bytes;
	}
	m->tag = alloc_counted(m, capacity, sizeof *m->tag, false);
	m->active_pos = alloc_counted(m, capacity, sizeof *m->active_pos, false);
	m->active_store = alloc_counted(m, capacity, sizeof *m->active_store, false);
	if (m->opt.count_decisions)
		m->decision_counts = alloc_counted(m, capacity, sizeof *m->decision_counts, true);
	double *buffer = largest > 0 && !bounded ? malloc(largest * sizeof *buffer) : NULL;
	if (capacity > 0 && (m->tag == NULL || m->active_pos == NULL || m->active_store == NULL ||
			     (!bounded && buffer == NULL) ||
			     (m->opt.count_decisions && m->decision_counts == NULL)))
		rc = -1;

	size_t total = 0;
	for (size_t r = 0; r < p->nregions && rc == 0; ++r) {
		struct model_region *g = &m->region[r];
		g->first = total;
		g->active_list = m->active_store + total;
		struct agent_attr *attr = m->attr + total;
		uint16_t *tag = m->tag + total;
		size_t kept = 0;
		if (bounded) {
			/* Keep those whose own bound lets them act while shares stay <= S. */
			for (size_t i = 0; i < ncand[r]; ++i) {
				const struct candidate *c = &cand[r][i];
				if (!(c->theta <= able_value(&b[r], S, c->h, c->lpg, c->q, c->rho)))
					continue;
				attr[kept] = (struct agent_attr){.h = (float)c->h,
								 .q = (float)c->q,
								 .rho = (float)c->rho,
								 .theta = (float)c->theta};
				tag[kept] = (uint16_t)((r << TAG_REGION_SHIFT) | AGENT_QUIET |
						       (c->lpg ? TAG_LPG : 0u));
				kept++;
			}
		} else {
			kept = (size_t)g->n_full;
			if (kept > 0)
				rc = draw_all(m, r, kept, buffer, attr, tag);
		}
		g->n = (uint32_t)kept;
		total += kept;
	}
	free(buffer);
	for (size_t r = 0; r < p->nregions; ++r)
		free(cand[r]);
	if (rc != 0)
		return -1;
	m->nagents = total;

	gsl_rng *rng = m->rng_agents;
	/* The picks use whole 32-bit words: mt19937's range. */
	if (gsl_rng_min(rng) != 0 || gsl_rng_max(rng) != 0xffffffffUL)
		return -1;
	if (total > 0)
		m->pick_reject = (uint32_t)(0u - (uint32_t)total) % (uint32_t)total;
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
	double largest = 0.0;
	for (size_t r = 0; r < m->nregions; ++r)
		if (m->region[r].n > 0 && m->region[r].reconsider > largest)
			largest = m->region[r].reconsider;
	m->thinning = false;
	for (size_t r = 0; r < m->nregions; ++r) {
		struct model_region *g = &m->region[r];
		g->accept = largest > 0.0 ? g->reconsider / largest : 0.0;
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
	for (size_t r = 0; r < m->nregions; ++r)
		m->region[r].reconsider = 1.0;
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
		for (size_t s = 0; s < m->nregions; ++s) {
			struct model_region *h = &m->region[s];
			h->cross_fixed += delta * step[s];
			h->cross = (double)h->cross_fixed * CROSS_UNIT;
			/* The example follows every region's social signal. */
			h->stale |= m->p->agents.example_cost > 0.0;
		}
		region_security_changed(m, r);
		if (delta > 0 && !g->joined &&
		    (double)g->active * m->scale >= m->p->outcomes.region_active) {
			g->joined = true;
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
	}
	if (m->opt.check_invariants)
		model_check_region(m, r);
}

/* One pick at time t (m->now). Returns whether the agent's state changed. */
static inline bool decide(struct ur_model *m, uint32_t agent, double t)
{
	uint16_t tag = m->tag[agent];
	struct model_region *g = &m->region[tag >> TAG_REGION_SHIFT];
	if (m->thinning && gsl_rng_uniform(m->rng_agents) >= g->accept)
		return false;
	m->decisions++;
	if (m->decision_counts != NULL)
		m->decision_counts[agent]++;
	unsigned state = tag & TAG_STATE_MASK;
	if (state >= AGENT_HELD) /* held or dead */
		return false;
	if (g->stale)
		region_refresh_risk(m, (size_t)(tag >> TAG_REGION_SHIFT), t);
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
