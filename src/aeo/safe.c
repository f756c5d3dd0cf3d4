/* safe.c — see safe.h. */
#include "aeo/safe.h"

#include "base/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int valid_complied(const char *c)
{
	return !strcmp(c, "yes") || !strcmp(c, "partly") || !strcmp(c, "no") ||
	       !strcmp(c, "unassessed");
}

int aeo_safe_load_standards(struct store_conn *conn, const char *data_dir, int *count,
			    struct cv_error *err)
{
	char path[1024];
	json_error_t jerr;
	json_t *doc, *list, *s;
	size_t i;
	int rc = CV_OK;

	*count = 0;
	snprintf(path, sizeof(path), "%s/safe/standards.json", data_dir);
	doc = json_load_file(path, 0, &jerr);
	if (!doc)
		return cv_error_set(err, CV_EIO, "data_dir", "cannot read %s: %s (line %d)", path,
				    jerr.text, jerr.line);
	list = json_object_get(doc, "standards");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		json_decref(doc);
		return cv_error_set(err, CV_EINVAL, "data_dir", "%s: \"standards\" must be a list",
				    path);
	}
	json_array_foreach(list, i, s) {
		const char *id = NULL, *pname = NULL, *title = NULL;
		int pillar = 0, number = 0;
		if (json_unpack(s, "{s:s, s:i, s:s, s:i, s:s}", "id", &id, "pillar", &pillar,
				"pillar_name", &pname, "number", &number, "title", &title) ||
		    pillar < 1 || pillar > 3 || number < 1) {
			rc = cv_error_set(err, CV_EINVAL, "data_dir",
					  "%s: standard %zu needs id, pillar (1-3), pillar_name, number, title",
					  path, i + 1);
			break;
		}
		rc = store_execf(conn, NULL,
				 "INSERT INTO safe_standards (id, pillar, pillar_name, number, title)"
				 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET"
				 " pillar = $2, pillar_name = $3, number = $4, title = $5",
				 "titit", id, (int64_t)pillar, pname, (int64_t)number, title);
		if (rc) {
			cv_error_set(err, rc, NULL, "cannot load SAFE standards: %s",
				     store_errmsg(conn));
			break;
		}
		(*count)++;
	}
	json_decref(doc);
	return rc;
}

static int check_text(const char *field, const char *value, struct cv_error *err)
{
	if (value && strlen(value) > SAFE_TEXT_MAX)
		return cv_error_set(err, CV_EINVAL, field, "%s is at most %d characters", field,
				    SAFE_TEXT_MAX);
	return CV_OK;
}

int aeo_safe_assess(struct store_conn *conn, const char *id, const struct aeo_safe_assessment *a,
		    const char *actor, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int64_t changed = 0;
	int rc;

	if (a->complied && !valid_complied(a->complied))
		return cv_error_set(err, CV_EINVAL, "complied",
				    "complied must be yes, partly, no or unassessed");
	if ((rc = check_text("legal_basis", a->legal_basis, err)) ||
	    (rc = check_text("evidence", a->evidence, err)) ||
	    (rc = check_text("notes", a->notes, err)) ||
	    (rc = check_text("recommendation", a->recommendation, err)))
		return rc;
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	/* COALESCE keeps what the caller did not send. */
	rc = store_execf(conn, &changed,
			 "UPDATE safe_standards SET complied = COALESCE($2, complied),"
			 " legal_basis = COALESCE($3, legal_basis), evidence = COALESCE($4, evidence),"
			 " notes = COALESCE($5, notes), recommendation = COALESCE($6, recommendation),"
			 " updated_by = $7, updated_at = $8 WHERE id = $1",
			 "tttttttt", id, a->complied, a->legal_basis, a->evidence, a->notes,
			 a->recommendation, actor, now);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot record the assessment: %s",
				    store_errmsg(conn));
	if (!changed)
		return cv_error_set(err, CV_ENOTFOUND, "id",
				    "no SAFE standard \"%s\" (ids look like P1.S4)", id);
	return CV_OK;
}

int aeo_safe_load_mapping(struct store_conn *conn, const char *path, const char *actor,
			  struct cv_error *err)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *item;
	size_t i;
	int rc = CV_OK;

	if (!doc)
		return cv_error_set(err, CV_EIO, NULL, "cannot read %s: %s", path, jerr.text);
	json_array_foreach(json_object_get(doc, "assessments"), i, item) {
		struct aeo_safe_assessment a = {0};
		const char *id = NULL;
		if (json_unpack(item, "{s:s, s?s, s?s, s?s, s?s, s?s}", "id", &id, "complied",
				&a.complied, "legal_basis", &a.legal_basis, "evidence", &a.evidence,
				"notes", &a.notes, "recommendation", &a.recommendation)) {
			rc = cv_error_set(err, CV_EINVAL, NULL, "%s: assessment %zu is malformed",
					  path, i + 1);
			break;
		}
		rc = aeo_safe_assess(conn, id, &a, actor, err);
		if (rc)
			break;
	}
	if (!rc)
		rc = store_execf(conn, NULL, "DELETE FROM safe_recommendations", "");
	json_array_foreach(json_object_get(doc, "recommendations"), i, item) {
		if (rc || !json_is_string(item))
			break;
		rc = store_execf(conn, NULL,
				 "INSERT INTO safe_recommendations (position, text) VALUES ($1, $2)",
				 "it", (int64_t)i + 1, json_string_value(item));
	}
	json_decref(doc);
	return rc;
}

int aeo_safe_standards_json(struct store_conn *conn, const char *only_id, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT id, pillar, pillar_name, number, title, complied, legal_basis,"
			       " evidence, notes, recommendation, updated_by, updated_at FROM safe_standards"
			       " WHERE ($1 = '' OR id = $1) ORDER BY pillar, number",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "t", only_id ? only_id : "");
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(*out,
				      json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
						"id", store_col_text(stmt, 0), "pillar",
						(json_int_t)store_col_int64(stmt, 1), "pillar_name",
						store_col_text(stmt, 2), "number",
						(json_int_t)store_col_int64(stmt, 3), "title",
						store_col_text(stmt, 4), "complied",
						store_col_text(stmt, 5), "legal_basis",
						store_col_text(stmt, 6), "evidence",
						store_col_text(stmt, 7), "notes",
						store_col_text(stmt, 8), "recommendation",
						store_col_text(stmt, 9), "updated_by",
						store_col_text(stmt, 10), "updated_at",
						store_col_text(stmt, 11)));
		rc = CV_OK;
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}

static double percent(int part, int total)
{
	return total ? round(1000.0 * part / total) / 10.0 : 0.0;
}

static json_t *tally_json(int pillar, const char *name, const int t[5])
{
	/* t: total, yes, partly, no, unassessed */
	json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:f}", "total", t[0], "complied", t[1],
			      "partly", t[2], "not_complied", t[3], "unassessed", t[4], "percent",
			      percent(t[1], t[0]));

	if (o && pillar) {
		json_object_set_new(o, "pillar", json_integer(pillar));
		json_object_set_new(o, "name", json_string(name));
	}
	return o;
}

int aeo_safe_report_json(struct store_conn *conn, json_t **out)
{
	json_t *standards, *pillars = json_array(), *gaps = json_array(), *recs = json_array(), *s;
	int tally[4][5] = {{0}}; /* [0] overall, [1..3] pillars */
	const char *names[4] = {"", "", "", ""};
	struct store_stmt *stmt = NULL;
	size_t i;
	int rc = aeo_safe_standards_json(conn, NULL, &standards);

	if (rc) {
		json_decref(pillars);
		json_decref(gaps);
		json_decref(recs);
		return rc;
	}
	json_array_foreach(standards, i, s) {
		int p = (int)json_integer_value(json_object_get(s, "pillar"));
		const char *c = json_string_value(json_object_get(s, "complied"));
		int k = !strcmp(c, "yes") ? 1 : !strcmp(c, "partly") ? 2 : !strcmp(c, "no") ? 3 : 4;
		if (p < 1 || p > 3)
			continue;
		names[p] = json_string_value(json_object_get(s, "pillar_name"));
		tally[p][0]++, tally[p][k]++, tally[0][0]++, tally[0][k]++;
		if (k != 1)
			json_array_append_new(gaps,
					      json_pack("{s:O, s:O, s:O, s:O, s:O}", "id",
							json_object_get(s, "id"), "pillar",
							json_object_get(s, "pillar"), "title",
							json_object_get(s, "title"), "complied",
							json_object_get(s, "complied"),
							"recommendation",
							json_object_get(s, "recommendation")));
	}
	for (int p = 1; p <= 3; p++)
		json_array_append_new(pillars, tally_json(p, names[p], tally[p]));
	rc = store_prepare(conn, "SELECT text FROM safe_recommendations ORDER BY position", &stmt);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(recs, json_string(store_col_text(stmt, 0)));
		rc = CV_OK;
	}
	store_finish(stmt);
	json_decref(standards);
	if (rc < 0) {
		json_decref(pillars);
		json_decref(gaps);
		json_decref(recs);
		return rc;
	}
	*out = json_pack("{s:s, s:o, s:o, s:o, s:o}", "framework",
			 "WCO SAFE Framework of Standards 2021", "pillars", pillars, "overall",
			 tally_json(0, "", tally[0]), "gaps", gaps, "recommendations", recs);
	return *out ? CV_OK : CV_ENOMEM;
}
