import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/metrics/registry.js';

describe('the Prometheus text renderer', () => {
  it('renders counters with escaped labels, sorted series, HELP and TYPE', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('demo_total', 'A demo.', ['kind']);
    counter.inc({ kind: 'b' });
    counter.inc({ kind: 'a"\\\nz' }, 2);
    counter.inc({ kind: 'b' });
    expect(registry.render()).toBe(
      [
        '# HELP demo_total A demo.',
        '# TYPE demo_total counter',
        'demo_total{kind="a\\"\\\\\\nz"} 2',
        'demo_total{kind="b"} 2',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('demo_seconds', 'Latency.', ['op'], [0.1, 1]);
    for (const value of [0.05, 0.1, 0.5, 3]) histogram.observe({ op: 'x' }, value);
    expect(registry.render().split('\n')).toEqual([
      '# HELP demo_seconds Latency.',
      '# TYPE demo_seconds histogram',
      'demo_seconds_bucket{op="x",le="0.1"} 2',
      'demo_seconds_bucket{op="x",le="1"} 3',
      'demo_seconds_bucket{op="x",le="+Inf"} 4',
      'demo_seconds_sum{op="x"} 3.65',
      'demo_seconds_count{op="x"} 4',
      '',
    ]);
  });

  it('folds label sets past its bound into one `other` series', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('many_total', 'Many.', ['id']);
    for (let i = 0; i < 1005; i++) counter.inc({ id: String(i) });
    const lines = registry
      .render()
      .split('\n')
      .filter((l) => l.startsWith('many_total{'));
    expect(lines).toHaveLength(1001);
    expect(lines).toContain('many_total{id="other"} 5');
  });
});
