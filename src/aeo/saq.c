/* saq.c — see saq.h. Templates are parsed from their stored JSON per use (tens of kilobytes). */
#include "aeo/saq.h"

#include "base/clock.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const criteria[] = {"general",  "compliance", "records",
				       "solvency", "competence", "security"};
#define NCRITERIA (sizeof(criteria) / sizeof(criteria[0]))

static int in_list(json_t *list, const char *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), value))
			return 1;
	}
	return 0;
}

/* Structural check of a template file, so that a bad file never reaches an application. */
static int check_template(json_t *t, const char *path, struct cv_error *err)
{
	static const char *const types[] = {"yes_no", "text",   "number",
					    "date",   "choice", "document"};
	json_t *q;
	size_t i;

	json_t *seen = json_object(), *s;
	int rc = CV_OK;

	if (!json_is_string(json_object_get(t, "id")) ||
	    !json_is_string(json_object_get(t, "version")) ||
	    !json_is_string(json_object_get(json_object_get(t, "name"), "en")) ||
	    !json_is_array(json_object_get(t, "sections")) ||
	    !json_is_array(json_object_get(t, "questions"))) {
		json_decref(seen);
		return cv_error_set(err, CV_EINVAL, "data_dir",
				    "%s: needs id, version, name.en, sections and questions", path);
	}
	json_array_foreach(json_object_get(t, "sections"), i, s) {
		if (!json_is_string(json_object_get(s, "id")) ||
		    !json_is_string(json_object_get(json_object_get(s, "title"), "en"))) {
			json_decref(seen);
			return cv_error_set(err, CV_EINVAL, "data_dir",
					    "%s: section %zu needs id and title.en", path, i + 1);
		}
		json_object_set_new(seen, json_string_value(json_object_get(s, "id")),
				    json_integer(0));
	}
	json_array_foreach(json_object_get(t, "questions"), i, q) {
		const char *qid = json_string_value(json_object_get(q, "id"));
		const char *section = json_string_value(json_object_get(q, "section"));
		char key[80];
		if (!qid || !section || !json_object_get(seen, section)) {
			rc = cv_error_set(err, CV_EINVAL, "data_dir",
					  "%s: question %zu needs an id and a known section", path,
					  i + 1);
			break;
		}
		snprintf(key, sizeof(key), "q:%s", qid);
		if (json_object_get(seen, key)) {
			rc = cv_error_set(err, CV_EINVAL, "data_dir",
					  "%s: question id %s appears twice", path, qid);
			break;
		}
		json_object_set_new(seen, key, json_integer(1));
	}
	json_decref(seen);
	if (rc)
		return rc;
	json_array_foreach(json_object_get(t, "questions"), i, q) {
		const char *type = json_string_value(json_object_get(q, "type"));
		const char *criterion = json_string_value(json_object_get(q, "criterion"));
		int known_type = 0, known_criterion = 0;
		for (size_t k = 0; type && k < sizeof(types) / sizeof(types[0]); k++)
			known_type |= !strcmp(type, types[k]);
		for (size_t k = 0; criterion && k < NCRITERIA; k++)
			known_criterion |= !strcmp(criterion, criteria[k]);
		if (!json_is_string(json_object_get(q, "id")) || !known_type || !known_criterion ||
		    !json_is_array(json_object_get(q, "aeo_types")) ||
		    !json_is_array(json_object_get(q, "variants")) ||
		    !json_is_string(json_object_get(json_object_get(q, "text"), "en")) ||
		    (!strcmp(type, "choice") && !json_is_array(json_object_get(q, "choices"))))
			return cv_error_set(err, CV_EINVAL, "data_dir",
					    "%s: question %zu needs id, a known type and criterion, aeo_types, "
					    "variants, text.en (and choices for a choice)",
					    path, i + 1);
	}
	return CV_OK;
}

static int load_one(struct store_conn *conn, const char *path, struct cv_error *err)
{
	json_error_t jerr;
	json_t *t = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	struct store_stmt *stmt;
	char *content = NULL, now[CV_RFC3339_MAX];
	int rc;

	if (!t)
		return cv_error_set(err, CV_EINVAL, "data_dir", "%s: line %d: %s", path, jerr.line,
				    jerr.text);
	rc = check_template(t, path, err);
	if (!rc)
		content = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
	if (!rc && !content)
		rc = CV_ENOMEM;
	if (!rc)
		rc = store_prepare(conn,
				   "SELECT content FROM saq_templates WHERE id = $1 AND version = $2",
				   &stmt);
	if (!rc) {
		rc = store_bindf(stmt, "tt", json_string_value(json_object_get(t, "id")),
				 json_string_value(json_object_get(t, "version")));
		if (!rc)
			rc = store_step(stmt);
		if (rc == STORE_ROW) {
			/* A version, once loaded, is what applications locked: it must not change. */
			rc = strcmp(store_col_text(stmt, 0), content) == 0
				     ? CV_OK
				     : cv_error_set(err, CV_ECONFLICT, "data_dir",
						    "%s: template %s version %s is already loaded with other "
						    "content; give the changed file a new version",
						    path,
						    json_string_value(json_object_get(t, "id")),
						    json_string_value(json_object_get(t, "version")));
			store_finish(stmt);
		} else {
			store_finish(stmt);
			cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
			rc = rc < 0 ? rc
				    : store_execf(conn, NULL,
						  "INSERT INTO saq_templates (id, version, content, loaded_at)"
						  " VALUES ($1, $2, $3, $4)",
						  "tttt",
						  json_string_value(json_object_get(t, "id")),
						  json_string_value(json_object_get(t, "version")),
						  content, now);
		}
	}
	free(content);
	json_decref(t);
	return rc;
}

int aeo_saq_load_templates(struct store_conn *conn, const char *data_dir, int *count,
			   struct cv_error *err)
{
	char dir[1024], path[1400];
	struct dirent *e;
	DIR *d;
	int rc = CV_OK;

	*count = 0;
	snprintf(dir, sizeof(dir), "%s/saq", data_dir);
	d = opendir(dir);
	if (!d)
		return cv_error_set(err, CV_EIO, "data_dir",
				    "cannot open %s: the questionnaire templates", dir);
	while (!rc && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rc = load_one(conn, path, err);
		if (!rc)
			(*count)++;
	}
	closedir(d);
	return rc;
}

int aeo_saq_latest(struct store_conn *conn, const char *id, char *version, size_t size)
{
	struct store_stmt *stmt;
	int found = 0,
	    rc = store_prepare(conn, "SELECT version FROM saq_templates WHERE id = $1", &stmt);

	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", id);
	/* Versions compare as versions: 2026.10 is newer than 2026.9. */
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		const char *v = store_col_text(stmt, 0);
		if (!found || strverscmp(v, version) > 0)
			snprintf(version, size, "%s", v);
		found = 1;
		rc = CV_OK;
	}
	store_finish(stmt);
	if (rc < 0)
		return rc;
	return found ? CV_OK : CV_ENOTFOUND;
}

const char *aeo_saq_variant(int sme, int ecommerce)
{
	return ecommerce ? "ecommerce" : sme ? "sme" : "standard";
}

const char *aeo_saq_language(const char *accept)
{
	/* The first listed language we have, ignoring weights: clients list their preference first. */
	for (const char *p = accept; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!strncasecmp(p, "ru", 2))
			return "ru";
		if (!strncasecmp(p, "en", 2))
			return "en";
		p += strcspn(p, ",");
	}
	return "en";
}

static int load_template(struct store_conn *conn, const struct aeo_application *app, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT content FROM saq_templates WHERE id = $1 AND version = $2",
			       &stmt);

	*out = NULL;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "tt", app->saq_template, app->saq_version);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*out = json_loads(store_col_text(stmt, 0), 0, NULL);
		rc = *out ? CV_OK : CV_EINTERNAL;
	} else if (rc == STORE_DONE) {
		rc = CV_ENOTFOUND;
	}
	store_finish(stmt);
	return rc;
}

static int asks(json_t *q, const struct aeo_application *app)
{
	return in_list(json_object_get(q, "aeo_types"), app->type) &&
	       in_list(json_object_get(q, "variants"), app->saq_variant);
}

static json_t *find_question(json_t *tpl, const struct aeo_application *app, const char *id)
{
	size_t i;
	json_t *q;

	json_array_foreach(json_object_get(tpl, "questions"), i, q) {
		if (!strcmp(json_string_value(json_object_get(q, "id")), id))
			return asks(q, app) ? q : NULL;
	}
	return NULL;
}

static int load_answers(struct store_conn *conn, const char *application_id, json_t **answers)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT question_id, value FROM saq_answers WHERE application_id = $1",
			       &stmt);

	*answers = json_object();
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", application_id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_t *v = json_loads(store_col_text(stmt, 1), JSON_DECODE_ANY, NULL);
		if (v)
			json_object_set_new(*answers, store_col_text(stmt, 0), v);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

static const char *text_in(json_t *texts, const char *lang)
{
	const char *t = json_string_value(json_object_get(texts, lang));

	return t ? t : json_string_value(json_object_get(texts, "en"));
}

/* Does the compliance record contradict a "yes" to this check? */
static int contradicted(struct store_conn *conn, const struct aeo_application *app,
			const char *check)
{
	const char *kind = NULL, *outcome = "";
	struct store_stmt *stmt;
	char today[CV_DATE_MAX];
	int64_t day;
	int years = 3, found = 0;

	if (!strcmp(check, "no_infringements_3y"))
		kind = "infringement";
	else if (!strcmp(check, "no_seizures_3y"))
		kind = "examination", outcome = "seizure";
	else if (!strcmp(check, "no_late_payments_1y"))
		kind = "late_payment", years = 1;
	if (!kind)
		return 0;
	cv_date_from_ms(cv_clock_now_ms(), today);
	cv_date_parse(today, &day);
	if (store_prepare(conn,
			  "SELECT 1 FROM compliance_events WHERE operator_id = $1 AND kind = $2"
			  " AND ($3 = '' OR outcome = $3) AND day >= $4 LIMIT 1",
			  &stmt))
		return 0;
	if (!store_bindf(stmt, "ttti", app->operator_id, kind, outcome, day - 365 * years))
		found = store_step(stmt) == STORE_ROW;
	store_finish(stmt);
	return found;
}

int aeo_saq_view(struct store_conn *conn, const struct aeo_application *app, const char *lang,
		 int with_flags, json_t **out)
{
	json_t *tpl, *answers, *sections = json_array(), *questions = json_array(),
			       *missing = json_array();
	json_t *flags = json_array(), *completeness = json_object(), *q, *s;
	int answered[NCRITERIA] = {0}, required[NCRITERIA] = {0}, total[NCRITERIA] = {0};
	size_t i;
	int rc = load_template(conn, app, &tpl);

	if (!rc)
		rc = load_answers(conn, app->id, &answers);
	if (rc) {
		json_decref(tpl);
		json_decref(sections);
		json_decref(questions);
		json_decref(missing);
		json_decref(flags);
		json_decref(completeness);
		return rc;
	}
	json_array_foreach(json_object_get(tpl, "sections"), i, s) {
		json_array_append_new(sections,
				      json_pack("{s:O, s:s}", "id", json_object_get(s, "id"),
						"title", text_in(json_object_get(s, "title"), lang)));
	}
	json_array_foreach(json_object_get(tpl, "questions"), i, q) {
		const char *id = json_string_value(json_object_get(q, "id"));
		const char *criterion = json_string_value(json_object_get(q, "criterion"));
		const char *check = json_string_value(json_object_get(q, "check"));
		json_t *answer = json_object_get(answers, id), *item;
		int is_required = json_is_true(json_object_get(q, "required"));
		size_t c = 0;

		if (!asks(q, app))
			continue;
		while (c < NCRITERIA && strcmp(criteria[c], criterion))
			c++;
		if (c == NCRITERIA)
			continue; /* check_template refuses unknown criteria: not reached */
		total[c]++;
		required[c] += is_required;
		answered[c] += answer != NULL;
		if (is_required && !answer)
			json_array_append_new(missing, json_string(id));
		item = json_pack("{s:s, s:O, s:s, s:O, s:s, s:b, s:O}", "id", id, "section",
				 json_object_get(q, "section"), "criterion", criterion, "safe",
				 json_object_get(q, "safe") ? json_object_get(q, "safe")
							    : json_null(),
				 "type", json_string_value(json_object_get(q, "type")), "required",
				 is_required, "answer", answer ? answer : json_null());
		json_object_set_new(item, "text",
				    json_string(text_in(json_object_get(q, "text"), lang)));
		if (json_object_get(q, "help"))
			json_object_set_new(item, "help",
					    json_string(text_in(json_object_get(q, "help"), lang)));
		if (json_object_get(q, "choices"))
			json_object_set(item, "choices", json_object_get(q, "choices"));
		json_array_append_new(questions, item);
		if (with_flags && check && json_is_true(answer) && contradicted(conn, app, check))
			json_array_append_new(flags,
					      json_pack("{s:s, s:s, s:s}", "question", id, "check",
							check, "message",
							"the answer contradicts the compliance record"));
	}
	for (size_t c = 0; c < NCRITERIA; c++) {
		if (!total[c])
			continue;
		json_object_set_new(completeness, criteria[c],
				    json_pack("{s:i, s:i, s:i, s:f}", "questions", total[c],
					      "answered", answered[c], "required", required[c],
					      "percent",
					      total[c] ? (double)(int)(1000.0 * answered[c] /
									       total[c] +
								       0.5) /
								 10.0
						       : 0.0));
	}
	*out = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:o, s:o}", "template",
			 app->saq_template, "version", app->saq_version, "variant",
			 app->saq_variant, "language", lang, "name",
			 json_object_get(json_object_get(tpl, "name"), lang)
				 ? json_object_get(json_object_get(tpl, "name"), lang)
				 : json_object_get(json_object_get(tpl, "name"), "en"),
			 "sections", sections, "questions", questions, "missing", missing,
			 "completeness", completeness);
	if (with_flags)
		json_object_set_new(*out, "flags", flags);
	else
		json_decref(flags);
	json_decref(answers);
	json_decref(tpl);
	return *out ? CV_OK : CV_ENOMEM;
}

/* Check one answer against its question's type. */
static int check_value(json_t *q, const char *id, json_t *v, struct cv_error *err)
{
	const char *type = json_string_value(json_object_get(q, "type"));
	int64_t day;

	if (!strcmp(type, "yes_no") && !json_is_boolean(v))
		return cv_error_set(err, CV_EINVAL, id,
				    "question %s is answered with true or false", id);
	if ((!strcmp(type, "text") || !strcmp(type, "document")) &&
	    (!json_is_string(v) || json_string_length(v) == 0 ||
	     json_string_length(v) > SAQ_TEXT_MAX))
		return cv_error_set(err, CV_EINVAL, id,
				    "question %s is answered with text of 1 to %d characters", id,
				    SAQ_TEXT_MAX);
	if (!strcmp(type, "number") && (!json_is_number(v) || json_number_value(v) < 0))
		return cv_error_set(err, CV_EINVAL, id,
				    "question %s is answered with a number, 0 or more", id);
	if (!strcmp(type, "date") &&
	    (!json_is_string(v) || cv_date_parse(json_string_value(v), &day)))
		return cv_error_set(err, CV_EINVAL, id,
				    "question %s is answered with a date (YYYY-MM-DD)", id);
	if (!strcmp(type, "choice") &&
	    (!json_is_string(v) || !in_list(json_object_get(q, "choices"), json_string_value(v))))
		return cv_error_set(err, CV_EINVAL, id,
				    "question %s is answered with one of its choices", id);
	return CV_OK;
}

int aeo_saq_answer(struct store_conn *conn, const struct aeo_application *app, const char *actor,
		   json_t *answers, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	const char *id;
	json_t *tpl, *v;
	int rc;

	if (strcmp(app->state, "draft") != 0)
		return cv_error_set(err, CV_ECONFLICT, "answers",
				    "answers can change only while the application is a draft; it is %s",
				    app->state);
	if (!json_is_object(answers) || json_object_size(answers) == 0)
		return cv_error_set(err, CV_EINVAL, "answers",
				    "answers must be an object of question id to answer");
	rc = load_template(conn, app, &tpl);
	if (rc)
		return cv_error_set(err, rc, NULL, "the application's questionnaire cannot be read");
	/* Check them all first: a request is stored completely or not at all. */
	json_object_foreach(answers, id, v) {
		json_t *q = find_question(tpl, app, id);
		if (!q) {
			rc = cv_error_set(err, CV_EINVAL, id,
					  "question %s is not asked of a %s %s application", id,
					  app->saq_variant, app->type);
			break;
		}
		if (!json_is_null(v) && (rc = check_value(q, id, v, err)))
			break;
	}
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	json_object_foreach(answers, id, v) {
		char *text;
		if (rc)
			break;
		if (json_is_null(v)) {
			rc = store_execf(conn, NULL,
					 "DELETE FROM saq_answers WHERE application_id = $1 AND question_id = $2",
					 "tt", app->id, id);
			continue;
		}
		text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		rc = text ? store_execf(conn, NULL,
					"INSERT INTO saq_answers (application_id, question_id, value, answered_by, answered_at)"
					" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, question_id)"
					" DO UPDATE SET value = $3, answered_by = $4, answered_at = $5",
					"ttttt", app->id, id, text, actor, now)
			  : CV_ENOMEM;
		free(text);
	}
	json_decref(tpl);
	if (rc && err && !err->message[0])
		cv_error_set(err, rc, NULL, "cannot store the answers: %s", store_errmsg(conn));
	return rc;
}

int aeo_saq_missing(struct store_conn *conn, const struct aeo_application *app, int *count,
		    char *missing, size_t size)
{
	json_t *view, *list, *v;
	size_t i, used = 0;
	int rc = aeo_saq_view(conn, app, "en", 0, &view);

	*count = 0;
	missing[0] = '\0';
	if (rc)
		return rc;
	list = json_object_get(view, "missing");
	json_array_foreach(list, i, v) {
		int n = snprintf(missing + used, size - used, "%s%s", used ? ", " : "",
				 json_string_value(v));
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
	*count = (int)json_array_size(list);
	json_decref(view);
	return CV_OK;
}
