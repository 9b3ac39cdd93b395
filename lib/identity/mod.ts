/**
 * Device identity: stable id + Ed25519 key pair kept in the state store.
 * @module
 */
export { IDENTITY_KEY } from "./load_identity.ts";
export { loadIdentity } from "./load_identity.ts";
export { rotateIdentity } from "./load_identity.ts";
export { TOKEN_PREFIX } from "./load_identity.ts";
export { verifySignature } from "./load_identity.ts";
export type { Identity } from "./load_identity.ts";
export type { IdentityOptions } from "./load_identity.ts";
export type { RotateResult } from "./load_identity.ts";
