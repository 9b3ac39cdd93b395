/**
 * The CLI's server adapter (`cli/_serve.ts`: `Deno.serve`, `Bun.serve` or `node:http`,
 * whichever runtime runs this file) in front of a real gateway, driven with raw bytes over
 * `node:net` (issue #17 items 4, 7 and 11).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { listen, type Listening } from "../../cli/_serve.ts";
import { type Served, serveGateway } from "./_served.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `bytes` on a fresh connection and resolves the first response: its head, then a
 * `content-length` body (or everything until close); rejects when the connection is reset
 * before a whole response arrived.
 */
function exchange(port: number, bytes: Uint8Array | string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    let settled = false;
    const parse = (atClose: boolean): Raw | undefined => {
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return undefined;
      const [line, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const rest = data.subarray(end + 4);
      const length = headers["content-length"];
      if (length !== undefined ? rest.length < Number(length) : !atClose) return undefined;
      const body = length !== undefined ? rest.subarray(0, Number(length)) : rest;
      return { status: Number(line!.split(" ")[1]), headers, body: body.toString("utf8") };
    };
    const done = (error: Error | undefined, raw?: Raw) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (raw) resolve(raw);
      else reject(error);
    };
    socket.on("data", (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const raw = parse(false);
      if (raw) done(undefined, raw);
    });
    socket.on("error", (e) => done(e));
    socket.on("close", () => {
      const raw = parse(true);
      done(new Error(`connection closed before a response (${data.length} bytes)`), raw);
    });
    socket.write(bytes);
  });
}

describe(`server adapter on ${runtime}: hostile request shapes`, () => {
  let served: Served;
  let server: Listening;

  before(async () => {
    // pairing off (loopback): a body reaches the handler that reads it, not only the 401
    served = await serveGateway({ pairingRequired: false });
    server = served.server;
  });

  after(() => served.close());

  it("answers an absolute-form request target as its origin-form equivalent (RFC 9112 §3.2.2)", async () => {
    const r = await exchange(
      server.port,
      `GET http://127.0.0.1:${server.port}/health/heartbeat HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { heartbeat: "ok" });
  });

  it("answers OPTIONS * without a server error, and refuses other odd targets with 400", async () => {
    const r = await exchange(
      server.port,
      `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    );
    if (runtime === "bun") {
      // Bun's own parser refuses the asterisk form before any handler runs
      assert.equal(r.status, 400);
    } else {
      assert.equal(r.status, 204);
      assert.match(r.headers["allow"] ?? "", /\bOPTIONS\b/);
    }
    for (const target of ["*", "foo", "http://[bad/x"]) {
      const bad = await exchange(
        server.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      ).catch((e: Error) => ({ status: 0, headers: {}, body: e.message }));
      assert.ok(bad.status >= 400 && bad.status < 500, `${target}: ${bad.status} ${bad.body}`);
    }
  });

  it("always answers a 2 MiB body with the 413 JSON error, never a connection reset", async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 0x61);
    for (let i = 0; i < 15; i++) {
      const head = Buffer.from(
        `POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      const r = await exchange(server.port, Buffer.concat([head, body]));
      assert.equal(r.status, 413, `try ${i}`);
      assert.equal(JSON.parse(r.body).error.code, "E_PAYLOAD_TOO_LARGE");
    }
  });

  it("answers a 2 MiB chunked body (no Content-Length) with the 413 JSON error too", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const parts = [
      Buffer.from(
        "POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      ),
    ];
    for (let n = 0; n < 32; n++) {
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
    }
    parts.push(Buffer.from("0\r\n\r\n"));
    const bytes = Buffer.concat(parts);
    for (let i = 0; i < 10; i++) {
      const r = await exchange(server.port, bytes);
      assert.equal(r.status, 413, `try ${i}`);
      assert.equal(JSON.parse(r.body).error.code, "E_PAYLOAD_TOO_LARGE");
    }
  });
});

describe(`server adapter on ${runtime}: slow clients`, () => {
  it(
    "closes a connection whose request head never completes (slowloris)",
    {
      skip: runtime === "deno" ? "Deno.serve has no header timeout to set" : false,
      // Bun checks its idle timer in coarse ticks
      timeout: 60_000,
    },
    async () => {
      const server = await listen(() => new Response("ok"), "127.0.0.1", 0, {
        headersTimeoutMs: 1000,
      });
      try {
        const socket = net.connect(server.port, "127.0.0.1");
        socket.on("error", () => {});
        socket.resume(); // read (and drop) a 408 the server may send, so "close" can come
        socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1");
        await new Promise<void>((resolve) => socket.once("close", () => resolve()));
      } finally {
        await server.close();
      }
    },
  );
});
