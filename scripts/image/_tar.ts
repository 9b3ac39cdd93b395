/**
 * A deterministic tar writer: entries sorted by name, one fixed mtime, numeric owners chosen by
 * the caller, no user or group names, no access or change times. Two runs over the same tree
 * give the same bytes (and so the same sha256), which GNU tar only does with a long list of
 * flags and never for per-path owners.
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

/** One member of a tar file. */
export interface TarEntry {
  /** Path inside the archive, relative, `/`-separated, no leading `./` or trailing `/`. */
  path: string;
  type: "file" | "dir" | "symlink";
  /** Permission bits (including setuid/setgid/sticky). */
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target. */
  linkname?: string;
  /** File content: bytes, or the path of a file on disk. */
  source?: Uint8Array | string;
}

/** Owner of a path inside the archive. */
export type OwnerOf = (path: string) => { uid: number; gid: number };

const BLOCK = 512;
const RECORD = 10_240;

/** Lists a directory tree as tar entries (files, directories, symlinks; hard links as copies). */
export async function collectTree(root: string, ownerOf: OwnerOf): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const names = await readdir(join(root, rel));
    for (const name of names) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const abs = join(root, path);
      const info = await lstat(abs);
      const owner = ownerOf(path);
      const mode = info.mode & 0o7777;
      if (info.isSymbolicLink()) {
        entries.push({
          path,
          type: "symlink",
          mode: 0o777,
          ...owner,
          linkname: await readlink(abs),
        });
      } else if (info.isDirectory()) {
        entries.push({ path, type: "dir", mode, ...owner });
        await walk(path);
      } else if (info.isFile()) {
        entries.push({ path, type: "file", mode, ...owner, source: abs });
      } else {
        throw new Error(`Cannot put ${abs} into an image: not a file, directory or symlink`);
      }
    }
  }
  await walk("");
  return entries;
}

/**
 * Writes `entries` (sorted here by path) to `out` with every mtime set to `mtime` (seconds).
 * Returns the sha256 (hex) of the written archive.
 */
export async function writeTar(
  entries: readonly TarEntry[],
  out: string,
  mtime: number,
): Promise<string> {
  const sorted = [...entries].sort((a, b) => compareBytes(a.path, b.path));
  const seen = new Set<string>();
  for (const entry of sorted) {
    if (seen.has(entry.path)) throw new Error(`Cannot write tar: duplicate path ${entry.path}`);
    seen.add(entry.path);
  }
  const hash = createHash("sha256");
  const handle = await open(out, "w");
  let written = 0;
  async function put(bytes: Uint8Array): Promise<void> {
    hash.update(bytes);
    await handle.write(bytes);
    written += bytes.length;
  }
  try {
    for (const entry of sorted) {
      const content = entry.type === "file" ? await contentOf(entry) : undefined;
      const size = content === undefined ? 0 : content.size;
      for (const header of headersOf(entry, size, mtime)) await put(header);
      if (content === undefined) continue;
      let copied = 0;
      for await (const chunk of content.chunks()) {
        copied += chunk.length;
        await put(chunk);
      }
      if (copied !== size) {
        throw new Error(`Cannot write tar: ${entry.path} changed while being read`);
      }
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad > 0) await put(new Uint8Array(pad));
    }
    await put(new Uint8Array(2 * BLOCK));
    const tail = (RECORD - (written % RECORD)) % RECORD;
    if (tail > 0) await put(new Uint8Array(tail));
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

// --- Internal helpers ---

interface Content {
  size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

async function contentOf(entry: TarEntry): Promise<Content> {
  const source = entry.source;
  if (source === undefined) return { size: 0, chunks: async function* () {} };
  if (typeof source !== "string") {
    return {
      size: source.length,
      chunks: async function* () {
        yield source;
      },
    };
  }
  const { size } = await lstat(source);
  return {
    size,
    chunks: () => createReadStream(source, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
  };
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The header block(s) of one entry: a pax header first when a name does not fit ustar. */
function headersOf(entry: TarEntry, size: number, mtime: number): Uint8Array[] {
  const name = entry.type === "dir" ? `${entry.path}/` : entry.path;
  const typeflag = entry.type === "file" ? "0" : entry.type === "dir" ? "5" : "2";
  const linkname = entry.linkname ?? "";
  const split = splitName(name);
  const pax: string[] = [];
  if (split === undefined) pax.push(paxRecord("path", name));
  if (Buffer.byteLength(linkname) > 100) pax.push(paxRecord("linkpath", linkname));
  const blocks: Uint8Array[] = [];
  if (pax.length > 0) {
    const body = Buffer.from(pax.join(""));
    blocks.push(
      header({
        name: "PaxHeader",
        prefix: "",
        typeflag: "x",
        size: body.length,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime,
        linkname: "",
      }),
    );
    const padded = new Uint8Array(Math.ceil(body.length / BLOCK) * BLOCK);
    padded.set(body);
    blocks.push(padded);
  }
  const fallback = { prefix: "", name: Buffer.from(name).subarray(0, 100).toString("latin1") };
  const { prefix, name: short } = split ?? fallback;
  blocks.push(header({
    name: short,
    prefix,
    typeflag,
    size,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime,
    linkname: Buffer.byteLength(linkname) > 100 ? "" : linkname,
  }));
  return blocks;
}

function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", name };
  for (let i = name.indexOf("/"); i >= 0; i = name.indexOf("/", i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== "") {
      return { prefix, name: rest };
    }
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

interface HeaderFields {
  name: string;
  prefix: string;
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
}

function header(f: HeaderFields): Uint8Array {
  const block = Buffer.alloc(BLOCK);
  block.write(f.name, 0, 100, "utf8");
  octal(block, 100, 8, f.mode);
  octal(block, 108, 8, f.uid);
  octal(block, 116, 8, f.gid);
  octal(block, 124, 12, f.size);
  octal(block, 136, 12, f.mtime);
  block.fill(0x20, 148, 156);
  block.write(f.typeflag, 156, 1, "latin1");
  block.write(f.linkname, 157, 100, "utf8");
  block.write("ustar\u000000", 257, 8, "latin1");
  octal(block, 329, 8, 0);
  octal(block, 337, 8, 0);
  block.write(f.prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "latin1");
  return block;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, "0");
  if (text.length > width - 1) {
    throw new RangeError(`Cannot write tar: ${value} does not fit ${width} bytes`);
  }
  block.write(`${text}\u0000`, offset, width, "latin1");
}
