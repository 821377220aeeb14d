/** One endpoint, one partial: htmx asks for the fragment, everyone else gets the full page around it. */
import type { Request, Response } from 'express';
import { isHtmx } from '../../middleware/htmx';

export function renderPageOrFragment(req: Request, res: Response, page: string, fragment: string, data: object) {
  const wantsFragment = isHtmx(req) && req.get('hx-boosted') !== 'true';
  res.render(wantsFragment ? fragment : page, data);
}
