/*
 * postgres.c — the PostgreSQL driver (libpq), not built yet.
 *
 * The scheme is registered so that a postgresql:// URL gets a clear answer
 * instead of "unknown database". The driver will implement every function
 * of struct store_driver with libpq: PQprepare for the statement cache
 * ($n parameters are native to PostgreSQL), "BEGIN" as begin_sql with
 * SELECT ... FOR UPDATE where SQLite relies on BEGIN IMMEDIATE. Domain code
 * does not change when it lands.
 */
#include "store/store_driver.h"

static int pg_connect(const char *url, void **conn, struct cv_error *err)
{
	(void)url;
	*conn = NULL;
	return cv_error_set(err, CV_EUNSUPPORTED, "db",
			    "PostgreSQL support is not built yet; use a sqlite:PATH database URL "
			    "(for example sqlite:var/caravan.db)");
}

const struct store_driver store_postgres_driver = {
	.name = "postgresql",
	.scheme = "postgresql://",
	.begin_sql = "BEGIN",
	.connect = pg_connect,
};
