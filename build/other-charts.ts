import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';
import type { SchemaNode, ValuesSchema } from './schema.ts';

/**
 * Values of other public Tempo charts (build/other-charts.yaml) and what each is called here: the
 * mapping tables of docs/migrating.md, the schema entries that let each through to the template
 * rule that refuses it by name, and that rule's list.
 */
export interface OtherCharts {
  charts: Record<string, { title: string }>;
  same: Record<string, string[]>;
  values: OtherChartValue[];
}

export interface OtherChartValue {
  /** The value's dotted path in the other chart's values. */
  from: string;
  charts: string[];
  /** This chart's values that take its place (none where nothing is needed). */
  use: string[];
  note?: string;
}

/** Reads the mapping and checks it against this chart's values: every `from` foreign, every `use` and `same` a value here. */
export function loadOtherCharts(file: string, schema: ValuesSchema): OtherCharts {
  const source = relative(file);
  const data = YAML.parse(readFileSync(file, 'utf8')) as OtherCharts;
  const ours = new Set(schema.entries().map((entry) => entry.path.join('.')));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const value of data.values) {
    if (seen.has(value.from)) problems.push(`${value.from} is listed twice`);
    seen.add(value.from);
    if (ours.has(value.from)) problems.push(`${value.from} is a value of this chart, not another's`);
    if (value.from.startsWith('global.')) problems.push(`${value.from}: global is shared with a parent chart and may hold anything`);
    for (const chart of value.charts) if (!(chart in data.charts)) problems.push(`${value.from} names the chart ${chart}, which charts does not list`);
    for (const use of value.use) if (!ours.has(use)) problems.push(`${value.from} is mapped to ${use}, which is not a value of this chart`);
  }
  for (const [chart, names] of Object.entries(data.same)) {
    if (!(chart in data.charts)) problems.push(`same names the chart ${chart}, which charts does not list`);
    for (const name of names) if (!ours.has(name)) problems.push(`same.${chart} lists ${name}, which is not a value of this chart`);
  }
  if (problems.length > 0) throw new BuildError(source, problems.join('; '));
  return data;
}

/** The ERROR the chart stops with when a values file sets one of the other charts' values. */
export function otherChartMessage(others: OtherCharts, value: OtherChartValue): string {
  const charts = value.charts.map((chart) => others.charts[chart]!.title.replace(/`/g, '').replace(/ \(.*\)$/, '')).join(' and ');
  const instead = value.use.length > 0 ? `here it is ${value.use.join(', ')}` : 'remove it';
  return `ERROR: ${value.from} is a value of the ${charts} chart, not of this one: ${instead}${value.note ? ` (${value.note})` : ''}. docs/migrating.md maps the others.`;
}

/**
 * The chart's schema with each other chart's value let through at its place, so that the template
 * rule, not the schema, answers it with the value to use. Under an object the chart owns, the value
 * becomes a property that takes anything; under a Kubernetes type (securityContext), the object also
 * passes when it holds that key.
 */
export function admitOtherChartValues<T extends SchemaNode>(root: T, others: OtherCharts, source: string): T {
  const result = structuredClone(root);
  for (const value of others.values) {
    const segments = value.from.split('.');
    const key = segments.pop()!;
    let parent: SchemaNode = result;
    for (const segment of segments) {
      const child = parent.properties?.[segment];
      if (!child) throw new BuildError(source, `${value.from}: ${segment} is not an object of this chart's values`);
      parent = child;
    }
    const description = `Not a value of this chart: refused, naming the value to use (${value.use.join(', ') || 'none'}).`;
    if (parent.properties && parent.additionalProperties === false) {
      parent.properties[key] = { description };
    } else if (Array.isArray(parent.allOf)) {
      const { allOf } = parent;
      delete parent.allOf;
      parent.anyOf = [{ allOf }, { required: [key] }];
    } else {
      throw new BuildError(source, `${value.from}: the object that would hold it is neither closed nor a Kubernetes type`);
    }
  }
  return result;
}

/** The Markdown mapping table of one other chart: its value, this chart's, and what to know. */
export function renderOtherChartTable(others: OtherCharts, chart: string): string {
  const rows = others.values
    .filter((value) => value.charts.includes(chart))
    .map((value) => `| \`${value.from}\` | ${value.use.map((use) => `\`${use}\``).join(', ') || '(none)'} | ${value.note ?? ''} |`);
  const same = others.same[chart] ?? [];
  return [
    '| There | Here | Note |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `Refused by name when a values file sets it. The same name and meaning here: ${same.map((name) => `\`${name}\``).join(', ')}.`,
  ].join('\n');
}
