/** The subject of a reply to an offline-form case, which goes out by e-mail (connectors/webchat): the case number first, in the visitor's language. */
import { translator } from '../../i18n/translate';
import { langOf } from './visitorInput';

export function offlineReplySubject(language: string | null | undefined, caseNumber: string, siteName: string): string {
  return translator(langOf(language))('offlineMail.subject', { case: caseNumber, site: siteName });
}
