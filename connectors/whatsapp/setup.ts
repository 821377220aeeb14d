/**
 * Connecting a WhatsApp Business number (Cloud API), one channel per number. The access token, app secret
 * and webhook verify token are sealed in the channel's credentials; the verify token is generated unless
 * given, and shown once.
 */
import { z } from 'zod';
import { newToken } from '../../server/crypto/tokens';
import type { ChannelSetup } from '../types';
import { templateSchema, whatsappSettingsSchema, type WhatsappSettings } from './settings';

export const whatsappSetup = z
  .object({
    name: z.string().trim().min(1).max(100),
    phoneNumberId: whatsappSettingsSchema.shape.phoneNumberId,
    displayPhoneNumber: z.string().trim().max(40).nullish(),
    graphBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).nullish(),
    templates: z.array(templateSchema).max(100).default([]),
    accessToken: z.string().trim().min(1),
    appSecret: z.string().trim().min(1),
    verifyToken: z.string().trim().min(8).nullish(),
  })
  .transform((v) => {
    const verifyToken = v.verifyToken ?? newToken('rlv');
    return {
      name: v.name,
      settings: whatsappSettingsSchema.parse({
        phoneNumberId: v.phoneNumberId,
        displayPhoneNumber: v.displayPhoneNumber ?? null,
        templates: v.templates,
        ...(v.graphBaseUrl ? { graphBaseUrl: v.graphBaseUrl } : {}),
      }),
      credentials: { accessToken: v.accessToken, appSecret: v.appSecret, verifyToken },
      outboundTargets: { graphBaseUrl: v.graphBaseUrl ? { url: v.graphBaseUrl } : null },
      unique: {
        setting: 'phoneNumberId',
        value: v.phoneNumberId,
        field: 'phoneNumberId',
        message: `A WhatsApp channel for phone number id ${v.phoneNumberId} already exists`,
      },
      shownOnce: { verifyToken },
    };
  }) satisfies ChannelSetup<WhatsappSettings>;

export type NewWhatsappChannel = z.input<typeof whatsappSetup>;
