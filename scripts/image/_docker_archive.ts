/**
 * Writes an image as a `docker save` tar with one uncompressed layer — the layout RouterOS
 * imports with `/container/add file=...` (it refuses OCI-layout tars): `manifest.json`,
 * `repositories`, `<layer-id>/{VERSION,json,layer.tar}` and `<config-digest>.json`.
 * @module
 */
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { collectTree, type OwnerOf, type TarEntry, writeTar } from "./_tar.ts";

/** The runtime settings of an image (the OCI/Docker image config's `config` object). */
export interface ContainerConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  Volumes: Record<string, Record<string, never>>;
  ExposedPorts: Record<string, Record<string, never>>;
  StopSignal: string;
  Healthcheck: {
    Test: string[];
    Interval: number;
    Timeout: number;
    StartPeriod: number;
    Retries: number;
  };
  Labels: Record<string, string>;
}

/** What {@linkcode writeDockerArchive} needs. */
export interface DockerArchiveOptions {
  /** Directory holding the image's root filesystem. */
  rootfs: string;
  /** Owner of each path in the layer. */
  ownerOf: OwnerOf;
  /** OCI platform: `amd64`, `arm64`, `arm` (+ `variant: "v7"`). */
  architecture: string;
  variant?: string;
  config: ContainerConfig;
  /** `name:tag` recorded in `manifest.json` and `repositories`. */
  repoTag: string;
  /** Seconds since the epoch for every mtime and `created`. */
  epoch: number;
  out: string;
}

/** The image's identity: digests of what was written. */
export interface DockerArchiveResult {
  /** sha256 of the whole tar file. */
  sha256: string;
  /** `sha256:<hex>` of the config JSON (the image ID). */
  imageId: string;
  /** `sha256:<hex>` of the uncompressed layer. */
  diffId: string;
}

/** Writes the `docker save` tar of `rootfs` to `out`. */
export async function writeDockerArchive(
  options: DockerArchiveOptions,
): Promise<DockerArchiveResult> {
  const created = new Date(options.epoch * 1000).toISOString();
  const layerFile = `${options.out}.layer.tmp`;
  try {
    const layerEntries = await collectTree(options.rootfs, options.ownerOf);
    const layerHex = await writeTar(layerEntries, layerFile, options.epoch);
    const diffId = `sha256:${layerHex}`;
    const image = {
      architecture: options.architecture,
      ...(options.variant ? { variant: options.variant } : {}),
      os: "linux",
      created,
      config: options.config,
      rootfs: { type: "layers", diff_ids: [diffId] },
      history: [{ created, created_by: "npm run image (scripts/image/build.ts)" }],
    };
    const configJson = new TextEncoder().encode(JSON.stringify(image));
    const configHex = createHash("sha256").update(configJson).digest("hex");
    const layerId = layerHex;
    const [repo, tag] = options.repoTag.split(":") as [string, string];
    const text = (value: unknown): Uint8Array =>
      new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
    const file = (path: string, source: Uint8Array | string): TarEntry => ({
      path,
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      source,
    });
    const entries: TarEntry[] = [
      { path: layerId, type: "dir", mode: 0o755, uid: 0, gid: 0 },
      file(`${layerId}/VERSION`, text("1.0")),
      file(
        `${layerId}/json`,
        text({
          id: layerId,
          created,
          os: "linux",
          architecture: options.architecture,
          config: options.config,
        }),
      ),
      file(`${layerId}/layer.tar`, layerFile),
      file(`${configHex}.json`, configJson),
      file(
        "manifest.json",
        text([{
          Config: `${configHex}.json`,
          RepoTags: [options.repoTag],
          Layers: [`${layerId}/layer.tar`],
        }]),
      ),
      file("repositories", text({ [repo]: { [tag]: layerId } })),
    ];
    const sha256 = await writeTar(entries, options.out, options.epoch);
    return { sha256, imageId: `sha256:${configHex}`, diffId };
  } finally {
    rmSync(layerFile, { force: true });
  }
}
