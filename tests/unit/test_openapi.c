/*
 * test_openapi.c — docs/openapi.yaml describes exactly the routes of
 * api/routes.c, each with the permission and roles the code gives it.
 *
 * The reference is read with a small line-based scan, not a YAML library:
 * it relies on the layout the file keeps (two-space indentation, path keys
 * under `paths:` at two spaces, method keys at four, `x-permission:` at six
 * with `name:` and `roles: [..]` at eight). A file that drifts from that
 * layout fails these tests, which is the point: the reference stays easy to
 * read and to check.
 *
 * The file is $CARAVAN_OPENAPI, or docs/openapi.yaml from the repository root.
 */
#include "api/api.h"
#include "auth/roles.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPENAPI_DEFAULT_PATH "docs/openapi.yaml"
#define OPENAPI_MAX_OPERATIONS 512
#define OPENAPI_PATH_MAX 256
#define OPENAPI_NAME_MAX 64

/* Indentation of each level the scan reads. */
enum {
	INDENT_PATH = 2,
	INDENT_METHOD = 4,
	INDENT_OPERATION_KEY = 6,
	INDENT_PERMISSION_KEY = 8,
	INDENT_ROLE_ITEM = 10,
};

struct openapi_operation {
	char path[OPENAPI_PATH_MAX];
	char method[16];                     /* upper-case, as routes.c writes it */
	char permission[OPENAPI_NAME_MAX];   /* x-permission.name; "" when absent */
	unsigned roles;                      /* bit r: x-permission.roles lists role r */
	char unknown_role[OPENAPI_NAME_MAX]; /* a listed role roles.c does not know */
	int line;
};

struct openapi_doc {
	const char *file;
	struct openapi_operation ops[OPENAPI_MAX_OPERATIONS];
	int count;
};

static struct openapi_doc doc;

static const char *const http_methods[] = {"get",   "put",  "post",    "delete",
					   "patch", "head", "options", "trace"};

static int leading_spaces(const char *line)
{
	int n = 0;

	while (line[n] == ' ')
		n++;
	return n;
}

/* Remove trailing blanks, CR and LF in place. */
static void trim_end(char *s)
{
	size_t len = strlen(s);

	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
}

/* Copy a YAML scalar without surrounding blanks and quotes; fails the test when too long. */
static void copy_scalar(char *dst, size_t size, const char *src, size_t len)
{
	while (len && isspace((unsigned char)*src))
		src++, len--;
	while (len && isspace((unsigned char)src[len - 1]))
		len--;
	if (len >= 2 && (src[0] == '\'' || src[0] == '"') && src[len - 1] == src[0])
		src++, len -= 2;
	cr_assert_lt(len, size, "%s: a scalar is too long for the scan: %.*s", doc.file, (int)len,
		     src);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void add_role(struct openapi_operation *op, const char *name, size_t len)
{
	char role_name[OPENAPI_NAME_MAX];
	enum auth_role role;

	copy_scalar(role_name, sizeof(role_name), name, len);
	if (!role_name[0])
		return;
	if (auth_role_parse(role_name, &role) == 0)
		op->roles |= 1u << role;
	else if (!op->unknown_role[0])
		snprintf(op->unknown_role, sizeof(op->unknown_role), "%s", role_name);
}

/* "[admin, auditor]" → roles; an empty value means a block list follows. */
static void add_role_list(struct openapi_operation *op, const char *value)
{
	const char *p = value, *end;

	while (*p == ' ')
		p++;
	if (*p != '[')
		return;
	p++;
	end = strchr(p, ']');
	cr_assert(end, "%s:%d: unterminated roles list", doc.file, op->line);
	while (p < end) {
		size_t len = strcspn(p, ",]");
		add_role(op, p, len);
		p += len + (p[len] == ',');
	}
}

static int is_http_method(const char *key)
{
	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (strcmp(key, http_methods[i]) == 0)
			return 1;
	return 0;
}

static void openapi_load(void)
{
	const char *env = getenv("CARAVAN_OPENAPI");
	FILE *f;
	char *line = NULL, path[OPENAPI_PATH_MAX] = "";
	size_t cap = 0;
	int lineno = 0, in_paths = 0, in_permission = 0, in_role_block = 0;
	struct openapi_operation *op = NULL;

	doc.file = env && *env ? env : OPENAPI_DEFAULT_PATH;
	doc.count = 0;
	f = fopen(doc.file, "r");
	cr_assert(f, "cannot open %s (set CARAVAN_OPENAPI to the reference's path)", doc.file);
	while (getline(&line, &cap, f) != -1) {
		int indent;
		const char *text;
		size_t len;

		lineno++;
		trim_end(line);
		indent = leading_spaces(line);
		text = line + indent;
		len = strlen(text);
		if (!len || text[0] == '#')
			continue;
		if (indent == 0) {
			in_paths = strcmp(text, "paths:") == 0;
			op = NULL;
			continue;
		}
		if (!in_paths)
			continue;
		if (indent == INDENT_PATH) {
			cr_assert(text[len - 1] == ':', "%s:%d: a path key must end with ':'",
				  doc.file, lineno);
			copy_scalar(path, sizeof(path), text, len - 1);
			op = NULL;
		} else if (indent == INDENT_METHOD) {
			char key[sizeof(doc.ops[0].method)];
			op = NULL;
			if (text[len - 1] != ':' || len - 1 >= sizeof(key))
				continue;
			memcpy(key, text, len - 1);
			key[len - 1] = '\0';
			if (!is_http_method(key))
				continue; /* a path-level key such as parameters or description */
			cr_assert_lt(doc.count, OPENAPI_MAX_OPERATIONS, "%s: too many operations",
				     doc.file);
			op = &doc.ops[doc.count++];
			memset(op, 0, sizeof(*op));
			snprintf(op->path, sizeof(op->path), "%s", path);
			for (size_t i = 0; key[i]; i++)
				op->method[i] = (char)toupper((unsigned char)key[i]);
			op->line = lineno;
			in_permission = 0;
		} else if (op && indent == INDENT_OPERATION_KEY) {
			in_permission = strcmp(text, "x-permission:") == 0;
			in_role_block = 0;
		} else if (op && in_permission && indent == INDENT_PERMISSION_KEY) {
			in_role_block = 0;
			if (strncmp(text, "name:", 5) == 0)
				copy_scalar(op->permission, sizeof(op->permission), text + 5,
					    len - 5);
			else if (strcmp(text, "roles:") == 0)
				in_role_block = 1;
			else if (strncmp(text, "roles:", 6) == 0)
				add_role_list(op, text + 6);
		} else if (op && in_role_block && indent == INDENT_ROLE_ITEM && text[0] == '-') {
			add_role(op, text + 1, len - 1);
		}
	}
	free(line);
	fclose(f);
}

static const struct openapi_operation *find_operation(const char *method, const char *path)
{
	for (int i = 0; i < doc.count; i++)
		if (strcmp(doc.ops[i].method, method) == 0 && strcmp(doc.ops[i].path, path) == 0)
			return &doc.ops[i];
	return NULL;
}

static const struct api_route *find_route(const char *method, const char *path)
{
	for (size_t i = 0; i < api_route_count; i++)
		if (strcmp(api_routes[i].method, method) == 0 &&
		    strcmp(api_routes[i].pattern, path) == 0)
			return &api_routes[i];
	return NULL;
}

Test(openapi, every_route_in_the_router_table_is_documented)
{
	openapi_load();
	cr_assert_gt(api_route_count, 0);
	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *r = &api_routes[i];
		char method[sizeof(doc.ops[0].method)] = "";

		for (size_t k = 0; r->method[k] && k + 1 < sizeof(method); k++)
			method[k] = (char)tolower((unsigned char)r->method[k]);
		cr_expect(find_operation(r->method, r->pattern),
			  "%s %s is in src/api/routes.c but not in %s (a line \"  %s:\" under paths: "
			  "and \"    %s:\" below it)",
			  r->method, r->pattern, doc.file, r->pattern, method);
	}
}

Test(openapi, every_documented_operation_exists_in_the_router_table)
{
	openapi_load();
	cr_assert_gt(doc.count, 0, "%s documents no operation under paths:", doc.file);
	for (int i = 0; i < doc.count; i++) {
		const struct openapi_operation *op = &doc.ops[i];
		cr_expect(find_route(op->method, op->path),
			  "%s:%d documents %s %s, which src/api/routes.c has no route for",
			  doc.file, op->line, op->method, op->path);
	}
}

Test(openapi, no_operation_is_documented_twice)
{
	openapi_load();
	for (int i = 0; i < doc.count; i++)
		for (int j = i + 1; j < doc.count; j++)
			cr_expect(strcmp(doc.ops[i].method, doc.ops[j].method) != 0 ||
					  strcmp(doc.ops[i].path, doc.ops[j].path) != 0,
				  "%s documents %s %s twice (lines %d and %d)", doc.file,
				  doc.ops[i].method, doc.ops[i].path, doc.ops[i].line,
				  doc.ops[j].line);
}

Test(openapi, each_operation_names_the_permission_its_route_requires)
{
	openapi_load();
	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *r = &api_routes[i];
		const struct openapi_operation *op = find_operation(r->method, r->pattern);
		const char *want = auth_permission_name(r->permission);

		if (!op)
			continue; /* reported by every_route_in_the_router_table_is_documented */
		cr_expect_str_eq(op->permission, want,
				 "%s:%d: %s %s has x-permission.name \"%s\"; routes.c says %s",
				 doc.file, op->line, r->method, r->pattern, op->permission, want);
	}
}

Test(openapi, each_operation_lists_exactly_the_roles_holding_its_permission)
{
	openapi_load();
	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *r = &api_routes[i];
		const struct openapi_operation *op = find_operation(r->method, r->pattern);
		unsigned want = 0;

		if (!op)
			continue;
		for (int role = 0; role < ROLE_COUNT; role++)
			if (auth_role_can((enum auth_role)role, r->permission))
				want |= 1u << role;
		cr_expect_str_empty(op->unknown_role,
				    "%s:%d: %s %s lists the role \"%s\", which roles.c does not know",
				    doc.file, op->line, r->method, r->pattern, op->unknown_role);
		for (int role = 0; role < ROLE_COUNT; role++) {
			int listed = (op->roles >> role) & 1, holds = (want >> role) & 1;
			cr_expect_eq(listed, holds,
				     "%s:%d: %s %s %s the role %s, but roles.c %s it %s", doc.file,
				     op->line, r->method, r->pattern,
				     listed ? "lists" : "does not list",
				     auth_role_name((enum auth_role)role),
				     holds ? "gives" : "does not give",
				     auth_permission_name(r->permission));
		}
	}
}
