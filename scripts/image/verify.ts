/**
 * `npm run image:verify [-- --arch amd64,arm64] [--flavour node,bun]`: starts every image in
 * `dist/images/` the way a router would and proves it works. For each tar: its sha256 is the one in `SHA256SUMS`, its
 * `/app` is the bundle `bundle-manifest.json` records for this commit, its Entrypoint carries the
 * memory flags the benchmarks measure; then, converted with `skopeo` and unpacked with `umoci`,
 * it runs under `runc` as its unprivileged user with only loopback (amd64 natively inside a
 * 256 MiB memory cgroup, ARM under qemu user emulation):
 * - default storage with `/data` unwritable (a root-owned 0755 tmpfs, as an unknown mount owner):
 *   the HEALTHCHECK passes, pairing with the code from the log and `GET /tasks` answer, SIGTERM
 *   exits 0;
 * - `/data` writable with `MIKROCLAW_STORAGE=fs:/data/state`: the same, and the state is on disk;
 * - `fs:/data/state` with `/data` unwritable: exit 2 with one line naming the path.
 * Needs root, skopeo, umoci, runc and qemu-user-static.
 * @module
 */
import { execFileSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type BundleManifest, compareBundles, hashBundle } from "./_bundle.ts";
import type { ContainerConfig } from "./_docker_archive.ts";
import { sha256File } from "./_inputs.ts";
import { IMAGE_UID } from "./_rootfs.ts";
import { memoryCgroupAvailable, type Running, runWithRunc } from "./_runner.ts";
import { evalCommand, type ImageTarget, memoryFlags, selectTargets } from "./_targets.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "dist/images");
/** The router's typical `ram-high`. */
export const MEMORY_LIMIT_BYTES: number = 256 * 1024 * 1024;

/** The image config inside a `docker save` tar. */
export function readImageConfig(
  tar: string,
): { architecture: string; variant?: string; config: ContainerConfig } {
  const [manifest] = JSON.parse(
    execFileSync("tar", ["-xOf", tar, "manifest.json"], { encoding: "utf8" }),
  ) as { Config: string }[];
  return JSON.parse(
    execFileSync("tar", ["-xOf", tar, manifest!.Config], { encoding: "utf8", maxBuffer: 1 << 24 }),
  );
}

/** Converts and unpacks a `docker save` tar into an OCI runtime bundle under `work`. */
export function unpackImage(tar: string, work: string, name: string): string {
  const layout = join(work, "oci");
  const bundle = join(work, `bundle-${name}`);
  rmSync(bundle, { recursive: true, force: true });
  execFileSync("skopeo", ["copy", "-q", `docker-archive:${tar}`, `oci:${layout}:${name}`]);
  execFileSync("umoci", ["unpack", "--image", `${layout}:${name}`, bundle], { stdio: "ignore" });
  return bundle;
}

/** What a verify step found. */
type Check = { name: string; ok: boolean; detail: string };

/** The in-container script that pairs with the logged code and lists tasks with the token. */
const PAIR_AND_LIST = `
const base = 'http://127.0.0.1:' + (process.env.GATEWAY_PORT || 18789);
const pair = await fetch(base + '/pair', { method: 'POST', headers: { 'x-pairing-code': process.env.PAIRING_CODE } });
const { token } = await pair.json();
const tasks = await fetch(base + '/tasks', { headers: { authorization: 'Bearer ' + token } });
console.log(JSON.stringify({ pair: pair.status, tasks: tasks.status, body: await tasks.text() }));
`;

/** Polls the image's HEALTHCHECK command until it exits 0 (or the container stops). */
async function healthy(run: Running, test: readonly string[], deadlineMs: number): Promise<number> {
  const started = Date.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    const result = await run.exec(test.slice(1));
    if (result.code === 0) return attempts;
    if (Date.now() - started > deadlineMs) {
      throw new Error(
        `HEALTHCHECK still failing after ${attempts} attempts: ${result.stderr.trim()}`,
      );
    }
    const exited = await Promise.race([
      run.exited.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 1000)),
    ]);
    if (exited) {
      throw new Error(`container exited before its HEALTHCHECK passed: ${run.output().trim()}`);
    }
  }
}

async function bootCase(
  target: ImageTarget,
  bundle: string,
  test: readonly string[],
  label: string,
  options: { env?: string[]; dataDir?: string },
): Promise<Check> {
  const native = target.qemu === undefined;
  const run = runWithRunc({
    bundle,
    id: `mikroclaw-verify-${process.pid}-${target.name}-${label}`,
    ...options,
    ...(native && memoryCgroupAvailable() ? { memoryBytes: MEMORY_LIMIT_BYTES } : {}),
    ...(target.qemu ? { qemu: `/usr/bin/${target.qemu}` } : {}),
  });
  const name = `${target.name} ${label}`;
  try {
    const timeout = native ? 60_000 : 300_000;
    const [, code] = await run.waitFor(/pairing code: (\d{6})/, timeout);
    const attempts = await healthy(run, test, timeout);
    const listed = await run.exec(evalCommand(target.flavour, PAIR_AND_LIST), [
      `PAIRING_CODE=${code}`,
    ]);
    const answer = listed.stdout || listed.stderr;
    const parsed = JSON.parse(answer.trim().split("\n").pop() ?? "{}") as {
      pair?: number;
      tasks?: number;
    };
    if (parsed.pair !== 200 || parsed.tasks !== 200) {
      throw new Error(`pair/tasks answered ${answer.trim()}`);
    }
    await run.kill("TERM");
    const exit = await run.exited;
    if (exit !== 0) {
      throw new Error(
        `exit ${exit} after SIGTERM: ${run.output().trim().split("\n").slice(-2).join(" | ")}`,
      );
    }
    return {
      name,
      ok: true,
      detail: `healthy after ${attempts} check(s), paired, GET /tasks 200, SIGTERM -> exit 0`,
    };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    await run.remove();
  }
}

async function failCase(target: ImageTarget, bundle: string): Promise<Check> {
  const name = `${target.name} fs:/data/state on unwritable /data`;
  const run = runWithRunc({
    bundle,
    id: `mikroclaw-verify-${process.pid}-${target.name}-unwritable`,
    env: ["MIKROCLAW_STORAGE=fs:/data/state"],
    ...(target.qemu ? { qemu: `/usr/bin/${target.qemu}` } : {}),
  });
  try {
    const timeout = new Promise<number>((resolve) =>
      setTimeout(() => resolve(-1), target.qemu ? 300_000 : 60_000).unref()
    );
    const exit = await Promise.race([run.exited, timeout]);
    const lines = run.output().trim().split("\n").filter((l) => l.trim() !== "");
    // The CLI's configuration error: a header line, then one line naming the path and the fix.
    const named = lines.filter((l) =>
      l.includes("fs:/data/state") && l.includes("MIKROCLAW_STORAGE=memory")
    );
    const ok = exit === 2 && named.length === 1 && lines.length <= 2 &&
      !lines.some((l) => l.startsWith("    at "));
    return { name, ok, detail: `exit ${exit}: ${lines.join(" | ")}` };
  } finally {
    await run.remove();
  }
}

async function verifyImage(
  target: ImageTarget,
  work: string,
  manifest: BundleManifest,
  sums: Map<string, string>,
): Promise<Check[]> {
  const file = `mikroclaw-${target.name}.tar`;
  const tar = join(IMAGES, file);
  const checks: Check[] = [];
  const sha = await sha256File(tar);
  checks.push({ name: `${target.name} SHA256SUMS`, ok: sums.get(file) === sha, detail: sha });
  const image = readImageConfig(tar);
  const platform = `${image.architecture}${image.variant ? `/${image.variant}` : ""}`;
  const wantPlatform = `${target.architecture}${target.variant ? `/${target.variant}` : ""}`;
  checks.push({ name: `${target.name} platform`, ok: platform === wantPlatform, detail: platform });
  const flags = memoryFlags(target.flavour).every((f) => image.config.Entrypoint.includes(f));
  checks.push({
    name: `${target.name} memory flags`,
    ok: flags,
    detail: image.config.Entrypoint.join(" "),
  });
  const bundle = unpackImage(tar, work, target.name);
  const differences = compareBundles(manifest.files, hashBundle(join(bundle, "rootfs/app")));
  const maps = readdirSync(join(bundle, "rootfs/app")).filter((f) => !f.endsWith(".mjs"));
  checks.push({
    name: `${target.name} bundle`,
    ok: differences.length === 0 && maps.length === 0 &&
      image.config.Labels["org.opencontainers.image.revision"] === manifest.commit,
    detail: differences.length === 0 && maps.length === 0
      ? `${Object.keys(manifest.files).length} files = bundle-manifest.json (commit ${
        manifest.commit.slice(0, 12)
      })`
      : [...differences, ...maps.map((m) => `${m}: not a bundle file`)].join(", "),
  });
  const test = image.config.Healthcheck.Test;
  checks.push(await bootCase(target, bundle, test, "default-storage-unwritable-data", {}));
  const dataDir = join(work, `data-${target.name}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir);
  chownSync(dataDir, IMAGE_UID, IMAGE_UID);
  const writable = await bootCase(target, bundle, test, "fs-storage-writable-data", {
    env: ["MIKROCLAW_STORAGE=fs:/data/state"],
    dataDir,
  });
  if (writable.ok && !existsSync(join(dataDir, "state"))) {
    writable.ok = false;
    writable.detail += "; but nothing was written under /data/state";
  }
  checks.push(writable);
  checks.push(await failCase(target, bundle));
  return checks;
}

/** The tools verify needs, by the Debian package that has them. */
const TOOLS: Readonly<Record<string, string>> = {
  skopeo: "skopeo",
  umoci: "umoci",
  runc: "runc",
  "qemu-aarch64-static": "qemu-user-static",
  "qemu-arm-static": "qemu-user-static",
};

async function main(argv: string[]): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error(
      "Cannot verify the images: runc and umoci need root (run it as root, as CI does)",
    );
    return 2;
  }
  const missingTools = Object.keys(TOOLS).filter((tool) =>
    !["/usr/bin", "/usr/sbin", "/bin", "/sbin"].some((dir) => existsSync(join(dir, tool)))
  );
  if (missingTools.length > 0) {
    const packages = [...new Set(missingTools.map((t) => TOOLS[t]))].join(" ");
    console.error(
      `Cannot verify the images: ${
        missingTools.join(", ")
      } missing; apt-get install -y ${packages}`,
    );
    return 2;
  }
  const selected = selectTargets(argv);
  if (typeof selected === "string") {
    console.error(selected.replace("Cannot use", "Cannot verify"));
    return 2;
  }
  // Without --flavour, the Bun images are verified when they were built.
  const targets = argv.includes("--flavour")
    ? selected
    : selected.filter((t) =>
      t.flavour === "node" || existsSync(join(IMAGES, `mikroclaw-${t.name}.tar`))
    );
  const missing = targets.filter((t) => !existsSync(join(IMAGES, `mikroclaw-${t.name}.tar`)));
  if (missing.length > 0) {
    console.error(
      `Cannot verify ${
        missing.map((t) => t.name).join(",")
      }: no image; run npm run image -- --arch ${
        [...new Set(missing.map((t) => t.arch))].join(",")
      } --flavour ${[...new Set(missing.map((t) => t.flavour))].join(",")}`,
    );
    return 2;
  }
  const manifest = JSON.parse(
    readFileSync(join(IMAGES, "bundle-manifest.json"), "utf8"),
  ) as BundleManifest;
  const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const sums = new Map(
    readFileSync(join(IMAGES, "SHA256SUMS"), "utf8").trim().split("\n").map((line) => {
      const [hash, file] = line.split(/\s+/);
      return [file!, hash!] as const;
    }),
  );
  const work = mkdtempSync(join(tmpdir(), "mikroclaw-verify-"));
  const checks: Check[] = [{
    name: "bundle commit",
    ok: manifest.commit === head,
    detail: `${manifest.commit} (HEAD ${head})`,
  }];
  try {
    for (const target of targets) {
      for (const check of await verifyImage(target, work, manifest, sums)) {
        checks.push(check);
        console.log(`${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const failed = checks.filter((c) => !c.ok).length;
  if (!checks[0]!.ok) console.log(`FAIL ${checks[0]!.name}: ${checks[0]!.detail}`);
  console.log(`image:verify: ${checks.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
