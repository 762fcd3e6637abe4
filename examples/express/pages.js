// The demo's HTML. Everything that comes from a user, a request or the store goes through
// escapeHTML, so nothing a client sends can become markup.

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHTML(value) {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function time(ms) {
  return escapeHTML(new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC");
}

function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title)} · latchkey demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; }
  body { padding: 0 1rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; }
  form.inline { display: inline; } .error { color: #a00; }
  code { background: #f4f4f4; padding: 0 .2rem; }
  label { display: block; margin: .5rem 0; } button { margin: .3rem .3rem .3rem 0; }
</style>
</head>
<body>
<h1>latchkey demo</h1>
${body}
</body>
</html>`;
}

/** The login form, with the demo accounts shown. */
export function loginPage({ emails, password, error = null, email = "" }) {
  const accounts = emails.map((entry) => `<li><code>${escapeHTML(entry)}</code></li>`).join("");
  const message = error === null ? "" : `<p class="error" role="alert">${escapeHTML(error)}</p>`;

  return layout(
    "Sign in",
    `<h2>Sign in</h2>
${message}
<form method="post" action="/login">
  <label>Email <input type="email" name="email" value="${escapeHTML(email)}" required
    autocomplete="username"></label>
  <label>Password <input type="password" name="password" required
    autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
<p>Demo accounts (password <code>${escapeHTML(password)}</code> for both):</p>
<ul>${accounts}</ul>`,
  );
}

function sessionRow(summary, currentId) {
  const current = summary.id === currentId;
  const revokePath = `/sessions/${encodeURIComponent(summary.id)}/revoke`;
  const action = current
    ? "<strong>this browser</strong>"
    : `<form class="inline" method="post" action="${revokePath}">
        <button type="submit">Revoke</button></form>`;
  const marker = current ? ' data-current="true"' : "";

  return `<tr data-session="${escapeHTML(summary.idPrefix)}"${marker}>
  <td><code>${escapeHTML(summary.idPrefix)}…</code></td>
  <td>${time(summary.createdAt)}</td>
  <td>${time(summary.lastSeenAt)}</td>
  <td>${escapeHTML(summary.ip ?? "unknown")}</td>
  <td>${escapeHTML(summary.userAgent ?? "unknown")}</td>
  <td>${action}</td>
</tr>`;
}

/** The signed-in page: the current session and the user's session list. */
export function accountPage({ session, sessions }) {
  const rows = sessions.map((summary) => sessionRow(summary, session.id)).join("\n");

  return layout(
    "Your sessions",
    `<p>Signed in as <strong id="user">${escapeHTML(session.userId)}</strong>.</p>
<h2>This session</h2>
<ul>
  <li>Session <code>${escapeHTML(session.id.slice(0, 8))}…</code></li>
  <li>Signed in at ${time(session.authenticatedAt ?? session.createdAt)}</li>
  <li>Expires when idle at ${time(session.idleExpiresAt)},
    at the latest ${time(session.absoluteExpiresAt)}</li>
</ul>
<h2>Your sessions (<span id="session-count">${sessions.length}</span>)</h2>
<table>
  <thead><tr>
    <th>Session</th><th>Created</th><th>Last seen</th><th>IP</th><th>Browser</th><th></th>
  </tr></thead>
  <tbody>
${rows}
  </tbody>
</table>
<form class="inline" method="post" action="/sessions/revoke-others">
  <button type="submit" id="revoke-others">Sign out everywhere else</button>
</form>
<form class="inline" method="post" action="/logout">
  <button type="submit" id="logout">Sign out</button>
</form>`,
  );
}

/** A short error page. */
export function errorPage(title, text) {
  return layout(
    title,
    `<h2>${escapeHTML(title)}</h2><p>${escapeHTML(text)}</p><p><a href="/">Back</a></p>`,
  );
}
