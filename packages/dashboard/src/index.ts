import { createHash } from 'node:crypto';
import { script } from './generated/script.js';
import { markup } from './markup.js';
import { style } from './style.js';

export interface DashboardPage {
  html: string;
  /** For the Content-Security-Policy header; the page carries the same policy in a meta tag. */
  contentSecurityPolicy: string;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The dashboard page. Served by the query API it calls the API on its own origin; deployed as a static file
 * elsewhere, `apiBase` (e.g. `https://api.example.com`) says where the API is. The inline script and style are
 * allowed by their hashes, so the policy needs no 'unsafe-inline'.
 */
export const renderDashboard = ({ apiBase = '' }: { apiBase?: string } = {}): DashboardPage => {
  const api = apiBase.replace(/\/+$/, '');
  const connect = api ? `'self' ${new URL(api).origin}` : `'self'`;
  const policy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    `connect-src ${connect}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en"${api ? ` data-api="${escapeAttribute(api)}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(policy)}">
<meta name="referrer" content="no-referrer">
<title>Flash figures</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>${markup}<script>${script}</script>
</body>
</html>
`;
  // frame-ancestors works only as a header, not in a meta tag.
  return { html, contentSecurityPolicy: `${policy}; frame-ancestors 'none'` };
};

/** The page as the query API serves it at `/`. */
export const dashboardPage: DashboardPage = renderDashboard();
