/** One line of a line diff: kept (" "), removed ("-") or added ("+"). */
export interface DiffLine {
  readonly kind: " " | "-" | "+";
  readonly text: string;
}

/** A line diff by longest common subsequence; exercise files are small, so O(n·m) is fine. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: " ", text: a[i++]! });
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ kind: "-", text: a[i++]! });
    } else {
      out.push({ kind: "+", text: b[j++]! });
    }
  }
  while (i < n) out.push({ kind: "-", text: a[i++]! });
  while (j < m) out.push({ kind: "+", text: b[j++]! });
  return out;
}

/**
 * A unified diff (like `diff -u`) of two texts, as lines: the ---/+++ header, then hunks of
 * changes with `context` unchanged lines around them. Empty when the texts are equal.
 */
export function unifiedDiff(
  aName: string,
  bName: string,
  aText: string,
  bText: string,
  context = 3,
): string[] {
  const a = splitLines(aText);
  const b = splitLines(bText);
  const lines = diffLines(a, b);
  if (lines.every((l) => l.kind === " ")) return [];
  const out = [`--- ${aName}`, `+++ ${bName}`];
  // Line numbers (1-based) in a and b before each diff line.
  const numbers: { a: number; b: number }[] = [];
  let na = 1;
  let nb = 1;
  for (const line of lines) {
    numbers.push({ a: na, b: nb });
    if (line.kind !== "+") na++;
    if (line.kind !== "-") nb++;
  }
  const changed = lines.flatMap((l, k) => (l.kind === " " ? [] : [k]));
  let k = 0;
  while (k < changed.length) {
    const first = changed[k]!;
    let last = first;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * context + 1)
      last = changed[++k]!;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length - 1, last + context);
    const slice = lines.slice(from, to + 1);
    const aLen = slice.filter((l) => l.kind !== "+").length;
    const bLen = slice.filter((l) => l.kind !== "-").length;
    out.push(`@@ -${numbers[from]!.a},${aLen} +${numbers[from]!.b},${bLen} @@`);
    for (const l of slice) out.push(`${l.kind}${l.text}`);
  }
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
