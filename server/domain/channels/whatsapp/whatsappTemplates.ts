/**
 * The approved WhatsApp message templates of a channel, registered by a manager: agents may send
 * them outside the 24-hour customer-service window. Entered one per line as `name:language`.
 */
import { readWhatsappSettings, templateSchema, type WhatsappTemplate } from '../../../../connectors/whatsapp/settings';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { findChannel } from '../../../db/repositories/channels.repo';
import { updateChannelSettings } from '../../../db/repositories/webhookInbox.repo';
import { BadRequest, NotFound } from '../../../errors';
import type { Actor } from '../../audit/actor';

export const formatTemplates = (templates: WhatsappTemplate[]) => templates.map((t) => `${t.name}:${t.language}`).join('\n');

export function parseTemplateLines(text: string): WhatsappTemplate[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length > 100) throw new BadRequest('At most 100 templates per channel', { fields: { templates: 'max 100' } });
  const seen = new Set<string>();
  return lines.flatMap((line) => {
    const [name = '', language = ''] = line.split(':').map((p) => p.trim());
    const parsed = templateSchema.safeParse({ name, language });
    if (!parsed.success) {
      throw new BadRequest(`"${line}": ${parsed.error.issues[0]?.message ?? 'invalid'} (one template per line as name:language)`, { fields: { templates: line } });
    }
    const key = `${parsed.data.name}:${parsed.data.language}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [parsed.data];
  });
}

export async function setWhatsappTemplates(tx: Tx, channelId: string, text: string, actor: Actor): Promise<WhatsappTemplate[]> {
  const channel = await findChannel(tx, channelId);
  if (!channel || channel.kind !== 'whatsapp') throw new NotFound('WhatsApp channel');
  const settings = readWhatsappSettings(channel.settings);
  const templates = parseTemplateLines(text);
  if (formatTemplates(settings.templates) === formatTemplates(templates)) return templates;
  await updateChannelSettings(tx, channelId, { ...settings, templates });
  await appendAudit(tx, {
    actor, action: 'channel.templates_changed', subjectType: 'channel', subjectId: channelId, channelId,
    before: { templates: settings.templates }, after: { templates },
  });
  return templates;
}
