/**
 * The channel rules a reply must pass before it is queued: not empty, not too long, and on channels with
 * a customer service window (WhatsApp: 24 hours) free text only inside it — outside it only one of the
 * channel's approved templates. Pure, so the rules are unit-tested without a database.
 */
import type { Connector, MessageTemplate } from '../../../connectors/types';
import type { Channel } from '../../db/schema';
import { BadRequest } from '../../errors';
import { templateReplyText } from '../channels/whatsapp/templateReply';

export type PreparedReply = { text: string; raw: string | null };

export class OutsideServiceWindow extends BadRequest {
  constructor(hours: number) {
    super(`The customer's last message is more than ${hours} hours old: this channel allows only an approved template now`, { text: 'outside_window' });
  }
}

export function prepareReply(
  channel: Channel,
  connector: Pick<Connector, 'limits' | 'capabilities'>,
  input: { text: string; template?: MessageTemplate | null },
  lastInboundAt: Date | null,
  now: Date,
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
  const { maxTextLength, freeTextWindowHours } = connector.limits(channel);
  if ([...text].length > maxTextLength) {
    throw new BadRequest(`The reply is longer than this channel allows (${maxTextLength} characters)`, {
      text: `max ${maxTextLength}`,
      fields: { text: `max ${maxTextLength}` },
    }).showing('wf.reply.tooLong', { max: maxTextLength });
  }
  if (freeTextWindowHours !== undefined && !insideWindow(lastInboundAt, now, freeTextWindowHours)) {
    throw new OutsideServiceWindow(freeTextWindowHours);
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
