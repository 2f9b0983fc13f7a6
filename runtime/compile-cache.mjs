// Loaded with `node --import` into every Node instance the lab starts, where Node can flush
// its compile cache (22.10 and later; NODE_COMPILE_CACHE is set by the lab, or by the attendee).
// Node writes that cache when a process exits by itself; the lab stops instances with SIGTERM,
// which ends them at once, so without this nothing but a few kilobytes was ever written and
// every start compiled the app's packages again. An app answering its first request (the lab's
// readiness probe) has loaded its modules: they are written then, once. Nothing of the app
// changes: this only listens on a diagnostics channel.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import module from "node:module";

if (typeof module.flushCompileCache === "function" && module.getCompileCacheDir?.()) {
  const firstRequest = () => {
    unsubscribe("http.server.request.start", firstRequest);
    setImmediate(() => module.flushCompileCache());
  };
  subscribe("http.server.request.start", firstRequest);
}
