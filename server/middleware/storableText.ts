/** Refuses bodies and query strings holding text PostgreSQL cannot store (see domain/storableText.ts). */
import type { NextFunction, Request, Response } from 'express';
import { assertStorable } from '../domain/storableText';

export function rejectUnstorableText(req: Request, _res: Response, next: NextFunction) {
  assertStorable(req.query, 'query');
  assertStorable(req.body, 'body');
  next();
}
