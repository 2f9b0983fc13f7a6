/*
 * What the terminal can show: its width (text is wrapped to it, each line's indent kept) and
 * whether it shows ✔ ✘ ➜ 💡 (a locale that is not UTF-8 gets plain ASCII instead).
 */

/** How wide text shows on a terminal, and how it wraps there (string-width, wrap-ansi). */
interface Measure {
  readonly width: (text: string) => number;
  readonly wrap: (
    text: string,
    columns: number,
    options: { hard: boolean; trim: boolean },
  ) => string;
}
let measure: Measure | undefined;

/**
 * Loads what wrapping needs, once: called where a terminal will be written to, before any
 * line is. Only a terminal wraps: into a file, a pipe or a JSON document nothing is measured,
 * and string-width's set-up (an ICU segmenter, ~20 ms of CPU) is not paid at all.
 */
export async function loadWrapping(): Promise<void> {
  if (measure) return;
  const [{ default: width }, { default: wrap }] = await Promise.all([
    import("string-width"),
    import("wrap-ansi"),
  ]);
  measure = { width, wrap };
}

/**
 * Whether the terminal shows Unicode symbols: false when the locale (LC_ALL, then LC_CTYPE,
 * then LANG, as the C library reads them) names another encoding than UTF-8 (LANG=C, POSIX,
 * en_US.ISO-8859-1), and on the Linux console, whose font has none of them. No locale at all
 * is taken as UTF-8, as nearly every terminal today is; Windows terminals show them.
 */
export function supportsUnicode(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (platform === "win32") return true;
  if (env.TERM === "linux") return false;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  if (!locale) return true;
  return /utf-?8/i.test(locale);
}

/** The lab's symbols and punctuation, and what a terminal without Unicode shows instead. */
const ASCII: Record<string, string> = {
  "✔": "+",
  "✘": "x",
  "⚠": "!",
  "➜": ">",
  "💡": "*",
  "↻": "~",
  "→": "->",
  "·": "-",
  "…": "...",
  "│": "|",
  "–": "-",
  "—": "-",
  "●": "*",
  "×": "x",
  "≥": ">=",
  "≤": "<=",
};
const NOT_ASCII = new RegExp(`[${Object.keys(ASCII).join("")}]`, "gu");

/** The text with the lab's symbols spelt in ASCII (other characters, a name's é, stay). */
export function toAscii(text: string): string {
  return text.replace(NOT_ASCII, (symbol) => ASCII[symbol] ?? symbol);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const SGR = /\u001b\[[0-9;]*m/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const SGR_AT_START = /^\u001b\[[0-9;]*m/;

function visible(text: string): string {
  return text.replace(SGR, "");
}

function loaded(): Measure {
  if (!measure) throw new Error("loadWrapping() must be awaited before text is measured");
  return measure;
}

/**
 * Where a line's continuation lines start (in columns), so that wrapped text stays under its
 * own column: after an app's `app-1 | ` prefix; after a padded first column (`✔ boot     `,
 * `✘ FAIL  `, `hint:  `); after a label (`evidence: `); after a leading mark (`⚠ `); else at
 * the line's indent.
 */
export function hangingIndent(line: string, columns: number): number {
  const text = visible(line);
  const lead = text.length - text.trimStart().length;
  const rest = text.slice(lead);
  const limit = Math.min(40, Math.floor(columns / 2));
  const candidates = [
    /^\S{1,12} +\| /.exec(rest),
    /^\S(?:.*?\S)?? {2,}(?=\S)/.exec(rest),
    /^(?:\S{1,2} )?[A-Za-z][\w ]{0,15}: +(?=\S)/.exec(rest),
    /^[^\w\s`'"([{<]{1,2} +(?=\S)/u.exec(rest),
  ];
  for (const match of candidates) {
    if (!match) continue;
    const width = lead + loaded().width(match[0]);
    if (width <= limit) return width;
  }
  return lead <= limit ? lead : 0;
}

/** The raw index in `line` (escape sequences included) where `columns` visible columns end. */
function indexAtColumn(line: string, columns: number): number {
  let seen = 0;
  let i = 0;
  while (i < line.length && seen < columns) {
    const code = line.startsWith("\u001b[", i) ? SGR_AT_START.exec(line.slice(i)) : null;
    if (code) {
      i += code[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i) ?? 0);
    seen += loaded().width(char);
    i += char.length;
  }
  return i;
}

/**
 * One line wrapped at word boundaries to `columns`, its continuation lines indented as
 * `hangingIndent` says; colours carry over. A word longer than the room left (a long URL) is
 * never cut: it gets a line of its own.
 */
export function wrapLine(line: string, columns: number): string {
  if (columns < 20) return line;
  const { width, wrap } = loaded();
  if (width(visible(line)) <= columns) return line;
  const hang = hangingIndent(line, columns);
  const split = indexAtColumn(line, hang);
  const head = line.slice(0, split);
  // The colours open where the line is split go on with the text after it.
  const open = (head.match(SGR) ?? []).join("");
  const body = wrap(open + line.slice(split), columns - hang, { hard: false, trim: true });
  const pad = " ".repeat(hang);
  return body
    .split("\n")
    .map((part, i) => (i === 0 ? head + part : pad + part))
    .join("\n");
}
