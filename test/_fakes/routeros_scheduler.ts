/**
 * An extension of the RouterOS fake (`startFakeRouterOS`) that runs `/system/scheduler`
 * entries: a test advances the router clock and every one-shot entry whose start time has come
 * runs its `on-event` script, the way the router would (PROTOCOLS.md §12.6). The script is
 * interpreted by an independent parser of RouterOS script syntax (quoted strings with `\`
 * escapes, `[find where …]`, `:do { … } on-error={}`) for the commands MikroClaw's reverts
 * use (`add`, `set`, `unset`, `remove`, `move`), and each command is run against the fake over
 * REST as the fake's `admin` user.
 * @module
 */
import type { FakeRouterOS } from "./routeros.ts";

/** A scheduler runner bound to one fake router. */
export interface FakeScheduler {
  /** The fake's clock as `YYYY-MM-DD HH:MM:SS`. */
  clock(): string;
  /** Moves the router clock on and runs every entry that became due; resolves the scripts run. */
  advance(seconds: number): Promise<string[]>;
  /** Errors of commands that failed inside `:do … on-error` or outright. */
  errors: string[];
}

type Token =
  | { type: "word"; value: string }
  | { type: "pair"; key: string; value: string; find?: Token[] }
  | { type: "group"; tokens: Token[] };

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  n: "\n",
  r: "\r",
  t: "\t",
  $: "$",
  "?": "?",
  _: " ",
};

/** Parses one RouterOS command (independent of the product's tokenizer). */
export function parseScriptCommand(text: string): Token[] {
  let i = 0;
  function quoted(): string {
    i++; // opening quote
    let out = "";
    while (i < text.length && text[i] !== '"') {
      const ch = text[i]!;
      if (ch === "$") throw new Error(`unescaped $ (variable) in a string at ${i}`);
      if (ch === "\\") {
        const next = text[i + 1] ?? "";
        if (next in ESCAPES) {
          out += ESCAPES[next];
          i += 2;
          continue;
        }
        const hex = text.slice(i + 1, i + 3);
        if (/^[0-9A-F]{2}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 3;
          continue;
        }
        throw new Error(`bad escape \\${next} at ${i}`);
      }
      if (ch === "\n") throw new Error("raw newline inside a string");
      out += ch;
      i++;
    }
    if (text[i] !== '"') throw new Error("unterminated string");
    i++;
    return out;
  }
  function bare(): string {
    const start = i;
    while (i < text.length && !/[\s=\[\]"]/.test(text[i]!)) i++;
    return text.slice(start, i);
  }
  function tokens(end?: string): Token[] {
    const out: Token[] = [];
    while (i < text.length) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (i >= text.length) break;
      if (end && text[i] === end) {
        i++;
        return out;
      }
      if (text[i] === "[") {
        i++;
        out.push({ type: "group", tokens: tokens("]") });
        continue;
      }
      const word = text[i] === '"' ? quoted() : bare();
      if (text[i] === "=") {
        i++;
        if (text[i] === "[") {
          i++;
          out.push({ type: "pair", key: word, value: "", find: tokens("]") });
        } else out.push({ type: "pair", key: word, value: text[i] === '"' ? quoted() : bare() });
        continue;
      }
      if (word === "") throw new Error(`unexpected ${text[i]} at ${i}`);
      out.push({ type: "word", value: word });
    }
    if (end) throw new Error(`missing ${end}`);
    return out;
  }
  return tokens();
}

/** Starts the scheduler runner over a running fake. */
export function createFakeScheduler(router: FakeRouterOS): FakeScheduler {
  const errors: string[] = [];
  const auth = "Basic " + btoa("admin:");

  async function rest(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(router.url + path, {
      method,
      headers: {
        authorization: auth,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async function find(menu: string, group: Token[]): Promise<string[]> {
    const head = group[0];
    if (!head || head.type !== "word" || head.value !== "find") throw new Error("only [find …]");
    const conditions = group.slice(1).filter((t) => !(t.type === "word" && t.value === "where"));
    const rows = await rest("GET", menu) as Record<string, string>[];
    return rows.filter((row) =>
      conditions.every((c) => c.type === "pair" && row[c.key] === c.value)
    ).map((r) => r[".id"]!);
  }

  async function run(command: string): Promise<void> {
    const tokens = parseScriptCommand(command);
    const head = tokens[0];
    if (!head || head.type !== "word" || !head.value.startsWith("/")) {
      throw new Error(`not a command: ${command}`);
    }
    const at = head.value.lastIndexOf("/");
    const menu = head.value.slice(0, at);
    const verb = head.value.slice(at + 1);
    const args: Record<string, string> = {};
    let ids: string[] | undefined;
    for (const token of tokens.slice(1)) {
      if (token.type === "group") ids = await find(menu, token.tokens);
      else if (token.type === "pair" && token.key === "numbers") {
        ids = token.find ? await find(menu, token.find) : token.value.split(",");
      } else if (token.type === "pair") args[token.key] = token.value;
      else throw new Error(`unexpected word ${token.value}`);
    }
    switch (verb) {
      case "add":
        await rest("PUT", menu, args);
        return;
      case "remove":
        for (const id of ids ?? []) await rest("DELETE", `${menu}/${id}`);
        return;
      case "set":
        if (!ids) await rest("POST", `${menu}/set`, args);
        else for (const id of ids) await rest("PATCH", `${menu}/${id}`, args);
        return;
      case "unset":
      case "move":
        await rest("POST", `${menu}/${verb}`, { ".id": (ids ?? []).join(","), ...args });
        return;
      default:
        throw new Error(`the fake scheduler cannot run ${verb}`);
    }
  }

  async function runScript(script: string): Promise<void> {
    for (const line of script.split("\n")) {
      const guarded = /^:do \{ (.*) \} on-error=\{\}$/.exec(line);
      try {
        await run(guarded ? guarded[1]! : line);
      } catch (error) {
        errors.push(String(error));
        if (!guarded) return; // an unguarded failure stops the script, as on the router
      }
    }
  }

  function clockMs(): number {
    const c = router.state.singletons.get("/system/clock")!;
    return Date.parse(`${c.date}T${c.time}Z`);
  }

  function format(ms: number): { date: string; time: string } {
    const iso = new Date(ms).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
  }

  return {
    errors,
    clock() {
      const c = router.state.singletons.get("/system/clock")!;
      return `${c.date} ${c.time}`;
    },
    async advance(seconds) {
      const next = clockMs() + seconds * 1000;
      Object.assign(router.state.singletons.get("/system/clock")!, format(next));
      const ran: string[] = [];
      for (const entry of [...router.items("/system/scheduler")]) {
        if (entry.disabled === "true" || (entry.interval !== "0s" && entry.interval !== "0")) {
          continue;
        }
        if (entry["run-count"] !== "0" || entry["start-time"] === "startup") continue;
        const due = Date.parse(`${entry["start-date"]}T${entry["start-time"]}Z`);
        if (!(due <= next)) continue;
        entry["run-count"] = "1";
        const script = entry["on-event"] ?? "";
        ran.push(script);
        await runScript(script);
      }
      return ran;
    },
  };
}
