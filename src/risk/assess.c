/* assess.c — see assess.h. */
#include "risk/assess.h"

#include "base/clock.h"
#include "base/ids.h"
#include "base/mem.h"
#include "exchange/advance_cargo.h"
#include "exchange/partner_aeo.h"
#include "risk/repository.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/*
 * The compiled active profile set and the active model, shared by every
 * assessor of the process: compiling a set or loading a model (megabytes)
 * per request would cost more than the assessment. Both are immutable, so
 * threads share them; a reference count frees one when the database has
 * moved on to another version and the last assessor using it is done.
 */
struct shared {
	char id[CV_UUID_STR];
	struct risk_profile_set *set; /* one of these two */
	struct risk_model *model;
	int refs;
};

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared *cached_set, *cached_model;

static void shared_release(struct shared *sh)
{
	int last;

	if (!sh)
		return;
	pthread_mutex_lock(&shared_lock);
	last = --sh->refs == 0;
	pthread_mutex_unlock(&shared_lock);
	if (last) {
		risk_profile_set_free(sh->set);
		risk_model_free(sh->model);
		cv_free(sh);
	}
}

/* The cached entry for id, with a reference taken, or NULL. */
static struct shared *shared_take(struct shared **cache, const char *id)
{
	struct shared *sh = NULL;

	pthread_mutex_lock(&shared_lock);
	if (*cache && !strcmp((*cache)->id, id)) {
		sh = *cache;
		sh->refs++;
	}
	pthread_mutex_unlock(&shared_lock);
	return sh;
}

/* Make sh the cached entry (the cache holds a reference of its own). */
static void shared_put(struct shared **cache, struct shared *sh)
{
	struct shared *old;

	pthread_mutex_lock(&shared_lock);
	old = *cache;
	sh->refs++;
	*cache = sh;
	pthread_mutex_unlock(&shared_lock);
	shared_release(old);
}

static int load_set(struct store_conn *conn, struct shared **out, struct cv_error *err)
{
	struct risk_compile_error cerr;
	struct store_stmt *stmt;
	struct shared *sh;
	int rc = store_query_row(conn, &stmt,
				 "SELECT id, source FROM risk_profile_sets WHERE status = 'active'",
				 "");

	*out = NULL;
	if (rc == CV_ENOTFOUND) {
		/* No profiles: the lane comes from the model, AEO status, memory and the draw. */
		if ((*out = shared_take(&cached_set, "")))
			return CV_OK;
		if (!(sh = cv_calloc(1, sizeof(*sh))))
			return CV_ENOMEM;
		sh->refs = 1;
		rc = risk_compile("", 0, &sh->set, &cerr);
	} else if (rc) {
		return rc;
	} else if ((*out = shared_take(&cached_set, store_col_text(stmt, 0)))) {
		store_finish(stmt);
		return CV_OK;
	} else if (!(sh = cv_calloc(1, sizeof(*sh)))) {
		store_finish(stmt);
		return CV_ENOMEM;
	} else {
		sh->refs = 1;
		snprintf(sh->id, sizeof(sh->id), "%s", store_col_text(stmt, 0));
		rc = risk_compile(store_col_text(stmt, 1), strlen(store_col_text(stmt, 1)),
				  &sh->set, &cerr);
		store_finish(stmt);
		if (rc == CV_EINVAL)
			rc = cv_error_set(err, CV_EINTERNAL, NULL,
					  "the active profile set does not compile: %s",
					  cerr.message);
	}
	if (rc) {
		shared_release(sh);
		return rc;
	}
	shared_put(&cached_set, sh);
	*out = sh;
	return CV_OK;
}

static int load_model(struct store_conn *conn, struct shared **out, struct cv_error *err)
{
	struct store_stmt *stmt;
	struct shared *sh;
	int rc = store_query_row(conn, &stmt, "SELECT id FROM risk_models WHERE status = 'active'",
				 "");

	*out = NULL;
	if (rc == CV_ENOTFOUND)
		return CV_OK; /* no model trained: its score is 0 */
	if (rc)
		return rc;
	*out = shared_take(&cached_model, store_col_text(stmt, 0));
	store_finish(stmt);
	if (*out)
		return CV_OK;
	if (!(sh = cv_calloc(1, sizeof(*sh))))
		return CV_ENOMEM;
	sh->refs = 1;
	rc = risk_model_load_active(conn, &sh->model, sh->id, err);
	if (rc) {
		shared_release(sh);
		return rc == CV_ENOTFOUND ? CV_OK : rc;
	}
	shared_put(&cached_model, sh);
	*out = sh;
	return CV_OK;
}

struct risk_assessor {
	struct shared *set;   /* never NULL once open */
	struct shared *model; /* NULL without a trained model */
	unsigned char secret[RISK_SECRET_BYTES];
};

int risk_assessor_open(struct store_conn *conn, struct risk_assessor **out, struct cv_error *err)
{
	struct risk_assessor *a = cv_calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return CV_ENOMEM;
	rc = load_set(conn, &a->set, err);
	if (!rc)
		rc = load_model(conn, &a->model, err);
	if (!rc)
		rc = risk_node_secret(conn, a->secret);
	if (rc) {
		risk_assessor_free(a);
		return rc;
	}
	*out = a;
	return CV_OK;
}

void risk_assessor_free(struct risk_assessor *a)
{
	if (!a)
		return;
	shared_release(a->set);
	shared_release(a->model);
	sodium_memzero(a->secret, sizeof(a->secret));
	cv_free(a);
}

const struct risk_profile_set *risk_assessor_profiles(const struct risk_assessor *a)
{
	return a->set->set;
}

#define MODEL_FEATURES_SHOWN 3

/* The model's view of an item; attributes may be NULL (a declaration sent as JSON). */
static void model_row(const struct risk_item *it, const struct risk_model_attributes *attrs,
		      struct risk_model_row *row)
{
	static const struct {
		int model, item;
	} same[] = {{RISK_MODEL_OFFICE, RISK_OFFICE},       {RISK_MODEL_PROCEDURE, RISK_PROCEDURE},
		    {RISK_MODEL_MODE, RISK_MODE},           {RISK_MODEL_DECLARANT, RISK_DECLARANT},
		    {RISK_MODEL_IMPORTER, RISK_IMPORTER},   {RISK_MODEL_SELLER, RISK_SELLER},
		    {RISK_MODEL_COURIER, RISK_COURIER},     {RISK_MODEL_HS, RISK_HS},
		    {RISK_MODEL_DEPARTURE, RISK_DEPARTURE}, {RISK_MODEL_ORIGIN, RISK_ORIGIN}};

	for (int t = 0; t < RISK_MODEL_TEXT_FIELDS; t++)
		row->text[t] = "";
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		row->text[same[i].model] = it->text[same[i].item] ? it->text[same[i].item] : "";
	if (attrs) {
		row->text[RISK_MODEL_IMPORT_TYPE] = attrs->import_type;
		row->text[RISK_MODEL_IMPORT_USE] = attrs->import_use;
		row->text[RISK_MODEL_PAYMENT_TYPE] = attrs->payment_type;
		row->text[RISK_MODEL_TAX_TYPE] = attrs->tax_type;
		row->text[RISK_MODEL_ORIGIN_INDICATOR] = attrs->origin_indicator;
	}
	row->number[RISK_MODEL_TAX_RATE] = it->number[RISK_TAX_RATE - RISK_TEXT_FIELDS];
	row->number[RISK_MODEL_NET_MASS] = it->number[RISK_NET_MASS - RISK_TEXT_FIELDS];
	row->number[RISK_MODEL_VALUE] = it->number[RISK_VALUE - RISK_TEXT_FIELDS];
	row->fraud = 0;
}

/*
 * Score every item with the model (when there is one) into d->model_scores
 * and d->model_features; the features are JSON the caller frees with
 * model_features_free.
 */
static int score_items(const struct risk_assessor *a, struct risk_declaration *d,
		       const struct risk_model_attributes *attrs, struct cv_arena *arena)
{
	double *scores;
	json_t **features;

	if (!a->model)
		return CV_OK;
	scores = cv_arena_alloc(arena, d->nitems * sizeof(*scores));
	features = cv_arena_alloc(arena, d->nitems * sizeof(*features));
	if (!scores || !features)
		return CV_ENOMEM;
	for (size_t i = 0; i < d->nitems; i++) {
		struct risk_model_contribution top[MODEL_FEATURES_SHOWN];
		struct risk_model_row row;
		size_t n;

		model_row(&d->items[i], attrs, &row);
		scores[i] = risk_model_score(a->model->model, &row);
		n = risk_model_explain(a->model->model, &row, top, MODEL_FEATURES_SHOWN);
		features[i] = json_array();
		for (size_t k = 0; k < n; k++)
			json_array_append_new(features[i],
					      json_pack("{s:s, s:f}", "feature", top[k].feature,
							"contribution", top[k].contribution));
	}
	d->model_scores = scores;
	d->model_features = features;
	return CV_OK;
}

static void model_features_free(struct risk_declaration *d)
{
	for (size_t i = 0; d->model_features && i < d->nitems; i++)
		json_decref(d->model_features[i]);
	d->model_features = NULL;
}

int risk_assess_declaration(struct risk_assessor *a, struct store_conn *conn,
			    const struct risk_declaration *declaration, struct cv_arena *arena,
			    enum risk_lane *lane, json_t **explanation)
{
	struct risk_declaration d = *declaration;
	struct risk_office_params params;
	int rc = risk_office_params_load(conn, d.items[0].text[RISK_OFFICE], &params);

	if (!rc)
		rc = score_items(a, &d, NULL, arena);
	if (rc)
		return rc;
	*lane = risk_decide(a->set->set, &params, &d, a->secret, sizeof(a->secret),
			    risk_watchlist_contains, conn, explanation);
	model_features_free(&d);
	return CV_OK;
}

const char *risk_memory_key(struct cv_arena *arena, const struct risk_item *it)
{
	const char *partner = it->text[RISK_SELLER] && *it->text[RISK_SELLER]
				      ? it->text[RISK_SELLER]
				      : it->text[RISK_EXPORTER];

	return cv_arena_printf(arena, "%s|%s|%.6s|%s", it->text[RISK_IMPORTER], partner,
			       it->text[RISK_HS], it->text[RISK_ORIGIN]);
}

/* The columns of a declaration's header, in the order load_items reads them. */
static const int header_columns[] = {RISK_DIRECTION, RISK_PROCEDURE, RISK_OFFICE,     RISK_MODE,
				     RISK_DECLARANT, RISK_IMPORTER,  RISK_EXPORTER,   RISK_SELLER,
				     RISK_COURIER,   RISK_DEPARTURE, RISK_DESTINATION};
#define NHEADER ((int)(sizeof(header_columns) / sizeof(header_columns[0])))

static int load_items(struct store_conn *conn, const char *id, struct cv_arena *arena,
		      struct risk_stored_declaration *out)
{
	struct risk_item header, *items = NULL;
	struct store_stmt *stmt;
	size_t n = 0, cap = 0;
	int rc = store_prepare(conn,
			       "SELECT d.id, d.number, d.lodged_on, d.pre_arrival, d.direction, d.procedure,"
			       " d.office, d.mode, d.declarant, d.importer, d.exporter, d.seller, d.courier,"
			       " d.departure, d.destination, i.hs, i.origin, i.value, i.net_mass, i.tax_rate"
			       " FROM declarations d JOIN declaration_items i ON i.declaration_id = d.id"
			       " WHERE d.id = $1 OR d.number = $1 ORDER BY i.item",
			       &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		struct risk_item *it;
		double *num;

		rc = CV_OK;
		if (n == 0) {
			memset(&header, 0, sizeof(header));
			for (int f = 0; f < RISK_TEXT_FIELDS; f++)
				header.text[f] = "";
			out->d.id = cv_arena_strdup(arena, store_col_text(stmt, 0));
			out->number = cv_arena_strdup(arena, store_col_text(stmt, 1));
			header.date = out->lodged_on = cv_arena_strdup(arena,
								       store_col_text(stmt, 2));
			header.pre_arrival = store_col_int64(stmt, 3) != 0;
			for (int c = 0; c < NHEADER; c++)
				header.text[header_columns[c]] =
					cv_arena_strdup(arena, store_col_text(stmt, 4 + c));
			risk_model_attributes_read(store_col_text(stmt, 20), arena,
						   &out->attributes);
		}
		if (n == cap) {
			struct risk_item *grown;
			cap = cap ? cap * 2 : 4;
			grown = cv_arena_alloc(arena, cap * sizeof(*grown));
			if (!grown) {
				rc = CV_ENOMEM;
				break;
			}
			if (n)
				memcpy(grown, items, n * sizeof(*grown));
			items = grown;
		}
		it = &items[n++];
		*it = header;
		num = it->number;
		it->text[RISK_HS] = cv_arena_strdup(arena, store_col_text(stmt, 15));
		it->text[RISK_ORIGIN] = cv_arena_strdup(arena, store_col_text(stmt, 16));
		num[RISK_VALUE - RISK_TEXT_FIELDS] = store_col_double(stmt, 17);
		num[RISK_NET_MASS - RISK_TEXT_FIELDS] = store_col_double(stmt, 18);
		num[RISK_TAX_RATE - RISK_TEXT_FIELDS] = store_col_double(stmt, 19);
		if (num[RISK_NET_MASS - RISK_TEXT_FIELDS] > 0)
			num[RISK_UNIT_VALUE - RISK_TEXT_FIELDS] =
				num[RISK_VALUE - RISK_TEXT_FIELDS] /
				num[RISK_NET_MASS - RISK_TEXT_FIELDS];
	}
	store_finish(stmt);
	if (rc < 0)
		return rc;
	if (n == 0)
		return CV_ENOTFOUND;
	out->d.items = items;
	out->d.nitems = n;
	out->direction = header.text[RISK_DIRECTION];
	out->office = header.text[RISK_OFFICE];
	return CV_OK;
}

static int load_documents(struct store_conn *conn, struct cv_arena *arena,
			  struct risk_stored_declaration *out)
{
	const char **docs = NULL;
	struct store_stmt *stmt;
	size_t n = 0, cap = 0;
	int rc = store_prepare(conn,
			       "SELECT DISTINCT type FROM declaration_documents WHERE declaration_id = $1",
			       &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", out->d.id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		if (n == cap) {
			const char **grown;
			cap = cap ? cap * 2 : 8;
			grown = cv_arena_alloc(arena, cap * sizeof(*grown));
			if (!grown) {
				rc = CV_ENOMEM;
				break;
			}
			if (n)
				memcpy(grown, docs, n * sizeof(*grown));
			docs = grown;
		}
		docs[n++] = cv_arena_strdup(arena, store_col_text(stmt, 0));
	}
	store_finish(stmt);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < out->d.nitems; i++) {
		struct risk_item *it = (struct risk_item *)&out->d.items[i];
		it->documents = docs;
		it->ndocuments = n;
	}
	return CV_OK;
}

/*
 * Mutual recognition: an import whose seller or exporter is an AEO in good
 * standing of the MRA partner it is dispatched from gets the partner
 * benefit, when that is worth more than the importer's own status.
 * Identification numbers are unique within a country only, hence the
 * country of dispatch.
 */
static int partner_aeo_benefit(struct store_conn *conn, const struct risk_stored_declaration *sd,
			       enum risk_aeo *best)
{
	const struct risk_item *it = &sd->d.items[0];
	const char *parties[] = {it->text[RISK_SELLER], it->text[RISK_EXPORTER]};

	if (strcmp(sd->direction, "import") != 0 ||
	    sd->params.aeo_reduction[RISK_AEO_PARTNER] < sd->params.aeo_reduction[*best])
		return CV_OK;
	for (size_t i = 0; i < sizeof(parties) / sizeof(parties[0]); i++) {
		int rc = partner_aeo_recognised(conn, it->text[RISK_DEPARTURE], parties[i],
						sd->lodged_on);
		if (rc < 0)
			return rc;
		if (rc) {
			*best = RISK_AEO_PARTNER;
			break;
		}
	}
	return CV_OK;
}

/*
 * The trader's AEO status (the valid authorization worth the most, or the
 * MRA partner benefit), its compliance score and grade, and whether the
 * partner's advance cargo data agrees. A trader that is not a registered
 * operator has none of the first: status none, score 0, grade "".
 */
static int load_trader(struct store_conn *conn, struct cv_arena *arena,
		       struct risk_stored_declaration *out)
{
	const char *tin = !strcmp(out->direction, "import")   ? out->d.items[0].text[RISK_IMPORTER]
			  : !strcmp(out->direction, "export") ? out->d.items[0].text[RISK_EXPORTER]
							      : out->d.items[0].text[RISK_DECLARANT];
	const char *grade = "";
	struct store_stmt *stmt;
	double score = 0;
	enum risk_aeo best = RISK_AEO_NONE;
	int rc, advance;

	out->trader = tin;
	out->d.aeo = RISK_AEO_NONE;
	if (!*tin)
		goto done;
	rc = store_prepare(conn,
			   "SELECT a.type, s.score, s.grade FROM operators o"
			   " LEFT JOIN aeo_authorizations a ON a.operator_id = o.id AND a.status = 'valid'"
			   " LEFT JOIN scoresheets s ON s.operator_id = o.id WHERE o.tin = $1",
			   &stmt);
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", tin);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		int kind = store_col_is_null(stmt, 0) ? -1 : risk_aeo_parse(store_col_text(stmt, 0));
		rc = CV_OK;
		if (kind > 0 && out->params.aeo_reduction[kind] >= out->params.aeo_reduction[best])
			best = (enum risk_aeo)kind;
		if (!store_col_is_null(stmt, 1)) {
			score = store_col_double(stmt, 1);
			grade = cv_arena_strdup(arena, store_col_text(stmt, 2));
		}
	}
	store_finish(stmt);
	if (rc < 0)
		return rc;
	rc = partner_aeo_benefit(conn, out, &best);
	if (rc < 0)
		return rc;
	out->d.aeo = best;
done:
	advance = advance_cargo_matches(conn, out->d.id);
	if (advance < 0)
		return advance;
	for (size_t i = 0; i < out->d.nitems; i++) {
		struct risk_item *it = (struct risk_item *)&out->d.items[i];
		it->text[RISK_AEO] = best == RISK_AEO_NONE ? "none"
				     : best == RISK_AEO_C  ? "AEOC"
				     : best == RISK_AEO_S  ? "AEOS"
				     : best == RISK_AEO_F  ? "AEOF"
							   : "partner";
		it->text[RISK_AEO_GRADE] = grade;
		it->advance_match = advance;
		it->number[RISK_COMPLIANCE_SCORE - RISK_TEXT_FIELDS] = score;
	}
	return CV_OK;
}

/* Per item: how many of the latest examinations under its key, within D days, were clean in a row. */
static int load_memory(struct store_conn *conn, struct cv_arena *arena,
		       struct risk_stored_declaration *out)
{
	const struct risk_office_params *p = &out->params;
	char since[CV_DATE_MAX];
	struct store_stmt *stmt;
	int rc;

	out->memory_keys = cv_arena_alloc(arena, out->d.nitems * sizeof(*out->memory_keys));
	out->clean = cv_arena_alloc(arena, out->d.nitems * sizeof(*out->clean));
	if (!out->memory_keys || !out->clean)
		return CV_ENOMEM;
	if (cv_date_add_days(out->lodged_on, -p->memory_days, since))
		return CV_EINTERNAL;
	rc = store_prepare(conn,
			   "SELECT clean FROM risk_memory WHERE key = $1 AND examined_on >= $2"
			   " AND examined_on <= $3 ORDER BY examined_on DESC, examination_id DESC LIMIT $4",
			   &stmt);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < out->d.nitems; i++) {
		int streak = 0, broken = 0;

		out->memory_keys[i] = risk_memory_key(arena, &out->d.items[i]);
		if (!out->memory_keys[i]) {
			rc = CV_ENOMEM;
			break;
		}
		if (p->memory_examinations <= 0) {
			out->clean[i] = 0;
			continue;
		}
		store_reset(stmt);
		rc = store_bindf(stmt, "ttti", out->memory_keys[i], since, out->lodged_on,
				 (int64_t)p->memory_examinations);
		while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
			rc = CV_OK;
			if (!store_col_int64(stmt, 0))
				broken = 1;
			else if (!broken)
				streak++;
		}
		if (rc == STORE_DONE)
			rc = CV_OK;
		out->clean[i] = streak;
	}
	store_finish(stmt);
	out->d.item_clean_examinations = out->clean;
	return rc < 0 ? rc : CV_OK;
}

int risk_declaration_load(struct store_conn *conn, const char *id, struct cv_arena *arena,
			  struct risk_stored_declaration *out, struct cv_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load_items(conn, id, arena, out);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL, "no declaration with this id or number");
	if (!rc)
		rc = risk_office_params_load(conn, out->office, &out->params);
	if (!rc)
		rc = load_documents(conn, arena, out);
	if (!rc)
		rc = load_trader(conn, arena, out);
	if (!rc)
		rc = load_memory(conn, arena, out);
	return rc;
}

/* Store how many items each profile hit, from the explanation. */
static int store_hits(struct store_conn *conn, const char *decision_id, json_t *why)
{
	json_t *counts = json_object(), *item, *hit, *count;
	const char *profile;
	size_t i, h;
	int rc = CV_OK;

	if (!counts)
		return CV_ENOMEM;
	json_array_foreach(json_object_get(why, "items"), i, item) {
		json_array_foreach(json_object_get(item, "hits"), h, hit) {
			const char *p = json_string_value(json_object_get(hit, "profile"));
			json_int_t n = json_integer_value(json_object_get(counts, p));
			json_object_set_new(counts, p, json_integer(n + 1));
		}
	}
	json_object_foreach(counts, profile, count) {
		rc = store_execf(conn, NULL,
				 "INSERT INTO risk_decision_hits (decision_id, profile, items)"
				 " VALUES ($1, $2, $3)",
				 "tti", decision_id, profile, (int64_t)json_integer_value(count));
		if (rc)
			break;
	}
	json_decref(counts);
	return rc;
}

int risk_assess_stored(struct risk_assessor *a, struct store_conn *conn, const char *key,
		       struct risk_outcome *brief, json_t **out, struct cv_error *err)
{
	struct risk_stored_declaration sd;
	char id[CV_UUID_STR], now[CV_RFC3339_MAX], today[CV_DATE_MAX];
	struct cv_arena arena;
	enum risk_lane lane;
	json_t *why = NULL;
	char *text = NULL;
	int64_t now_ms = cv_clock_now_ms();
	int rc;

	if (out)
		*out = NULL;
	cv_arena_init(&arena, 0);
	rc = risk_declaration_load(conn, key, &arena, &sd, err);
	if (rc)
		goto done;
	rc = score_items(a, &sd.d, &sd.attributes, &arena);
	if (rc)
		goto done;
	lane = risk_decide(a->set->set, &sd.params, &sd.d, a->secret, sizeof(a->secret),
			   risk_watchlist_contains, conn, &why);
	model_features_free(&sd.d);
	text = why ? json_dumps(why, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
	if (!text) {
		rc = CV_ENOMEM;
		goto done;
	}
	cv_uuid7(id);
	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	cv_date_from_ms(now_ms, today);
	rc = store_execf(conn, NULL,
			 "UPDATE risk_decisions SET superseded = 1"
			 " WHERE declaration_id = $1 AND superseded = 0",
			 "t", sd.d.id);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO risk_decisions (id, declaration_id, lane, score, random_selected,"
				 " aeo, profile_set_id, model_id, explanation, decided_at, decided_on)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
				 "tttditttttt", id, sd.d.id, risk_lane_name(lane),
				 json_real_value(json_object_get(why, "score")),
				 (int64_t)json_is_true(
					 json_object_get(json_object_get(why, "random"), "selected")),
				 json_string_value(
					 json_object_get(json_object_get(why, "aeo"), "status")),
				 *a->set->id ? a->set->id : NULL, a->model ? a->model->id : NULL,
				 text, now, today);
	if (!rc)
		rc = store_hits(conn, id, why);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE declarations SET status = 'lane_assigned'"
				 " WHERE id = $1 AND status = 'accepted'",
				 "t", sd.d.id);
	if (!rc && brief) {
		snprintf(brief->decision_id, sizeof(brief->decision_id), "%s", id);
		snprintf(brief->lane, sizeof(brief->lane), "%s", risk_lane_name(lane));
	}
	if (!rc && out)
		rc = risk_decision_get(conn, sd.d.id, out);
done:
	free(text);
	json_decref(why);
	cv_arena_release(&arena);
	return rc;
}

int risk_decision_get(struct store_conn *conn, const char *key, json_t **out)
{
	struct store_stmt *stmt;
	json_error_t jerr;
	json_t *why;
	int rc = store_query_row(conn, &stmt,
				 "SELECT rd.id, d.id, d.number, rd.lane, rd.score, rd.random_selected, rd.aeo,"
				 " rd.profile_set_id, ps.version, rd.model_id, rd.explanation, rd.decided_at"
				 " FROM risk_decisions rd JOIN declarations d ON d.id = rd.declaration_id"
				 " LEFT JOIN risk_profile_sets ps ON ps.id = rd.profile_set_id"
				 " WHERE (d.id = $1 OR d.number = $1) AND rd.superseded = 0",
				 "t", key);

	*out = NULL;
	if (rc)
		return rc;
	why = json_loads(store_col_text(stmt, 10), 0, &jerr);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:f, s:b, s:s, s:o, s:o, s:o, s:s}", "id",
			 store_col_text(stmt, 0), "declaration", store_col_text(stmt, 1), "number",
			 store_col_text(stmt, 2), "lane", store_col_text(stmt, 3), "score",
			 store_col_double(stmt, 4), "random_selected", (int)store_col_int64(stmt, 5),
			 "aeo", store_col_text(stmt, 6), "profile_set",
			 store_col_is_null(stmt, 7)
				 ? json_null()
				 : json_pack("{s:s, s:I}", "id", store_col_text(stmt, 7), "version",
					     (json_int_t)store_col_int64(stmt, 8)),
			 "model",
			 store_col_is_null(stmt, 9) ? json_null()
						    : json_string(store_col_text(stmt, 9)),
			 "explanation", why ? why : json_null(), "decided_at",
			 store_col_text(stmt, 11));
	store_finish(stmt);
	return *out ? CV_OK : CV_ENOMEM;
}
