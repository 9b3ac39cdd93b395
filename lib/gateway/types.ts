/**
 * Public types of the HTTP gateway.
 * @module
 */
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { StateStore } from "../storage/types.ts";
import type { HealthMonitor } from "./_health.ts";

/** Task types: those `POST /tasks` accepts, and `job` (a scheduled job's run, CONTRACT §8). */
export type TaskType = "agent" | "investigate" | "analyze" | "summarize" | "skill_invoke" | "job";

/** Task states. */
export type TaskStatus = "queued" | "running" | "complete" | "failed" | "cancelled";

/** What a task handler receives. */
export interface TaskInfo {
  task_id: string;
  type: TaskType;
  /** The prompt (`agent`), the text (`summarize`), or free-form input of other types. */
  input?: string;
  /** `skill_invoke`: the skill's name. */
  skill?: string;
  /** Extra parameters the caller sent under `params`. */
  params?: Record<string, unknown>;
  /** `gateway:<token id>` of the caller. */
  requested_by: string;
  created_at: string;
}

/**
 * Runs one task. Must honour `signal` (cancel, timeout, shutdown); the result is stored as
 * the task's `result`, a thrown error's message as its `error`.
 */
export type TaskHandler = (
  task: TaskInfo,
  context: { signal: AbortSignal },
) => Promise<string | Record<string, unknown>>;

/** Handlers per task type; missing types fail with "not configured". */
export type TaskHandlers = Partial<Record<TaskType, TaskHandler>>;

/** A reachability probe; resolves `true` when the component answers. */
export type HealthProbe = (signal: AbortSignal) => Promise<boolean>;

/** Background health probes; unconfigured components report `false` and do not degrade. */
export interface HealthSource {
  llm?: HealthProbe;
  routeros?: HealthProbe;
  memu?: HealthProbe;
}

/** An inbound channel webhook; verifies its own signature. */
export type WebhookHandler = (request: Request) => Promise<Response>;

/**
 * An inbound endpoint a channel declares: the gateway mounts `POST <path>` and lets it skip the
 * bearer auth and the Host check, because `handle` verifies the service's own signature.
 */
export interface Webhook {
  path: string;
  handle: WebhookHandler;
}

/** Options of `createGateway`. */
export interface GatewayOptions {
  agent: Agent;
  /** All gateway state (tokens, codes, lockouts, tasks) lives here. */
  store: StateStore;
  /** Per-type task handlers; defaults: `agent` and `summarize` run the agent. */
  tasks?: TaskHandlers;
  health?: HealthSource;
  /**
   * A health monitor built by the caller (the runtime shares it with the `health_check` tool);
   * replaces `health`, `healthIntervalMs` and `healthTimeoutMs`. The gateway starts and stops it.
   */
  healthMonitor?: HealthMonitor;
  /** Channel webhooks; only these paths are served without a bearer token. @default {[]} */
  webhooks?: readonly Webhook[];
  /** Require a bearer token from pairing. @default {true} */
  pairingRequired?: boolean;
  /** The address the server binds; `pairingRequired: false` is refused unless loopback. @default {"127.0.0.1"} */
  bindHost?: string;
  /**
   * Names accepted in `Host` besides loopback names and `bindHost` (`GATEWAY_ALLOWED_HOSTS`);
   * every other `Host` is refused with 421 before rate limiting and auth (DNS rebinding). On a
   * wildcard bind any IP literal is accepted too. @default {[]}
   */
  allowedHosts?: readonly string[];
  /** Proxies (IPs or CIDRs) whose `X-Forwarded-For` is believed. @default {[]} */
  trustedProxies?: readonly string[];
  /** Bearer token lifetime. @default {30 days} */
  tokenTtlMs?: number;
  /** One-time pairing code lifetime. @default {600000} */
  pairingCodeTtlMs?: number;
  /** Failed pairing attempts (from anyone) after which a code is burnt. @default {20} */
  pairingMaxAttempts?: number;
  /** Failed pairing attempts from one client before its lockout. @default {5} */
  pairingLockoutThreshold?: number;
  /** Tasks run at once by this gateway. @default {4} */
  taskConcurrency?: number;
  /** Queued tasks (fleet-wide) before `POST /tasks` answers 503. @default {100} */
  taskQueueLimit?: number;
  /** How long finished tasks are kept. @default {3600000} */
  taskRetentionMs?: number;
  /** Per-task time limit. @default {300000} */
  taskTimeoutMs?: number;
  /** Idle poll for tasks queued by another gateway. @default {1000} */
  taskPollMs?: number;
  /** Poll of running tasks' records for a cancel written elsewhere. @default {250} */
  taskCancelPollMs?: number;
  /** How long `stop()` lets running tasks finish before aborting them. @default {10000} */
  taskDrainMs?: number;
  /** Per-client token bucket. @default {{ rps: 10, burst: 40 }} */
  rateLimit?: { rps: number; burst: number; maxClients?: number };
  /** Largest request body. @default {1048576} */
  maxBodyBytes?: number;
  /** Health probe interval. @default {30000} */
  healthIntervalMs?: number;
  /** Health probe time limit. @default {5000} */
  healthTimeoutMs?: number;
  /** The peer address of a request. @default {srvx's `request.ip`} */
  clientAddress?: (request: Request) => string | undefined;
  logger?: Logger;
  /** Clock, for tests. @default {Date.now} */
  now?: () => number;
}

/** Hono variables set by the gateway's middleware. */
export interface GatewayEnv {
  Variables: {
    client: string;
    /** The bearer token's id; unset without a valid token. */
    tokenId: string | undefined;
    token: string | undefined;
    /** Set when the body passed the limit as the route read it. */
    bodyTooLarge: boolean | undefined;
    /** The request's `Host` is a loopback name or address (set by the Host check). */
    hostLoopback: boolean;
  };
}

/** A gateway: a standard fetch handler plus its lifecycle. */
export interface Gateway {
  /** Standard `(Request) => Promise<Response>` handler; serve it with srvx, Deno or Bun. */
  fetch(request: Request): Promise<Response>;
  /** The start-up pairing code while it is valid (print it as `pairing code: NNNNNN`). */
  pairingCode(): string | undefined;
  /** Issues a new one-time pairing code (also used by `identity --rotate`). */
  issuePairingCode(): Promise<string>;
  /** Issues the first pairing code, starts the task workers and the health prober. */
  start(): Promise<void>;
  /** Stops accepting tasks, drains the workers and stops every timer. */
  stop(): Promise<void>;
  /** Revokes every bearer token; resolves how many were revoked. */
  revokeAllTokens(): Promise<number>;
  /** Queues a task as `requestedBy` (scheduled jobs); `undefined` when the queue is full. */
  submitTask(
    task: { type: TaskType; input?: string; params?: Record<string, unknown> },
    requestedBy: string,
  ): Promise<{ task_id: string } | undefined>;
}
