import { request } from "undici";
import { servedByPort } from "../../src/client/instance-id.js";

/**
 * A person's browser through the proxy, as the live page sees one: its own cookie, and none
 * of the lab's marks (the check's and load's clients say who they are; a browser does not).
 * Returns the port that served each request.
 */
export async function browse(proxyUrl: string, paths: readonly string[]) {
  let cookie: string | undefined;
  const ports: (number | null)[] = [];
  for (const path of paths) {
    const answer = await request(new URL(path, proxyUrl), {
      headers: cookie ? { cookie, "user-agent": "Mozilla/5.0" } : { "user-agent": "Mozilla/5.0" },
    });
    const body = await answer.body.text();
    const raw = answer.headers["set-cookie"];
    const set = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw])
      .map((l) => l.split(";", 1)[0]?.trim() ?? "")
      .filter((p) => p && !p.endsWith("="));
    if (set.length > 0) cookie = set.join("; ");
    ports.push(servedByPort(answer.headers, body));
  }
  return ports;
}
