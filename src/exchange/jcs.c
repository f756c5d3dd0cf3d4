/*
 * jcs.c — JSON canonicalization (RFC 8785) over jansson values.
 *
 * Design. The serializer walks the value once, depth first, appending to a
 * struct cv_buf. The three places where JCS differs from "print the JSON
 * without spaces" each have a function here:
 *
 *  - Object members are sorted by their names compared as UTF-16 code
 *    units, as ECMAScript compares strings. UTF-8 byte order is code point
 *    order, which agrees with UTF-16 order except that code points from
 *    U+10000 up (written in UTF-16 as surrogates D800–DFFF) sort before
 *    U+E000–U+FFFF. utf16_order() maps a code point to a rank that sorts as
 *    its first UTF-16 unit does, so names are compared code point by code
 *    point without converting them.
 *  - Strings escape only what JSON must: '"', '\\', and the controls below
 *    U+0020 (\b \t \n \f \r by name, the others as \u00xx in lower case).
 *    Everything else, including U+007F and non-ASCII, is copied as UTF-8.
 *  - Numbers are written as ECMAScript's Number.prototype.toString writes a
 *    double: first the shortest decimal digits that read back as the same
 *    double (printf's %.*e at 1, 2, ... 17 significant digits, each checked
 *    with strtod; glibc rounds both exactly), then laid out by the ES rules
 *    (plain integers below 1e21, plain fractions down to 1e-6, exponent form
 *    beyond). Next to a power of two the interval of decimals that read back
 *    is lopsided, so the nearest P-digit decimal may miss it while its
 *    neighbour one unit away hits it: both neighbours are tried too.
 *
 * A document is a few kilobytes (a certificate, a declaration); the member
 * sort allocates one array of names per object and nothing else.
 */
#include "exchange/jcs.h"

#include "base/mem.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most significant digits a double needs to read back exactly. */
#define JCS_MAX_DIGITS 17
/* ES writes integers in plain digits below 10^21. */
#define JCS_PLAIN_MAX_EXPONENT 21
/* ES writes fractions in plain digits from 10^-6 on. */
#define JCS_PLAIN_MIN_EXPONENT (-6)

int exchange_jcs_parse(const char *text, size_t len, const char *name, json_t **value,
		       struct cv_error *err)
{
	json_error_t jerr;
	const size_t flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL |
			     JSON_ALLOW_NUL;

	*value = json_loadb(text, len, flags, &jerr);
	if (!*value)
		return cv_error_set(err, CV_EINVAL, NULL, "%s:%d:%d: %s", name ? name : "input",
				    jerr.line, jerr.column, jerr.text);
	return CV_OK;
}

/*
 * Decode the UTF-8 sequence at s[*i] (n bytes in all) into *cp and move *i
 * past it. CV_EINVAL for anything that is not well-formed UTF-8 (overlong
 * forms, surrogates, beyond U+10FFFF, a truncated sequence).
 */
static int utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	unsigned char c = s[*i];
	size_t need;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return CV_OK;
	}
	if ((c & 0xE0) == 0xC0) {
		need = 1, v = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		need = 2, v = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		need = 3, v = c & 0x07, min = 0x10000;
	} else {
		return CV_EINVAL;
	}
	if (n - *i <= need)
		return CV_EINVAL;
	for (size_t k = 1; k <= need; k++) {
		if ((s[*i + k] & 0xC0) != 0x80)
			return CV_EINVAL;
		v = (v << 6) | (s[*i + k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return CV_EINVAL;
	*cp = v;
	*i += need + 1;
	return CV_OK;
}

/*
 * A rank of the code point cp that orders as the first UTF-16 code unit of
 * cp does (ties, within the supplementary planes, broken as the second unit
 * does): U+E000–U+FFFF move above the supplementary planes.
 */
static uint32_t utf16_order(uint32_t cp)
{
	if (cp >= 0xE000 && cp <= 0xFFFF)
		return cp + 0x110000;
	return cp;
}

struct member {
	const char *name;
	size_t len;
	json_t *value;
};

/* Compare two member names as UTF-16 code unit sequences (names are valid UTF-8). */
static int member_compare(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	const unsigned char *sa = (const unsigned char *)a->name,
			    *sb = (const unsigned char *)b->name;
	size_t i = 0, j = 0;

	while (i < a->len && j < b->len) {
		uint32_t ca = 0xFFFD, cb = 0xFFFD;

		/* Invalid names were refused before sorting; step one byte if not. */
		if (utf8_next(sa, a->len, &i, &ca))
			i++;
		if (utf8_next(sb, b->len, &j, &cb))
			j++;
		if (ca != cb)
			return utf16_order(ca) < utf16_order(cb) ? -1 : 1;
	}
	if (i < a->len)
		return 1;
	return j < b->len ? -1 : 0;
}

/* Append the JSON string literal of the UTF-8 text s (len bytes). */
static int serialize_string(const char *s, size_t len, struct cv_buf *out, struct cv_error *err)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int rc = cv_buf_addch(out, '"');

	while (rc == CV_OK && i < len) {
		size_t start = i;
		uint32_t cp;

		if (utf8_next(u, len, &i, &cp))
			return cv_error_set(err, CV_EINVAL, NULL, "a string is not valid UTF-8");
		switch (cp) {
		case '"': rc = cv_buf_adds(out, "\\\""); break;
		case '\\': rc = cv_buf_adds(out, "\\\\"); break;
		case '\b': rc = cv_buf_adds(out, "\\b"); break;
		case '\f': rc = cv_buf_adds(out, "\\f"); break;
		case '\n': rc = cv_buf_adds(out, "\\n"); break;
		case '\r': rc = cv_buf_adds(out, "\\r"); break;
		case '\t': rc = cv_buf_adds(out, "\\t"); break;
		default:
			if (cp < 0x20)
				rc = cv_buf_addf(out, "\\u%04x", (unsigned)cp);
			else
				rc = cv_buf_add(out, s + start, i - start);
		}
	}
	if (rc == CV_OK)
		rc = cv_buf_addch(out, '"');
	return rc;
}

/* Does m * 10^q, read by strtod, give d back? */
static int reads_back(uint64_t m, int q, double d)
{
	char text[48];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "e%d", m, q);

	return n > 0 && (size_t)n < sizeof(text) && strtod(text, NULL) == d;
}

/*
 * The shortest decimal m * 10^q that reads back as d (finite, > 0), m
 * without trailing zeros. See the top of the file for the method.
 */
static void shortest_decimal(double d, uint64_t *mantissa, int *exponent)
{
	uint64_t m = 0;
	int q = 0;

	for (int digits = 1; digits <= JCS_MAX_DIGITS; digits++) {
		char text[48], *p, *end;
		int e;

		snprintf(text, sizeof(text), "%.*e", digits - 1, d);
		m = 0;
		for (p = text; *p && *p != 'e'; p++)
			if (*p >= '0' && *p <= '9')
				m = m * 10 + (uint64_t)(*p - '0');
		e = (int)strtol(p + 1, &end, 10);
		q = e - (digits - 1);
		if (strtod(text, NULL) == d)
			break;
		if (reads_back(m + 1, q, d)) {
			m++;
			break;
		}
		if (m > 1 && reads_back(m - 1, q, d)) {
			m--;
			break;
		}
	}
	while (m != 0 && m % 10 == 0) {
		m /= 10;
		q++;
	}
	*mantissa = m;
	*exponent = q;
}

int exchange_jcs_number(double d, struct cv_buf *out)
{
	char digits[24];
	uint64_t m;
	int q, k, n, rc = CV_OK;

	if (isnan(d) || isinf(d))
		return CV_EINVAL;
	if (d == 0) /* +0 and -0 */
		return cv_buf_addch(out, '0');
	if (d < 0) {
		rc = cv_buf_addch(out, '-');
		d = -d;
	}
	shortest_decimal(d, &m, &q);
	k = snprintf(digits, sizeof(digits), "%" PRIu64, m);
	n = k + q; /* d = 0.digits * 10^n */
	if (rc)
		return rc;
	if (k <= n && n <= JCS_PLAIN_MAX_EXPONENT) {
		rc = cv_buf_add(out, digits, (size_t)k);
		for (int i = 0; rc == CV_OK && i < n - k; i++)
			rc = cv_buf_addch(out, '0');
		return rc;
	}
	if (n > 0 && n <= JCS_PLAIN_MAX_EXPONENT)
		return cv_buf_addf(out, "%.*s.%s", n, digits, digits + n);
	if (n > JCS_PLAIN_MIN_EXPONENT && n <= 0) {
		rc = cv_buf_adds(out, "0.");
		for (int i = 0; rc == CV_OK && i < -n; i++)
			rc = cv_buf_addch(out, '0');
		return rc ? rc : cv_buf_add(out, digits, (size_t)k);
	}
	if (k == 1)
		return cv_buf_addf(out, "%se%c%d", digits, n - 1 >= 0 ? '+' : '-', abs(n - 1));
	return cv_buf_addf(out, "%c.%se%c%d", digits[0], digits + 1, n - 1 >= 0 ? '+' : '-',
			   abs(n - 1));
}

static int serialize_value(const json_t *value, struct cv_buf *out, struct cv_error *err);

static int serialize_object(const json_t *object, struct cv_buf *out, struct cv_error *err)
{
	size_t count = json_object_size(object), i = 0;
	struct member *members = NULL;
	void *iter;
	int rc;

	if (count && !(members = cv_calloc(count, sizeof(*members))))
		return CV_ENOMEM;
	for (iter = json_object_iter((json_t *)object); iter && i < count;
	     iter = json_object_iter_next((json_t *)object, iter), i++) {
		size_t at = 0;
		uint32_t cp;

		members[i].name = json_object_iter_key(iter);
		members[i].len = json_object_iter_key_len(iter);
		members[i].value = json_object_iter_value(iter);
		while (at < members[i].len)
			if (utf8_next((const unsigned char *)members[i].name, members[i].len, &at,
				      &cp)) {
				rc = cv_error_set(err, CV_EINVAL, NULL,
						  "a member name is not valid UTF-8");
				goto out;
			}
	}
	count = i;
	if (count > 1)
		qsort(members, count, sizeof(*members), member_compare);
	rc = cv_buf_addch(out, '{');
	for (i = 0; rc == CV_OK && i < count; i++) {
		if (i > 0)
			rc = cv_buf_addch(out, ',');
		if (rc == CV_OK)
			rc = serialize_string(members[i].name, members[i].len, out, err);
		if (rc == CV_OK)
			rc = cv_buf_addch(out, ':');
		if (rc == CV_OK)
			rc = serialize_value(members[i].value, out, err);
	}
	if (rc == CV_OK)
		rc = cv_buf_addch(out, '}');
out:
	cv_free(members);
	return rc;
}

static int serialize_array(const json_t *array, struct cv_buf *out, struct cv_error *err)
{
	int rc = cv_buf_addch(out, '[');

	for (size_t i = 0; rc == CV_OK && i < json_array_size(array); i++) {
		if (i > 0)
			rc = cv_buf_addch(out, ',');
		if (rc == CV_OK)
			rc = serialize_value(json_array_get(array, i), out, err);
	}
	if (rc == CV_OK)
		rc = cv_buf_addch(out, ']');
	return rc;
}

static int serialize_value(const json_t *value, struct cv_buf *out, struct cv_error *err)
{
	int rc;

	switch (json_typeof(value)) {
	case JSON_OBJECT: return serialize_object(value, out, err);
	case JSON_ARRAY: return serialize_array(value, out, err);
	case JSON_STRING:
		return serialize_string(json_string_value(value), json_string_length(value), out,
					err);
	case JSON_INTEGER:
		/* A value built in code: JSON numbers are doubles to JCS. */
		rc = exchange_jcs_number((double)json_integer_value(value), out);
		break;
	case JSON_REAL: rc = exchange_jcs_number(json_real_value(value), out); break;
	case JSON_TRUE: return cv_buf_adds(out, "true");
	case JSON_FALSE: return cv_buf_adds(out, "false");
	case JSON_NULL: return cv_buf_adds(out, "null");
	default: return cv_error_set(err, CV_EINTERNAL, NULL, "unknown JSON type");
	}
	if (rc == CV_EINVAL)
		return cv_error_set(err, CV_EINVAL, NULL, "a number is not finite");
	return rc;
}

int exchange_jcs_serialize(const json_t *value, struct cv_buf *out, struct cv_error *err)
{
	if (!value)
		return cv_error_set(err, CV_EINVAL, NULL, "no JSON value");
	return serialize_value(value, out, err);
}
