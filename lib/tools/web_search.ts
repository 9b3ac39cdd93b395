/**
 * `web_search`: Brave, Tavily or SearXNG, chosen by `WEB_SEARCH_PROVIDER`; compact text
 * (title, URL, snippet per result), capped.
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";

/** A search back-end. */
export type WebSearchProvider = "brave" | "tavily" | "searxng";

/** Options of {@linkcode webSearchTool}. */
export interface WebSearchToolOptions {
  /** `WEB_SEARCH_PROVIDER`; unset picks the first one configured (brave, tavily, searxng). */
  provider?: WebSearchProvider | undefined;
  braveApiKey?: string | undefined;
  tavilyApiKey?: string | undefined;
  /** `SEARXNG_URL`, the instance's base, e.g. `http://searx.lan:8080`. */
  searxngUrl?: string | undefined;
  /** @default {"https://api.search.brave.com/res/v1"} */
  braveBaseUrl?: string;
  /** @default {"https://api.tavily.com"} */
  tavilyBaseUrl?: string;
  /** Results per search. @default {5} */
  maxResults?: number;
  /** Time limit of the request. @default {15000} */
  timeoutMs?: number;
  /** @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch | undefined;
}

/** Builds the `web_search` tool. */
export function webSearchTool(options: WebSearchToolOptions = {}): Tool {
  return builtinTool({
    name: "web_search",
    description: "Search web documents",
    input: v.object({ query: v.string() }),
    run: async ({ query }, context) =>
      (await import("./_web_search_run.ts")).runWebSearch(options, query, context.signal),
  });
}
