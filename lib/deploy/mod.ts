/**
 * Deployment helpers: the RouterOS setup script for running MikroClaw in a router container.
 * @module
 */
export { quoteRouterOS } from "./routeros_script.ts";
export { routerosSetupScript } from "./routeros_script.ts";
export { SET_ME } from "./routeros_script.ts";
export type { RouterosScriptOptions } from "./routeros_script.ts";
