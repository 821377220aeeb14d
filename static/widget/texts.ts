/** The widget's own words in German and English; the site's texts (title, greeting, offline, consent) come from its config. */
export type Lang = 'de' | 'en';

const de = {
  open: 'Chat öffnen',
  close: 'Chat schließen',
  title: 'Chat',
  name: 'Name',
  email: 'E-Mail',
  optional: '(optional)',
  message: 'Ihre Nachricht',
  consent: 'Ich bin einverstanden, dass meine Angaben zur Bearbeitung meiner Anfrage gespeichert werden.',
  start: 'Chat starten',
  noThanks: 'Nein, danke',
  invitation: 'Haben Sie eine Frage? Wir sind jetzt für Sie da.',
  offline: 'Gerade ist niemand im Chat erreichbar. Schreiben Sie uns, wir antworten per E-Mail.',
  sendOffline: 'Nachricht senden',
  offlineSent: 'Danke! Wir antworten Ihnen per E-Mail (Fall #{case}).',
  required: 'Bitte füllen Sie dieses Feld aus.',
  badEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse an.',
  needConsent: 'Bitte stimmen Sie der Verarbeitung zu.',
  failed: 'Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.',
  messages: 'Nachrichten',
  you: 'Sie',
  team: 'Team',
  send: 'Senden',
  sending: 'Wird gesendet …',
  delivered: 'Zugestellt',
  read: 'Gelesen',
  waiting: 'Einen Moment, wir verbinden Sie gleich.',
  queue: 'Position {position} · ca. {minutes} Min.',
  queueOnly: 'Position {position}',
  accepted: '{name} ist jetzt für Sie da.',
  typing: '{name} schreibt …',
  ended: 'Der Chat ist beendet.',
  endedInactivity: 'Der Chat wurde wegen Inaktivität beendet.',
  endChat: 'Chat beenden',
  newChat: 'Neuer Chat',
  transcript: 'Transkript per E-Mail',
  transcriptSend: 'Transkript senden',
  transcriptSent: 'Das Transkript ist unterwegs.',
  reconnecting: 'Verbindung unterbrochen – wird wiederhergestellt …',
  unread: '{count} neu',
};
type Texts = typeof de;

const en: Texts = {
  open: 'Open chat',
  close: 'Close chat',
  title: 'Chat',
  name: 'Name',
  email: 'Email',
  optional: '(optional)',
  message: 'Your message',
  consent: 'I agree that my details are stored to handle my request.',
  start: 'Start chat',
  noThanks: 'No, thanks',
  invitation: 'Any questions? We are here for you now.',
  offline: 'Nobody is available in the chat right now. Write to us and we will answer by email.',
  sendOffline: 'Send message',
  offlineSent: 'Thank you! We will answer by email (case #{case}).',
  required: 'Please fill in this field.',
  badEmail: 'Please enter a valid email address.',
  needConsent: 'Please agree to the processing.',
  failed: 'That did not work. Please try again.',
  messages: 'Messages',
  you: 'You',
  team: 'Team',
  send: 'Send',
  sending: 'Sending …',
  delivered: 'Delivered',
  read: 'Read',
  waiting: 'One moment, we will connect you shortly.',
  queue: 'Position {position} · approx. {minutes} min',
  queueOnly: 'Position {position}',
  accepted: '{name} is now with you.',
  typing: '{name} is typing …',
  ended: 'The chat has ended.',
  endedInactivity: 'The chat ended after inactivity.',
  endChat: 'End chat',
  newChat: 'New chat',
  transcript: 'Email transcript',
  transcriptSend: 'Send transcript',
  transcriptSent: 'The transcript is on its way.',
  reconnecting: 'Connection lost – reconnecting …',
  unread: '{count} new',
};

export type TextKey = keyof Texts;

export function textsFor(lang: Lang): (key: TextKey, values?: Record<string, string | number>) => string {
  const table = lang === 'en' ? en : de;
  return (key, values) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? ''));
}

/** The page's language (<html lang>): English for en-*, German otherwise. */
export function pageLang(): Lang {
  return /^en\b/i.test(document.documentElement.lang) ? 'en' : 'de';
}
