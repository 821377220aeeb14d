/**
 * The channel rules a reply must pass before it is queued: not empty, not too long, and on channels with
 * a customer service window (WhatsApp: 24 hours) free text only inside it — outside it only one of the
 * channel's approved templates, or (Messenger/Instagram direct messages) up to 7 days a reply tagged as a
 * person's. A private reply to a comment's author only where the channel has them, within their window.
 * Pure, so the rules are unit-tested without a database.
 */
import type { Connector, MessageTemplate, ReplyDelivery } from '../../../connectors/types';
import type { Channel } from '../../db/schema';
import { BadRequest } from '../../errors';
import { templateReplyText } from '../channels/whatsapp/templateReply';

export type PreparedReply = { text: string; raw: string | null };

/** Outside the free window and outside the window for replies tagged as a person's (Messenger/Instagram: 7 days). */
export class OutsideMessagingWindow extends BadRequest {
  constructor(hours: number) {
    super(`The customer's last message is more than ${hours / 24} days old: the channel accepts no reply in this conversation any more`, {
      text: 'messaging window closed',
      fields: { text: 'messaging window closed' },
    });
    this.showing('meta.window.closed');
  }
}

export class OutsideServiceWindow extends BadRequest {
  constructor(hours: number) {
    super(`The customer's last message is more than ${hours} hours old: this channel allows only an approved template now`, { text: 'outside_window' });
  }
}

export function prepareReply(
  channel: Channel,
  connector: Pick<Connector, 'limits' | 'capabilities'>,
  input: { text: string; template?: MessageTemplate | null; privately?: boolean },
  lastInboundAt: Date | null,
  now: Date,
  thread: 'dm' | null = null,
): PreparedReply {
  if (input.template) {
    const allowed = approvedTemplates(connector, channel);
    const t = input.template;
    if (!allowed.some((a) => a.name === t.name && a.language === t.language)) {
      throw new BadRequest(`"${t.name}" (${t.language}) is not an approved template of this channel`, { template: 'unknown' });
    }
    return { text: templateReplyText(t), raw: JSON.stringify({ template: t }) };
  }
  const text = input.text.trim();
  if (!text) throw new BadRequest('The reply is empty', { text: 'required', fields: { text: 'required' } }).showing('wf.reply.empty');
  const { maxTextLength, freeTextWindowHours, humanAgentWindowHours, privateReplyWindowHours } = connector.limits(channel, thread);
  if ([...text].length > maxTextLength) {
    throw new BadRequest(`The reply is longer than this channel allows (${maxTextLength} characters)`, {
      text: `max ${maxTextLength}`,
      fields: { text: `max ${maxTextLength}` },
    }).showing('wf.reply.tooLong', { max: maxTextLength });
  }
  if (input.privately) {
    if (!connector.capabilities.privateReplies || thread === 'dm')
      throw new BadRequest('This conversation cannot be answered privately', { privately: 'not supported', fields: { privately: 'not supported' } });
    if (privateReplyWindowHours !== undefined && !insideWindow(lastInboundAt, now, privateReplyWindowHours)) {
      throw new BadRequest(`The comment is more than ${privateReplyWindowHours / 24} days old: its author can no longer be answered privately`, {
        privately: 'private reply window closed',
        fields: { privately: 'private reply window closed' },
      }).showing('meta.privateReply.closed');
    }
    return { text, raw: JSON.stringify({ delivery: { privately: true } }) };
  }
  if (freeTextWindowHours !== undefined && !insideWindow(lastInboundAt, now, freeTextWindowHours)) {
    if (humanAgentWindowHours === undefined) throw new OutsideServiceWindow(freeTextWindowHours);
    if (!insideWindow(lastInboundAt, now, humanAgentWindowHours)) throw new OutsideMessagingWindow(humanAgentWindowHours);
    return { text, raw: JSON.stringify({ delivery: { humanAgent: true } }) };
  }
  return { text, raw: null };
}

export function insideWindow(lastInboundAt: Date | null, now: Date, hours: number): boolean {
  return lastInboundAt !== null && now.getTime() - lastInboundAt.getTime() < hours * 3600_000;
}

/** The templates a manager registered on the channel (none on channels without templates). */
export function approvedTemplates(connector: Pick<Connector, 'capabilities'>, channel: Pick<Channel, 'settings'>): MessageTemplate[] {
  return connector.capabilities.templates?.read(channel.settings) ?? [];
}

/** How a prepared reply goes out besides the default (the raw payload prepareReply stored). */
export function deliveryOfReply(raw: unknown): ReplyDelivery | null {
  const d = (raw as { delivery?: ReplyDelivery } | null)?.delivery;
  return d && typeof d === 'object' ? { privately: d.privately === true, humanAgent: d.humanAgent === true } : null;
}
