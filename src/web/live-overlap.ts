import type { SeenRequest } from "./live-model.js";

/** A request of a visitor's timeline: its number (in the order they began) and which it overlapped. */
export interface TimelineRequest extends SeenRequest {
  readonly n: number;
  /** The numbers of the visitor's other requests that ran at the same time as this one. */
  readonly overlaps: readonly number[];
}

/**
 * A visitor's requests in the order they began, grouped: a group of more than one is
 * requests that overlapped in time (one began before another ended), which a page shows
 * side by side; that is where a lost update or a logout undone comes from.
 */
export function timeline(seen: readonly SeenRequest[]): TimelineRequest[][] {
  const sorted = [...seen].sort((a, b) => a.start - b.start || a.end - b.end);
  const numbered = sorted.map((r, i) => ({ r, n: i + 1 }));
  const groups: TimelineRequest[][] = [];
  let group: typeof numbered = [];
  let groupEnd = Number.NEGATIVE_INFINITY;
  const close = () => {
    if (group.length === 0) return;
    groups.push(
      group.map(({ r, n }) => ({
        ...r,
        n,
        overlaps: group
          .filter((o) => o.n !== n && o.r.start < r.end && r.start < o.r.end)
          .map((o) => o.n),
      })),
    );
  };
  for (const item of numbered) {
    if (item.r.start >= groupEnd) {
      close();
      group = [];
      groupEnd = item.r.end;
    }
    group.push(item);
    groupEnd = Math.max(groupEnd, item.r.end);
  }
  close();
  return groups;
}
