/**
 * The one error type of the application. Services and repositories throw it; the
 * HTTP layer maps `code` to a status in one table, and the CLI prints `message`.
 */
export type AppErrorCode =
  /** Input is malformed or breaks a rule of the method; `details` lists every bad field as "path: message". */
  | "VALIDATION"
  /** No credentials, or credentials that name no active account. */
  | "UNAUTHENTICATED"
  /** The caller is known but may not do this. */
  | "FORBIDDEN"
  /** No such object in the caller's organisation (also for objects the caller may not see). */
  | "NOT_FOUND"
  /** The `version` sent is not the current one; `details` carries the current state. */
  | "VERSION_CONFLICT"
  /** The object is closed: reopen it before changing it or checking in. */
  | "CLOSED"
  /** The alignment would close a loop in the alignment graph. */
  | "ALIGNMENT_CYCLE"
  /** A unique value (an email, an alignment edge) already exists. */
  | "ALREADY_EXISTS"
  /** The request conflicts with the current state in another way (e.g. deleting a period that holds objectives). */
  | "CONFLICT"
  /** Too many attempts or open streams (sign-in rate limit, live-stream caps); `details` says the limit or when to retry. */
  | "RATE_LIMITED"
  /** Anything unexpected; never caused by input. */
  | "INTERNAL";

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }

  /** A VALIDATION error listing every problem as "path: message". */
  static validation(problems: string[], summary?: string): AppError {
    return new AppError("VALIDATION", summary ?? `Invalid input: ${problems.join("; ")}`, problems);
  }

  static notFound(what: string, id: string): AppError {
    return new AppError("NOT_FOUND", `No ${what} with id ${JSON.stringify(id)} exists in this organisation.`);
  }
}
