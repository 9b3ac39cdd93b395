/**
 * Flood figure (8, issue #17 item 11): the gateway bundle's RSS idle, while 1 000 half-open
 * connections (a request head that never completes) are held and 12 000 distinct client ids
 * send requests, and after the server's header timeout has closed the half-open ones — Node
 * with the container's memory flags, Deno and Bun as they run.
 *
 * Run alone: `node bench/flood.ts [--quick] [--json] [--runtimes node,deno,bun]`.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { buildBundle } from "../scripts/build.ts";
import { gcCommand, liveHeap, load } from "./gateway.ts";
import { emit, type Report, type Row } from "./_table.ts";
import { isQuick, rssKiB, type RuntimeName, RUNTIMES, sleep, startChild } from "./_util.ts";

const HALF_OPEN = 1000;
const CLIENT_IDS = 12_000;

/** Opens `n` connections that each send an unfinished request head; resolves them connected. */
async function halfOpen(port: number, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    // read (and drop) the 408 a server may send, so the close that follows is seen
    socket.resume();
    socket.write(
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: 1\r\n`,
    );
    sockets.push(socket);
  }
  await Promise.all(
    sockets.map((s) =>
      new Promise<void>((r) => {
        if (!s.connecting) r();
        s.once("connect", () => r()).once("close", () => r());
      })
    ),
  );
  return sockets;
}

async function floodOn(
  runtime: RuntimeName,
  core: string,
  dir: string,
  quick: boolean,
) {
  const [cmd, args] = gcCommand(runtime, [core, "gateway", "--port", "0"]);
  const gw = startChild(cmd, args, {
    env: {
      ...(process.env as Record<string, string>),
      HOME: dir,
      MIKROCLAW_STORAGE: "memory",
      TRUSTED_PROXIES: "127.0.0.1/32",
      LOG_LEVEL: "error",
    },
  });
  try {
    const url = (await gw.waitFor(/listening on (\S+)/))[1]!;
    await load({ url: `${url}/health/heartbeat`, connections: 1, amount: 1 });
    await sleep(quick ? 300 : 2000);
    const idle = rssKiB(gw.pid) / 1024;
    const heapIdle = await liveHeap(gw, 1);
    const sockets = await halfOpen(
      Number(new URL(url).port),
      quick ? 100 : HALF_OPEN,
    );
    const ids = quick ? 1000 : CLIENT_IDS;
    await load({
      url,
      connections: 16,
      amount: ids * 2,
      forwardedFor: ids,
      expectStatuses: [401, 429],
      mix: [{ method: "GET", path: "/health/heartbeat" }, {
        method: "GET",
        path: "/tasks",
      }],
    });
    const peak = rssKiB(gw.pid) / 1024;
    // the server closes each half-open connection after its header timeout (Node, Bun)
    const waitS = quick ? 2 : 15;
    const closed = await Promise.race([
      Promise.all(sockets.map((s) => new Promise((r) => s.once("close", r))))
        .then(() => true),
      sleep(waitS * 1000).then(() => false),
    ]);
    const open = sockets.filter((s) => !s.destroyed).length;
    for (const s of sockets) s.destroy();
    await sleep(quick ? 300 : 2000);
    const after = rssKiB(gw.pid) / 1024;
    const heapAfter = await liveHeap(gw, 2);
    return {
      idle,
      peak,
      after,
      heapIdle,
      heapAfter,
      closed,
      open,
      ids,
      half: sockets.length,
      waitS,
    };
  } finally {
    await gw.stop();
  }
}

/** Figure 8 as report rows. */
export async function run(
  options: { quick?: boolean; runtimes?: readonly RuntimeName[] } = {},
): Promise<Report> {
  const dir = await mkdtemp(join(tmpdir(), "mikroclaw-flood-"));
  const rows: Row[] = [];
  try {
    const built = await buildBundle(join(dir, "dist"));
    for (const runtime of options.runtimes ?? RUNTIMES) {
      const r = await floodOn(runtime, built.core, dir, options.quick ?? false);
      process.stderr.write(`flood: ${runtime} done\n`);
      rows.push({
        figure: "8 flood",
        name:
          `${runtime}: gateway RSS holding ${r.half} half-open connections after ${r.ids} client ids`,
        unit: "MiB",
        values: [r.peak],
        baseline: { name: "idle", values: [r.idle] },
      });
      rows.push({
        figure: "8 flood",
        name: `${runtime}: gateway RSS after the half-open connections are gone`,
        unit: "MiB",
        values: [r.after],
        baseline: { name: "idle", values: [r.idle] },
        note: r.closed
          ? "the server closed every half-open connection (header timeout)"
          : `${r.open} half-open connections still open when the client stopped waiting (${r.waitS} s)`,
      });
      rows.push({
        figure: "8 flood",
        name: `${runtime}: gateway live heap after GC after the flood`,
        unit: "MiB",
        values: [r.heapAfter],
        baseline: { name: "idle", values: [r.heapIdle] },
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    rows,
    methods: {
      "8 flood":
        `The bundle running \`gateway\` (memory storage, loopback a trusted proxy; Node with the container's heap flags); VmRSS 2 s after its first answer (and the live heap after a forced full GC, SIGUSR2 to \`bench/_gc_entry.ts\`), then while ${HALF_OPEN} connections each hold an unfinished request head and ${CLIENT_IDS} distinct \`X-Forwarded-For\` client ids each send a heartbeat and an unauthenticated \`GET /tasks\` (autocannon, 16 connections), then 2 s after the half-open connections closed (the server's 10 s header timeout; Node also refuses connections past 512) or the client gave up after 15 s, with the live heap after a forced GC.`,
    },
  };
}

if ((import.meta as { main?: boolean }).main) {
  const i = process.argv.indexOf("--runtimes");
  const runtimes = i < 0 ? undefined : process.argv[i + 1]!.split(",") as RuntimeName[];
  emit(
    "Flood",
    // --quick proves the script works, on Node only
    await run({
      quick: isQuick(),
      runtimes: runtimes ?? (isQuick() ? ["node"] : RUNTIMES),
    }),
    process.argv,
  );
}
