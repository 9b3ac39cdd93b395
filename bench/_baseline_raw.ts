/**
 * Context baseline of the idle-memory figure: the runtime's own bare HTTP server returning a
 * fixed body (`node:http` on Node, `Deno.serve` on Deno, `Bun.serve` on Bun), no framework.
 * Prints `listening on http://host:port`. Run: `node bench/_baseline_raw.ts --port N`.
 * @module
 */
import process from "node:process";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const port = Number(flag("--port") ?? 0);
const hostname = flag("--host") ?? "127.0.0.1";
const body = '{"heartbeat":"ok"}';
const g = globalThis as {
  Deno?: {
    serve(
      o: { port: number; hostname: string; onListen?: (a: { port: number }) => void },
      h: () => Response,
    ): unknown;
  };
  Bun?: { serve(o: { port: number; hostname: string; fetch: () => Response }): { port: number } };
};

if (g.Deno) {
  g.Deno.serve(
    { port, hostname, onListen: (a) => console.log(`listening on http://${hostname}:${a.port}`) },
    () => new Response(body, { headers: { "content-type": "application/json" } }),
  );
} else if (g.Bun) {
  const s = g.Bun.serve({
    port,
    hostname,
    fetch: () => new Response(body, { headers: { "content-type": "application/json" } }),
  });
  console.log(`listening on http://${hostname}:${s.port}`);
} else {
  const http = await import("node:http");
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  server.listen(port, hostname, () => {
    const a = server.address() as { port: number };
    console.log(`listening on http://${hostname}:${a.port}`);
  });
}
