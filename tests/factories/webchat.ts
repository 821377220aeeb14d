/** A website chat for tests: a webchat channel (automatic routing to a team) and its chat site, written directly. */
import type { Db } from '../../server/db/client';
import type { InvitationRule } from '../../server/db/schema';

export async function makeChatSite(
  db: Db,
  opts: {
    teamId: string | null;
    origins?: string[];
    rules?: InvitationRule[];
    prechatName?: 'off' | 'optional' | 'required';
    calendarId?: string | null;
    caseFooter?: boolean;
  },
) {
  const channel = await db
    .insertInto('channels')
    .values({
      kind: 'webchat',
      name: `Website ${Math.random().toString(36).slice(2, 8)}`,
      settings: '{}',
      routingMode: 'auto',
      routingTeamId: opts.teamId,
      calendarId: opts.calendarId ?? null,
      // off unless asked, like every factory's channel (tests/factories/factories.ts setCaseFooter)
      caseFooter: opts.caseFooter ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const site = await db
    .insertInto('chatSites')
    .values({
      channelId: channel.id,
      name: 'Shop',
      allowedOrigins: opts.origins ?? ['https://shop.example'],
      texts: JSON.stringify({ de: { title: 'Hallo!' } }),
      invitationRules: JSON.stringify(opts.rules ?? [{ urlPattern: '/*', afterSeconds: 10 }]),
      prechatName: opts.prechatName ?? 'optional',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { siteId: site.id, channelId: channel.id };
}
