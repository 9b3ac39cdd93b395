/**
 * The web console's DOM helpers (text only, never HTML) and its reader of the gateway's event
 * stream. Served as the text of {@linkcode consoleDom}, in the same script as the console
 * client, so the function must use nothing from outside its own body.
 * @module
 */

/** Attributes of {@linkcode ConsoleDom.h}: text values, or event handlers (never inline code). */
export type Attrs = Record<
  string,
  string | number | boolean | undefined | ((event: Event) => void)
>;
/** What an element may hold: nodes and text (absent values are skipped). */
export type Child = Node | string | number | null | undefined | false;

/** The helpers {@linkcode consoleDom} makes. */
export interface ConsoleDom {
  /** The element with this id; throws when the page lacks it. */
  $<T extends HTMLElement = HTMLElement>(id: string): T;
  /** A new element with attributes and children, all set as text. */
  h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Attrs | null,
    ...children: Child[]
  ): HTMLElementTagNameMap[K];
  /** Replaces an element's children. */
  fill(el: HTMLElement, ...children: Child[]): void;
  /** A timestamp in the reader's locale ("" when absent). */
  when(iso: unknown): string;
  /** A value as text (JSON when not a string). */
  text(value: unknown): string;
  /** A state as a coloured label (ok, bad or waiting). */
  stateLabel(state: unknown): HTMLSpanElement;
  /** A `<dl>` of the rows that have a value. */
  details(rows: [string, Child][]): HTMLDListElement;
  /** Frames of the gateway's SSE stream: `[event, parsed data]`. */
  sse(body: ReadableStream<Uint8Array>): AsyncGenerator<[string, any]>;
}

/** Makes the console's DOM helpers; runs in the page. */
export function consoleDom(): ConsoleDom {
  function $<T extends HTMLElement = HTMLElement>(id: string): T {
    const el = document.getElementById(id);
    if (!el) throw new Error(`console: #${id} is missing`);
    return el as T;
  }

  function h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Attrs | null,
    ...children: Child[]
  ): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs ?? {})) {
      if (typeof value === "function") el.addEventListener(name, value);
      else if (/^on/i.test(name)) {
        throw new Error("console: no inline handlers");
      } else if (value === true) el.setAttribute(name, "");
      else if (value !== false && value !== undefined) {
        el.setAttribute(name, String(value));
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) {
        el.append(typeof child === "number" ? String(child) : child);
      }
    }
    return el;
  }

  function fill(el: HTMLElement, ...children: Child[]): void {
    el.replaceChildren();
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) {
        el.append(typeof child === "number" ? String(child) : child);
      }
    }
  }

  function when(iso: unknown): string {
    if (typeof iso !== "string" && typeof iso !== "number") return "";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }

  function text(value: unknown): string {
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value, null, 2);
  }

  const GOOD = /^(ok|complete|applied|confirmed|reverted)$/;
  const BAD = /^(failed|refused|denied|expired|cancelled|degraded|down or off)$/;

  function stateLabel(state: unknown): HTMLSpanElement {
    const s = String(state ?? "unknown");
    const tone = GOOD.test(s) ? "ok" : BAD.test(s) ? "bad" : "wait";
    return h("span", { class: `state ${tone}` }, s);
  }

  function details(rows: [string, Child][]): HTMLDListElement {
    const dl = h("dl", null);
    for (const [name, value] of rows) {
      if (value === undefined || value === null || value === "") continue;
      dl.append(h("dt", null, name), h("dd", null, value));
    }
    return dl;
  }

  /** Frames of the gateway's SSE stream: `event: <type>` + one `data: <json>` line each. */
  async function* sse(
    body: ReadableStream<Uint8Array>,
  ): AsyncGenerator<[string, any]> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        let event = "message";
        const data: string[] = [];
        for (const line of frame.split(/\r?\n/)) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) {
            data.push(line.slice(5).replace(/^ /, ""));
          }
        }
        let parsed: any = null;
        try {
          parsed = JSON.parse(data.join("\n"));
        } catch {
          parsed = null;
        }
        yield [event, parsed];
      }
    }
  }

  return { $, h, fill, when, text, stateLabel, details, sse };
}
