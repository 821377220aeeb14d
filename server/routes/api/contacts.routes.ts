/**
 * Contacts for integrations: read and edit one person, merge two (and undo), and the data-protection requests —
 * access (Art. 15: JSON or one HTML page) and erasure (Art. 17). Handlers call one command each.
 */
import { Router } from 'express';
import { z } from 'zod';
import { loadContactProfile } from '../../domain/contacts/contactProfile';
import { mergeContacts, mergeInput, undoMerge, undoMergeInput } from '../../domain/contacts/mergeContacts';
import { contactInput, updateContact } from '../../domain/contacts/updateContact';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { eraseContact, erasureInput } from '../../domain/privacy/eraseContact';
import { exportContact } from '../../domain/privacy/exportContact';
import { retentionInput, setRetention } from '../../domain/privacy/retention';
import { requirePermission } from '../../middleware/auth';
import { exposeLocale } from '../../middleware/locale';
import { bodyWithId, pathId, uuidParam, validate } from '../../middleware/validate';
import { presentContact } from '../../presenters/contact.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const exportQuery = z.object({ format: z.enum(['json', 'html']).default('json') }).strict();

export function contactApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Contact'));
  router.param('mergeId', uuidParam('Merge'));
  const withId = bodyWithId('contactId');
  // The role check comes before the body is read: a role that may never do it gets 403, not a 400 about its body.
  const work = requirePermission('conversation.work');
  const privacy = requirePermission('privacy.manage');

  router.get('/contacts/:id', requirePermission('conversation.read'), async (req, res) => {
    res.json(presentContact(await loadContactProfile(db, pathId(req))));
  });

  router.patch('/contacts/:id', work, validate(contactInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => updateContact(tx, res.locals.input, actingUser(req))));
  });

  router.post('/contacts/:id/merge', work, validate(mergeInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => mergeContacts(tx, res.locals.input, actingUser(req))));
  });

  router.post(
    '/contact-merges/:mergeId/undo',
    work,
    validate(undoMergeInput, (req) => ({ mergeId: req.params.mergeId })),
    async (req, res) => {
      res.json(await inTransaction(db, dispatcher, (tx) => undoMerge(tx, res.locals.input, actingUser(req))));
    },
  );

  router.get('/contacts/:id/export', privacy, exposeLocale, async (req, res) => {
    const { format } = parseInput(exportQuery, req.query, 'query');
    const pkg = await exportContact(db, pathId(req), actingUser(req).actor);
    const file = `contact-${pkg.contact.id}.${format}`;
    if (format === 'json') return void res.attachment(file).json(pkg);
    res.attachment(file).render('contact-export', { pkg });
  });

  router.post('/contacts/:id/erasure', privacy, validate(erasureInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => eraseContact(tx, res.locals.input, actingUser(req))));
  });

  // Retention rides on the channel's PATCH: a body naming retentionDays is answered here, any other goes on to the SLA settings.
  router.patch(
    '/channels/:channelId',
    (req, _res, next) => (req.body && 'retentionDays' in req.body ? next() : next('route')),
    requirePermission('settings.manage'),
    validate(retentionInput, (req) => ({ ...req.body, channelId: req.params.channelId })),
    async (req, res) => {
      res.json(await inTransaction(db, dispatcher, (tx) => setRetention(tx, res.locals.input, actingUser(req))));
    },
  );

  return router;
}
