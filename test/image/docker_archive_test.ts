/**
 * The image file is the `docker save` layout RouterOS imports, with the config an image needs:
 * manifest.json, repositories, <id>/{VERSION,json,layer.tar}, <digest>.json whose name is its
 * sha256 and whose diff_id is the layer's sha256; the same inputs give the same file. Built
 * from a tiny synthetic root filesystem with the real image config, so it runs everywhere.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeDockerArchive } from "../../scripts/image/_docker_archive.ts";
import { IMAGE_UID, ownerOf } from "../../scripts/image/_rootfs.ts";
import { containerConfig, NODE_MEMORY_FLAGS } from "../../scripts/image/_targets.ts";

const LABELS = {
  "org.opencontainers.image.version": "0.1.0",
  "org.opencontainers.image.source": "npm:mikroclaw",
  "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
};

async function build(epoch: number): Promise<{ dir: string; out: string; sha256: string }> {
  const rootfs = mkdtempSync(join(tmpdir(), "mikroclaw-image-rootfs-"));
  mkdirSync(join(rootfs, "app"));
  mkdirSync(join(rootfs, "data"));
  writeFileSync(join(rootfs, "app/mikroclaw.mjs"), "console.log('hi')\n");
  const dir = mkdtempSync(join(tmpdir(), "mikroclaw-image-out-"));
  const out = join(dir, "mikroclaw-arm.tar");
  const result = await writeDockerArchive({
    rootfs,
    ownerOf,
    architecture: "arm",
    variant: "v7",
    config: containerConfig(LABELS),
    repoTag: "mikroclaw:0.1.0-armv7",
    epoch,
    out,
  });
  return { dir, out, sha256: result.sha256 };
}

const read = (tar: string, member: string): Buffer =>
  execFileSync("tar", ["-xOf", tar, member], { maxBuffer: 1 << 26 });

test("the tar holds the docker save layout with a self-consistent manifest, config and layer", async () => {
  const { out } = await build(1_700_000_000);
  const members = execFileSync("tar", ["-tf", out], { encoding: "utf8" }).trim().split("\n");
  const [manifest] = JSON.parse(read(out, "manifest.json").toString()) as {
    Config: string;
    RepoTags: string[];
    Layers: string[];
  }[];
  assert.ok(manifest);
  assert.deepEqual(manifest.RepoTags, ["mikroclaw:0.1.0-armv7"]);
  assert.equal(manifest.Layers.length, 1);
  const layerId = manifest.Layers[0]!.split("/")[0]!;
  assert.deepEqual(
    [...members].sort(),
    [
      `${layerId}/`,
      `${layerId}/VERSION`,
      `${layerId}/json`,
      `${layerId}/layer.tar`,
      manifest.Config,
      "manifest.json",
      "repositories",
    ].sort(),
  );
  assert.deepEqual(JSON.parse(read(out, "repositories").toString()), {
    mikroclaw: { "0.1.0-armv7": layerId },
  });
  const configBytes = read(out, manifest.Config);
  assert.equal(manifest.Config, `${createHash("sha256").update(configBytes).digest("hex")}.json`);
  const config = JSON.parse(configBytes.toString());
  const layer = read(out, `${layerId}/layer.tar`);
  assert.deepEqual(config.rootfs, {
    type: "layers",
    diff_ids: [`sha256:${createHash("sha256").update(layer).digest("hex")}`],
  });
  assert.equal(config.architecture, "arm");
  assert.equal(config.variant, "v7");
  assert.equal(config.os, "linux");
  assert.equal(config.created, "2023-11-14T22:13:20.000Z");
});

test("the image config: unprivileged user, container env, memory flags, agent, /data, healthcheck, labels", async () => {
  const { out } = await build(1_700_000_000);
  const [manifest] = JSON.parse(read(out, "manifest.json").toString()) as { Config: string }[];
  const { config } = JSON.parse(read(out, manifest!.Config).toString());
  assert.equal(config.User, `${IMAGE_UID}:${IMAGE_UID}`);
  assert.notEqual(IMAGE_UID, 0);
  for (
    const env of [
      "GATEWAY_BIND=0.0.0.0",
      "GATEWAY_PORT=18789",
      "MIKROCLAW_STORAGE=memory",
      "WORKSPACE_DIR=/data/workspace",
    ]
  ) {
    assert.ok(config.Env.includes(env), env);
  }
  assert.deepEqual(config.Entrypoint, [
    "/usr/local/bin/node",
    ...NODE_MEMORY_FLAGS,
    "/app/mikroclaw.mjs",
  ]);
  assert.deepEqual(NODE_MEMORY_FLAGS, ["--max-old-space-size=96", "--max-semi-space-size=2"]);
  assert.deepEqual(config.Cmd, ["agent"]);
  assert.equal(config.WorkingDir, "/data");
  assert.deepEqual(config.Volumes, { "/data": {} });
  assert.equal(config.Healthcheck.Test[0], "CMD");
  assert.ok(config.Healthcheck.Test.join(" ").includes("/health/heartbeat"));
  for (const [key, value] of Object.entries(LABELS)) assert.equal(config.Labels[key], value);
  const layer = join(mkdtempSync(join(tmpdir(), "mikroclaw-layer-")), "layer.tar");
  writeFileSync(
    layer,
    read(out, `${(JSON.parse(read(out, "manifest.json").toString())[0].Layers[0])}`),
  );
  const listing = execFileSync("tar", ["-tvf", layer, "--numeric-owner"], { encoding: "utf8" });
  assert.match(listing, new RegExp(`^d\\S+ ${IMAGE_UID}/${IMAGE_UID} .* data/$`, "m"));
  assert.match(listing, /^-\S+ 0\/0 .* app\/mikroclaw\.mjs$/m);
});

test("the same inputs give the same image file; the epoch is part of it", async () => {
  const a = await build(1_700_000_000);
  const b = await build(1_700_000_000);
  assert.equal(a.sha256, b.sha256);
  assert.deepEqual(readFileSync(a.out), readFileSync(b.out));
  const c = await build(1_700_000_100);
  assert.notEqual(a.sha256, c.sha256);
});
