/** What a signal or consensus write may answer besides every route's errors (documented in its OpenAPI responses). */
export const WRITE_ERRORS = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'IDEMPOTENCY_KEY_IN_FLIGHT',
  'IDEMPOTENCY_KEY_REUSED',
  'BAR_IN_FUTURE',
] as const;
