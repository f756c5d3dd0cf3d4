/* test_risk_declaration.c — reading a declaration for the engine, and refusing garbage by field. */
#include "risk/declaration.h"

#include <criterion/criterion.h>
#include <string.h>

/* The items point into the document: the caller frees *doc after its checks. */
static int read_text(const char *text, json_t **doc, struct risk_declaration *d,
		     struct cv_error *err, struct cv_arena *arena)
{
	*doc = json_loads(text, 0, NULL);
	cv_arena_init(arena, 0);
	return risk_declaration_from_json(*doc, arena, d, err);
}

TestSuite(risk_declaration);

Test(risk_declaration, header_fields_reach_every_item_and_unit_value_is_computed)
{
	struct risk_declaration d;
	struct cv_error err;
	struct cv_arena arena;
	json_t *doc;

	cr_assert_eq(read_text("{\"id\":\"D1\",\"direction\":\"import\",\"aeo\":\"AEOS\",\"documents\":[\"X\"],"
			       "\"items\":[{\"hs\":\"851713\",\"value\":1000,\"net_mass\":100},{\"hs\":\"0101210000\"}]}",
			       &doc, &d, &err, &arena),
		     0, "%s", err.message);
	cr_assert_eq(d.nitems, 2);
	cr_assert_eq(d.aeo, RISK_AEO_S);
	cr_assert_str_eq(d.items[1].text[RISK_DIRECTION], "import");
	cr_assert_float_eq(d.items[0].number[RISK_UNIT_VALUE - RISK_TEXT_FIELDS], 10, 1e-9);
	cr_assert_eq(d.items[1].ndocuments, 1);
	cv_arena_release(&arena);
	json_decref(doc);
}

Test(risk_declaration, garbage_is_refused_naming_the_field)
{
	static const char *const cases[][2] = {
		{"[1,2]", "declaration"},
		{"{\"items\":[{\"hs\":\"851713\"}]}", "id"},
		{"{\"id\":\"D\",\"items\":[]}", "items"},
		{"{\"id\":\"D\",\"items\":[{\"hs\":\"85\"}]}", "hs"},
		{"{\"id\":\"D\",\"items\":[{\"hs\":\"85171a\"}]}", "hs"},
		{"{\"id\":\"D\",\"items\":[{\"hs\":\"851713\",\"value\":-1}]}", "value"},
		{"{\"id\":\"D\",\"aeo\":\"gold\",\"items\":[{\"hs\":\"851713\"}]}", "aeo"},
		{"{\"id\":\"D\",\"origin\":7,\"items\":[{\"hs\":\"851713\"}]}", "origin"},
		{"{\"id\":\"D\",\"documents\":\"INVOICE\",\"items\":[{\"hs\":\"851713\"}]}",
		 "documents"},
		{"{\"id\":\"D\",\"pre_arrival\":\"yes\",\"items\":[{\"hs\":\"851713\"}]}",
		 "pre_arrival"},
		{"{\"id\":\"D\",\"advance_match\":1,\"items\":[{\"hs\":\"851713\"}]}",
		 "advance_match"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct risk_declaration d;
		struct cv_error err;
		struct cv_arena arena;
		json_t *doc;

		cv_error_clear(&err);
		cr_assert_eq(read_text(cases[i][0], &doc, &d, &err, &arena), CV_EINVAL,
			     "accepted %s", cases[i][0]);
		cr_assert_str_eq(err.field, cases[i][1], "%s: %s", cases[i][0], err.message);
		cv_arena_release(&arena);
		json_decref(doc);
	}
}
