/**
 * A stand-in for Slack and Microsoft Teams on 127.0.0.1 for the chat tests: it records each
 * post (path, content type, parsed JSON) and answers by path: /slack… 200 "ok", /teams… 202,
 * /refuse… 500 "no_service", /moved… a redirect, anything else 404.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the posted JSON, checked field by field
  body: any;
}

/** A stand-in for Slack and Teams on 127.0.0.1: records each post, answers by path. */
export async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, contentType: req.headers["content-type"], body: data ? JSON.parse(data) : null });
      if (path.startsWith("/slack")) res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      else if (path.startsWith("/teams")) res.writeHead(202).end();
      else if (path.startsWith("/refuse")) res.writeHead(500, { "content-type": "text/plain" }).end("no_service");
      else if (path.startsWith("/moved")) res.writeHead(302, { location: "https://elsewhere.example/" }).end();
      else res.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
