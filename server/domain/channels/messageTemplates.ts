/**
 * The approved message templates of a channel that has them (WhatsApp), registered by a manager: agents
 * may send them outside the channel's reply window. Entered one per line as `name:language`.
 */
import type { Connectors, MessageTemplate, TemplateCapability } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChannel } from '../../db/repositories/channelHealth.repo';
import { updateChannelSettings } from '../../db/repositories/webhookInbox.repo';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';

export const formatTemplates = (templates: MessageTemplate[]) => templates.map((t) => `${t.name}:${t.language}`).join('\n');

export function parseTemplateLines(text: string, schema: TemplateCapability['schema']): MessageTemplate[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > 100) throw new BadRequest('At most 100 templates per channel', { fields: { templates: 'max 100' } });
  const seen = new Set<string>();
  return lines.flatMap((line) => {
    const [name = '', language = ''] = line.split(':').map((p) => p.trim());
    const parsed = schema.safeParse({ name, language });
    if (!parsed.success) {
      throw new BadRequest(`"${line}": ${parsed.error.issues[0]?.message ?? 'invalid'} (one template per line as name:language)`, {
        fields: { templates: line },
      });
    }
    const key = `${parsed.data.name}:${parsed.data.language}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [parsed.data];
  });
}

export async function setChannelTemplates(tx: Tx, connectors: Connectors, channelId: string, text: string, actor: Actor): Promise<MessageTemplate[]> {
  // locked: the settings are written back whole, and their address signs webhooks (webhooks/webhookSigners.ts)
  const channel = await lockChannel(tx, channelId);
  const capability = channel && connectors.of(channel.kind)?.capabilities.templates;
  if (!channel || !capability) throw new NotFound('Channel with message templates');
  const before = capability.read(channel.settings);
  const templates = parseTemplateLines(text, capability.schema);
  if (formatTemplates(before) === formatTemplates(templates)) return templates;
  await updateChannelSettings(tx, channelId, capability.write(channel.settings, templates));
  await appendAudit(tx, {
    actor,
    action: 'channel.templates_changed',
    subjectType: 'channel',
    subjectId: channelId,
    channelId,
    before: { templates: before },
    after: { templates },
  });
  return templates;
}
