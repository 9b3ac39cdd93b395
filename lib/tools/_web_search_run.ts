/**
 * The work of `web_search` (loaded on its first call): the request to Brave, Tavily or SearXNG
 * and the compact text of the results.
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";
import type { WebSearchProvider, WebSearchToolOptions } from "./web_search.ts";

interface Hit {
  title: string;
  url: string;
  snippet: string;
}

function fail(message: string, code: ErrorCode = ErrorCode.ToolExecution): AgentError {
  return new AgentError(message, { code });
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function clean(text: string, max: number): string {
  const flat = text.replace(/<[^>]{0,200}>/g, "").replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

async function errorDetail(response: Response): Promise<string> {
  const text = (await response.text().catch(() => "")).slice(0, 2000);
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const err = body.error as Record<string, unknown> | string | undefined;
    const detail = body.detail as Record<string, unknown> | string | undefined;
    const message = typeof err === "object"
      ? str(err?.detail) || str(err?.code)
      : str(err) || (typeof detail === "object" ? str(detail?.error) : str(detail)) ||
        str(body.message);
    if (message) return message.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, " ").slice(0, 200) || response.statusText;
}

/** Runs one search for `query` with `options`; the compact result text. */
export async function runWebSearch(
  options: WebSearchToolOptions,
  query: string,
  signal: AbortSignal,
): Promise<string> {
  const maxResults = Math.min(Math.max(options.maxResults ?? 5, 1), 20);
  const timeoutMs = options.timeoutMs ?? 15_000;

  function pick(): WebSearchProvider {
    if (options.provider) return options.provider;
    if (options.braveApiKey) return "brave";
    if (options.tavilyApiKey) return "tavily";
    if (options.searxngUrl) return "searxng";
    throw fail(
      "Cannot search: no search provider is configured; set WEB_SEARCH_PROVIDER to brave (with BRAVE_API_KEY), tavily (with TAVILY_API_KEY) or searxng (with SEARXNG_URL)",
      ErrorCode.NotConfigured,
    );
  }

  async function call(
    provider: WebSearchProvider,
    url: string,
    init: RequestInit,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error("timeout")), timeoutMs);
    try {
      const response = await doFetch(url, {
        ...init,
        signal: AbortSignal.any([signal, timeout.signal]),
      });
      if (!response.ok) {
        const detail = await errorDetail(response);
        const hint = response.status === 401 || response.status === 403 ||
            (provider === "brave" && response.status === 422 && /TOKEN/i.test(detail))
          ? provider === "searxng"
            ? " (the instance must enable the json format in settings.yml)"
            : ` (check ${provider === "brave" ? "BRAVE_API_KEY" : "TAVILY_API_KEY"})`
          : response.status === 429 || response.status === 432 || response.status === 433
          ? " (rate or usage limit reached; try again later)"
          : "";
        throw fail(`Cannot search with ${provider}: HTTP ${response.status} ${detail}${hint}`);
      }
      const text = await response.text();
      if (text.length > 5_000_000) throw fail(`Cannot search with ${provider}: response too large`);
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new AgentError(`Cannot search with ${provider}: the response is not JSON`, {
          code: ErrorCode.ToolExecution,
          cause: error,
        });
      }
    } catch (error) {
      if (timeout.signal.aborted) {
        throw new AgentError(`Cannot search with ${provider}: timed out after ${timeoutMs} ms`, {
          code: ErrorCode.ToolTimeout,
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function search(query: string, signal: AbortSignal): Promise<Hit[]> {
    const provider = pick();
    if (provider === "brave") {
      if (!options.braveApiKey) {
        throw fail("Cannot search with brave: BRAVE_API_KEY is not set", ErrorCode.NotConfigured);
      }
      const base = trimSlash(options.braveBaseUrl ?? "https://api.search.brave.com/res/v1");
      const params = new URLSearchParams({
        q: query,
        count: String(maxResults),
        text_decorations: "false",
        result_filter: "web",
      });
      const body = await call(provider, `${base}/web/search?${params}`, {
        headers: { Accept: "application/json", "X-Subscription-Token": options.braveApiKey },
      }, signal);
      const web = body.web as { results?: unknown[] } | undefined;
      return (web?.results ?? []).map((r) => {
        const o = r as Record<string, unknown>;
        return { title: str(o.title), url: str(o.url), snippet: str(o.description) };
      });
    }
    if (provider === "tavily") {
      if (!options.tavilyApiKey) {
        throw fail("Cannot search with tavily: TAVILY_API_KEY is not set", ErrorCode.NotConfigured);
      }
      const base = trimSlash(options.tavilyBaseUrl ?? "https://api.tavily.com");
      const body = await call(provider, `${base}/search`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${options.tavilyApiKey}`,
          "Content-Type": "application/json",
          Accept: "application/json",
        },
        body: JSON.stringify({
          query,
          search_depth: "basic",
          max_results: maxResults,
          include_answer: false,
          include_raw_content: false,
          include_images: false,
        }),
      }, signal);
      return ((body.results as unknown[] | undefined) ?? []).map((r) => {
        const o = r as Record<string, unknown>;
        return { title: str(o.title), url: str(o.url), snippet: str(o.content) };
      });
    }
    if (!options.searxngUrl) {
      throw fail("Cannot search with searxng: SEARXNG_URL is not set", ErrorCode.NotConfigured);
    }
    const params = new URLSearchParams({ q: query, format: "json" });
    const body = await call(provider, `${trimSlash(options.searxngUrl)}/search?${params}`, {
      headers: { Accept: "application/json" },
    }, signal);
    return ((body.results as unknown[] | undefined) ?? []).map((r) => {
      const o = r as Record<string, unknown>;
      return { title: str(o.title), url: str(o.url), snippet: str(o.content) };
    });
  }

  const q = query.trim();
  if (!q) throw new TypeError("Cannot search: the query is empty");
  if (q.length > 400) {
    throw new RangeError("Cannot search: the query is longer than 400 characters");
  }
  const hits = (await search(q, signal)).filter((h) => h.url).slice(0, maxResults);
  if (hits.length === 0) return `No results for "${q}"`;
  return hits.map((h, i) =>
    `${i + 1}. ${clean(h.title, 200) || "(untitled)"}\n   ${h.url.slice(0, 500)}\n   ${
      clean(h.snippet, 400)
    }`
  ).join("\n");
}
