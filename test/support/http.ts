import { request } from "undici";

/** A client with its own cookie jar, like one browser: keeps the cookies it is given. */
export class Client {
  readonly #cookies = new Map<string, string>();

  async get(
    url: string,
  ): Promise<{ status: number; body: string; servedBy: string; setCookie: string[] }> {
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await request(url, { headers: cookie ? { cookie } : {} });
    const body = await res.body.text();
    const raw = res.headers["set-cookie"];
    const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const line of setCookie) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return {
      status: res.statusCode,
      body,
      servedBy: String(res.headers["x-served-by"] ?? ""),
      setCookie,
    };
  }
}

/** The value an exercise page shows, or undefined when it says none is set. */
export function shownValue(body: string): string | undefined {
  return /Session value: <strong[^>]*>([^<]*)<\/strong>/.exec(body)?.[1];
}
