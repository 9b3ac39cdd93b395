/**
 * Device identity: stable id + Ed25519 key pair kept in the state store.
 * @module
 */
export {
  type Identity,
  IDENTITY_KEY,
  type IdentityOptions,
  loadIdentity,
  rotateIdentity,
  type RotateResult,
  TOKEN_PREFIX,
  verifySignature,
} from "./load_identity.ts";
