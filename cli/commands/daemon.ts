/**
 * `mikroclaw daemon [--stop]`: `agent` detached, with a pid file and a log file.
 *
 * The pid file is created exclusively before anything is spawned, so concurrent starts leave
 * exactly one agent. It holds the child's pid and a random daemon id the child also gets in
 * its environment (`MIKROCLAW_DAEMON_ID`); `--stop` signals a pid only after checking that the
 * process carries that id (via `/proc/<pid>/environ`), so a stale pid file naming someone else's
 * process never gets that process killed, and only our own pid file is ever removed.
 * @module
 */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig, print } from "../_context.ts";

const args = {
  ...globalArgs,
  stop: { type: "boolean", description: "Stop the running daemon" },
} as const;

/** The environment variable carrying the daemon id to the child. */
const ID_VAR = "MIKROCLAW_DAEMON_ID";
/** A pid file still without a pid after this long belongs to a start that died. */
const STARTING_STALE_MS = 30_000;

type Fs = typeof import("node:fs");

/** What the pid file says: `starting <id>` while spawning, then `<pid> <id>`. */
interface PidEntry {
  text: string;
  pid: number | undefined;
  id: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

function readEntry(fs: Fs, file: string): PidEntry | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  // A bare pid (older versions) carries no id: it can never be proven ours.
  const m = /^(starting|\d{1,10})(?: ([0-9a-f]{32}))?\n?$/.exec(text);
  if (!m) return { text, pid: undefined, id: "" };
  return { text, pid: m[1] === "starting" ? undefined : Number(m[1]), id: m[2] ?? "" };
}

/**
 * Whether `pid` is the daemon with id `id`: its environment carries the id. Where `/proc` is
 * missing this cannot be proven, so the answer is "unknown".
 */
function isOurs(fs: Fs, pid: number, id: string): boolean | "unknown" {
  if (!fs.existsSync("/proc/self/environ")) return "unknown";
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
    return id !== "" && environ.split("\0").includes(`${ID_VAR}=${id}`);
  } catch {
    return false;
  }
}

/** Removes `file` only while it still holds `text` (never someone else's newer pid file). */
function removeIfUnchanged(fs: Fs, file: string, text: string): void {
  const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = fs.readFileSync(aside, "utf8");
  if (moved === text) {
    fs.rmSync(aside, { force: true });
    return;
  }
  // Another start replaced it in between: put theirs back (unless yet another appeared).
  try {
    fs.linkSync(aside, file);
  } catch {
    // a newer file is in place; theirs was already superseded
  }
  fs.rmSync(aside, { force: true });
}

/** How to start this same CLI again: runtime, its flags, the script. */
function selfCommand(): string[] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const script = process.argv[1]!;
  return deno ? [deno.execPath(), "run", "-A", script] : [process.execPath, script];
}

function stale(fs: Fs, file: string, entry: PidEntry): boolean {
  if (entry.pid !== undefined) {
    return !alive(entry.pid) || isOurs(fs, entry.pid, entry.id) === false;
  }
  if (entry.id === "") return true;
  try {
    return Date.now() - fs.statSync(file).mtimeMs > STARTING_STALE_MS;
  } catch {
    return true;
  }
}

const daemon = defineCommand({
  meta: {
    name: "daemon",
    description: "Run the agent detached (pid and log in MIKROCLAW_STATE_DIR); --stop stops it",
  },
  args,
  async run({ args }) {
    const config = await loadCliConfig(args);
    const fs = await import("node:fs");
    const { join } = await import("node:path");
    const dir = config.storage.stateDir;
    const pidFile = join(dir, "mikroclaw.pid");
    const logFile = join(dir, "mikroclaw.log");

    if (args.stop) return await stop(fs, pidFile);

    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const id = [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    let claimed = false;
    for (let attempt = 0; attempt < 2 && !claimed; attempt++) {
      try {
        fs.writeFileSync(pidFile, `starting ${id}\n`, { flag: "wx", mode: 0o600 });
        claimed = true;
      } catch (error) {
        if ((error as { code?: string }).code !== "EEXIST") throw error;
        const entry = readEntry(fs, pidFile);
        if (entry && !stale(fs, pidFile, entry)) {
          print(
            entry.pid === undefined
              ? "Another MikroClaw daemon is starting right now; check again with: mikroclaw daemon --stop"
              : `MikroClaw daemon is already running (pid ${entry.pid}); stop it with: mikroclaw daemon --stop`,
          );
          return 1;
        }
        if (entry) removeIfUnchanged(fs, pidFile, entry.text);
      }
    }
    if (!claimed) {
      print(`Cannot start the MikroClaw daemon: cannot create ${pidFile} (another start holds it)`);
      return 1;
    }
    const ownText = (pid: number | "starting") => `${pid} ${id}\n`;
    const log = fs.openSync(logFile, "a", 0o600);
    const { spawn } = await import("node:child_process");
    const [cmd, ...rest] = selfCommand();
    const extra = typeof args.config === "string" ? ["--config", args.config] : [];
    const child = spawn(cmd!, [...rest, "agent", ...extra], {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, [ID_VAR]: id },
    });
    fs.closeSync(log);
    if (child.pid === undefined) {
      removeIfUnchanged(fs, pidFile, ownText("starting"));
      print("Cannot start the MikroClaw daemon: the process did not start");
      return 1;
    }
    fs.writeFileSync(pidFile, ownText(child.pid), { mode: 0o600 });
    child.unref();
    // Give it a moment: a bad configuration or a taken port ends it at once.
    await new Promise((r) => setTimeout(r, 1500));
    if (!alive(child.pid)) {
      removeIfUnchanged(fs, pidFile, ownText(child.pid));
      print(`MikroClaw daemon exited at start; see ${logFile}`);
      return 1;
    }
    print(`Started MikroClaw daemon (pid ${child.pid}); log: ${logFile}`);
    return 0;
  },
});

async function stop(fs: Fs, pidFile: string): Promise<number> {
  const entry = readEntry(fs, pidFile);
  if (!entry || entry.pid === undefined || !alive(entry.pid)) {
    if (entry && (entry.pid !== undefined || stale(fs, pidFile, entry))) {
      removeIfUnchanged(fs, pidFile, entry.text);
    }
    print("No MikroClaw daemon is running");
    return 1;
  }
  const pid = entry.pid;
  const ours = isOurs(fs, pid, entry.id);
  if (ours !== true) {
    if (ours === false) removeIfUnchanged(fs, pidFile, entry.text);
    print(
      ours === false
        ? `Not stopping pid ${pid}: it is not a MikroClaw daemon (the pid file ${pidFile} was stale and is removed)`
        : `Not stopping pid ${pid}: this system has no /proc to prove it is the MikroClaw daemon; stop it yourself (kill ${pid}) if it is`,
    );
    return 1;
  }
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) {
    print(`MikroClaw daemon (pid ${pid}) did not stop within 10 s`);
    return 1;
  }
  removeIfUnchanged(fs, pidFile, entry.text);
  print(`Stopped MikroClaw daemon (pid ${pid})`);
  return 0;
}

export default daemon as CommandDef<any>;
