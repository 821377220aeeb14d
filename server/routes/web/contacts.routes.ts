/** The contact page: one person with all identities and conversations; edit, merge (and undo), export, erase. */
import { Router, type Request, type Response } from 'express';
import { loadContactProfile } from '../../domain/contacts/contactProfile';
import { mergeContacts, mergeInput, undoMerge, undoMergeInput } from '../../domain/contacts/mergeContacts';
import { contactInput, updateContact } from '../../domain/contacts/updateContact';
import { inTransaction } from '../../domain/effects';
import { eraseContact, erasureInput } from '../../domain/privacy/eraseContact';
import { exportContact } from '../../domain/privacy/exportContact';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { formList, pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

/** The edit form: tags come as one comma-separated field. */
const contactForm = (req: Request) => ({
  contactId: req.params.id,
  name: req.body?.name,
  email: req.body?.email,
  phone: req.body?.phone,
  notes: req.body?.notes,
  tags: formList(req.body?.tags)
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean),
});

export function contactRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Contact'));
  router.param('mergeId', uuidParam('Merge'));

  const page = async (req: Request, res: Response) => {
    const profile = await loadContactProfile(db, pathId(req));
    res.render('contact', { ...profile });
  };
  const back = (req: Request, res: Response) => res.redirect(303, `/contacts/${req.params.id}`);

  router.get('/contacts/:id', requirePermission('conversation.read'), page);

  router.post('/contacts/:id', requirePermission('conversation.work'), rerenderForm('contact', page), validate(contactInput, contactForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx) => updateContact(tx, res.locals.input, actingUser(req)));
    back(req, res);
  });

  router.post(
    '/contacts/:id/merge',
    requirePermission('conversation.work'),
    rerenderForm('merge', page),
    validate(mergeInput, (req) => ({ contactId: req.params.id, otherContactId: req.body?.otherContactId })),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx) => mergeContacts(tx, res.locals.input, actingUser(req)));
      back(req, res);
    },
  );

  router.post(
    '/contacts/:id/merges/:mergeId/undo',
    requirePermission('conversation.work'),
    rerenderForm('merge', page),
    validate(undoMergeInput, (req) => ({ mergeId: req.params.mergeId })),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx) => undoMerge(tx, res.locals.input, actingUser(req)));
      back(req, res);
    },
  );

  router.get('/contacts/:id/export.json', requirePermission('privacy.manage'), async (req, res) => {
    const pkg = await exportContact(db, pathId(req), actingUser(req).actor);
    res.attachment(`contact-${pkg.contact.id}.json`).json(pkg);
  });

  router.get('/contacts/:id/export.html', requirePermission('privacy.manage'), async (req, res) => {
    const pkg = await exportContact(db, pathId(req), actingUser(req).actor);
    res.attachment(`contact-${pkg.contact.id}.html`).render('contact-export', { pkg });
  });

  router.post(
    '/contacts/:id/erasure',
    requirePermission('privacy.manage'),
    rerenderForm('erasure', page),
    validate(erasureInput, (req) => ({ contactId: req.params.id, reason: req.body?.reason })),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx) => eraseContact(tx, res.locals.input, actingUser(req)));
      back(req, res);
    },
  );

  return router;
}
