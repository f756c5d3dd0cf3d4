/*
 * test_csv.c — the RFC 4180 reader (base/csv.h).
 *
 * Inputs are char arrays initialised from literals: writable, NUL-terminated,
 * and sizeof - 1 is their length even with a NUL byte inside.
 */
#include "base/csv.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define NAME "/srv/data/list.csv"
#define ROWS_MAX 8

static void csv_teardown(void) { cv_mem_fail_after(-1); }

TestSuite(csv, .fini = csv_teardown);

/*
 * Read every record of input (size bytes) into rows; returns the number read,
 * or the reader's error code.
 */
static int read_rows(char *input, size_t size, struct cv_csv_row *rows, struct cv_error *err)
{
	struct cv_csv csv;
	int n = 0, rc;

	cv_error_clear(err);
	rc = cv_csv_init(&csv, NAME, NULL, input, size, err);
	if (rc)
		return rc;
	while ((rc = cv_csv_next(&csv, &rows[n], err)) == 1) {
		n++;
		cr_assert_lt(n, ROWS_MAX, "more records than the test expects");
	}
	return rc < 0 ? rc : n;
}

/* Read input expecting an error: the code, and the message NAME " line <line>: " + what. */
static void assert_rejected(char *input, size_t size, long line, const char *what)
{
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;
	char expected[256];
	int n = snprintf(expected, sizeof(expected), NAME " line %ld: %s", line, what);

	cr_assert(n > 0 && (size_t)n < sizeof(expected));
	cr_assert_eq(read_rows(input, size, rows, &err), CV_EINVAL, "accepted; expected %s",
		     expected);
	cr_assert_eq(err.code, CV_EINVAL);
	cr_assert_str_eq(err.field, NAME);
	cr_assert(strncmp(err.message, expected, strlen(expected)) == 0, "%s (expected %s)",
		  err.message, expected);
}

/* ---- records and fields --------------------------------------------------------- */

Test(csv, records_split_on_commas_and_line_feeds)
{
	char input[] = "section,name\nI,live animals\nII,vegetable products\n";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 3, "%s", err.message);
	cr_assert_eq(rows[0].count, 2);
	cr_assert_str_eq(rows[0].fields[0], "section");
	cr_assert_str_eq(rows[1].fields[1], "live animals");
	cr_assert_str_eq(rows[2].fields[0], "II");
	cr_assert_str_eq(rows[2].fields[1], "vegetable products");
	cr_assert_eq(rows[2].line, 3);
}

Test(csv, quoted_fields_hold_commas_doubled_quotes_and_line_breaks)
{
	char input[] = "I,\"Horses, \"\"asses\"\", mules\nand hinnies\",01\n"
		       "\"\"\"\",\"a\r\nb\",\"\"\n";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 2, "%s", err.message);
	cr_assert_eq(rows[0].count, 3);
	cr_assert_str_eq(rows[0].fields[1], "Horses, \"asses\", mules\nand hinnies");
	cr_assert_str_eq(rows[0].fields[2], "01");
	cr_assert_eq(rows[1].count, 3);
	cr_assert_str_eq(rows[1].fields[0], "\"");
	cr_assert_str_eq(rows[1].fields[1], "a\r\nb", "a line end inside quotes is text");
	cr_assert_str_eq(rows[1].fields[2], "");
}

Test(csv, records_carry_the_physical_line_they_start_on)
{
	char input[] = "a,\"one\ntwo\nthree\"\nb,c\n\"x\ny\"\nz";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 4, "%s", err.message);
	cr_assert_eq(rows[0].line, 1);
	cr_assert_eq(rows[1].line, 4);
	cr_assert_eq(rows[2].line, 5);
	cr_assert_eq(rows[3].line, 7);
	cr_assert_str_eq(rows[3].fields[0], "z", "no final line end is needed");
}

Test(csv, crlf_line_ends_read_as_lf_ones)
{
	char input[] = "a,b\r\n\"c\",d\r\ne,f";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 3, "%s", err.message);
	cr_assert_str_eq(rows[0].fields[1], "b");
	cr_assert_str_eq(rows[1].fields[0], "c");
	cr_assert_str_eq(rows[1].fields[1], "d");
	cr_assert_eq(rows[1].line, 2);
	cr_assert_str_eq(rows[2].fields[1], "f");
	cr_assert_eq(rows[2].line, 3);
}

Test(csv, a_byte_order_mark_is_skipped)
{
	char input[] = "\xEF\xBB\xBF"
		       "section,name\nI,live animals\n";
	char only_mark[] = "\xEF\xBB\xBF";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 2, "%s", err.message);
	cr_assert_str_eq(rows[0].fields[0], "section");
	cr_assert_eq(rows[0].line, 1);
	cr_assert_eq(rows[1].line, 2);
	cr_assert_eq(read_rows(only_mark, sizeof(only_mark) - 1, rows, &err), 0);
}

Test(csv, empty_fields_and_blank_lines_are_kept)
{
	char input[] = ",a,,\n\n\"\"\nb,";
	char nothing[] = "";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 4, "%s", err.message);
	cr_assert_eq(rows[0].count, 4);
	cr_assert_str_eq(rows[0].fields[0], "");
	cr_assert_str_eq(rows[0].fields[1], "a");
	cr_assert_str_eq(rows[0].fields[2], "");
	cr_assert_str_eq(rows[0].fields[3], "");
	cr_assert_eq(rows[1].count, 1, "a blank line is one empty field");
	cr_assert_str_eq(rows[1].fields[0], "");
	cr_assert_eq(rows[2].count, 1);
	cr_assert_str_eq(rows[2].fields[0], "");
	cr_assert_eq(rows[3].count, 2);
	cr_assert_str_eq(rows[3].fields[1], "");
	cr_assert_eq(read_rows(nothing, 0, rows, &err), 0, "empty input has no records");
}

Test(csv, fields_are_unescaped_in_place_inside_the_buffer)
{
	char input[] = "\"a\"\"b\",c\n";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 1, "%s", err.message);
	for (int i = 0; i < rows[0].count; i++)
		cr_assert(rows[0].fields[i] >= input && rows[0].fields[i] < input + sizeof(input));
	cr_assert_str_eq(rows[0].fields[0], "a\"b");
}

Test(csv, utf8_text_is_accepted)
{
	char input[] = "KZ,Қазақстан,€ 1,\xF0\x9D\x84\x9E\n";
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;

	cr_assert_eq(read_rows(input, sizeof(input) - 1, rows, &err), 1, "%s", err.message);
	cr_assert_str_eq(rows[0].fields[1], "Қазақстан");
	cr_assert_str_eq(rows[0].fields[3], "\xF0\x9D\x84\x9E");
}

Test(csv, thirty_two_fields_are_read_and_one_more_is_rejected)
{
	struct cv_csv_row rows[ROWS_MAX];
	struct cv_error err;
	struct cv_buf text;
	char *input;
	size_t len;

	cv_buf_init(&text);
	for (int i = 0; i < CV_CSV_FIELDS_MAX; i++)
		cr_assert_eq(cv_buf_addf(&text, "%s%d", i ? "," : "", i), CV_OK);
	cr_assert_eq(cv_buf_adds(&text, "\nok\n"), CV_OK);
	input = cv_buf_detach(&text, &len);
	cr_assert_eq(read_rows(input, len, rows, &err), 2, "%s", err.message);
	cr_assert_eq(rows[0].count, CV_CSV_FIELDS_MAX);
	cr_assert_str_eq(rows[0].fields[CV_CSV_FIELDS_MAX - 1], "31");
	cv_free(input);

	cr_assert_eq(cv_buf_adds(&text, "ok\n"), CV_OK);
	for (int i = 0; i <= CV_CSV_FIELDS_MAX; i++)
		cr_assert_eq(cv_buf_addf(&text, "%s%d", i ? "," : "", i), CV_OK);
	input = cv_buf_detach(&text, &len);
	assert_rejected(input, len, 2, "more than 32 fields");
	cv_free(input);
}

/* ---- bad input ---------------------------------------------------------------------- */

Test(csv, bytes_that_are_not_utf8_are_rejected_with_their_line)
{
	static const char *const bad[] = {
		"\xC3(",            /* a sequence cut short */
		"\x80",             /* a lone continuation byte */
		"\xC0\xAF",         /* an overlong '/' */
		"\xE0\x80\xAF",     /* an overlong '/' in three bytes */
		"\xED\xA0\x80",     /* a UTF-16 surrogate */
		"\xF4\x90\x80\x80", /* past U+10FFFF */
		"\xF5\x80\x80\x80", /* a lead byte that never starts UTF-8 */
		"\xE2\x82",         /* cut short by the end of the input */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char input[64];
		int n = snprintf(input, sizeof(input), "a,\"b\nc\"\nd,e%s", bad[i]);

		cr_assert(n > 0 && (size_t)n < sizeof(input));
		assert_rejected(input, (size_t)n, 3, "the text is not valid UTF-8");
	}
}

Test(csv, a_nul_byte_is_rejected_with_its_line)
{
	char input[] = "a,b\nc,\0d\n";

	assert_rejected(input, sizeof(input) - 1, 2, "a NUL byte in the text");
}

Test(csv, an_unterminated_quote_names_the_line_where_it_opens)
{
	char input[] = "a,b\nc,\"d,e\nf,g\nh,i\n";

	assert_rejected(input, sizeof(input) - 1, 2, "a quoted field is never closed");
}

Test(csv, a_quote_inside_an_unquoted_field_is_rejected)
{
	char input[] = "a,b\nBovine \"big\" animals,c\n";

	assert_rejected(input, sizeof(input) - 1, 2, "a quote inside an unquoted field");
}

Test(csv, text_after_a_closing_quote_is_rejected)
{
	char input[] = "a,b\n\"x\ny\"z,c\n";

	assert_rejected(input, sizeof(input) - 1, 3, "text after the closing quote of a field");
}

Test(csv, a_lone_carriage_return_is_rejected)
{
	char input[] = "a,b\nc\rd\n";
	char at_end[] = "a,b\r";

	assert_rejected(input, sizeof(input) - 1, 2,
			"a carriage return not followed by a line feed");
	assert_rejected(at_end, sizeof(at_end) - 1, 1,
			"a carriage return not followed by a line feed");
}

Test(csv, errors_name_the_input_in_the_message_and_its_field_in_err_field)
{
	char input[] = "a\n\"b\n";
	struct cv_csv csv;
	struct cv_csv_row row;
	struct cv_error err;

	cr_assert_eq(cv_csv_init(&csv, "/srv/data/hs/sections.csv", "hs/sections.csv", input,
				 sizeof(input) - 1, &err),
		     CV_OK);
	cr_assert_eq(cv_csv_next(&csv, &row, &err), 1);
	cr_assert_eq(cv_csv_next(&csv, &row, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "hs/sections.csv");
	cr_assert_str_eq(err.message,
			 "/srv/data/hs/sections.csv line 2: a quoted field is never closed");
	/* Callers checking values report in the same form. */
	cr_assert_eq(cv_csv_error(&csv, &err, 7, "code \"%s\" is not 2, 4 or 6 digits", "01a2"),
		     CV_EINVAL);
	cr_assert_eq(err.code, CV_EINVAL);
	cr_assert_str_eq(err.field, "hs/sections.csv");
	cr_assert_str_eq(err.message,
			 "/srv/data/hs/sections.csv line 7: code \"01a2\" is not 2, 4 or 6 digits");
	cv_csv_error(&csv, &err, 0, "no sections");
	cr_assert_str_eq(err.message, "/srv/data/hs/sections.csv: no sections");
	/* Callers that do not care about details pass NULL. */
	cr_assert_eq(cv_csv_error(&csv, NULL, 1, "ignored"), CV_EINVAL);
}

/* ---- headers -------------------------------------------------------------------------- */

static const char *const hs_columns[] = {"section", "hscode", "description", "parent", "level"};
#define HS_COLUMNS 5

Test(csv, exact_header_accepts_the_columns_in_order_ignoring_blanks)
{
	char input[] = "\xEF\xBB\xBF"
		       "section, hscode ,description,parent,level\r\nI,01,Animals,TOTAL,2\r\n";
	struct cv_csv csv;
	struct cv_csv_row row;
	struct cv_error err;

	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, input, sizeof(input) - 1, &err), CV_OK);
	cr_assert_eq(cv_csv_header(&csv, hs_columns, HS_COLUMNS, &err), CV_OK, "%s", err.message);
	cr_assert_eq(cv_csv_next(&csv, &row, &err), 1);
	cr_assert_eq(row.line, 2);
	cr_assert_str_eq(row.fields[1], "01");
}

Test(csv, exact_header_names_what_it_must_be)
{
	static const char *const headers[] = {
		"hscode,section,description,parent,level\n",   /* order */
		"section,hscode,description,parent\n",         /* a column missing */
		"section,hscode,description,parent,level,x\n", /* one more */
		"",                                            /* nothing */
	};

	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char input[128];
		struct cv_csv csv;
		struct cv_error err;
		int n = snprintf(input, sizeof(input), "%s", headers[i]);

		cr_assert(n >= 0 && (size_t)n < sizeof(input));
		cr_assert_eq(cv_csv_init(&csv, NAME, NULL, input, (size_t)n, &err), CV_OK);
		cr_assert_eq(cv_csv_header(&csv, hs_columns, HS_COLUMNS, &err), CV_EINVAL,
			     "header %zu", i);
		cr_assert_str_eq(err.field, NAME);
		cr_assert_str_eq(err.message, NAME " line 1: the header must be"
						   " \"section,hscode,description,parent,level\"");
	}
}

static const char *const watchlist_columns[] = {"Importer ID", "Reason", "Listed"};
#define WATCHLIST_COLUMNS 3

Test(csv, header_map_finds_columns_in_any_order_among_others)
{
	char input[] = "Listed, Notes ,Importer ID,Reason\nx,n,Y3OM027,fraud\n";
	struct cv_csv csv;
	struct cv_csv_row row;
	struct cv_error err;
	int index[WATCHLIST_COLUMNS], fields = 0;

	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, input, sizeof(input) - 1, &err), CV_OK);
	cr_assert_eq(cv_csv_header_map(&csv, watchlist_columns, WATCHLIST_COLUMNS, index, &fields,
				       &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(fields, 4);
	cr_assert_eq(index[0], 2);
	cr_assert_eq(index[1], 3);
	cr_assert_eq(index[2], 0);
	cr_assert_eq(cv_csv_next(&csv, &row, &err), 1);
	cr_assert_str_eq(row.fields[index[0]], "Y3OM027");
	cr_assert_str_eq(row.fields[index[1]], "fraud");
}

Test(csv, header_map_names_a_missing_column)
{
	char input[] = "Importer ID,Listed\nY3OM027,x\n";
	struct cv_csv csv;
	struct cv_error err;
	int index[WATCHLIST_COLUMNS];

	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, input, sizeof(input) - 1, &err), CV_OK);
	cr_assert_eq(cv_csv_header_map(&csv, watchlist_columns, WATCHLIST_COLUMNS, index, NULL, &err),
		     CV_EINVAL);
	cr_assert_str_eq(err.field, "Reason");
	cr_assert_str_eq(err.message, NAME " line 1: the header has no column \"Reason\"");
}

Test(csv, header_map_of_empty_input_lists_the_columns_expected)
{
	char input[] = "";
	struct cv_csv csv;
	struct cv_error err;
	int index[WATCHLIST_COLUMNS];

	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, input, 0, &err), CV_OK);
	cr_assert_eq(cv_csv_header_map(&csv, watchlist_columns, WATCHLIST_COLUMNS, index, NULL, &err),
		     CV_EINVAL);
	cr_assert_str_eq(err.field, "header");
	cr_assert_str_eq(err.message, NAME " is empty (expected a header naming the columns"
					   " \"Importer ID,Reason,Listed\")");
}

Test(csv, header_map_passes_on_a_broken_header)
{
	char input[] = "Importer ID,\"Reason\nListed\n";
	struct cv_csv csv;
	struct cv_error err;
	int index[WATCHLIST_COLUMNS];

	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, input, sizeof(input) - 1, &err), CV_OK);
	cr_assert_eq(cv_csv_header_map(&csv, watchlist_columns, WATCHLIST_COLUMNS, index, NULL, &err),
		     CV_EINVAL);
	cr_assert_str_eq(err.message, NAME " line 1: a quoted field is never closed");
}

Test(csv, header_errors_that_cannot_allocate_say_out_of_memory)
{
	char wrong[] = "a,b\n";
	char empty[] = "";
	struct cv_csv csv;
	struct cv_error err;
	int index[WATCHLIST_COLUMNS];

	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, wrong, sizeof(wrong) - 1, &err), CV_OK);
	cv_mem_fail_after(0);
	cr_assert_eq(cv_csv_header(&csv, hs_columns, HS_COLUMNS, &err), CV_ENOMEM);
	cr_assert_eq(cv_csv_init(&csv, NAME, NULL, empty, 0, &err), CV_OK);
	cr_assert_eq(cv_csv_header_map(&csv, watchlist_columns, WATCHLIST_COLUMNS, index, NULL, &err),
		     CV_ENOMEM);
	cv_mem_fail_after(-1);
}

/* ---- trim ------------------------------------------------------------------------------- */

Test(csv, trim_strips_spaces_and_tabs_from_both_ends_only)
{
	char padded[] = " \t Horses; live \t";
	char blank[] = " \t ";
	char inner[] = "a  b";

	cr_assert_str_eq(cv_csv_trim(padded), "Horses; live");
	cr_assert_str_eq(cv_csv_trim(blank), "");
	cr_assert_str_eq(cv_csv_trim(inner), "a  b");
}
