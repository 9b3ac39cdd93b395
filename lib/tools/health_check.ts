/**
 * The `health_check` tool: the real component state the gateway probes, plus process facts.
 * @module
 */
import * as v from "valibot";
import { errorMessage } from "../errors.ts";
import { VERSION } from "../version.ts";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";

/** Options of {@linkcode healthCheckTool}. */
export interface HealthCheckToolOptions {
  /**
   * The component health the gateway reports, e.g.
   * `{ status: "ok", components: { llm: true, routeros: false, … } }`.
   */
  healthSource?: () => Promise<Record<string, unknown>>;
  /** @default {10000} */
  timeoutMs?: number;
}

const startedAt = Date.now();

/** `health_check` {}: "Return process health" (components, uptime, memory, version). */
export function healthCheckTool(options: HealthCheckToolOptions = {}): Tool {
  return builtinTool({
    name: "health_check",
    description: "Return process health",
    input: v.object({}),
    timeoutMs: options.timeoutMs ?? 10_000,
    run: async () => {
      const report: Record<string, unknown> = {};
      if (options.healthSource) {
        try {
          Object.assign(report, await options.healthSource());
        } catch (error) {
          report.status = "unknown";
          report.error = `Cannot probe components: ${errorMessage(error)}`;
        }
      } else {
        report.status = "unknown";
        report.components = "not probed: no health source configured";
      }
      return { ...report, ...processFacts() };
    },
  });
}

// --- Internal helpers ---

interface RuntimeGlobals {
  process?: {
    uptime?: () => number;
    memoryUsage?: () => { rss: number; heapUsed: number; heapTotal: number };
    versions?: Record<string, string | undefined>;
  };
  Deno?: {
    memoryUsage?: () => { rss: number; heapUsed: number; heapTotal: number };
    version?: { deno: string };
  };
  Bun?: { version: string };
}

function processFacts(): Record<string, unknown> {
  const g = globalThis as RuntimeGlobals;
  const facts: Record<string, unknown> = {
    version: VERSION,
    runtime: runtimeName(g),
    uptimeSeconds: Math.round(g.process?.uptime?.() ?? (Date.now() - startedAt) / 1000),
  };
  try {
    const usage = g.Deno?.memoryUsage?.() ?? g.process?.memoryUsage?.();
    if (usage) {
      facts.memoryMB = {
        rss: toMB(usage.rss),
        heapUsed: toMB(usage.heapUsed),
        heapTotal: toMB(usage.heapTotal),
      };
    }
  } catch {
    // Memory usage is unavailable in some sandboxes; report what we have.
  }
  return facts;
}

function runtimeName(g: RuntimeGlobals): string {
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno?.version) return `deno ${g.Deno.version.deno}`;
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  return "unknown";
}

function toMB(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
