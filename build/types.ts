import { pointerOf, type SchemaNode, type ValuesSchema } from './schema.ts';
import { generatedNotice } from './text.ts';

/**
 * build/generated/values.ts: the TypeScript shape of the chart's values, so the build and the tests
 * cannot name a value the schema does not have.
 */
export function renderValuesTypes(schema: ValuesSchema): string {
  const body = typeOf(schema, schema.root, [], 0);
  return [
    `// ${generatedNotice('values.schema.json')}`,
    '',
    '/** The chart values, as values.schema.json defines them. */',
    `export interface Values ${body}`,
    '',
    '/** Values a values file may set: any subset of Values. */',
    'export type ValuesOverride = DeepPartial<Values>;',
    '',
    'export type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;',
    '',
  ].join('\n');
}

function typeOf(schema: ValuesSchema, node: SchemaNode, path: string[], depth: number): string {
  const resolved = schema.resolve(node, pointerOf(path));
  if (resolved.enum) return resolved.enum.map((member) => JSON.stringify(member)).join(' | ');
  if (resolved.properties) {
    const indent = '  '.repeat(depth + 1);
    const members = Object.entries(resolved.properties).map(([key, child]) => {
      const childSchema = schema.resolve(child, pointerOf([...path, key]));
      const isRequired = resolved.required?.includes(key) ?? false;
      const optional = !isRequired && childSchema.properties === undefined && !('default' in childSchema) ? '?' : '';
      const doc = childSchema.description ? `${indent}/** ${childSchema.description.replaceAll('*/', '*\\/')} */\n` : '';
      return `${doc}${indent}${JSON.stringify(key)}${optional}: ${typeOf(schema, child, [...path, key], depth + 1)};`;
    });
    // An object that is not closed (a Kubernetes EnvVar, say) takes more keys than the schema names.
    if (resolved.additionalProperties !== false) members.push(`${indent}[key: string]: unknown;`);
    return `{\n${members.join('\n')}\n${'  '.repeat(depth)}}`;
  }
  const types = Array.isArray(resolved.type) ? resolved.type : [resolved.type ?? 'unknown'];
  return types
    .map((type) => {
      switch (type) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'array':
          return `Array<${resolved.items ? typeOf(schema, resolved.items, [...path, '[]'], depth) : 'unknown'}>`;
        case 'object': {
          const extra = resolved.additionalProperties;
          const valueType = typeof extra === 'object' ? typeOf(schema, extra, [...path, '*'], depth) : 'unknown';
          return `Record<string, ${valueType}>`;
        }
        default:
          return 'unknown';
      }
    })
    .join(' | ');
}
