/**
 * The signed link to a case's status page, for the customer's first answer: `/case/<number>?sig=<HMAC>`.
 * The signature (HMAC-SHA256 with a key of its own derived from ENCRYPTION_KEY) stands in for the e-mail
 * address: whoever has the link sees that case's status, and no other case's.
 */
import { createSigner, type Signer } from '../../crypto/signing';

export const CASE_NUMBER = /^[1-9][0-9]{0,17}$/;

export function caseLinkSigner(encryptionKey: string): Signer {
  return createSigner(encryptionKey, 'case-status-link');
}

export function caseStatusLink(baseUrl: string, signer: Signer, caseNumber: string): string {
  if (!CASE_NUMBER.test(caseNumber)) throw new Error(`Not a case number: ${caseNumber}`);
  return `${baseUrl.replace(/\/+$/, '')}/case/${caseNumber}?sig=${signer.sign(`case:${caseNumber}`)}`;
}

/** The status link of a case, for whoever writes it into a reply (domain/caseStatus/caseFooter.ts). */
export type CaseLinkOf = (caseNumber: string) => string;

export function caseLinkOf(baseUrl: string, encryptionKey: string): CaseLinkOf {
  const signer = caseLinkSigner(encryptionKey);
  return (caseNumber) => caseStatusLink(baseUrl, signer, caseNumber);
}

export function verifyCaseLink(signer: Signer, caseNumber: string, signature: string): boolean {
  return CASE_NUMBER.test(caseNumber) && /^[0-9a-f]{64}$/.test(signature) && signer.verify(`case:${caseNumber}`, signature);
}
