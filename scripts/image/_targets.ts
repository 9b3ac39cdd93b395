/**
 * The images MikroClaw ships: one per RouterOS container architecture, and what each holds.
 * The image settings here are the single source for the build, the verify step, the benchmark,
 * the benchmark and the router guide (`lib/deploy` names the same files).
 * @module
 */
import type { ContainerConfig } from "./_docker_archive.ts";
import { IMAGE_UID } from "./_rootfs.ts";

/** The runtime an image carries: Node (all three architectures) or Bun (no 32-bit ARM). */
export type Flavour = "node" | "bun";

/** One image to build. */
export interface ImageTarget {
  /** File name part: `dist/images/mikroclaw-<name>.tar`. */
  name: "amd64" | "arm64" | "armv7" | "bun-amd64" | "bun-arm64";
  /** The architecture part of the name (`--arch`). */
  arch: "amd64" | "arm64" | "armv7";
  /** The runtime it carries (`--flavour`). */
  flavour: Flavour;
  /** OCI architecture and variant. */
  architecture: "amd64" | "arm64" | "arm";
  variant?: "v7";
  /** Debian architecture of the userland. */
  debArch: "amd64" | "arm64" | "armhf";
  /** The qemu user emulator that runs it on an x86_64 host, if it is foreign. */
  qemu?: "qemu-aarch64-static" | "qemu-arm-static";
  /** RouterOS `/system/resource` architecture-name this image runs on. */
  routerArch: "x86_64" | "arm64" | "arm";
  /** Router families, for the guide. */
  routers: string;
}

/** The three Node images (the ones the RouterOS script picks by `architecture-name`). */
export const TARGETS: readonly ImageTarget[] = [
  {
    name: "amd64",
    arch: "amd64",
    flavour: "node",
    architecture: "amd64",
    debArch: "amd64",
    routerArch: "x86_64",
    routers: "CHR, x86 PCs",
  },
  {
    name: "arm64",
    arch: "arm64",
    flavour: "node",
    architecture: "arm64",
    debArch: "arm64",
    qemu: "qemu-aarch64-static",
    routerArch: "arm64",
    routers: "hAP ax², hAP ax³, RB5009, CCR2004, CCR2116, L009",
  },
  {
    name: "armv7",
    arch: "armv7",
    flavour: "node",
    architecture: "arm",
    variant: "v7",
    debArch: "armhf",
    qemu: "qemu-arm-static",
    routerArch: "arm",
    routers: "hAP ac², hAP ac³, RB4011, cAP ac, RB3011",
  },
];

/** The Bun images: the same rootfs with the Bun runtime instead of Node (Bun has no 32-bit ARM). */
export const BUN_TARGETS: readonly ImageTarget[] = TARGETS.filter((t) => t.arch !== "armv7").map((
  t,
) => ({ ...t, name: `bun-${t.arch}` as ImageTarget["name"], flavour: "bun" as const }));

/** Every image `npm run image` builds by default: the Node ones, then the Bun ones. */
export const ALL_TARGETS: readonly ImageTarget[] = [...TARGETS, ...BUN_TARGETS];

/**
 * The images `--arch a,b` and `--flavour node,bun` select (each defaults to all), or `--image
 * amd64,bun-amd64` by file name; else the one-line error for a name that is not one (or Bun on
 * 32-bit ARM, which it does not support).
 */
export function selectTargets(argv: readonly string[]): ImageTarget[] | string {
  const list = (flag: string, all: readonly string[]): string[] => {
    const at = argv.indexOf(flag);
    return at >= 0 ? (argv[at + 1] ?? "").split(",") : [...all];
  };
  if (argv.includes("--image")) {
    const names = list("--image", []);
    const bad = names.filter((n) => !ALL_TARGETS.some((t) => t.name === n));
    if (bad.length > 0) {
      return `Cannot use --image ${bad.join(",")}: use ${ALL_TARGETS.map((t) => t.name).join(",")}`;
    }
    return ALL_TARGETS.filter((t) => names.includes(t.name));
  }
  const arches = list("--arch", TARGETS.map((t) => t.arch));
  const flavours = list("--flavour", ["node", "bun"]);
  const badArch = arches.filter((a) => !TARGETS.some((t) => t.arch === a));
  if (badArch.length > 0) return `Cannot use --arch ${badArch.join(",")}: use amd64,arm64,armv7`;
  const badFlavour = flavours.filter((f) => f !== "node" && f !== "bun");
  if (badFlavour.length > 0) return `Cannot use --flavour ${badFlavour.join(",")}: use node,bun`;
  if (argv.includes("--arch") && argv.includes("--flavour") && !flavours.includes("node")) {
    const noBun = arches.filter((a) => !BUN_TARGETS.some((t) => t.arch === a));
    if (noBun.length > 0) {
      return `Cannot use --flavour bun --arch ${
        noBun.join(",")
      }: Bun has no 32-bit ARM build; use --arch amd64,arm64`;
    }
  }
  return ALL_TARGETS.filter((t) => arches.includes(t.arch) && flavours.includes(t.flavour));
}

/** The V8 heap limits the benchmarks measure and every image starts Node with. */
export const NODE_MEMORY_FLAGS: readonly string[] = [
  "--max-old-space-size=96",
  "--max-semi-space-size=2",
];

/**
 * Bun's memory setting the benchmarks measure and every Bun image starts with: `--smol` (a
 * smaller JavaScriptCore heap, collected more often).
 */
export const BUN_MEMORY_FLAGS: readonly string[] = ["--smol"];

/** The memory flags of a flavour's entrypoint. */
export function memoryFlags(flavour: Flavour): readonly string[] {
  return flavour === "bun" ? BUN_MEMORY_FLAGS : NODE_MEMORY_FLAGS;
}

/** Where an image keeps its runtime binary. */
export function runtimePath(flavour: Flavour): string {
  return `/usr/local/bin/${flavour}`;
}

/** The command that runs an ES module `script` with the image's own runtime (exec, healthcheck). */
export function evalCommand(flavour: Flavour, script: string): string[] {
  return flavour === "bun"
    ? [runtimePath("bun"), ...BUN_MEMORY_FLAGS, "-e", script]
    : [runtimePath("node"), "--input-type=module", "-e", script];
}

/** The gateway port inside the container. */
export const GATEWAY_PORT = 18789;

/** The HEALTHCHECK probe: exits 0 when `/health/heartbeat` answers 2xx. */
const HEARTBEAT_PROBE =
  "fetch('http://127.0.0.1:'+(process.env.GATEWAY_PORT||18789)+'/health/heartbeat').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))";

/** The image config of a flavour, shared by every architecture (labels added per build). */
export function containerConfig(
  labels: Record<string, string>,
  flavour: Flavour = "node",
): ContainerConfig {
  const runtime = runtimePath(flavour);
  return {
    User: `${IMAGE_UID}:${IMAGE_UID}`,
    Env: [
      "PATH=/usr/local/bin:/usr/bin:/bin",
      "HOME=/data",
      "NODE_ENV=production",
      "GATEWAY_BIND=0.0.0.0",
      `GATEWAY_PORT=${GATEWAY_PORT}`,
      "MIKROCLAW_STORAGE=memory",
      "WORKSPACE_DIR=/data/workspace",
      // Bun would cache transpiled large files under $HOME (/data, maybe unwritable): not needed.
      ...(flavour === "bun" ? ["BUN_RUNTIME_TRANSPILER_CACHE_PATH=0"] : []),
    ],
    Entrypoint: [runtime, ...memoryFlags(flavour), "/app/mikroclaw.mjs"],
    Cmd: ["agent"],
    WorkingDir: "/data",
    Volumes: { "/data": {} },
    ExposedPorts: { [`${GATEWAY_PORT}/tcp`]: {} },
    StopSignal: "SIGTERM",
    Healthcheck: {
      Test: flavour === "bun"
        ? ["CMD", runtime, ...BUN_MEMORY_FLAGS, "-e", HEARTBEAT_PROBE]
        : ["CMD", runtime, "-e", HEARTBEAT_PROBE],
      Interval: 60e9,
      Timeout: 5e9,
      StartPeriod: 20e9,
      Retries: 3,
    },
    Labels: labels,
  };
}
