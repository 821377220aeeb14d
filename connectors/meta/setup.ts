/**
 * Connecting a Facebook page or an Instagram professional account, one channel per account. The app secret
 * (it signs Meta's webhooks), the page token and the webhook verify token are sealed; the verify token is
 * generated unless given, and shown once.
 */
import { z } from 'zod';
import { newToken } from '../../server/crypto/tokens';
import type { ChannelSetup } from '../types';
import { metaSettingsSchema, type MetaSettings } from './settings';

export function metaSetup(kind: 'facebook' | 'instagram') {
  const what = kind === 'facebook' ? 'Facebook page' : 'Instagram account';
  return z
    .object({
      name: z.string().trim().min(1).max(100),
      pageId: z.string().trim().pipe(metaSettingsSchema.shape.pageId),
      graphBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).nullish(),
      appSecret: z.string().trim().min(1).max(200),
      pageToken: z.string().trim().min(1).max(1000),
      verifyToken: z.string().trim().min(8).max(200).nullish(),
    })
    .transform((v) => {
      const verifyToken = v.verifyToken ?? newToken('rlv');
      return {
        name: v.name,
        settings: metaSettingsSchema.parse({ pageId: v.pageId, ...(v.graphBaseUrl ? { graphBaseUrl: v.graphBaseUrl } : {}) }),
        credentials: { appSecret: v.appSecret, pageToken: v.pageToken, verifyToken },
        outboundTargets: { graphBaseUrl: v.graphBaseUrl ? { url: v.graphBaseUrl } : null },
        unique: { setting: 'pageId', value: v.pageId, field: 'pageId', message: `A ${what} channel for id ${v.pageId} already exists` },
        shownOnce: { verifyToken },
      };
    }) satisfies ChannelSetup<MetaSettings>;
}

export type NewMetaChannel = z.input<ReturnType<typeof metaSetup>>;
