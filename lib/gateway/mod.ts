/**
 * The HTTP gateway: pairing, bearer auth, rate limits, tasks, chat and health (CONTRACT §4).
 * @module
 */
export { createGateway } from "./create_gateway.ts";
export {
  createHostCheck,
  type HostCheckOptions,
  hostGuard,
  hostOfHeader,
  type HostVerdict,
} from "./host_guard.ts";
export type {
  Gateway,
  GatewayEnv,
  GatewayOptions,
  HealthProbe,
  HealthSource,
  TaskHandler,
  TaskHandlers,
  TaskInfo,
  TaskStatus,
  TaskType,
  Webhook,
  WebhookHandler,
} from "./types.ts";
