/**
 * The result rows every benchmark script produces and the one table `bench/run.ts` prints:
 * absolute value (min/median/max over the runs), the baseline measured in the same run, the
 * ratio to it and the target.
 * @module
 */
import { median } from "./_util.ts";

/** A ratio target: `value / baseline` must be `<=` or `>=` `ratio`. */
export interface Target {
  op: "<=" | ">=";
  ratio: number;
}

/** One measured figure. */
export interface Row {
  /** Figure number and name, e.g. `2 idle memory`. */
  figure: string;
  /** What was measured, e.g. `node: gateway bundle`. */
  name: string;
  unit: string;
  /** One value per run. */
  values: number[];
  /** The baseline measured in the same runs (same count: ratios are taken run by run). */
  baseline?: { name: string; values: number[] };
  target?: Target;
  note?: string;
}

/** What one script reports. */
export interface Report {
  rows: Row[];
  /** Figure -> how it was measured, in a sentence or two. */
  methods: Record<string, string>;
}

/** Min, median and max. */
export interface Stat {
  min: number;
  median: number;
  max: number;
}

/** Min, median and max of `values`. */
export function stat(values: readonly number[]): Stat {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** Ratios run by run (value / baseline), or the ratio of medians when counts differ. */
export function ratios(row: Row): number[] {
  const b = row.baseline;
  if (!b) return [];
  if (b.values.length === row.values.length) return row.values.map((v, i) => v / b.values[i]!);
  return [median(row.values) / median(b.values)];
}

/** `met`, `MISSED` or empty when the row has no target. */
export function verdict(row: Row): string {
  if (!row.target || !row.baseline) return "";
  const r = median(ratios(row));
  const ok = row.target.op === "<=" ? r <= row.target.ratio : r >= row.target.ratio;
  return ok ? "met" : "MISSED";
}

/** Formats a number with sensible precision. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString("en-US");
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** The Markdown table of `rows`. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    "| figure | measured | unit | min | median | max | baseline (median) | ratio median (min–max) | target | |",
    "|---|---|---|---:|---:|---:|---|---:|---|---|",
  ];
  for (const row of rows) {
    const s = stat(row.values);
    const rs = ratios(row);
    const r = rs.length ? stat(rs) : undefined;
    lines.push(
      `| ${row.figure} | ${row.name}${row.note ? ` (${row.note})` : ""} | ${row.unit} | ${
        fmt(s.min)
      } | ${fmt(s.median)} | ${fmt(s.max)} | ${
        row.baseline ? `${row.baseline.name}: ${fmt(median(row.baseline.values))}` : ""
      } | ${r ? `${r.median.toFixed(2)}x (${r.min.toFixed(2)}–${r.max.toFixed(2)})` : ""} | ${
        row.target ? `${row.target.op} ${row.target.ratio}x` : ""
      } | ${verdict(row)} |`,
    );
  }
  return lines.join("\n");
}

/** Prints `report` as a table plus its methods (for scripts run alone). */
export function printReport(title: string, report: Report): void {
  console.log(`\n## ${title}\n`);
  console.log(markdownTable(report.rows));
  for (const [figure, method] of Object.entries(report.methods)) {
    console.log(`\n- ${figure}: ${method}`);
  }
}

/** Prints the report as JSON (`--json`, read by `bench/run.ts`) or as a table. */
export function emit(title: string, report: Report, argv: readonly string[]): void {
  if (argv.includes("--json")) console.log(`\n@@REPORT@@${JSON.stringify(report)}`);
  else printReport(title, report);
}
