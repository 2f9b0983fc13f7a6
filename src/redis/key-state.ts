import type { FoundSession } from "./inspect.js";
import { connectRedis } from "./inspect.js";

/**
 * Where one key stands now in database `db`: its PTTL (-1 without expiry), or undefined
 * when it does not exist. Read-only; one short-lived connection.
 */
export async function keyState(
  url: string,
  key: string,
  db: number,
): Promise<FoundSession | undefined> {
  const redis = await connectRedis(url);
  try {
    if (db >= 0) await redis.select(db);
    const pttl = await redis.pttl(key);
    return pttl === -2 ? undefined : { key, db, pttlMs: pttl };
  } finally {
    redis.disconnect();
  }
}
