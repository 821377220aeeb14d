/**
 * The widget's styles, inside its shadow root so the site's CSS and ours never meet.
 * A site with a strict CSP (style-src 'self', no 'unsafe-inline') blocks a <style> element, also inside a
 * shadow root, but not a constructed stylesheet (new CSSStyleSheet + adoptedStyleSheets): CSP governs style
 * elements, style attributes and fetched sheets, not the CSSOM. So the widget adopts a constructed sheet and
 * falls back to a <style> element only in browsers without constructable stylesheets.
 */

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2.1 contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const INK = '#1f2328';

/**
 * The site's colour and what goes with it: text on it (black or white, whichever contrasts more — the better
 * of the two always reaches 4.5:1), and the colour used for links, focus rings and borders on white (the site
 * colour when it reaches 4.5:1 on white, dark ink otherwise).
 */
export function palette(colour: string) {
  const brand = /^#[0-9a-f]{6}$/i.test(colour) ? colour : '#1d4ed8';
  return {
    brand,
    onBrand: contrast(brand, '#ffffff') >= contrast(brand, '#000000') ? '#ffffff' : '#000000',
    accent: contrast(brand, '#ffffff') >= 4.5 ? brand : INK,
  };
}

export function widgetCss(colour: string): string {
  const { brand, onBrand, accent } = palette(colour);
  return `
:host{all:initial}
*{box-sizing:border-box}
.rl{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;gap:12px;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:${INK}}
[hidden]{display:none!important}
button,input,textarea{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:3px solid ${accent};outline-offset:2px}
.launcher{width:56px;height:56px;border-radius:50%;border:2px solid ${onBrand};background:${brand};color:${onBrand};
box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center;padding:0}
.launcher svg{width:28px;height:28px;fill:currentColor}
.card{background:#fff;border:1px solid #d0d7de;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.2)}
.invite{max-width:300px;padding:14px}
.invite p{margin:0 0 10px}
.panel{width:min(370px,calc(100vw - 32px));height:min(560px,calc(100vh - 100px));display:flex;flex-direction:column;overflow:hidden}
.head{background:${brand};color:${onBrand};padding:12px 14px;display:flex;align-items:center;justify-content:space-between;gap:8px}
.head h2{font-size:16px;margin:0;font-weight:600}
.head button{background:transparent;border:0;color:inherit;font-size:22px;line-height:1;padding:4px 8px;border-radius:6px}
.head button:focus-visible{outline-color:${onBrand}}
.body{flex:1;overflow:auto;padding:14px;display:flex;flex-direction:column;gap:10px}
.body p{margin:0}
form{display:flex;flex-direction:column;gap:8px}
label{font-weight:600;font-size:14px}
.field{display:flex;flex-direction:column;gap:4px}
input[type=text],input[type=email],input[type=tel],input[type=date],input[type=time],textarea{width:100%;border:1px solid #6e7781;border-radius:8px;padding:8px;background:#fff}
textarea{resize:vertical;min-height:64px}
[aria-invalid=true]{border-color:#b42318}
.check{display:flex;gap:8px;align-items:flex-start}
.check label{font-weight:400}
.check input{margin-top:4px;width:18px;height:18px;flex:none}
.error{color:#b42318;font-size:14px}
.hint{font-size:13px;color:#57606a;margin:0}
.pair{display:flex;gap:8px}
.pair>.field{flex:1;min-width:0}
.sub{font-size:15px;margin:0}
.primary{background:${brand};color:${onBrand};border:1px solid ${accent};border-radius:8px;padding:9px 14px;font-weight:600}
.link{background:none;border:0;padding:4px 0;color:${accent};text-decoration:underline}
.row{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.status{font-size:14px;background:#f6f8fa;border-radius:8px;padding:8px 10px}
.status:empty,.typing:empty,.error:empty{display:none}
.log{display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 10px;border-radius:12px;background:#eef1f4;align-self:flex-start;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.me{align-self:flex-end;background:${brand};color:${onBrand}}
.msg.bot{background:#fff;border:1px solid #d0d7de;white-space:normal}
.msg.bot>span{display:block;white-space:pre-wrap}
.msg.bot .who{color:#57606a}
.articles{margin:6px 0;padding-left:18px}
.articles li{margin:2px 0}
.articles a{color:${accent}}
.question{font-weight:600;margin-top:4px}
.secondary{background:#fff;color:${accent};border:1px solid ${accent};border-radius:8px;padding:9px 14px;font-weight:600}
.human{margin:0 14px 8px}
.who{display:block;font-size:12px;font-weight:600}
.meta{display:block;font-size:12px;text-align:right}
.typing{font-size:13px;color:#57606a;font-style:italic}
.composer{border-top:1px solid #d0d7de;padding:10px 14px;flex-direction:row;align-items:flex-end}
.composer textarea{min-height:44px;flex:1}
.actions{padding:0 14px 10px;display:flex;gap:16px;flex-wrap:wrap}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
}

/** Adopts the sheet into the shadow root (allowed under a strict CSP), or a <style> where adoption is missing. */
export function applyStyles(root: ShadowRoot, css: string) {
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
  }
}
