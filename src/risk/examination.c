/* examination.c — see examination.h. */
#include "risk/examination.h"

#include "aeo/scoresheet.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/ids.h"
#include "risk/assess.h"

#include <stdio.h>
#include <string.h>

static int one_of(const char *v, const char *const *allowed)
{
	for (; v && *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return 1;
	return 0;
}

int risk_examination_check(const struct risk_examination *ex, const char *today, json_t *errors)
{
	static const char *const kinds[] = {"documentary", "physical", NULL};
	static const char *const reasons[] = {"lane",   "random", "officer",
					      "agency", "import", NULL};
	static const char *const results[] = {"clean", "minor", "major", "seizure", NULL};
	size_t before = json_array_size(errors);
	int64_t day;

#define REFUSE(field, message)                                                                     \
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message))
	if (!one_of(ex->kind, kinds))
		REFUSE("kind", "kind must be documentary or physical");
	if (!one_of(ex->reason, reasons))
		REFUSE("reason", "reason must be lane, random, officer, agency or import");
	if (!one_of(ex->result, results))
		REFUSE("result", "result must be clean, minor, major or seizure");
	if (ex->notes && strlen(ex->notes) > 4000)
		REFUSE("notes", "notes must be at most 4000 characters");
	if (ex->examined_on &&
	    (cv_date_parse(ex->examined_on, &day) || strcmp(ex->examined_on, today) > 0))
		REFUSE("examined_on", "examined_on must be a date (YYYY-MM-DD), not in the future");
#undef REFUSE
	return json_array_size(errors) > before ? CV_EINVAL : CV_OK;
}

static int check(const struct risk_examination *ex, const char *today, struct cv_error *err)
{
	json_t *errors = json_array(), *first;
	int rc = errors ? risk_examination_check(ex, today, errors) : CV_ENOMEM;

	if (rc == CV_EINVAL) {
		first = json_array_get(errors, 0);
		cv_error_set(err, rc, json_string_value(json_object_get(first, "field")), "%s",
			     json_string_value(json_object_get(first, "message")));
	}
	json_decref(errors);
	return rc;
}

/* The trader's compliance record learns of the result, when the trader is a registered operator. */
static int tell_compliance(struct store_conn *conn, const struct aeo_context *ctx,
			   const char *actor, const struct risk_stored_declaration *sd,
			   const struct risk_examination *ex, const char *on, struct cv_error *err)
{
	struct aeo_compliance_event event = {.kind = "examination",
					     .outcome = ex->result,
					     .occurred_on = on,
					     .source = "risk",
					     .reference = sd->number,
					     .notes = ex->notes ? ex->notes : ""};
	char event_id[CV_UUID_STR], operator_id[CV_UUID_STR];
	struct store_stmt *stmt;
	int rc;

	if (!*sd->trader)
		return CV_OK;
	rc = store_query_row(conn, &stmt, "SELECT id FROM operators WHERE tin = $1", "t",
			     sd->trader);
	if (rc == CV_ENOTFOUND)
		return CV_OK;
	if (rc)
		return rc;
	snprintf(operator_id, sizeof(operator_id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	return aeo_compliance_event_add(conn, ctx, actor, operator_id, &event, event_id, err);
}

/* What an examination found goes into consignment memory and the trader's compliance record. */
static int learn(struct store_conn *conn, const struct aeo_context *ctx, const char *actor,
		 const struct risk_stored_declaration *sd, const char *examination_id,
		 const struct risk_examination *ex, const char *on, struct cv_error *err)
{
	int rc = CV_OK;

	/* One memory entry per distinct key: two items of one consignment are one observation. */
	for (size_t i = 0; !rc && i < sd->d.nitems; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(sd->memory_keys[i], sd->memory_keys[j]);
		if (!seen)
			rc = store_execf(conn, NULL,
					 "INSERT INTO risk_memory (key, examined_on, clean, examination_id)"
					 " VALUES ($1, $2, $3, $4)",
					 "ttit", sd->memory_keys[i], on,
					 (int64_t)!strcmp(ex->result, "clean"), examination_id);
	}
	if (!rc)
		rc = tell_compliance(conn, ctx, actor, sd, ex, on, err);
	return rc;
}

int risk_examination_learn(struct store_conn *conn, const struct aeo_context *ctx,
			   const char *actor, const char *declaration, const char *examination_id,
			   const struct risk_examination *ex, struct cv_error *err)
{
	char today[CV_DATE_MAX];
	struct risk_stored_declaration sd;
	struct cv_arena arena;
	int rc;

	cv_date_from_ms(ctx->now_ms, today);
	cv_arena_init(&arena, 0);
	rc = risk_declaration_load(conn, declaration, &arena, &sd, err);
	if (!rc)
		rc = learn(conn, ctx, actor, &sd, examination_id, ex,
			   ex->examined_on ? ex->examined_on : today, err);
	cv_arena_release(&arena);
	return rc;
}

int risk_examination_record(struct store_conn *conn, const struct aeo_context *ctx,
			    const char *actor, const char *declaration,
			    const struct risk_examination *ex, json_t **out, struct cv_error *err)
{
	char id[CV_UUID_STR], now[CV_RFC3339_MAX], today[CV_DATE_MAX];
	struct risk_stored_declaration sd;
	struct cv_arena arena;
	const char *on;
	int rc;

	if (out)
		*out = NULL;
	cv_date_from_ms(ctx->now_ms, today);
	if ((rc = check(ex, today, err)))
		return rc;
	on = ex->examined_on ? ex->examined_on : today;
	cv_arena_init(&arena, 0);
	rc = risk_declaration_load(conn, declaration, &arena, &sd, err);
	if (rc)
		goto done;
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO examinations (id, declaration_id, kind, reason, result, notes,"
			 " recorded_by, examined_on, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			 "ttttttttt", id, sd.d.id, ex->kind, ex->reason, ex->result,
			 ex->notes ? ex->notes : "", actor, on, now);
	if (!rc)
		rc = learn(conn, ctx, actor, &sd, id, ex, on, err);
	if (!rc && out)
		*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id,
				 "declaration", sd.d.id, "number", sd.number, "kind", ex->kind,
				 "reason", ex->reason, "result", ex->result, "notes",
				 ex->notes ? ex->notes : "", "examined_on", on, "recorded_by",
				 actor, "recorded_at", now);
done:
	cv_arena_release(&arena);
	return rc;
}

int risk_examinations_list(struct store_conn *conn, const char *declaration, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT id FROM declarations WHERE id = $1 OR number = $1", "t",
				 declaration);
	char id[CV_UUID_STR];

	*out = NULL;
	if (rc)
		return rc;
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	rc = store_prepare(conn,
			   "SELECT id, kind, reason, result, notes, examined_on, recorded_by, recorded_at"
			   " FROM examinations WHERE declaration_id = $1 ORDER BY recorded_at, id",
			   &stmt);
	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		/* A joint examination in progress has no result yet: null. */
		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s}",
						      "id", store_col_text(stmt, 0), "kind",
						      store_col_text(stmt, 1), "reason",
						      store_col_text(stmt, 2), "result",
						      store_col_text(stmt, 3), "notes",
						      store_col_text(stmt, 4), "examined_on",
						      store_col_text(stmt, 5), "recorded_by",
						      store_col_text(stmt, 6), "recorded_at",
						      store_col_text(stmt, 7)));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}
