// An LMS's webhook endpoint built on the official Standard Webhooks library: every POST is checked with
// Webhook.verify(), answered 204 if it verifies and 400 if not, and reported as one JSON line on stdout.
// The secret (whsec_...) arrives as the first line on stdin, once the subscription exists; closing stdin stops it.
// WebhookLibraryReceiverTests runs it: node receiver.mjs
import http from "node:http";
import readline from "node:readline";
import standardwebhooks from "standardwebhooks";

const { Webhook } = standardwebhooks;
let webhook = null;

const report = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const id = req.headers["webhook-id"] ?? null;
    if (webhook === null) {
      res.writeHead(503, { "retry-after": "1" }).end();
      return;
    }
    try {
      const event = webhook.verify(body, req.headers);
      report({ verified: true, id, type: event.type, lab: event.data?.lab?.id ?? null,
               signatures: (req.headers["webhook-signature"] ?? "").split(" ").length });
      res.writeHead(204).end();
    } catch (e) {
      report({ verified: false, id, error: String(e?.message ?? e) });
      res.writeHead(400, { "content-type": "text/plain" }).end("signature did not verify");
    }
  });
});

readline.createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (webhook === null && line.trim() !== "") {
      webhook = new Webhook(line.trim());
      report({ secret: "set" });
    }
  })
  .on("close", () => server.close(() => process.exit(0)));

server.listen(0, "127.0.0.1", () => report({ listening: server.address().port }));
