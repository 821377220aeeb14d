/**
 * An inbound attachment as every connector describes it, bounded to what message_attachments stores:
 * a file name without control characters or path (at most 255 characters), a content type only when it is
 * one (`type/subtype`, lower case, no parameters), a size only when it is a whole number of bytes.
 */
import type { InboundAttachment } from './types';

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export function cleanFileName(name: string | null | undefined): string | null {
  if (!name) return null;
  const printable = [...name].filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f').join('');
  const base = (printable.split(/[\\/]/).pop() ?? '').trim();
  return base ? base.slice(0, 255) : null;
}

export function cleanContentType(type: string | null | undefined): string | null {
  const t = type?.split(';')[0]?.trim().toLowerCase();
  return t && MIME.test(t) ? t : null;
}

export function inboundAttachment(a: {
  fileName?: string | null;
  contentType?: string | null;
  sizeBytes?: number | null;
  providerRef?: string | null;
  content?: Buffer | null;
}): InboundAttachment {
  const size = a.content ? a.content.length : a.sizeBytes;
  return {
    fileName: cleanFileName(a.fileName),
    contentType: cleanContentType(a.contentType),
    sizeBytes: typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 && size < 2 ** 31 ? size : null,
    providerRef: a.providerRef ? a.providerRef.slice(0, 512) : null,
    content: a.content ?? null,
  };
}
