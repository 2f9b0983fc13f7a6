// Resolve hook: a bare import the workspace cannot resolve is resolved again from this
// package, whose node_modules (or the folder npm hoisted them into) hold the exercise's
// dependencies. The attendee's own node_modules, if any, still win.
const LAB_URL = import.meta.url;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw error;
    return nextResolve(specifier, { ...context, parentURL: LAB_URL });
  }
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z\d+\-.]*:)/.test(specifier);
}
