/**
 * Whose request went through the proxy: a person's browser, or the lab's own simulated
 * visitors (a check's scenarios, a load). The lab's clients say so in one request header,
 * which the lab's proxy reads and removes, so the app under test never sees it.
 */
export type TrafficSource = "browser" | "check" | "load";

/** The header the lab's own clients send (`check` or `load`). */
export const LAB_CLIENT_HEADER = "x-session-lab-client";

/** Whose request this was, from the header's value (total: anything else is a browser). */
export function trafficSource(header: string | string[] | undefined): TrafficSource {
  const value = Array.isArray(header) ? header[0] : header;
  return value === "check" || value === "load" ? value : "browser";
}
