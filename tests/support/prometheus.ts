// A strict reader of Prometheus's text exposition format (0.0.4), as Prometheus scrapes it: every
// line is a comment, a HELP, a TYPE or a sample, label values are quoted with \\, \" and \n escapes,
// values are floats (+Inf, -Inf, NaN, in any case), and a family's samples follow its TYPE. Anything else
// throws, naming the line. Written here because npm's one parser (parse-prometheus-text-format,
// unmaintained since 2020) drops the labels of a histogram whose `le` comes first, which is the
// order prom-client writes.

export type Sample = { labels: Record<string, string>; value?: number; buckets?: Record<string, number>; count?: number; sum?: number };
export type Family = { name: string; help: string; type: 'GAUGE' | 'COUNTER' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'; metrics: Sample[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** As Prometheus reads a value (Go's strconv.ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf' || word === '+infinity' || word === 'infinity') return Infinity;
  if (word === '-inf' || word === '-infinity') return -Infinity;
  if (word === 'nan') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`Not a sample value: ${line}`);
  return value;
}

/** `name{a="1",b="x\"y"} 12 [timestamp]` → its name, labels and value. */
function parseSample(line: string): { name: string; labels: Record<string, string>; value: number } {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
  const [, name = '', braces = '', value = ''] = match ?? [];
  if (!match) throw new Error(`Not a sample line: ${line}`);
  const labels: Record<string, string> = {};
  const body = braces.slice(1, -1);
  const label = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y;
  while (label.lastIndex < body.length) {
    const found = label.exec(body);
    const [, key = '', quoted = ''] = found ?? [];
    if (!found) throw new Error(`Bad labels: ${line}`);
    if (key in labels) throw new Error(`Label ${key} twice: ${line}`);
    labels[key] = quoted.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return { name, labels, value: parseValue(value, line) };
}

/** Metric families by name. */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!NAME.test(name)) throw new Error(`Bad metric name: ${line}`);
      const family = families.get(name) ?? { name, help: '', type: 'UNTYPED', metrics: [] };
      families.set(name, family);
      if (kind === 'HELP') family.help = rest;
      else if (!TYPES.has(rest)) throw new Error(`Bad type: ${line}`);
      else family.type = rest.toUpperCase() as Family['type'];
      current = family;
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    const histogram = current?.type === 'HISTOGRAM' || current?.type === 'SUMMARY';
    const suffix = histogram ? /_(bucket|sum|count)$/.exec(sample.name)?.[1] : undefined;
    const base = suffix ? sample.name.slice(0, -suffix.length - 1) : sample.name;
    if (!current || current.name !== base) throw new Error(`Sample outside its family: ${line}`);
    if (!histogram) {
      current.metrics.push({ labels: sample.labels, value: sample.value });
      continue;
    }
    const { le, quantile, ...labels } = sample.labels;
    const key = JSON.stringify(labels);
    let series = current.metrics.find((m) => JSON.stringify(m.labels) === key);
    if (!series) current.metrics.push((series = { labels, buckets: {} }));
    const buckets = (series.buckets ??= {});
    if (suffix === 'bucket') {
      if (le === undefined) throw new Error(`Bucket without le: ${line}`);
      buckets[le] = sample.value;
    } else if (suffix === 'sum') series.sum = sample.value;
    else if (suffix === 'count') series.count = sample.value;
    else if (quantile !== undefined) buckets[quantile] = sample.value;
    else throw new Error(`Not a ${current.type.toLowerCase()} sample: ${line}`);
  }
  return families;
}

/** The one value of an unlabelled gauge or counter. */
export function valueOf(families: Map<string, Family>, name: string): number | undefined {
  return families.get(name)?.metrics[0]?.value;
}
