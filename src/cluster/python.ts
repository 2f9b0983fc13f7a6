import { execFile } from "node:child_process";
import { UsageError } from "../errors.js";

/** What the Flask track imports. */
const MODULES = ["flask", "flask_session", "redis"];

/** The line that installs them, for the errors and `doctor`. */
export const PYTHON_INSTALL =
  "On Debian/Ubuntu: sudo apt-get install -y python3-flask python3-flask-session python3-redis. Elsewhere: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt, then add --python .venv/bin/python.";

/** Whether `python` can import every module the Flask track needs (within 5 s). */
function importsAll(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", `import ${MODULES.join(", ")}`], { timeout: 5000 }, (error) =>
      resolve(!error),
    );
  });
}

/**
 * The first Python that can import Flask, Flask-Session and redis-py: the one named with
 * --python, else `python3` on PATH, else the system's /usr/bin/python3 (where Debian's
 * packages go when a version manager's python3 comes first on PATH). Undefined when none.
 */
export async function findPython(named?: string): Promise<string | undefined> {
  for (const python of named ? [named] : ["python3", "/usr/bin/python3"])
    if (await importsAll(python)) return python;
  return undefined;
}

/** Like findPython, but a missing one is a usage error with the exact install line. */
export async function requirePython(named?: string): Promise<string> {
  const python = await findPython(named);
  if (python) return python;
  throw new UsageError(
    named
      ? `${named} cannot import flask, flask_session and redis, which this exercise needs.`
      : "No Python here can import flask, flask_session and redis, which this exercise needs.",
    PYTHON_INSTALL,
  );
}
