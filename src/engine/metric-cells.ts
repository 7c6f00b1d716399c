// Counters and histograms for the invocation path. prom-client's label children hash and validate
// their labels on every call; these keep one plain "cell" of numbers per label set, which the hot path
// adds to directly (no lookup, no allocation), and which prom-client's registry reads only at scrape
// time through the metric interface it accepts (`name`, `help`, `type`, `get()`).

import type { Registry } from "prom-client";

type Labels = Record<string, string>;

/** What the registry reads from a metric at scrape time. */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}
interface Snapshot {
  name: string;
  help: string;
  type: string;
  values: Sample[];
  aggregator: "sum";
}

export interface CounterCell {
  value: number;
}

export interface HistogramCell {
  /** Observations at or below each bound (not cumulative; summed at scrape). */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

abstract class CellMetric<C> {
  protected readonly cells = new Map<string, { labels: Labels; cell: C }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    // The registry formats anything with name, help, type and get(); prom-client's types name its
    // own classes only.
    registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  protected abstract newCell(): C;

  /** The cell of a label set, created on first use (call once per series, not per observation). */
  cell(labels: Labels): C {
    const key = JSON.stringify(labels);
    let entry = this.cells.get(key);
    if (entry === undefined) {
      entry = { labels, cell: this.newCell() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  /** Drops every series whose labels match `match`. */
  remove(match: (labels: Labels) => boolean): void {
    for (const [key, entry] of this.cells) if (match(entry.labels)) this.cells.delete(key);
  }
}

export class CellCounter extends CellMetric<CounterCell> {
  readonly type = "counter";

  protected newCell(): CounterCell {
    return { value: 0 };
  }

  get(): Snapshot {
    const values = [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: "sum" };
  }
}

export class CellHistogram extends CellMetric<HistogramCell> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    registry: Registry,
    /** Upper bounds, ascending. */
    private readonly bounds: readonly number[],
  ) {
    super(name, help, registry);
  }

  protected newCell(): HistogramCell {
    return { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  observe(cell: HistogramCell, value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    cell.counts[i] = (cell.counts[i] ?? 0) + 1;
    cell.sum += value;
    cell.count++;
  }

  get(): Snapshot {
    const values: Sample[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += cell.counts[i] ?? 0;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...labels, le: "+Inf" },
        value: cell.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: "sum" };
  }
}
