/**
 * Runs a script (the gateway bundle) in this process and, on SIGUSR2, forces a full garbage
 * collection and prints the live heap as `@@HEAP<n>:<bytes>@@` — the leak check reads it beside
 * the RSS — and the whole `process.memoryUsage()` as `@@MEM<n>:<json>@@` (the idle profile). Needs `--expose-gc` on Node, `--v8-flags=--expose-gc` on Deno; Bun has `Bun.gc`.
 *
 * Run: `node --expose-gc bench/_gc_entry.ts dist/mikroclaw.mjs gateway --port 0`.
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";

const g = globalThis as {
  gc?: () => void;
  Bun?: { gc(force: boolean): void };
  Deno?: { addSignalListener(signal: string, handler: () => void): void };
};

function collect(): void {
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else throw new Error("Cannot force a GC: start with --expose-gc");
}

let readings = 0;
function report(): void {
  collect();
  // a second pass after the timers and promises the first freed have run
  setTimeout(() => {
    collect();
    const usage = process.memoryUsage();
    console.log(`@@HEAP${++readings}:${usage.heapUsed}@@`);
    console.log(`@@MEM${readings}:${JSON.stringify(usage)}@@`);
  }, 50);
}

if (g.Deno) g.Deno.addSignalListener("SIGUSR2", report);
else process.on("SIGUSR2", report);

const [script] = process.argv.splice(2, 1);
if (!script) throw new Error("Cannot run: name the script to run");
await import(pathToFileURL(script).href);
