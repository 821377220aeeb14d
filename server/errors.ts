/** Errors that mean a clear 4xx (or 503) answer; anything else is a 500. */
import type { Translate } from './i18n/translate';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class BadRequest extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, message, details);
  }
}
export class Unauthorized extends HttpError {
  constructor(message = 'Authentication required') {
    super(401, message);
  }
}
export class Forbidden extends HttpError {
  constructor(message = 'Not allowed for your role') {
    super(403, message);
  }
}
export class NotFound extends HttpError {
  constructor(what: string) {
    super(404, `${what} not found`);
  }
}
export class Conflict extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, message, details);
  }
}
/** A service we depend on (PostgreSQL) is not reachable right now: the caller may retry after a while. */
export class ServiceUnavailable extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(503, message);
  }
}
/** A 400 the console shows in the user's language; `message` stays English (logs, API). */
export class LocalizedBadRequest extends BadRequest {
  constructor(
    message: string,
    readonly localize: (t: Translate) => string,
    details?: unknown,
  ) {
    super(message, details);
  }
}
/** A 403 the console shows in the user's language (e.g. an expired form). */
export class LocalizedForbidden extends Forbidden {
  constructor(
    message: string,
    readonly localize: (t: Translate) => string,
  ) {
    super(message);
  }
}
/** The text of an error for a person reading the console in their language. */
export const messageIn = (err: HttpError, t: Translate): string =>
  err instanceof LocalizedBadRequest || err instanceof LocalizedForbidden ? err.localize(t) : err.message;
