/**
 * Device identity: stable id + Ed25519 key pair kept in the state store.
 * @module
 */
export {
  IDENTITY_KEY,
  type Identity,
  type IdentityOptions,
  loadIdentity,
  rotateIdentity,
  type RotateResult,
  TOKEN_PREFIX,
  verifySignature,
} from "./load_identity.ts";
