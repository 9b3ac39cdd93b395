/**
 * `node bench/image.ts` (root; after `npm run image`): one run over every image in
 * `dist/images/` (Node and Bun flavours; `--arch`/`--flavour`/`--image` narrow it as for the
 * build), printing the README's image table: tar size, unpacked size, runtime version,
 * and for the native image (amd64, inside a 256 MiB memory cgroup as the image's user) idle RSS,
 * RSS after 2 000 authenticated requests and the time from `runc run` to the first 200 of
 * `/health/heartbeat` (median of 5 starts). Emulated images (qemu) get sizes and version only: their timings and
 * memory would measure qemu.
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { memoryCgroupAvailable, type Running, runWithRunc } from "../scripts/image/_runner.ts";
import { runtimePath, selectTargets } from "../scripts/image/_targets.ts";
import { MEMORY_LIMIT_BYTES, unpackImage } from "../scripts/image/verify.ts";

const ROOT = resolve(import.meta.dirname ?? ".", "..");
const IMAGES = join(ROOT, "dist/images");
const REQUESTS = 2000;

/** Runs `script` with this Node inside the container's network namespace; returns its stdout. */
function inNetns(pid: number, script: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("nsenter", [
      `--net=/proc/${pid}/ns/net`,
      process.execPath,
      "--input-type=module",
      "-e",
      script,
    ], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on(
      "close",
      (
        code,
      ) => (code === 0
        ? resolvePromise(out.trim())
        : reject(new Error(`netns script exited ${code}`))),
    );
  });
}

const FIRST_200 = `
for (;;) {
  try { const r = await fetch('http://127.0.0.1:18789/health/heartbeat'); if (r.status === 200) break; } catch {}
  await new Promise((r) => setTimeout(r, 10));
}
console.log(Date.now());`;

const LOAD = `
const base = 'http://127.0.0.1:18789';
const pair = await fetch(base + '/pair', { method: 'POST', headers: { 'x-pairing-code': process.env.PAIRING_CODE } });
const { token } = await pair.json();
let left = ${REQUESTS}, ok = 0;
async function worker() {
  while (left-- > 0) {
    const r = await fetch(base + '/tasks', { headers: { authorization: 'Bearer ' + token } });
    await r.arrayBuffer();
    if (r.status === 200) ok++;
  }
}
await Promise.all(Array.from({ length: 10 }, worker));
console.log(ok);`;

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

function cgroupBytes(pid: number): number | undefined {
  const line = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n").find((l) =>
    /:memory:/.test(l)
  );
  if (line === undefined) return undefined;
  const path = line.split(":")[2];
  try {
    return Number(readFileSync(`/sys/fs/cgroup/memory${path}/memory.usage_in_bytes`, "utf8"));
  } catch {
    return undefined;
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Starts the image in the memory cgroup; resolves when `/health/heartbeat` first answers 200. */
async function start(
  bundle: string,
  id: string,
): Promise<{ run: Running; pid: number; ms: number }> {
  const started = Date.now();
  // Every request comes from one loader: raise the per-client bucket as bench/gateway.ts does.
  const env = ["GATEWAY_RATE_LIMIT=1000000", "GATEWAY_RATE_BURST=1000000"];
  const run: Running = runWithRunc({
    bundle,
    id,
    env,
    ...(memoryCgroupAvailable() ? { memoryBytes: MEMORY_LIMIT_BYTES } : {}),
  });
  try {
    let pid: number | undefined;
    while (pid === undefined) {
      pid = await run.pid().catch(() => undefined);
      if (pid === undefined) await new Promise((r) => setTimeout(r, 5));
    }
    const ms = Number(await inNetns(pid, FIRST_200)) - started;
    return { run, pid, ms };
  } catch (error) {
    await run.remove();
    throw error;
  }
}

/** Starts to first 200 per native image: the median of this many starts (one start is noise). */
const STARTS = 5;

async function measureNative(
  bundle: string,
  id: string,
): Promise<{ idle: string; loaded: string; first200: string }> {
  const times: number[] = [];
  for (let i = 1; i < STARTS; i++) {
    const { run, ms } = await start(bundle, id);
    times.push(ms);
    await run.kill("TERM");
    await run.exited;
    await run.remove();
  }
  const { run, pid, ms } = await start(bundle, id);
  times.push(ms);
  times.sort((a, b) => a - b);
  try {
    const [, code] = await run.waitFor(/pairing code: (\d{6})/, 30_000);
    await new Promise((r) => setTimeout(r, 2000)); // settle: idle means after start-up work
    const idle = rssKb(pid) * 1024;
    const idleCg = cgroupBytes(pid);
    const ok = Number(await inNetns(pid, LOAD, { PAIRING_CODE: code! }));
    if (ok !== REQUESTS) throw new Error(`only ${ok} of ${REQUESTS} requests answered 200`);
    const loaded = rssKb(pid) * 1024;
    const loadedCg = cgroupBytes(pid);
    await run.kill("TERM");
    const exit = await run.exited;
    if (exit !== 0) throw new Error(`exit ${exit} after SIGTERM`);
    const cg = (v: number | undefined): string => (v === undefined ? "" : ` (cgroup ${mb(v)})`);
    return {
      idle: mb(idle) + cg(idleCg),
      loaded: mb(loaded) + cg(loadedCg),
      first200: `${times[STARTS >> 1]} ms (median of ${STARTS}; ${times[0]}–${times[STARTS - 1]})`,
    };
  } finally {
    await run.remove();
  }
}

const selected = selectTargets(process.argv.slice(2));
if (typeof selected === "string") {
  console.error(selected);
  process.exit(2);
}
const targets = selected.filter((t) => existsSync(join(IMAGES, `mikroclaw-${t.name}.tar`)));
if (targets.length === 0) {
  console.error("Cannot benchmark the images: none in dist/images; run npm run image");
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "mikroclaw-bench-image-"));
const rows: string[] = [];
try {
  for (const target of targets) {
    const tar = join(IMAGES, `mikroclaw-${target.name}.tar`);
    const bundle = unpackImage(tar, work, target.name);
    const unpacked = Number(
      execFileSync("du", ["-sb", join(bundle, "rootfs")], { encoding: "utf8" }).split("\t")[0],
    );
    const rootfs = join(bundle, "rootfs");
    const runtime = runtimePath(target.flavour);
    const link = lstatSync(join(rootfs, runtime)).isSymbolicLink()
      ? readlinkSync(join(rootfs, runtime))
      : runtime;
    const version = (target.qemu
      ? execFileSync(`/usr/bin/${target.qemu}`, ["-L", rootfs, join(rootfs, link), "--version"], {
        encoding: "utf8",
      })
      : target.flavour === "bun"
      // Bun aborts without /proc, which a bare chroot lacks: run it with the image's own loader.
      ? execFileSync(join(rootfs, "lib64/ld-linux-x86-64.so.2"), [
        "--library-path",
        join(rootfs, "usr/lib/x86_64-linux-gnu"),
        join(rootfs, runtime),
        "--version",
      ], { encoding: "utf8" })
      : execFileSync("chroot", [rootfs, runtime, "--version"], { encoding: "utf8" }))
      .trim();
    const m = target.qemu
      ? { idle: "n/a (emulated)", loaded: "n/a (emulated)", first200: "n/a (emulated)" }
      : await measureNative(bundle, `mikroclaw-bench-${process.pid}`);
    rows.push(
      `| ${target.name} (${target.architecture}${target.variant ? `/${target.variant}` : ""}) | ${
        target.flavour === "bun" ? "Bun" : "Node"
      } | ${mb(statSync(tar).size)} | ${mb(unpacked)} | ${
        target.flavour === "bun" ? `v${version}` : version
      } | ${m.idle} | ${m.loaded} | ${m.first200} |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log([
  "| image | flavour | tar | unpacked | runtime | idle RSS | RSS after 2 000 requests | start to first 200 |",
  "|---|---|---|---|---|---|---|---|",
  ...rows,
].join("\n"));
