/**
 * Facebook pages and Instagram professional accounts on Meta's Graph API. Inbound arrives by the Meta webhook
 * (server/routes/webhooks/signedWebhook.routes.ts). Outbound: a public reply under the comment (Facebook
 * POST /{comment-id}/comments, Instagram POST /{comment-id}/replies under the top-level comment), a private
 * reply to the comment's author (Send API, recipient {comment_id}), and direct-message replies (Send API,
 * recipient {id}; after 24 hours tagged HUMAN_AGENT, up to 7 days). Comments can be hidden, shown again and deleted.
 */
import { Permanent, type ChannelForSend, type Connector, type ModerationAction, type OutboundReply, type SentReceipt } from '../types';
import { graphRequest } from './graph';
import { hubWebhookSide } from './hubWebhook';
import { metaAddressesOf, metaEventsFor, readMetaDelivery, type MetaKind } from './normalize';
import {
  META_FREE_WINDOW_HOURS,
  META_HUMAN_AGENT_WINDOW_HOURS,
  META_PRIVATE_REPLY_WINDOW_HOURS,
  metaCredentialsSchema,
  metaSettingsSchema,
  type MetaSettings,
} from './settings';
import { metaSetup } from './setup';

/** Longest text per kind: a comment, and a direct message (Messenger 2000, Instagram 1000 characters). */
const MAX_LENGTH: Record<MetaKind, { comment: number; dm: number }> = { facebook: { comment: 8000, dm: 2000 }, instagram: { comment: 2200, dm: 1000 } };

function unpack(channel: ChannelForSend) {
  const settings = metaSettingsSchema.safeParse(channel.settings);
  const credentials = metaCredentialsSchema.safeParse(channel.credentials);
  if (!settings.success || !credentials.success) throw new Permanent('The channel settings or credentials cannot be read');
  return { settings: settings.data, token: credentials.data.pageToken };
}

function metaConnector(kind: MetaKind): Connector<MetaSettings> {
  const graph = (channel: ChannelForSend, method: 'GET' | 'POST' | 'DELETE', path: string, body?: Record<string, unknown>) => {
    const { settings, token } = unpack(channel);
    return graphRequest({ channelId: channel.id, url: `${settings.graphBaseUrl}/${path.split('/').map(encodeURIComponent).join('/')}`, method, token, body });
  };
  const pageId = (channel: ChannelForSend) => unpack(channel).settings.pageId;
  const idOf = (answer: Record<string, unknown>, key: string): SentReceipt => {
    const id = answer[key];
    return { externalId: typeof id === 'string' && id ? id : null, url: null };
  };

  async function sendDirect(channel: ChannelForSend, reply: OutboundReply): Promise<SentReceipt> {
    if (!reply.recipientExternalId) throw new Permanent('This conversation has no customer to write to');
    const tag = reply.delivery?.humanAgent ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } : { messaging_type: 'RESPONSE' };
    const answer = await graph(channel, 'POST', `${pageId(channel)}/messages`, {
      recipient: { id: reply.recipientExternalId },
      message: { text: reply.text },
      ...tag,
    });
    return idOf(answer, 'message_id');
  }

  async function sendOnComment(channel: ChannelForSend, reply: OutboundReply): Promise<SentReceipt> {
    const commentId = reply.inReplyToExternalId;
    if (!commentId) throw new Permanent('This conversation has no comment to answer');
    if (reply.delivery?.privately) {
      const answer = await graph(channel, 'POST', `${pageId(channel)}/messages`, { recipient: { comment_id: commentId }, message: { text: reply.text } });
      return idOf(answer, 'message_id');
    }
    if (kind === 'facebook') return idOf(await graph(channel, 'POST', `${commentId}/comments`, { message: reply.text }), 'id');
    // Instagram takes replies under top-level comments only: a reply to a reply goes under its top-level comment.
    const parent = (reply.inReplyToRaw as { parent_id?: unknown } | null)?.parent_id;
    const target = typeof parent === 'string' && parent ? parent : commentId;
    return idOf(await graph(channel, 'POST', `${target}/replies`, { message: reply.text }), 'id');
  }

  return {
    kind,
    idempotentResend: false,
    setup: metaSetup(kind),
    limits: (_channel, thread) =>
      thread === 'dm'
        ? { maxTextLength: MAX_LENGTH[kind].dm, freeTextWindowHours: META_FREE_WINDOW_HOURS, humanAgentWindowHours: META_HUMAN_AGENT_WINDOW_HOURS }
        : { maxTextLength: MAX_LENGTH[kind].comment, privateReplyWindowHours: META_PRIVATE_REPLY_WINDOW_HOURS },
    capabilities: {
      trackedSearches: false,
      credentials: null,
      templates: null,
      moderation: ['hide', 'unhide', 'delete'],
      privateReplies: true,
      // comments are public; Messenger and Instagram direct messages (thread "dm") are not
      publicPosts: true,
      botReplies: false,
      accountFacts(stored) {
        const s = metaSettingsSchema.safeParse(stored);
        return s.success ? [{ key: 'pageId', value: s.data.pageId }] : [];
      },
    },
    webhook: {
      ...hubWebhookSide((settings) => {
        const s = metaSettingsSchema.safeParse(settings);
        return s.success ? s.data.pageId : null;
      }),
      addressesOf: (body) => metaAddressesOf(kind, body),
      eventsFor: (body, pageId) => metaEventsFor(kind, body, pageId),
      read(channelId, address, body) {
        const read = readMetaDelivery(kind, channelId, address, body);
        return read && { ...read, statuses: [] };
      },
    },
    /** Reads the page's (or account's) name with the page token: the token works for that page. */
    async testConnection(channel) {
      const { settings, token } = unpack(channel);
      const fields = kind === 'facebook' ? 'name' : 'username';
      const answer = await graphRequest({
        channelId: channel.id,
        url: `${settings.graphBaseUrl}/${encodeURIComponent(settings.pageId)}?fields=${fields}`,
        method: 'GET',
        token,
      });
      const name = answer[fields];
      return `The Graph API knows ${kind === 'facebook' ? 'the page' : 'the account'} ${typeof name === 'string' && name ? `"${name}"` : settings.pageId} and accepts the token`;
    },
    sendReply: (channel, reply) => (reply.thread === 'dm' ? sendDirect(channel, reply) : sendOnComment(channel, reply)),
    async moderate(channel: ChannelForSend, externalId: string, action: ModerationAction) {
      if (action === 'delete') await graph(channel, 'DELETE', externalId);
      else await graph(channel, 'POST', externalId, kind === 'facebook' ? { is_hidden: action === 'hide' } : { hide: action === 'hide' });
    },
  };
}

export const facebookConnector = metaConnector('facebook');
export const instagramConnector = metaConnector('instagram');
