/** Writing knowledge articles: managers only, every change audited with what it replaced; publishing has its own event. */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { insertArticle, lockArticle, updateArticle, type ArticleFields } from '../../db/repositories/knowledgeArticles.repo';
import { Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import { parseInput } from '../parseInput';

export const ARTICLE_TITLE_MAX = 200;
export const ARTICLE_BODY_MAX = 50_000;
export const ARTICLE_TOPIC_MAX = 60;

/** An empty topic field means no topic. */
const topic = z.preprocess((v) => (typeof v === 'string' && !v.trim() ? null : v), z.string().trim().min(1).max(ARTICLE_TOPIC_MAX).nullable());

const articleState = z.enum(['draft', 'published']);

const fields = {
  title: z.string().trim().min(1).max(ARTICLE_TITLE_MAX),
  body: z.string().min(1).max(ARTICLE_BODY_MAX),
  topic: topic.default(null),
  language: z.enum(['de', 'en']),
  state: articleState.default('draft'),
};

export const articleInput = z.object(fields);
export type ArticleInput = z.input<typeof articleInput>;

/** A change names the article and any of its fields; what it leaves out stays as it is. */
export const articleChange = z.object({
  id: z.uuid(),
  title: fields.title.optional(),
  body: fields.body.optional(),
  topic: topic.optional(),
  language: fields.language.optional(),
  state: articleState.optional(),
});
export type ArticleChange = z.input<typeof articleChange>;

type Author = { actor: Actor; role: Role; user: { id: string } };

function assertManager(role: Role) {
  if (!can(role, 'knowledge.manage')) throw new Forbidden('Only managers write knowledge articles').showing('knowledge.managersOnly');
}

const audited = (a: ArticleFields) => ({ title: a.title, body: a.body, topic: a.topic, language: a.language, state: a.state });

export async function createArticle(tx: Tx, raw: ArticleInput, by: Author) {
  assertManager(by.role);
  const input = parseInput(articleInput, raw, 'article');
  const created = await insertArticle(tx, input, by.user.id);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'knowledge.article_created',
    subjectType: 'knowledge_article',
    subjectId: created.id,
    after: audited(input),
  });
  return created;
}

/** Saves a change; a draft becoming published is audited as `knowledge.article_published`, anything else as `…_changed`. */
export async function changeArticle(tx: Tx, raw: ArticleChange, by: Author) {
  assertManager(by.role);
  const { id, ...change } = parseInput(articleChange, raw, 'article');
  const current = await lockArticle(tx, id);
  if (!current) throw new NotFound('Article');
  const before = audited(current);
  const after: ArticleFields = { ...before, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
  const updated = await updateArticle(tx, id, after, current.state === 'published');
  const published = current.state === 'draft' && after.state === 'published';
  await appendAudit(tx, {
    actor: by.actor,
    action: published ? 'knowledge.article_published' : 'knowledge.article_changed',
    subjectType: 'knowledge_article',
    subjectId: id,
    before,
    after: audited(after),
  });
  return updated;
}
