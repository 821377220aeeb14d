/** The API channel's ingest body. */
import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

export const ingestBody = z
  .object({
    externalId: text(200),
    author: z.object({ externalId: text(200), name: text(200), handle: z.string().trim().max(200).optional() }),
    text: z.string().min(1).max(100_000),
    postedAt: z.iso.datetime({ offset: true }),
    inReplyToExternalId: text(200).optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    /** for routing by skill: the post's language (ISO 639-1) and the customer's postcode or Bundesland code */
    language: z
      .string()
      .regex(/^[a-z]{2}$/)
      .optional(),
    region: z
      .string()
      .regex(/^(\d{5}|[A-Z]{2})$/)
      .optional(),
  })
  .strict();

export const channelParam = z.object({ channelId: z.uuid() });
