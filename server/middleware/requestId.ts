/**
 * Every request gets an id: the caller's `X-Request-Id` when it is a sane token (a proxy or an integration
 * tracing its own call), else a fresh UUID. It is echoed in the response's `X-Request-Id` and bound to
 * `req.log`, a child of the app's logger, so every line logged for the request (the error handler's included)
 * carries `reqId`. When the answer is sent, one debug line records method, path (never the query, which may
 * hold a token), status and duration.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';

declare global {
  namespace Express {
    interface Request {
      /** This request's id (also in the X-Request-Id response header). */
      id: string;
      /** The app's logger bound to this request's id. */
      log: Logger;
    }
  }
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Letters, digits and `._:-`, 8 to 128 of them: a UUID, a ULID, a trace id; never a line break or markup. */
const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestId(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    req.id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.id });
    res.setHeader(REQUEST_ID_HEADER, req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.debug({ method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
