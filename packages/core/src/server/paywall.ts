/**
 * The page a browser gets instead of a bare 402. It shows what is being bought, its price on each
 * rail and how to pay; it is built only from the server's own configuration, never from request
 * text (no URL, query or header is echoed), and every value is HTML-escaped anyway. It needs no
 * script and loads nothing (its own CSP says so), so it works with JavaScript off and offline.
 */
import { formatAtomicAmount } from '../money.js';
import type { DisplayAmount } from '../scheme.js';
import type { ResolvedOffer } from './route.js';

export interface PaywallOptions {
  /** Shown as the page's heading (default "Payment required"). */
  appName?: string;
  /** Extra paragraph for people, e.g. where to get a wallet. Plain text, escaped. */
  instructions?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function display(offer: ResolvedOffer): DisplayAmount {
  const described = offer.rail.describe?.(offer.requirements);
  if (described) return described;
  const decimals = offer.requirements.extra?.['decimals'];
  const amount =
    typeof decimals === 'number'
      ? formatAtomicAmount(offer.requirements.amount, decimals)
      : `${offer.requirements.amount} (atomic units)`;
  return { amount, symbol: offer.requirements.asset, networkName: offer.requirements.network };
}

export interface PaywallInput {
  description?: string;
  offers: readonly ResolvedOffer[];
  options?: PaywallOptions;
  /** The media type of what is sold (the route's `mimeType`). */
  mimeType?: string;
  /**
   * The resource's URL, shown as is: pass only a configured URL (the route's fixed `resource`),
   * never one built from the request, which would echo the request's path.
   */
  resource?: string;
}

/** One row of the price table. */
function offerRow(offer: ResolvedOffer): string {
  const d = display(offer);
  const r = offer.requirements;
  return `<tr><th scope="row" class="price">${escapeHtml(d.amount)} ${escapeHtml(d.symbol)}</th><td>${escapeHtml(d.networkName)}<br><small><code>${escapeHtml(r.network)}</code></small></td><td><code>${escapeHtml(r.scheme)}</code></td><td class="payto"><code>${escapeHtml(r.payTo)}</code></td></tr>`;
}

/** The networks on offer, each once, for the "how to pay" steps. */
function networkList(offers: readonly ResolvedOffer[]): string {
  const names = [...new Set(offers.map((o) => display(o).networkName))];
  return names.map(escapeHtml).join(', ');
}

const STYLE = `:root{color-scheme:light dark;--bg:#f4f5f7;--fg:#16181d;--card:#fff;--muted:#4b5563;--line:#e5e7eb;--accent:#1d4ed8;--badge-bg:#fde8e8;--badge-fg:#8a1616}
@media (prefers-color-scheme:dark){:root{--bg:#111318;--fg:#f3f4f6;--card:#1b1e25;--muted:#b6bcc8;--line:#2d323c;--accent:#93b4ff;--badge-bg:#3d1a1a;--badge-fg:#ffb4b4}}
*{box-sizing:border-box}body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg);margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;padding:16px}
main{background:var(--card);border-radius:14px;box-shadow:0 6px 24px rgba(0,0,0,.08);padding:28px 32px;max-width:720px;width:100%}
h1{font-size:1.6rem;margin:6px 0 4px}h2{font-size:1.05rem;margin:24px 0 8px}
.badge{display:inline-block;background:var(--badge-bg);color:var(--badge-fg);border-radius:6px;padding:2px 8px;font-size:.8rem;font-weight:700}
.what{font-size:1.15rem;margin:12px 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0;color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.table{overflow-x:auto}table{width:100%;border-collapse:collapse;margin:8px 0 4px}caption{text-align:left;color:var(--muted);font-size:.9rem;padding-bottom:4px}
th,td{text-align:left;padding:8px 6px;border-bottom:1px solid var(--line);vertical-align:top}thead th{font-size:.78rem;text-transform:uppercase;color:var(--muted);letter-spacing:.04em}
.price{font-weight:700;white-space:nowrap}.payto code{overflow-wrap:anywhere;font-size:.8rem}code{background:rgba(127,127,127,.14);border-radius:4px;padding:1px 5px}
ol{padding-left:22px}li{margin:4px 0}small,.note{color:var(--muted)}a{color:var(--accent)}`;

export function renderPaywall(input: PaywallInput): string {
  const title = escapeHtml(input.options?.appName ?? 'Payment required');
  const rows = input.offers.map(offerRow).join('');
  const description = input.description
    ? `<p class="what">${escapeHtml(input.description)}</p>`
    : '<p class="what">This resource is paid per request.</p>';
  const facts = [
    input.resource ? `<dt>Resource</dt><dd><code>${escapeHtml(input.resource)}</code></dd>` : '',
    input.mimeType ? `<dt>Format</dt><dd><code>${escapeHtml(input.mimeType)}</code></dd>` : '',
  ].join('');
  const instructions = input.options?.instructions
    ? `<p>${escapeHtml(input.options.instructions)}</p>`
    : '';
  const count = input.offers.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="robots" content="noindex"><title>${title}</title>
<style>${STYLE}</style></head>
<body><main aria-labelledby="title">
<span class="badge">HTTP 402 · Payment required</span><h1 id="title">${title}</h1>${description}${facts ? `<dl>${facts}</dl>` : ''}
<h2 id="prices">Price</h2>
<div class="table"><table aria-labelledby="prices"><caption>${count === 1 ? 'One way to pay' : `${count} ways to pay; any one of them buys one request`}</caption>
<thead><tr><th scope="col">Price</th><th scope="col">Network</th><th scope="col">Scheme</th><th scope="col">Paid to</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<h2>How to pay</h2>
<ol><li>Use an x402 client: an AI agent with a wallet, <code>@x402-rails/fetch</code>, or any x402 version 2 SDK, holding funds on one of these networks: ${networkList(input.offers)}.</li>
<li>Request this address again with that client. It reads the <code>PAYMENT-REQUIRED</code> response header, pays one of the options above and sends the payment in the <code>PAYMENT-SIGNATURE</code> request header.</li>
<li>The response carries the content and a <code>PAYMENT-RESPONSE</code> header, your receipt.</li></ol>${instructions}
<p class="note">You are charged only when the content is delivered: if the server fails, the payment is released.</p>
</main></body></html>`;
}
