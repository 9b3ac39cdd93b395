/**
 * Assembles an image's root filesystem in a scratch directory: glibc and friends from the pinned
 * Debian packages (`dpkg -x`), the Node or Bun runtime, the router bundle under `/app`, `/etc/passwd`
 * and `/etc/group` with the unprivileged user, `/tmp` (1777) and `/data`.
 * @module
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { debKey, type DebPin } from "./_inputs.ts";

/** The unprivileged user the image runs as. */
export const IMAGE_UID = 10001;

/** Paths the Debian packages bring that nothing in the image uses. */
const PRUNE = [
  "etc",
  "usr/share/doc",
  "usr/share/man",
  "usr/share/info",
  "usr/share/lintian",
  "usr/share/locale",
  "usr/share/bug",
  "usr/share/gdb",
  "usr/share/gcc",
  "usr/share/nodejs/corepack",
  "usr/bin/corepack",
  "usr/sbin",
  "sbin",
];

/** What {@linkcode assembleRootfs} puts together. */
export interface RootfsOptions {
  dir: string;
  /** The Debian packages to unpack. */
  debs: readonly DebPin[];
  /** Cached file of each input (from `fetchInputs`). */
  blobs: ReadonlyMap<string, string>;
  /** The runtime's npm tarball, or none when a Debian package brings `/usr/bin/node`. */
  runtimeTarball?: string;
  /** The runtime binary's name: `node` (default) or `bun`, installed at `/usr/local/bin/<name>`. */
  runtime?: "node" | "bun";
  /** Router bundle files to copy to `/app` (absolute paths). */
  bundle: readonly string[];
}

/** Builds the root filesystem in `options.dir` (emptied first). */
export function assembleRootfs(options: RootfsOptions): void {
  const root = options.dir;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const pin of options.debs) {
    execFileSync("dpkg-deb", ["-x", options.blobs.get(debKey(pin))!, root]);
  }
  for (const path of PRUNE) rmSync(join(root, path), { recursive: true, force: true });
  const gconv = join(root, "usr/lib");
  for (const triplet of existsSync(gconv) ? readdirSync(gconv) : []) {
    rmSync(join(gconv, triplet, "gconv"), { recursive: true, force: true });
  }
  mergeUsr(root);
  mkdirSync(join(root, "usr/local/bin"), { recursive: true });
  const runtime = options.runtime ?? "node";
  if (options.runtimeTarball !== undefined) {
    const scratch = `${root}.runtime`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch);
    execFileSync("tar", ["-xzf", options.runtimeTarball, "-C", scratch, `package/bin/${runtime}`]);
    renameSync(join(scratch, `package/bin/${runtime}`), join(root, `usr/local/bin/${runtime}`));
    rmSync(scratch, { recursive: true, force: true });
  } else {
    if (!existsSync(join(root, "usr/bin/node"))) {
      throw new Error("Cannot build the image: no Node in the Debian packages");
    }
    symlinkSync("/usr/bin/node", join(root, "usr/local/bin/node"));
  }
  chmodSync(join(root, `usr/local/bin/${runtime}`), 0o755);
  mkdirSync(join(root, "app"));
  for (const file of options.bundle) {
    const target = join(root, "app", file.slice(file.lastIndexOf("/") + 1));
    cpSync(file, target);
    chmodSync(target, 0o444);
  }
  mkdirSync(join(root, "etc"));
  writeFileSync(
    join(root, "etc/passwd"),
    `root:x:0:0:root:/root:/sbin/nologin\nmikroclaw:x:${IMAGE_UID}:${IMAGE_UID}:mikroclaw:/data:/sbin/nologin\n`,
  );
  writeFileSync(join(root, "etc/group"), `root:x:0:\nmikroclaw:x:${IMAGE_UID}:\n`);
  writeFileSync(join(root, "etc/nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
  for (
    const [path, mode] of [["tmp", 0o1777], ["data", 0o755], ["root", 0o700], ["proc", 0o555], [
      "sys",
      0o555,
    ], ["dev", 0o755]] as const
  ) {
    mkdirSync(join(root, path), { recursive: true });
    chmodSync(join(root, path), mode);
  }
  for (const file of readdirSync(join(root, "etc"))) chmodSync(join(root, "etc", file), 0o644);
  chmodSync(join(root, "etc"), 0o755);
}

/** The owner of each path in the layer: root, except `/data` which the image's user owns. */
export function ownerOf(path: string): { uid: number; gid: number } {
  return path === "data" ? { uid: IMAGE_UID, gid: IMAGE_UID } : { uid: 0, gid: 0 };
}

/** Debian's merged /usr: `lib`, `lib64` and `bin` become symlinks into `usr/`. */
function mergeUsr(root: string): void {
  for (const dir of ["lib", "lib64", "bin"]) {
    const top = join(root, dir);
    const usr = join(root, "usr", dir);
    if (existsSync(top) && !lstatSync(top).isSymbolicLink()) {
      mkdirSync(usr, { recursive: true });
      for (const name of readdirSync(top)) mergeInto(join(top, name), join(usr, name));
      rmSync(top, { recursive: true });
    }
    if (existsSync(usr) && !existsSync(top)) symlinkSync(`usr/${dir}`, top);
  }
}

function mergeInto(from: string, to: string): void {
  if (existsSync(to) && lstatSync(from).isDirectory() && lstatSync(to).isDirectory()) {
    for (const name of readdirSync(from)) mergeInto(join(from, name), join(to, name));
    return;
  }
  rmSync(to, { recursive: true, force: true });
  renameSync(from, to);
}
