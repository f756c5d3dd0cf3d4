/*
 * test_refdata.c — reference data (refdata/refdata.h).
 *
 * Each test gets a fresh SQLite database in its own temporary folder. Tests
 * of bad input build a data folder there: copies of the real files, with the
 * one file under test replaced. The real data folder is CARAVAN_DATA_DIR
 * (absolute, set by the test runner), or "data" when run from the root.
 */
#include "refdata/refdata.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/db.h"
#include "store/migrate.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HS_FILE "hs/harmonized-system.csv"
#define HS_HEADER "section,hscode,description,parent,level\n"
#define NFTW_FDS 16

static char tmp_dir[64];
static struct store *store;
static struct store_conn *conn;

static const char *data_dir(void)
{
	const char *dir = getenv("CARAVAN_DATA_DIR");

	return dir && dir[0] ? dir : "data";
}

/* Path under the test's temporary folder, in a static buffer per call site slot. */
static const char *tmp_path(char *out, size_t size, const char *name)
{
	int n = snprintf(out, size, "%s/%s", tmp_dir, name);

	cr_assert(n > 0 && (size_t)n < size, "path too long");
	return out;
}

static void refdata_setup(void)
{
	struct cv_error err;
	char url[128];
	int n;

	cv_log_set_level(CV_LOG_WARN);
	n = snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/cv-refdata-XXXXXX");
	cr_assert(n > 0 && (size_t)n < sizeof(tmp_dir));
	cr_assert_not_null(mkdtemp(tmp_dir));
	n = snprintf(url, sizeof(url), "sqlite:%s/test.db", tmp_dir);
	cr_assert(n > 0 && (size_t)n < sizeof(url));
	cr_assert_eq(store_open(url, &store, &err), CV_OK, "%s", err.message);
	cr_assert_eq(store_conn(store, &conn, &err), CV_OK, "%s", err.message);
	cr_assert_eq(store_migrate(conn, NULL, &err), CV_OK, "%s", err.message);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void refdata_teardown(void)
{
	cv_mem_fail_after(-1);
	store_close(store);
	store = NULL;
	conn = NULL;
	if (tmp_dir[0])
		nftw(tmp_dir, remove_entry, NFTW_FDS, FTW_DEPTH | FTW_PHYS);
}

TestSuite(refdata, .init = refdata_setup, .fini = refdata_teardown);

/* ---- helpers --------------------------------------------------------------- */

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(fwrite(content, 1, strlen(content), f), strlen(content));
	cr_assert_eq(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
	char chunk[8192];
	size_t n;
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");

	cr_assert_not_null(in, "cannot open %s (is CARAVAN_DATA_DIR set?)", from);
	cr_assert_not_null(out, "cannot create %s", to);
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		cr_assert_eq(fwrite(chunk, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

/*
 * A data folder under the temporary folder holding copies of the real files;
 * returns its path. Tests then overwrite the file they are about.
 */
static const char *copy_data_dir(void)
{
	static const char *const files[] = {HS_FILE, "hs/sections.csv", "carec.json"};
	static char dir[128];
	char path[256], from[1024];

	tmp_path(dir, sizeof(dir), "data");
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(mkdir(tmp_path(path, sizeof(path), "data/hs"), 0700), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int n = snprintf(from, sizeof(from), "%s/%s", data_dir(), files[i]);
		int m = snprintf(path, sizeof(path), "%s/%s", dir, files[i]);

		cr_assert(n > 0 && (size_t)n < sizeof(from) && m > 0 && (size_t)m < sizeof(path));
		copy_file(from, path);
	}
	return dir;
}

/* Replace name in the copied data folder dir with content. */
static void replace_data_file(const char *dir, const char *name, const char *content)
{
	char path[256];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	cr_assert(n > 0 && (size_t)n < sizeof(path));
	write_file(path, content);
}

/* A data folder whose HS file has three codes: quicker than the real one under ASan. */
static const char *small_data_dir(void)
{
	const char *dir = copy_data_dir();

	replace_data_file(dir, HS_FILE,
			  HS_HEADER
			  "I,01,Animals; live,TOTAL,2\n"
			  "I,0101,\"Horses, asses, mules and hinnies; live\",01,4\n"
			  "I,010121,\"Horses; live, pure-bred breeding animals\",0101,6\n");
	return dir;
}

static long count_rows(const char *sql)
{
	struct store_stmt *stmt;
	long n;

	cr_assert_eq(store_prepare(conn, sql, &stmt), CV_OK, "%s", store_errmsg(conn));
	cr_assert_eq(store_step(stmt), STORE_ROW, "%s", store_errmsg(conn));
	n = (long)store_col_int64(stmt, 0);
	store_finish(stmt);
	return n;
}

/* Every reference row, as text, in a fixed order; the caller frees it. */
static char *dump_reference_tables(void)
{
	static const char *const queries[] = {
		"SELECT code, alpha3, numeric, name, carec FROM countries ORDER BY code",
		"SELECT code, numeric, name FROM currencies ORDER BY code",
		"SELECT section, name FROM hs_sections ORDER BY section",
		"SELECT code, section, description, parent, level, edition FROM hs_codes ORDER BY code",
	};
	struct cv_buf out;

	cv_buf_init(&out);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct store_stmt *stmt;
		int rc;

		cr_assert_eq(store_prepare(conn, queries[q], &stmt), CV_OK);
		while ((rc = store_step(stmt)) == STORE_ROW) {
			for (int c = 0; c < store_col_count(stmt); c++) {
				const char *v = store_col_text(stmt, c);

				cr_assert_eq(cv_buf_addf(&out, "%s|", v ? v : "<null>"), CV_OK);
			}
			cr_assert_eq(cv_buf_addch(&out, '\n'), CV_OK);
		}
		cr_assert_eq(rc, STORE_DONE);
		store_finish(stmt);
	}
	return cv_buf_detach(&out, NULL);
}

static long reference_rows(void)
{
	return count_rows("SELECT COUNT(*) FROM countries") +
	       count_rows("SELECT COUNT(*) FROM currencies") +
	       count_rows("SELECT COUNT(*) FROM hs_sections") +
	       count_rows("SELECT COUNT(*) FROM hs_codes");
}

static void load_real_data(struct refdata_counts *counts)
{
	struct cv_error err;
	int rc = refdata_load(conn, data_dir(), NULL, counts, &err);

	cr_assert_eq(rc, CV_OK, "%s", err.message);
}

/* ---- loading the real data --------------------------------------------------- */

Test(refdata, load_fills_countries_currencies_and_hs)
{
	struct refdata_counts counts;

	load_real_data(&counts);
	/* ISO lists grow slowly with iso-codes releases; the HS file is ours. */
	cr_assert_geq(counts.countries, 249);
	cr_assert_geq(counts.currencies, 150);
	cr_assert_eq(counts.carec, 11);
	cr_assert_eq(counts.hs_sections, 21);
	cr_assert_eq(counts.hs_codes, 97 + 1229 + 5613 - 3, "chapter 99 is left out");
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM countries"), counts.countries);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM currencies"), counts.currencies);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_sections"), 21);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes"), counts.hs_codes);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE level = 2"), 96);
}

Test(refdata, load_twice_changes_nothing)
{
	struct refdata_counts first, second;
	char *before, *after;

	load_real_data(&first);
	before = dump_reference_tables();
	load_real_data(&second);
	after = dump_reference_tables();
	cr_assert_str_eq(after, before);
	cr_assert_eq(memcmp(&first, &second, sizeof(first)), 0);
	cv_free(before);
	cv_free(after);
}

Test(refdata, kazakhstan_is_a_carec_member)
{
	struct cv_error err;

	cr_assert_eq(refdata_load(conn, small_data_dir(), NULL, NULL, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(count_rows("SELECT carec FROM countries WHERE code = 'KZ'"), 1);
	cr_assert_eq(count_rows("SELECT carec FROM countries WHERE code = 'DE'"), 0);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM countries WHERE carec = 1"), 11);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM countries c JOIN currencies m"
				" ON m.code = 'KZT' WHERE c.code = 'KZ' AND c.alpha3 = 'KAZ'"
				" AND c.numeric = '398'"),
		     1);
}

Test(refdata, hs_lookup_finds_a_subheading)
{
	char description[REFDATA_HS_DESCRIPTION_SIZE];
	struct cv_error err;

	load_real_data(NULL);
	cr_assert_eq(refdata_hs_lookup(conn, "010121", description, sizeof(description), &err),
		     CV_OK, "%s", err.message);
	cr_assert_str_eq(description, "Horses; live, pure-bred breeding animals");
	cr_assert_eq(refdata_hs_lookup(conn, "8507", description, sizeof(description), &err), CV_OK,
		     "%s", err.message);
	cr_assert(strstr(description, "accumulators") != NULL, "%s", description);
}

Test(refdata, hs_lookup_of_an_absent_code_is_not_found)
{
	char description[REFDATA_HS_DESCRIPTION_SIZE];
	struct cv_error err;

	load_real_data(NULL);
	cr_assert_eq(refdata_hs_lookup(conn, "010199", description, sizeof(description), &err),
		     CV_ENOTFOUND);
	cr_assert(strstr(err.message, "010199") != NULL, "%s", err.message);
	/* Chapter 99 is a Comtrade aggregate, not HS nomenclature. */
	cr_assert_eq(refdata_hs_lookup(conn, "999999", description, sizeof(description), &err),
		     CV_ENOTFOUND);
}

Test(refdata, hs_lookup_rejects_a_code_that_is_not_2_4_or_6_digits)
{
	static const char *const bad[] = {"", "1", "010", "0101.21", "01012a", "01012100"};
	char description[REFDATA_HS_DESCRIPTION_SIZE];
	struct cv_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(refdata_hs_lookup(conn, bad[i], description, sizeof(description), &err),
			     CV_EINVAL, "code \"%s\"", bad[i]);
}

Test(refdata, hs_lookup_into_a_too_small_buffer_fails_instead_of_truncating)
{
	char description[8];
	struct cv_error err;

	cr_assert_eq(refdata_load(conn, small_data_dir(), NULL, NULL, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(refdata_hs_lookup(conn, "010121", description, sizeof(description), &err),
		     CV_EINVAL);
}

Test(refdata, chapters_have_no_parent_and_codes_record_the_hs2022_edition)
{
	load_real_data(NULL);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE code = '01'"
				" AND parent IS NULL AND level = 2 AND section = 'I'"),
		     1);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE code = '010121'"
				" AND parent = '0101' AND level = 6"),
		     1);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE edition <> 'HS2022'"), 0);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE parent IS NULL AND level <> 2"),
		     0);
}

Test(refdata, sections_file_with_byte_order_mark_loads_section_one)
{
	struct cv_error err;

	/* The copy of the real sections.csv, which starts with a byte order mark. */
	cr_assert_eq(refdata_load(conn, small_data_dir(), NULL, NULL, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_sections WHERE section = 'I'"
				" AND name = 'live animals; animal products'"),
		     1);
	/* The file's trailing blank after "thereof" is not kept. */
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_sections WHERE name LIKE '% '"), 0);
}

/* ---- CSV files through the reader (the reader itself: test_csv.c) ------------ */

Test(refdata, quoted_fields_with_commas_doubled_quotes_and_crlf_are_read)
{
	char description[REFDATA_HS_DESCRIPTION_SIZE];
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, HS_FILE,
			  "\xEF\xBB\xBF"
			  "section,hscode,description,parent,level\r\n"
			  "I,01,\"Animals; live\",TOTAL,2\r\n"
			  "I,0101,\"Horses, \"\"asses\"\", mules\nand hinnies\",01,4\r\n"
			  "I,010121,Horses; pure-bred,0101,6");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_OK, "%s", err.message);
	cr_assert_eq(refdata_hs_lookup(conn, "0101", description, sizeof(description), &err), CV_OK);
	cr_assert_str_eq(description, "Horses, \"asses\", mules\nand hinnies");
	cr_assert_eq(refdata_hs_lookup(conn, "010121", description, sizeof(description), &err),
		     CV_OK);
	cr_assert_str_eq(description, "Horses; pure-bred");
	/* No grand total row naming an edition: the default is recorded. */
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE edition = '" REFDATA_HS_EDITION_DEFAULT
				"'"),
		     3);
}

Test(refdata, hs_edition_is_taken_from_the_grand_total_row)
{
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, HS_FILE,
			  HS_HEADER "I,01,Animals; live,TOTAL,2\n"
				    "TOTAL,TOTAL,Total of all HS2017 commodities,TOTAL,5\n");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_OK, "%s", err.message);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_codes WHERE edition = 'HS2017'"), 1);
}

/* ---- bad input ------------------------------------------------------------------ */

Test(refdata, malformed_hs_row_names_file_and_line_and_writes_nothing)
{
	static const struct {
		const char *row;
		const char *complaint;
	} cases[] = {
		{"I,0102,Bovine animals,01\n", "expected 5 fields"},
		{"I,0102,Bovine animals,01,4,extra\n", "expected 5 fields"},
		{"I,01a2,Bovine animals,01,4\n", "is not 2, 4 or 6 digits"},
		{"I,010,Bovine animals,01,3\n", "is not 2, 4 or 6 digits"},
		{"I,0102,Bovine animals,01,6\n", "does not match"},
		{"XXX,0102,Bovine animals,01,4\n", "unknown section \"XXX\""},
		{"I,0102,Bovine animals,02,4\n", "parent"},
		{"I,0102,,01,4\n", "no description"},
		{"I,0102,Bovine \"big\" animals,01,4\n", "quote inside an unquoted field"},
		{"I,0102,\"Bovine animals\"x,01,4\n", "after the closing quote"},
	};
	const char *dir = copy_data_dir();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cv_buf csv;
		struct cv_error err;

		cv_buf_init(&csv);
		cr_assert_eq(cv_buf_addf(&csv,
					 HS_HEADER "I,01,Animals; live,TOTAL,2\n"
						   "I,0101,\"Horses, asses\",01,4\n%s"
						   "I,0103,Swine; live,01,4\n",
					 cases[i].row),
			     CV_OK);
		replace_data_file(dir, HS_FILE, cv_buf_str(&csv));
		cv_buf_release(&csv);

		cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL, "row %s",
			     cases[i].row);
		cr_assert_str_eq(err.field, HS_FILE);
		cr_assert(strstr(err.message, "harmonized-system.csv line 4: ") != NULL, "%s",
			  err.message);
		cr_assert(strstr(err.message, cases[i].complaint) != NULL, "%s", err.message);
		cr_assert_eq(reference_rows(), 0, "a failed load wrote rows");
	}
}

Test(refdata, unterminated_quote_names_the_line_where_it_opens)
{
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, HS_FILE,
			  HS_HEADER "I,01,Animals; live,TOTAL,2\n"
				    "I,0101,\"Horses; live,01,4\n"
				    "I,0102,Bovine animals; live,01,4\n");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "line 3: a quoted field is never closed") != NULL, "%s",
		  err.message);
}

Test(refdata, wrong_hs_header_is_rejected)
{
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, HS_FILE, "code,description\n01,Animals; live\n");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "line 1: the header must be"
				      " \"section,hscode,description,parent,level\"") != NULL,
		  "%s", err.message);
}

Test(refdata, invalid_utf8_is_rejected_with_its_line)
{
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, HS_FILE,
			  HS_HEADER "I,01,Animals; live,TOTAL,2\nI,0101,Horses \xC3(,01,4\n");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "line 3: the text is not valid UTF-8") != NULL, "%s",
		  err.message);
}

Test(refdata, failed_reload_keeps_the_previous_data)
{
	struct cv_error err;
	char *before, *after;
	const char *dir;

	dir = small_data_dir();
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_OK, "%s", err.message);
	before = dump_reference_tables();
	replace_data_file(dir, HS_FILE, HS_HEADER "I,01,Animals; live,TOTAL,2\nI,0101\n");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL);
	after = dump_reference_tables();
	cr_assert_str_eq(after, before);
	cv_free(before);
	cv_free(after);
}

Test(refdata, missing_iso_codes_dir_says_what_to_install)
{
	struct cv_error err;
	char missing[128];

	tmp_path(missing, sizeof(missing), "no-iso-codes");
	cr_assert_eq(refdata_load(conn, data_dir(), missing, NULL, &err), CV_ENOTFOUND);
	cr_assert(strstr(err.message, "iso-codes JSON not found at ") != NULL, "%s", err.message);
	cr_assert(strstr(err.message, "no-iso-codes/iso_3166-1.json") != NULL, "%s", err.message);
	cr_assert(strstr(err.message, "install the Debian package iso-codes") != NULL, "%s",
		  err.message);
	cr_assert_eq(reference_rows(), 0);
}

Test(refdata, missing_hs_file_says_where_it_should_be)
{
	struct cv_error err;
	char path[256];
	const char *dir = copy_data_dir();

	cr_assert_eq(unlink(tmp_path(path, sizeof(path), "data/" HS_FILE)), 0);
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_ENOTFOUND);
	cr_assert(strstr(err.message, path) != NULL, "%s", err.message);
	cr_assert(strstr(err.message, "data/ folder") != NULL, "%s", err.message);
	cr_assert_str_eq(err.field, HS_FILE);
}

Test(refdata, carec_member_missing_from_iso_3166_is_rejected)
{
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, "carec.json",
			  "{\"members\": [{\"country\": \"KZ\", \"currency\": \"KZT\"},"
			  " {\"country\": \"XQ\", \"currency\": \"KZT\"}]}");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "carec.json");
	cr_assert(strstr(err.message, "member 2: country \"XQ\" is not in ISO 3166-1") != NULL,
		  "%s", err.message);
	cr_assert_eq(reference_rows(), 0);
}

Test(refdata, carec_file_that_is_not_json_names_its_line)
{
	struct cv_error err;
	const char *dir = copy_data_dir();

	replace_data_file(dir, "carec.json", "{\n\"members\": [\n{\"country\": \"KZ\",}\n]}");
	cr_assert_eq(refdata_load(conn, dir, NULL, NULL, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "carec.json line 3: not valid JSON") != NULL, "%s",
		  err.message);
}

Test(refdata, database_failure_midway_rolls_back_everything)
{
	struct cv_error err;

	/* Countries and currencies are written before the HS codes fail. */
	cr_assert_eq(store_exec_script(conn, "DROP TABLE hs_codes", &err), CV_OK);
	cr_assert_eq(refdata_load(conn, data_dir(), NULL, NULL, &err), CV_EDB);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM countries"), 0);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM currencies"), 0);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM hs_sections"), 0);
	cr_assert_eq(store_in_transaction(conn), 0);
}

Test(refdata, allocation_failure_anywhere_fails_cleanly_and_writes_nothing)
{
	struct cv_error err;
	const char *dir = small_data_dir();
	int rc = CV_ENOMEM;

	for (long n = 0; rc != CV_OK; n++) {
		cv_mem_fail_after(n);
		rc = refdata_load(conn, dir, NULL, NULL, &err);
		cv_mem_fail_after(-1);
		if (rc == CV_OK)
			break;
		cr_assert_eq(rc, CV_ENOMEM, "after %ld allocations: %s", n, err.message);
		cr_assert_eq(reference_rows(), 0, "after %ld allocations", n);
		cr_assert_eq(store_in_transaction(conn), 0);
	}
	cr_assert_geq(count_rows("SELECT COUNT(*) FROM hs_codes"), 1);
}
