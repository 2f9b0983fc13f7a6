// The lab's proxy on its own, in front of the given backends: node lab-proxy.mjs <port> <backend ports...>
import { setFlagsFromString } from "node:v8";
import { startProxy } from "../dist/proxy/proxy.js";

// As bin/session-lab.js sets them: llhttp's WebAssembly stays on V8's baseline code.
setFlagsFromString("--no-wasm-tier-up");
setFlagsFromString("--no-wasm-dynamic-tiering");

const [port, ...backends] = process.argv.slice(2).map(Number);
const proxy = await startProxy({
  host: "127.0.0.1",
  port,
  upstreams: backends.map((p, i) => ({ index: i + 1, port: p })),
  emit: () => {},
});
for (let i = 1; i <= backends.length; i++) proxy.setAvailable(i, true);
console.log(`ready ${proxy.port}`);
process.on("SIGTERM", () => proxy.close().then(() => process.exit(0)));
