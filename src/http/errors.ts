/**
 * The one table from error codes to HTTP statuses, and the error body
 * `{ error: { code, message, details } }`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type AppErrorCode } from "../domain/errors.js";

export const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  CLOSED: 409,
  ALIGNMENT_CYCLE: 409,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export function errorBody(code: AppErrorCode, message: string, details?: unknown) {
  return { error: { code, message, details: details ?? null } };
}

/** Fastify's own 4xx errors (malformed JSON, wrong content type, body too large) become VALIDATION. */
function fromFastify(err: FastifyError): AppError | null {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  if (err.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
    return AppError.validation(["body: is empty; send a JSON object (it may be {})"]);
  }
  if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return AppError.validation(['body: send JSON with the header "Content-Type: application/json"']);
  }
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return AppError.validation(["body: is too large"]);
  if (status === 404) return new AppError("NOT_FOUND", err.message);
  if (err instanceof SyntaxError || /JSON/i.test(err.message)) {
    return AppError.validation([`body: is not valid JSON (${err.message}); send a JSON object`]);
  }
  return AppError.validation([`request: ${err.message}`]);
}

export function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const appErr = err instanceof AppError ? err : fromFastify(err as FastifyError);
  if (!appErr) {
    req.log.error({ err }, "unexpected error");
    return reply
      .status(500)
      .send(
        errorBody("INTERNAL", "Something went wrong on the server. It has been logged; please try again or report it."),
      );
  }
  const status = STATUS_BY_CODE[appErr.code];
  const retry = (appErr.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (status === 429 && typeof retry === "number") reply.header("retry-after", String(retry));
  return reply.status(status).send(errorBody(appErr.code, appErr.message, appErr.details));
}
