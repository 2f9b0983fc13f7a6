// Resolve hook: a bare import the workspace cannot resolve is resolved again from this
// package, whose node_modules (or the folder npm hoisted them into) hold the exercise's
// dependencies. The attendee's own node_modules, if any, still win.
const LAB_URL = import.meta.url;

/** For module.register (Node 20 to 22.14): runs on the loader's own thread, asynchronously. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!fromLab(error, specifier)) throw error;
    return nextResolve(specifier, { ...context, parentURL: LAB_URL });
  }
}

/** For module.registerHooks (Node 22.15+): the same, in the app's own thread. */
export function resolveSync(specifier, context, nextResolve) {
  try {
    return nextResolve(specifier, context);
  } catch (error) {
    if (!fromLab(error, specifier)) throw error;
    return nextResolve(specifier, { ...context, parentURL: LAB_URL });
  }
}

/** An import of a package (not a path or a URL) that the app's folder does not have. */
function fromLab(error, specifier) {
  return error?.code === "ERR_MODULE_NOT_FOUND" && isBare(specifier);
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z\d+\-.]*:)/.test(specifier);
}
