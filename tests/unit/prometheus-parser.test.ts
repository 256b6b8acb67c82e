import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheus, valueOf } from '../support/prometheus';

// The integration tests read /api/metrics with this parser: it must read what prom-client writes
// (labelled histograms with `le` first, escaped label values) and refuse what Prometheus would.
describe('parsePrometheus', () => {
  it("reads prom-client's text: counters, and histograms by label set", async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['kind'], registers: [registry] });
    counter.inc({ kind: 'say "hi"\\ok' }, 3);
    const histogram = new Histogram({ name: 'took_seconds', help: 'Took.', labelNames: ['route'], buckets: [0.1, 1], registers: [registry] });
    histogram.observe({ route: '/a' }, 0.05);
    histogram.observe({ route: '/b' }, 0.5);
    histogram.observe({ route: '/b' }, 2);

    const families = parsePrometheus(await registry.metrics());

    expect(families.get('jobs_total')).toEqual({ name: 'jobs_total', help: 'Jobs.', type: 'COUNTER', metrics: [{ labels: { kind: 'say "hi"\\ok' }, value: 3 }] });
    expect(families.get('took_seconds')?.metrics).toEqual([
      { labels: { route: '/a' }, buckets: { '0.1': 1, '1': 1, '+Inf': 1 }, sum: 0.05, count: 1 },
      { labels: { route: '/b' }, buckets: { '0.1': 0, '1': 1, '+Inf': 2 }, sum: 2.5, count: 2 },
    ]);
    expect(valueOf(families, 'jobs_total')).toBe(3);
  });

  it.each([
    ['a sample before its TYPE', 'up 1\n'],
    ['a bad value', '# TYPE up gauge\nup one\n'],
    ['an unquoted label', '# TYPE up gauge\nup{a=b} 1\n'],
    ['a label twice', '# TYPE up gauge\nup{a="1",a="2"} 1\n'],
    ['an unknown type', '# TYPE up meter\n'],
    ['a bucket without le', '# TYPE h histogram\nh_bucket{a="1"} 1\n'],
  ])('refuses %s', (_, text) => {
    expect(() => parsePrometheus(text)).toThrow();
  });
});
