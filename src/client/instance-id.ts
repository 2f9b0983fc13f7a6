/**
 * Which instance served a response: the lab proxy's X-Served-By header, else another
 * proxy's header naming a port, else the page itself ("Served by port 5002").
 */
export function servedByPort(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
): number | null {
  for (const name of ["x-served-by", "x-instance", "x-backend", "x-server"]) {
    const value = headers[name];
    const port = portIn(Array.isArray(value) ? value.join(" ") : value);
    if (port !== null) return port;
  }
  const text = body.replace(/<[^>]*>/g, " ");
  return portIn(/\bport\b\D{0,30}?(\d{2,5})\b/i.exec(text)?.[1]);
}

function portIn(text: string | undefined): number | null {
  if (!text) return null;
  const match = /:(\d{2,5})\b/.exec(text) ?? /^(\d{2,5})$/.exec(text.trim());
  const port = Number(match?.[1]);
  return port > 0 && port <= 65535 ? port : null;
}
