/** The fix for every "each instance keeps its own sessions" cause. */
export const SHARED_STORE_HINT =
  "Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.";

/** The fix for sessions that expire within seconds. */
export const SHORT_TTL_HINT =
  "Give the session a realistic lifetime: the cookie's maxAge and the store's ttl (connect-redis's `ttl`) of hours, not seconds.";
