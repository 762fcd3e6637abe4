/**
 * The Express demo in a real browser: Debian's Chromium driven by playwright-core, headless, with
 * a fresh profile per run. Two browser contexts are two devices with their own cookie jars.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../support/http.js";
import { startExample, type StartedExample } from "./load.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("examples/express demo in Chromium", () => {
  let demo: StartedExample;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
    }
    demo = await startExample("express");
    // http://localhost is a secure context for Chromium, so it keeps Secure and __Host- cookies.
    origin = demo.url.replace("127.0.0.1", "localhost");
    // launch() gives every run a fresh temporary profile (its own --user-data-dir).
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function signIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.fill('input[name="email"]', "alice@example.test");
    await page.fill('input[name="password"]', "demo-password");
    await Promise.all([page.waitForURL(`${origin}/`), page.click('button[type="submit"]')]);
    await expect.poll(() => page.textContent("#user")).toBe("alice@example.test");
    return page;
  }

  it("shows both sessions, signs out everywhere else, and logout kills the cookie", async () => {
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    const laptopPage = await signIn(laptop);
    const phonePage = await signIn(phone);

    await laptopPage.reload();
    expect(await laptopPage.textContent("#session-count")).toBe("2");
    expect(await laptopPage.locator("tr[data-session]").count()).toBe(2);

    const cookies = await laptop.cookies();
    expect(cookies).toHaveLength(1);
    const [cookie] = cookies;
    expect(cookie!.name.startsWith("__Host-")).toBe(true);
    expect(cookie!.secure).toBe(true);
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe("Lax");
    expect(cookie!.path).toBe("/");
    // A host-only cookie: Chromium reports the bare host, never a leading-dot Domain.
    expect(cookie!.domain).toBe("localhost");

    await Promise.all([laptopPage.waitForURL(`${origin}/`), laptopPage.click("#revoke-others")]);
    expect(await laptopPage.textContent("#session-count")).toBe("1");
    await phonePage.reload();
    expect(await phonePage.locator('input[name="password"]').count()).toBe(1);
    expect(await phonePage.locator("#user").count()).toBe(0);

    const old = cookie!.value;
    await Promise.all([laptopPage.waitForURL(`${origin}/`), laptopPage.click("#logout")]);
    expect(await laptopPage.locator('input[name="password"]').count()).toBe(1);
    expect(await laptop.cookies()).toEqual([]);

    const replay = await send(demo.url, "/me", { headers: [["Cookie", `${cookie!.name}=${old}`]] });
    expect(replay.status).toBe(401);

    await laptop.close();
    await phone.close();
  });

  it("sends a Set-Cookie with no Domain attribute when the browser signs in", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.fill('input[name="email"]', "alice@example.test");
    await page.fill('input[name="password"]', "demo-password");

    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url().endsWith("/login")),
      page.click('button[type="submit"]'),
    ]);
    const lines = (await response.headersArray())
      .filter((header) => header.name.toLowerCase() === "set-cookie")
      .map((header) => header.value);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^__Host-sid=[A-Za-z0-9_.-]+; /);
    expect(lines[0]!.toLowerCase()).not.toContain("domain=");

    await context.close();
  });
});
