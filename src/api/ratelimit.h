/*
 * ratelimit.h — a per-address request limit for public routes.
 *
 * A fixed one-minute window per client address, in a table of slots hashed
 * by address. Two addresses that fall in the same slot take it over from
 * each other (each restarts the count), so the limit is approximate for
 * them: acceptable for a guard against one noisy client. The counts live in the process: a limit is
 * protection against one noisy client, not state worth a database write per
 * request; with several servers the limit is per server.
 *
 * Thread-safe (one mutex; the critical section is a few instructions).
 */
#ifndef CV_API_RATELIMIT_H
#define CV_API_RATELIMIT_H

/*
 * Count one request from address against `per_minute`. Returns 0 when it
 * may go on, or the seconds to wait (for Retry-After) when over the limit.
 */
int api_ratelimit_hit(const char *address, int per_minute);

#endif
