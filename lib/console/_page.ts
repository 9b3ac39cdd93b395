/**
 * The web console's page and style sheet, as strings. The page holds no inline script or style
 * (the Content-Security-Policy forbids both); `app.js` fills it in.
 * @module
 */

/** The console page, served at `/console/`. */
export const CONSOLE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>MikroClaw console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>MikroClaw</h1>
  <p id="conn" class="conn" role="status">Loading…</p>
  <div id="account" class="account" hidden>
    <button type="button" id="mint">Pair a device</button>
    <button type="button" id="signout">Sign out</button>
  </div>
</header>
<p id="minted" class="notice" role="status" hidden></p>
<noscript><p class="notice">The console needs JavaScript.</p></noscript>

<section id="pair" class="panel pair" aria-labelledby="pair-h" hidden>
  <h2 id="pair-h">Pair this browser</h2>
  <p>Enter the 6-digit code the gateway printed when it started (<code>pairing code: NNNNNN</code>),
  or one made with “Pair a device” on a browser that is already paired.</p>
  <form id="pair-form" class="inline-form">
    <label for="pair-code">Pairing code</label>
    <input id="pair-code" name="code" inputmode="numeric" autocomplete="one-time-code"
      pattern="[0-9]{6}" maxlength="6" required>
    <button type="submit">Pair</button>
  </form>
  <p id="pair-error" class="error" role="alert"></p>
  <p class="hint">The token stays in this tab only and is forgotten when the tab closes.</p>
</section>

<nav id="nav" class="tabs" aria-label="Console sections" hidden>
  <a href="#/chat" data-tab="chat">Chat</a>
  <a href="#/tasks" data-tab="tasks">Tasks</a>
  <a href="#/changes" data-tab="changes">Changes <span id="pending-badge" class="badge" hidden></span></a>
  <a href="#/jobs" data-tab="jobs">Jobs</a>
  <a href="#/health" data-tab="health">Health</a>
</nav>

<main id="main" hidden>
  <section id="view-chat" class="panel" aria-labelledby="chat-h" hidden>
    <h2 id="chat-h">Chat</h2>
    <ol id="chat-log" class="log" role="log" aria-live="polite"></ol>
    <p id="chat-status" class="status" role="status"></p>
    <form id="chat-form" class="composer">
      <label for="chat-input">Message to the agent</label>
      <textarea id="chat-input" rows="3" required
        placeholder="e.g. Which interfaces are down?"></textarea>
      <p class="hint">Enter sends, Shift+Enter starts a new line.</p>
      <div class="buttons">
        <button type="submit" id="chat-send">Send</button>
        <button type="button" id="chat-stop" hidden>Stop</button>
      </div>
    </form>
  </section>

  <section id="view-tasks" class="panel" aria-labelledby="tasks-h" hidden>
    <h2 id="tasks-h">Tasks</h2>
    <form id="task-form" class="inline-form">
      <label for="task-type">Type</label>
      <select id="task-type">
        <option value="agent">agent</option>
        <option value="investigate">investigate</option>
        <option value="analyze">analyze</option>
        <option value="summarize">summarize</option>
      </select>
      <label for="task-input">Input</label>
      <input id="task-input" placeholder="prompt or text">
      <button type="submit">Queue task</button>
    </form>
    <p id="tasks-error" class="error" role="alert"></p>
    <div id="task-detail" class="detail" hidden></div>
    <ul id="tasks-list" class="rows" aria-label="Tasks, newest first"></ul>
  </section>

  <section id="view-changes" class="panel" aria-labelledby="changes-h" hidden>
    <h2 id="changes-h">Router changes</h2>
    <p id="changes-error" class="error" role="alert"></p>
    <p id="change-progress" class="status" role="status"></p>
    <div id="change-detail" class="detail" hidden></div>
    <ul id="changes-list" class="rows" aria-label="Changes, newest first"></ul>
  </section>

  <section id="view-jobs" class="panel" aria-labelledby="jobs-h" hidden>
    <h2 id="jobs-h">Jobs</h2>
    <form id="job-form" class="inline-form">
      <label for="job-schedule">Schedule</label>
      <input id="job-schedule" class="mono" required placeholder="0 7 * * * or every 6h">
      <label for="job-tz">Time zone</label>
      <input id="job-tz" placeholder="Europe/Berlin (default: the router's)">
      <label for="job-prompt">Prompt</label>
      <input id="job-prompt" required placeholder="e.g. Report interfaces that are down">
      <button type="submit">Add job</button>
    </form>
    <p id="jobs-error" class="error" role="alert"></p>
    <p id="jobs-note" role="status"></p>
    <ul id="jobs-list" class="rows" aria-label="Scheduled jobs"></ul>
  </section>

  <section id="view-health" class="panel" aria-labelledby="health-h" hidden>
    <h2 id="health-h">Health</h2>
    <p id="health-summary" role="status"></p>
    <ul id="health-list" class="rows" aria-label="Components"></ul>
  </section>
</main>
</body>
</html>
`;

/** The console's style sheet, served at `/console/app.css`. */
export const CONSOLE_CSS: string = `:root {
  --bg: #f6f7f9; --fg: #16181d; --muted: #4a5160; --panel: #fff; --line: #c9ced8;
  --accent: #0b57d0; --accent-fg: #fff; --ok: #146c2e; --bad: #b3261e; --warn: #7a4d00;
  --add-bg: #e3f5e8; --del-bg: #fde8e7; --focus: #0b57d0;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111317; --fg: #e8eaed; --muted: #aeb4bf; --panel: #1b1e24; --line: #3b404a;
    --accent: #8ab4f8; --accent-fg: #0b1020; --ok: #7dd99a; --bad: #ffb4ab; --warn: #f2c46b;
    --add-bg: #15361f; --del-bg: #431a17; --focus: #8ab4f8;
  }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 0 .75rem 2rem; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 0 0 .5rem; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
[hidden] { display: none !important; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button, input, select, textarea { font: inherit; color: inherit; }
button {
  background: var(--accent); color: var(--accent-fg); border: 1px solid var(--accent);
  border-radius: .4rem; padding: .45rem .9rem; cursor: pointer; min-height: 2.5rem;
}
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); color: var(--panel); }
button:disabled { opacity: .55; cursor: progress; }
input, select, textarea {
  background: var(--panel); border: 1px solid var(--line); border-radius: .4rem;
  padding: .45rem .6rem; min-height: 2.5rem; max-width: 100%;
}
textarea { width: 100%; resize: vertical; }
label { font-weight: 600; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .75rem 0; }
.conn { margin: 0; color: var(--muted); flex: 1 1 auto; }
.conn.ok::before, .conn.bad::before { content: "●"; margin-right: .35rem; }
.conn.ok::before { color: var(--ok); }
.conn.bad::before { color: var(--bad); }
.account { display: flex; gap: .5rem; flex-wrap: wrap; }
.account button { background: transparent; color: var(--accent); }
.tabs { display: flex; gap: .25rem; overflow-x: auto; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
.tabs a {
  padding: .6rem .9rem; text-decoration: none; color: var(--fg); white-space: nowrap;
  border-bottom: 3px solid transparent;
}
.tabs a[aria-current="page"] { border-bottom-color: var(--accent); font-weight: 600; }
.badge {
  display: inline-block; min-width: 1.4rem; padding: 0 .35rem; border-radius: 1rem;
  background: var(--bad); color: var(--panel); font-size: .8rem; text-align: center;
}
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: .6rem; padding: 1rem; }
.pair { max-width: 32rem; margin: 2rem auto; }
.inline-form { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-bottom: .75rem; }
.inline-form input { flex: 1 1 10rem; }
.notice { background: var(--panel); border: 1px solid var(--accent); border-radius: .6rem; padding: .75rem 1rem; }
.error { color: var(--bad); margin: .25rem 0; }
.error:empty, .status:empty { display: none; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.status { color: var(--muted); margin: .5rem 0; }
.log { list-style: none; margin: 0 0 .5rem; padding: 0; display: flex; flex-direction: column; gap: .6rem; }
.msg { border-radius: .6rem; padding: .6rem .8rem; max-width: 100%; }
.msg.user { background: var(--bg); border: 1px solid var(--line); align-self: flex-end; }
.msg.agent { border: 1px solid var(--line); }
.msg .who { display: block; font-size: .8rem; color: var(--muted); font-weight: 600; }
.msg .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.tool { border-left: 3px solid var(--line); margin: .4rem 0; padding-left: .6rem; }
.tool summary { cursor: pointer; color: var(--muted); }
.tool.failed summary { color: var(--bad); }
.composer .buttons { display: flex; gap: .5rem; margin-top: .5rem; }
.rows { list-style: none; margin: 0; padding: 0; }
.rows > li { border-top: 1px solid var(--line); }
.row {
  display: flex; flex-wrap: wrap; gap: .25rem 1rem; width: 100%; text-align: left;
  background: transparent; color: var(--fg); border: 0; border-radius: 0; padding: .6rem .25rem;
  text-decoration: none;
}
.row:hover { background: var(--bg); }
.row .main { flex: 1 1 16rem; overflow-wrap: anywhere; }
.row .meta { color: var(--muted); font-size: .9rem; }
.plain { padding: .6rem .25rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.job { align-items: center; }
.job button { margin-left: auto; }
.job .what { flex-basis: 100%; overflow-wrap: anywhere; }
.job .meta { color: var(--muted); font-size: .9rem; flex-basis: 100%; }
.state { font-weight: 600; text-transform: uppercase; font-size: .8rem; letter-spacing: .03em; }
.state.ok { color: var(--ok); }
.state.bad { color: var(--bad); }
.state.wait { color: var(--warn); }
.detail { border: 1px solid var(--accent); border-radius: .6rem; padding: .75rem 1rem; margin-bottom: 1rem; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: .5rem 0; }
.detail dt { color: var(--muted); }
.detail dd { margin: 0; overflow-wrap: anywhere; }
.detail .buttons { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .75rem; }
.diff { border: 1px solid var(--line); border-radius: .4rem; padding: .5rem; background: var(--bg); }
.diff span { display: block; }
.diff .add { background: var(--add-bg); }
.diff .del { background: var(--del-bg); }
.diff .head { font-weight: 600; }
@media (max-width: 40rem) {
  body { padding: 0 .5rem 1.5rem; }
  .panel { padding: .75rem; border-radius: .4rem; }
  .detail dl { grid-template-columns: 1fr; }
  .detail dt { margin-top: .3rem; }
  .tabs a { padding: .6rem .5rem; font-size: .95rem; }
}
`;
