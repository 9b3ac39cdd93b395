/**
 * `web_scrape`: fetches a page as compact text through the services in `WEBSCRAPE_SERVICES`,
 * in order (`jina`, `firecrawl`, `direct`), falling to the next on failure. The model's URL
 * passes the SSRF guard before it is handed to any service; `direct` fetches it with the safe
 * fetch (every redirect re-checked, size and time capped).
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";
import type { SafeFetch } from "../security/safe_fetch.ts";
import type { Resolver } from "../security/ssrf.ts";
export { htmlToText } from "./html_to_text.ts";

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
  fetch?: typeof globalThis.fetch | undefined;
  /** DNS resolver of the SSRF guard (tests inject one). */
  resolve?: Resolver | undefined;
  /** More destinations the guard refuses, e.g. the router's own address. */
  extraDenied?: readonly string[] | undefined;
  /** A ready safe fetch; built from the options above when absent. */
  safeFetch?: SafeFetch;
  /** Longest text returned. @default {12000} */
  maxChars?: number;
  /** Time limit per service. @default {20000} */
  timeoutMs?: number;
  /** Largest body read from a service or page, in bytes. @default {2097152} */
  maxBytes?: number;
}

/** Builds the `web_scrape` tool. */
export function webScrapeTool(options: WebScrapeToolOptions = {}): Tool {
  const maxChars = options.maxChars ?? 12_000;
  const timeoutMs = options.timeoutMs ?? 20_000;
  // The scraper and its SSRF guard load with the first call, not at start-up.
  let runner: Promise<(url: string, signal: AbortSignal) => Promise<string>> | undefined;
  return builtinTool({
    name: "web_scrape",
    description: "Scrape URL via cloud services",
    input: v.object({ url: v.string() }),
    maxOutputChars: maxChars + 1_000,
    timeoutMs: timeoutMs * 3 + 5_000,
    run: async ({ url }, context) =>
      (await (runner ??= import("./_web_scrape_run.ts").then((m) =>
        m.createWebScrapeRunner(options)
      )))(
        url,
        context.signal,
      ),
  });
}
