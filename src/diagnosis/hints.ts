/** The fix for every "each instance keeps its own sessions" cause. */
export const SHARED_STORE_HINT =
  "Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.";
