/**
 * Counters and histograms in the Prometheus text format (0.0.4), hand-rolled: the app needs two
 * metric kinds and one renderer, not a client library.
 */

export type Labels = Readonly<Record<string, string>>;

/** A backstop on label sets per metric, so no caller mistake can grow memory without bound. */
const MAX_SERIES = 1000;
const OVERFLOW = 'other';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function renderLabels(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  return String(value);
}

abstract class Metric<S> {
  readonly #series = new Map<string, { values: string[]; state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  protected abstract fresh(): S;

  protected seriesFor(labels: Labels): S {
    let values = this.labelNames.map((name) => labels[name] ?? '');
    let key = JSON.stringify(values);
    if (!this.#series.has(key) && this.#series.size >= MAX_SERIES) {
      values = this.labelNames.map(() => OVERFLOW);
      key = JSON.stringify(values);
    }
    let entry = this.#series.get(key);
    if (!entry) {
      entry = { values, state: this.fresh() };
      this.#series.set(key, entry);
    }
    return entry.state;
  }

  protected *entries(): Iterable<{ values: readonly string[]; state: S }> {
    // Sorted, so scrapes are stable and diffable.
    const sorted = [...this.#series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, entry] of sorted) yield entry;
  }

  abstract render(): string[];
}

export class Counter extends Metric<{ value: number }> {
  protected fresh() {
    return { value: 0 };
  }

  inc(labels: Labels = {}, by = 1): void {
    this.seriesFor(labels).value += by;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { values, state } of this.entries())
      lines.push(
        `${this.name}${renderLabels(this.labelNames, values)} ${formatNumber(state.value)}`,
      );
    return lines;
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramState> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  protected fresh(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const state = this.seriesFor(labels);
    // Non-cumulative per bucket here; render() accumulates.
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) state.counts[index] = (state.counts[index] ?? 0) + 1;
    state.sum += value;
    state.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { values, state } of this.entries()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += state.counts[i] ?? 0;
        const labels = renderLabels(this.labelNames, values, `le="${formatNumber(bound)}"`);
        lines.push(`${this.name}_bucket${labels} ${cumulative}`);
      });
      const inf = renderLabels(this.labelNames, values, 'le="+Inf"');
      lines.push(`${this.name}_bucket${inf} ${state.count}`);
      const labels = renderLabels(this.labelNames, values);
      lines.push(`${this.name}_sum${labels} ${formatNumber(state.sum)}`);
      lines.push(`${this.name}_count${labels} ${state.count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  readonly #metrics: (Counter | Histogram)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const metric = new Counter(name, help, labelNames);
    this.#metrics.push(metric);
    return metric;
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    const metric = new Histogram(name, help, labelNames, buckets);
    this.#metrics.push(metric);
    return metric;
  }

  render(): string {
    return `${this.#metrics.flatMap((metric) => metric.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
