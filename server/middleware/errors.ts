/** Turns errors into answers: JSON for the API, a fragment for htmx, a page otherwise. 5xx are logged. */
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/client';
import { HttpError, messageIn, ServiceUnavailable } from '../errors';
import type { Logger } from '../logger';
import { exposeLocale } from './locale';

type BodyParserError = { type?: string; status?: number };

function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  const e = err as BodyParserError;
  if (e?.type === 'entity.too.large') return new HttpError(413, 'The request body is too large (limit 1 MB)');
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'The request body is not valid JSON');
  if (e?.type && e.status && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'The request body could not be read');
  // The router could not percent-decode a path parameter (e.g. `/conversations/%E0%A4%A`).
  if (err instanceof URIError) return new HttpError(400, 'The address could not be decoded');
  // PostgreSQL restarting or cut off: an unfinished transaction is rolled back, the caller may send again.
  if (isDatabaseUnavailable(err)) return new ServiceUnavailable('The database is not reachable right now; please retry shortly');
  return null;
}

export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toHttpError(err);
    const status = known?.status ?? 500;
    const message = known?.message ?? 'Internal error';
    if (!known) logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, path: req.path }, 'request failed');
    if (known instanceof ServiceUnavailable) logger.warn({ err: (err as Error).message, path: req.path }, 'request refused: the database is not reachable');
    if (res.headersSent) return;
    res.status(status);
    if (known instanceof ServiceUnavailable) res.set('Retry-After', String(known.retryAfterSeconds));
    if (req.path.startsWith('/api/')) {
      return void res.json({ error: message, ...(known?.details && typeof known.details === 'object' ? known.details : {}) });
    }
    if (!res.locals.t) exposeLocale(req, res, () => undefined);
    const shown = known ? messageIn(known, res.locals.t) : message;
    if (req.get('hx-request')) {
      res.render('partials/flash-error', { message: shown });
    } else {
      res.render('error', { status, message: shown });
    }
  };
}

export function notFoundHandler(req: Request, res: Response) {
  if (req.path.startsWith('/api/')) {
    res.status(404).json({ error: 'No such endpoint' });
    return;
  }
  res.status(404).render('error', { status: 404, message: res.locals.t('error.notFound') });
}
