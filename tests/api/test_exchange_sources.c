/*
 * test_exchange_sources.c — the node's rows into the documents it sends
 * (exchange/sources.h): a demo authorization as an AEO status credential,
 * and a released export declaration as advance cargo data, each built and
 * read back; a declaration that is not a released export is refused. On
 * the database of a real node (the template: init + demo).
 */
#include "support/server.h"

#include "exchange/documents.h"
#include "exchange/sources.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct test_server srv;
static struct store *store;
static struct store_conn *conn;
static struct cv_arena arena;

static void start(void)
{
	test_server_start(&srv, NULL);
	cr_assert_eq(store_open(srv.db_url, &store, NULL), CV_OK);
	cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
	cv_arena_init(&arena, 0);
}

static void stop(void)
{
	cv_arena_release(&arena);
	store_close(store);
	test_server_stop(&srv);
}

TestSuite(exchange_sources, .init = start, .fini = stop, .timeout = 120);

static const struct exchange_envelope envelope = {"urn:uuid:0193a1c0-1111-7222-8333-444455556666",
						  "did:web:customs.kz.example",
						  "2026-11-28T10:15:00Z", NULL, NULL};

Test(exchange_sources, a_demo_authorization_becomes_an_aeo_status_credential)
{
	struct exchange_aeo_status aeo, back;
	struct exchange_envelope env;
	struct cv_error err;
	json_t *doc;

	cv_error_clear(&err);
	cr_assert_eq(exchange_aeo_status_load(conn, "KZAEOC0000000002", &arena, &aeo, &err), CV_OK,
		     "%s", err.message);
	cr_assert_str_eq(aeo.holder.id, "KZ555000111222");
	cr_assert_str_eq(aeo.holder.name, "Silk Road Express JSC");
	cr_assert_str_eq(aeo.holder.country, "KZ");
	cr_assert_str_eq(aeo.address, "Khorgos Eastern Gate SEZ");
	cr_assert_str_eq(aeo.type, "AEOC");
	cr_assert_str_eq(aeo.status, "suspended");
	cr_assert_eq(exchange_aeo_status_build(&envelope, &aeo, &doc, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_aeo_status_read(doc, &env, &back, &err), CV_OK, "%s", err.message);
	cr_assert_str_eq(back.number, "KZAEOC0000000002");
	cr_assert_str_eq(back.authorized_on, aeo.authorized_on);
	json_decref(doc);
	cr_assert_eq(exchange_aeo_status_load(conn, "KZAEOX9999999999", &arena, &aeo, &err),
		     CV_ENOTFOUND);
}

Test(exchange_sources, every_authorization_of_the_demo_builds_and_reads_back)
{
	struct store_stmt *stmt;
	json_t *ids = json_array(), *v;
	size_t i;

	cr_assert_eq(store_prepare(conn, "SELECT id FROM aeo_authorizations ORDER BY id", &stmt),
		     CV_OK);
	while (store_step(stmt) == STORE_ROW)
		json_array_append_new(ids, json_string(store_col_text(stmt, 0)));
	store_finish(stmt);
	cr_assert_gt(json_array_size(ids), 0);
	json_array_foreach(ids, i, v) {
		struct exchange_aeo_status aeo, back;
		struct exchange_envelope env;
		struct cv_error err;
		json_t *doc;

		cv_error_clear(&err);
		cr_assert_eq(exchange_aeo_status_load(conn, json_string_value(v), &arena, &aeo, &err),
			     CV_OK, "%s", err.message);
		cr_assert_eq(exchange_aeo_status_build(&envelope, &aeo, &doc, &err), CV_OK,
			     "%s: %s", aeo.number, err.message);
		cr_assert_eq(exchange_aeo_status_read(doc, &env, &back, &err), CV_OK, "%s",
			     err.message);
		json_decref(doc);
	}
	json_decref(ids);
}

/* A released export of cotton to Uzbekistan, written as the single window would have. */
static void insert_export(void)
{
	static const char document[] =
		"{\"direction\": \"export\", \"transport\": {\"mode\": \"3\", \"vehicle\": "
		"\"777ABC02\", \"containers\": [\"CSQU3054383\"], \"seals\": [\"KZ-S-000981\"]}}";

	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO declarations (id, number, direction, procedure, office, mode,"
				 " declarant, importer, exporter, departure, destination, status, source,"
				 " document, lodged_on, lodged_at, expected_arrival, released_at)"
				 " VALUES ('0193a1c0-0000-7000-8000-000000000042', 'KZ-EX-1999-0000042',"
				 " 'export', '1000', 'KZ-ALA', '3', 'KZ123456789012', 'UZ123456789',"
				 " 'KZ123456789012', 'KZ', 'UZ', 'released', 'api', $1, '2026-11-28',"
				 " '2026-11-28T09:00:00Z', '2026-11-29T08:00:00Z', '2026-11-28T10:14:31Z')",
				 "t", document),
		     CV_OK, "%s", store_errmsg(conn));
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO declaration_items (declaration_id, item, hs, origin, value,"
				 " net_mass, description, quantity, unit, amount, currency) VALUES"
				 " ('0193a1c0-0000-7000-8000-000000000042', 1, '5201000000', 'KZ',"
				 " 15980000, 20000, 'Cotton, not carded or combed', 20000, 'KGM', 3400000,"
				 " 'USD')",
				 ""),
		     CV_OK, "%s", store_errmsg(conn));
}

Test(exchange_sources, a_released_export_becomes_advance_cargo_data)
{
	struct exchange_advance_cargo c, back;
	struct exchange_envelope env;
	struct cv_error err;
	json_t *doc;

	insert_export();
	cv_error_clear(&err);
	cr_assert_eq(exchange_advance_cargo_load(conn, "KZ-EX-1999-0000042", &arena, &c, &err),
		     CV_OK, "%s", err.message);
	cr_assert_str_eq(c.exporter.name, "Steppe Trading LLP", "named from the registry");
	cr_assert_str_eq(c.importer.id, "UZ123456789");
	cr_assert_null(c.importer.name, "a foreign importer the node does not know");
	cr_assert_str_eq(c.vehicle, "777ABC02");
	cr_assert_eq(c.ncontainers, 1);
	cr_assert_eq(c.nseals, 1);
	cr_assert_str_eq(c.released_at, "2026-11-28T10:14:31Z");
	cr_assert_eq(c.nitems, 1);
	cr_assert_eq(c.items[0].amount, 3400000);
	cr_assert_eq(exchange_advance_cargo_build(&envelope, &c, &doc, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_advance_cargo_read(doc, &arena, &env, &back, &err), CV_OK, "%s",
		     err.message);
	cr_assert_str_eq(back.declaration, "KZ-EX-1999-0000042");
	cr_assert_str_eq(back.destination, "UZ");
	cr_assert_str_eq(back.seals[0], "KZ-S-000981");
	cr_assert_str_eq(back.items[0].description, "Cotton, not carded or combed");
	cr_assert_eq(back.items[0].quantity, 20000);
	json_decref(doc);
}

Test(exchange_sources, only_a_released_export_has_advance_cargo_data)
{
	struct exchange_advance_cargo c;
	struct store_stmt *stmt;
	struct cv_error err;
	char number[64];

	cr_assert_eq(store_query_row(conn, &stmt,
				     "SELECT number FROM declarations WHERE direction = 'import'"
				     " LIMIT 1",
				     ""),
		     CV_OK);
	snprintf(number, sizeof(number), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	cr_assert_eq(exchange_advance_cargo_load(conn, number, &arena, &c, &err), CV_ECONFLICT);
	cr_assert(strstr(err.message, "an import declaration, released"), "%s", err.message);
	cr_assert_eq(exchange_advance_cargo_load(conn, "KZ-EX-1999-0000001", &arena, &c, &err),
		     CV_ENOTFOUND);
}

Test(exchange_sources, every_released_export_of_the_demo_builds_and_reads_back)
{
	struct store_stmt *stmt;
	json_t *numbers = json_array(), *v;
	size_t i;
	int rc;

	cr_assert_eq(store_prepare(conn,
				   "SELECT number FROM declarations WHERE direction = 'export'"
				   " AND status = 'released' ORDER BY number",
				   &stmt),
		     CV_OK);
	while ((rc = store_step(stmt)) == STORE_ROW)
		json_array_append_new(numbers, json_string(store_col_text(stmt, 0)));
	store_finish(stmt);
	cr_assert_gt(json_array_size(numbers), 0, "the demo has released exports");
	json_array_foreach(numbers, i, v) {
		const char *number = json_string_value(v);
		struct exchange_advance_cargo c, back;
		struct exchange_envelope env;
		struct cv_error err;
		json_t *doc;

		cv_error_clear(&err);
		cr_assert_eq(exchange_advance_cargo_load(conn, number, &arena, &c, &err), CV_OK,
			     "%s: %s", number, err.message);
		cr_assert_eq(exchange_advance_cargo_build(&envelope, &c, &doc, &err), CV_OK,
			     "%s: %s", number, err.message);
		cr_assert_eq(exchange_advance_cargo_read(doc, &arena, &env, &back, &err), CV_OK,
			     "%s: %s", number, err.message);
		cr_assert_eq(back.nitems, c.nitems);
		json_decref(doc);
	}
	json_decref(numbers);
}
