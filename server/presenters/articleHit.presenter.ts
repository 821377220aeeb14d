/** A knowledge search hit for the views: its snippet as escaped parts, only the matched words in <mark> (searchHit.presenter). */
import type { ArticleHit } from '../db/repositories/knowledgeArticles.repo';
import { headlineParts, hitHtml } from './searchHit.presenter';

export function presentHit(hit: ArticleHit) {
  return { ...hit, snippetHtml: hitHtml(headlineParts(hit.snippet)) };
}
