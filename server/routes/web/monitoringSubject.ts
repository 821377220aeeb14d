/**
 * What the monitoring dashboard looks at, as one value of its selector: `query:<id>` (a listening query's
 * matches), `channel:<id>` (a channel's inbound posts) or empty (the inbound posts of every channel).
 */
import { z } from 'zod';
import type { VolumeSubject } from '../../db/repositories/listening.repo';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SUBJECT = new RegExp(`^(query|channel):(${UUID})$`, 'i');

export const monitoringSubject = z
  .string()
  .max(80)
  .default('')
  .refine((s) => s === '' || SUBJECT.test(s), { message: 'query:<id>, channel:<id> or empty' });

export function volumeSubjectOf(subject: string): VolumeSubject {
  const [, kind, id] = SUBJECT.exec(subject) ?? [];
  if (kind === 'query') return { queryId: id!.toLowerCase() };
  return kind === 'channel' ? { channelId: id!.toLowerCase() } : {};
}
