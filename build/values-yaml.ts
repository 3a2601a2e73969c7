import YAML from 'yaml';
import type { ValuesSchema } from './schema.ts';
import { generatedNotice, wrap } from './text.ts';

const commentWidth = 98;

/**
 * chart/values.yaml: every default, each key preceded by its description, optional values commented
 * out with their first example, so the file is the chart's annotated reference.
 */
export function renderValuesYaml(schema: ValuesSchema): string {
  const defaults = schema.defaults();
  const entries = schema.entries();
  const lines: string[] = [
    `# ${generatedNotice('values.schema.json')}`,
    '# yaml-language-server: $schema=values.schema.json',
  ];
  for (const entry of entries) {
    const depth = entry.path.length - 1;
    const indent = '  '.repeat(depth);
    // A blank line separates siblings; the first key of a group follows its parent directly.
    if (!lines[lines.length - 1]!.endsWith(':')) lines.push('');
    for (const line of wrap(entry.schema.description ?? '', commentWidth - indent.length - 2)) {
      lines.push(`${indent}# ${line}`);
    }
    const key = entry.path[entry.path.length - 1]!;
    if (entry.isGroup) {
      lines.push(`${indent}${key}:`);
    } else {
      const value = entry.isOptional ? entry.schema.examples![0] : lookup(defaults, entry.path);
      const rendered = renderPair(key, value).map((line) => `${indent}${line}`);
      lines.push(...(entry.isOptional ? rendered.map((line) => `# ${line}`) : rendered));
    }
  }
  return `${lines.join('\n')}\n`;
}

function renderPair(key: string, value: unknown): string[] {
  return YAML.stringify({ [key]: value }, { lineWidth: 0 }).trimEnd().split('\n');
}

export function lookup(values: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = values;
  for (const key of path) current = (current as Record<string, unknown> | undefined)?.[key];
  return current;
}
