/**
 * The image inputs: pinned Debian packages and npm tarballs, fetched with their ordinary clients
 * (`apt-get download` through a private apt configuration, `npm pack`), checked against the
 * sha256 in `inputs.lock.json` and kept in a cache outside the repository, so a re-run is
 * offline. The machine's own apt setup is never read or changed.
 * @module
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** A pinned Debian package. */
export interface DebPin {
  name: string;
  arch: string;
  version: string;
  sha256: string;
  size: number;
}

/** A pinned npm tarball. */
export interface NpmPin {
  name: string;
  version: string;
  /** npm's own `dist.integrity` (sha512), checked by `npm pack`. */
  integrity: string;
  sha256: string;
}

/** The committed lock file `scripts/image/inputs.lock.json`. */
export interface InputsLock {
  /** Debian suite per Debian architecture. */
  suites: Record<string, string>;
  debian: Record<string, DebPin[]>;
  /** The Node runtime tarball per Debian architecture (armhf: Debian's nodejs instead). */
  npm: Record<string, NpmPin>;
  /** The Bun runtime tarball per Debian architecture (none for armhf). */
  bun: Record<string, NpmPin>;
}

/** Path of the committed lock file. */
export const LOCK_PATH: string = join(dirname(fileURLToPath(import.meta.url)), "inputs.lock.json");

/** Reads the committed lock file. */
export function readLock(): InputsLock {
  return JSON.parse(readFileSync(LOCK_PATH, "utf8")) as InputsLock;
}

/** The download cache: `$MIKROCLAW_IMAGE_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/mikroclaw-images`. */
export function cacheDir(): string {
  const dir = process.env.MIKROCLAW_IMAGE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mikroclaw-images");
  mkdirSync(join(dir, "blobs"), { recursive: true });
  return dir;
}

/** sha256 (hex) of a file. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

/** The private apt configuration: own state, cache and source list under the image cache. */
export function privateApt(suites: Record<string, string>): { args: string[]; update(): void } {
  const root = join(cacheDir(), "apt");
  for (const sub of ["state/lists/partial", "cache/archives/partial", "etc"]) {
    mkdirSync(join(root, sub), { recursive: true });
  }
  const bySuite = new Map<string, string[]>();
  for (const [arch, suite] of Object.entries(suites)) {
    bySuite.set(suite, [...(bySuite.get(suite) ?? []), arch]);
  }
  const sources = [...bySuite].map(([suite, arches]) =>
    `deb [arch=${
      arches.join(",")
    } signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${suite} main\n`
  ).join("");
  writeFileSync(join(root, "etc/sources.list"), sources);
  if (!existsSync(join(root, "state/status"))) writeFileSync(join(root, "state/status"), "");
  const args = [
    `-o=Dir::State=${root}/state`,
    `-o=Dir::State::status=${root}/state/status`,
    `-o=Dir::Cache=${root}/cache`,
    `-o=Dir::Etc::SourceList=${root}/etc/sources.list`,
    "-o=Dir::Etc::SourceParts=/dev/null",
    "-o=Dir::Etc::Preferences=/dev/null",
    "-o=Dir::Etc::PreferencesParts=/dev/null",
    ...Object.keys(suites).map((arch) => `-o=APT::Architectures::=${arch}`),
    "-o=Acquire::Check-Valid-Until=false",
    "-o=Acquire::Languages=none",
    "-o=Debug::NoLocking=true",
    "-o=APT::Sandbox::User=root",
  ];
  return {
    args,
    update() {
      execFileSync("apt-get", [...args, "-qq", "update"], {
        stdio: ["ignore", "ignore", "inherit"],
      });
    },
  };
}

/**
 * The cached file of every pinned input, fetching what is missing. Throws naming the package
 * when a download's sha256 differs from the pin.
 */
export async function fetchInputs(
  lock: InputsLock,
  log: (line: string) => void,
): Promise<Map<string, string>> {
  const blobs = join(cacheDir(), "blobs");
  const paths = new Map<string, string>();
  const missingDebs: DebPin[] = [];
  for (const pins of Object.values(lock.debian)) {
    for (const pin of pins) {
      const path = join(blobs, `${pin.sha256}.deb`);
      paths.set(debKey(pin), path);
      if (!existsSync(path)) missingDebs.push(pin);
    }
  }
  if (missingDebs.length > 0) {
    log(`fetching ${missingDebs.length} Debian packages`);
    const apt = privateApt(lock.suites);
    apt.update();
    const scratch = join(tmpdir(), `mikroclaw-apt-${process.pid}`);
    mkdirSync(scratch, { recursive: true });
    try {
      execFileSync("apt-get", [
        ...apt.args,
        "-qq",
        "download",
        ...missingDebs.map((p) => `${p.name}:${p.arch}=${p.version}`),
      ], {
        cwd: scratch,
        stdio: ["ignore", "ignore", "inherit"],
      });
      for (const pin of missingDebs) {
        const file = readdirSync(scratch).find((f) =>
          f.startsWith(`${pin.name}_`) && f.endsWith(`_${pin.arch}.deb`) ||
          f.startsWith(`${pin.name}_`) && f.endsWith("_all.deb")
        );
        if (file === undefined) {
          throw new Error(`Cannot fetch ${debKey(pin)}: apt-get download wrote no file`);
        }
        await adopt(join(scratch, file), pin.sha256, paths.get(debKey(pin))!, debKey(pin));
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const tarballs = [
    ...Object.entries(lock.npm).map(([arch, pin]) => [`npm:${arch}`, pin] as const),
    ...Object.entries(lock.bun).map(([arch, pin]) => [`bun:${arch}`, pin] as const),
  ];
  for (const [key, pin] of tarballs) {
    const path = join(blobs, `${pin.sha256}.tgz`);
    paths.set(key, path);
    if (existsSync(path)) continue;
    log(`fetching ${pin.name}@${pin.version}`);
    const scratch = join(tmpdir(), `mikroclaw-npm-${process.pid}`);
    mkdirSync(scratch, { recursive: true });
    try {
      const out = execFileSync("npm", [
        "pack",
        `${pin.name}@${pin.version}`,
        "--json",
        "--pack-destination",
        scratch,
      ], {
        cwd: scratch,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      const [packed] = JSON.parse(out) as { filename: string; integrity: string }[];
      if (packed === undefined || packed.integrity !== pin.integrity) {
        throw new Error(
          `Cannot use ${pin.name}@${pin.version}: npm integrity ${packed?.integrity} is not the pinned ${pin.integrity}`,
        );
      }
      await adopt(join(scratch, packed.filename), pin.sha256, path, `${pin.name}@${pin.version}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return paths;
}

/** Key of a Debian pin in the map {@linkcode fetchInputs} returns. */
export function debKey(pin: { name: string; arch: string }): string {
  return `deb:${pin.name}:${pin.arch}`;
}

async function adopt(file: string, sha256: string, target: string, what: string): Promise<void> {
  const actual = await sha256File(file);
  if (actual !== sha256) {
    throw new Error(
      `Cannot use ${what}: its sha256 is ${actual}, the lock pins ${sha256} (update scripts/image/inputs.lock.json with scripts/image/lock.ts)`,
    );
  }
  renameSync(file, target);
}
