// The UI's production server: Next.js behind a plain Node HTTP server that pins each request's client
// address before Next sees it (`node server.mjs`; `make run`, the browser tests and docker-compose use it).
//
// Next's own server keeps an X-Forwarded-For the browser sent, so under `next start` the address that the
// /api proxy (middleware.ts) passes to the API could be anything a client wrote. Here X-Forwarded-For is
// overwritten with the socket's peer (or, when the peer is one of TRUSTED_PROXIES, the nearest address in its
// X-Forwarded-For that is not), and a token made at start marks the header as ours: middleware.ts believes
// the address only with the token, so a UI run another way forwards no address rather than a forged one.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { BlockList, isIP } from "node:net";
import { fileURLToPath } from "node:url";

import next from "next";

process.env.NODE_ENV ??= "production";
const port = Number(process.env.UI_PORT || process.env.PORT || 3000);
const hostname = process.env.UI_HOST || "127.0.0.1";

// Read by middleware.ts (Next copies the environment into its sandbox when it first runs the middleware).
const peerToken = randomBytes(24).toString("hex");
process.env.MEDSPA_PEER_TOKEN = peerToken;

const trusted = new BlockList();
for (const entry of (process.env.TRUSTED_PROXIES || "").split(",").map((s) => s.trim()).filter(Boolean)) {
  const [address, bits] = entry.split("/");
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (bits) trusted.addSubnet(address, Number(bits), family);
  else trusted.addAddress(address, family);
}

/** "::ffff:127.0.0.1" -> "127.0.0.1"; anything that is not an IP address -> null. */
function normalise(address) {
  const text = (address || "").trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return isIP(text) ? text : null;
}

function isTrusted(address) {
  return address !== null && trusted.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/** The client's address: the peer, or behind trusted proxies the right-most forwarded hop that is not one. */
function clientAddress(request) {
  let chosen = normalise(request.socket.remoteAddress);
  if (!isTrusted(chosen)) return chosen;
  const hops = String(request.headers["x-forwarded-for"] || "").split(",").reverse();
  for (const hop of hops) {
    const address = normalise(hop);
    if (address === null) break;
    chosen = address;
    if (!isTrusted(address)) break;
  }
  return chosen;
}

const app = next({ dev: false, hostname, port, dir: fileURLToPath(new URL(".", import.meta.url)) });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  const address = clientAddress(request);
  delete request.headers["x-forwarded-for"];
  delete request.headers["x-medspa-peer"];
  if (address !== null) {
    request.headers["x-forwarded-for"] = address;
    request.headers["x-medspa-peer"] = peerToken;
  }
  handle(request, response);
});
server.headersTimeout = 10_000; // a slow client's request head (slowloris)
server.requestTimeout = 60_000;
server.listen(port, hostname, () => {
  console.log(`UI listening on http://${hostname}:${port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
