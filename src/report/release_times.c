/* release_times.c — see release_times.h. */
#include "report/release_times.h"

#include "base/clock.h"
#include "base/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One group's durations (minutes). */
struct series {
	double *v;
	size_t n, cap;
};

static int push(struct series *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *grown = cv_realloc(s->v, cap * sizeof(*grown));
		if (!grown)
			return CV_ENOMEM;
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return CV_OK;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile by linear interpolation between closest ranks (p in 0..100). */
static double percentile(const double *sorted, size_t n, double p)
{
	double rank = p / 100.0 * (double)(n - 1);
	size_t lo = (size_t)floor(rank), hi = (size_t)ceil(rank);

	return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - (double)lo);
}

static json_t *summary(struct series *s)
{
	double sum = 0;

	if (!s->n)
		return json_pack("{s:i, s:n, s:n, s:n}", "count", 0, "mean", "median", "p90");
	qsort(s->v, s->n, sizeof(*s->v), by_value);
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	return json_pack("{s:I, s:f, s:f, s:f}", "count", (json_int_t)s->n, "mean",
			 sum / (double)s->n, "median", percentile(s->v, s->n, 50), "p90",
			 percentile(s->v, s->n, 90));
}

/* Groups: all, each lane, AEO and non-AEO; for each, both measures. */
enum { G_ALL, G_GREEN, G_BLUE, G_YELLOW, G_RED, G_AEO, G_NON_AEO, GROUPS };
static const char *const group_names[GROUPS] = {"all", "green", "blue",   "yellow",
						"red", "aeo",   "non_aeo"};

static int minutes_between(const char *from, const char *to, double *out)
{
	int64_t a, b;

	if (!from || !to || cv_clock_parse_rfc3339(from, &a) || cv_clock_parse_rfc3339(to, &b))
		return 0;
	*out = (double)(b - a) / 60000.0;
	return 1;
}

int report_release_times(struct store_conn *conn, const char *from, const char *to,
			 const char *office, json_t **out, struct cv_error *err)
{
	struct series arrival[GROUPS], lodgement[GROUPS];
	struct store_stmt *stmt;
	char until[CV_DATE_MAX];
	json_t *groups;
	int64_t day;
	int rc;

	*out = NULL;
	if (!from || cv_date_parse(from, &day))
		return cv_error_set(err, CV_EINVAL, "from", "from must be a date (YYYY-MM-DD)");
	if (!to || cv_date_parse(to, &day) || strcmp(from, to) > 0)
		return cv_error_set(err, CV_EINVAL, "to",
				    "to must be a date (YYYY-MM-DD), not before from");
	/* released_at is a time: "to" includes its whole day. */
	cv_date_add_days(to, 1, until);
	memset(arrival, 0, sizeof(arrival));
	memset(lodgement, 0, sizeof(lodgement));
	rc = store_prepare(conn,
			   "SELECT d.lodged_at, d.arrived_at, d.released_at, COALESCE(r.lane, ''),"
			   " COALESCE(r.aeo, 'none') FROM declarations d"
			   " LEFT JOIN risk_decisions r ON r.declaration_id = d.id AND r.superseded = 0"
			   " WHERE d.released_at >= $1 AND d.released_at < $2"
			   " AND ($3 = '' OR d.office = $3)",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "ttt", from, until, office);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		const char *lane = store_col_text(stmt, 3), *aeo = store_col_text(stmt, 4);
		int in[GROUPS] = {1};
		double minutes;

		rc = CV_OK;
		in[G_GREEN] = !strcmp(lane, "green");
		in[G_BLUE] = !strcmp(lane, "blue");
		in[G_YELLOW] = !strcmp(lane, "yellow");
		in[G_RED] = !strcmp(lane, "red");
		in[G_AEO] = strcmp(aeo, "none") != 0;
		in[G_NON_AEO] = !in[G_AEO];
		for (int g = 0; !rc && g < GROUPS; g++) {
			if (!in[g])
				continue;
			if (minutes_between(store_col_text(stmt, 0), store_col_text(stmt, 2),
					    &minutes))
				rc = push(&lodgement[g], minutes);
			/* Goods lodged after they arrived count from arrival only when it is known. */
			if (!rc && minutes_between(store_col_text(stmt, 1), store_col_text(stmt, 2),
						   &minutes))
				rc = push(&arrival[g], minutes);
		}
	}
	store_finish(stmt);
	if (rc < 0)
		goto done;
	rc = CV_OK;
	groups = json_object();
	for (int g = 0; g < GROUPS; g++)
		json_object_set_new(groups, group_names[g],
				    json_pack("{s:o, s:o}", "arrival_to_release",
					      summary(&arrival[g]), "lodgement_to_release",
					      summary(&lodgement[g])));
	*out = json_pack("{s:s, s:s, s:s?, s:s, s:o}", "from", from, "to", to, "office",
			 *office ? office : NULL, "unit", "minutes", "groups", groups);
	if (!*out)
		rc = CV_ENOMEM;
done:
	for (int g = 0; g < GROUPS; g++) {
		cv_free(arrival[g].v);
		cv_free(lodgement[g].v);
	}
	return rc;
}
