import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { seriesConfigSchemaFile } from '../build/chart.ts';
import type { SchemaNode } from '../build/schema.ts';
import { helmReleases, renderError } from './helpers/helm.ts';
import { chartSeries } from './helpers/invariants.ts';

/**
 * The chart checks tempo.structuredConfig and the overrides against the running series' configuration
 * schema in its templates (tempo.schema.tempoConfig), because Helm's own schema validation of a tree
 * that size costs every command more than the rest of the chart. The check must refuse exactly what
 * the schema refuses. Here a standard validator (Ajv) is the judge: for each series, a configuration
 * that breaks every node of the schema at once (a wrong type, an unlisted value, a duration in
 * words, an unknown key beside every block's keys, a key Tempo fills itself) is refused by the chart
 * at exactly the places Ajv names, on both Helm versions.
 */

type Json = Record<string, unknown>;
type Place = 'structuredConfig' | 'overrides';

function resolve(node: SchemaNode, definitions: Record<string, SchemaNode>): SchemaNode {
  return node.$ref ? definitions[node.$ref.replace('#/definitions/', '')]! : node;
}

function typesOf(node: SchemaNode): string[] {
  return node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
}

/** A value that breaks the schema node, and every node below it. */
function breaking(raw: SchemaNode, definitions: Record<string, SchemaNode>): unknown {
  const node = resolve(raw, definitions);
  const types = typesOf(node);
  if (node.enum) return 'zz-not-listed';
  if (node.pattern) return '1 hour';
  if (types.includes('object') && node.properties) {
    const value: Json = { zz_unknown_key: 1 };
    for (const [key, child] of Object.entries(node.properties)) {
      const wrong = breaking(child, definitions);
      if (wrong !== undefined) value[key] = wrong;
    }
    return value;
  }
  if (types.includes('object') && typeof node.additionalProperties === 'object') {
    const wrong = breaking(node.additionalProperties, definitions);
    const value: Json = wrong === undefined ? {} : { zz_key: wrong };
    const reserved = (node.propertyNames as { not?: { enum?: string[] } } | undefined)?.not?.enum;
    // A key Tempo fills itself, with a value the map would take.
    if (reserved) value[reserved[0]!] = {};
    return Object.keys(value).length > 0 ? value : undefined;
  }
  if (types.includes('array') && node.items) return [breaking(node.items as SchemaNode, definitions)];
  // A value of a type the node does not take (a fraction where it takes whole numbers); none where it takes any.
  const candidates: Array<[string, unknown]> = [['number', 1.5], ['string', 'zz-text'], ['object', { zz: 1 }], ['array', ['zz']], ['boolean', true]];
  return types.length === 0 ? undefined : candidates.find(([type]) => !types.includes(type))?.[1];
}

/** The places Ajv refuses, as dotted paths (list elements as [i]), each the highest place of its problem. */
function ajvPlaces(schema: SchemaNode, value: unknown): string[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  validate(value);
  const places = (validate.errors ?? []).map((error) => {
    const segments = error.instancePath.split('/').slice(1).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
    // A list's element as [i]; a map's key, digits or not, after a dot.
    let container: unknown = value;
    let at = '';
    for (const part of segments) {
      at = Array.isArray(container) ? `${at}[${part}]` : at ? `${at}.${part}` : part;
      container = (container as Record<string, unknown>)?.[part];
    }
    // An unknown key, or a refused key name (Ajv reports it at the map; the subschema's own error carries the name).
    const key = error.keyword === 'additionalProperties' ? error.params.additionalProperty : error.keyword === 'propertyNames' ? error.params.propertyName : (error as { propertyName?: string }).propertyName;
    return key === undefined ? at : at ? `${at}.${key}` : String(key);
  });
  const unique = [...new Set(places)];
  // Below a place refused, Ajv goes on (the value of a key Tempo fills itself): the chart stops there.
  return unique.filter((place) => !unique.some((other) => other !== place && (place.startsWith(`${other}.`) || place.startsWith(`${other}[`)))).sort();
}

/** The places the chart's messages name under a value. */
function chartPlaces(stderr: string, valueName: string): string[] {
  const pattern = new RegExp(`^(?:Error: .*?)?ERROR: ${valueName.replaceAll('.', '\\.')}\\.(\\S+?)(?::| is )`);
  return [...new Set(stderr.split('\n').flatMap((line) => pattern.exec(line)?.[1] ?? []))].sort();
}

describe.each(chartSeries().map((series) => ({ name: series.name, release: series.release })))('Tempo $name: the chart refuses what its configuration schema refuses', ({ name, release }) => {
  const document = JSON.parse(readFileSync(seriesConfigSchemaFile(name), 'utf8')) as SchemaNode;
  const definitions = (document.definitions ?? {}) as Record<string, SchemaNode>;
  const overridesNode = resolve(document.properties!.overrides!, definitions).properties!.defaults!;
  const cases: Array<{ place: Place; schema: SchemaNode; valueName: string }> = [
    { place: 'structuredConfig', schema: document, valueName: 'tempo.structuredConfig' },
    { place: 'overrides', schema: { ...resolve(overridesNode, definitions), definitions }, valueName: 'tempo.overrides.perTenant.team-a' },
  ];

  test.each(cases.flatMap((entry) => helmReleases.map((helm) => ({ ...entry, helm, label: `${entry.place}, ${helm.label}` }))))('$label', async ({ place, schema, valueName, helm }) => {
    const value = breaking(schema, definitions) as Json;
    const expected = ajvPlaces(schema, value);
    expect(expected.length).toBeGreaterThan(place === 'overrides' ? 40 : 400);
    const tempo = place === 'structuredConfig' ? { structuredConfig: value } : { overrides: { perTenant: { 'team-a': value } } };
    const stderr = await renderError(helm, { values: { image: { tag: release } }, invalidValues: { tempo } });
    expect(chartPlaces(stderr, valueName)).toEqual(expected);
  });
});

describe.each(helmReleases)('the order of refusals ($label)', (helm) => {
  test('a value of the wrong type stops the release alone: the rules read the values as well-typed', async () => {
    const stderr = await renderError(helm, { values: { image: { tag: '3.0.3' }, replicas: 3 }, invalidValues: { tempo: { structuredConfig: { live_store: { max_trace_idle: { seconds: 20 } } } } } });
    expect(stderr).toContain('ERROR: tempo.structuredConfig.live_store.max_trace_idle is a mapping, but Tempo 3.0 reads text or a whole number there');
    expect(stderr).not.toContain('ERROR: replicas is 3');
  });

  test('a key or value the series lacks is refused with what the rules find, and a null removes a key', async () => {
    const stderr = await renderError(helm, { values: { image: { tag: '3.0.3' }, replicas: 3 }, invalidValues: { tempo: { structuredConfig: { compactor: { compaction: { compaction_window: '2h' } }, ingester: null } } } });
    expect(stderr).toContain('ERROR: tempo.structuredConfig.compactor: Tempo 3.0 has no compactor');
    expect(stderr).toContain('ERROR: replicas is 3');
    expect(stderr).not.toContain('tempo.structuredConfig.ingester');
  });
});
