/**
 * Validate at the edge, in Outline's shape: `validate(schema)` parses what a request says into a command's
 * typed input with the command's own zod schema, and the handler reads `res.locals.input`. A mismatch is a
 * 400 that changes nothing: in the console its field messages are in the user's language (the form wrapper
 * in errors.ts shows them at the fields), for the API they are the schema's own (English) texts.
 * `uuidParam` is the one guard for ids in the path: anything but a UUID is a 404.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { invalidInput } from '../domain/parseInput';
import { BadRequest, NotFound } from '../errors';
import { localizeIssues, type FieldErrors } from '../i18n/formErrors';
import type { Translate } from '../i18n/translate';

/** A console form's input did not parse: the message and the field messages are already in the user's language. */
export class InvalidForm extends BadRequest {
  constructor(
    message: string,
    readonly fields: FieldErrors,
  ) {
    super(message, { fields });
  }
}

/** What a request says, as the command reads it; the body by default. */
export type RequestReader = (req: Request) => unknown;

/** The handlers after validate() infer `res.locals.input` from this type; they have no raw body to read. */
type Validated<T> = RequestHandler<Request['params'], unknown, unknown, Request['query'], { input: T }>;

export function validate<S extends z.ZodType>(schema: S, read: RequestReader = (req) => req.body ?? {}): Validated<z.output<S>> {
  return (req: Request, res: Response, next: NextFunction) => {
    const raw = read(req);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const t: Translate | undefined = res.locals.t;
      throw t ? new InvalidForm(t('form.invalid'), localizeIssues(parsed.error.issues, raw, t)).showing('form.invalid') : invalidInput(parsed.error, 'request');
    }
    res.locals.input = parsed.data;
    next();
  };
}

/** The body with the path's `:id` under the command's name for it, e.g. `{ ...body, conversationId }`. */
export const bodyWithId =
  (name: string): RequestReader =>
  (req) => ({ ...req.body, [name]: req.params.id });

/** A reply's delivery decision: the conversation and the message from the path, the resolution from the body. */
export const resolutionOf: RequestReader = (req) => ({ conversationId: req.params.id, messageId: req.params.messageId, resolution: req.body?.resolution });

const uuid = z.uuid();

/** A path id that uuidParam let through (the routes' own param types are lost behind shared middleware). */
export function pathId(req: Request, name = 'id'): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new NotFound(name);
  return value;
}

/** `router.param('id', uuidParam('Conversation'))`: a path id that is not a UUID names nothing, so 404. */
export function uuidParam(what: string) {
  return (_req: Request, _res: Response, next: NextFunction, value: string) => {
    if (!uuid.safeParse(value).success) throw new NotFound(what);
    next();
  };
}

/** A form field that may come once, several times or not at all, as a list (checkboxes, repeated hidden fields). */
export const formList = (value: unknown): unknown[] => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]);
