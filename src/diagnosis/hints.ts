/** The fix for every "each instance keeps its own sessions" cause. */
export const SHARED_STORE_HINT =
  "Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.";

/** The fix for sessions that expire within seconds. */
export const SHORT_TTL_HINT =
  "Give the session a realistic lifetime: the cookie's maxAge and the store's ttl (connect-redis's `ttl`) of hours, not seconds.";

/** The fix for a cookie a browser does not send back, by the attribute that keeps it away. */
export const ATTRIBUTE_HINTS: readonly [RegExp, string][] = [
  [
    /secure/i,
    "Leave `secure` off while the site is served over plain http (turn it on behind https).",
  ],
  [/samesite/i, "Use SameSite=Lax (the default), or add Secure behind https."],
  [/domain/i, "Leave the cookie's Domain out: the browser then sends it to the host that set it."],
  [/path/i, "Use Path=/ (the default), so the cookie is sent with every page."],
  [/expire|max-age/i, "Give the cookie an expiry in the future (maxAge), or none."],
];
