/*
 * jcs.h — JSON canonicalization (RFC 8785, JCS) over jansson values.
 *
 * Two parties who hash or sign a JSON document must agree on its bytes; JCS
 * gives every JSON value one serialization: no whitespace, object members
 * sorted by their names as UTF-16 code units, strings escaped minimally, and
 * numbers written as ECMAScript's Number.prototype.toString writes them.
 * Every JSON number is an IEEE-754 double here, as in ECMAScript: a document
 * is read with exchange_jcs_parse(), which decodes every number as a double
 * (so 9007199254740993 is 9007199254740992, and an integer beyond long long
 * is still a number) and refuses duplicate member names (I-JSON, which JCS
 * requires).
 *
 * The module owns nothing: output goes into the caller's struct cv_buf.
 * Thread-safe: no shared state.
 */
#ifndef CV_EXCHANGE_JCS_H
#define CV_EXCHANGE_JCS_H

#include "base/buf.h"
#include "base/err.h"

#include <jansson.h>
#include <stddef.h>

/*
 * Parse len bytes of JSON text into *value (the caller json_decref()s it)
 * the way JCS reads documents: numbers as doubles, duplicate names refused,
 * nothing after the value. On failure *value is NULL and err (CV_EINVAL)
 * says where: "NAME:LINE:COLUMN: what is wrong"; name is how the user knows
 * the text (a file name), NULL for "input".
 */
int exchange_jcs_parse(const char *text, size_t len, const char *name, json_t **value,
		       struct cv_error *err);

/*
 * Append the canonical form of value to out. CV_EINVAL (with err) for what
 * JSON cannot carry: a number that is NaN or infinite, a string that is not
 * UTF-8. CV_ENOMEM when out cannot grow; out may then hold part of the form.
 */
int exchange_jcs_serialize(const json_t *value, struct cv_buf *out, struct cv_error *err);

/*
 * Append the number d as ECMAScript writes it (Number.prototype.toString):
 * the shortest digits that read back as d, 1e21 and above and below 1e-6 in
 * exponent form ("1e+21", "1e-7"), -0 as "0". CV_EINVAL for NaN and the
 * infinities, which JSON has no word for.
 */
int exchange_jcs_number(double d, struct cv_buf *out);

#endif
