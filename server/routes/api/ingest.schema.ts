/** The API channel's ingest bodies: one post, or a batch of them. */
import { z } from 'zod';
import { INGEST_BATCH_SIZE } from '../../domain/conversations/ingestBatch';

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

export type IngestBody = z.output<typeof ingestBody>;

/** The body a batch of INGEST_BATCH_SIZE posts (one transaction) may need. */
export const BATCH_BODY_LIMIT = '5mb';

/** The batch: each post is checked on its own (a bad one is answered 400 in its result, the rest are stored). */
export const ingestBatchBody = z.object({ posts: z.array(z.unknown()).min(1).max(INGEST_BATCH_SIZE) }).strict();

export const channelParam = z.object({ channelId: z.uuid() });
