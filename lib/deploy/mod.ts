/**
 * Deployment helpers: the RouterOS setup script for running MikroClaw in a router container.
 * @module
 */
export {
  quoteRouterOS,
  type RouterosScriptOptions,
  routerosSetupScript,
  SET_ME,
} from "./routeros_script.ts";
