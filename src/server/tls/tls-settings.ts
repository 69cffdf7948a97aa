/** The TLS every HTTPS listener serves: versions, ciphers and the handshake time limit. */

/** TLS 1.2 and 1.3 only: older versions have known weaknesses and no client we serve needs them. */
export const MIN_VERSION = 'TLSv1.2';
/**
 * Forward-secret AEAD suites only (Mozilla's "intermediate" list). The TLS 1.3 suites must be named too: a list
 * without them would turn TLS 1.3 off.
 */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');
/** A client that has not finished its handshake by then is cut off, so half-open handshakes cannot pile up. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
