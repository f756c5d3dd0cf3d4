/* test_risk.c — selectivity through the API: profile versions, watchlists, assessment. */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(risk, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)

static const char profiles[] =
	"{\"source\":\"profile ODS-001 \\\"HFC without licence\\\"\\n"
	" when hs between \\\"290341\\\" and \\\"290349\\\" and not has_document(\\\"ODS-LICENCE\\\")\\n"
	" then lane red, score 100, note \\\"licence missing\\\"\\nend\\n"
	"profile DENIED \\\"watchlist\\\" when importer in list \\\"DENIED\\\" then lane red end\\n\"}";

static const char declaration[] =
	"{\"declaration\":{\"id\":\"KZ-IM-1\",\"direction\":\"import\",\"office\":\"KZ-ALA\",\"importer\":\"KZ999\","
	"\"items\":[{\"hs\":\"01012100\",\"origin\":\"DE\",\"value\":100,\"net_mass\":10}]}}";

Test(risk, a_draft_is_compiled_stored_and_activated_then_assesses)
{
	struct test_response r;
	char path[128];

	/* Before this set: a lane all the same (the demo set, or none), and no hit of ours. */
	cr_assert_eq(call("border.officer", "POST", "/api/v1/risk/assess", declaration, &r), 200,
		     "%s", r.body);
	cr_assert_eq(json_array_size(
			     json_object_get(json_array_get(json_object_get(json_object_get(r.json,
											    "explanation"),
									    "items"),
							    0),
					     "hits")),
		     0);
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles", profiles, &r), 201, "%s",
		     r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "profiles")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "draft");
	snprintf(path, sizeof(path), "/api/v1/risk/profiles/%s/activate",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "POST", path, NULL, NULL), 403,
		     "risk analysts activate");
	cr_assert_eq(call("risk.analyst", "POST", path, NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "active");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", path, NULL, NULL), 409, "already active");

	cr_assert_eq(call("border.officer", "POST", "/api/v1/risk/assess", declaration, &r), 200,
		     "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/watchlists/DENIED",
			  "{\"values\":[\"KZ999\"]}", NULL),
		     200);
	cr_assert_eq(call("border.officer", "POST", "/api/v1/risk/assess", declaration, &r), 200,
		     "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "lane")), "red", "%s", r.body);
	cr_assert(strstr(r.body, "\"profile\":\"DENIED\""), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", "/api/v1/risk/assess", declaration, NULL), 403);
}

Test(risk, profiles_that_do_not_compile_are_refused_with_their_position)
{
	struct test_response r;
	json_t *e;

	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles",
			  "{\"source\":\"profile X \\\"x\\\"\\n  when colour = \\\"red\\\" then score 1 end\"}",
			  &r),
		     422, "%s", r.body);
	e = json_array_get(json_object_get(r.json, "errors"), 0);
	cr_assert_eq(json_integer_value(json_object_get(e, "line")), 2);
	cr_assert_eq(json_integer_value(json_object_get(e, "column")), 8);
	cr_assert(strstr(json_string_value(json_object_get(e, "message")), "colour"));
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/risk/profiles", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1,
		     "nothing stored besides the demo's set");
	test_response_free(&r);
}

Test(risk, bad_declarations_and_watchlists_are_refused_by_field)
{
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles", profiles, NULL), 201);
	/* Version 1 is the demo's set. */
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles/2/activate", NULL, NULL),
		     200);
	cr_assert_eq(call("border.officer", "POST", "/api/v1/risk/assess",
			  "{\"declaration\":{\"id\":\"X\",\"items\":[{\"hs\":\"12\"}]}}", NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST", "/api/v1/risk/assess", "{}", NULL), 422);
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/watchlists/DENIED",
			  "{\"values\":\"KZ1\"}", NULL),
		     422);
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles/99/activate", NULL, NULL),
		     404);
}

static long csv(const char *path, const char *type, const char *body, struct test_response *out)
{
	char ctype[80];
	const char *headers[] = {test_bearer("risk.analyst"), ctype, NULL};

	snprintf(ctype, sizeof(ctype), "Content-Type: %s", type);
	test_http(&srv, "POST", path, headers, body, out);
	return out->status;
}

Test(risk, watchlists_are_kept_as_csv_entry_by_entry_and_listed)
{
	struct test_response r;

	cr_assert_eq(csv("/api/v1/risk/watchlists/DENIED/csv", "text/csv",
			 "value\nKZ111\n\"KZ222\"\nKZ333,note ignored\n\nKZ111\n", &r),
		     200, "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "added")), 3, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "DELETE", "/api/v1/risk/watchlists/DENIED/values/KZ222",
			  NULL, NULL),
		     200);
	cr_assert_eq(call("risk.analyst", "DELETE", "/api/v1/risk/watchlists/DENIED/values/KZ222",
			  NULL, NULL),
		     404, "gone already");
	cr_assert_eq(call("border.officer", "GET", "/api/v1/risk/watchlists/DENIED", NULL, &r), 200);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "values"), 1)),
			 "KZ333");
	cr_assert_eq(json_array_size(json_object_get(r.json, "values")), 2);
	test_response_free(&r);
	/* Replace: the CSV becomes the whole list. */
	cr_assert_eq(csv("/api/v1/risk/watchlists/DENIED/csv?replace=true", "text/csv", "KZ999\n",
			 &r),
		     200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "removed")), 2);
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "GET", "/api/v1/risk/watchlists", NULL, &r), 200);
	cr_assert(strstr(r.body, "\"DENIED\"") && strstr(r.body, "\"REPEAT-OFFENDERS\""), "%s",
		  r.body);
	test_response_free(&r);
	/* Garbage: named, and nothing changes. */
	cr_assert_eq(csv("/api/v1/risk/watchlists/DENIED/csv?replace=true", "text/csv",
			 "KZ1\n\"KZ2\n", &r),
		     422);
	cr_assert(strstr(r.body, "line 2"), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(csv("/api/v1/risk/watchlists/DENIED/csv", "application/json", "[\"KZ1\"]", &r),
		     415);
	test_response_free(&r);
	cr_assert_eq(csv("/api/v1/risk/watchlists/DENIED/csv", "text/csv", "\n\n", &r), 422);
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "GET", "/api/v1/risk/watchlists/DENIED", NULL, &r), 200);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "values"), 0)),
			 "KZ999");
	cr_assert_eq(json_array_size(json_object_get(r.json, "values")), 1);
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "DELETE", "/api/v1/risk/watchlists/DENIED/values/KZ999",
			  NULL, NULL),
		     403);
}

Test(risk, the_partner_aeo_register_is_read_by_customs_and_refuses_garbage)
{
	struct test_response r;

	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/partner-aeo", NULL, &r), 200, "%s",
		     r.body);
	cr_assert(json_is_array(json_object_get(r.json, "items")));
	cr_assert_eq(json_integer_value(json_object_get(r.json, "count")),
		     (json_int_t)json_array_size(json_object_get(r.json, "items")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/partner-aeo", NULL, NULL), 403);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/partner-aeo?country=uzb", NULL, &r), 422);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "errors"), 0),
						 "field")),
			 "country");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/partner-aeo?id=", NULL, &r), 422);
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/partner-aeo?country=UZ&id=305123456",
			  NULL, &r),
		     200, "%s", r.body);
	test_response_free(&r);
}
