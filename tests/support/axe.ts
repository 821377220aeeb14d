/** axe-core in a page (WCAG 2.1 A/AA): the serious and critical violations. The page must be opened with bypassCSP. */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export type Finding = { id: string; impact: string; help: string; targets: string[] };

/** `within`: a CSS selector to check only that part of the page; the whole document otherwise. */
export async function axeFindings(page: Page, within?: string): Promise<Finding[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: object): Promise<{ violations: Finding[] & { nodes: { target: string[] }[] }[] }> } })
      .axe;
    const context = selector ? { include: [[selector]] } : document;
    const result = await axe.run(context, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: (v as unknown as { nodes: { target: string[]; any: { message: string }[] }[] }).nodes
          .map((n) => `${n.target.join(' ')}: ${n.any[0]?.message ?? ''}`)
          .slice(0, 5),
      }));
  }, within ?? null);
}
