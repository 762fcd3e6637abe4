import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { loadSession, requestContext, type NodeSessionOptions } from "../../src/http/node.js";
import { createSessionManager } from "../../src/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FailingStore } from "./failing-store.js";
import { cookiesNamed, listen, send, type Listening } from "../support/http.js";

const NAME = "__Host-sid";

describe("loadSession (node)", () => {
  let server: Listening | null = null;

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it("gives a second loadSession on one request the same handle, with one validation", async () => {
    const store = new FailingStore(new MemoryStore());
    const manager = createSessionManager({ store });
    const issued = await manager.create({ userId: "user-9" });
    const reads: number[] = [];
    const get = store.get.bind(store);
    store.get = async (id: string) => {
      reads.push(1);
      return get(id);
    };
    let same = false;
    let readsBeforeChange = -1;
    server = await listen(
      createServer((req, res) => {
        void Promise.all([loadSession(manager, req, res), loadSession(manager, req, res)]).then(
          async ([first, second]) => {
            const third = await loadSession(manager, req, res);
            same = first === second && second === third;
            readsBeforeChange = reads.length;
            await third.rotate();
            res.end("ok");
          },
        );
      }),
    );

    const response = await send(server.url, "/", {
      headers: [["cookie", `${NAME}=${issued.token}`]],
    });

    expect(same).toBe(true);
    expect(readsBeforeChange).toBe(1);
    expect(cookiesNamed(response, NAME)).toHaveLength(1);
  });

  it("rejects with ConfigError(trustProxy) for a trustProxy name such as loopback", async () => {
    const manager = createSessionManager();
    let failure: unknown = null;
    server = await listen(
      createServer((req, res) => {
        const options = { trustProxy: "loopback" } as unknown as NodeSessionOptions;
        loadSession(manager, req, res, options).then(
          () => res.end("loaded"),
          (error: unknown) => {
            failure = error;
            res.end("refused");
          },
        );
      }),
    );

    const response = await send(server.url, "/");

    expect(response.body).toBe("refused");
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure).toMatchObject({ field: "trustProxy" });
  });

  it("keeps Set-Cookie lines given to writeHead as an object, still forcing no-store", async () => {
    const manager = createSessionManager();
    server = await listen(
      createServer((req, res) => {
        void loadSession(manager, req, res).then(async (session) => {
          await session.login("user-1");
          res.writeHead(200, {
            "Set-Cookie": ["a=1; Path=/", "b=2; Path=/"],
            "Cache-Control": "public, max-age=600",
          });
          res.end("ok");
        });
      }),
    );

    const response = await send(server.url, "/");
    expect(response.setCookie).toEqual(expect.arrayContaining(["a=1; Path=/", "b=2; Path=/"]));
    expect(response.setCookie).toHaveLength(3);
    expect(cookiesNamed(response, NAME)).toHaveLength(1);
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("keeps headers given to writeHead as a flat array with non-string values", async () => {
    const manager = createSessionManager();
    server = await listen(
      createServer((req, res) => {
        void loadSession(manager, req, res).then(async (session) => {
          await session.set({ theme: "dark" });
          res.writeHead(200, ["Content-Type", "text/x-custom", "X-Num", 5]);
          res.end("ok");
        });
      }),
    );

    const response = await send(server.url, "/");
    expect(response.headers["content-type"]).toBe("text/x-custom");
    expect(response.headers["x-num"]).toBe("5");
    expect(cookiesNamed(response, NAME)).toHaveLength(1);
  });

  it("keeps a status message given to writeHead", async () => {
    const manager = createSessionManager();
    server = await listen(
      createServer((req, res) => {
        void loadSession(manager, req, res).then(async (session) => {
          await session.login("user-1");
          res.writeHead(201, "Made It", { "Content-Type": "text/plain" });
          res.end("ok");
        });
      }),
    );

    const response = await send(server.url, "/");
    expect(response.status).toBe(201);
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(cookiesNamed(response, NAME)).toHaveLength(1);
  });

  it("gives the socket address and User-Agent as the request context", async () => {
    let context: unknown = null;
    server = await listen(
      createServer((req, res) => {
        context = requestContext(req);
        res.end();
      }),
    );

    await send(server.url, "/", { headers: [["User-Agent", "UA/2"]] });
    expect(context).toEqual({ ip: "127.0.0.1", userAgent: "UA/2" });
  });
});
