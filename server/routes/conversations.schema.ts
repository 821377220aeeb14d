/** Inputs for listing and replying to conversations, shared by the console and the API. */
import { z } from 'zod';
import { STATUSES } from '../domain/conversations/status';

export const OPEN_STATUSES = ['new', 'assigned', 'saved'] as const;

const statusList = z.string().transform((s, ctx) => {
  if (s === 'all' || s === '') return [];
  if (s === 'open') return [...OPEN_STATUSES];
  const parts = s.split(',');
  for (const p of parts) {
    if (!(STATUSES as readonly string[]).includes(p)) ctx.addIssue({ code: 'custom', message: `unknown status "${p}"` });
  }
  return parts as (typeof STATUSES)[number][];
});

const blank = z.literal('').transform(() => undefined);
const day = z.iso.date();

export const inboxQuery = z.object({
  status: statusList.optional(),
  channelId: z
    .uuid()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  assigneeId: z.union([z.uuid(), z.literal('none'), z.literal('me'), z.literal('').transform(() => undefined)]).optional(),
  sort: z.enum(['newest', 'oldest', 'due', 'urgent']).default('newest'),
  /** breached: overdue; due1h: due within the next hour; warning: past its warning time; none: no service level */
  sla: z.enum(['breached', 'due1h', 'warning', 'none']).optional().or(blank),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().or(blank),
  teamId: z.uuid().optional().or(blank),
  /** last activity on or after / on or before this day (YYYY-MM-DD, Europe/Berlin) */
  from: day.optional().or(blank),
  to: day.optional().or(blank),
  /** '1': only conversations with activity the viewer has not seen */
  unread: z.enum(['1']).optional().or(blank),
  /** message text (German and English stemming), customer name, handle or e-mail address, case number (#1315 or 1315) */
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => v || undefined),
  tag: z
    .string()
    .trim()
    .toLowerCase()
    .max(40)
    .optional()
    .transform((v) => v || undefined),
  /** the conversation's language (ISO 639-1) and the sentiment of its latest inbound post */
  language: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^([a-z]{2})?$/, 'a language is a two-letter code')
    .optional()
    .transform((v) => v || undefined),
  sentiment: z
    .enum(['positive', 'neutral', 'negative', ''])
    .optional()
    .transform((v) => v || undefined),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const replyBody = z.object({
  text: z.string().trim().min(1, 'the reply is empty').max(20_000, 'the reply is too long'),
  /** collision safety: the last message the author saw (see domain/conversations/replyCollision.ts) */
  lastSeenMessageId: z.uuid().optional(),
});

/** The console's reply form: the reply, the conversation it answers, and the canned response inserted into it (if any). */
export const replyForm = replyBody.extend({
  conversationId: z.uuid(),
  /** A checked box: to the comment's author as a direct message (channels with private replies). */
  privately: z
    .literal('on')
    .optional()
    .transform((v) => v === 'on'),
  cannedId: z
    .union([z.uuid(), z.literal('')])
    .optional()
    .transform((v) => v || undefined),
  /** '1': close the conversation with the reply ("Send & close"; static/keyboard.js sets it) */
  andClose: z
    .enum(['1', ''])
    .optional()
    .transform((v) => v === '1'),
});

/** A window of the console's thread: the messages before one ("earlier messages"), or from one on (a live refresh). */
export const threadQuery = z.object({ before: z.uuid().optional(), from: z.uuid().optional() });
