/* inspection.c — see inspection.h. */
#include "trade/inspection.h"

#include "aeo/applications.h"
#include "base/clock.h"
#include "base/ids.h"
#include "risk/examination.h"
#include "trade/notify.h"
#include "trade/release.h"
#include "trade/requirements.h"

#include <stdio.h>
#include <string.h>

static const char *const severity[] = {"clean", "minor", "major", "seizure", NULL};

static int rank(const char *result)
{
	for (int i = 0; severity[i]; i++)
		if (result && !strcmp(result, severity[i]))
			return i;
	return -1;
}

/* The open (scheduled) examination of a declaration, if any. */
static int open_examination(struct store_conn *conn, const char *declaration_id,
			    char id[CV_UUID_STR])
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT id FROM examinations WHERE declaration_id = $1"
				 " AND status = 'scheduled'",
				 "t", declaration_id);

	if (rc)
		return rc;
	snprintf(id, CV_UUID_STR, "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	return CV_OK;
}

static int add_party(struct store_conn *conn, const char *examination_id, const char *party,
		     const char *grounds)
{
	return store_execf(conn, NULL,
			   "INSERT INTO examination_parties (examination_id, party, grounds)"
			   " VALUES ($1, $2, $3) ON CONFLICT (examination_id, party) DO NOTHING",
			   "ttt", examination_id, party, grounds);
}

int trade_examination_plan(struct store_conn *conn, const struct trade_context *ctx,
			   const char *declaration_id, const struct trade_declaration *d,
			   const char *lane, int *scheduled, struct cv_error *err)
{
	char id[CV_UUID_STR], now[CV_RFC3339_MAX], today[CV_DATE_MAX];
	json_t *parties = json_object(), *grounds;
	const char *party;
	int rc = CV_OK;

	(void)err;
	*scheduled = 0;
	if (lane && !strcmp(lane, "red"))
		json_object_set_new(parties, "customs", json_string("lane"));
	/* Each agency whose requirement for the goods asks it to inspect them. */
	for (size_t i = 0; !rc && i < d->nitems; i++) {
		json_t *reqs, *r;
		size_t k;
		rc = trade_requirements_for(conn, d->items[i].hs, d->direction, d->items[i].origin,
					    &reqs);
		json_array_foreach(reqs, k, r) {
			json_t *agency = json_array_get(json_object_get(r, "agencies"), 0);
			if (json_is_true(json_object_get(r, "inspection")) && agency)
				json_object_set(parties,
						json_string_value(json_object_get(agency, "code")),
						json_object_get(r, "id"));
		}
		json_decref(reqs);
	}
	if (rc || !json_object_size(parties))
		goto done;
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	if (open_examination(conn, declaration_id, id) == CV_ENOTFOUND) {
		cv_uuid7(id);
		rc = store_execf(conn, NULL,
				 "INSERT INTO examinations (id, declaration_id, kind, reason, notes,"
				 " recorded_by, examined_on, recorded_at, status)"
				 " VALUES ($1, $2, 'physical', $3, '', 'customs', $4, $5, 'scheduled')",
				 "ttttt", id, declaration_id,
				 json_object_get(parties, "customs") ? "lane" : "agency", today,
				 now);
	}
	json_object_foreach(parties, party, grounds) {
		if (rc)
			break;
		rc = add_party(conn, id, party, json_string_value(grounds));
	}
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE declarations SET status = 'under_examination', updated_at = $2"
				 " WHERE id = $1 AND status IN ('lane_assigned', 'accepted')",
				 "tt", declaration_id, now);
	*scheduled = !rc;
done:
	json_decref(parties);
	return rc;
}

int trade_examination_get(struct store_conn *conn, const char *id, json_t **out)
{
	struct store_stmt *stmt;
	json_t *parties;
	int rc = store_query_row(conn, &stmt,
				 "SELECT e.id, d.id, d.number, e.status, e.result, e.examined_on,"
				 " e.recorded_at FROM examinations e"
				 " JOIN declarations d ON d.id = e.declaration_id WHERE e.id = $1",
				 "t", id);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", store_col_text(stmt, 0),
			 "declaration", store_col_text(stmt, 1), "number", store_col_text(stmt, 2),
			 "status", store_col_text(stmt, 3), "result",
			 store_col_is_null(stmt, 4) ? json_null()
						    : json_string(store_col_text(stmt, 4)),
			 "examined_on", store_col_text(stmt, 5), "scheduled_at",
			 store_col_text(stmt, 6));
	store_finish(stmt);
	rc = store_prepare(conn,
			   "SELECT party, grounds, result, notes, recorded_by, recorded_at"
			   " FROM examination_parties WHERE examination_id = $1 ORDER BY party",
			   &stmt);
	if (rc)
		return rc;
	parties = json_array();
	rc = store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(parties,
				      json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "party",
						store_col_text(stmt, 0), "grounds",
						store_col_text(stmt, 1), "result",
						store_col_is_null(stmt, 2)
							? json_null()
							: json_string(store_col_text(stmt, 2)),
						"notes", store_col_text(stmt, 3), "recorded_by",
						store_col_is_null(stmt, 4)
							? json_null()
							: json_string(store_col_text(stmt, 4)),
						"recorded_at",
						store_col_is_null(stmt, 5)
							? json_null()
							: json_string(store_col_text(stmt, 5))));
	}
	store_finish(stmt);
	json_object_set_new(*out, "parties", parties);
	return rc < 0 ? rc : CV_OK;
}

/* The party an officer examines for: customs, or the officer's agency. */
static const char *party_of(const struct auth_principal *who)
{
	if (who->user.role == ROLE_BORDER_OFFICER)
		return "customs";
	if (who->user.role == ROLE_PGA_OFFICER && *who->user.agency_code)
		return who->user.agency_code;
	return NULL;
}

/* Once every party has recorded: the worst result is the examination's, and it is learned from. */
static int complete(struct store_conn *conn, const struct trade_context *ctx, const char *actor,
		    const char *id, json_t *exam, struct cv_error *err)
{
	struct aeo_context actx = {ctx->node_country, ctx->now_ms};
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX];
	const char *worst = NULL;
	json_t *p, *notes = json_array();
	size_t i;
	int rc;

	json_array_foreach(json_object_get(exam, "parties"), i, p) {
		const char *result = json_string_value(json_object_get(p, "result"));
		if (!result) {
			json_decref(notes);
			return CV_OK; /* someone has yet to record */
		}
		if (rank(result) > rank(worst))
			worst = result;
		json_array_append_new(notes,
				      json_sprintf("%s: %s %s",
						   json_string_value(json_object_get(p, "party")),
						   result,
						   json_string_value(json_object_get(p, "notes"))));
	}
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE examinations SET status = 'completed', result = $2, examined_on = $3"
			 " WHERE id = $1",
			 "ttt", id, worst, today);
	if (!rc) {
		int customs = 0;
		json_array_foreach(json_object_get(exam, "parties"), i, p)
			customs |= !strcmp(json_string_value(json_object_get(p, "party")),
					   "customs");
		struct risk_examination ex = {"physical", customs ? "lane" : "agency", worst, NULL,
					      today};
		rc = risk_examination_learn(conn, &actx, actor,
					    json_string_value(json_object_get(exam, "declaration")),
					    id, &ex, err);
	}
	if (!rc)
		rc = trade_event(conn, json_string_value(json_object_get(exam, "declaration")),
				 "examination_ended", now, actor,
				 json_pack("{s:s, s:s, s:O}", "examination", id, "result", worst,
					   "parties", notes));
	/* Examined: on to payment or release. */
	if (!rc)
		rc = trade_refresh_status(conn, ctx,
					  json_string_value(json_object_get(exam, "declaration")));
	json_decref(notes);
	return rc;
}

int trade_examination_result(struct store_conn *conn, const struct trade_context *ctx,
			     const struct auth_principal *who, const char *id, const char *result,
			     const char *notes, json_t **out, struct cv_error *err)
{
	const char *party = party_of(who);
	char now[CV_RFC3339_MAX];
	int64_t changed = 0;
	json_t *exam = NULL;
	int first, rc;

	*out = NULL;
	if (rank(result) < 0)
		return cv_error_set(err, CV_EINVAL, "result",
				    "result must be clean, minor, major or seizure");
	if (!party)
		return cv_error_set(err, CV_EPERM, NULL,
				    "border officers and agency officers record examinations");
	rc = trade_examination_get(conn, id, &exam);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL, "no examination with this id");
	if (rc)
		return rc;
	if (!strcmp(json_string_value(json_object_get(exam, "status")), "cancelled")) {
		json_decref(exam);
		return cv_error_set(err, CV_ECONFLICT, "result",
				    "the declaration was cancelled: its examination is called off");
	}
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	/* The first result starts the examination on the consignment's timeline. */
	first = !strcmp(json_string_value(json_object_get(exam, "status")), "scheduled");
	for (size_t i = 0; first && i < json_array_size(json_object_get(exam, "parties")); i++)
		if (!json_is_null(json_object_get(json_array_get(json_object_get(exam, "parties"), i),
						  "result")))
			first = 0;
	rc = store_execf(conn, &changed,
			 "UPDATE examination_parties SET result = $3, notes = $4, recorded_by = $5,"
			 " recorded_at = $6 WHERE examination_id = $1 AND party = $2 AND result IS NULL",
			 "tttttt", id, party, result, notes ? notes : "", who->user.username, now);
	if (!rc && !changed) {
		int takes_part = 0;
		for (size_t i = 0; i < json_array_size(json_object_get(exam, "parties")); i++)
			takes_part |=
				!strcmp(json_string_value(
						json_object_get(json_array_get(json_object_get(exam,
											       "parties"),
									       i),
								"party")),
					party);
		rc = takes_part ? cv_error_set(err, CV_ECONFLICT, "result",
					       "%s recorded its result already", party)
				: cv_error_set(err, CV_ENOTFOUND, NULL,
					       "%s takes no part in this examination", party);
	}
	if (!rc && first)
		rc = trade_event(conn, json_string_value(json_object_get(exam, "declaration")),
				 "examination_started", now, who->user.username, NULL);
	json_decref(exam);
	exam = NULL;
	if (!rc)
		rc = trade_examination_get(conn, id, &exam);
	if (!rc)
		rc = complete(conn, ctx, who->user.username, id, exam, err);
	json_decref(exam);
	if (!rc)
		rc = trade_examination_get(conn, id, out);
	return rc;
}

int trade_examinations_pending(struct store_conn *conn, const struct auth_principal *who,
			       json_t **out)
{
	const char *party = party_of(who);
	struct store_stmt *stmt;
	json_t *ids = json_array(), *v;
	size_t i;
	int rc;

	*out = json_array();
	if (!party) {
		json_decref(ids);
		return CV_OK; /* an officer without a party examines nothing */
	}
	rc = store_prepare(conn,
			   "SELECT DISTINCT e.id, e.recorded_at FROM examinations e"
			   " JOIN examination_parties p ON p.examination_id = e.id"
			   " WHERE e.status = 'scheduled' AND p.party = $1 AND p.result IS NULL"
			   " ORDER BY e.recorded_at, e.id LIMIT 500",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "t", party);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(ids, json_string(store_col_text(stmt, 0)));
	}
	store_finish(stmt);
	json_array_foreach(ids, i, v) {
		json_t *exam;
		if (rc < 0 || trade_examination_get(conn, json_string_value(v), &exam))
			break;
		json_array_append_new(*out, exam);
	}
	json_decref(ids);
	return rc < 0 ? rc : CV_OK;
}
