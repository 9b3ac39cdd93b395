/**
 * The work of `web_scrape` (loaded on its first call): the SSRF check, then each configured
 * service in order (Jina, Firecrawl, direct fetch), compact capped text.
 * @module
 */
import { capText } from "./_tool.ts";
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { SafeFetch } from "../security/safe_fetch.ts";
import { htmlToText } from "./html_to_text.ts";
import type { WebScrapeService, WebScrapeToolOptions } from "./web_scrape.ts";

const SERVICES: readonly WebScrapeService[] = ["jina", "firecrawl", "direct"];

async function readTextCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let out = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - size;
    if (value.byteLength >= room) {
      out += decoder.decode(value.subarray(0, room));
      await reader.cancel().catch(() => {});
      break;
    }
    size += value.byteLength;
    out += decoder.decode(value, { stream: true });
  }
  return out + decoder.decode();
}

/** The scraper for one tool instance: `(url, signal)` -> text for the model. */
export function createWebScrapeRunner(
  options: WebScrapeToolOptions,
): (url: string, signal: AbortSignal) => Promise<string> {
  const maxChars = options.maxChars ?? 12_000;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxBytes ?? 2_097_152;
  // The SSRF guard loads with the first scrape, not at start-up.
  let guarded: Promise<SafeFetch> | undefined;
  const safeFetchOf = (): Promise<SafeFetch> =>
    guarded ??= options.safeFetch
      ? Promise.resolve(options.safeFetch)
      : import("../security/safe_fetch.ts").then(
        ({ createSafeFetch }) =>
          createSafeFetch({
            fetch: options.fetch,
            resolve: options.resolve,
            extraDenied: options.extraDenied,
            timeoutMs,
            maxBytes,
          }),
      );

  async function viaService(
    url: string,
    request: Request,
    name: string,
    signal: AbortSignal,
  ): Promise<Response> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error("timeout")), timeoutMs);
    try {
      return await doFetch(request, { signal: AbortSignal.any([signal, timeout.signal]) });
    } catch (error) {
      if (timeout.signal.aborted) throw new Error(`${name} timed out after ${timeoutMs} ms`);
      throw new Error(`${name} is unreachable for ${url}: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async function jina(url: string, signal: AbortSignal): Promise<string> {
    const base = (options.jinaBaseUrl ?? "https://r.jina.ai").replace(/\/+$/, "");
    const headers: Record<string, string> = { Accept: "text/plain", "X-Return-Format": "markdown" };
    if (options.jinaApiKey) headers.Authorization = `Bearer ${options.jinaApiKey}`;
    const target = url.replace(/#/g, "%23");
    const response = await viaService(
      url,
      new Request(`${base}/${target}`, { headers }),
      "jina",
      signal,
    );
    const text = await readTextCapped(response, maxBytes);
    if (!response.ok) {
      let detail = text.slice(0, 200);
      try {
        const body = JSON.parse(text) as { readableMessage?: string; message?: string };
        detail = body.readableMessage ?? body.message ?? detail;
      } catch {
        // plain text
      }
      throw new Error(`jina answered HTTP ${response.status}: ${detail.replace(/\s+/g, " ")}`);
    }
    return text;
  }

  async function firecrawl(url: string, signal: AbortSignal): Promise<string> {
    if (!options.firecrawlApiKey) throw new Error("firecrawl needs FIRECRAWL_API_KEY");
    const base = (options.firecrawlBaseUrl ?? "https://api.firecrawl.dev").replace(/\/+$/, "");
    const request = new Request(`${base}/v2/scrape`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${options.firecrawlApiKey}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        url,
        formats: ["markdown"],
        onlyMainContent: true,
        timeout: timeoutMs,
      }),
    });
    const response = await viaService(url, request, "firecrawl", signal);
    const text = await readTextCapped(response, maxBytes);
    let body: { success?: boolean; error?: string; data?: { markdown?: string } } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // handled below
    }
    if (!response.ok || body.success === false) {
      const hint = response.status === 401
        ? " (check FIRECRAWL_API_KEY)"
        : response.status === 402
        ? " (credits exhausted)"
        : "";
      throw new Error(
        `firecrawl answered HTTP ${response.status}: ${(body.error ?? text).slice(0, 200)}${hint}`,
      );
    }
    if (typeof body.data?.markdown !== "string") throw new Error("firecrawl returned no markdown");
    return body.data.markdown;
  }

  async function direct(url: string, signal: AbortSignal): Promise<string> {
    const response = await (await safeFetchOf())(url, {
      headers: { Accept: "text/html,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.1" },
      signal,
    });
    if (response.status >= 400) throw new Error(`direct fetch answered HTTP ${response.status}`);
    const type = (response.headers.get("content-type") ?? "").toLowerCase();
    const text = response.text();
    const note = response.truncated ? "\n…[page cut at the size limit]" : "";
    if (type.includes("html") || (!type && /<html|<body|<!doctype/i.test(text.slice(0, 500)))) {
      return htmlToText(text) + note;
    }
    if (!type || type.startsWith("text/") || type.includes("json") || type.includes("xml")) {
      return text + note;
    }
    throw new Error(`direct fetch got unsupported content type "${type}"`);
  }

  return async (url, signal) => {
    const services = (options.services ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean);
    if (services.length === 0) {
      throw new AgentError(
        'Cannot scrape: no scraping service is configured; set WEBSCRAPE_SERVICES (e.g. "jina,direct"; choices: jina, firecrawl, direct)',
        { code: ErrorCode.NotConfigured },
      );
    }
    const unknown = services.filter((s) => !SERVICES.includes(s as WebScrapeService));
    if (unknown.length) {
      throw new AgentError(
        `Cannot scrape: unknown service ${
          unknown.join(", ")
        } in WEBSCRAPE_SERVICES (choices: jina, firecrawl, direct)`,
        { code: ErrorCode.Config },
      );
    }
    // The guard runs first, whatever service follows: no service is asked to fetch an
    // internal address on the model's behalf.
    const checked = await (await safeFetchOf()).guard.check(url.trim());
    const target = checked.url.href;
    const failures: string[] = [];
    for (const service of services as WebScrapeService[]) {
      try {
        const text = service === "jina"
          ? await jina(target, signal)
          : service === "firecrawl"
          ? await firecrawl(target, signal)
          : await direct(target, signal);
        const body = text.trim() || "(the page has no text)";
        return `Source: ${target} (via ${service})\n\n${capText(body, maxChars)}`;
      } catch (error) {
        signal.throwIfAborted();
        failures.push(`${service}: ${errorMessage(error)}`);
      }
    }
    throw new AgentError(
      `Cannot scrape "${target}": every service failed; ${failures.join("; ")}`,
      {
        code: ErrorCode.ToolExecution,
      },
    );
  };
}
