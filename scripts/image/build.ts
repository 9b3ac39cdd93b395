/**
 * `npm run image [-- --arch amd64,arm64,armv7] [--flavour node,bun]`: builds
 * `dist/images/mikroclaw-<arch>.tar` (Node) and `mikroclaw-bun-<arch>.tar` (Bun, amd64 and arm64
 * only) in the `docker save` layout RouterOS imports, `SHA256SUMS` and `bundle-manifest.json` from
 * the router bundle and the pinned inputs in `scripts/image/inputs.lock.json`. Deterministic:
 * every mtime is `SOURCE_DATE_EPOCH` (default: the commit's time), owners are numeric, names
 * sorted — the same commit gives the same sha256.
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { checkedBundle } from "./_bundle.ts";
import { writeDockerArchive } from "./_docker_archive.ts";
import { fetchInputs, readLock } from "./_inputs.ts";
import { assembleRootfs, ownerOf } from "./_rootfs.ts";
import { containerConfig, selectTargets } from "./_targets.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where the images are written. */
export const IMAGES_DIR: string = join(ROOT, "dist/images");
/** The router bundle the images carry. */
export const ROUTER_DIR: string = join(ROOT, "dist/router");

/** The image build's timestamp: `SOURCE_DATE_EPOCH`, else the commit's time. */
export function sourceEpoch(): number {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!/^\d{1,12}$/.test(fromEnv)) {
      throw new Error(`Cannot use SOURCE_DATE_EPOCH=${fromEnv}: use seconds since 1970`);
    }
    return Number(fromEnv);
  }
  return Number(
    execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: ROOT, encoding: "utf8" }).trim(),
  );
}

async function main(argv: string[]): Promise<number> {
  process.umask(0o022);
  const targets = selectTargets(argv);
  if (typeof targets === "string") {
    console.error(targets);
    return 2;
  }
  const epoch = sourceEpoch();
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    version: string;
    repository?: { url?: string } | string;
  };
  const source = typeof pkg.repository === "string"
    ? pkg.repository
    : pkg.repository?.url ?? "npm:mikroclaw";
  const manifest = checkedBundle(ROOT, ROUTER_DIR);
  const bundle = Object.keys(manifest.files).map((name) => join(ROUTER_DIR, name));
  const lock = readLock();
  const blobs = await fetchInputs(lock, (line) => console.error(line));
  mkdirSync(IMAGES_DIR, { recursive: true });
  const work = join(tmpdir(), `mikroclaw-image-${process.pid}`);
  try {
    for (const target of targets) {
      const bun = target.flavour === "bun";
      const pins = bun ? lock.bun : lock.npm;
      const runtimeTarball = pins[target.debArch]
        ? blobs.get(`${bun ? "bun" : "npm"}:${target.debArch}`)
        : undefined;
      if (bun && runtimeTarball === undefined) {
        throw new Error(
          `Cannot build ${target.name}: no Bun pinned for ${target.debArch} in inputs.lock.json`,
        );
      }
      assembleRootfs({
        dir: work,
        // Bun links only glibc (libc, libm, libpthread, libdl): no libstdc++.
        debs: (lock.debian[target.debArch] ?? []).filter((p) => !bun || p.name !== "libstdc++6"),
        blobs,
        ...(runtimeTarball ? { runtimeTarball } : {}),
        runtime: target.flavour,
        bundle,
      });
      const out = join(IMAGES_DIR, `mikroclaw-${target.name}.tar`);
      const result = await writeDockerArchive({
        rootfs: work,
        ownerOf,
        architecture: target.architecture,
        ...(target.variant ? { variant: target.variant } : {}),
        config: containerConfig({
          "org.opencontainers.image.title": "mikroclaw",
          "org.opencontainers.image.version": pkg.version,
          "org.opencontainers.image.source": source,
          "org.opencontainers.image.revision": manifest.commit,
          "org.opencontainers.image.created": new Date(epoch * 1000).toISOString(),
          "org.opencontainers.image.description": `MikroClaw gateway and agent on ${
            bun ? `Bun ${lock.bun[target.debArch]!.version}` : "Node"
          }`,
        }, target.flavour),
        repoTag: `mikroclaw:${pkg.version}-${target.name}`,
        epoch,
        out,
      });
      console.log(`${result.sha256}  mikroclaw-${target.name}.tar (image ${result.imageId})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(join(IMAGES_DIR, "bundle-manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeSums();
  return 0;
}

/** Writes `SHA256SUMS` for every image tar in the folder. */
function writeSums(): void {
  const lines = readdirSync(IMAGES_DIR).filter((f) => /^mikroclaw-.+\.tar$/.test(f)).sort().map((
    f,
  ) =>
    `${execFileSync("sha256sum", [f], { cwd: IMAGES_DIR, encoding: "utf8" }).split(" ")[0]}  ${f}\n`
  );
  writeFileSync(join(IMAGES_DIR, "SHA256SUMS"), lines.join(""));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
