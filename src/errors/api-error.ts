/**
 * The closed set of API error codes and the HTTP status each maps to. Every error a client can
 * see is one of these, rendered as `{ "error": { "code", "message", "details"? } }`.
 */
export const errorStatus = {
  invalid_json: 400,
  invalid_request: 400,
  unknown_field: 400,
  invalid_address: 400,
  header_injection: 400,
  header_not_allowed: 400,
  unknown_category: 400,
  invalid_attachment: 400,
  invalid_cursor: 400,
  too_many_recipients: 400,
  from_not_allowed: 400,
  weak_password: 400,
  invalid_token: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  attachments_not_allowed: 403,
  tenant_suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_conflict: 409,
  conflict: 409,
  domain_taken: 409,
  account_not_tested: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  readonly path?: string;
  readonly message: string;
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.statusCode = errorStatus[code];
  }
}
