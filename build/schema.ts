import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { BuildError } from './errors.ts';

/** The subset of JSON Schema draft-07 this project writes in values.schema.json. */
export interface SchemaNode {
  $schema?: string;
  $ref?: string;
  $comment?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  [keyword: string]: unknown;
}

/** One documented value: its dotted path, its effective schema and whether it has a default. */
export interface ValueEntry {
  path: string[];
  schema: SchemaNode;
  /** True for an object the chart owns, whose keys are values of their own. */
  isGroup: boolean;
  /** True for a knob without a default, documented through its examples. */
  isOptional: boolean;
}

const draft07 = 'http://json-schema.org/draft-07/schema#';

export class ValuesSchema {
  constructor(
    readonly file: string,
    readonly root: SchemaNode,
  ) {}

  static load(file: string): ValuesSchema {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new BuildError(file, `is not valid JSON: ${(error as Error).message}`);
    }
    const schema = new ValuesSchema(file, parsed as SchemaNode);
    schema.check();
    return schema;
  }

  /** A node with its local $ref followed; keywords beside the $ref (description, default) win. */
  resolve(node: SchemaNode, pointer: string): SchemaNode {
    if (node.$ref === undefined) return node;
    const match = /^#\/definitions\/([^/]+)$/.exec(node.$ref);
    const target = match ? this.root.definitions?.[match[1]!] : undefined;
    if (!target) throw new BuildError(this.file, `${pointer} refers to ${node.$ref}, which is not in #/definitions`);
    const { $ref: _ref, ...siblings } = node;
    return { ...this.resolve(target, `#/definitions/${match![1]}`), ...siblings };
  }

  /** Every value, parents before children, in the order the schema declares them. */
  entries(): ValueEntry[] {
    const found: ValueEntry[] = [];
    const visit = (node: SchemaNode, path: string[]) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        const schema = this.resolve(child, pointerOf([...path, key]));
        const isGroup = schema.properties !== undefined;
        found.push({ path: [...path, key], schema, isGroup, isOptional: !isGroup && !('default' in schema) });
        if (isGroup) visit(schema, [...path, key]);
      }
    };
    visit(this.root, []);
    return found;
  }

  /** The chart's default values, derived from the schema's defaults. */
  defaults(): Record<string, unknown> {
    const derive = (node: SchemaNode, path: string[]): Record<string, unknown> => {
      const result: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        const schema = this.resolve(child, pointerOf([...path, key]));
        if (schema.properties !== undefined) result[key] = derive(schema, [...path, key]);
        else if ('default' in schema) result[key] = structuredClone(schema.default);
      }
      return result;
    };
    return derive(this.root, []);
  }

  /**
   * Refuses a schema the rest of the build cannot trust: a value without a description, a value that
   * needs a default and has none, a chart-owned object left open, or defaults the schema rejects.
   */
  private check(): void {
    if (this.root.$schema !== draft07) {
      throw new BuildError(this.file, `must declare "$schema": "${draft07}" (Helm assumes draft 2020-12 otherwise)`);
    }
    if (this.root.additionalProperties !== false || !this.root.properties?.global) {
      throw new BuildError(this.file, 'the root must be closed (additionalProperties: false) and declare global');
    }
    const problems: string[] = [];
    for (const entry of this.entries()) {
      const pointer = pointerOf(entry.path);
      const name = entry.path.join('.');
      if (!entry.schema.description) problems.push(`${pointer} (${name}) has no description`);
      if (entry.isGroup && entry.schema.additionalProperties !== false) {
        problems.push(`${pointer} (${name}) has properties but is not closed: add "additionalProperties": false`);
      }
      if (entry.isOptional && !Array.isArray(entry.schema.examples)) {
        problems.push(
          `${pointer} (${name}) has no default: add one, or add "examples" to document it as an optional value`,
        );
      }
    }
    if (problems.length > 0) throw new BuildError(this.file, problems.join('; '));

    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(this.root);
    if (!validate(this.defaults())) {
      const details = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
      throw new BuildError(this.file, `its defaults do not satisfy it: ${details.join('; ')}`);
    }
  }
}

export function pointerOf(path: string[]): string {
  return `#/${path.map((key) => `properties/${key}`).join('/')}`;
}

/** Short type name for documentation: string, integer, boolean, object, list of object, ... */
export function typeName(schema: SchemaNode): string {
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  if (type === 'array') return `list of ${schema.items?.type ?? 'any'}`;
  return type;
}
