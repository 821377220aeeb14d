/**
 * The self-service report (bot first, issue 19): of the chats the bot answered first and that started in the
 * range, how many the visitor closed as self-served (an article helped) and how many went to a person, why
 * (asked / not_helped / max_turns / no_match, or taken: a person assigned it by hand meanwhile), and per article how often the bot offered it and how often the
 * visitor said it helped or not. A chat still held by the bot, or left while held, is neither: `withBot`.
 * Rates are percentages of all bot chats (null when there were none). Conversations the bot answered first on
 * messaging channels (036: Telegram, WhatsApp) count as chats too; `messaging` says how many of them there were.
 */
import type { Db } from '../../db/client';
import { articleOutcomes, handoverReasons, selfServiceCounts } from '../../db/repositories/botChats.repo';
import { readReport } from '../../db/repositories/reports.repo';
import type { BotHandoverReason } from '../../db/schema';

export type SelfServiceParams = { from: Date; to: Date; fromDate: string; toDate: string; timeZone: string };

const REASONS: BotHandoverReason[] = ['asked', 'not_helped', 'max_turns', 'no_match', 'taken'];
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);

export async function buildSelfServiceReport(db: Db, p: SelfServiceParams) {
  const { counts, reasons, articles } = await readReport(db, async (tx) => ({
    counts: await selfServiceCounts(tx, p.from, p.to),
    reasons: await handoverReasons(tx, p.from, p.to),
    articles: await articleOutcomes(tx, p.from, p.to),
  }));
  const byReason = new Map(reasons.map((r) => [r.reason, r.count]));
  return {
    from: p.fromDate,
    to: p.toDate,
    timeZone: p.timeZone,
    chats: counts.chats,
    selfServed: counts.selfServed,
    handedOver: counts.handedOver,
    withBot: counts.withBot,
    messaging: counts.messaging,
    selfServiceRate: percent(counts.selfServed, counts.chats),
    handoverRate: percent(counts.handedOver, counts.chats),
    handoverReasons: Object.fromEntries(REASONS.map((r) => [r, byReason.get(r) ?? 0])) as Record<BotHandoverReason, number>,
    articles: articles.map((a) => ({ id: a.articleId, title: a.title, language: a.language, offered: a.offered, helped: a.helped, notHelped: a.notHelped })),
  };
}
