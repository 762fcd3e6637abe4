/**
 * The ceilings: the same `GET /me` answer with no session library at all, on bare Node `http`,
 * bare Express 5, and a bare Fetch handler served through the bench's Node adapter.
 */
import express from "express";
import { serveFetch } from "../../lib/fetch-node.mjs";

const BODY = JSON.stringify({ userId: "user-1" });

/** Bare Node `http`. */
export async function nodeBare() {
  return {
    handler(req, res) {
      if (req.url !== "/me") return notFound(res);
      res.writeHead(200, { "content-type": "application/json", "content-length": BODY.length });
      res.end(BODY);
    },
  };
}

/** Bare Express 5 with its defaults. */
export async function expressBare() {
  const app = express();
  app.get("/me", (req, res) => res.json({ userId: "user-1" }));
  return { handler: app };
}

/** A bare Fetch handler. */
export async function fetchBare() {
  return {
    handler: serveFetch((request) => {
      if (new URL(request.url).pathname !== "/me") return new Response(null, { status: 404 });
      return Response.json({ userId: "user-1" });
    }),
  };
}

/** A 404 for anything but the benchmarked route. */
export function notFound(res) {
  res.statusCode = 404;
  res.end();
}

/**
 * Bare Express 5 plus one middleware that awaits a settled promise before `next()`: what any
 * asynchronous session middleware costs on Express before it does any work.
 */
export async function expressAsyncNoop() {
  const app = express();
  app.use((req, res, next) => {
    Promise.resolve().then(() => next());
  });
  app.get("/me", (req, res) => res.json({ userId: "user-1" }));
  return { handler: app };
}
