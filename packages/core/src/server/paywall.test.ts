import { describe, expect, it } from 'vitest';
import type { PaymentRequirements } from '../schemas.js';
import type { SchemeServer } from '../scheme.js';
import { renderPaywall } from './paywall.js';
import type { ResolvedOffer } from './route.js';

function offer(
  requirements: Partial<PaymentRequirements>,
  describe?: SchemeServer['describe'],
): ResolvedOffer {
  const rail = {
    scheme: 'exact',
    networks: ['toy:local'],
    requirements: () => {
      throw new Error('not used');
    },
    paymentId: () => 'id',
    ...(describe ? { describe } : {}),
  } as SchemeServer;
  return {
    rail,
    requirements: {
      scheme: 'exact',
      network: 'toy:local',
      amount: '10000',
      asset: 'TOY',
      payTo: 'merchant-1',
      maxTimeoutSeconds: 60,
      ...requirements,
    } as PaymentRequirements,
  };
}

describe('renderPaywall', () => {
  it('shows each rail with its described price, network and payee', () => {
    const html = renderPaywall({
      description: 'Weather report',
      offers: [
        offer({}, () => ({ amount: '0.01', symbol: 'TOY', networkName: 'Toy network' })),
        offer({ network: 'eip155:8453', asset: '0xA', amount: '25', extra: { decimals: 2 } }),
      ],
    });
    expect(html).toContain('Weather report');
    expect(html).toContain('0.01 TOY');
    expect(html).toContain('Toy network');
    expect(html).toContain('0.25 0xA'); // no describe(): amount from extra.decimals
    expect(html).toContain('<code>eip155:8453</code>');
    expect(html).toContain('merchant-1');
    expect(html).toContain('2 ways to pay');
    expect(html.match(/<tr>/g)).toHaveLength(3);
  });

  it('escapes every configured value and carries no script, with a CSP forbidding one', () => {
    const html = renderPaywall({
      description: '<img src=x onerror=alert(1)>',
      offers: [offer({ payTo: '"><script>x()</script>' })],
      options: { appName: '<b>Shop</b>', instructions: "a & b's" },
      mimeType: 'text/<html>',
      resource: 'https://api.example/weather?a=<x>',
    });
    expect(html).not.toMatch(/<script|<img|<b>|<x>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;Shop&lt;/b&gt;');
    expect(html).toContain('a &amp; b&#39;s');
    expect(html).toContain('text/&lt;html&gt;');
    expect(html).toContain("default-src 'none'");
  });

  it('shows the resource and format only when given', () => {
    const bare = renderPaywall({ offers: [offer({})] });
    expect(bare).not.toContain('<dt>Resource</dt>');
    expect(bare).toContain('paid per request');
    const full = renderPaywall({
      offers: [offer({})],
      resource: 'https://api.example/weather',
      mimeType: 'application/json',
    });
    expect(full).toContain('<dt>Resource</dt><dd><code>https://api.example/weather</code></dd>');
    expect(full).toContain('<dt>Format</dt><dd><code>application/json</code></dd>');
  });
});
