/**
 * The page a browser gets instead of a bare 402. It shows what is being bought, its price on each
 * rail and how to pay; it is built only from the server's own configuration, never from request
 * text (no URL, query or header is echoed), and every value is HTML-escaped anyway.
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

export function renderPaywall(input: {
  description?: string;
  offers: readonly ResolvedOffer[];
  options?: PaywallOptions;
}): string {
  const title = escapeHtml(input.options?.appName ?? 'Payment required');
  const rows = input.offers
    .map((offer) => {
      const d = display(offer);
      return `<tr><td class="price">${escapeHtml(d.amount)} ${escapeHtml(d.symbol)}</td><td>${escapeHtml(d.networkName)}</td><td><code>${escapeHtml(offer.requirements.scheme)}</code></td></tr>`;
    })
    .join('');
  const description = input.description
    ? `<p class="what">${escapeHtml(input.description)}</p>`
    : '';
  const instructions = input.options?.instructions
    ? `<p>${escapeHtml(input.options.instructions)}</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1b1d22;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:14px;box-shadow:0 6px 24px rgba(0,0,0,.08);padding:32px 36px;max-width:560px;width:calc(100% - 32px)}
h1{font-size:1.5rem;margin:0 0 4px}.badge{display:inline-block;background:#fde8e8;color:#9b1c1c;border-radius:6px;padding:2px 8px;font-size:.8rem;font-weight:600}
.what{font-size:1.1rem;margin:16px 0}table{width:100%;border-collapse:collapse;margin:12px 0 20px}th,td{text-align:left;padding:8px 6px;border-bottom:1px solid #eceef2}
th{font-size:.8rem;text-transform:uppercase;color:#6b7280;letter-spacing:.04em}.price{font-weight:700}code{background:#f1f3f5;border-radius:4px;padding:1px 5px}
ol{padding-left:20px}small{color:#6b7280}
</style></head>
<body><main>
<span class="badge">HTTP 402</span><h1>${title}</h1>${description}
<table><thead><tr><th>Price</th><th>Network</th><th>Scheme</th></tr></thead><tbody>${rows}</tbody></table>
<h2 style="font-size:1rem">How to pay</h2>
<ol><li>Use an x402 client (an AI agent, <code>@x402-rails/fetch</code>, or any x402 v2 SDK).</li>
<li>Request this page again; the client reads the <code>PAYMENT-REQUIRED</code> header, pays one of the options above and retries with <code>PAYMENT-SIGNATURE</code>.</li>
<li>The response carries a <code>PAYMENT-RESPONSE</code> receipt.</li></ol>${instructions}
<small>Nothing is charged until the content is delivered.</small>
</main></body></html>`;
}
