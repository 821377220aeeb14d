/**
 * A site's proactive invitation rules: [{urlPattern: "/checkout*", afterSeconds: 30}], the first matching rule
 * wins. A pattern is matched against the page's path and query ('*' stands for any characters, everything else
 * is literal); a pattern that names a whole address ('https://shop.example/help*') is matched against the whole
 * address.
 */
import type { InvitationRule } from '../../db/schema';

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}

function pathOf(page: string): string {
  try {
    const url = new URL(page);
    return url.pathname + url.search;
  } catch {
    return page;
  }
}

/** The seconds after which the widget invites on this page, or null when no rule matches (or no page is known). */
export function inviteAfterSeconds(rules: readonly InvitationRule[], page: string | null | undefined): number | null {
  if (!page) return null;
  const path = pathOf(page);
  const rule = rules.find((r) => globMatches(r.urlPattern, /^https?:\/\//i.test(r.urlPattern) ? page : path));
  return rule ? rule.afterSeconds : null;
}
