/** Filters for the audit log, shared by the console and the API. */
import { z } from 'zod';
import { ACTION_GROUPS } from '../domain/audit/actionGroups';

const optionalUuid = z.union([z.uuid(), z.literal('').transform(() => undefined)]).optional();
const optionalDate = z
  .union([z.iso.datetime({ offset: true }), z.iso.date(), z.literal('')])
  .optional()
  .transform((v) => (v ? new Date(v) : undefined));

export const auditQuery = z.object({
  subjectId: optionalUuid,
  actorId: optionalUuid,
  from: optionalDate,
  to: optionalDate,
  beforeSeq: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  action: z
    .union([
      z
        .string()
        .regex(/^[a-z_]+(\.[a-z_]+)*$/, 'an action looks like conversation.assigned')
        .max(80),
      z.literal('').transform(() => undefined),
    ])
    .optional(),
  subjectType: z
    .union([
      z
        .string()
        .regex(/^[a-z_]+$/, 'a subject type looks like conversation')
        .max(40),
      z.literal('').transform(() => undefined),
    ])
    .optional(),
  channelId: optionalUuid,
  caseNumber: z
    .union([
      z
        .string()
        .trim()
        .regex(/^#?\d{1,18}$/, 'a case number looks like 1315')
        .transform((v) => v.replace('#', '')),
      z.literal('').transform(() => undefined),
    ])
    .optional(),
  group: z.union([z.enum(ACTION_GROUPS), z.literal('').transform(() => undefined)]).optional(),
  /** people: only what people did; all: also system components and channels (the API's default) */
  scope: z.enum(['people', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
