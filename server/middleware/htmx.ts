/** Whether a request comes from htmx (it then wants a fragment, not a page). */
import type { Request } from 'express';

export function isHtmx(req: Request): boolean {
  return req.get('hx-request') === 'true';
}
