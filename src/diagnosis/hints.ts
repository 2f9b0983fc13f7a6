import type { Hint, TrackText } from "../model/track.js";

/*
 * The fixes that name a library, in the words of each track: Node (express-session,
 * connect-redis, ioredis) and Flask (Flask-Session, redis-py). The runner picks the exercise's.
 */

/** The fix for every "each instance keeps its own sessions" cause. */
export const SHARED_STORE_HINT: TrackText = {
  node: "Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.",
  python:
    'Keep the sessions in a store every instance shares: Redis, through Flask-Session\'s Redis store (SESSION_TYPE = "redis", SESSION_REDIS = redis.from_url(os.environ["REDIS_URL"])), on the REDIS_URL the lab passes to every instance.',
};

/** The same, for sessions found outside Redis (a folder, a cookie). */
export const STORE_IN_REDIS_HINT: TrackText = {
  node: "Store the sessions with connect-redis, using the REDIS_URL the lab passes to every instance.",
  python:
    'Store the sessions with Flask-Session\'s Redis store (SESSION_TYPE = "redis"), with a redis-py client on the REDIS_URL the lab passes to every instance.',
};

/** The fix for sessions lost when the instances restart. */
export const OUTLIVE_RESTART_HINT: TrackText = {
  node: "Keep the sessions in Redis, which outlives any instance: connect-redis with the REDIS_URL the lab passes.",
  python:
    "Keep the sessions in Redis, which outlives any instance: Flask-Session's Redis store with a redis-py client on the REDIS_URL the lab passes.",
};

/** The fix for sessions that expire within seconds. */
export const SHORT_TTL_HINT: TrackText = {
  node: "Give the session a realistic lifetime: the cookie's maxAge and the store's ttl (connect-redis's `ttl`) of hours, not seconds.",
  python:
    "Give the session a realistic lifetime: PERMANENT_SESSION_LIFETIME of hours, not seconds (Flask-Session gives the Redis key the same lifetime).",
};

/** The fix for a per-instance database. */
export const SAME_DATABASE_HINT: TrackText = {
  node: "Use the database REDIS_URL names for every instance: pass process.env.REDIS_URL to the client as it is, with no db or SELECT of your own.",
  python:
    'Use the database REDIS_URL names for every instance: pass os.environ["REDIS_URL"] to redis.from_url as it is, with no db= or SELECT of your own.',
};

/** The fix for a database of the app's own choosing. */
export const URL_AS_IT_IS_HINT: TrackText = {
  node: "Pass process.env.REDIS_URL to the client as it is, with no database of your own.",
  python: 'Pass os.environ["REDIS_URL"] to redis.from_url as it is, with no db= of your own.',
};

/** The fix for a Redis URL written in the code. */
export const CLIENT_FROM_ENV_HINT: TrackText = {
  node: "Create the client with process.env.REDIS_URL, not a URL written in the code.",
  python:
    'Create the redis-py client with redis.from_url(os.environ["REDIS_URL"]), not a URL written in the code.',
};

/** The fix for a key prefix made per instance. */
export const ONE_PREFIX_HINT: TrackText = {
  node: "Use one key prefix for every instance: the SESSION_PREFIX the lab passes (the store's `prefix` option), with nothing per port.",
  python:
    "Use one key prefix for every instance: the SESSION_PREFIX the lab passes (Flask-Session's SESSION_KEY_PREFIX), with nothing per port.",
};

/** The fix for cookies named per instance. */
export const ONE_COOKIE_NAME_HINT: TrackText = {
  node: "Give every instance the same cookie name (the session library's `name` or `key` option), not one made from the port.",
  python:
    "Give every instance the same cookie name (Flask's SESSION_COOKIE_NAME), not one made from the port.",
};

/** The fix for a secret made per instance or per start. */
export const ONE_SECRET_HINT: TrackText = {
  node: "Sign (or encrypt) the cookie with the same secret on every instance: the SESSION_SECRET the lab passes, not one made per instance or per start.",
  python:
    'Give every instance the same SECRET_KEY: the SESSION_SECRET the lab passes (app.config["SECRET_KEY"] = os.environ["SESSION_SECRET"]), not one made per instance or per start.',
};

/** The fix for an app that sends no cookie at all over http. */
export const NO_COOKIE_HINT: TrackText = {
  node: "Leave the cookie's `secure` off over plain http (express-session and @fastify/session send no cookie at all otherwise), or set it behind https only.",
  python:
    "Leave SESSION_COOKIE_SECURE off over plain http (the browser keeps no Secure cookie there), or turn it on behind https only.",
};

/** The fix for a value kept in a variable of the app, not in the session. */
export const PER_VISITOR_HINT: TrackText = {
  node: "Keep the value in req.session (one per visitor), not in a variable shared by every request.",
  python:
    "Keep the value in flask.session (one per visitor), not in a global variable shared by every request.",
};

/** The fix for a cookie a browser does not send back, by the attribute that keeps it away. */
export const ATTRIBUTE_HINTS: readonly [RegExp, Hint][] = [
  [
    /secure/i,
    {
      node: "Leave `secure` off while the site is served over plain http (turn it on behind https).",
      python:
        "Leave SESSION_COOKIE_SECURE off while the site is served over plain http (turn it on behind https).",
    },
  ],
  [/samesite/i, "Use SameSite=Lax (the default), or add Secure behind https."],
  [
    /domain/i,
    {
      node: "Leave the cookie's Domain out: the browser then sends it to the host that set it.",
      python:
        "Leave SESSION_COOKIE_DOMAIN unset: the browser then sends the cookie to the host that set it.",
    },
  ],
  [/path/i, "Use Path=/ (the default), so the cookie is sent with every page."],
  [
    /expire|max-age/i,
    {
      node: "Give the cookie an expiry in the future (maxAge), or none.",
      python: "Give the cookie an expiry in the future (PERMANENT_SESSION_LIFETIME), or none.",
    },
  ],
];

/** The fix for an app that keeps its first primary through a Sentinel failover (exercise 05). */
export const FAILOVER_HINT: TrackText = {
  node: "Ask the sentinels where the primary is: ioredis `new Redis({ sentinels, name: process.env.REDIS_MASTER_NAME })` (REDIS_SENTINELS lists host:port pairs), with `failoverDetector: true`, a short `commandTimeout` and `reconnectOnError` returning 2 on READONLY.",
  python:
    "Ask the sentinels where the primary is: redis-py's `Sentinel(sentinels).master_for(os.environ[\"REDIS_MASTER_NAME\"], socket_timeout=1, retry_on_error=[redis.exceptions.ConnectionError])` as Flask-Session's SESSION_REDIS (REDIS_SENTINELS lists host:port pairs), and a 500 handler that answers 503 for a redis.exceptions.RedisError.",
};

/** The fix for a client that talks to one node of a Redis Cluster (exercise 06). */
export const CLUSTER_HINT: TrackText = {
  node: "Connect through the cluster: ioredis `new Cluster(nodes)` (REDIS_CLUSTER_NODES lists host:port pairs, comma separated), and give it to connect-redis as its client.",
  python:
    "Connect through the cluster: redis-py's `RedisCluster(startup_nodes=[ClusterNode(host, port), ...])` (from redis.cluster; REDIS_CLUSTER_NODES lists host:port pairs, comma separated), as Flask-Session's SESSION_REDIS.",
};

/** The fix for one command over a user's keys in several hash slots. */
export const CROSSSLOT_HINT: TrackText = {
  node: "Put a user's keys in one slot with a hash tag (`sess:{ada}…` for the user's set and each of their sessions: genid at login), or delete the keys one by one (store.destroy for each id).",
  python:
    "Put a user's keys in one slot with a hash tag (`session:{ada}…` for the user's set and each of their sessions: at login, a new session id that starts with `{ada}`), or delete the keys one by one.",
};

/** The fix for a cluster client kept from following ASK and MOVED. */
export const FOLLOW_REDIRECTS_HINT: TrackText = {
  node: "Let the cluster client follow redirections: ioredis `Cluster` does by default (`maxRedirections` 16); do not pin keys to one node or catch MOVED and ASK yourself.",
  python:
    "Let the cluster client follow redirections: redis-py's `RedisCluster` does by default (ASK and MOVED); do not pin keys to one node (`target_nodes`) or catch MOVED and ASK yourself.",
};

/** The fix for a login the session does not keep. */
export const LOGIN_KEEPS_USER_HINT: TrackText = {
  node: 'Store the user in req.session at /login/<user>; /whoami shows "Logged in as <user>".',
  python: 'Store the user in flask.session at /login/<user>; /whoami shows "Logged in as <user>".',
};

/** The fix for sessions forgotten but left in Redis at "log out everywhere". */
export const DESTROY_EACH_HINT: TrackText = {
  node: "Destroy each session with store.destroy(id) (it deletes its key), then DEL the user's set.",
  python:
    "Delete each session's key (SESSION_KEY_PREFIX + its id, as Flask-Session names it), then DEL the user's set.",
};

/** The fix for a /logout that leaves the session alive. */
export const LOGOUT_ONE_HINT: TrackText = {
  node: "Destroy the session at /logout (req.session.destroy).",
  python: "Clear the session at /logout (`session.clear()`: Flask-Session then deletes its key).",
};
