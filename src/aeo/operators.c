/* operators.c — see operators.h. */
#include "aeo/operators.h"

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {
	"importer",           "exporter",           "manufacturer",
	"customs_broker",     "freight_forwarder",  "carrier",
	"warehouse_operator", "ecommerce_platform", "express_operator",
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))
#define COLUMNS                                                                                    \
	"id, tin, name, address, country, roles, sme, ecommerce, contacts, created_at, updated_at"

const char *aeo_operator_role_name(unsigned role)
{
	for (size_t i = 0; i < NROLES; i++)
		if (role == 1u << i)
			return role_names[i];
	return NULL;
}

unsigned aeo_operator_role_parse(const char *name)
{
	for (size_t i = 0; i < NROLES; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

/* "importer,exporter" for the roles column. */
static void roles_text(unsigned roles, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NROLES; i++) {
		if (!(roles & (1u << i)))
			continue;
		int n = snprintf(out + used, size - used, "%s%s", used ? "," : "", role_names[i]);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

static unsigned roles_parse_text(const char *text)
{
	char name[40];
	unsigned roles = 0;

	while (text && *text) {
		size_t len = strcspn(text, ",");
		snprintf(name, sizeof(name), "%.*s", (int)len, text);
		roles |= aeo_operator_role_parse(name);
		text += len + (text[len] == ',');
	}
	return roles;
}

/* Lower case of a Cyrillic code point (U+0400..U+04FF); others unchanged. */
static unsigned cyrillic_lower(unsigned cp)
{
	if (cp >= 0x400 && cp <= 0x40F) /* Ѐ..Џ (Ё, Ў, І...) */
		return cp + 0x50;
	if (cp >= 0x410 && cp <= 0x42F) /* А..Я */
		return cp + 0x20;
	if (cp == 0x4C0) /* palochka */
		return 0x4CF;
	/* The extended letters come in pairs, upper case first: even..odd, except U+04C1..04CE odd..even. */
	if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
	    (cp >= 0x4D0 && cp <= 0x4FF))
		return (cp & 1) ? cp : cp + 1;
	if (cp >= 0x4C1 && cp <= 0x4CE)
		return (cp & 1) ? cp + 1 : cp;
	return cp;
}

void aeo_fold(const char *in, char *out, size_t size)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)in;

	while (*p && o + 3 < size) {
		if (*p >= 'A' && *p <= 'Z') {
			out[o++] = (char)(*p++ + ('a' - 'A'));
		} else if (p[0] >= 0xD0 && p[0] <= 0xD3 && (p[1] & 0xC0) == 0x80) {
			/* Cyrillic, U+0400..U+04FF: Russian, Kazakh, Uzbek, Kyrgyz, Tajik letters. */
			unsigned cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
			cp = cyrillic_lower(cp);
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
			p += 2;
		} else {
			out[o++] = (char)*p++;
		}
	}
	out[o] = '\0';
}

static int load_format(struct store_conn *conn, const char *country, char *pattern, size_t psize,
		       char *example, size_t esize, char *description, size_t dsize)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT pattern, example, description FROM operator_id_formats"
				 " WHERE country = $1 OR country = '*' ORDER BY country = '*' LIMIT 1",
				 "t", country);

	if (rc)
		return rc;
	snprintf(pattern, psize, "%s", store_col_text(stmt, 0));
	snprintf(example, esize, "%s", store_col_text(stmt, 1));
	snprintf(description, dsize, "%s", store_col_text(stmt, 2));
	store_finish(stmt);
	return CV_OK;
}

int aeo_operator_check_tin(struct store_conn *conn, const char *country, const char *tin,
			   struct cv_error *err)
{
	char pattern[256], example[64], description[256];
	regex_t re;
	int rc, ok;

	rc = load_format(conn, country, pattern, sizeof(pattern), example, sizeof(example),
			 description, sizeof(description));
	if (rc)
		return cv_error_set(err, rc == CV_ENOTFOUND ? CV_EINTERNAL : rc, "tin",
				    "no identification number format is configured");
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return cv_error_set(err, CV_EINTERNAL, "tin",
				    "the identification number format for %s is not a valid pattern",
				    country);
	ok = regexec(&re, tin, 0, NULL, 0) == 0 && strncmp(tin, country, 2) == 0;
	regfree(&re);
	if (!ok)
		return cv_error_set(err, CV_EINVAL, "tin",
				    "not a valid identification number for %s: expected %s, for example %s",
				    country, description, example);
	return CV_OK;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void read_operator(struct store_stmt *stmt, struct aeo_operator *op)
{
	copy(op->id, sizeof(op->id), store_col_text(stmt, 0));
	copy(op->tin, sizeof(op->tin), store_col_text(stmt, 1));
	copy(op->name, sizeof(op->name), store_col_text(stmt, 2));
	copy(op->address, sizeof(op->address), store_col_text(stmt, 3));
	copy(op->country, sizeof(op->country), store_col_text(stmt, 4));
	op->roles = roles_parse_text(store_col_text(stmt, 5));
	op->sme = (int)store_col_int64(stmt, 6);
	op->ecommerce = (int)store_col_int64(stmt, 7);
	copy(op->contacts, sizeof(op->contacts), store_col_text(stmt, 8));
	copy(op->created_at, sizeof(op->created_at), store_col_text(stmt, 9));
	copy(op->updated_at, sizeof(op->updated_at), store_col_text(stmt, 10));
}

/* Contacts: a JSON array of objects with string fields name, role, email, phone. */
static int check_contacts(const char *text, struct cv_error *err)
{
	static const char *const fields[] = {"name", "role", "email", "phone"};
	json_t *a = json_loads(text, 0, NULL);
	size_t i;
	json_t *c;
	int rc = CV_OK;

	if (!json_is_array(a)) {
		json_decref(a);
		return cv_error_set(err, CV_EINVAL, "contacts",
				    "contacts must be a list of contacts");
	}
	json_array_foreach(a, i, c) {
		const char *key;
		json_t *v;
		if (!json_is_object(c)) {
			rc = cv_error_set(err, CV_EINVAL, "contacts",
					  "contact %zu must be an object", i + 1);
			break;
		}
		json_object_foreach(c, key, v) {
			int known = 0;
			for (size_t f = 0; f < 4; f++)
				known |= strcmp(key, fields[f]) == 0;
			if (!known || !json_is_string(v) || json_string_length(v) > 200) {
				rc = cv_error_set(err, CV_EINVAL, "contacts",
						  "contact %zu: \"%s\" must be one of name, role, email, "
						  "phone, as text of at most 200 characters",
						  i + 1, key);
				break;
			}
		}
		if (rc)
			break;
	}
	json_decref(a);
	return rc;
}

static int utf8_chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int validate(struct store_conn *conn, const struct aeo_operator *op, struct cv_error *err)
{
	int found = 0, rc;
	struct store_stmt *stmt;

	if (!op->name[0] || utf8_chars(op->name) > AEO_NAME_MAX)
		return cv_error_set(err, CV_EINVAL, "name",
				    "name is required, at most %d characters", AEO_NAME_MAX);
	if (utf8_chars(op->address) > AEO_ADDRESS_MAX)
		return cv_error_set(err, CV_EINVAL, "address", "address is at most %d characters",
				    AEO_ADDRESS_MAX);
	if (!op->roles)
		return cv_error_set(err, CV_EINVAL, "roles",
				    "at least one role: importer, exporter, manufacturer, customs_broker, "
				    "freight_forwarder, carrier, warehouse_operator, ecommerce_platform, "
				    "express_operator");
	rc = store_prepare(conn, "SELECT 1 FROM countries WHERE code = $1", &stmt);
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", op->country);
	if (!rc) {
		rc = store_step(stmt);
		found = rc == STORE_ROW;
		rc = rc < 0 ? rc : CV_OK;
	}
	store_finish(stmt);
	if (rc)
		return rc;
	if (!found)
		return cv_error_set(err, CV_EINVAL, "country",
				    "country must be an ISO 3166 alpha-2 code, got \"%s\"",
				    op->country);
	return check_contacts(op->contacts[0] ? op->contacts : "[]", err);
}

static int write_row(struct store_conn *conn, const struct aeo_operator *op, int insert)
{
	char roles[256], folded[sizeof(op->name)];

	roles_text(op->roles, roles, sizeof(roles));
	aeo_fold(op->name, folded, sizeof(folded));
	if (insert)
		return store_execf(conn, NULL,
				   "INSERT INTO operators (id, tin, name, country, created_at, address, roles,"
				   " sme, ecommerce, contacts, updated_at, name_search)"
				   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $5, $11)",
				   "ttttttti"
				   "itt",
				   op->id, op->tin, op->name, op->country, op->created_at,
				   op->address, roles, (int64_t)op->sme, (int64_t)op->ecommerce,
				   op->contacts[0] ? op->contacts : "[]", folded);
	return store_execf(conn, NULL,
			   "UPDATE operators SET name = $2, address = $3, roles = $4, sme = $5,"
			   " ecommerce = $6, contacts = $7, updated_at = $8, name_search = $9 WHERE id = $1",
			   "ttttiittt", op->id, op->name, op->address, roles, (int64_t)op->sme,
			   (int64_t)op->ecommerce, op->contacts[0] ? op->contacts : "[]",
			   op->updated_at, folded);
}

int aeo_operator_create(struct store_conn *conn, struct aeo_operator *op, struct cv_error *err)
{
	int rc = validate(conn, op, err);

	if (!rc)
		rc = aeo_operator_check_tin(conn, op->country, op->tin, err);
	if (rc)
		return rc;
	cv_uuid7(op->id);
	cv_clock_format_rfc3339(cv_clock_now_ms(), op->created_at, sizeof(op->created_at));
	copy(op->updated_at, sizeof(op->updated_at), op->created_at);
	rc = write_row(conn, op, 1);
	if (rc == CV_ECONFLICT)
		return cv_error_set(err, rc, "tin",
				    "an operator with identification number %s is already registered",
				    op->tin);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot register the operator: %s",
				    store_errmsg(conn));
	return CV_OK;
}

int aeo_operator_update(struct store_conn *conn, struct aeo_operator *op, struct cv_error *err)
{
	int rc = validate(conn, op, err);

	if (rc)
		return rc;
	cv_clock_format_rfc3339(cv_clock_now_ms(), op->updated_at, sizeof(op->updated_at));
	rc = write_row(conn, op, 0);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot update the operator: %s",
				    store_errmsg(conn));
	return CV_OK;
}

int aeo_operator_get(struct store_conn *conn, const char *key, struct aeo_operator *out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " COLUMNS " FROM operators WHERE id = $1 OR tin = $1", "t",
				 key);

	if (rc)
		return rc;
	read_operator(stmt, out);
	store_finish(stmt);
	return CV_OK;
}

int aeo_operator_visible(const struct auth_principal *p, const char *operator_id)
{
	if (!p)
		return 0;
	if (p->user.role != ROLE_TRADER)
		return 1;
	return strcmp(p->user.operator_id, operator_id) == 0;
}

int aeo_operator_search(struct store_conn *conn, const struct auth_principal *principal,
			const char *query, const char *after, int limit, struct aeo_operator *out,
			int *count)
{
	char folded[4 * AEO_NAME_MAX + 1], lo[sizeof(folded) + 2], hi[sizeof(folded) + 8];
	const char *only = principal && principal->user.role == ROLE_TRADER
				   ? principal->user.operator_id
				   : "";
	struct store_stmt *stmt;
	int rc;

	*count = 0;
	aeo_fold(query ? query : "", folded, sizeof(folded));
	/* Prefix ranges that use the indexes: [q, q + U+10FFFF). */
	snprintf(lo, sizeof(lo), "%s", folded);
	snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", folded);
	rc = store_prepare(conn,
			   "SELECT " COLUMNS " FROM operators"
			   " WHERE id > $1 AND ($2 = '' OR id = $2)"
			   "   AND ($3 = '' OR (name_search >= $3 AND name_search < $4)"
			   "        OR (tin >= $5 AND tin < $6))"
			   " ORDER BY id LIMIT $7",
			   &stmt);
	if (rc)
		return rc;
	{
		char tin_lo[AEO_TIN_MAX + 1], tin_hi[AEO_TIN_MAX + 8];
		size_t i;
		for (i = 0; query && query[i] && i < AEO_TIN_MAX; i++)
			tin_lo[i] = (char)((query[i] >= 'a' && query[i] <= 'z') ? query[i] - 32
										: query[i]);
		tin_lo[i] = '\0';
		snprintf(tin_hi, sizeof(tin_hi), "%s\x7f", tin_lo);
		rc = store_bindf(stmt, "tttttti", after ? after : "", only, lo, hi, tin_lo, tin_hi,
				 (int64_t)limit);
	}
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		read_operator(stmt, &out[(*count)++]);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}
