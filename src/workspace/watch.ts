import { createHash } from "node:crypto";
import { type Dirent, type FSWatcher, readdirSync, readFileSync, statSync, watch } from "node:fs";
import { join } from "node:path";

const DEBOUNCE_MS = 150;
/**
 * How many more quiet periods a burst in which every changed file is gone waits for them to
 * come back: a save that replaces the file, or a reset that removes the exercise's files and
 * copies the starter's a moment later, is one change, not two.
 */
const WAITS_FOR_REMOVED = 6;

/** Editor droppings, notes and the lab's own writes that must not trigger a restart. */
export function isIgnoredChange(file: string, ignoredDirs: readonly string[]): boolean {
  const parts = file.split(/[\\/]/);
  const [top] = parts;
  const base = parts.at(-1) ?? "";
  if (top === undefined || ignoredDirs.includes(top) || top === "node_modules") return true;
  if (parts.includes("__pycache__")) return true;
  if (parts.some((p) => p.startsWith("."))) return true;
  return (
    base.endsWith("~") ||
    /\.(swp|swx|tmp|md|pyc)$/.test(base) ||
    /^\d+$/.test(base) ||
    base.startsWith("#")
  );
}

/** A file's content as a short hash; undefined when it is not there (or not a file). */
function contentOf(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return createHash("sha1").update(readFileSync(path)).digest("base64");
  } catch {
    return undefined;
  }
}

/**
 * Watches an exercise folder and calls `onChange` once per burst of saves (debounced), with
 * the files of the burst whose content changed, the latest first: the file the attendee saved,
 * never the temporary file an editor or `sed -i` wrote it through. A file written again with
 * what it held (a reset to a starter that was there already, an event delivered twice) is no
 * change. Writes inside `ignoredDirs` (session files) are ignored.
 */
export function watchExercise(
  dir: string,
  ignoredDirs: readonly string[],
  onChange: (files: readonly string[]) => void,
): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let waits = 0;
  // In the order of their latest event.
  const changed = new Set<string>();
  // What each file held when the instances last (re)started on it.
  const known = new Map<string, string>();
  for (const file of walk(dir, (f) => isIgnoredChange(f, ignoredDirs)).files) {
    const content = contentOf(join(dir, file));
    if (content !== undefined) known.set(file, content);
  }
  const settle = () => {
    const latestFirst = [...changed].reverse();
    const now = new Map(latestFirst.map((file) => [file, contentOf(join(dir, file))]));
    if ([...now.values()].every((c) => c === undefined) && waits < WAITS_FOR_REMOVED) {
      waits += 1;
      timer = setTimeout(settle, DEBOUNCE_MS);
      return;
    }
    changed.clear();
    waits = 0;
    const different = latestFirst.filter((file) => now.get(file) !== known.get(file));
    for (const file of different) {
      const content = now.get(file);
      if (content === undefined) known.delete(file);
      else known.set(file, content);
    }
    // A file that came and went within the burst (an editor's or sed's temporary one) is none.
    const saved = different.filter((file) => now.get(file) !== undefined);
    const removed = different.filter((file) => now.get(file) === undefined);
    if (saved.length > 0) onChange(saved);
    else if (removed.length > 0) onChange(removed);
  };
  const onEvent = (file: string) => {
    if (isIgnoredChange(file, ignoredDirs)) return;
    changed.delete(file);
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(settle, DEBOUNCE_MS);
  };
  const tree = watchTree(dir, (file) => isIgnoredChange(file, ignoredDirs), onEvent);
  return {
    close() {
      clearTimeout(timer);
      tree.close();
    },
  };
}

/**
 * One plain (not recursive) watch per folder of the tree, a new folder watched as it appears.
 * Node 20's recursive watch on Linux goes deaf to a file removed and written again (what a
 * reset does); a watch of the folder itself hears every name that comes and goes in it.
 */
function watchTree(
  root: string,
  ignored: (file: string) => boolean,
  onEvent: (file: string) => void,
): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  const add = (folder: string) => {
    if (watchers.has(folder)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(join(root, folder), (_event, name) => {
        if (!name) return;
        const file = folder ? `${folder}/${String(name)}` : String(name);
        onEvent(file);
        if (!ignored(file) && isFolder(join(root, file))) add(file);
      });
    } catch {
      return;
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(folder);
    });
    watchers.set(folder, watcher);
  };
  add("");
  for (const folder of walk(root, ignored).folders) add(folder);
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** The files and folders under `root` (paths with /), not looking into ignored ones. */
function walk(
  root: string,
  ignored: (file: string) => boolean,
): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders: string[] = [];
  const visit = (folder: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, folder), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (ignored(path)) continue;
      if (entry.isDirectory()) {
        folders.push(path);
        visit(path);
      } else files.push(path);
    }
  };
  visit("");
  return { files, folders };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
