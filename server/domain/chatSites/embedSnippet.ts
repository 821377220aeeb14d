/** The one `<script>` tag a website embeds: the widget reads its site from data-site and the API's origin from src. */
export function embedSnippet(baseUrl: string, siteId: string): string {
  return `<script src="${baseUrl.replace(/\/+$/, '')}/widget/v1/widget.js" data-site="${siteId}" async></script>`;
}
