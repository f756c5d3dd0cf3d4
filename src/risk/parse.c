/*
 * parse.c — lexer and recursive-descent parser of the profile language
 * (grammar in profile.h). Errors stop at the first one, with its line and
 * column and what was expected. Every string and node is allocated from the
 * set's arena, freed with the set.
 */
#include "risk/risk_internal.h"

#include "base/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok {
	T_EOF,
	T_IDENT,
	T_STRING,
	T_NUMBER,
	T_DATE,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_DOTDOT,
	T_OP,
	T_BAD
};

struct parser {
	const char *end, *p;
	int line, col;
	/* the current token */
	enum tok tok;
	const char *start;
	size_t len;
	int tline, tcol;
	char *text; /* decoded string literal or identifier (arena) */
	double number;
	struct cv_arena *arena;
	struct risk_compile_error *err;
	int failed;
	int id_line, id_col; /* where the last profile's id was written */
};

static const char *const field_names[RISK_FIELD_COUNT] = {
	"direction",   "procedure",     "office",      "mode",      "hs",
	"origin",      "departure",     "destination", "declarant", "importer",
	"exporter",    "seller",        "courier",     "aeo",       "aeo_grade",
	"value",       "net_mass",      "unit_value",  "tax_rate",  "compliance_score",
	"pre_arrival", "advance_match",
};

int risk_field_parse(const char *name)
{
	for (int i = 0; i < RISK_FIELD_COUNT; i++)
		if (!strcmp(name, field_names[i]))
			return i;
	return -1;
}

const char *risk_field_name(enum risk_field f)
{
	return (unsigned)f < RISK_FIELD_COUNT ? field_names[f] : "?";
}

const char *risk_lane_name(enum risk_lane lane)
{
	static const char *const names[] = {"green", "blue", "yellow", "red"};
	return (unsigned)lane < 4 ? names[lane] : "?";
}

static int fail(struct parser *ps, const char *fmt, const char *found)
{
	if (!ps->failed) {
		ps->failed = 1;
		ps->err->line = ps->tline;
		ps->err->column = ps->tcol;
		snprintf(ps->err->message, sizeof(ps->err->message), fmt, found);
	}
	return CV_EINVAL;
}

static const char *describe(struct parser *ps)
{
	static _Thread_local char buf[64];

	switch (ps->tok) {
	case T_EOF: return "the end of the text";
	case T_STRING: return "a string";
	case T_NUMBER: return "a number";
	case T_DATE: return "a date";
	default:
		snprintf(buf, sizeof(buf), "\"%.*s\"", (int)(ps->len > 40 ? 40 : ps->len),
			 ps->start);
		return buf;
	}
}

static void advance_char(struct parser *ps)
{
	if (*ps->p == '\n') {
		ps->line++;
		ps->col = 1;
	} else {
		ps->col++;
	}
	ps->p++;
}

static int is_ident_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '.'; }

/* Read the next token into ps. */
static void next(struct parser *ps)
{
	for (;;) {
		while (ps->p < ps->end && isspace((unsigned char)*ps->p))
			advance_char(ps);
		if (ps->p < ps->end && *ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				advance_char(ps);
			continue;
		}
		break;
	}
	ps->start = ps->p;
	ps->tline = ps->line;
	ps->tcol = ps->col;
	ps->text = NULL;
	if (ps->p >= ps->end) {
		ps->tok = T_EOF;
		ps->len = 0;
		return;
	}
	char c = *ps->p;
	if (c == '(' || c == ')' || c == ',') {
		ps->tok = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : T_COMMA;
		advance_char(ps);
	} else if (c == '.' && ps->p + 1 < ps->end && ps->p[1] == '.') {
		ps->tok = T_DOTDOT;
		advance_char(ps);
		advance_char(ps);
	} else if (c == '=' || c == '<' || c == '>' || c == '!') {
		ps->tok = T_OP;
		advance_char(ps);
		if (ps->p < ps->end && *ps->p == '=' && c != '=')
			advance_char(ps);
		else if (c == '!')
			ps->tok = T_BAD;
	} else if (c == '"') {
		char *out = cv_arena_alloc(ps->arena, (size_t)(ps->end - ps->p));
		size_t n = 0;
		advance_char(ps);
		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\n') {
			if (*ps->p == '\\' && ps->p + 1 < ps->end &&
			    (ps->p[1] == '"' || ps->p[1] == '\\'))
				advance_char(ps);
			if (out)
				out[n++] = *ps->p;
			advance_char(ps);
		}
		if (ps->p >= ps->end || *ps->p != '"') {
			ps->tok = T_BAD;
			ps->len = (size_t)(ps->p - ps->start);
			fail(ps, "unterminated string%s: close it with \" on the same line", "");
			return;
		}
		advance_char(ps);
		if (out)
			out[n] = '\0';
		ps->text = out;
		ps->tok = out ? T_STRING : T_BAD;
	} else if (isdigit((unsigned char)c) ||
		   (c == '-' && ps->p + 1 < ps->end && isdigit((unsigned char)ps->p[1]))) {
		const char *q = ps->p + (c == '-');
		while (q < ps->end && isdigit((unsigned char)*q))
			q++;
		if (c != '-' && q - ps->p == 4 && q + 6 <= ps->end && q[0] == '-' &&
		    isdigit((unsigned char)q[1]) && isdigit((unsigned char)q[2]) && q[3] == '-' &&
		    isdigit((unsigned char)q[4]) && isdigit((unsigned char)q[5])) {
			ps->tok = T_DATE;
			q += 6;
		} else {
			ps->tok = T_NUMBER;
			if (q < ps->end && *q == '.' && q + 1 < ps->end &&
			    isdigit((unsigned char)q[1])) {
				q++;
				while (q < ps->end && isdigit((unsigned char)*q))
					q++;
			}
		}
		while (ps->p < q)
			advance_char(ps);
		ps->text = cv_arena_strndup(ps->arena, ps->start, (size_t)(ps->p - ps->start));
		ps->number = ps->text ? strtod(ps->text, NULL) : 0;
	} else if (isalpha((unsigned char)c) || c == '_') {
		while (ps->p < ps->end && is_ident_char((unsigned char)*ps->p) &&
		       !(*ps->p == '.' && ps->p + 1 < ps->end && ps->p[1] == '.'))
			advance_char(ps);
		ps->tok = T_IDENT;
		ps->text = cv_arena_strndup(ps->arena, ps->start, (size_t)(ps->p - ps->start));
	} else {
		ps->tok = T_BAD;
		advance_char(ps);
	}
	ps->len = (size_t)(ps->p - ps->start);
}

/* Step over a comma if one comes next: lists are "a, b, c". */
static int accept_comma(struct parser *ps)
{
	if (ps->tok != T_COMMA)
		return 0;
	next(ps);
	return 1;
}

static int is_word(struct parser *ps, const char *word)
{
	return ps->tok == T_IDENT && ps->len == strlen(word) && !strncmp(ps->start, word, ps->len);
}

static int expect_word(struct parser *ps, const char *word)
{
	char msg[96];

	if (is_word(ps, word)) {
		next(ps);
		return CV_OK;
	}
	snprintf(msg, sizeof(msg), "expected \"%s\", found %%s", word);
	return fail(ps, msg, describe(ps));
}

static int expect(struct parser *ps, enum tok tok, const char *what)
{
	char msg[96];

	if (ps->tok == tok) {
		next(ps);
		return CV_OK;
	}
	snprintf(msg, sizeof(msg), "expected %s, found %%s", what);
	return fail(ps, msg, describe(ps));
}

static struct node *new_node(struct parser *ps, enum node_kind kind)
{
	struct node *n = cv_arena_alloc(ps->arena, sizeof(*n));

	if (!n) {
		fail(ps, "out of memory%s", "");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	return n;
}

/* A literal: string, number (may be negative), true or false. */
static int value(struct parser *ps, struct risk_value *v)
{
	memset(v, 0, sizeof(*v));
	if (ps->tok == T_STRING) {
		v->is_text = 1;
		v->text = ps->text;
	} else if (ps->tok == T_NUMBER) {
		v->number = ps->number;
	} else if (is_word(ps, "true") || is_word(ps, "false")) {
		v->number = is_word(ps, "true");
	} else {
		return fail(ps, "expected a value (a \"string\", a number, true or false), found %s",
			    describe(ps));
	}
	next(ps);
	return CV_OK;
}

/* The literal must suit the field: text for text fields, numbers for numbers, true/false for flags. */
static int check_type(struct parser *ps, int field, const struct risk_value *v, int line, int col)
{
	const char *want = NULL;

	if (field < RISK_TEXT_FIELDS && !v->is_text)
		want = "a \"string\"";
	else if (field >= RISK_TEXT_FIELDS && field < RISK_PRE_ARRIVAL && v->is_text)
		want = "a number";
	else if (RISK_IS_FLAG(field) && v->is_text)
		want = "true or false";
	if (!want)
		return CV_OK;
	ps->tline = line;
	ps->tcol = col;
	{
		char msg[128];
		snprintf(msg, sizeof(msg), "%s takes %s%%s", field_names[field], want);
		return fail(ps, msg, "");
	}
}

static struct node *expr(struct parser *ps);

static struct node *comparison(struct parser *ps)
{
	int line = ps->tline, col = ps->tcol, field;
	struct node *n;

	if (ps->tok != T_IDENT) {
		fail(ps, "expected a field, has_document(...), not or (, found %s", describe(ps));
		return NULL;
	}
	field = risk_field_parse(ps->text);
	if (field < 0) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "unknown field \"%s\"%%s (fields: direction, procedure, office, mode, hs, origin, ...)",
			 ps->text);
		fail(ps, msg, "");
		return NULL;
	}
	next(ps);
	if (ps->tok == T_OP) {
		static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
		n = new_node(ps, N_CMP);
		if (!n)
			return NULL;
		for (int i = 0; i < 6; i++)
			if (ps->len == strlen(ops[i]) && !strncmp(ps->start, ops[i], ps->len))
				n->op = (enum cmp_op)i;
		next(ps);
		if (value(ps, &n->v1) || check_type(ps, field, &n->v1, line, col))
			return NULL;
		if (RISK_IS_FLAG(field) && n->op != OP_EQ && n->op != OP_NE) {
			ps->tline = line;
			ps->tcol = col;
			fail(ps, "%s is compared with = or != only", risk_field_name(field));
			return NULL;
		}
	} else if (is_word(ps, "in")) {
		next(ps);
		if (is_word(ps, "list")) {
			next(ps);
			n = new_node(ps, N_IN_LIST);
			if (!n || ps->tok != T_STRING) {
				fail(ps, "expected the watchlist's name as a \"string\", found %s",
				     describe(ps));
				return NULL;
			}
			n->name = ps->text;
			next(ps);
		} else {
			struct risk_value items[256];
			n = new_node(ps, N_IN);
			if (!n || expect(ps, T_LPAREN, "( or list after in"))
				return NULL;
			do {
				if (n->nlist == 256) {
					fail(ps, "at most 256 values in (...)%s", "");
					return NULL;
				}
				if (value(ps, &items[n->nlist]) ||
				    check_type(ps, field, &items[n->nlist], line, col))
					return NULL;
				n->nlist++;
			} while (accept_comma(ps));
			if (expect(ps, T_RPAREN, ") or ,"))
				return NULL;
			n->list = cv_arena_alloc(ps->arena, n->nlist * sizeof(*n->list));
			if (!n->list)
				return NULL;
			memcpy(n->list, items, n->nlist * sizeof(*n->list));
		}
		if (field >= RISK_TEXT_FIELDS && n->kind == N_IN_LIST) {
			fail(ps, "in list works on text fields%s", "");
			return NULL;
		}
	} else if (is_word(ps, "startswith")) {
		next(ps);
		n = new_node(ps, N_STARTS);
		if (!n)
			return NULL;
		if (field >= RISK_TEXT_FIELDS || ps->tok != T_STRING) {
			fail(ps,
			     field >= RISK_TEXT_FIELDS
				     ? "startswith works on text fields%s"
				     : "expected a \"string\" after startswith, found %s",
			     describe(ps));
			return NULL;
		}
		n->name = ps->text;
		next(ps);
	} else if (is_word(ps, "between")) {
		next(ps);
		n = new_node(ps, N_BETWEEN);
		if (!n || value(ps, &n->v1) || check_type(ps, field, &n->v1, line, col) ||
		    expect_word(ps, "and") || value(ps, &n->v2) ||
		    check_type(ps, field, &n->v2, line, col))
			return NULL;
	} else {
		fail(ps,
		     "expected an operator (=, !=, <, <=, >, >=, in, startswith, between), found %s",
		     describe(ps));
		return NULL;
	}
	n->field = field;
	return n;
}

static struct node *primary(struct parser *ps)
{
	struct node *n;

	if (ps->tok == T_LPAREN) {
		next(ps);
		n = expr(ps);
		if (!n || expect(ps, T_RPAREN, ")"))
			return NULL;
		return n;
	}
	if (is_word(ps, "not")) {
		next(ps);
		n = new_node(ps, N_NOT);
		if (!n || !(n->a = primary(ps)))
			return NULL;
		return n;
	}
	if (is_word(ps, "has_document")) {
		next(ps);
		n = new_node(ps, N_HAS_DOC);
		if (!n || expect(ps, T_LPAREN, "( after has_document"))
			return NULL;
		if (ps->tok != T_STRING) {
			fail(ps, "expected the document type as a \"string\", found %s",
			     describe(ps));
			return NULL;
		}
		n->name = ps->text;
		next(ps);
		if (expect(ps, T_RPAREN, ")"))
			return NULL;
		return n;
	}
	return comparison(ps);
}

static struct node *conjunction(struct parser *ps)
{
	struct node *left = primary(ps);

	while (left && is_word(ps, "and")) {
		struct node *n = new_node(ps, N_AND);
		next(ps);
		if (!n)
			return NULL;
		n->a = left;
		n->b = primary(ps);
		if (!n->b)
			return NULL;
		left = n;
	}
	return left;
}

static struct node *expr(struct parser *ps)
{
	struct node *left = conjunction(ps);

	while (left && is_word(ps, "or")) {
		struct node *n = new_node(ps, N_OR);
		next(ps);
		if (!n)
			return NULL;
		n->a = left;
		n->b = conjunction(ps);
		if (!n->b)
			return NULL;
		left = n;
	}
	return left;
}

static int action(struct parser *ps, struct profile *p)
{
	if (is_word(ps, "score")) {
		next(ps);
		if (ps->tok != T_NUMBER)
			return fail(ps, "expected a number after score, found %s", describe(ps));
		p->info.score += ps->number;
		next(ps);
	} else if (is_word(ps, "lane")) {
		next(ps);
		for (int l = RISK_GREEN; l <= RISK_RED; l++) {
			if (is_word(ps, risk_lane_name((enum risk_lane)l))) {
				if ((enum risk_lane)l > p->info.lane)
					p->info.lane = (enum risk_lane)l;
				next(ps);
				return CV_OK;
			}
		}
		return fail(ps, "expected green, yellow, blue or red after lane, found %s",
			    describe(ps));
	} else if (is_word(ps, "note")) {
		next(ps);
		if (ps->tok != T_STRING)
			return fail(ps, "expected a \"string\" after note, found %s", describe(ps));
		p->info.note = ps->text;
		next(ps);
	} else {
		return fail(ps, "expected an action (score, lane or note), found %s", describe(ps));
	}
	return CV_OK;
}

static int date_token(struct parser *ps, char out[11], const char *what)
{
	char msg[80];

	if (ps->tok != T_DATE) {
		snprintf(msg, sizeof(msg), "expected %s date (YYYY-MM-DD), found %%s", what);
		return fail(ps, msg, describe(ps));
	}
	memcpy(out, ps->start, 10);
	out[10] = '\0';
	next(ps);
	return CV_OK;
}

static int profile(struct parser *ps, struct profile *p)
{
	const char *offices[64];

	memset(p, 0, sizeof(*p));
	p->info.note = "";
	if (expect_word(ps, "profile"))
		return CV_EINVAL;
	if (ps->tok != T_IDENT)
		return fail(ps, "expected the profile's id (like ODS-001), found %s", describe(ps));
	p->info.id = ps->text;
	ps->id_line = ps->tline;
	ps->id_col = ps->tcol;
	next(ps);
	if (ps->tok != T_STRING)
		return fail(ps, "expected the profile's title as a \"string\", found %s",
			    describe(ps));
	p->info.title = ps->text;
	next(ps);
	if (expect_word(ps, "when") || !(p->cond = expr(ps)) || expect_word(ps, "then") ||
	    action(ps, p))
		return CV_EINVAL;
	while (ps->tok == T_COMMA) {
		next(ps);
		if (action(ps, p))
			return CV_EINVAL;
	}
	if (is_word(ps, "valid")) {
		next(ps);
		if (date_token(ps, p->valid_from, "the first") || expect(ps, T_DOTDOT, "..") ||
		    date_token(ps, p->valid_to, "the last"))
			return CV_EINVAL;
		if (strcmp(p->valid_from, p->valid_to) > 0)
			return fail(ps, "the validity ends before it starts%s", "");
	}
	if (is_word(ps, "offices")) {
		next(ps);
		do {
			if (ps->tok != T_IDENT && ps->tok != T_STRING)
				return fail(ps, "expected an office code, found %s", describe(ps));
			if (p->noffices == 64)
				return fail(ps, "at most 64 offices%s", "");
			offices[p->noffices++] = ps->text;
			next(ps);
		} while (accept_comma(ps));
		p->offices = cv_arena_alloc(ps->arena, p->noffices * sizeof(*p->offices));
		if (!p->offices)
			return CV_ENOMEM;
		memcpy(p->offices, offices, p->noffices * sizeof(*p->offices));
	}
	return expect_word(ps, "end");
}

int risk_parse(struct risk_profile_set *set, const char *source, size_t len,
	       struct risk_compile_error *err)
{
	struct parser ps = {.end = source + len,
			    .p = source,
			    .line = 1,
			    .col = 1,
			    .arena = &set->arena,
			    .err = err};
	size_t cap = 16;

	memset(err, 0, sizeof(*err));
	set->profiles = malloc(cap * sizeof(*set->profiles));
	if (!set->profiles)
		return CV_ENOMEM;
	next(&ps);
	while (!ps.failed && ps.tok != T_EOF) {
		if (set->count == cap) {
			struct profile *more = realloc(set->profiles, cap * 2 * sizeof(*more));
			if (!more)
				return CV_ENOMEM;
			set->profiles = more;
			cap *= 2;
		}
		if (profile(&ps, &set->profiles[set->count]))
			break;
		for (size_t i = 0; i < set->count; i++) {
			if (!strcmp(set->profiles[i].info.id, set->profiles[set->count].info.id)) {
				char msg[160];
				snprintf(msg, sizeof(msg), "profile %s is defined twice%%s",
					 set->profiles[i].info.id);
				ps.tline = ps.id_line;
				ps.tcol = ps.id_col;
				fail(&ps, msg, "");
				break;
			}
		}
		set->count++;
	}
	return ps.failed ? CV_EINVAL : CV_OK;
}
