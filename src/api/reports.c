/*
 * reports.c — GET /api/v1/reports/release-times and /api/v1/reports/green:
 * the single window's performance for management and the public record.
 */
#include "api/api.h"

#include "base/clock.h"
#include "report/green.h"
#include "report/release_times.h"

#include <stdio.h>

/* The period asked for, the last 30 days by default. */
static void period(struct api_call *call, const char **from, const char **to, char a[16], char b[16])
{
	cv_date_from_ms(cv_clock_now_ms(), b);
	cv_date_add_days(b, -29, a);
	*from = http_query(call->req, "from");
	*to = http_query(call->req, "to");
	if (!*from)
		*from = a;
	if (!*to)
		*to = b;
}

int api_reports_release_times(struct api_call *call, struct http_response *resp)
{
	const char *from, *to, *office = http_query(call->req, "office");
	char a[16], b[16];
	struct cv_error err;
	json_t *out;
	int rc;

	period(call, &from, &to, a, b);
	cv_error_clear(&err);
	rc = report_release_times(call->conn, from, to, office ? office : "", &out, &err);
	return rc ? api_error(resp, rc, &err) : api_json(resp, 200, out);
}

int api_reports_green(struct api_call *call, struct http_response *resp)
{
	const char *from, *to;
	char a[16], b[16], path[1100];
	struct cv_error err;
	json_t *out;
	int rc;

	period(call, &from, &to, a, b);
	snprintf(path, sizeof(path), "%s/green/coefficients.json", call->app->config->data_dir);
	cv_error_clear(&err);
	rc = report_green(call->conn, path, from, to, &out, &err);
	return rc ? api_error(resp, rc, &err) : api_json(resp, 200, out);
}
