/** Errors that mean a clear 4xx (or 503) answer; anything else is a 500. */
import type { MessageKey } from './i18n/messages';
import type { Translate } from './i18n/translate';

/** What the console shows for an error, in the user's language: a message key and its values. */
type Shown = { key: MessageKey; vars?: Record<string, string | number> };

export class HttpError extends Error {
  shown?: Shown;
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /** The console's text for this error (`message` stays English for logs and the API). */
  showing(key: MessageKey, vars?: Record<string, string | number>): this {
    this.shown = { key, vars };
    return this;
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
/** Errors no command words for the console: a text per status, so no English reaches a German page. */
const BY_STATUS: Record<number, MessageKey> = {
  400: 'error.badRequest',
  401: 'error.unauthorized',
  403: 'error.forbidden',
  404: 'error.notFound',
  409: 'error.conflict',
  413: 'error.tooLarge',
  422: 'error.badRequest',
  503: 'error.unavailable',
};

/** The text of an error for a person reading the console in their language. */
export function messageIn(err: HttpError, t: Translate): string {
  if (err instanceof LocalizedBadRequest || err instanceof LocalizedForbidden) return err.localize(t);
  if (err.shown) return t(err.shown.key, err.shown.vars);
  const fields = (err.details as { fields?: unknown } | undefined)?.fields;
  if (err.status === 400 && fields) return t('form.invalid');
  return t(BY_STATUS[err.status] ?? 'error.title');
}
