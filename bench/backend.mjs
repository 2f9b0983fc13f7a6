// The trivial backend of the proxy benchmark: answers every request with a short body.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain", "content-length": "3" });
  res.end("ok\n");
}).listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
