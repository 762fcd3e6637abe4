/**
 * A minimal Node `http` adapter for Fetch handlers (`Request` in, `Response` out), used for both
 * the bare Fetch ceiling and latchkey's Fetch scenario so that they pay the same conversion.
 * GET-only (no request body), which is all the benchmark sends.
 */

/** Wraps `handler(request)` as a Node request listener. */
export function serveFetch(handler) {
  return (req, res) => {
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
    const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, {
      method: req.method,
      headers,
    });

    Promise.resolve(handler(request))
      .then(async (response) => {
        const out = {};
        response.headers.forEach((value, name) => {
          if (name !== "set-cookie") out[name] = value;
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length > 0) out["set-cookie"] = cookies;
        const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
        if (body !== null) out["content-length"] = String(body.length);
        res.writeHead(response.status, out);
        res.end(body);
      })
      .catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
  };
}
