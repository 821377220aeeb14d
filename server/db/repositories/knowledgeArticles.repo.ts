/** Knowledge articles (032_knowledge_base): the console's list, the help pages, full-text search and usage counts. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ArticleState, ArticleUsageKind, Locale } from '../schema';
import { HIT_END, HIT_START } from './conversations.repo';

export type ArticleFields = { title: string; body: string; topic: string | null; language: Locale; state: ArticleState };

const COLUMNS = ['id', 'title', 'body', 'topic', 'language', 'state', 'views', 'helpful', 'notHelpful', 'createdAt', 'updatedAt', 'publishedAt'] as const;

/** Every article without its body, newest change first (the console's list with its usage counts). */
export function listArticles(db: DbOrTx) {
  return db
    .selectFrom('knowledgeArticles')
    .select(COLUMNS.filter((c) => c !== 'body'))
    .orderBy('updatedAt', 'desc')
    .orderBy('id')
    .limit(1000)
    .execute();
}

export function findArticle(db: DbOrTx, id: string) {
  return db.selectFrom('knowledgeArticles').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The article row locked, so two edits of one article take turns and each audits what it replaced. */
export function lockArticle(tx: Tx, id: string) {
  return tx.selectFrom('knowledgeArticles').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Published articles in these languages, by topic and title (a help page's contents). */
export function listPublished(db: DbOrTx, languages: Locale[]) {
  return db
    .selectFrom('knowledgeArticles')
    .select(['id', 'title', 'topic', 'language', 'updatedAt'])
    .where('state', '=', 'published')
    .where('language', 'in', languages)
    .orderBy(sql`topic NULLS LAST`)
    .orderBy('title')
    .limit(500)
    .execute();
}

export function findPublished(db: DbOrTx, id: string, languages: Locale[]) {
  return db
    .selectFrom('knowledgeArticles')
    .select(COLUMNS)
    .where('id', '=', id)
    .where('state', '=', 'published')
    .where('language', 'in', languages)
    .executeTakeFirst();
}

export async function insertArticle(tx: Tx, a: ArticleFields, createdBy: string | null) {
  return tx
    .insertInto('knowledgeArticles')
    .values({ ...a, createdBy, publishedAt: a.state === 'published' ? new Date() : null })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function updateArticle(tx: Tx, id: string, a: ArticleFields, publishedBefore: boolean) {
  return tx
    .updateTable('knowledgeArticles')
    .set({
      ...a,
      updatedAt: new Date(),
      ...(a.state === 'published' && !publishedBefore ? { publishedAt: new Date() } : {}),
      ...(a.state === 'draft' ? { publishedAt: null } : {}),
    })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

const CONFIG = { de: 'german', en: 'english' } as const;

export type ArticleHit = { id: string; title: string; topic: string | null; language: Locale; state: ArticleState; rank: number; snippet: string };

/**
 * Full-text search with the stemming of each language ("Rücksendungen" finds "Rücksendung", "returns"
 * finds "return"): the query is parsed once per language (websearch syntax: words, "phrases", -not, or)
 * and matched against the articles of that language only. The snippet is the plain text around the hits,
 * the hits wrapped in the inbox search's HIT_START/HIT_END (stripped from the text first, so only PostgreSQL's marks remain).
 * The hits are ranked and cut to the limit first; only those rows get a snippet (ts_headline over a 50 kB
 * body is the costly part, so it never runs for a match that is not shown).
 */
export function searchArticles(db: DbOrTx, q: string, opts: { languages: Locale[]; publishedOnly: boolean; limit: number }) {
  const perLanguage = opts.languages.map(
    (lang) => sql`
      SELECT a.id, a.title, ts_rank(a.search, query) AS rank, query, ${CONFIG[lang]}::regconfig AS config
      FROM knowledge_articles a, websearch_to_tsquery(${CONFIG[lang]}::regconfig, ${q}) query
      WHERE a.language = ${lang} AND a.search @@ query ${opts.publishedOnly ? sql`AND a.state = 'published'` : sql``}`,
  );
  return sql<ArticleHit>`
    SELECT a.id, a.title, a.topic, a.language, a.state, top.rank,
      ts_headline(top.config,
        translate(regexp_replace(a.body, '[*_#>\`\\[\\]]+', ' ', 'g'), ${HIT_START + HIT_END}, ''),
        top.query,
        ${`StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`}) AS snippet
    FROM (SELECT * FROM (${sql.join(perLanguage, sql` UNION ALL `)}) hits ORDER BY rank DESC, title LIMIT ${opts.limit}) top
    JOIN knowledge_articles a ON a.id = top.id
    ORDER BY top.rank DESC, a.title`
    .execute(db)
    .then((r) => r.rows);
}

/**
 * Counts a view or a vote once per visitor and day: the visitor's row is inserted if new, and only then is
 * the article's counter raised. Rows of earlier days go (their hashes name a day that is over). `day` is the
 * UTC date (YYYY-MM-DD) the visitor hash was made for — the one clock for hash, row and clean-up, whatever
 * the database's time zone.
 */
export async function countUsage(
  tx: Tx,
  usage: { articleId: string; kind: ArticleUsageKind; visitorHash: string; day: string },
  counter: 'views' | 'helpful' | 'notHelpful',
) {
  const day = sql<Date>`${usage.day}::date`;
  await tx.deleteFrom('knowledgeArticleUsage').where('day', '<', day).execute();
  const fresh = await tx
    .insertInto('knowledgeArticleUsage')
    .values({ articleId: usage.articleId, kind: usage.kind, visitorHash: usage.visitorHash, day })
    .onConflict((oc) => oc.doNothing())
    .returning('articleId')
    .executeTakeFirst();
  if (!fresh) return false;
  await tx
    .updateTable('knowledgeArticles')
    .set((eb) => ({ [counter]: eb(counter, '+', 1) }))
    .where('id', '=', usage.articleId)
    .execute();
  return true;
}
