// The baseline a Node developer would write: http-proxy with a keep-alive agent, round-robin.
import { Agent, createServer } from "node:http";
import httpProxy from "http-proxy";

const [port, ...backends] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ agent });
proxy.on("error", (_error, _req, res) => {
  res.writeHead?.(502);
  res.end();
});
let next = 0;
createServer((req, res) => {
  const target = `http://127.0.0.1:${backends[next]}`;
  next = (next + 1) % backends.length;
  proxy.web(req, res, { target });
}).listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
