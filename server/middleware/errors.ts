/**
 * Turns errors into answers: JSON for the API, a fragment for htmx, a page otherwise; a refused web form
 * (see rerenderForm) is shown again with its problem. 5xx are logged.
 */
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/client';
import { HttpError, messageIn, ServiceUnavailable } from '../errors';
import { localizeFieldCodes } from '../i18n/formErrors';
import type { Translate } from '../i18n/translate';
import { formView, type FormProblem } from '../presenters/form.presenter';
import { isHtmx } from './htmx';
import { exposeLocale } from './locale';
import { InvalidForm } from './validate';

type BodyParserError = { type?: string; status?: number; limit?: number };

export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  const e = err as BodyParserError;
  if (e?.type === 'entity.too.large') return new HttpError(413, `The request body is too large (limit ${Math.round((e.limit ?? 2 ** 20) / 2 ** 20)} MB)`);
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'The request body is not valid JSON');
  if (e?.type && e.status && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'The request body could not be read');
  // The router could not percent-decode a path parameter (e.g. `/conversations/%E0%A4%A`).
  if (err instanceof URIError) return new HttpError(400, 'The address could not be decoded');
  // PostgreSQL restarting or cut off: an unfinished transaction is rolled back, the caller may send again.
  if (isDatabaseUnavailable(err)) return new ServiceUnavailable('The database is not reachable right now; please retry shortly');
  return null;
}

type Rerender = (req: Request, res: Response, problem: FormProblem) => Promise<void> | void;
type Refusal = (err: HttpError) => Promise<void>;

/**
 * The one way a web form answers a refusal: put `rerenderForm(formKey, render)` in the route's chain (after the
 * permission check, before validate) and a 4xx from validation or the command — a 404 aside, which names
 * nothing to re-render — answers with `render` again: the message at the form, its fields marked, the
 * input kept (except `_csrf` and the fields named in `omit`, e.g. secrets). Validation problems are in the
 * user's language; the domain's field codes too, where they are codes (`taken`, `unknown`, `in the past`).
 */
export function rerenderForm(form: string | ((req: Request) => string), render: Rerender, omit: readonly string[] = []) {
  return (req: Request, res: Response, next: NextFunction) => {
    const params = req.params; // the route's; by the time an error reaches the app's handler, the router has reset them
    const refused: Refusal = async (err) => {
      req.params = params;
      const t = res.locals.t as Translate;
      const codes = (err.details as { fields?: Record<string, unknown> } | undefined)?.fields;
      const fields = err instanceof InvalidForm ? err.fields : codes ? localizeFieldCodes(codes, t) : {};
      const problem: FormProblem = {
        form: typeof form === 'string' ? form : form(req),
        message: messageIn(err, t),
        fields,
        values: Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf' && !omit.includes(k))),
      };
      res.locals.forms = formView(problem);
      await render(req, res, problem);
    };
    res.locals.refused = refused;
    next();
  };
}

/** Logs through `req.log` (middleware/requestId.ts), so the line carries the request's id. */
export function errorHandler() {
  const handle = async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const logger = req.log;
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
    const refused = res.locals.refused as Refusal | undefined;
    if (known && refused && status < 500 && status !== 404) {
      res.locals.refused = undefined; // a failure while re-rendering is answered below, not re-rendered again
      try {
        return await refused(known);
      } catch (renderErr) {
        return handle(renderErr, req, res, _next);
      }
    }
    const shown = known ? messageIn(known, res.locals.t) : res.locals.t('error.internal');
    if (isHtmx(req)) {
      res.render('partials/flash-error', { message: shown });
    } else {
      res.render('error', { status, message: shown });
    }
  };
  return handle;
}

export function notFoundHandler(req: Request, res: Response) {
  if (req.path.startsWith('/api/')) {
    res.status(404).json({ error: 'No such endpoint' });
    return;
  }
  res.status(404).render('error', { status: 404, message: res.locals.t('error.notFound') });
}
