/*
 * network.c: the gravity weights of the social signal's cross-region term.
 *
 *   g_rs = pop_r pop_s / max(d_rs, min_distance_km)^distance_exponent   (s != r)
 *   w_rs = (1 - nationwide) g_rs / sum_{s' != r} g_rs'
 *          + nationwide pop_s / sum_{s' != r} pop_s'
 *   w_rr = 0
 * d_rs is the great-circle distance between the regions' centres in km (haversine on a
 * sphere of the Earth's mean radius; the ellipsoid would change distances by under
 * 0.5 %, far less than the uncertainty of "a region's centre"). Each row sums to 1 when
 * there are two regions or more; with one region there is no cross term (w = 0).
 */
#include <math.h>
#include <stddef.h>

#include <gsl/gsl_math.h> /* M_PI, which C11 lacks */

#include "model_internal.h"

/* The mean radius of the Earth (IUGG), km. */
static const double earth_radius_km = 6371.0088;

double model_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180.0;
	double phi1 = lat1 * rad, phi2 = lat2 * rad;
	double dphi = (lat2 - lat1) * rad, dlambda = (lon2 - lon1) * rad;
	double s1 = sin(0.5 * dphi), s2 = sin(0.5 * dlambda);
	double h = s1 * s1 + cos(phi1) * cos(phi2) * s2 * s2;
	/* h can exceed 1 by rounding for antipodal points. */
	if (h > 1.0)
		h = 1.0;
	return 2.0 * earth_radius_km * asin(sqrt(h));
}

void model_gravity(const struct ur_params *p, double *weight)
{
	size_t n = p->nregions;
	const struct ur_network_params *net = &p->network;
	for (size_t r = 0; r < n; ++r) {
		double *row = weight + r * n;
		double gsum = 0.0, psum = 0.0;
		for (size_t s = 0; s < n; ++s) {
			row[s] = 0.0;
			if (s == r)
				continue;
			double d = model_distance_km(p->regions[r].lat, p->regions[r].lon,
						     p->regions[s].lat, p->regions[s].lon);
			if (d < net->min_distance_km)
				d = net->min_distance_km;
			/* pop_r is common to the row and cancels in the normalization. */
			row[s] = (double)p->regions[s].population / pow(d, net->distance_exponent);
			gsum += row[s];
			psum += (double)p->regions[s].population;
		}
		for (size_t s = 0; s < n; ++s) {
			if (s == r || gsum <= 0.0)
				continue;
			row[s] = (1.0 - net->nationwide) * row[s] / gsum +
				 net->nationwide * (double)p->regions[s].population / psum;
		}
	}
}
