/**
 * Saving a channel: every URL and host it will connect to passes the outbound-target guard
 * (server/net/outboundTarget.ts), so an internal address is refused with a 400 that names the field,
 * in the user's language. The connectors check again on every connection (DNS may change meanwhile).
 */
import { describeRefusal, outbound, type Refusal } from '../../net/outboundTarget';
import { LocalizedBadRequest } from '../../errors';
import type { MessageKey } from '../../i18n/messages';
import type { Translate } from '../../i18n/translate';

export type OutboundTargets = Record<string, { url: string } | { host: string } | null | undefined>;

export async function assertOutboundTargets(targets: OutboundTargets): Promise<void> {
  const refused: [string, Refusal][] = [];
  for (const [field, target] of Object.entries(targets)) {
    if (!target) continue;
    const refusal = await outbound().refusalFor(target);
    if (refusal) refused.push([field, refusal]);
  }
  if (!refused.length) return;
  const fields = Object.fromEntries(refused.map(([field, r]) => [field, describeRefusal(r)]));
  const summary = Object.entries(fields)
    .map(([field, problem]) => `${field}: ${problem}`)
    .join('; ');
  throw new LocalizedBadRequest(`Invalid channel: ${summary}`, (t) => refused.map(([, r]) => refusalText(r, t)).join(' '), { fields });
}

export function refusalText(r: Refusal, t: Translate): string {
  switch (r.code) {
    case 'address':
      return t('outbound.refused.address', {
        host: r.address === r.host ? r.host : `${r.host} (${r.address})`,
        range: t(('outbound.range.' + r.range) as MessageKey),
      });
    case 'credentials':
      return t('outbound.refused.credentials', { host: r.host });
    case 'scheme':
      return t('outbound.refused.scheme', { host: r.host, scheme: r.scheme });
    default:
      return t('outbound.refused.invalid', { host: r.host });
  }
}
