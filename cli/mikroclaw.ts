#!/usr/bin/env node
/**
 * The `mikroclaw` command line: `node cli/mikroclaw.ts <command>` (also `deno run -A` and
 * `bun`). Run `mikroclaw --help` for the commands.
 * @module
 */
import module from "node:module";

// Node keeps the compiled code of every module it loads after this in its compile cache (in
// the OS temp folder), so each later start skips most of the compiling (issue #19: a router
// restarts the gateway after every reboot). A no-op where the runtime has no such cache.
module.enableCompileCache?.();
const { runCli } = await import("./_main.ts");

process.exitCode = await runCli(process.argv.slice(2));
