/** `mikroclaw daemon [--stop]`: `agent` detached, with a pid file and a log file. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig, print } from "../_context.ts";

const args = {
  ...globalArgs,
  stop: { type: "boolean", description: "Stop the running daemon" },
} as const;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** How to start this same CLI again: runtime, its flags, the script. */
function selfCommand(): string[] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const script = process.argv[1]!;
  return deno ? [deno.execPath(), "run", "-A", script] : [process.execPath, script];
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
    const running = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").trim()) : 0;
    const isRunning = Number.isInteger(running) && running > 0 && alive(running);

    if (args.stop) {
      if (!isRunning) {
        fs.rmSync(pidFile, { force: true });
        print("No MikroClaw daemon is running");
        return 1;
      }
      process.kill(running, "SIGTERM");
      for (let i = 0; i < 100 && alive(running); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(running)) {
        print(`MikroClaw daemon (pid ${running}) did not stop within 10 s`);
        return 1;
      }
      fs.rmSync(pidFile, { force: true });
      print(`Stopped MikroClaw daemon (pid ${running})`);
      return 0;
    }

    if (isRunning) {
      print(
        `MikroClaw daemon is already running (pid ${running}); stop it with: mikroclaw daemon --stop`,
      );
      return 1;
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const log = fs.openSync(logFile, "a", 0o600);
    const { spawn } = await import("node:child_process");
    const [cmd, ...rest] = selfCommand();
    const extra = typeof args.config === "string" ? ["--config", args.config] : [];
    const child = spawn(cmd!, [...rest, "agent", ...extra], {
      detached: true,
      stdio: ["ignore", log, log],
      env: process.env,
    });
    fs.closeSync(log);
    if (child.pid === undefined) {
      print("Cannot start the MikroClaw daemon: the process did not start");
      return 1;
    }
    fs.writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 });
    child.unref();
    // Give it a moment: a bad configuration or a taken port ends it at once.
    await new Promise((r) => setTimeout(r, 1500));
    if (!alive(child.pid)) {
      fs.rmSync(pidFile, { force: true });
      print(`MikroClaw daemon exited at start; see ${logFile}`);
      return 1;
    }
    print(`Started MikroClaw daemon (pid ${child.pid}); log: ${logFile}`);
    return 0;
  },
});

export default daemon as CommandDef<any>;
