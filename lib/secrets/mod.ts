/**
 * Secrets: the redacting {@linkcode Secret} type and the `ENCRYPTED:v1:` / `ENCRYPTED:v2:`
 * value formats.
 * @module
 */
export { constantTimeEqual, isSecret, type Secret, secret } from "./secret.ts";
export {
  containsEncryptedValue,
  type DecryptOptions,
  decryptValue,
  isEncryptedValue,
  MAX_ENCRYPTED_LENGTH,
  type SecretKeys,
} from "./decrypt_value.ts";
export { encryptValue, MAX_PLAINTEXT_BYTES } from "./encrypt_value.ts";
export { MIN_SECRET_LENGTH, REDACTED, scrubError, scrubSecrets, secretForms } from "./scrub.ts";
export {
  createSecretRegistry,
  headerSecrets,
  type SecretRegistry,
  urlSecrets,
} from "./registry.ts";
