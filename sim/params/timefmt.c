/*
 * timefmt.c: ISO 8601 times with a UTC offset: parsing scenario.start, and writing
 * "hour h after the start" in the start's offset for the output files.
 *
 * Written by hand because neither C11 nor POSIX has what is needed: strptime does not
 * parse offsets, timegm is not POSIX, and mktime/localtime work in the process's time
 * zone (global state shared by threads), while scenario times carry their own fixed
 * offset. The calendar arithmetic is the proleptic Gregorian one of Howard Hinnant's
 * days_from_civil / civil_from_days.
 */
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "unrest/params.h"

/* Days from 1970-01-01 to y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads exactly n decimal digits. */
static bool digits(const char **s, int n, int *value)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*s)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*value = v;
	return true;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

int ur_time_parse(const char *text, int64_t *epoch, int32_t *offset_s)
{
	static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *s = text;
	int year, month, day, hour, minute, second = 0, oh = 0, om = 0, sign = 1;

	assert(text && epoch && offset_s);
	if (!digits(&s, 4, &year) || !expect(&s, '-') || !digits(&s, 2, &month) ||
	    !expect(&s, '-') || !digits(&s, 2, &day) || !expect(&s, 'T') ||
	    !digits(&s, 2, &hour) || !expect(&s, ':') || !digits(&s, 2, &minute))
		return -1;
	if (*s == ':' && (s++, !digits(&s, 2, &second)))
		return -1;
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (!digits(&s, 2, &oh) || !expect(&s, ':') || !digits(&s, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*s != '\0')
		return -1;
	if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
		return -1;
	if (day > month_days[month - 1] + (month == 2 && is_leap(year)))
		return -1;
	if (oh > 18 || om > 59 || oh * 60 + om > 18 * 60)
		return -1;
	*offset_s = (int32_t)(sign * (oh * 3600 + om * 60));
	*epoch = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
		 second - *offset_s;
	return 0;
}

char *ur_time_format(const struct ur_scenario_params *scenario, double hour,
		     char buf[UR_TIME_TEXT_SIZE])
{
	int64_t local, days, secs, year;
	int month, day, offset, oabs;

	assert(scenario && buf && isfinite(hour) && fabs(hour) < 1e9);
	local = scenario->start_epoch + scenario->utc_offset_s + (int64_t)llround(hour * 3600.0);
	days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	secs = local - days * 86400;
	civil_from_days(days, &year, &month, &day);
	offset = scenario->utc_offset_s;
	oabs = offset < 0 ? -offset : offset;
	/* Formatted into a roomy buffer first: the compiler cannot see that every field
	 * is small, and would otherwise warn that the output may be truncated. */
	char wide[128];
	int n = snprintf(wide, sizeof wide, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
			 (long long)year, month, day, (int)(secs / 3600), (int)(secs / 60 % 60),
			 (int)(secs % 60), offset < 0 ? '-' : '+', oabs / 3600, oabs / 60 % 60);
	size_t len = n < 0 ? 0 : (size_t)n < UR_TIME_TEXT_SIZE ? (size_t)n : UR_TIME_TEXT_SIZE - 1;
	memcpy(buf, wide, len);
	buf[len] = '\0';
	return buf;
}
