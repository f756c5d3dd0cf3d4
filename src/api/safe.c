/*
 * safe.c — the SAFE Framework self-assessment: GET /api/v1/safe/standards,
 * GET and PATCH /api/v1/safe/standards/{id}, GET /api/v1/safe/report
 * (JSON, or CSV with ?format=csv or Accept: text/csv).
 */
#include "api/api.h"

#include "aeo/safe.h"
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

int api_safe_standards(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = aeo_safe_standards_json(call->conn, NULL, &items);

	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_safe_standard_get(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = aeo_safe_standards_json(call->conn, http_param(call->req, "id"), &items);

	if (rc)
		return api_error(resp, rc, NULL);
	if (json_array_size(items) == 0) {
		json_decref(items);
		return api_problem(resp, 404, "no such SAFE standard (ids look like P1.S4)");
	}
	rc = api_json(resp, 200, json_incref(json_array_get(items, 0)));
	json_decref(items);
	return rc;
}

int api_safe_assess(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	struct aeo_safe_assessment a = {
		.complied = api_body_string(call, "complied", 0, 16, errors),
		.legal_basis = api_body_string(call, "legal_basis", 0, SAFE_TEXT_MAX, errors),
		.evidence = api_body_string(call, "evidence", 0, SAFE_TEXT_MAX, errors),
		.notes = api_body_string(call, "notes", 0, SAFE_TEXT_MAX, errors),
		.recommendation = api_body_string(call, "recommendation", 0, SAFE_TEXT_MAX, errors),
	};
	const char *id = http_param(call->req, "id");
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "the assessment cannot be recorded as sent"))
		return 0;
	cv_error_clear(&err);
	rc = aeo_safe_assess(call->conn, id, &a, call->principal->user.username, &err);
	if (rc)
		return api_error(resp, rc, &err);
	rc = aeo_safe_standards_json(call->conn, id, &items);
	if (rc)
		return api_error(resp, rc, NULL);
	call->entity_type = "safe_standard";
	call->entity_id = cv_arena_strdup(call->req->arena, id);
	call->audit_detail = json_deep_copy(call->body);
	rc = api_json(resp, 200, json_incref(json_array_get(items, 0)));
	json_decref(items);
	return rc;
}

/*
 * One CSV field, always quoted, quotes doubled (RFC 4180). Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe.
 */
static int csv_field(struct cv_buf *b, const char *value, int last)
{
	int rc = cv_buf_addch(b, '"');

	if (!rc && value && value[0] && strchr("=+-@", value[0]))
		rc = cv_buf_addch(b, '\'');
	for (const char *p = value ? value : ""; *p && !rc; p++)
		rc = *p == '"' ? cv_buf_adds(b, "\"\"") : cv_buf_addch(b, *p);
	if (!rc)
		rc = cv_buf_adds(b, last ? "\"\r\n" : "\",");
	return rc;
}

static int csv_row(struct cv_buf *b, const char *const fields[10])
{
	int rc = CV_OK;

	for (int i = 0; i < 10 && !rc; i++)
		rc = csv_field(b, fields[i], i == 9);
	return rc;
}

static int tally_row(struct cv_buf *b, const char *kind, json_t *t)
{
	char pillar[8] = "", total[16], complied[16], percent[16];

	if (json_object_get(t, "pillar"))
		snprintf(pillar, sizeof(pillar), "%d",
			 (int)json_integer_value(json_object_get(t, "pillar")));
	snprintf(total, sizeof(total), "%d", (int)json_integer_value(json_object_get(t, "total")));
	snprintf(complied, sizeof(complied), "%d",
		 (int)json_integer_value(json_object_get(t, "complied")));
	snprintf(percent, sizeof(percent), "%.1f", json_real_value(json_object_get(t, "percent")));
	return csv_row(b, (const char *const[10]){kind, pillar, "",
						  json_string_value(json_object_get(t, "name")), "",
						  total, complied, percent, "", ""});
}

static int report_csv(struct api_call *call, struct http_response *resp, json_t *report)
{
	json_t *standards, *s, *p;
	struct cv_buf b;
	size_t i;
	int rc = aeo_safe_standards_json(call->conn, NULL, &standards);

	if (rc)
		return api_error(resp, rc, NULL);
	cv_buf_init(&b);
	rc = csv_row(&b, (const char *const[10]){"kind", "pillar", "id", "title", "complied",
						 "total", "complied_count", "percent",
						 "legal_basis", "recommendation"});
	json_array_foreach(standards, i, s) {
		char pillar[8];
		if (rc)
			break;
		snprintf(pillar, sizeof(pillar), "%d",
			 (int)json_integer_value(json_object_get(s, "pillar")));
		rc = csv_row(&b,
			     (const char *const[10]){"standard", pillar,
						     json_string_value(json_object_get(s, "id")),
						     json_string_value(json_object_get(s, "title")),
						     json_string_value(
							     json_object_get(s, "complied")),
						     "", "", "",
						     json_string_value(
							     json_object_get(s, "legal_basis")),
						     json_string_value(
							     json_object_get(s, "recommendation"))});
	}
	json_array_foreach(json_object_get(report, "pillars"), i, p) {
		if (!rc)
			rc = tally_row(&b, "pillar", p);
	}
	if (!rc)
		rc = tally_row(&b, "overall", json_object_get(report, "overall"));
	json_decref(standards);
	if (!rc)
		rc = http_response_set(resp, 200, "text/csv; charset=utf-8", b.data, b.len);
	cv_buf_release(&b);
	if (!rc)
		http_response_header(resp, "Content-Disposition",
				     "attachment; filename=\"safe-report.csv\"");
	return rc ? api_error(resp, rc, NULL) : 0;
}

int api_safe_report(struct api_call *call, struct http_response *resp)
{
	const char *format = http_query(call->req, "format"),
		   *accept = http_header(call->req, "Accept");
	json_t *report;
	int csv, rc;

	if (format && strcmp(format, "csv") && strcmp(format, "json"))
		return api_problem_fields(resp, "unknown format",
					  json_pack("[{s:s, s:s}]", "field", "format", "message",
						    "must be json or csv"));
	csv = (format && !strcmp(format, "csv")) ||
	      (!format && accept && strstr(accept, "text/csv"));
	http_response_header(resp, "Vary", "Accept");
	rc = aeo_safe_report_json(call->conn, &report);
	if (rc)
		return api_error(resp, rc, NULL);
	if (csv) {
		rc = report_csv(call, resp, report);
		json_decref(report);
		return rc;
	}
	return api_json(resp, 200, report);
}
