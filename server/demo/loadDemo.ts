/**
 * Fills an empty database with demo data that shows every part of the console: one user per role
 * (see DEMO_LOGINS), two API channels, a chat site with knowledge articles and about 300 conversations from the last 14 days in every status.
 * Refuses to touch a database that already has users. Users and channels commit first, the conversations
 * in batches after them: should a batch fail, drop the database and load again.
 */
import { xConnector } from '../../connectors/x/xConnector';
import type { SecretBox } from '../crypto/secretBox';
import type { Db } from '../db/client';
import { anyUserExists, backdateConversations } from '../db/repositories/demo.repo';
import { listChannelKinds } from '../db/repositories/channels.repo';
import type { ConversationStatus, Role } from '../db/schema';
import { systemActor } from '../domain/audit/actor';
import { createApiChannel } from '../domain/channels/api/createApiChannel';
import { connectChannel } from '../domain/channels/connectChannel';
import { seedDemoMessaging } from './demoMessaging';
import { DEMO_X_ACCOUNT } from './demoXApi.routes';
import { createUser } from '../domain/users/createUser';
import { DEMO_LOGINS } from './demoLogins';
import { DEMO_CHANNELS } from './demoTexts';
import { seedDemoSla, settleDemoSla } from './demoSla';
import { planConversations } from './planConversations';
import { seedDemoWorkflow } from './demoWorkflow';
import { seedDemoTasks } from './demoTasks';
import { seedDemoSelfService } from './demoSelfService';
import { playConversation, type DemoCast } from './playConversation';

/** Where the console itself receives the demo channels' replies outside production (demoSink.routes.ts). */
export const DEMO_SINK_PATH = '/demo/api-sink';

export type DemoOptions = { now?: Date; seed?: number };

export type DemoResult =
  | { loaded: false; reason: string }
  | {
      loaded: true;
      webhookUrl: string | null;
      users: { role: Role; email: string }[];
      /** the API channels, whose ingest tokens are shown once */
      channels: { id: string; name: string; ingestToken: string }[];
      /** the chat site "Webshop": its help page is /help/<chatSiteId> */
      chatSiteId: string;
      /** the kind of every demo channel (the API channels, X, WhatsApp, Telegram, e-mail) */
      channelKinds: string[];
      conversations: number;
      messages: number;
      byStatus: Partial<Record<ConversationStatus, number>>;
    };

const actor = systemActor('demo-loader');
const CONVERSATIONS = 300;
/** Conversations per transaction: few commits, and no transaction holds hundreds of ingest locks. */
const BATCH = 50;

/** `webhookUrl`: where the demo channels' replies go — the console's own demo sink (server/demo/demoSink.routes.ts). */
export async function loadDemo(
  deps: { db: Db; secretBox: SecretBox; webhookUrl: string | null; xApiBaseUrl?: string | null },
  opts: DemoOptions = {},
): Promise<DemoResult> {
  const setup = await deps.db.transaction().execute(async (tx) => {
    if (await anyUserExists(tx)) return null;
    const users = [];
    for (const login of DEMO_LOGINS) users.push(await createUser(tx, login, actor));
    const channel = async (name: string) => {
      const created = await createApiChannel(tx, deps.secretBox, { name, webhookUrl: deps.webhookUrl }, actor);
      return { id: created.channelId, name, ingestToken: created.ingestToken };
    };
    const channels = { shop: await channel(DEMO_CHANNELS.shop), app: await channel(DEMO_CHANNELS.app) };
    const { calendarId } = await seedDemoSla(tx, channels); // Berlin office hours; 60-minute and 4-hour first-response policies
    await seedDemoWorkflow(tx, users); // a team, predefined tags, canned responses
    // a chat site "Webshop" with the assistant, knowledge articles, a callback request and an offline-form case
    const chatSite = await seedDemoSelfService(tx, {
      calendarId,
      consoleOrigin: deps.webhookUrl ? new URL(deps.webhookUrl).origin : null,
      manager: users.find((u) => u.role === 'manager')!,
      actor,
      now: opts.now ?? new Date(),
    });
    // An X account fed by the console's own fake X API (server/demo/demoXApi.routes.ts): live mentions every 20–40 s.
    if (deps.xApiBaseUrl) {
      await connectChannel(
        tx,
        deps.secretBox,
        xConnector,
        {
          name: 'X @replyline_demo',
          apiBaseUrl: deps.xApiBaseUrl,
          userId: DEMO_X_ACCOUNT.id,
          handle: DEMO_X_ACCOUNT.handle,
          bearerToken: 'demo-bearer-token',
          appKey: 'demo-app-key',
          appSecret: 'demo-app-secret',
          accessToken: 'demo-access-token',
          accessSecret: 'demo-access-secret',
          pollIntervalSeconds: 15,
          searches: ['Lieferung'],
        },
        actor,
      );
    }
    // 006: one WhatsApp, Telegram and e-mail channel each, with a few conversations (server/demo/demoMessaging.ts).
    await seedDemoMessaging(tx, deps.secretBox, deps.webhookUrl ? deps.webhookUrl.replace(DEMO_SINK_PATH, '') : null, opts.now ?? new Date());
    return { users, channels, chatSiteId: chatSite.id };
  });
  if (!setup) return { loaded: false, reason: 'The database already has users, so no demo data was loaded (it only goes into an empty database).' };

  const staffOf = (role: Role) => setup.users.find((u) => u.role === role)!;
  const cast: DemoCast = {
    staff: { agent: staffOf('agent'), manager: staffOf('manager') },
    channels: setup.channels,
  };
  const plans = planConversations({ now: opts.now ?? new Date(), seed: opts.seed ?? 2026, count: CONVERSATIONS });
  const ids: string[] = [];
  let messages = 0;
  for (let i = 0; i < plans.length; i += BATCH) {
    await deps.db.transaction().execute(async (tx) => {
      for (const plan of plans.slice(i, i + BATCH)) {
        const played = await playConversation(tx, cast, plan);
        ids.push(played.conversationId);
        messages += played.messages;
      }
    });
  }
  await backdateConversations(deps.db, ids);
  await settleDemoSla(deps.db, ids); // the demo's replies stop the SLA clocks they answer
  // a multi-step case across two teams, on the first conversation still being worked on
  const worked = plans.findIndex((p) => p.status === 'assigned');
  if (worked >= 0) await deps.db.transaction().execute((tx) => seedDemoTasks(tx, ids[worked]!, cast.staff));

  const byStatus: Partial<Record<ConversationStatus, number>> = {};
  for (const plan of plans) byStatus[plan.status] = (byStatus[plan.status] ?? 0) + 1;
  const channelKinds = await listChannelKinds(deps.db);
  return {
    loaded: true,
    webhookUrl: deps.webhookUrl,
    users: setup.users.map((u) => ({ role: u.role, email: u.email })),
    channels: Object.values(setup.channels),
    chatSiteId: setup.chatSiteId,
    channelKinds,
    conversations: ids.length,
    messages,
    byStatus,
  };
}
