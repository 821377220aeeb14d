/**
 * What a manager says about a chat site, checked and normalised: origins as URL origins, the queue the way a
 * channel's routing is set (routingSettings.ts), the opening hours as one of the calendars, texts per language
 * within bounded lengths, the pre-chat fields, the invitation rules and the chat service level. A new site
 * names itself and takes the defaults for the rest; a change names only what changes.
 */
import { z } from 'zod';
import { channelRoutingInput } from '../routing/routingSettings';
import { MAX_ORIGINS, normaliseOrigin } from './origins';

export const MAX_INVITATION_RULES = 20;
export const TEXT_LIMITS = { title: 60, greeting: 500, offline: 500, consent: 1000 } as const;

const origins = z
  .array(z.string().max(300))
  .max(MAX_ORIGINS)
  .transform((list, ctx) => {
    const normal: string[] = [];
    list.forEach((raw, i) => {
      const origin = normaliseOrigin(raw);
      if (!origin) ctx.addIssue({ code: 'custom', path: [i], message: `not an https origin (or http on localhost) without a path: ${raw.slice(0, 300)}` });
      else if (!normal.includes(origin)) normal.push(origin);
    });
    return normal;
  });

/** A page address with `*` for any characters, e.g. `/checkout*` or `https://shop.example/help/*`. */
const urlPattern = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s\p{Cc}]+$/u, 'a URL pattern has no spaces or control characters');

export const invitationRule = z.object({ urlPattern, afterSeconds: z.number().int().min(0).max(600) }).strict();

const siteText = (max: number) => z.string().trim().max(max).optional();
const languageTexts = z
  .object({
    title: siteText(TEXT_LIMITS.title),
    greeting: siteText(TEXT_LIMITS.greeting),
    offline: siteText(TEXT_LIMITS.offline),
    consent: siteText(TEXT_LIMITS.consent),
  })
  .strict();
/** Bot first (033): on or off, how many turns before it hands over by itself, and its disclosure per language. */
export const BOT_TURNS = { min: 1, max: 5, default: 2 } as const;
export const BOT_DISCLOSURE_MAX = 500;
export const botSettings = z
  .object({
    enabled: z.boolean().optional(),
    maxTurns: z.number().int().min(BOT_TURNS.min).max(BOT_TURNS.max).optional(),
    disclosure: z
      .object({ de: siteText(BOT_DISCLOSURE_MAX), en: siteText(BOT_DISCLOSURE_MAX) })
      .strict()
      .optional(),
  })
  .strict();
export const PRECHAT_CHOICES = ['off', 'optional', 'required'] as const;
const prechatField = z.enum(PRECHAT_CHOICES);

const siteFields = {
  name: z.string().trim().min(1).max(100),
  allowedOrigins: origins,
  routing: channelRoutingInput.shape.routing,
  calendarId: z.uuid().nullable(),
  colour: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb')
    .transform((c) => c.toLowerCase()),
  texts: z.object({ de: languageTexts.optional(), en: languageTexts.optional() }).strict(),
  prechat: z.object({ name: prechatField.optional(), email: prechatField.optional() }).strict(),
  invitationRules: z.array(invitationRule).max(MAX_INVITATION_RULES),
  maxWaitSeconds: z.number().int().min(5).max(3600),
  targetSeconds: z.number().int().min(5).max(600),
  targetPercent: z.number().int().min(1).max(100),
  inactivityMinutes: z.number().int().min(1).max(240),
  bot: botSettings,
  /** a callback request is due within this many business minutes (domain/callbacks/callbackDue.ts) */
  callbackMinutes: z.number().int().min(5).max(1440),
};

const optionalFields = z.object(siteFields).partial();

/** A new site: its name, everything else optional (the defaults below). */
export const chatSiteInput = optionalFields.extend({ name: siteFields.name }).strict();
export type ChatSiteInput = z.output<typeof chatSiteInput>;

/** A change: the site, and at least one thing about it. */
export const chatSiteChangeInput = optionalFields
  .extend({ siteId: z.uuid() })
  .strict()
  .refine((v) => Object.keys(v).length > 1, { message: 'give at least one field to change', path: ['name'] });

/** What a new site has unless the manager says otherwise (the table's defaults, and chats routed automatically). */
export const SITE_DEFAULTS = {
  allowedOrigins: [] as string[],
  routing: { mode: 'auto' as const, teamId: null },
  calendarId: null,
  colour: '#1d4ed8',
  prechat: { name: 'optional' as const, email: 'optional' as const },
  invitationRules: [],
  maxWaitSeconds: 120,
  targetSeconds: 20,
  targetPercent: 80,
  inactivityMinutes: 15,
  bot: { enabled: false, maxTurns: BOT_TURNS.default },
  callbackMinutes: 60,
};
