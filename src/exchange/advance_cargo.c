/*
 * advance_cargo.c — advance cargo data from partners (see advance_cargo.h).
 */
#include "exchange/advance_cargo.h"

#include "base/buf.h"
#include "base/clock.h"
#include "exchange/outbox.h"
#include "exchange/partners.h"
#include "exchange/status_list.h"

#include <stdio.h>
#include <stdlib.h>
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

/* ---- sending and receiving (the exchange) ------------------------------------ */

/* The unsigned advance cargo document of export declaration id, or NULL (*rc says why). */
static json_t *advance_document(struct store_conn *conn, const char *id, const char *issuer,
				const char *now, char destination[3], int *rc)
{
	static const char *const item_sql =
		"SELECT hs, origin, quantity, unit, net_mass, description FROM declaration_items"
		" WHERE declaration_id = $1 ORDER BY item";
	struct store_stmt *stmt;
	json_error_t jerr;
	json_t *doc, *items = json_array(), *lodged, *transport;

	*rc = store_query_row(conn, &stmt,
			      "SELECT number, direction, exporter, importer, mode, destination,"
			      " expected_arrival, document FROM declarations WHERE id = $1",
			      "t", id);
	if (*rc)
		return json_decref(items), NULL;
	if (strcmp(store_col_text(stmt, 1), "export") != 0) {
		store_finish(stmt);
		return json_decref(items), NULL; /* only exports are announced */
	}
	snprintf(destination, 3, "%s", store_col_text(stmt, 5));
	lodged = json_loads(store_col_text(stmt, 7), 0, &jerr);
	transport = json_object_get(lodged, "transport");
	doc = json_pack("{s:[s], s:[s, s], s:s, s:s, s:{s:s, s:s, s:s, s:s, s:{s:s, s:O}, s:s*}}",
			"@context", EXCHANGE_VC_CONTEXT, "type", "VerifiableCredential",
			ADVANCE_CARGO_TYPE, "issuer", issuer, "validFrom", now, "credentialSubject",
			"exportDeclaration", store_col_text(stmt, 0), "exporter",
			store_col_text(stmt, 2), "importer", store_col_text(stmt, 3),
			"destinationCountry", destination, "transport", "mode",
			store_col_text(stmt, 4), "containers",
			json_object_get(transport, "containers")
				? json_object_get(transport, "containers")
				: json_array(),
			"expectedArrival",
			store_col_is_null(stmt, 6) ? NULL : store_col_text(stmt, 6));
	store_finish(stmt);
	json_decref(lodged);
	*rc = doc ? store_prepare(conn, item_sql, &stmt) : CV_ENOMEM;
	if (!*rc)
		*rc = store_bindf(stmt, "t", id);
	while (!*rc && (*rc = store_step(stmt)) == STORE_ROW) {
		*rc = CV_OK;
		json_array_append_new(items, json_pack("{s:s, s:s, s:f, s:s, s:f, s:s}", "hs",
						       store_col_text(stmt, 0), "origin",
						       store_col_text(stmt, 1), "quantity",
						       store_col_double(stmt, 2), "unit",
						       store_col_text(stmt, 3), "netMass",
						       store_col_double(stmt, 4), "description",
						       store_col_text(stmt, 5)));
	}
	if (doc)
		store_finish(stmt);
	if (*rc < 0 || !doc) {
		json_decref(items);
		json_decref(doc);
		return NULL;
	}
	*rc = CV_OK;
	json_object_set_new(json_object_get(doc, "credentialSubject"), "items", items);
	return doc;
}

int advance_cargo_announce(struct store_conn *conn, const struct exchange_node *node,
			   const char *declaration_id, int64_t now_ms, int *queued,
			   struct cv_error *err)
{
	char now[CV_RFC3339_MAX], today[CV_DATE_MAX], destination[3] = "";
	json_t *doc, *ids = NULL, *v;
	size_t i;
	int rc;

	*queued = 0;
	if (!node)
		return CV_OK; /* no key yet: caravan init makes it */
	cv_clock_format_rfc3339(now_ms, now, sizeof(now));
	cv_date_from_ms(now_ms, today);
	doc = advance_document(conn, declaration_id, node->did, now, destination, &rc);
	if (!doc)
		return rc;
	rc = exchange_partners_agreed(conn, EXCHANGE_ADVANCE_CARGO, NULL, today, &ids);
	json_array_foreach(ids, i, v) {
		struct exchange_partner partner;
		if (rc)
			break;
		rc = exchange_partner_load(conn, json_string_value(v), &partner);
		if (rc || strcmp(partner.country, destination) != 0)
			continue;
		json_object_set_new(doc, "to", json_string(partner.did));
		json_object_del(doc, "id"); /* one document, and id, per partner */
		rc = exchange_outbox_queue(conn, node, partner.id, ADVANCE_CARGO_TYPE, doc, NULL,
					   err);
		if (!rc)
			(*queued)++;
	}
	json_decref(ids);
	json_decref(doc);
	return rc;
}

int advance_cargo_receive(struct store_conn *conn, const struct exchange_inbox_message *m,
			  struct cv_error *err)
{
	const json_t *subject = json_object_get(m->document, "credentialSubject");
	const json_t *transport = json_object_get(subject, "transport");
	const json_t *list = json_object_get(subject, "items"), *containers, *v;
	struct advance_cargo_item items[ADVANCE_CARGO_ITEMS_MAX];
	struct advance_cargo a = {0};
	struct cv_buf numbers;
	char now[CV_RFC3339_MAX];
	char *text;
	size_t i;
	int applied, rc;

	if (!json_is_array(list) || json_array_size(list) > ADVANCE_CARGO_ITEMS_MAX)
		return cv_error_set(err, CV_EINVAL, "credentialSubject.items",
				    "credentialSubject.items must be a list of 1 to %d items",
				    ADVANCE_CARGO_ITEMS_MAX);
	json_array_foreach(list, i, v) {
		items[i] =
			(struct advance_cargo_item){json_string_value(json_object_get(v, "hs")),
						    json_string_value(json_object_get(v, "origin")),
						    json_number_value(json_object_get(v, "quantity")),
						    json_string_value(json_object_get(v, "unit")),
						    json_number_value(json_object_get(v, "netMass"))};
	}
	cv_buf_init(&numbers);
	containers = json_object_get(transport, "containers");
	json_array_foreach(containers, i, v) {
		if (json_is_string(v) && (numbers.len ? cv_buf_addch(&numbers, ' ') : CV_OK) == CV_OK)
			cv_buf_add(&numbers, json_string_value(v), json_string_length(v));
	}
	text = json_dumps(m->document, JSON_COMPACT | JSON_SORT_KEYS);
	a.id = m->document_id;
	a.country = m->partner->country;
	a.export_number = json_string_value(json_object_get(subject, "exportDeclaration"));
	a.exporter = json_string_value(json_object_get(subject, "exporter"));
	a.importer = json_string_value(json_object_get(subject, "importer"));
	a.mode = json_string_value(json_object_get(transport, "mode"));
	a.expected_arrival = json_string_value(json_object_get(subject, "expectedArrival"));
	a.containers = cv_buf_str(&numbers);
	a.items = items;
	a.nitems = json_array_size(list);
	a.document = text;
	cv_clock_format_rfc3339(m->now_ms, now, sizeof(now));
	rc = text ? advance_cargo_record(conn, &a, now, &applied, err) : CV_ENOMEM;
	free(text);
	cv_buf_release(&numbers);
	return rc;
}
