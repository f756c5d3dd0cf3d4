/*
 * demo_single_window.c — see demo_single_window.h.
 *
 * The demo node should look like a node that has been running for a
 * season: declarations in every status, LPCOs applied for, issued, refused
 * and used up, joint examinations with every kind of result, payments, AEO
 * traders released before they pay, and release times that say something.
 * None of it is written as finished rows: every step goes through the
 * single window's own functions (trade_lodge, trade_lpco_apply and
 * _decide, trade_examination_result, trade_payment, trade_arrival,
 * trade_release, trade_exit, trade_amend, trade_cancel) with the process
 * clock set to the step's time (cv_clock_override), so that the rows,
 * events, notifications, engine decisions, consignment memory and
 * compliance records are what the API would have written on those days.
 *
 * The plan (demo_traffic.c) says who lodges what and when, and when LPCOs
 * are applied for and decided. This file plays it in time order, one event
 * at a time, from a binary heap. What follows a step is decided from what
 * the node answers, not from the plan: the lane is the engine's, the
 * examination's parties are those the lane and the requirements call for,
 * a payment is made when the node says duties are due (never for an AEO
 * whose duties are deferred), and release is scheduled once
 * trade_release_conditions names nothing more. Officers take longer for a
 * red lane than for a green one, AEO goods are examined first (the
 * "priority" benefit), agencies sometimes send samples to a laboratory.
 * Events that fall after now are not played: the last days' declarations
 * are on their way — lane assigned, documents required, under examination,
 * payment required — and the worklists of customs and agencies have work.
 *
 * Determinism: every choice comes from the plan's seeded generator, played
 * in one order. The engine's random selection (about 2 % of declarations)
 * draws on the node's own secret, made at random by each node, and the
 * demo's model is trained on rows in an order that differs between nodes:
 * lanes, and what follows from them, differ somewhat from one demo node to
 * another. The figures the tests rely on do not.
 *
 * Volume and cost: ~3,000 declarations, ~17,000 steps, one transaction
 * (the traffic is there whole or not at all); about 5 s of CPU in the
 * release build, 15 s under AddressSanitizer.
 */
#include "cli/demo_single_window.h"

#include "cli/demo_traffic.h"

#include "aeo/applications.h"
#include "audit/audit.h"
#include "auth/roles.h"
#include "auth/sessions.h"
#include "base/clock.h"
#include "base/mem.h"
#include "risk/examination.h"
#include "trade/inspection.h"
#include "trade/lodging.h"
#include "trade/lpco.h"
#include "trade/release.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTOR "cli:demo"

/* State flags: what has happened, and what is scheduled. */
enum {
	ST_ARRIVED = 1 << 0,
	ST_CANCELLED = 1 << 1,
	ST_RELEASED = 1 << 2,
	ST_SEIZED = 1 << 3,
	ST_WAIT_PAY = 1 << 4,
	ST_WAIT_CHECK = 1 << 5,
	ST_WAIT_RESULTS = 1 << 6,
	ST_WAIT_RELEASE = 1 << 7,
};

enum event_kind {
	EV_APPLY,
	EV_DECIDE,
	EV_LODGE,
	EV_CORRECT,
	EV_AMEND,
	EV_CANCEL,
	EV_CHECK,
	EV_PAY,
	EV_ARRIVE,
	EV_RESULT,
	EV_RELEASE,
	EV_EXIT
};

struct event {
	int64_t at;
	unsigned seq; /* ties in time are played in the order scheduled */
	int kind, subject, party;
};

struct sim {
	struct store_conn *conn;
	struct trade_context ctx;
	struct demo_traffic t;
	struct event *heap;
	size_t nheap, cap_heap;
	unsigned seq, payments;
	struct auth_principal trader[DEMO_TRADERS], party[DEMO_PARTIES];
	struct demo_single_window_stats *stats;
	void (*progress)(void *, size_t, size_t);
	void *progress_ctx;
	struct cv_error *err;
};

/* ---- the event queue: a binary heap by time ------------------------------------ */

static int before(const struct event *a, const struct event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

/* Play kind at at (never before now: time only moves forward). */
static int schedule(struct sim *s, int64_t at, int kind, int subject, int party)
{
	struct event e = {at > s->ctx.now_ms ? at : s->ctx.now_ms, s->seq++, kind, subject, party};
	size_t i;

	if (s->nheap == s->cap_heap) {
		size_t cap = s->cap_heap ? s->cap_heap * 2 : 4096;
		struct event *grown = cv_realloc(s->heap, cap * sizeof(*grown));
		if (!grown)
			return CV_ENOMEM;
		s->heap = grown;
		s->cap_heap = cap;
	}
	for (i = s->nheap++; i > 0 && before(&e, &s->heap[(i - 1) / 2]); i = (i - 1) / 2)
		s->heap[i] = s->heap[(i - 1) / 2];
	s->heap[i] = e;
	return CV_OK;
}

static struct event take_first(struct sim *s)
{
	struct event first = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0;

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= s->nheap)
			break;
		if (child + 1 < s->nheap && before(&s->heap[child + 1], &s->heap[child]))
			child++;
		if (!before(&s->heap[child], &last))
			break;
		s->heap[i] = s->heap[child];
		i = child;
	}
	if (s->nheap)
		s->heap[i] = last;
	return first;
}

/* ---- playing it ------------------------------------------------------------------- */

/* Name what failed, where and when: a failure here is a bug of the demo or of the code it runs. */
static int fail(struct sim *s, int rc, const char *what, int trader, json_t *errors)
{
	char detail[CV_ERROR_MESSAGE_MAX], when[CV_RFC3339_MAX];
	char *text = json_array_size(errors) ? json_dumps(errors, JSON_COMPACT) : NULL;

	snprintf(detail, sizeof(detail), "%s",
		 text                 ? text
		 : s->err->message[0] ? s->err->message
				      : cv_strerror(rc));
	free(text);
	cv_clock_format_rfc3339(s->ctx.now_ms, when, sizeof(when));
	return cv_error_set(s->err, rc, NULL, "%s for %s at %s: %s", what,
			    demo_traders[trader].name, when, detail);
}

static const char *const refusals[][2] = {
	{"PHYTOSANITARY-CERTIFICATE",
	 "the orchard is not on the exporting country's register of approved places of "
	 "production"},
	{"VETERINARY-CERTIFICATE", "the plant is not on the list of establishments approved for "
				   "export to the EAEU"},
	{"MEDICINE-REGISTRATION", "the product is not on the national register of medicines"},
	{"NARCOTICS-PERMIT", "the importer's annual quota for codeine is used up"},
	{"VEHICLE-TYPE-APPROVAL", "the test report does not cover this model's braking system"},
	{"BASEL-CONSENT", "the receiving facility holds no valid environmental permit"},
	{"ODS-LICENCE", "the importer's HFC quota for the year is used up"},
};

static int play_apply(struct sim *s, int q)
{
	struct demo_permit *p = &s->t.p[q];
	const struct demo_flow *f = &demo_traders[p->trader].flows[p->flow];
	json_t *errors = json_array(), *out = NULL;
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:i, s:s}]}", "type",
				 f->lpco_type, "agency", f->agency, "valid_from", p->valid_from,
				 "valid_to", p->valid_to, "lines", "hs", f->lpco_hs, "description",
				 f->goods[0]->description, "quantity", p->quantity, "unit",
				 f->goods[0]->unit);
	int rc = trade_lpco_apply(s->conn, &s->ctx, &s->trader[p->trader], body, errors, &out,
				  s->err);

	if (rc)
		rc = fail(s, rc, "an LPCO application", p->trader, errors);
	else
		snprintf(p->id, sizeof(p->id), "%s", json_string_value(json_object_get(out, "id")));
	json_decref(body);
	json_decref(errors);
	json_decref(out);
	return rc;
}

static int play_decide(struct sim *s, int q)
{
	struct demo_permit *p = &s->t.p[q];
	const struct demo_flow *f = &demo_traders[p->trader].flows[p->flow];
	const char *reasons = "the application is incomplete";
	json_t *errors = json_array(), *out = NULL, *body;
	int rc;

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (!strcmp(refusals[i][0], f->lpco_type))
			reasons = refusals[i][1];
	body = p->refused ? json_pack("{s:s, s:s}", "decision", "refuse", "reasons", reasons)
			  : json_pack("{s:s}", "decision", "issue");
	rc = trade_lpco_decide(s->conn, &s->ctx, &s->party[demo_party_index(f->agency)], p->id,
			       body, errors, &out, s->err);
	if (rc) {
		rc = fail(s, rc, "an LPCO decision", p->trader, errors);
	} else if (p->refused) {
		s->stats->lpcos_refused++;
	} else {
		snprintf(p->number, sizeof(p->number), "%s",
			 json_string_value(json_object_get(out, "number")));
		s->stats->lpcos_issued++;
	}
	json_decref(body);
	json_decref(errors);
	json_decref(out);
	return rc;
}

/* What stands before release (trade_release_conditions), as flags. */
enum {
	NEED_DOCUMENTS = 1,
	NEED_EXAMINATION = 2,
	NEED_CHECK = 4,
	NEED_PAYMENT = 8,
	NEED_SEIZED = 16
};

static int standing(struct sim *s, const struct demo_consignment *c, unsigned *need)
{
	static const char *const names[] = {"documents", "examination", "documentary_check",
					    "payment", "seizure"};
	json_t *unmet = NULL, *u;
	size_t i;
	int rc = trade_release_conditions(s->conn, &s->ctx, c->id, &unmet);

	*need = 0;
	json_array_foreach(unmet, i, u) {
		const char *condition = json_string_value(json_object_get(u, "condition"));
		for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (condition && !strcmp(condition, names[k]))
				*need |= 1u << k;
	}
	json_decref(unmet);
	return rc;
}

/* The parties of the declaration's open examination that have yet to record, as bits. */
static int open_examination(struct sim *s, const struct demo_consignment *c, char id[CV_UUID_STR],
			    unsigned *pending)
{
	struct store_stmt *stmt;
	int rc = store_prepare(s->conn,
			       "SELECT e.id, p.party FROM examinations e"
			       " JOIN examination_parties p ON p.examination_id = e.id"
			       " WHERE e.declaration_id = $1 AND e.status = 'scheduled'"
			       " AND p.result IS NULL",
			       &stmt);

	*id = 0;
	*pending = 0;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", c->id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		int k = demo_party_index(store_col_text(stmt, 1));
		rc = k < 0 ? cv_error_set(s->err, CV_EINTERNAL, NULL, "no demo officer for %s",
					  store_col_text(stmt, 1))
			   : CV_OK;
		snprintf(id, CV_UUID_STR, "%s", store_col_text(stmt, 0));
		*pending |= k < 0 ? 0 : 1u << k;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/* Minutes from the last condition cleared to release: longer the redder; AEO first. */
static int64_t release_delay(struct sim *s, const struct demo_consignment *c)
{
	static const struct {
		const char *lane;
		double lo, hi;
	} minutes[] = {{"green", 3, 25}, {"blue", 5, 40}, {"yellow", 10, 60}, {"red", 15, 90}};
	double factor = demo_traders[c->trader].aeo ? 0.6 : 1;
	size_t k = 0;

	while (k + 1 < sizeof(minutes) / sizeof(minutes[0]) && strcmp(minutes[k].lane, c->lane))
		k++;
	return (int64_t)(demo_between(&s->t, minutes[k].lo * factor, minutes[k].hi * factor) *
			 DEMO_MINUTE_MS);
}

/* Hours from arrival to a party's result; AEO goods go first; an agency's laboratory takes days. */
static int64_t result_delay(struct sim *s, const struct demo_consignment *c, int party)
{
	int aeo = demo_traders[c->trader].aeo;

	if (party == 0)
		return demo_hours(&s->t, aeo ? 0.5 : 1.5, aeo ? 2.5 : 6);
	if (demo_chance(&s->t, 0.12))
		return demo_hours(&s->t, 48, 144);
	return demo_hours(&s->t, aeo ? 0.5 : 1, aeo ? 4 : 9);
}

/* Each party that has yet to examine the goods does, some hours after they arrived. */
static int schedule_results(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	char exam[CV_UUID_STR];
	unsigned pending;
	int rc = open_examination(s, c, exam, &pending);

	for (int k = 0; !rc && k < DEMO_PARTIES; k++)
		if (pending & (1u << k))
			rc = schedule(s, s->ctx.now_ms + result_delay(s, c, k), EV_RESULT, i, k);
	if (!rc && pending)
		c->state |= ST_WAIT_RESULTS;
	return rc;
}

/*
 * After every step: what the node says still stands decides what comes
 * next — a documentary check, a payment (some traders wait for the goods
 * to arrive), the examination, or release once nothing stands and the goods
 * are here. A missing LPCO waits for the amendment or cancellation planned.
 */
static int advance(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	int aeo = demo_traders[c->trader].aeo, slow = (c->plan & DEMO_PLAN_SLOW_PAY) != 0,
	    late = !slow && (c->plan & DEMO_PLAN_PAY_LATE);
	unsigned need;
	int rc;

	if (c->state & (ST_CANCELLED | ST_RELEASED | ST_SEIZED))
		return CV_OK;
	rc = standing(s, c, &need);
	if (rc || (need & NEED_DOCUMENTS))
		return rc;
	if (need & NEED_SEIZED) {
		c->state |= ST_SEIZED;
		return CV_OK;
	}
	if ((need & NEED_CHECK) && !(c->state & ST_WAIT_CHECK)) {
		c->state |= ST_WAIT_CHECK;
		rc = schedule(s, s->ctx.now_ms + demo_hours(&s->t, aeo ? 0.2 : 0.5, aeo ? 1.5 : 4),
			      EV_CHECK, i, 0);
	}
	if (!rc && (need & NEED_PAYMENT) && !(c->state & ST_WAIT_PAY) &&
	    (!late || (c->state & ST_ARRIVED))) {
		c->state |= ST_WAIT_PAY;
		rc = schedule(s,
			      s->ctx.now_ms + (slow   ? demo_hours(&s->t, 24, 7 * 24)
					       : late ? demo_hours(&s->t, 0.5, 10)
						      : demo_hours(&s->t, 0.1, 5)),
			      EV_PAY, i, 0);
	}
	if (!rc && (need & NEED_EXAMINATION) && (c->state & ST_ARRIVED) &&
	    !(c->state & ST_WAIT_RESULTS))
		rc = schedule_results(s, i);
	if (!rc && !need && (c->state & ST_ARRIVED) && !(c->state & ST_WAIT_RELEASE)) {
		c->state |= ST_WAIT_RELEASE;
		rc = schedule(s, s->ctx.now_ms + release_delay(s, c), EV_RELEASE, i, 0);
	}
	return rc;
}

/* Keep the lane and status the node answered with. */
static void took(struct demo_consignment *c, json_t *out, char status[32])
{
	const char *lane = json_string_value(json_object_get(out, "lane"));

	snprintf(c->lane, sizeof(c->lane), "%s", lane ? lane : "");
	snprintf(status, 32, "%s", json_string_value(json_object_get(out, "status")));
}

static int play_lodge(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	json_t *errors = json_array(), *out = NULL, *doc = demo_declaration(&s->t, c);
	int64_t lead = c->arrive_at - c->lodge_at;
	char status[32];
	int rc = trade_lodge(s->conn, &s->ctx, &s->trader[c->trader], doc, errors, &out, s->err);

	if (rc) {
		rc = fail(s, rc, "lodging a declaration", c->trader, errors);
		goto done;
	}
	snprintf(c->id, sizeof(c->id), "%s", json_string_value(json_object_get(out, "id")));
	took(c, out, status);
	if (++s->stats->declarations % 50 == 0 && s->progress)
		s->progress(s->progress_ctx, s->stats->declarations, s->t.nc);
	rc = schedule(s, c->arrive_at, EV_ARRIVE, i, 0);
	if (!rc && (c->plan & DEMO_PLAN_CANCEL))
		rc = schedule(s, c->lodge_at + (int64_t)(lead * demo_between(&s->t, 0.1, 0.8)),
			      EV_CANCEL, i, 0);
	if (!rc && (c->plan & DEMO_PLAN_CORRECT))
		rc = schedule(s, c->lodge_at + (int64_t)(lead * demo_between(&s->t, 0.1, 0.7)),
			      EV_CORRECT, i, 0);
	/*
	 * Lodged before its LPCO: amended once it is issued, cancelled if it is
	 * refused. The reference left out: added once the trader reads why.
	 */
	if (!rc && !strcmp(status, "documents_required") && c->permit >= 0) {
		const struct demo_permit *p = &s->t.p[c->permit];
		if (!(c->plan & DEMO_PLAN_EARLY))
			rc = schedule(s,
				      c->lodge_at + (demo_chance(&s->t, 0.6)
							     ? demo_hours(&s->t, 1, 24)
							     : demo_hours(&s->t, 24, 120)),
				      EV_AMEND, i, 0);
		else if (p->refused)
			rc = schedule(s, p->decide_at + demo_hours(&s->t, 2, 24), EV_CANCEL, i, 0);
		else
			rc = schedule(s, p->decide_at + demo_hours(&s->t, 0.3, 4), EV_AMEND, i, 0);
	}
	if (!rc)
		rc = advance(s, i);
done:
	json_decref(doc);
	json_decref(errors);
	json_decref(out);
	return rc;
}

/* A new version: the invoice corrected before arrival, or the LPCO added once issued. */
static int play_amend(struct sim *s, int i, const char *reason)
{
	struct demo_consignment *c = &s->t.c[i];
	json_t *errors = json_array(), *out = NULL, *doc;
	char status[32];
	int rc;

	if (c->state & (ST_CANCELLED | ST_RELEASED)) {
		json_decref(errors);
		return CV_OK;
	}
	doc = demo_declaration(&s->t, c);
	rc = trade_amend(s->conn, &s->ctx, &s->trader[c->trader], c->id, doc, reason, errors, &out,
			 s->err);
	if (rc) {
		rc = fail(s, rc, "an amendment", c->trader, errors);
	} else {
		took(c, out, status);
		s->stats->amended++;
		rc = advance(s, i);
	}
	json_decref(doc);
	json_decref(errors);
	json_decref(out);
	return rc;
}

static int play_correct(struct sim *s, int i)
{
	s->t.c[i].sent |= DEMO_SENT_CORRECTED;
	return play_amend(s, i, "invoice corrected: the freight to the border was left out");
}

static int play_lpco_amend(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	char reason[160];

	snprintf(reason, sizeof(reason),
		 c->plan & DEMO_PLAN_EARLY ? "%s %s issued" : "reference to %s %s added",
		 demo_traders[c->trader].flows[c->flow].lpco_type, s->t.p[c->permit].number);
	c->sent |= DEMO_SENT_REFERENCED;
	return play_amend(s, i, reason);
}

static int play_cancel(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	json_t *out = NULL;
	int rc;

	if (c->state & (ST_CANCELLED | ST_RELEASED))
		return CV_OK;
	rc = trade_cancel(s->conn, &s->ctx, &s->trader[c->trader], c->id,
			  c->plan & DEMO_PLAN_NO_PERMIT
				  ? "the LPCO was refused: the goods go back to the supplier"
				  : "the buyer cancelled the order",
			  &out, s->err);
	json_decref(out);
	if (rc)
		return fail(s, rc, "a cancellation", c->trader, NULL);
	c->state |= ST_CANCELLED;
	s->stats->cancelled++;
	return CV_OK;
}

/* customs records an arrival, a release or an exit. */
static int play_customs(struct sim *s, int i,
			int (*step)(struct store_conn *, const struct trade_context *,
				    const struct auth_principal *, const char *, json_t **,
				    struct cv_error *),
			const char *what)
{
	struct demo_consignment *c = &s->t.c[i];
	json_t *out = NULL;
	int rc = step(s->conn, &s->ctx, &s->party[0], c->id, &out, s->err);

	json_decref(out);
	return rc ? fail(s, rc, what, c->trader, NULL) : CV_OK;
}

static int play_arrive(struct sim *s, int i)
{
	int rc;

	if (s->t.c[i].state & ST_CANCELLED)
		return CV_OK;
	rc = play_customs(s, i, trade_arrival, "an arrival");
	s->t.c[i].state |= ST_ARRIVED;
	return rc ? rc : advance(s, i);
}

static int play_release(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	const char *direction = demo_traders[c->trader].flows[c->flow].direction;
	int rc;

	/* Nothing stood when it was scheduled, and only this consignment's own steps change that. */
	c->state &= ~(unsigned)ST_WAIT_RELEASE;
	if (c->state & (ST_CANCELLED | ST_RELEASED))
		return CV_OK;
	rc = play_customs(s, i, trade_release, "a release");
	if (rc)
		return rc;
	c->state |= ST_RELEASED;
	s->stats->released++;
	/* Exports and transit leave the country; imports stay. */
	return strcmp(direction, "import")
		       ? schedule(s, s->ctx.now_ms + demo_hours(&s->t, 2, 30), EV_EXIT, i, 0)
		       : CV_OK;
}

static int play_exit(struct sim *s, int i)
{
	int rc = play_customs(s, i, trade_exit, "an exit");

	if (!rc)
		s->stats->exited++;
	return rc;
}

static int play_pay(struct sim *s, int i)
{
	static const char *const methods[] = {"bank_transfer", "bank_transfer", "card",
					      "card",          "e_wallet",      "bank_transfer",
					      "card",          "guarantee"};
	struct demo_consignment *c = &s->t.c[i];
	json_t *assessment = NULL, *errors = json_array(), *out = NULL, *body = NULL;
	json_int_t due;
	char reference[64];
	int rc;

	c->state &= ~(unsigned)ST_WAIT_PAY;
	if (c->state & (ST_CANCELLED | ST_RELEASED)) {
		json_decref(errors);
		return CV_OK;
	}
	rc = trade_assessment(s->conn, &s->ctx, c->id, &assessment);
	due = json_integer_value(json_object_get(assessment, "due"));
	if (!rc && due > 0 && !json_is_true(json_object_get(assessment, "deferred"))) {
		snprintf(reference, sizeof(reference), "PAY-%s-%06u", demo_traders[c->trader].code,
			 ++s->payments);
		body = json_pack("{s:s, s:I, s:s}", "reference", reference, "amount", due, "method",
				 methods[(int)(demo_uniform(&s->t) * 8)]);
		rc = trade_payment(s->conn, &s->ctx, &s->trader[c->trader], c->id, body, errors,
				   &out, s->err);
		if (rc)
			rc = fail(s, rc, "a payment", c->trader, errors);
		else
			s->stats->payments++;
	}
	json_decref(assessment);
	json_decref(errors);
	json_decref(out);
	json_decref(body);
	return rc ? rc : advance(s, i);
}

/* What a party finds: mostly nothing; an AEO's goods less often; agencies less often than customs. */
static const char *draw_result(struct sim *s, const struct demo_consignment *c, int party)
{
	double findings = demo_traders[c->trader].findings / (party ? 2 : 1),
	       r = demo_uniform(&s->t);

	if (r >= findings)
		return "clean";
	r /= findings;
	return r < 0.55 ? "minor" : r < 0.85 ? "major" : "seizure";
}

static const char *notes_for(const char *result, int party)
{
	static const char *const customs[] = {"goods match the declaration",
					      "two cartons more than declared",
					      "quantity 12 % above the declaration: duties reassessed",
					      "undeclared goods found behind the declared load"};
	static const char *const agency[] =
		{"no pests, residues or defects found",
		 "labels incomplete: relabelled under supervision",
		 "samples failed the laboratory test: treatment ordered",
		 "quarantine pest found: the consignment is seized for destruction"};
	int k = !strcmp(result, "clean")   ? 0
		: !strcmp(result, "minor") ? 1
		: !strcmp(result, "major") ? 2
					   : 3;

	return party ? agency[k] : customs[k];
}

static int play_result(struct sim *s, int i, int party)
{
	struct demo_consignment *c = &s->t.c[i];
	const char *result;
	json_t *out = NULL;
	char exam[CV_UUID_STR];
	unsigned pending;
	int rc;

	if (c->state & ST_CANCELLED)
		return CV_OK;
	rc = open_examination(s, c, exam, &pending);
	if (rc || !(pending & (1u << party)))
		return rc;
	result = draw_result(s, c, party);
	rc = trade_examination_result(s->conn, &s->ctx, &s->party[party], exam, result,
				      notes_for(result, party), &out, s->err);
	if (!rc && !strcmp(json_string_value(json_object_get(out, "status")), "completed"))
		s->stats->examinations++;
	json_decref(out);
	return rc ? fail(s, rc, "an examination result", c->trader, NULL) : advance(s, i);
}

/* A yellow lane: customs checks the documents (a documentary examination). */
static int play_check(struct sim *s, int i)
{
	struct demo_consignment *c = &s->t.c[i];
	struct aeo_context actx = {s->ctx.node_country, s->ctx.now_ms};
	int minor = demo_chance(&s->t, demo_traders[c->trader].findings / 2);
	struct risk_examination ex = {"documentary", "lane", minor ? "minor" : "clean",
				      minor ? "invoice and packing list differ in the number of packages"
					    : "invoice, packing list and certificates in order",
				      NULL};
	int rc;

	if (c->state & (ST_CANCELLED | ST_RELEASED))
		return CV_OK;
	rc = risk_examination_record(s->conn, &actx, s->party[0].user.username, c->id, &ex, NULL,
				     s->err);
	if (rc)
		return fail(s, rc, "a documentary check", c->trader, NULL);
	s->stats->examinations++;
	return advance(s, i);
}

static int play(struct sim *s, const struct event *e)
{
	switch (e->kind) {
	case EV_APPLY: return play_apply(s, e->subject);
	case EV_DECIDE: return play_decide(s, e->subject);
	case EV_LODGE: return play_lodge(s, e->subject);
	case EV_CORRECT: return play_correct(s, e->subject);
	case EV_AMEND: return play_lpco_amend(s, e->subject);
	case EV_CANCEL: return play_cancel(s, e->subject);
	case EV_CHECK: return play_check(s, e->subject);
	case EV_PAY: return play_pay(s, e->subject);
	case EV_ARRIVE: return play_arrive(s, e->subject);
	case EV_RESULT: return play_result(s, e->subject, e->party);
	case EV_RELEASE: return play_release(s, e->subject);
	case EV_EXIT: return play_exit(s, e->subject);
	}
	return CV_EINTERNAL;
}

/* ---- setting up ----------------------------------------------------------------------- */

/* The demo traders act through their operators; customs and each agency through an officer. */
static int principals(struct sim *s)
{
	struct store_stmt *stmt;

	for (size_t t = 0; t < DEMO_TRADERS; t++) {
		struct auth_user *u = &s->trader[t].user;
		if (store_query_row(s->conn, &stmt, "SELECT id FROM operators WHERE tin = $1", "t",
				    demo_traders[t].tin))
			return cv_error_set(s->err, CV_ENOTFOUND, NULL,
					    "the demo operator %s (%s) is missing",
					    demo_traders[t].tin, demo_traders[t].name);
		snprintf(u->operator_id, sizeof(u->operator_id), "%s", store_col_text(stmt, 0));
		store_finish(stmt);
		snprintf(u->username, sizeof(u->username), ACTOR);
		u->role = ROLE_TRADER;
	}
	for (size_t k = 0; k < DEMO_PARTIES; k++) {
		struct auth_user *u = &s->party[k].user;
		snprintf(u->username, sizeof(u->username), ACTOR);
		u->role = k ? ROLE_PGA_OFFICER : ROLE_BORDER_OFFICER;
		if (k)
			snprintf(u->agency_code, sizeof(u->agency_code), "%s", demo_parties[k]);
	}
	return CV_OK;
}

/* Every LPCO application and decision, and every lodgement, at its time; the rest follows. */
static int schedule_plan(struct sim *s)
{
	int rc = CV_OK;

	for (size_t q = 0; !rc && q < s->t.np; q++) {
		rc = schedule(s, s->t.p[q].apply_at, EV_APPLY, (int)q, 0);
		if (!rc)
			rc = schedule(s, s->t.p[q].decide_at, EV_DECIDE, (int)q, 0);
	}
	for (size_t i = 0; !rc && i < s->t.nc; i++)
		rc = schedule(s, s->t.c[i].lodge_at, EV_LODGE, (int)i, 0);
	return rc;
}

/* Play every event up to now, in time order, each at its time. */
static int replay(struct sim *s)
{
	int rc = CV_OK;

	while (!rc && s->nheap && s->heap[0].at <= s->t.end_ms) {
		struct event e = take_first(s);
		s->ctx.now_ms = e.at;
		cv_clock_override(e.at);
		rc = play(s, &e);
	}
	cv_clock_override(0);
	s->ctx.now_ms = s->t.end_ms;
	for (size_t q = 0; q < s->t.np; q++)
		if (*s->t.p[q].id && s->t.p[q].decide_at > s->t.end_ms)
			s->stats->lpcos_pending++;
	if (s->progress && !rc)
		s->progress(s->progress_ctx, s->stats->declarations, s->stats->declarations);
	return rc;
}

static int audit_traffic(struct sim *s)
{
	const struct demo_single_window_stats *st = s->stats;
	char detail[512];
	struct audit_event ev = {ACTOR, "demo.single_window", "declaration", "", detail};

	snprintf(detail, sizeof(detail),
		 "{\"declarations\":%zu,\"released\":%zu,\"cancelled\":%zu,\"lpcos_issued\":%zu}",
		 st->declarations, st->released, st->cancelled, st->lpcos_issued);
	return audit_append(s->conn, &ev, NULL, s->err);
}

int demo_single_window_load(struct store_conn *conn, const struct cv_config *config,
			    void (*progress)(void *ctx, size_t done, size_t total),
			    void *progress_ctx, struct demo_single_window_stats *stats,
			    struct cv_error *err)
{
	struct store_stmt *stmt;
	struct sim s;
	int rc;

	memset(stats, 0, sizeof(*stats));
	/* Once: a node whose single window has been used keeps its own traffic. */
	if (store_query_row(conn, &stmt, "SELECT 1 FROM declarations WHERE source = 'api' LIMIT 1",
			    "") == CV_OK) {
		store_finish(stmt);
		stats->skipped = 1;
		return CV_OK;
	}
	memset(&s, 0, sizeof(s));
	s.conn = conn;
	s.ctx.node_country = config->node_country;
	s.ctx.node_currency = config->node_currency;
	s.stats = stats;
	s.progress = progress;
	s.progress_ctx = progress_ctx;
	s.err = err;
	rc = demo_traffic_plan(&s.t, cv_clock_now_ms());
	if (!rc)
		rc = principals(&s);
	if (!rc)
		rc = schedule_plan(&s);
	if (!rc)
		rc = store_begin(conn);
	if (!rc) {
		rc = replay(&s);
		if (!rc)
			rc = audit_traffic(&s);
		rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	}
	demo_traffic_release(&s.t);
	cv_free(s.heap);
	return rc;
}
