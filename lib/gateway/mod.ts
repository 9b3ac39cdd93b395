/**
 * The HTTP gateway: pairing, bearer auth, rate limits, tasks, chat and health (CONTRACT §4).
 * @module
 */
export { createGateway } from "./create_gateway.ts";
export type { Gateway } from "./types.ts";
export type { GatewayOptions } from "./types.ts";
export type { Webhook } from "./types.ts";
export type { HealthProbe } from "./types.ts";
export type { HealthSource } from "./types.ts";
export type { TaskHandler } from "./types.ts";
export type { TaskHandlers } from "./types.ts";
export type { TaskInfo } from "./types.ts";
export type { TaskStatus } from "./types.ts";
export type { TaskType } from "./types.ts";
export type { WebhookHandler } from "./types.ts";
