/** validate(schema): a command's own schema parses the request; problems come back per field, in the console's language. */
import type { Request, RequestHandler, Response } from 'express';
import { noteInput } from '../../../server/domain/conversations/addNote';
import { cannedInput } from '../../../server/domain/cannedResponses/cannedResponses';
import type { HttpError } from '../../../server/errors';
import { translator } from '../../../server/i18n/translate';
import { bodyWithId, InvalidForm, uuidParam, validate } from '../../../server/middleware/validate';

const CONVERSATION = '7f0c3c43-5a0e-4a8f-9d55-0d3f6b5f2a11';

/** Runs one middleware on a stand-in request; what it threw, or what it left in res.locals. */
function run<L extends Record<string, unknown>>(
  handler: RequestHandler<Request['params'], unknown, unknown, Request['query'], L>,
  req: Partial<Request>,
  locals: Record<string, unknown> = {},
) {
  const res = { locals } as unknown as Response<unknown, L>;
  let passed = false;
  try {
    handler({ params: {}, body: {}, ...req } as unknown as Request<Request['params'], unknown, unknown, Request['query'], L>, res, () => {
      passed = true;
    });
  } catch (err) {
    return { err: err as HttpError, res, passed };
  }
  return { err: null, res, passed };
}

describe('validate', () => {
  it("when the body parses, then the handler finds the typed input in res.locals.input, the path id under the command's name", () => {
    const { err, res, passed } = run(validate(noteInput, bodyWithId('conversationId')), {
      params: { id: CONVERSATION },
      body: { text: '  Bitte prüfen  ', _csrf: 'x' },
    });
    expect(err).toBeNull();
    expect(passed).toBe(true);
    expect(res.locals.input).toEqual({ conversationId: CONVERSATION, text: 'Bitte prüfen' });
  });

  it("when a German user sends an empty note, then the 400 and its field message are German, not the schema's English", () => {
    const { err, passed } = run(
      validate(noteInput, bodyWithId('conversationId')),
      { params: { id: CONVERSATION }, body: { text: '   ' } },
      { t: translator('de') },
    );
    expect(passed).toBe(false);
    expect(err).toBeInstanceOf(InvalidForm);
    expect(err!.status).toBe(400);
    expect(err!.message).toBe('Bitte prüfen Sie die markierten Angaben.');
    expect((err as InvalidForm).fields).toEqual({ text: 'Bitte ausfüllen.' });
  });

  it('when a canned response is wrong in several fields, then each field gets its own localized message', () => {
    const body = { title: 'x'.repeat(121), shortcut: 'Not ok!', body: 'Hallo', language: 'fr', channelKinds: ['fax'] };
    const de = run(validate(cannedInput), { body }, { t: translator('de') }).err as InvalidForm;
    expect(de.fields).toEqual({
      title: 'Höchstens 120 Zeichen.',
      shortcut: 'Ein Kürzel hat 1–40 Zeichen: a–z, 0–9, - oder _.',
      language: 'Bitte einen der angebotenen Werte wählen.',
      channelKinds: 'Bitte einen der angebotenen Werte wählen.',
    });
    const en = run(validate(cannedInput), { body }, { t: translator('en') }).err as InvalidForm;
    expect(en.fields.title).toBe('At most 120 characters.');
    expect(en.message).toBe('Please check the marked fields.');
  });

  it("when the API (no console language) sends a bad body, then the 400 names the fields in the schema's own words", () => {
    const { err } = run(validate(noteInput, bodyWithId('conversationId')), { params: { id: CONVERSATION }, body: { text: '' } });
    expect(err).not.toBeInstanceOf(InvalidForm);
    expect(err!.status).toBe(400);
    expect(err!.message).toBe('Invalid request: text: the note is empty');
    expect(err!.details).toEqual({ fields: { text: 'the note is empty' } });
  });
});

describe('uuidParam', () => {
  it('when a path id is not a UUID, then 404 naming the thing; a UUID passes', () => {
    const guard = uuidParam('Conversation');
    const next = jest.fn();
    expect(() => guard({} as Request, {} as Response, next, 'not-a-uuid')).toThrow('Conversation not found');
    guard({} as Request, {} as Response, next, CONVERSATION);
    expect(next).toHaveBeenCalledTimes(1);
  });
});
