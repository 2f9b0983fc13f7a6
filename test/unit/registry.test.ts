import { describe, expect, it } from "vitest";
import { addGroupRecorder, trackGroup, untrackGroup } from "../../src/processes/registry.js";

/** A recorder that keeps the groups it was told about, as a run record does. */
function recorder() {
  const groups = new Set<number>();
  return {
    groups,
    add: async (pgid: number) => void groups.add(pgid),
    remove: async (pgid: number) => void groups.delete(pgid),
  };
}

describe("the process registry's run records", () => {
  it("keeps writing groups down for one lab when another lab in the same process ends", () => {
    const a = recorder();
    const b = recorder();
    const stopA = addGroupRecorder(a);
    const stopB = addGroupRecorder(b);
    // Pids no process has here: the registry only records them.
    trackGroup(999_991, "first");
    stopA();
    trackGroup(999_992, "second");
    expect([...a.groups]).toEqual([999_991]);
    expect([...b.groups]).toEqual([999_991, 999_992]);
    untrackGroup(999_991);
    untrackGroup(999_992);
    expect([...b.groups]).toEqual([]);
    stopB();
  });
});
