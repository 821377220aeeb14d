/** The audit trail's CSV export as a response (web and API alike): written as it is read, at the client's pace. */
import type { Request, Response } from 'express';
import type { Db } from '../db/client';
import type { AuditFilter } from '../db/repositories/audit.repo';
import type { Actor } from '../domain/audit/actor';
import { exportAuditCsv } from '../domain/audit/exportAudit';

export async function sendAuditCsv(req: Request, res: Response, db: Db, filter: Omit<AuditFilter, 'limit'>, actor: Actor): Promise<void> {
  res.type('text/csv; charset=utf-8').attachment('audit.csv');
  try {
    await exportAuditCsv(db, filter, actor, (chunk) => written(res, chunk));
    res.end();
  } catch (err) {
    if (!res.headersSent) throw err;
    // half a file is no file: the download ends as failed rather than looking complete
    req.log.warn({ err: (err as Error).message }, 'audit export stopped');
    res.destroy();
  }
}

/** Resolves when the chunk is written or buffered below the high-water mark; rejects if the client went away. */
function written(res: Response, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('the client closed the connection'));
    if (res.write(chunk)) return resolve();
    const settle = (err?: Error) => {
      res.off('drain', drained);
      res.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const drained = () => settle();
    const closed = () => settle(new Error('the client closed the connection'));
    res.once('drain', drained);
    res.once('close', closed);
  });
}
