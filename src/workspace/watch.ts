import { type FSWatcher, watch } from "node:fs";
import { sep } from "node:path";

const DEBOUNCE_MS = 150;

/** Editor droppings and the lab's own writes that must not trigger a restart. */
export function isIgnoredChange(file: string, ignoredDirs: readonly string[]): boolean {
  const parts = file.split(/[\\/]/);
  const [top] = parts;
  const base = parts.at(-1) ?? "";
  if (top === undefined || ignoredDirs.includes(top) || top === "node_modules") return true;
  if (parts.some((p) => p.startsWith("."))) return true;
  return (
    base.endsWith("~") ||
    /\.(swp|swx|tmp)$/.test(base) ||
    /^\d+$/.test(base) ||
    base.startsWith("#")
  );
}

/**
 * Watches an exercise folder and calls `onChange` once per burst of saves (debounced), with
 * the last file that changed. Writes inside `ignoredDirs` (session files) are ignored.
 */
export function watchExercise(
  dir: string,
  ignoredDirs: readonly string[],
  onChange: (file: string) => void,
): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let last = "";
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
    const file = name ? String(name).split(sep).join("/") : "";
    if (!file || isIgnoredChange(file, ignoredDirs)) return;
    last = file;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(last), DEBOUNCE_MS);
  });
  watcher.on("error", () => {});
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
