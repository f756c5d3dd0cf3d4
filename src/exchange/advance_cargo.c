/*
 * advance_cargo.c — advance cargo data from partners (see advance_cargo.h).
 */
#include "exchange/advance_cargo.h"

#include "base/clock.h"

#include <string.h>

static int hs_ok(const char *hs)
{
	size_t n = hs ? strlen(hs) : 0;

	if (n < 6 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (hs[i] < '0' || hs[i] > '9')
			return 0;
	return 1;
}

static int check(const struct advance_cargo *a, struct cv_error *err)
{
	int64_t ms;

	if (!a->id || !*a->id || strlen(a->id) > 200)
		return cv_error_set(err, CV_EINVAL, "id", "id must be 1 to 200 characters");
	if (!a->country || strlen(a->country) != 2)
		return cv_error_set(err, CV_EINVAL, "country",
				    "country must be an ISO 3166 alpha-2 code");
	if (!a->export_number || !*a->export_number || strlen(a->export_number) > 60)
		return cv_error_set(err, CV_EINVAL, "export_number",
				    "export_number must be 1 to 60 characters");
	if (a->expected_arrival && cv_clock_parse_rfc3339(a->expected_arrival, &ms))
		return cv_error_set(err, CV_EINVAL, "expected_arrival",
				    "expected_arrival must be an RFC 3339 time");
	if (a->nitems == 0 || a->nitems > 999)
		return cv_error_set(err, CV_EINVAL, "items", "items must hold 1 to 999 items");
	for (size_t i = 0; i < a->nitems; i++) {
		if (!hs_ok(a->items[i].hs))
			return cv_error_set(err, CV_EINVAL, "items",
					    "items[%zu].hs must be 6 to 10 digits", i);
		if (a->items[i].net_mass < 0 || a->items[i].quantity < 0)
			return cv_error_set(err, CV_EINVAL, "items",
					    "items[%zu]: quantity and net_mass cannot be negative",
					    i);
	}
	if (!a->document || !*a->document)
		return cv_error_set(err, CV_EINVAL, "document", "the signed document is required");
	return CV_OK;
}

int advance_cargo_record(struct store_conn *conn, const struct advance_cargo *a, const char *now,
			 int *applied, struct cv_error *err)
{
	struct store_stmt *stmt;
	int rc = check(a, err);

	*applied = 0;
	if (rc)
		return rc;
	rc = store_query_row(conn, &stmt, "SELECT 1 FROM advance_cargo WHERE id = $1", "t", a->id);
	if (rc == CV_OK) {
		store_finish(stmt);
		return CV_OK; /* received already */
	}
	if (rc != CV_ENOTFOUND)
		return rc;
	/* An amendment at export: the newer document replaces the older. */
	rc = store_execf(conn, NULL,
			 "DELETE FROM advance_cargo_items WHERE advance_cargo_id IN"
			 " (SELECT id FROM advance_cargo WHERE country = $1 AND export_number = $2)",
			 "tt", a->country, a->export_number);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "DELETE FROM advance_cargo WHERE country = $1 AND export_number = $2",
				 "tt", a->country, a->export_number);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO advance_cargo (id, country, export_number, exporter, importer,"
				 " mode, expected_arrival, containers, document, received_at)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
				 "tttttttttt", a->id, a->country, a->export_number,
				 a->exporter ? a->exporter : "", a->importer ? a->importer : "",
				 a->mode ? a->mode : "", a->expected_arrival,
				 a->containers ? a->containers : "", a->document, now);
	for (size_t i = 0; !rc && i < a->nitems; i++) {
		const struct advance_cargo_item *it = &a->items[i];
		rc = store_execf(conn, NULL,
				 "INSERT INTO advance_cargo_items (advance_cargo_id, item, hs, origin,"
				 " quantity, unit, net_mass) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				 "tittdtd", a->id, (int64_t)i + 1, it->hs,
				 it->origin ? it->origin : "", it->quantity, it->unit, it->net_mass);
	}
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot store the advance cargo data: %s",
				    store_errmsg(conn));
	*applied = 1;
	return CV_OK;
}

int advance_cargo_matches(struct store_conn *conn, const char *declaration_id)
{
	struct store_stmt *stmt;
	int rc =
		store_prepare(conn,
			      "SELECT count(*) FROM advance_cargo a"
			      " JOIN declaration_documents dd ON dd.reference = a.export_number AND dd.type = $2"
			      " JOIN declarations d ON d.id = dd.declaration_id AND d.departure = a.country"
			      " WHERE dd.declaration_id = $1"
			      /* every declared subheading announced */
			      " AND NOT EXISTS (SELECT 1 FROM declaration_items i WHERE i.declaration_id = $1"
			      "   AND NOT EXISTS (SELECT 1 FROM advance_cargo_items ai WHERE ai.advance_cargo_id = a.id"
			      "     AND substr(ai.hs, 1, 6) = substr(i.hs, 1, 6)))"
			      /* and, per subheading, no more mass than announced, within the tolerance */
			      " AND NOT EXISTS (SELECT 1 FROM (SELECT substr(hs, 1, 6) AS hs6, sum(net_mass) AS mass"
			      "   FROM declaration_items WHERE declaration_id = $1 GROUP BY hs6) di"
			      "   WHERE di.mass > (1 + $3) * (SELECT COALESCE(sum(ai.net_mass), 0)"
			      "     FROM advance_cargo_items ai WHERE ai.advance_cargo_id = a.id"
			      "     AND substr(ai.hs, 1, 6) = di.hs6))",
			      &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "ttd", declaration_id, ADVANCE_CARGO_DOCUMENT_TYPE,
			 ADVANCE_CARGO_MASS_TOLERANCE);
	if (!rc)
		rc = store_step(stmt);
	rc = rc == STORE_ROW ? store_col_int64(stmt, 0) > 0 : rc < 0 ? rc : 0;
	store_finish(stmt);
	return rc;
}
