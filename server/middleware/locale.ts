/** Makes t() and date formatting available to every view, in the user's (or visitor's) language. */
import type { NextFunction, Request, Response } from 'express';
import type { Locale } from '../db/schema';
import { formatBytes, formatDate, formatDateTime, formatNumber, formatPercent, localeFromHeader, translator, type Translate } from '../i18n/translate';
import { formatMinutes } from '../../static/duration.js';
import { isHtmx } from './htmx';

declare global {
  namespace Express {
    /** Set by exposeLocale for every console request (the JSON API has none). */
    interface Locals {
      locale: Locale;
      t: Translate;
      fmtTime: (d: Date) => string;
      fmtMinutes: (minutes: number) => string;
      fmtNumber: (n: number) => string;
      fmtPercent: (pct: number) => string;
      fmtDate: (d: Date) => string;
      fmtBytes: (bytes: number) => string;
    }
  }
}

export function localeForRequest(req: Request): Locale {
  const cookie = /(?:^|;\s*)rl_locale=(de|en)/.exec(req.get('cookie') ?? '')?.[1] as Locale | undefined;
  return req.user?.locale ?? cookie ?? localeFromHeader(req.get('accept-language'));
}

export function exposeLocale(req: Request, res: Response, next: NextFunction) {
  const locale = localeForRequest(req);
  res.locals.locale = locale;
  res.locals.t = translator(locale);
  res.locals.fmtTime = (d: Date) => formatDateTime(locale, d);
  res.locals.fmtMinutes = (minutes: number) => formatMinutes(minutes, locale);
  res.locals.fmtNumber = (n: number) => formatNumber(locale, n);
  res.locals.fmtPercent = (pct: number) => formatPercent(locale, pct);
  res.locals.fmtDate = (d: Date) => formatDate(locale, d);
  res.locals.fmtBytes = (bytes: number) => formatBytes(locale, bytes);
  // Where the language switch returns to: the page being shown (a GET), so switching keeps the user's place.
  if (req.method === 'GET' && !isHtmx(req)) res.locals.currentPath = req.originalUrl;
  next();
}
