/**
 * Secrets: the redacting {@linkcode Secret} type and the `ENCRYPTED:v1:` / `ENCRYPTED:v2:`
 * value formats.
 * @module
 */
export { constantTimeEqual } from "./secret.ts";
export { isSecret } from "./secret.ts";
export { secret } from "./secret.ts";
export type { Secret } from "./secret.ts";
export { containsEncryptedValue } from "./decrypt_value.ts";
export { decryptValue } from "./decrypt_value.ts";
export { isEncryptedValue } from "./decrypt_value.ts";
export { MAX_ENCRYPTED_LENGTH } from "./decrypt_value.ts";
export type { DecryptOptions } from "./decrypt_value.ts";
export type { SecretKeys } from "./decrypt_value.ts";
export { encryptValue } from "./encrypt_value.ts";
export { MAX_PLAINTEXT_BYTES } from "./encrypt_value.ts";
export { MIN_SECRET_LENGTH } from "./scrub.ts";
export { REDACTED } from "./scrub.ts";
export { scrubError } from "./scrub.ts";
export { scrubSecrets } from "./scrub.ts";
export { secretForms } from "./scrub.ts";
export { createSecretRegistry } from "./registry.ts";
export { headerSecrets } from "./registry.ts";
export { urlSecrets } from "./registry.ts";
export type { SecretRegistry } from "./registry.ts";
