/**
 * GET /widget/v1/widget.js — the website chat widget (static/widget/, plain TypeScript) as one minified file.
 * Bundled with esbuild on the first request and kept in memory (never written to disk); served to any origin
 * (the widget API checks origins, this file holds no data), gzipped when the browser accepts it.
 * The address has no version in it, so a browser keeps the file for a day and then asks again with its ETag
 * (304 when unchanged): a new release reaches every site within a day.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Router } from 'express';

const ENTRY = path.join(__dirname, '../../static/widget/widget.ts');

/** The bundled, minified widget (an IIFE for the browsers of the last five years). */
export async function buildWidgetScript(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    legalComments: 'none',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

type Built = { plain: Buffer; gzip: Buffer; etag: string };
let built: Promise<Built> | undefined;

function widgetScript(): Promise<Built> {
  built ??= buildWidgetScript().then(
    (text) => {
      const plain = Buffer.from(text);
      return { plain, gzip: gzipSync(plain, { level: 9 }), etag: `"${createHash('sha256').update(plain).digest('base64url').slice(0, 27)}"` };
    },
    (err: unknown) => {
      built = undefined; // the next request tries again
      throw err;
    },
  );
  return built;
}

export function widgetScriptRoutes(): Router {
  const router = Router();
  router.get('/widget/v1/widget.js', async (req, res) => {
    const { plain, gzip, etag } = await widgetScript();
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
      ETag: etag,
      Vary: 'Accept-Encoding',
      'Access-Control-Allow-Origin': '*',
      // helmet's default (same-origin) would stop other sites from loading the script
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const gzipped = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (gzipped) res.set('Content-Encoding', 'gzip');
    res.send(gzipped ? gzip : plain);
  });
  return router;
}
