#!/usr/bin/env node
/**
 * `node cli/mikroclaw.mjs <command>`: the CLI in a checkout with whatever Node is on PATH.
 * Plain JavaScript, so even a Node too old to strip types gets this far. On Node >= 22.18, Deno
 * and Bun it runs `cli/mikroclaw.ts` in this process; on an older Node it runs it with the
 * Node 24 that `npm install` puts in `node_modules/.bin`, or says in one line what is needed.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";

const NEEDED = [22, 18];
const HERE = new URL(".", import.meta.url);
const g = /** @type {{ Deno?: unknown, Bun?: unknown }} */ (globalThis);

/** Whether this runtime strips TypeScript types itself. */
function runsTypeScript() {
  if (g.Deno || g.Bun) return true;
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > NEEDED[0] || (major === NEEDED[0] && minor >= NEEDED[1]);
}

if (runsTypeScript()) {
  await import(new URL("./mikroclaw.ts", HERE).href);
} else {
  const projectNode = fileURLToPath(new URL("../node_modules/.bin/node", HERE));
  if (!existsSync(projectNode)) {
    process.stderr.write(
      `MikroClaw needs Node >= ${NEEDED.join(".")} (this is ${process.version}): ` +
        "run npm install here (it brings Node 24), then node cli/mikroclaw.mjs <command> again\n",
    );
    process.exit(2);
  }
  const child = spawn(
    projectNode,
    [fileURLToPath(new URL("./mikroclaw.ts", HERE)), ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  // Ctrl-C reaches both processes through the terminal; a SIGINT or SIGTERM sent to this one
  // alone is passed on as SIGTERM, which the CLI drains on as it does on SIGINT.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal === "SIGHUP" ? "SIGHUP" : "SIGTERM"));
  }
  child.on("exit", (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : code ?? 1);
  });
}
