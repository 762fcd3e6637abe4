/**
 * The Worker module for workerd: the smoke handler from app.mjs as a module Worker's `fetch`.
 * The runner bundles this file with esbuild (browser platform, `workerd` conditions) into one
 * module before miniflare loads it.
 */
import { createApp } from "./app.mjs";

const app = createApp();

export default {
  fetch(request) {
    return app(request);
  },
};
