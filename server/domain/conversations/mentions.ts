/**
 * @mentions in internal notes: `@lena` (first name) or `@agent.smith` (the e-mail's local part), case-insensitive.
 * A first name shared by several colleagues mentions all of them; the author never notifies themself.
 */
export type Mentionable = { id: string; name: string; email: string };

const MENTION = /(?:^|[^\p{L}\p{N}_.@])@([\p{L}\p{N}][\p{L}\p{N}._+-]*)/gu;

export function mentionTokens(text: string): string[] {
  const tokens = new Set<string>();
  for (const m of text.matchAll(MENTION)) tokens.add((m[1] ?? '').replace(/[._+-]+$/, '').toLowerCase());
  tokens.delete('');
  return [...tokens];
}

export function resolveMentions(text: string, colleagues: readonly Mentionable[], authorId?: string): Mentionable[] {
  const tokens = new Set(mentionTokens(text));
  if (!tokens.size) return [];
  return colleagues.filter((c) => {
    if (c.id === authorId) return false;
    const firstName = (c.name.trim().split(/\s+/)[0] ?? '').toLowerCase();
    const localPart = (c.email.split('@')[0] ?? '').toLowerCase();
    return tokens.has(firstName) || tokens.has(localPart);
  });
}
