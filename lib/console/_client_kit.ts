/**
 * What the console client hands its views (types only: the views are served as text and get
 * the kit when the page runs them).
 * @module
 */
import type { ConsoleDom } from "./_client_dom.ts";
import type { consoleChat } from "./_client_chat.ts";
import type { consoleTasks } from "./_client_tasks.ts";
import type { consoleChanges } from "./_client_changes.ts";
import type { consoleJobs } from "./_client_jobs.ts";
import type { consoleHealth } from "./_client_health.ts";

/** A gateway answer: `message` is its error text ("" when ok). */
export interface Reply {
  ok: boolean;
  status: number;
  data: any;
  message: string;
}

/** The DOM helpers plus the console's gateway calls, regions and state, for its views. */
export interface ConsoleKit extends ConsoleDom {
  /** A request to the gateway (same origin, fixed path, the token in a header). */
  api(method: string, path: string, body?: unknown): Promise<Reply>;
  /** Sets a message region's text, leaving it alone when it is the same. */
  say(id: string, message: string): void;
  /** Fills a `<ul>` with one `<li>` per row, when the rows differ from what it shows. */
  list(id: string, rows: any[], empty: string, row: (r: any) => Node): void;
  /** Whether a region's data differs from what it last showed (and records it). */
  changed(region: string, data: unknown): boolean;
  /** Loads the item open in a list view into its detail box (null: nothing to show). */
  loadDetail(box: HTMLElement, list: string): Promise<Reply | null>;
  /** Forgets what a region showed, so the next render fills it again. */
  forget(region: string): void;
  /** The view on screen (`chat`, `tasks`, `changes`, `jobs`, `health`). */
  view(): string;
  /** Whether this tab may call the gateway (it holds a token, or pairing is off). */
  paired(): boolean;
  /** Whether the gateway runs without pairing (loopback only). */
  pairingOff(): boolean;
  /** This tab's bearer token, if paired. */
  token(): string | null;
  /** Forgets the token and shows the pairing form with `message`. */
  signOut(message: string): void;
  /** Refreshes the count of changes awaiting approval. */
  refreshBadge(): Promise<void>;
}

/** The view functions the console's script passes to the client. */
export interface ConsoleViews {
  chat: typeof consoleChat;
  tasks: typeof consoleTasks;
  changes: typeof consoleChanges;
  jobs: typeof consoleJobs;
  health: typeof consoleHealth;
}
