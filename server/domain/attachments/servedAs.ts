/**
 * How an attachment a customer sent is handed to a browser. Pure. Only a raster image whose bytes say so
 * (PNG, JPEG, GIF, WebP signatures, whatever type was declared) is shown inline, with the type of its bytes;
 * everything else is a download. Types a browser would run or render as a document (HTML, SVG, XML,
 * scripts) never go out under their own type, not even as a download. The file name goes into
 * Content-Disposition as a plain ASCII fallback and RFC 5987 UTF-8, so no name can break the header.
 */

export type Served = { contentType: string; disposition: string };

const SIGNATURES: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  { type: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** The raster image type the bytes carry, or null. */
export function imageTypeOf(content: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(content))?.type ?? null;
}

/** Whether the thread shows it as a picture (a declared raster image; the bytes are checked when served). */
export const isPreviewable = (contentType: string | null) => contentType !== null && SIGNATURES.some((s) => s.type === contentType);

const ACTIVE = /html|xml|svg|javascript|ecmascript|x-sh|x-httpd|multipart/;

export function servedAs(content: Buffer, declaredType: string | null, fileName: string): Served {
  const image = imageTypeOf(content);
  if (image) return { contentType: image, disposition: contentDisposition('inline', fileName) };
  const type = declaredType && !ACTIVE.test(declaredType) ? declaredType : 'application/octet-stream';
  return { contentType: type, disposition: contentDisposition('attachment', fileName) };
}

/** RFC 6266 with an RFC 5987 `filename*`: quotes, backslashes, control and non-ASCII characters cannot reach the header raw. */
export function contentDisposition(type: 'inline' | 'attachment', rawName: string): string {
  // A lone surrogate (valid in JSON) would make encodeURIComponent throw: it becomes U+FFFD.
  const fileName = rawName.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  // eslint-disable-next-line no-control-regex
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_').slice(0, 200) || 'file';
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
