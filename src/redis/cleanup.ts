import { connectRedis, escapeGlob } from "./inspect.js";

const BATCH = 500;

/**
 * Removes every key that starts with `prefix` and nothing else: SCAN with an escaped MATCH
 * pattern, UNLINK in batches. Never FLUSHDB or FLUSHALL: the Redis may be someone else's,
 * and an ACL user may not be allowed them anyway. Returns how many keys went.
 */
export async function removeKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (prefix.length === 0) throw new Error("refusing to remove keys with an empty prefix");
  const client = await connectRedis(url);
  try {
    const pattern = `${escapeGlob(prefix)}*`;
    let removed = 0;
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", BATCH);
      cursor = next;
      // SCAN's MATCH is a glob; check the prefix again in plain text before deleting anything.
      const ours = keys.filter((k) => k.startsWith(prefix));
      if (ours.length > 0) removed += await client.unlink(...ours);
    } while (cursor !== "0");
    return removed;
  } finally {
    client.disconnect();
  }
}
