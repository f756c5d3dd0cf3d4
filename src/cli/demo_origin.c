/*
 * demo_origin.c — the demo chamber of commerce's certificates of origin:
 * one for each released export of the demo traffic to a party of the CIS
 * free trade area (wheat to Uzbekistan, batteries to Russia), issued by
 * origin.officer the day before the release through the same code as
 * POST /api/v1/certificates-of-origin, so that the chamber's list, the
 * exporters' and the status list have something in them.
 */
#include "cli/demo_origin.h"

#include "auth/users.h"
#include "base/clock.h"
#include "exchange/certificates.h"

#include <stdio.h>
#include <string.h>

#define DEMO_ORIGIN_OFFICER "origin.officer"
#define DAY_MS (24LL * 60 * 60 * 1000)

/* The parties of the CIS free trade area other than this node's country. */
static const char *const cis_fta[] = {"AM", "BY", "KG", "KZ", "MD", "RU", "TJ", "UZ", NULL};

static int listed(const char *country)
{
	for (size_t i = 0; cis_fta[i]; i++)
		if (!strcmp(cis_fta[i], country))
			return 1;
	return 0;
}

/* The certificate's request for the export declaration at stmt (see the query below). */
static json_t *request(struct store_conn *conn, struct store_stmt *stmt)
{
	const char *id = store_col_text(stmt, 0), *number = store_col_text(stmt, 1);
	json_t *items = json_array(), *body;
	struct store_stmt *it;
	int rc = store_prepare(conn,
			       "SELECT hs, description, quantity, unit, net_mass FROM declaration_items"
			       " WHERE declaration_id = $1 ORDER BY item",
			       &it);

	if (!rc)
		rc = store_bindf(it, "t", id);
	while (!rc && (rc = store_step(it)) == STORE_ROW) {
		const char *hs = store_col_text(it, 0);

		rc = CV_OK;
		/* Wheat grown here is wholly obtained; manufactured goods meet a product-specific rule. */
		json_array_append_new(items,
				      json_pack("{s:s%, s:s, s:f, s:s, s:f, s:s, s:s}", "hs", hs,
						(size_t)6, "description", store_col_text(it, 1),
						"quantity", store_col_double(it, 2), "unit",
						store_col_text(it, 3), "gross_mass",
						store_col_double(it, 4) * 1.02, "origin", "KZ",
						"criterion", !strncmp(hs, "10", 2) ? "WO" : "PSR"));
	}
	store_finish(it);
	body = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:o}", "arrangement",
			 "CIS-FTA", "importing_country", store_col_text(stmt, 4), "exporter", "id",
			 store_col_text(stmt, 2), "importer", "id", store_col_text(stmt, 3), "name",
			 store_col_text(stmt, 3), "consignment", "mode", store_col_text(stmt, 5),
			 "export_declaration", number, "items", items);
	return rc < 0 ? (json_decref(body), NULL) : body;
}

int demo_origin_load(struct store_conn *conn, const struct exchange_node *node,
		     const struct cv_config *config, size_t *issued, struct cv_error *err)
{
	struct auth_principal officer;
	struct store_stmt *stmt;
	json_t *exports = json_array(), *e;
	size_t i;
	int rc;

	*issued = 0;
	memset(&officer, 0, sizeof(officer));
	if (!node || store_query_row(conn, &stmt,
				     "SELECT 1 FROM origin_certificates WHERE direction = 'issued'",
				     "") == CV_OK) {
		if (node)
			store_finish(stmt);
		json_decref(exports);
		return CV_OK; /* no key to sign with, or done before */
	}
	rc = auth_user_find(conn, DEMO_ORIGIN_OFFICER, &officer.user);
	if (!rc)
		rc = store_prepare(conn,
				   "SELECT id, number, exporter, importer, destination, mode, released_at"
				   " FROM declarations WHERE direction = 'export' AND source = 'api'"
				   " AND released_at IS NOT NULL ORDER BY released_at",
				   &stmt);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		int64_t released;

		rc = CV_OK;
		if (!listed(store_col_text(stmt, 4)) ||
		    !strcmp(store_col_text(stmt, 4), config->node_country) ||
		    cv_clock_parse_rfc3339(store_col_text(stmt, 6), &released))
			continue;
		e = json_pack("{s:o, s:I}", "request", request(conn, stmt), "at",
			      (json_int_t)(released - DAY_MS));
		rc = e ? json_array_append_new(exports, e) : CV_ENOMEM;
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(exports);
		return rc;
	}
	rc = CV_OK; /* STORE_DONE */
	for (i = 0; !rc && i < json_array_size(exports); i++) {
		struct exchange_origin_context ctx;
		json_t *errors = json_array(), *out = NULL;

		e = json_array_get(exports, i);
		ctx = (struct exchange_origin_context){node, config->public_url,
						       config->node_country,
						       json_integer_value(json_object_get(e, "at"))};
		rc = exchange_certificate_issue(conn, &ctx, &officer, json_object_get(e, "request"),
						errors, &out, err);
		if (rc == CV_EINVAL && json_array_size(errors))
			cv_error_set(err, rc, NULL, "a demo certificate of origin: %s",
				     json_string_value(json_object_get(json_array_get(errors, 0),
								       "message")));
		if (!rc)
			(*issued)++;
		json_decref(errors);
		json_decref(out);
	}
	json_decref(exports);
	return rc < 0 ? rc : CV_OK;
}
