/**
 * The images MikroClaw ships: one per RouterOS container architecture, and what each holds.
 * The image settings here are the single source for the build, the verify step, the benchmark,
 * the benchmark and the router guide (`lib/deploy` names the same files).
 * @module
 */
import type { ContainerConfig } from "./_docker_archive.ts";
import { IMAGE_UID } from "./_rootfs.ts";

/** One image to build. */
export interface ImageTarget {
  /** File name part: `dist/images/mikroclaw-<name>.tar`. */
  name: "amd64" | "arm64" | "armv7";
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

/** The three images. */
export const TARGETS: readonly ImageTarget[] = [
  {
    name: "amd64",
    architecture: "amd64",
    debArch: "amd64",
    routerArch: "x86_64",
    routers: "CHR, x86 PCs",
  },
  {
    name: "arm64",
    architecture: "arm64",
    debArch: "arm64",
    qemu: "qemu-aarch64-static",
    routerArch: "arm64",
    routers: "hAP ax², hAP ax³, RB5009, CCR2004, CCR2116, L009",
  },
  {
    name: "armv7",
    architecture: "arm",
    variant: "v7",
    debArch: "armhf",
    qemu: "qemu-arm-static",
    routerArch: "arm",
    routers: "hAP ac², hAP ac³, RB4011, cAP ac, RB3011",
  },
];

/** The V8 heap limits the benchmarks measure and every image starts Node with. */
export const NODE_MEMORY_FLAGS: readonly string[] = [
  "--max-old-space-size=96",
  "--max-semi-space-size=2",
];

/** The gateway port inside the container. */
export const GATEWAY_PORT = 18789;

/** The image config shared by every architecture (labels added per build). */
export function containerConfig(labels: Record<string, string>): ContainerConfig {
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
    ],
    Entrypoint: ["/usr/local/bin/node", ...NODE_MEMORY_FLAGS, "/app/mikroclaw.mjs"],
    Cmd: ["agent"],
    WorkingDir: "/data",
    Volumes: { "/data": {} },
    ExposedPorts: { [`${GATEWAY_PORT}/tcp`]: {} },
    StopSignal: "SIGTERM",
    Healthcheck: {
      Test: [
        "CMD",
        "/usr/local/bin/node",
        "-e",
        "fetch('http://127.0.0.1:'+(process.env.GATEWAY_PORT||18789)+'/health/heartbeat').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
      ],
      Interval: 60e9,
      Timeout: 5e9,
      StartPeriod: 20e9,
      Retries: 3,
    },
    Labels: labels,
  };
}
