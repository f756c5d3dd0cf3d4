/* policy.c — see policy.h. */
#include "aeo/policy.h"

#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>

int aeo_policy_text(struct store_conn *conn, const char *key, char *out, size_t size)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn, "SELECT value FROM aeo_policy WHERE key = $1", &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", key);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		snprintf(out, size, "%s", store_col_text(stmt, 0));
		rc = CV_OK;
	} else if (rc == STORE_DONE) {
		cv_logerr("aeo", "policy value %s is missing from aeo_policy", key);
		rc = CV_EINTERNAL;
	}
	store_finish(stmt);
	return rc;
}

int aeo_policy_int(struct store_conn *conn, const char *key, int *out)
{
	char text[32], *end;
	long v;
	int rc = aeo_policy_text(conn, key, text, sizeof(text));

	if (rc)
		return rc;
	v = strtol(text, &end, 10);
	if (*end || end == text || v < 0 || v > 100000) {
		cv_logerr("aeo", "policy value %s is not a number: \"%s\"", key, text);
		return CV_EINTERNAL;
	}
	*out = (int)v;
	return CV_OK;
}

int aeo_policy_double(struct store_conn *conn, const char *key, double *out)
{
	char text[32], *end;
	double v;
	int rc = aeo_policy_text(conn, key, text, sizeof(text));

	if (rc)
		return rc;
	v = strtod(text, &end);
	if (*end || end == text || v < 0 || v > 1e6) {
		cv_logerr("aeo", "policy value %s is not a number: \"%s\"", key, text);
		return CV_EINTERNAL;
	}
	*out = v;
	return CV_OK;
}
