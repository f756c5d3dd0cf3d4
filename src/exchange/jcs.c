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
 *    U+E000–U+FFFF. member_compare() compares the UTF-8 bytes and flips the
 *    answer in that one case, which it tells from the first differing byte,
 *    so names are never decoded or converted to sort them.
 *  - Strings escape only what JSON must: '"', '\\', and the controls below
 *    U+0020 (\b \t \n \f \r by name, the others as \u00xx in lower case).
 *    Everything else, including U+007F and non-ASCII, is copied as UTF-8,
 *    in runs: a table says which bytes end a run (an escape) or start a
 *    multi-byte sequence, which is checked and then stays in the run; plain
 *    ASCII is stepped over eight bytes at a time.
 *  - Numbers are written as ECMAScript's Number.prototype.toString writes a
 *    double: first the shortest decimal digits that read back as the same
 *    double (printf's %.*e at 1, 2, ... 17 significant digits, each checked
 *    with strtod; glibc rounds both exactly), then laid out by the ES rules
 *    (plain integers below 1e21, plain fractions down to 1e-6, exponent form
 *    beyond). Next to a power of two the interval of decimals that read back
 *    is lopsided, so the nearest P-digit decimal may miss it while its
 *    neighbour one unit away hits it: both neighbours are tried too.
 *
 * A document is a few kilobytes (a certificate, a declaration), and every
 * credential signed or verified is canonicalized (twice: the document and
 * the proof options), so the walk is kept lean: members are sorted in an
 * array on the stack (on the heap beyond MEMBERS_ON_STACK), a string takes
 * one append per run of plain bytes, and appends are inlined (put()).
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
 * The length of the UTF-8 sequence that starts the n bytes at s (n > 0), or
 * 0 when they do not start with well-formed UTF-8 (an overlong form, a
 * surrogate, beyond U+10FFFF, a truncated sequence, a misplaced byte). The
 * position stays with the caller, in a register: its loops over plain
 * ASCII are the hot ones.
 */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t v, min;

	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		need = 1, v = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		need = 2, v = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		need = 3, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n <= need)
		return 0;
	for (size_t k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	return need + 1;
}

/*
 * Append n bytes to out: the serializer's own append, inlined, for the many
 * small pieces of a document (quotes, commas, short strings). It leaves the
 * terminating NUL to exchange_jcs_serialize(), which writes it once at the
 * end; cv_buf_grow() always keeps a byte for it.
 */
static inline int put(struct cv_buf *out, const void *data, size_t n)
{
	if (out->cap - out->len <= n) {
		int rc = cv_buf_grow(out, n);

		if (rc)
			return rc;
	}
	memcpy(out->data + out->len, data, n);
	out->len += n;
	return CV_OK;
}

/*
 * What each byte of a string asks of the serializer: BYTE_COPY (0 in the
 * table), copied as it is (ASCII that JSON allows in a string);
 * BYTE_ESCAPE, written as an escape (the controls, '"' and '\\');
 * BYTE_UTF8, the start (or, when misplaced, a piece) of a multi-byte
 * sequence, checked with utf8_length() and then copied.
 */
enum { BYTE_COPY = 0, BYTE_ESCAPE, BYTE_UTF8 };
#define E BYTE_ESCAPE
#define U BYTE_UTF8
// clang-format off
static const unsigned char byte_class[256] = {
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, /* 0x00 */
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, /* 0x10 */
	0, 0, E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, E, 0, 0, 0, /* 0x50: '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x70: U+007F is copied */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0x80 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0x90 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xA0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xB0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xC0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xD0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xE0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xF0 */
};
// clang-format on
#undef E
#undef U

/* The byte b in each of the 8 bytes of a 64-bit word. */
#define BYTES(b) (UINT64_C(0x0101010101010101) * (b))
/*
 * Non-zero when some byte of x is below n (n <= 0x80). Bytes from n up
 * borrow nothing when n is subtracted, so the lowest byte below n is the
 * first to wrap and set its top bit, which ~x keeps: the answer is exact.
 */
static inline uint64_t has_byte_below(uint64_t x, unsigned n)
{
	return (x - BYTES(n)) & ~x & BYTES(0x80);
}

/*
 * Are the 8 bytes at s all BYTE_COPY? Eight bytes tested at once (SWAR): a
 * control, a '"' or '\\' (a zero byte once x is XORed with it), or a byte
 * from 0x80 up (its top bit) sends the string to the byte-by-byte loop.
 */
static inline int plain_word(const unsigned char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
	return !(has_byte_below(x, 0x20) | has_byte_below(x ^ BYTES('"'), 1) |
		 has_byte_below(x ^ BYTES('\\'), 1) | (x & BYTES(0x80)));
}

/* Is the text s (len bytes) well-formed UTF-8? ASCII is stepped over without decoding. */
static int utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, step;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (!(step = utf8_length(s + i, len - i)))
			return 0;
		i += step;
	}
	return 1;
}

struct member {
	const char *name;
	size_t len;
	json_t *value;
};

/* UTF-8 lead bytes of U+E000–U+FFFF and of U+10000–U+10FFFF. */
#define UTF8_LEAD_E000 0xEE
#define UTF8_LEAD_10000 0xF0

/*
 * Compare two member names as UTF-16 code unit sequences (names are valid
 * UTF-8). Byte order is code point order, and code point order is UTF-16
 * order except between U+E000–U+FFFF and the supplementary planes (the
 * latter are surrogates, D800–DBFF, in UTF-16). The names are equal up to
 * their first differing byte, so the characters there start at the same
 * offset: if that byte is a continuation byte, their lead bytes are equal
 * and so are their ranges; if it is a lead byte, the order flips only when
 * one lead is EE or EF (U+E000–U+FFFF) and the other F0 or above.
 */
static int member_compare(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	const unsigned char *sa = (const unsigned char *)a->name,
			    *sb = (const unsigned char *)b->name;
	size_t n = a->len < b->len ? a->len : b->len, i = 0;
	unsigned char ca, cb;

	while (i < n && sa[i] == sb[i])
		i++;
	if (i == n)
		return (a->len > n) - (b->len > n);
	ca = sa[i], cb = sb[i];
	if (ca >= UTF8_LEAD_E000 && cb >= UTF8_LEAD_E000 &&
	    (ca >= UTF8_LEAD_10000) != (cb >= UTF8_LEAD_10000))
		return ca >= UTF8_LEAD_10000 ? -1 : 1;
	return ca < cb ? -1 : 1;
}

/* Append the escape of the byte c (BYTE_ESCAPE): by name where JSON has one, else \u00xx. */
static int serialize_escape(unsigned char c, struct cv_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};

	switch (c) {
	case '"': return put(out, "\\\"", 2);
	case '\\': return put(out, "\\\\", 2);
	case '\b': return put(out, "\\b", 2);
	case '\f': return put(out, "\\f", 2);
	case '\n': return put(out, "\\n", 2);
	case '\r': return put(out, "\\r", 2);
	case '\t': return put(out, "\\t", 2);
	default: return put(out, u, sizeof(u));
	}
}

/*
 * Append the JSON string literal of the UTF-8 text s (len bytes); what is
 * the text ("a string", "a member name") for the error. Bytes that need no
 * escape, non-ASCII included, are copied in runs, one append a run.
 */
static int serialize_string(const char *s, size_t len, const char *what, struct cv_buf *out,
			    struct cv_error *err)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, step; /* run: where the bytes not yet appended start */
	int rc = put(out, "\"", 1);

	while (rc == CV_OK && i < len) {
		while (len - i >= sizeof(uint64_t) && plain_word(u + i))
			i += sizeof(uint64_t);
		while (i < len && byte_class[u[i]] == BYTE_COPY)
			i++;
		if (i == len)
			break;
		if (byte_class[u[i]] == BYTE_UTF8) {
			if (!(step = utf8_length(u + i, len - i)))
				return cv_error_set(err, CV_EINVAL, NULL, "%s is not valid UTF-8",
						    what);
			i += step;
			continue;
		}
		rc = put(out, s + run, i - run);
		if (rc == CV_OK)
			rc = serialize_escape(u[i], out);
		run = ++i;
	}
	if (rc == CV_OK)
		rc = put(out, s + run, len - run);
	if (rc == CV_OK)
		rc = put(out, "\"", 1);
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

/* Objects with at most this many members sort them on the stack (a credential's have < 10). */
#define MEMBERS_ON_STACK 16

/* Sort members by name: by insertion when they are few (no calls through a pointer). */
static void sort_members(struct member *members, size_t count)
{
	if (count > MEMBERS_ON_STACK) {
		qsort(members, count, sizeof(*members), member_compare);
		return;
	}
	for (size_t i = 1; i < count; i++) {
		struct member m = members[i];
		size_t j = i;

		for (; j > 0 && member_compare(&members[j - 1], &m) > 0; j--)
			members[j] = members[j - 1];
		members[j] = m;
	}
}

static int serialize_object(const json_t *object, struct cv_buf *out, struct cv_error *err)
{
	struct member on_stack[MEMBERS_ON_STACK], *members = on_stack;
	size_t count = json_object_size(object), i = 0;
	void *iter;
	int rc = CV_OK;

	if (count > MEMBERS_ON_STACK && !(members = cv_calloc(count, sizeof(*members))))
		return CV_ENOMEM;
	for (iter = json_object_iter((json_t *)object); iter && i < count;
	     iter = json_object_iter_next((json_t *)object, iter), i++) {
		members[i].name = json_object_iter_key(iter);
		members[i].len = json_object_iter_key_len(iter);
		members[i].value = json_object_iter_value(iter);
		if (!utf8_valid((const unsigned char *)members[i].name, members[i].len)) {
			rc = cv_error_set(err, CV_EINVAL, NULL, "a member name is not valid UTF-8");
			goto out;
		}
	}
	count = i;
	if (count > 1)
		sort_members(members, count);
	rc = put(out, "{", 1);
	for (i = 0; rc == CV_OK && i < count; i++) {
		if (i > 0)
			rc = put(out, ",", 1);
		if (rc == CV_OK)
			rc = serialize_string(members[i].name, members[i].len, "a member name", out,
					      err);
		if (rc == CV_OK)
			rc = put(out, ":", 1);
		if (rc == CV_OK)
			rc = serialize_value(members[i].value, out, err);
	}
	if (rc == CV_OK)
		rc = put(out, "}", 1);
out:
	if (members != on_stack)
		cv_free(members);
	return rc;
}

static int serialize_array(const json_t *array, struct cv_buf *out, struct cv_error *err)
{
	int rc = put(out, "[", 1);

	for (size_t i = 0; rc == CV_OK && i < json_array_size(array); i++) {
		if (i > 0)
			rc = put(out, ",", 1);
		if (rc == CV_OK)
			rc = serialize_value(json_array_get(array, i), out, err);
	}
	if (rc == CV_OK)
		rc = put(out, "]", 1);
	return rc;
}

static int serialize_value(const json_t *value, struct cv_buf *out, struct cv_error *err)
{
	int rc;

	switch (json_typeof(value)) {
	case JSON_OBJECT: return serialize_object(value, out, err);
	case JSON_ARRAY: return serialize_array(value, out, err);
	case JSON_STRING:
		return serialize_string(json_string_value(value), json_string_length(value),
					"a string", out, err);
	case JSON_INTEGER:
		/* A value built in code: JSON numbers are doubles to JCS. */
		rc = exchange_jcs_number((double)json_integer_value(value), out);
		break;
	case JSON_REAL: rc = exchange_jcs_number(json_real_value(value), out); break;
	case JSON_TRUE: return put(out, "true", 4);
	case JSON_FALSE: return put(out, "false", 5);
	case JSON_NULL: return put(out, "null", 4);
	default: return cv_error_set(err, CV_EINTERNAL, NULL, "unknown JSON type");
	}
	if (rc == CV_EINVAL)
		return cv_error_set(err, CV_EINVAL, NULL, "a number is not finite");
	return rc;
}

int exchange_jcs_serialize(const json_t *value, struct cv_buf *out, struct cv_error *err)
{
	int rc;

	if (!value)
		return cv_error_set(err, CV_EINVAL, NULL, "no JSON value");
	rc = serialize_value(value, out, err);
	if (out->data) /* put() leaves the NUL out; there is room for it (see put) */
		out->data[out->len] = '\0';
	return rc;
}
