/**
 * `web_scrape`: fetches a page as compact text through the services in `WEBSCRAPE_SERVICES`,
 * in order (`jina`, `firecrawl`, `direct`), falling to the next on failure. The model's URL
 * passes the SSRF guard before it is handed to any service; `direct` fetches it with the safe
 * fetch (every redirect re-checked, size and time capped).
 * @module
 */
import * as v from "valibot";
import { capText, defineTool } from "./define_tool.ts";
import type { Tool } from "./types.ts";
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { SafeFetch } from "../security/safe_fetch.ts";
import type { Resolver } from "../security/ssrf.ts";

/** A scraping back-end. */
export type WebScrapeService = "jina" | "firecrawl" | "direct";

/** Options of {@linkcode webScrapeTool}. */
export interface WebScrapeToolOptions {
  /** `WEBSCRAPE_SERVICES`, tried in order; empty means scraping is not configured. */
  services?: readonly string[] | undefined;
  /** `JINA_API_KEY` (optional for Jina). */
  jinaApiKey?: string | undefined;
  /** `FIRECRAWL_API_KEY` (required for Firecrawl). */
  firecrawlApiKey?: string | undefined;
  /** @default {"https://r.jina.ai"} */
  jinaBaseUrl?: string;
  /** @default {"https://api.firecrawl.dev"} */
  firecrawlBaseUrl?: string;
  /** Transport for the services and for `direct`. @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch;
  /** DNS resolver of the SSRF guard (tests inject one). */
  resolve?: Resolver;
  /** More destinations the guard refuses, e.g. the router's own address. */
  extraDenied?: readonly string[];
  /** A ready safe fetch; built from the options above when absent. */
  safeFetch?: SafeFetch;
  /** Longest text returned. @default {12000} */
  maxChars?: number;
  /** Time limit per service. @default {20000} */
  timeoutMs?: number;
  /** Largest body read from a service or page, in bytes. @default {2097152} */
  maxBytes?: number;
}

const SERVICES: readonly WebScrapeService[] = ["jina", "firecrawl", "direct"];

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  copy: "©",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (all, body: string) => {
    if (body[0] === "#") {
      const n = body[1] === "x" || body[1] === "X"
        ? parseInt(body.slice(2), 16)
        : parseInt(body.slice(1), 10);
      return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : "";
    }
    return ENTITIES[body.toLowerCase()] ?? all;
  });
}

/** HTML to compact text: scripts, styles and tags removed, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  let text = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(script|style|noscript|template|svg|iframe|object|head)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<(script|style)\b[\s\S]*$/gi, " ")
    .replace(/<(br|hr)\b[^>]*>/gi, "\n")
    .replace(
      /<\/?(p|div|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|pre|blockquote)\b[^>]*>/gi,
      "\n",
    )
    .replace(/<[^>]*>/g, " ");
  text = decodeEntities(text)
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, " ").trim())
    .filter((line, i, all) => line !== "" || (i > 0 && all[i - 1] !== ""))
    .join("\n")
    .trim();
  const heading = title ? decodeEntities(title).replace(/\s+/g, " ").trim() : "";
  return heading && !text.startsWith(heading) ? `${heading}\n\n${text}` : text;
}

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

/** Builds the `web_scrape` tool. */
export function webScrapeTool(options: WebScrapeToolOptions = {}): Tool {
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
            ...(options.fetch ? { fetch: options.fetch } : {}),
            ...(options.resolve ? { resolve: options.resolve } : {}),
            ...(options.extraDenied ? { extraDenied: options.extraDenied } : {}),
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

  return defineTool({
    name: "web_scrape",
    description: "Scrape URL via cloud services",
    input: v.object({ url: v.string() }),
    maxOutputChars: maxChars + 1_000,
    timeoutMs: timeoutMs * 3 + 5_000,
    async run({ url }, context) {
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
            ? await jina(target, context.signal)
            : service === "firecrawl"
            ? await firecrawl(target, context.signal)
            : await direct(target, context.signal);
          const body = text.trim() || "(the page has no text)";
          return `Source: ${target} (via ${service})\n\n${capText(body, maxChars)}`;
        } catch (error) {
          context.signal.throwIfAborted();
          failures.push(`${service}: ${errorMessage(error)}`);
        }
      }
      throw new AgentError(
        `Cannot scrape "${target}": every service failed; ${failures.join("; ")}`,
        {
          code: ErrorCode.ToolExecution,
        },
      );
    },
  });
}
