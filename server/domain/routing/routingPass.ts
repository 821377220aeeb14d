/** The job that asks for a routing pass after commit: for some channels (null: every automatic queue), re-checking reopened conversations. */
import { randomUUID } from 'node:crypto';
import type { JobRequest } from '../effects';

export const routingPass = (channelIds: string[] | null = null, reopenedIds: string[] = []): JobRequest => ({
  name: 'route-conversations',
  data: { passId: randomUUID(), channelIds, reopenedIds },
});
