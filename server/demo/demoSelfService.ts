/**
 * Website chat and self-service in the demo: a chat site "Webshop" (assistant first for 2 turns, Berlin office
 * hours, automatic routing) embeddable from the console's own origin and http://localhost:3000, a few knowledge
 * articles for the assistant and the help page (`/help/<site id>`), and one callback request and one offline-form
 * case on the site's channel. Everything goes through the commands (audited); their effects are dropped.
 */
import type { Tx } from '../db/client';
import type { ChatSite } from '../db/repositories/chatSites.repo';
import { type Actor, userActor } from '../domain/audit/actor';
import { requestCallback } from '../domain/callbacks/requestCallback';
import { normaliseOrigin } from '../domain/chatSites/origins';
import { createChatSite } from '../domain/chatSites/saveChatSite';
import { Effects } from '../domain/effects';
import { createArticle } from '../domain/knowledge/articles';
import { createOfflineCase } from '../domain/webchat/offlineCase';
import { BadRequest } from '../errors';
import { DEMO_ARTICLES } from './demoArticles';

type Staff = { id: string; email: string };

export async function seedDemoSelfService(
  tx: Tx,
  deps: { calendarId: string; consoleOrigin: string | null; manager: Staff; actor: Actor; now: Date },
): Promise<ChatSite> {
  const effects = new Effects();
  const origins = [deps.consoleOrigin, 'http://localhost:3000'].flatMap((o) => (o && normaliseOrigin(o)) || []);
  const site = await createChatSite(
    tx,
    effects,
    {
      name: 'Webshop',
      allowedOrigins: origins,
      calendarId: deps.calendarId,
      routing: { mode: 'auto' },
      bot: { enabled: true, maxTurns: 2 },
      texts: {
        de: {
          title: 'Kundenservice Webshop',
          greeting: 'Hallo! Wie können wir Ihnen helfen? Unser Assistent antwortet sofort, das Team übernimmt bei Bedarf.',
        },
      },
    },
    { actor: deps.actor, role: 'admin' },
  );
  const author = { actor: userActor(deps.manager), role: 'manager' as const, user: deps.manager };
  for (const article of DEMO_ARTICLES) await createArticle(tx, article, author);
  await createOfflineCase(
    tx,
    effects,
    site,
    {
      email: 'jana.krueger@example.org',
      name: 'Jana Krüger',
      text: 'Guten Abend, meine Bestellung 4711-0815 ist seit einer Woche unterwegs und die Sendungsverfolgung zeigt nichts Neues. Können Sie nachsehen?',
      consent: true,
      lang: 'de',
    },
    { ip: null, now: deps.now },
  );
  await seedCallback(tx, effects, site, deps.now);
  return site;
}

const berlinDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });

/** A callback on the first business day ahead whose 10–12 window the site's hours allow. */
async function seedCallback(tx: Tx, effects: Effects, site: ChatSite, now: Date) {
  for (let day = 1; day <= 13; day++) {
    const date = berlinDate.format(new Date(now.getTime() + day * 86_400_000));
    const request = { phone: '+49 170 1234567', name: 'Thomas Becker', date, from: '10:00', to: '12:00', consent: true, lang: 'de' };
    try {
      return await requestCallback(tx, effects, site, request, { ip: null, now });
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error; // closed that day (weekend, holiday): try the next
    }
  }
  throw new Error('No day within 13 days is open for the demo callback');
}
