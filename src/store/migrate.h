/*
 * migrate.h — numbered SQL migrations, applied in order and recorded.
 *
 * Migrations are the files src/store/migrations/NNN_name.sql, compiled into
 * the binary. A file named NNN_name.ENGINE.sql (ENGINE sqlite or
 * postgresql) applies only to that engine; every engine must then have its
 * own file for NNN. Each migration runs in its own transaction and is
 * recorded in schema_migrations; applied migrations are never edited.
 */
#ifndef CV_STORE_MIGRATE_H
#define CV_STORE_MIGRATE_H

#include "store/db.h"

/*
 * Apply every migration not yet recorded. *applied (may be NULL) receives
 * how many were applied now. Safe to run again: it then does nothing.
 */
int store_migrate(struct store_conn *conn, int *applied, struct cv_error *err);

/* Highest applied migration number, 0 for an empty database. */
int store_schema_version(struct store_conn *conn, int *version, struct cv_error *err);

#endif
