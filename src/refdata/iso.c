/*
 * iso.c — countries (ISO 3166-1), currencies (ISO 4217) and CAREC membership.
 *
 * The ISO lists come from the Debian package iso-codes rather than from a
 * copy in data/: Debian keeps them current (a country or currency changes a
 * few times a decade) and every caravan server has the package. Each file is
 * an object holding one array ("3166-1", "4217") of flat objects; the fields
 * caravan stores are checked against a small table of rules, so a changed
 * format fails the load with the entry and field named instead of storing
 * garbage.
 *
 * data/carec.json lists the CAREC members with their currencies. The schema
 * has no currency column for countries, so a member's currency is only
 * checked against ISO 4217 (it catches a mistyped member entry); the member
 * flag is what is stored. Every ISO country is written with its flag, so a
 * country removed from carec.json loses it at the next load.
 */
#include "refdata/refdata_internal.h"

#include <string.h>

#define ISO_3166_FILE "iso_3166-1.json"
#define ISO_3166_LIST "3166-1"
#define ISO_4217_FILE "iso_4217.json"
#define ISO_4217_LIST "4217"
#define CAREC_FILE "carec.json"
#define CAREC_LIST "members"

#define ISO_WHAT "iso-codes JSON"
#define ISO_HINT "install the Debian package iso-codes"
#define DATA_WHAT "reference data"
#define DATA_HINT "data_dir must be caravan's data/ folder"

/* A field an entry must have: text of exactly len bytes in lo..hi, or (len 0) any non-empty text. */
struct field_rule {
	const char *key;
	size_t len;
	char lo, hi;
	const char *expected;
};

static const struct field_rule country_rules[] = {
	{"alpha_2", 2, 'A', 'Z', "2 capital letters"},
	{"alpha_3", 3, 'A', 'Z', "3 capital letters"},
	{"numeric", 3, '0', '9', "3 digits"},
	{"name", 0, 0, 0, "a non-empty string"},
};

static const struct field_rule currency_rules[] = {
	{"alpha_3", 3, 'A', 'Z', "3 capital letters"},
	{"numeric", 3, '0', '9', "3 digits"},
	{"name", 0, 0, 0, "a non-empty string"},
};

static const struct field_rule member_rules[] = {
	{"country", 2, 'A', 'Z', "an ISO 3166-1 alpha-2 code (2 capital letters)"},
	{"currency", 3, 'A', 'Z', "an ISO 4217 alpha-3 code (3 capital letters)"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The string value of entry[key], or NULL when absent or not a string. */
static const char *entry_text(const json_t *entry, const char *key)
{
	return json_string_value(json_object_get(entry, key));
}

static int follows_rule(const char *value, const struct field_rule *rule)
{
	size_t len;

	if (!value || !value[0])
		return 0;
	if (rule->len == 0)
		return 1;
	len = strlen(value);
	if (len != rule->len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (value[i] < rule->lo || value[i] > rule->hi)
			return 0;
	return 1;
}

/*
 * Read dir/file->name as a JSON object and return (borrowed from *doc) its
 * array list_key, each entry an object that follows rules.
 */
static int read_list(struct refdata_file *file, const char *dir, const char *what, const char *hint,
		     const char *list_key, const struct field_rule *rules, size_t nrules,
		     json_t **doc, json_t **list, struct cv_error *err)
{
	json_error_t jerr;
	size_t i;
	json_t *entry;
	int rc = refdata_file_read(file, dir, file->name, what, hint, err);

	if (rc)
		return rc;
	*doc = json_loadb(file->data, file->size, JSON_REJECT_DUPLICATES, &jerr);
	if (!*doc)
		return refdata_file_error(err, file, jerr.line, "not valid JSON: %s", jerr.text);
	*list = json_object_get(*doc, list_key);
	if (!json_is_array(*list) || json_array_size(*list) == 0)
		return refdata_file_error(err, file, 0,
					  "expected an object with a non-empty \"%s\" array",
					  list_key);
	json_array_foreach(*list, i, entry) {
		for (size_t r = 0; r < nrules; r++) {
			if (!follows_rule(entry_text(entry, rules[r].key), &rules[r]))
				return refdata_file_error(err, file, 0,
							  "entry %zu of \"%s\": \"%s\" must be %s",
							  i + 1, list_key, rules[r].key,
							  rules[r].expected);
		}
	}
	return CV_OK;
}

/* Whether list holds an entry whose key is value. */
static int list_has(const json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *entry;

	json_array_foreach(list, i, entry) {
		if (strcmp(entry_text(entry, key), value) == 0)
			return 1;
	}
	return 0;
}

/* Each member must be an ISO country with an ISO currency, and listed once. */
static int check_members(const struct refdata_iso *iso, const struct refdata_file *file,
			 struct cv_error *err)
{
	size_t i;
	json_t *member;

	json_array_foreach(iso->members, i, member) {
		const char *country = entry_text(member, "country");
		const char *currency = entry_text(member, "currency");

		if (!list_has(iso->countries, "alpha_2", country))
			return refdata_file_error(err, file, 0,
						  "member %zu: country \"%s\" is not in ISO 3166-1",
						  i + 1, country);
		if (!list_has(iso->currencies, "alpha_3", currency))
			return refdata_file_error(err, file, 0,
						  "member %zu: currency \"%s\" is not in ISO 4217",
						  i + 1, currency);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(entry_text(json_array_get(iso->members, j), "country"),
				   country) == 0)
				return refdata_file_error(err, file, 0,
							  "member %zu: country \"%s\" is listed twice",
							  i + 1, country);
		}
	}
	return CV_OK;
}

int refdata_iso_read(struct refdata_iso *iso, const char *data_dir, const char *iso_codes_dir,
		     struct cv_error *err)
{
	struct refdata_file countries = {.name = ISO_3166_FILE};
	struct refdata_file currencies = {.name = ISO_4217_FILE};
	struct refdata_file carec = {.name = CAREC_FILE};
	int rc;

	rc = read_list(&countries, iso_codes_dir, ISO_WHAT, ISO_HINT, ISO_3166_LIST, country_rules,
		       COUNT(country_rules), &iso->countries_doc, &iso->countries, err);
	if (rc == CV_OK)
		rc = read_list(&currencies, iso_codes_dir, ISO_WHAT, ISO_HINT, ISO_4217_LIST,
			       currency_rules, COUNT(currency_rules), &iso->currencies_doc,
			       &iso->currencies, err);
	if (rc == CV_OK)
		rc = read_list(&carec, data_dir, DATA_WHAT, DATA_HINT, CAREC_LIST, member_rules,
			       COUNT(member_rules), &iso->carec_doc, &iso->members, err);
	if (rc == CV_OK)
		rc = check_members(iso, &carec, err);
	/* The parsed documents hold copies of the text: the file buffers can go. */
	refdata_file_release(&carec);
	refdata_file_release(&currencies);
	refdata_file_release(&countries);
	return rc;
}

static int write_currencies(struct store_conn *conn, const json_t *currencies, long *count,
			    struct cv_error *err)
{
	size_t i;
	json_t *entry;

	json_array_foreach(currencies, i, entry) {
		const char *code = entry_text(entry, "alpha_3");
		int rc = store_execf(conn, NULL,
				     "INSERT INTO currencies (code, numeric, name) VALUES ($1, $2, $3)"
				     " ON CONFLICT (code) DO UPDATE SET numeric = excluded.numeric,"
				     " name = excluded.name",
				     "ttt", code, entry_text(entry, "numeric"),
				     entry_text(entry, "name"));

		if (rc)
			return refdata_db_error(err, rc, conn, "cannot write currency %s", code);
		(*count)++;
	}
	return CV_OK;
}

static int write_countries(struct store_conn *conn, const struct refdata_iso *iso,
			   struct refdata_counts *counts, struct cv_error *err)
{
	size_t i;
	json_t *entry;

	json_array_foreach(iso->countries, i, entry) {
		const char *code = entry_text(entry, "alpha_2");
		int carec = list_has(iso->members, "country", code);
		int rc = store_execf(conn, NULL,
				     "INSERT INTO countries (code, alpha3, numeric, name, carec)"
				     " VALUES ($1, $2, $3, $4, $5)"
				     " ON CONFLICT (code) DO UPDATE SET alpha3 = excluded.alpha3,"
				     " numeric = excluded.numeric, name = excluded.name,"
				     " carec = excluded.carec",
				     "tttti", code, entry_text(entry, "alpha_3"),
				     entry_text(entry, "numeric"), entry_text(entry, "name"),
				     (int64_t)carec);

		if (rc)
			return refdata_db_error(err, rc, conn, "cannot write country %s", code);
		counts->countries++;
		counts->carec += carec;
	}
	return CV_OK;
}

int refdata_iso_write(struct store_conn *conn, const struct refdata_iso *iso,
		      struct refdata_counts *counts, struct cv_error *err)
{
	int rc = write_currencies(conn, iso->currencies, &counts->currencies, err);

	if (rc == CV_OK)
		rc = write_countries(conn, iso, counts, err);
	return rc;
}

void refdata_iso_release(struct refdata_iso *iso)
{
	json_decref(iso->carec_doc);
	json_decref(iso->currencies_doc);
	json_decref(iso->countries_doc);
	memset(iso, 0, sizeof(*iso));
}
