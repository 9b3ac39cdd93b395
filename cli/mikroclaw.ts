#!/usr/bin/env node
/**
 * The `mikroclaw` command line: `node cli/mikroclaw.ts <command>` (also `deno run -A` and
 * `bun`). Run `mikroclaw --help` for the commands.
 * @module
 */
import { runCli } from "./_main.ts";

process.exitCode = await runCli(process.argv.slice(2));
