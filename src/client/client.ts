import { type Dispatcher, errors, request } from "undici";
import type { KeyTouch } from "../diagnosis/observations.js";
import type { Observation } from "../model/results.js";
import { LAB_CLIENT_HEADER } from "../model/traffic.js";
import { CookieJar } from "./cookies.js";
import { servedByPort } from "./instance-id.js";

/** A request through the proxy that got no usable answer: the scenario cannot go on. */
export class CannotRunError extends Error {
  constructor(
    message: string,
    /** Why, as a cause id, when it is not that the app did not answer. */
    readonly causeId: "no-answer" | "no-redis" = "no-answer",
  ) {
    super(message);
  }
}

/** One simulated browser: its own cookie jar, requests through the proxy. */
export class ScenarioClient {
  readonly jar = new CookieJar();
  /** What Redis was seen doing while this visitor's last value was set, when the lab watched. */
  stored?: {
    readonly value: string;
    readonly port: number | null;
    readonly touches: readonly KeyTouch[];
    /** The Cookie header a browser would have sent to "/" right after the set. */
    readonly cookie: string | undefined;
  };

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
    /** Who the lab's proxy and live page count this visitor as: a check's or a load's. */
    private readonly source: "check" | "load" = "check",
  ) {}

  /** The Cookie header this browser would send to the site now (undefined: it holds none). */
  cookieHeader(): string | undefined {
    return this.jar.header(new URL("/", this.baseUrl).href);
  }

  /**
   * Takes on the cookies of a Cookie header another browser sent: a visitor whose session id
   * was planted (fixation), or a stolen cookie replayed after its session ended.
   */
  plant(header: string): void {
    const pairs = header.split(/;\s*/).filter((pair) => pair.includes("="));
    this.jar.accept(
      pairs.map((pair) => `${pair}; Path=/`),
      new URL("/", this.baseUrl).href,
    );
  }

  /**
   * GETs `path` and records which instance served it and which of `values` the page shows.
   * Throws CannotRunError when nothing (or only the proxy) answered.
   */
  async get(path: string, values: readonly string[]): Promise<Observation> {
    const { body: _body, ...observation } = await this.page(path, values);
    return observation;
  }

  /** As `get`, with the page's body for a scenario that reads more than the values. */
  async page(path: string, values: readonly string[]): Promise<Observation & { body: string }> {
    const started = performance.now();
    const url = new URL(path, this.baseUrl);
    const cookie = this.jar.header(url.href);
    let answer: Dispatcher.ResponseData;
    let body: string;
    try {
      answer = await request(url, {
        dispatcher: this.dispatcher,
        headers: cookie
          ? { cookie, [LAB_CLIENT_HEADER]: this.source }
          : { [LAB_CLIENT_HEADER]: this.source },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: this.signal,
      });
      body = await answer.body.text();
    } catch (error) {
      if (this.signal?.aborted) throw new CannotRunError("the check was interrupted");
      throw new CannotRunError(describe(error, path, this.timeoutMs));
    }
    if (body.startsWith("session-lab proxy:")) {
      throw new CannotRunError(
        `GET ${path} got ${answer.statusCode} from the proxy: ${body.slice(19).trim()}`,
      );
    }
    const raw = answer.headers["set-cookie"];
    const setCookie = this.jar.accept(
      raw === undefined ? [] : Array.isArray(raw) ? raw : [raw],
      url.href,
    );
    const replaced = this.jar.replaced;
    return {
      client: this.name,
      path,
      status: answer.statusCode,
      ...(replaced.length > 0 ? { replaced } : {}),
      port: servedByPort(answer.headers, body),
      shows: values.find((v) => body.includes(v)) ?? "",
      setCookie,
      ms: Math.round((performance.now() - started) * 10) / 10,
      body,
    };
  }
}

function describe(error: unknown, path: string, timeoutMs: number): string {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return `GET ${path} did not answer within ${timeoutMs / 1000} s: is the app waiting for something (Redis?)`;
  }
  const code = (error as { code?: string }).code;
  return `GET ${path} failed: ${code ?? (error as Error).message}`;
}

/** What one instance answered to a request sent to it directly, bypassing the proxy. */
export interface DirectAnswer {
  readonly status: number;
  /** Which of the values the page showed ("" for none). */
  readonly shows: string;
  readonly setCookie: readonly string[];
}

/**
 * One GET straight to an instance, with the Cookie header a browser would send (or none): the
 * lab's experiments after a failure. Throws CannotRunError when it does not answer.
 */
export async function directGet(
  url: string,
  cookie: string | undefined,
  values: readonly string[],
  dispatcher: Dispatcher,
  timeoutMs: number,
): Promise<DirectAnswer> {
  try {
    const answer = await request(url, {
      dispatcher,
      // A connection of its own: an app may close a kept-alive one just as the next request
      // goes out on it (Express does after an error that follows an answer already sent).
      reset: true,
      headers: cookie ? { cookie } : {},
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const body = await answer.body.text();
    const raw = answer.headers["set-cookie"];
    return {
      status: answer.statusCode,
      shows: values.find((v) => body.includes(v)) ?? "",
      setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw],
    };
  } catch (error) {
    throw new CannotRunError(describe(error, new URL(url).pathname, timeoutMs));
  }
}
