/** A website chat on the conversation page: its state (ringing, accepted by someone, ended and why) and how long the visitor waited. */
import type { ChatFacts } from '../db/repositories/chatSessions.repo';
import type { ChatEndReason } from '../db/schema';
import type { MessageKey } from '../i18n/messages';
import type { Translate } from '../i18n/translate';
import { escapeHtml } from './html';

export type ChatState = 'ringing' | 'accepted' | 'ended';

const END_REASON_TEXT: Record<ChatEndReason, MessageKey> = {
  agent: 'chat.endReason.agent',
  customer: 'chat.endReason.customer',
  inactivity: 'chat.endReason.inactivity',
  self_served: 'chat.endReason.self_served',
};

export function presentChat(facts: ChatFacts, t: Translate, now = new Date()) {
  const state: ChatState = facts.endedAt ? 'ended' : facts.acceptedAt ? 'accepted' : 'ringing';
  const stateText =
    state === 'ended'
      ? t('chat.stateEnded', { reason: t(END_REASON_TEXT[facts.endReason ?? 'agent']) })
      : state === 'accepted'
        ? t('chat.stateAccepted', { name: facts.acceptedByName ?? '—' })
        : t('chat.stateRinging');
  // the wait ends when an agent accepts (or, abandoned, when the chat ends); a ringing chat is still waiting
  const waitEnd = facts.acceptedAt ?? facts.endedAt ?? now;
  return {
    ...facts,
    state,
    stateText,
    waitedSeconds: Math.max(0, Math.round((waitEnd.getTime() - facts.startedAt.getTime()) / 1000)),
    stillWaiting: state === 'ringing',
  };
}

/** The toast of a ringing chat on the assignee's every page (swapped into the toasts by the SSE extension). */
export function chatRingingToastHtml(e: { conversationId: string }, t: Translate): string {
  return (
    `<div class="toast toast-chat" role="alert" data-chat-ringing="${escapeHtml(e.conversationId)}">` +
    `<span>${escapeHtml(t('chat.ringing'))}</span> <a href="/conversations/${escapeHtml(e.conversationId)}">${escapeHtml(t('chat.open'))}</a>` +
    ` <button type="button" class="toast-close link-button" data-dismiss-toast>${escapeHtml(t('sla.toast.dismiss'))}</button></div>`
  );
}

/** "Besucher tippt …" on the chat's page; static/live.js clears it when the visitor stops. */
export function visitorTypingHtml(t: Translate): string {
  return `<span class="typing-dot"></span> ${escapeHtml(t('chat.visitorTyping'))}`;
}
