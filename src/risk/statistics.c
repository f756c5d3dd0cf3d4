/* statistics.c — see statistics.h. */
#include "risk/statistics.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/mem.h"
#include "risk/assess.h"
#include "risk/repository.h"

#include <string.h>

#define MAX_ITEM_HITS 256

/* The ids of the declarations lodged in [from, to], newest first. */
static int ids_in_period(struct store_conn *conn, const char *from, const char *to, json_t **ids)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT id FROM declarations WHERE lodged_on >= $1 AND lodged_on <= $2"
			       " ORDER BY lodged_on DESC, id DESC",
			       &stmt);

	if (rc)
		return rc;
	*ids = json_array();
	rc = store_bindf(stmt, "tt", from, to);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(*ids, json_string(store_col_text(stmt, 0)));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*ids);
		*ids = NULL;
		return rc;
	}
	return CV_OK;
}

int risk_project(struct store_conn *conn, const struct risk_profile_set *set, const char *today,
		 int days, int sample, json_t **out, struct cv_error *err)
{
	size_t nprofiles = risk_profile_count(set), scanned = 0, hit_declarations = 0, i;
	size_t *per_profile = cv_calloc(nprofiles ? nprofiles : 1, sizeof(*per_profile));
	unsigned char *seen = cv_calloc(nprofiles ? nprofiles : 1, 1);
	json_t *ids = NULL, *samples = json_array(), *profiles = json_array(), *idv;
	char from[CV_DATE_MAX];
	size_t hits[MAX_ITEM_HITS];
	int rc;

	*out = NULL;
	if (!per_profile || !seen || !samples || !profiles) {
		rc = CV_ENOMEM;
		goto done;
	}
	if (days < 1 || days > RISK_PROJECTION_MAX_DAYS) {
		rc = cv_error_set(err, CV_EINVAL, "days", "days must be 1 to %d",
				  RISK_PROJECTION_MAX_DAYS);
		goto done;
	}
	if (sample < 0 || sample > RISK_PROJECTION_MAX_SAMPLE) {
		rc = cv_error_set(err, CV_EINVAL, "sample", "sample must be 0 to %d",
				  RISK_PROJECTION_MAX_SAMPLE);
		goto done;
	}
	if (cv_date_add_days(today, 1 - days, from)) {
		rc = CV_EINTERNAL;
		goto done;
	}
	rc = ids_in_period(conn, from, today, &ids);
	json_array_foreach(ids, i, idv) {
		struct risk_stored_declaration sd;
		struct cv_arena arena;
		json_t *hit_ids = NULL;

		if (rc)
			break;
		cv_arena_init(&arena, 0);
		rc = risk_declaration_load(conn, json_string_value(idv), &arena, &sd, err);
		if (rc) {
			cv_arena_release(&arena);
			break;
		}
		scanned++;
		memset(seen, 0, nprofiles ? nprofiles : 1);
		for (size_t it = 0; it < sd.d.nitems; it++) {
			size_t n = risk_eval(set, &sd.d.items[it], risk_watchlist_contains, conn,
					     hits, MAX_ITEM_HITS);
			for (size_t h = 0; h < n && h < MAX_ITEM_HITS; h++)
				seen[hits[h]] = 1;
		}
		for (size_t p = 0; p < nprofiles; p++) {
			if (!seen[p])
				continue;
			per_profile[p]++;
			if (json_array_size(samples) < (size_t)sample) {
				if (!hit_ids)
					hit_ids = json_array();
				json_array_append_new(hit_ids,
						      json_string(risk_profile_info(set, p)->id));
			}
		}
		if (memchr(seen, 1, nprofiles ? nprofiles : 1) && nprofiles)
			hit_declarations++;
		if (hit_ids)
			json_array_append_new(samples,
					      json_pack("{s:s, s:s, s:s, s:o}", "declaration",
							sd.d.id, "number", sd.number, "lodged_on",
							sd.lodged_on, "profiles", hit_ids));
		cv_arena_release(&arena);
	}
	if (rc)
		goto done;
	for (size_t p = 0; p < nprofiles; p++) {
		const struct risk_profile_info *info = risk_profile_info(set, p);
		json_array_append_new(profiles, json_pack("{s:s, s:s, s:I}", "profile", info->id,
							  "title", info->title, "declarations",
							  (json_int_t)per_profile[p]));
	}
	*out = json_pack("{s:s, s:s, s:i, s:I, s:I, s:f, s:O, s:O}", "from", from, "to", today,
			 "days", days, "declarations", (json_int_t)scanned, "hit",
			 (json_int_t)hit_declarations, "share",
			 scanned ? (double)hit_declarations / (double)scanned : 0.0, "profiles",
			 profiles, "sample", samples);
	rc = *out ? CV_OK : CV_ENOMEM;
done:
	json_decref(ids);
	json_decref(samples);
	json_decref(profiles);
	cv_free(per_profile);
	cv_free(seen);
	return rc;
}

/*
 * The current decisions on declarations lodged in the period, with the worst
 * examination result of each (0 none, 1 clean, 2 minor, 3 major, 4 seizure).
 */
#define DECISIONS                                                                                  \
	" FROM risk_decisions rd JOIN declarations d ON d.id = rd.declaration_id"                  \
	" LEFT JOIN (SELECT declaration_id, MAX(CASE result WHEN 'clean' THEN 1"                   \
	" WHEN 'minor' THEN 2 WHEN 'major' THEN 3 WHEN 'seizure' THEN 4 ELSE 0 END) AS worst"      \
	" FROM examinations GROUP BY declaration_id) x ON x.declaration_id = d.id"

#define WHERE_PERIOD                                                                               \
	" WHERE rd.superseded = 0 AND d.lodged_on >= $1 AND d.lodged_on <= $2"                     \
	" AND ($3 = '' OR d.office = $3)"

#define OUTCOMES                                                                                   \
	"COUNT(*), SUM(CASE WHEN x.worst >= 1 THEN 1 ELSE 0 END),"                                 \
	" SUM(CASE WHEN x.worst >= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN x.worst = 4 THEN 1 ELSE 0 END)"

/* {declarations, examined, findings, seizures, hit_rate} from columns first..first+3. */
static json_t *outcomes_json(struct store_stmt *stmt, int first)
{
	int64_t examined = store_col_int64(stmt, first + 1),
		findings = store_col_int64(stmt, first + 2);

	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "declarations",
			 (json_int_t)store_col_int64(stmt, first), "examined", (json_int_t)examined,
			 "findings", (json_int_t)findings, "seizures",
			 (json_int_t)store_col_int64(stmt, first + 3), "hit_rate",
			 examined ? json_real((double)findings / (double)examined) : json_null());
}

static int grouped(struct store_conn *conn, const char *sql, const char *from, const char *to,
		   const char *office, const char *key_name, json_t *into)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn, sql, &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "ttt", from, to, office);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_t *o = outcomes_json(stmt, 1);
		rc = CV_OK;
		json_object_set_new(o, key_name, json_string(store_col_text(stmt, 0)));
		json_array_append_new(into, o);
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int risk_statistics(struct store_conn *conn, const char *from, const char *to, const char *office,
		    json_t **out, struct cv_error *err)
{
	static const char *const lanes[] = {"green", "blue", "yellow", "red"};
	struct risk_office_params params;
	struct store_stmt *stmt;
	json_t *by_lane = json_array(), *lane_rows = json_array(), *profiles = json_array(),
	       *random = NULL, *total = NULL;
	int64_t days;
	int rc;

	*out = NULL;
	if (!from || cv_date_parse(from, &days))
		rc = cv_error_set(err, CV_EINVAL, "from", "from must be a date (YYYY-MM-DD)");
	else if (!to || cv_date_parse(to, &days) || strcmp(from, to) > 0)
		rc = cv_error_set(err, CV_EINVAL, "to",
				  "to must be a date (YYYY-MM-DD), not before from");
	else
		rc = risk_office_params_load(conn, *office ? office : "*", &params);
	if (!rc)
		rc = grouped(conn,
			     "SELECT rd.lane, " OUTCOMES DECISIONS WHERE_PERIOD " GROUP BY rd.lane",
			     from, to, office, "lane", lane_rows);
	if (!rc)
		rc = grouped(conn,
			     "SELECT h.profile, " OUTCOMES DECISIONS
			     " JOIN risk_decision_hits h ON h.decision_id = rd.id" WHERE_PERIOD
			     " GROUP BY h.profile ORDER BY COUNT(*) DESC, h.profile",
			     from, to, office, "profile", profiles);
	if (!rc && !(rc = store_query_row(conn, &stmt, "SELECT " OUTCOMES DECISIONS WHERE_PERIOD,
					  "ttt", from, to, office))) {
		total = outcomes_json(stmt, 0);
		store_finish(stmt);
	}
	if (!rc && !(rc = store_query_row(conn, &stmt,
					  "SELECT " OUTCOMES DECISIONS WHERE_PERIOD
					  " AND rd.random_selected = 1",
					  "ttt", from, to, office))) {
		random = outcomes_json(stmt, 0);
		store_finish(stmt);
	}
	if (rc)
		goto done;
	/* Every lane, in order, with its expected share (green: what the others leave). */
	for (size_t l = 0; l < 4; l++) {
		double expected = l == 0 ? 1 - params.expected_blue - params.expected_yellow -
						   params.expected_red
				  : l == 1 ? params.expected_blue
				  : l == 2 ? params.expected_yellow
					   : params.expected_red;
		json_int_t all = json_integer_value(json_object_get(total, "declarations"));
		json_t *row = NULL, *r;
		size_t i;

		json_array_foreach(lane_rows, i, r)
			if (!strcmp(json_string_value(json_object_get(r, "lane")), lanes[l]))
				row = json_incref(r);
		if (!row)
			row = json_pack("{s:s, s:i, s:i, s:i, s:i, s:n}", "lane", lanes[l],
					"declarations", 0, "examined", 0, "findings", 0, "seizures",
					0, "hit_rate");
		json_object_set_new(row, "share",
				    json_real(all ? (double)json_integer_value(
							    json_object_get(row, "declarations")) /
							      (double)all
						  : 0.0));
		json_object_set_new(row, "expected", json_real(expected));
		json_array_append_new(by_lane, row);
	}
	*out = json_pack("{s:s, s:s, s:s?, s:O, s:O, s:O, s:O}", "from", from, "to", to, "office",
			 *office ? office : NULL, "total", total, "lanes", by_lane, "profiles",
			 profiles, "random", random);
	rc = *out ? CV_OK : CV_ENOMEM;
done:
	json_decref(by_lane);
	json_decref(lane_rows);
	json_decref(profiles);
	json_decref(random);
	json_decref(total);
	return rc;
}
