/*
 * hs.c — the Harmonized System: sections, chapters, headings, subheadings.
 *
 * Source: data/hs/sections.csv (section,name) and data/hs/harmonized-system.csv
 * (section,hscode,description,parent,level), UN Comtrade's rendering of the
 * WCO nomenclature (data/hs/SOURCE.md). Every row is validated before any is
 * written; the first bad row fails the load with its file and line:
 *  - exactly 5 fields;
 *  - the code is 2, 4 or 6 digits and the level equals its length;
 *  - the section is one of sections.csv;
 *  - the parent is "TOTAL" for a chapter (stored as NULL) and the code's
 *    first len-2 digits otherwise;
 *  - the description is not empty and fits REFDATA_HS_DESCRIPTION_SIZE.
 * Rows whose section is "TOTAL" are Comtrade aggregates, not nomenclature:
 * the grand total (code "TOTAL") and chapter 99 "commodities not specified
 * according to kind". They are skipped; the grand total's description
 * ("Total of all HS2022 commodities") names the edition stored with every
 * code, REFDATA_HS_EDITION_DEFAULT when it does not.
 *
 * Volume: 21 sections, about 6,900 codes. Rows point into the file buffers,
 * so the arrays cost 40 bytes a code.
 */
#include "refdata/refdata_internal.h"

#include "base/csv.h"
#include "base/mem.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define HS_SECTIONS_FILE "hs/sections.csv"
#define HS_CODES_FILE "hs/harmonized-system.csv"
#define HS_WHAT "HS nomenclature"
#define HS_HINT "data_dir must be caravan's data/ folder"

/* Comtrade's section of aggregate rows, and the parent of chapters. */
#define HS_AGGREGATE "TOTAL"
/* "HS" and a four-digit year, as in "Total of all HS2022 commodities". */
#define HS_EDITION_PREFIX "HS"
#define HS_EDITION_YEAR_DIGITS 4
#define HS_CHAPTER_DIGITS 2
#define HS_LEVEL_STEP 2 /* each level adds two digits */
#define HS_SUBHEADING_DIGITS 6
#define ROMAN_DIGITS "IVXLCDM"

static const char *const section_columns[] = {"section", "name"};
enum { SECTION_NUMERAL, SECTION_NAME, SECTION_COLUMNS };

static const char *const code_columns[] = {"section", "hscode", "description", "parent", "level"};
enum { CODE_SECTION, CODE_CODE, CODE_DESCRIPTION, CODE_PARENT, CODE_LEVEL, CODE_COLUMNS };

/* Whether the first len bytes of s are ASCII digits (stops safely at a NUL). */
static int is_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Whether code is a chapter, heading or subheading number. */
static int is_hs_code(const char *code)
{
	size_t len = strlen(code);

	return len >= HS_CHAPTER_DIGITS && len <= HS_SUBHEADING_DIGITS &&
	       len % HS_LEVEL_STEP == 0 && is_digits(code, len);
}

/* An upper bound of the records in file: one per line, and one more. */
static size_t max_records(const struct refdata_file *file)
{
	size_t lines = 1;

	for (size_t i = 0; i < file->size; i++)
		lines += file->data[i] == '\n';
	return lines;
}

/* Start reading file: messages give its full path, err->field its name under data/. */
static int start_csv(struct cv_csv *csv, struct refdata_file *file, struct cv_error *err)
{
	return cv_csv_init(csv, file->path, file->name, file->data, file->size, err);
}

static const struct refdata_hs_section *find_section(const struct refdata_hs *hs,
						     const char *numeral)
{
	for (size_t i = 0; i < hs->section_count; i++)
		if (strcmp(hs->sections[i].numeral, numeral) == 0)
			return &hs->sections[i];
	return NULL;
}

static int check_section(const struct refdata_hs *hs, const struct cv_csv_row *row,
			 struct refdata_hs_section *out, struct cv_error *err)
{
	const struct refdata_file *file = &hs->sections_file;

	if (row->count != SECTION_COLUMNS)
		return refdata_file_error(err, file, row->line,
					  "expected %d fields (section,name), found %d",
					  SECTION_COLUMNS, row->count);
	out->numeral = cv_csv_trim(row->fields[SECTION_NUMERAL]);
	out->name = cv_csv_trim(row->fields[SECTION_NAME]);
	if (!out->numeral[0] || strspn(out->numeral, ROMAN_DIGITS) != strlen(out->numeral))
		return refdata_file_error(err, file, row->line,
					  "section \"%s\" is not a Roman numeral", out->numeral);
	if (find_section(hs, out->numeral))
		return refdata_file_error(err, file, row->line, "section %s is listed twice",
					  out->numeral);
	if (!out->name[0])
		return refdata_file_error(err, file, row->line, "section %s has no name",
					  out->numeral);
	return CV_OK;
}

static int read_sections(struct refdata_hs *hs, const char *data_dir, struct cv_error *err)
{
	struct cv_csv csv;
	struct cv_csv_row row;
	int rc = refdata_file_read(&hs->sections_file, data_dir, HS_SECTIONS_FILE, HS_WHAT, HS_HINT,
				   err);

	if (rc == CV_OK)
		rc = start_csv(&csv, &hs->sections_file, err);
	if (rc == CV_OK)
		rc = cv_csv_header(&csv, section_columns, SECTION_COLUMNS, err);
	if (rc)
		return rc;
	hs->section_cap = max_records(&hs->sections_file);
	hs->sections = cv_calloc(hs->section_cap, sizeof(*hs->sections));
	if (!hs->sections)
		return cv_error_set(err, CV_ENOMEM, HS_SECTIONS_FILE, "out of memory");
	while ((rc = cv_csv_next(&csv, &row, err)) == 1) {
		assert(hs->section_count < hs->section_cap);
		rc = check_section(hs, &row, &hs->sections[hs->section_count], err);
		if (rc)
			return rc;
		hs->section_count++;
	}
	if (rc == CV_OK && hs->section_count == 0)
		rc = refdata_file_error(err, &hs->sections_file, 0, "no sections");
	return rc;
}

/* Take the edition from the grand total's description, if it names one. */
static void read_edition(const char *description, char *edition)
{
	const char *p = strstr(description, HS_EDITION_PREFIX);
	size_t len = strlen(HS_EDITION_PREFIX) + HS_EDITION_YEAR_DIGITS;

	_Static_assert(sizeof(HS_EDITION_PREFIX) - 1 + HS_EDITION_YEAR_DIGITS <
			       REFDATA_HS_EDITION_SIZE,
		       "edition buffer too small");
	for (; p; p = strstr(p + 1, HS_EDITION_PREFIX)) {
		const char *year = p + strlen(HS_EDITION_PREFIX);

		if (is_digits(year, HS_EDITION_YEAR_DIGITS) &&
		    !is_digits(year + HS_EDITION_YEAR_DIGITS, 1)) {
			memcpy(edition, p, len);
			edition[len] = '\0';
			return;
		}
	}
}

/* Check that parent fits code: "TOTAL" for a chapter (*out NULL), else the code's prefix. */
static int check_parent(const struct refdata_file *file, long line, const char *code,
			const char *parent, const char **out, struct cv_error *err)
{
	size_t len = strlen(code);

	*out = NULL;
	if (len == HS_CHAPTER_DIGITS) {
		if (strcmp(parent, HS_AGGREGATE) != 0)
			return refdata_file_error(err, file, line,
						  "chapter %s must have parent \"%s\", not \"%s\"",
						  code, HS_AGGREGATE, parent);
		return CV_OK;
	}
	if (strlen(parent) != len - HS_LEVEL_STEP || strncmp(parent, code, len - HS_LEVEL_STEP) != 0)
		return refdata_file_error(err, file, line,
					  "parent \"%s\" of %s must be its first %zu digits",
					  parent, code, len - HS_LEVEL_STEP);
	*out = parent;
	return CV_OK;
}

/* Validate a row of harmonized-system.csv whose section is not "TOTAL" into out. */
static int check_code(const struct refdata_hs *hs, const struct cv_csv_row *row,
		      struct refdata_hs_code *out, struct cv_error *err)
{
	const struct refdata_file *file = &hs->codes_file;
	const char *level = cv_csv_trim(row->fields[CODE_LEVEL]);
	size_t len;

	out->section = cv_csv_trim(row->fields[CODE_SECTION]);
	out->code = cv_csv_trim(row->fields[CODE_CODE]);
	out->description = cv_csv_trim(row->fields[CODE_DESCRIPTION]);
	if (!is_hs_code(out->code))
		return refdata_file_error(err, file, row->line,
					  "code \"%s\" is not 2, 4 or 6 digits", out->code);
	len = strlen(out->code);
	if (strlen(level) != 1 || (size_t)(level[0] - '0') != len)
		return refdata_file_error(err, file, row->line,
					  "level \"%s\" does not match the %zu-digit code %s (expected %zu)",
					  level, len, out->code, len);
	out->level = (int)len;
	if (!find_section(hs, out->section))
		return refdata_file_error(err, file, row->line,
					  "unknown section \"%s\" for %s (not in %s)", out->section,
					  out->code, HS_SECTIONS_FILE);
	if (!out->description[0])
		return refdata_file_error(err, file, row->line, "code %s has no description",
					  out->code);
	if (strlen(out->description) >= REFDATA_HS_DESCRIPTION_SIZE)
		return refdata_file_error(err, file, row->line,
					  "the description of %s is longer than %d bytes",
					  out->code, REFDATA_HS_DESCRIPTION_SIZE - 1);
	return check_parent(file, row->line, out->code, cv_csv_trim(row->fields[CODE_PARENT]),
			    &out->parent, err);
}

/* Accept one data row of harmonized-system.csv: store it, skip it or take the edition. */
static int take_code_row(struct refdata_hs *hs, const struct cv_csv_row *row, struct cv_error *err)
{
	int rc;

	if (row->count != CODE_COLUMNS)
		return refdata_file_error(err, &hs->codes_file, row->line,
					  "expected %d fields (section,hscode,description,parent,level), found %d",
					  CODE_COLUMNS, row->count);
	if (strcmp(cv_csv_trim(row->fields[CODE_SECTION]), HS_AGGREGATE) == 0) {
		if (strcmp(cv_csv_trim(row->fields[CODE_CODE]), HS_AGGREGATE) == 0)
			read_edition(row->fields[CODE_DESCRIPTION], hs->edition);
		return CV_OK;
	}
	assert(hs->code_count < hs->code_cap);
	rc = check_code(hs, row, &hs->codes[hs->code_count], err);
	if (rc == CV_OK)
		hs->code_count++;
	return rc;
}

static int read_codes(struct refdata_hs *hs, const char *data_dir, struct cv_error *err)
{
	struct cv_csv csv;
	struct cv_csv_row row;
	int rc = refdata_file_read(&hs->codes_file, data_dir, HS_CODES_FILE, HS_WHAT, HS_HINT, err);

	if (rc == CV_OK)
		rc = start_csv(&csv, &hs->codes_file, err);
	if (rc == CV_OK)
		rc = cv_csv_header(&csv, code_columns, CODE_COLUMNS, err);
	if (rc)
		return rc;
	hs->code_cap = max_records(&hs->codes_file);
	hs->codes = cv_calloc(hs->code_cap, sizeof(*hs->codes));
	if (!hs->codes)
		return cv_error_set(err, CV_ENOMEM, HS_CODES_FILE, "out of memory");
	while ((rc = cv_csv_next(&csv, &row, err)) == 1) {
		rc = take_code_row(hs, &row, err);
		if (rc)
			return rc;
	}
	if (rc == CV_OK && hs->code_count == 0)
		rc = refdata_file_error(err, &hs->codes_file, 0, "no HS codes");
	return rc;
}

int refdata_hs_read(struct refdata_hs *hs, const char *data_dir, struct cv_error *err)
{
	int rc;

	_Static_assert(sizeof(REFDATA_HS_EDITION_DEFAULT) <= REFDATA_HS_EDITION_SIZE,
		       "edition buffer too small");
	memcpy(hs->edition, REFDATA_HS_EDITION_DEFAULT, sizeof(REFDATA_HS_EDITION_DEFAULT));
	rc = read_sections(hs, data_dir, err);
	if (rc == CV_OK)
		rc = read_codes(hs, data_dir, err);
	return rc;
}

int refdata_hs_write(struct store_conn *conn, const struct refdata_hs *hs,
		     struct refdata_counts *counts, struct cv_error *err)
{
	for (size_t i = 0; i < hs->section_count; i++) {
		const struct refdata_hs_section *s = &hs->sections[i];
		int rc = store_execf(conn, NULL,
				     "INSERT INTO hs_sections (section, name) VALUES ($1, $2)"
				     " ON CONFLICT (section) DO UPDATE SET name = excluded.name",
				     "tt", s->numeral, s->name);

		if (rc)
			return refdata_db_error(err, rc, conn, "cannot write HS section %s",
						s->numeral);
		counts->hs_sections++;
	}
	for (size_t i = 0; i < hs->code_count; i++) {
		const struct refdata_hs_code *c = &hs->codes[i];
		int rc = store_execf(conn, NULL,
				     "INSERT INTO hs_codes (code, section, description, parent, level, edition)"
				     " VALUES ($1, $2, $3, $4, $5, $6)"
				     " ON CONFLICT (code) DO UPDATE SET section = excluded.section,"
				     " description = excluded.description, parent = excluded.parent,"
				     " level = excluded.level, edition = excluded.edition",
				     "ttttit", c->code, c->section, c->description, c->parent,
				     (int64_t)c->level, hs->edition);

		if (rc)
			return refdata_db_error(err, rc, conn, "cannot write HS code %s", c->code);
		counts->hs_codes++;
	}
	return CV_OK;
}

void refdata_hs_release(struct refdata_hs *hs)
{
	cv_free(hs->codes);
	cv_free(hs->sections);
	refdata_file_release(&hs->codes_file);
	refdata_file_release(&hs->sections_file);
	memset(hs, 0, sizeof(*hs));
}

int refdata_hs_lookup(struct store_conn *conn, const char *code, char *description, size_t size,
		      struct cv_error *err)
{
	struct store_stmt *stmt;
	int rc;

	assert(conn && code && description && size > 0);
	if (!is_hs_code(code))
		return cv_error_set(err, CV_EINVAL, "code",
				    "HS code \"%s\" is not 2, 4 or 6 digits", code);
	rc = store_prepare(conn, "SELECT description FROM hs_codes WHERE code = $1", &stmt);
	if (rc)
		return refdata_db_error(err, rc, conn, "cannot look up HS code %s", code);
	rc = store_bind_text(stmt, 1, code);
	if (rc == CV_OK)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		const char *text = store_col_text(stmt, 0);
		int n = snprintf(description, size, "%s", text ? text : "");

		rc = CV_OK;
		if (n < 0 || (size_t)n >= size)
			rc = cv_error_set(err, CV_EINVAL, "description",
					  "the description of HS code %s does not fit in %zu bytes",
					  code, size);
	} else if (rc == STORE_DONE) {
		rc = cv_error_set(err, CV_ENOTFOUND, "code",
				  "HS code %s is not in the nomenclature", code);
	} else {
		refdata_db_error(err, rc, conn, "cannot look up HS code %s", code);
	}
	store_finish(stmt);
	return rc;
}
