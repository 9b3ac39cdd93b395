/**
 * Fakes of the scraping services (PROTOCOLS §10.4 Jina Reader, §10.5 Firecrawl) and an origin
 * web server with pages and redirects, for `web_scrape` and the safe fetch.
 * @module
 */
import { Hono } from "hono";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

/** One recorded request. */
export interface ScrapeRequest {
  service: "jina" | "firecrawl" | "origin";
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The running fakes. */
export interface ScrapeFake {
  server: LocalServer;
  /** `${url}/jina`, the Jina Reader base. */
  jinaBase: string;
  /** `${url}/firecrawl`, the Firecrawl base. */
  firecrawlBase: string;
  /** `${url}/origin`: the origin's pages (see the routes below). */
  originBase: string;
  requests: ScrapeRequest[];
  /** Status Jina answers next (once), e.g. 429 or 451. */
  jinaFailNext?: number | undefined;
  /** Firecrawl answers 402 (credits exhausted) while true. */
  firecrawlOutOfCredits: boolean;
  /** Where `/origin/redirect` points (absolute URL). */
  redirectTarget: string;
  close(): Promise<void>;
}

/** The HTML the origin serves at `/origin/page`. */
export const PAGE_HTML = `<!doctype html><html><head><title>Router &amp; Friends</title>
<style>body{color:red}</style><script>alert("x")</script></head>
<body><h1>Hello</h1><p>First   paragraph&nbsp;here.</p><!-- hidden comment -->
<script type="text/javascript">var secret = 1;</script><ul><li>one</li><li>two &#8211; 2</li></ul></body></html>`;

/** Starts the fakes; `jinaKey`/`firecrawlKey` are the keys they accept. */
export async function startScrapeFake(
  keys: { jina?: string; firecrawl: string },
): Promise<ScrapeFake> {
  const fake = {
    requests: [] as ScrapeRequest[],
    jinaFailNext: undefined as number | undefined,
    firecrawlOutOfCredits: false,
    redirectTarget: "",
  };
  const app = new Hono();
  app.use("*", async (c, next) => {
    const service = c.req.path.split("/")[1] as ScrapeRequest["service"];
    fake.requests.push({
      service,
      method: c.req.method,
      path: c.req.path + (new URL(c.req.url).search),
      headers: Object.fromEntries(c.req.raw.headers),
      body: await c.req.raw.clone().text(),
    });
    await next();
  });
  app.get("/jina/*", (c) => {
    if (fake.jinaFailNext) {
      const status = fake.jinaFailNext;
      fake.jinaFailNext = undefined;
      return c.json({
        data: null,
        code: status,
        name: "RateLimitTriggeredError",
        status: status * 100,
        message: "Too many requests",
        readableMessage: "RateLimitTriggeredError: Too many requests",
      }, status as 429);
    }
    const auth = c.req.header("authorization");
    if (keys.jina && auth !== undefined && auth !== `Bearer ${keys.jina}`) {
      return c.json({
        data: null,
        code: 401,
        name: "AuthenticationFailedError",
        status: 40100,
        message: "Invalid API key",
      }, 401);
    }
    const target = new URL(c.req.url).pathname.slice("/jina/".length) + new URL(c.req.url).search;
    if (c.req.header("accept")?.includes("application/json")) {
      return c.json({
        code: 200,
        status: 20000,
        data: {
          title: "Example",
          description: "",
          url: target,
          content: "# Example\nJina JSON body",
          usage: { tokens: 4 },
        },
      });
    }
    return c.text(
      `Title: Example Domain\n\nURL Source: ${target}\n\nMarkdown Content:\nJina says hello from ${target}`,
    );
  });
  app.post("/firecrawl/v2/scrape", async (c) => {
    if (c.req.header("authorization") !== `Bearer ${keys.firecrawl}`) {
      return c.json({ success: false, error: "Unauthorized: Invalid token" }, 401);
    }
    if (fake.firecrawlOutOfCredits) {
      return c.json({ success: false, error: "Payment required: insufficient credits" }, 402);
    }
    const body = await c.req.json<{ url: string }>();
    return c.json({
      success: true,
      data: {
        markdown: `# Firecrawl\nScraped ${body.url}`,
        metadata: { title: "Firecrawl", sourceURL: body.url, url: body.url, statusCode: 200 },
      },
    });
  });
  app.get("/origin/page", (c) => c.html(PAGE_HTML));
  app.get("/origin/text", (c) => c.text("plain text body"));
  app.get("/origin/big", (c) => c.text("x".repeat(200_000)));
  app.get(
    "/origin/binary",
    (c) =>
      c.body(new Uint8Array([0, 1, 2, 3]), 200, { "Content-Type": "application/octet-stream" }),
  );
  app.get("/origin/redirect", (c) => c.redirect(fake.redirectTarget, 302));
  app.get("/origin/loop", (c) => c.redirect("/origin/loop", 302));
  app.get("/origin/secret", (c) => c.text("INTERNAL SECRET"));
  app.get("/origin/missing", (c) => c.text("not here", 404));
  app.get("/origin/slow", async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    return c.text("late");
  });
  const server = await serveLocal(app.fetch);
  return Object.assign(fake, {
    server,
    jinaBase: `${server.url}/jina`,
    firecrawlBase: `${server.url}/firecrawl`,
    originBase: `${server.url}/origin`,
    close: () => server.close(),
  });
}

/**
 * A `fetch` that routes the public-looking host `origin` (for example `www.example.com`) to
 * the local fake server, the way a real network would route it, and passes everything else
 * (the service fakes on 127.0.0.1) through. It stands in for the network, not for our code.
 */
export function routingFetch(
  routes: Record<string, string>,
): typeof globalThis.fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const target = routes[url.host];
    if (!target) return globalThis.fetch(request);
    const rewritten = new URL(target + url.pathname + url.search);
    return globalThis.fetch(new Request(rewritten, request));
  }) as typeof globalThis.fetch;
}
