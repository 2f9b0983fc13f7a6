// The least a Node proxy can do, as a floor for the lab's: node:http in, an undici Pool per
// backend out, round-robin, the answer held and sent in one write. No header filtering, no
// X-Forwarded-*, no errors answered, no client abort passed on: not a proxy to use, only what
// node:http and undici cost on this machine before any of that.
import { createServer } from "node:http";
import { Pool } from "undici";

const [port, ...backends] = process.argv.slice(2).map(Number);
const pools = backends.map((p) => new Pool(`http://127.0.0.1:${p}`, { connections: 64 }));
let next = 0;
createServer((req, res) => {
  const pool = pools[next];
  next = (next + 1) % pools.length;
  let status = 0;
  let headers = {};
  const chunks = [];
  pool.dispatch(
    { method: req.method, path: req.url, headers: req.headers, body: null },
    {
      onRequestStart() {},
      onResponseStart(_c, statusCode, h) {
        status = statusCode;
        headers = h;
      },
      onResponseData(_c, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        res.writeHead(status, headers);
        res.end(Buffer.concat(chunks));
      },
      onResponseError() {
        res.destroy();
      },
    },
  );
}).listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
