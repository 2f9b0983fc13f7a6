/**
 * Strict round-robin over `count` upstreams: each call returns the next one in turn,
 * skipping those `isUp` rejects. Returns -1 when none is up.
 */
export function createRoundRobin(count: number): (isUp?: (index: number) => boolean) => number {
  let cursor = -1;
  return (isUp = () => true) => {
    for (let step = 1; step <= count; step++) {
      const candidate = (cursor + step) % count;
      if (isUp(candidate)) {
        cursor = candidate;
        return candidate;
      }
    }
    return -1;
  };
}
