/**
 * The Bun flavour of the images: its config runs the Bun runtime with its memory flag, its
 * HEALTHCHECK needs no `node` and really probes `/health/heartbeat` (run here with the installed
 * Bun against a local server), it carries the labels, its runtime is pinned by version and
 * sha256, and the image selection offers it for amd64 and arm64 only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { writeDockerArchive } from "../../scripts/image/_docker_archive.ts";
import { readLock } from "../../scripts/image/_inputs.ts";
import { IMAGE_UID, ownerOf } from "../../scripts/image/_rootfs.ts";
import {
  BUN_MEMORY_FLAGS,
  BUN_TARGETS,
  containerConfig,
  type ImageTarget,
  selectTargets,
} from "../../scripts/image/_targets.ts";
import { BUN_PACKAGES } from "../../scripts/image/lock.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const LABELS = {
  "org.opencontainers.image.version": "0.1.0",
  "org.opencontainers.image.source": "npm:mikroclaw",
  "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
};

const read = (tar: string, member: string): Buffer =>
  execFileSync("tar", ["-xOf", tar, member], { maxBuffer: 1 << 26 });

async function bunImageConfig(): Promise<
  { architecture: string; config: ReturnType<typeof containerConfig> }
> {
  const rootfs = mkdtempSync(join(tmpdir(), "mikroclaw-bun-rootfs-"));
  mkdirSync(join(rootfs, "app"));
  mkdirSync(join(rootfs, "data"));
  writeFileSync(join(rootfs, "app/mikroclaw.mjs"), "console.log('hi')\n");
  const out = join(mkdtempSync(join(tmpdir(), "mikroclaw-bun-out-")), "mikroclaw-bun-arm64.tar");
  await writeDockerArchive({
    rootfs,
    ownerOf,
    architecture: "arm64",
    config: containerConfig(LABELS, "bun"),
    repoTag: "mikroclaw:0.1.0-bun-arm64",
    epoch: 1_700_000_000,
    out,
  });
  const [manifest] = JSON.parse(read(out, "manifest.json").toString()) as { Config: string }[];
  return JSON.parse(read(out, manifest!.Config).toString());
}

test("the Bun image config: bun --smol entrypoint, agent, unprivileged user, labels, no transpiler cache in /data", async () => {
  const { architecture, config } = await bunImageConfig();
  assert.equal(architecture, "arm64");
  assert.deepEqual(config.Entrypoint, ["/usr/local/bin/bun", "--smol", "/app/mikroclaw.mjs"]);
  assert.deepEqual(BUN_MEMORY_FLAGS, ["--smol"]);
  assert.deepEqual(config.Cmd, ["agent"]);
  assert.equal(config.User, `${IMAGE_UID}:${IMAGE_UID}`);
  for (
    const env of [
      "GATEWAY_BIND=0.0.0.0",
      "GATEWAY_PORT=18789",
      "MIKROCLAW_STORAGE=memory",
      "BUN_RUNTIME_TRANSPILER_CACHE_PATH=0",
    ]
  ) {
    assert.ok(config.Env.includes(env), env);
  }
  assert.deepEqual(config.Volumes, { "/data": {} });
  for (const [key, value] of Object.entries(LABELS)) assert.equal(config.Labels[key], value);
  const node = containerConfig(LABELS, "node");
  assert.equal(node.Entrypoint[0], "/usr/local/bin/node");
  assert.ok(!node.Env.some((e) => e.startsWith("BUN_")));
});

test("the Bun HEALTHCHECK uses bun, not node, and exits 0 only while /health/heartbeat answers 2xx", async () => {
  const { config } = await bunImageConfig();
  const [kind, binary, ...args] = config.Healthcheck.Test;
  assert.equal(kind, "CMD");
  assert.equal(binary, "/usr/local/bin/bun");
  assert.ok(!config.Healthcheck.Test.some((part) => /\bnode\b/.test(part)));
  let status = 200;
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const probe = (): Promise<number> =>
    new Promise((resolve) =>
      execFile(
        join(ROOT, "node_modules/.bin/bun"),
        args,
        { env: { ...process.env, GATEWAY_PORT: String(port) }, timeout: 60_000 },
        (error) => resolve(error ? (typeof error.code === "number" ? error.code : -1) : 0),
      )
    );
  try {
    assert.equal(await probe(), 0);
    status = 503;
    assert.equal(await probe(), 1);
    assert.deepEqual(paths, ["/health/heartbeat", "/health/heartbeat"]);
  } finally {
    server.close();
  }
  server.closeAllConnections?.();
});

test("the Bun runtime is pinned by version, npm integrity and sha256 for amd64 and arm64 only", () => {
  const lock = readLock();
  assert.deepEqual(Object.keys(lock.bun).sort(), ["amd64", "arm64"]);
  for (const [arch, pin] of Object.entries(lock.bun)) {
    assert.equal(pin.name, BUN_PACKAGES[arch]);
    assert.match(pin.version, /^\d+\.\d+\.\d+$/);
    assert.match(pin.sha256, /^[0-9a-f]{64}$/);
    assert.match(pin.integrity, /^sha512-/);
  }
  assert.equal(lock.bun.amd64!.version, lock.bun.arm64!.version);
});

test("the image selection: Node for three architectures, Bun for amd64 and arm64, clear errors", () => {
  const names = (argv: string[]): string[] | string => {
    const picked = selectTargets(argv);
    return typeof picked === "string" ? picked : picked.map((t: ImageTarget) => t.name);
  };
  assert.deepEqual(names([]), ["amd64", "arm64", "armv7", "bun-amd64", "bun-arm64"]);
  assert.deepEqual(names(["--flavour", "bun"]), ["bun-amd64", "bun-arm64"]);
  assert.deepEqual(names(["--arch", "arm64"]), ["arm64", "bun-arm64"]);
  assert.deepEqual(names(["--arch", "armv7"]), ["armv7"]);
  assert.deepEqual(names(["--arch", "amd64,arm64", "--flavour", "node"]), ["amd64", "arm64"]);
  assert.deepEqual(names(["--image", "amd64,arm64,bun-amd64"]), ["amd64", "arm64", "bun-amd64"]);
  assert.match(
    names(["--flavour", "bun", "--arch", "armv7"]) as string,
    /^Cannot use --flavour bun --arch armv7: Bun has no 32-bit ARM build/,
  );
  assert.match(names(["--flavour", "deno"]) as string, /^Cannot use --flavour deno: use node,bun$/);
  assert.match(names(["--arch", "mips"]) as string, /^Cannot use --arch mips/);
  assert.match(names(["--image", "bun-armv7"]) as string, /^Cannot use --image bun-armv7: use /);
  assert.deepEqual(
    BUN_TARGETS.map((t) => [t.name, t.architecture, t.flavour, t.qemu ?? "native"]),
    [["bun-amd64", "amd64", "bun", "native"], ["bun-arm64", "arm64", "bun", "qemu-aarch64-static"]],
  );
});
