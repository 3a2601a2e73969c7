import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BuildError } from './errors.ts';
import { paths, relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';

/**
 * Strict JSON Schemas of Kubernetes types, from the API's own OpenAPI v2 document
 * (build/kubernetes-openapi/). Strict as the API server's strict field validation is: every object
 * that declares its fields is closed. The build uses them for values that take Kubernetes objects;
 * the tests use the same conversion to validate whole manifests.
 */

export const kubeVersions = ['1.28', '1.32', '1.35'] as const;
export type KubeVersion = (typeof kubeVersions)[number];

/** The version whose types the values schema uses: the newest, so no field a cluster serves is refused. */
export const valuesKubeVersion: KubeVersion = '1.35';

/** The API server's quantity syntax (resource.ParseQuantity). */
export const quantityPattern = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$';

const quantityName = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

type OpenApiNode = Record<string, any>;

export function openApiFile(version: KubeVersion): string {
  return path.join(paths.kubernetesOpenApi, `v${version}.swagger.json.gz`);
}

/** Every definition of one Kubernetes version's OpenAPI document, as published. */
export function readOpenApi(version: KubeVersion): Record<string, OpenApiNode> {
  const file = openApiFile(version);
  try {
    return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')).definitions;
  } catch (error) {
    throw new BuildError(relative(file), `cannot be read: ${(error as Error).message}`);
  }
}

/**
 * One definition made strict and readable by JSON Schema validators. `refBase` goes before every
 * "#/definitions/..." reference, for schemas that live under another id.
 */
export function strictSchema(name: string, node: OpenApiNode, refBase = ''): SchemaNode {
  // Quantities are written as strings ("100m") or numbers (2); both reach the API server.
  if (name === quantityName) return { type: ['string', 'number'], pattern: quantityPattern };
  return convert(node, refBase);
}

function convert(node: OpenApiNode, refBase: string): SchemaNode {
  if (node.$ref) return { $ref: `${refBase}${node.$ref}` };
  if (node.format === 'int-or-string') return { type: ['integer', 'string'] };
  const result: SchemaNode = {};
  if (node.type) result.type = node.type;
  if (node.enum) result.enum = node.enum;
  if (node.required) result.required = node.required;
  if (node.items) result.items = convert(node.items, refBase);
  if (node.properties) {
    result.properties = Object.fromEntries(Object.entries<OpenApiNode>(node.properties).map(([key, child]) => [key, convert(child, refBase)]));
    result.additionalProperties = false;
  } else if (typeof node.additionalProperties === 'object') {
    result.additionalProperties = convert(node.additionalProperties, refBase);
  }
  return result;
}

/**
 * The strict definitions the given schema refers to as #/definitions/io.k8s..., with every definition
 * they refer to in turn, from the values' Kubernetes version.
 */
export function referencedKubernetesDefinitions(schema: unknown, version = valuesKubeVersion): Record<string, SchemaNode> {
  const openApi = readOpenApi(version);
  const found: Record<string, SchemaNode> = {};
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const ref = (node as { $ref?: unknown }).$ref;
    const match = typeof ref === 'string' ? /^#\/definitions\/(io\.k8s\..+)$/.exec(ref) : null;
    if (match && !(match[1]! in found)) {
      const name = match[1]!;
      const definition = openApi[name];
      if (!definition) throw new BuildError(relative(openApiFile(version)), `has no definition ${name}`);
      found[name] = strictSchema(name, definition);
      visit(found[name]);
    }
    Object.values(node).forEach(visit);
  };
  visit(schema);
  return found;
}
