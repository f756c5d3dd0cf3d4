/*
 * fields.h — checking what traders and agencies send to the single window:
 * each fault is collected as {field, message} (field paths like
 * "items[1].hs"), so one answer names every one of them.
 */
#ifndef CV_TRADE_FIELDS_H
#define CV_TRADE_FIELDS_H

#include "base/arena.h"
#include "store/db.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct trade_check {
	struct store_conn *conn;
	struct cv_arena *arena; /* field names and copies live here */
	json_t *errors;         /* [{field, message}] */
	const char *date;       /* the day the document is judged on (exchange rates, validity) */
};

/* Append {field, message}. */
void trade_refuse(struct trade_check *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The text member name of o (where is the path prefix, "items[0]."): NULL
 * when absent or empty (refused when required), or when not text of at most
 * max characters (refused).
 */
const char *trade_text(struct trade_check *c, json_t *o, const char *name, const char *where,
		       size_t max, int required);

/* Letters, digits and - / . (identification numbers, codes), 1 to max characters. */
int trade_code_like(const char *s, size_t max);

/* True when sql (one text parameter) finds a row. */
int trade_exists(struct store_conn *conn, const char *sql, const char *value);

/* True when v is one of list (NULL-terminated). */
int trade_listed(const char *v, const char *const *list);

/*
 * The next value of counter name (made at 0 on first use), for numbers in
 * a national format. In a write transaction: the increment is the row lock.
 */
int trade_counter_next(struct store_conn *conn, const char *name, int64_t *value);

/* UNECE Recommendation 19 modes of transport, and the Rec 20 units declarations use most. */
extern const char *const trade_transport_modes[];
extern const char *const trade_units[];

#endif
