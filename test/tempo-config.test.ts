import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { goDurationPattern } from '../build/tempo-schema.ts';
import { parseTempoConfig, validateTempoConfig } from './helpers/tempo-config.ts';

/**
 * The generated schema of Tempo's configuration file (build/generated/tempo-config.schema.json, every
 * supported series' keys) accepts what Tempo ships and refuses the mistakes that crash-loop it. That
 * each series' schema holds every key of its release is test/tempo-keys.test.ts's.
 */
const corpusDir = path.join(paths.root, 'test', 'fixtures', 'tempo-configs');
const corpus = readdirSync(corpusDir).filter((name) => name.endsWith('.yaml')).sort();

test('the corpus holds Tempo 2.5.0 configuration files', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(40);
});

/**
 * Files real Tempo 2.5.0 refuses itself, with what the schema says: the documented default dump
 * lists the span-metrics subprocessors that Tempo fills in before decoding, and its strict decoder
 * refuses them again ("key 0 already set in map", -config.verify on the real binary).
 */
const refusedByTempo: Record<string, string> = {
  'docs__sources__tempo__configuration__manifest.yaml': '/metrics_generator/processor/span_metrics/subprocessors: property name must be valid',
};

test.each(corpus)('accepts %s from Tempo 2.5.0, as the release itself does', (file) => {
  const problems = validateTempoConfig(parseTempoConfig(readFileSync(path.join(corpusDir, file), 'utf8')));
  if (file in refusedByTempo) expect(problems).toContain(refusedByTempo[file]);
  else expect(problems).toEqual([]);
});

const mistakes: Array<[string, Record<string, unknown>, string]> = [
  ['a misspelt top-level block', { servr: { http_listen_port: 3200 } }, '/: unknown key "servr"'],
  ['a typo two levels down', { ingester: { max_block_duraton: '5m' } }, '/ingester: unknown key "max_block_duraton"'],
  ['a typo four levels down', { storage: { trace: { s3: { bukcet: 'traces' } } } }, '/storage/trace/s3: unknown key "bukcet"'],
  ['a misspelt receiver protocol', { distributor: { receivers: { otlp: { protocols: { grcp: null } } } } }, '/distributor/receivers/otlp/protocols: unknown key "grcp"'],
  ['a receiver Tempo does not have', { distributor: { receivers: { skywalking: null } } }, '/distributor/receivers: unknown key "skywalking"'],
  ['an unknown OTLP setting', { distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317', max_msg_size: 4 } } } } } }, '/distributor/receivers/otlp/protocols/grpc: unknown key "max_msg_size"'],
  ['hedge_requests_at, removed from trace_by_id in 2.5.0', { query_frontend: { trace_by_id: { hedge_requests_at: '2s' } } }, '/query_frontend/trace_by_id: unknown key "hedge_requests_at"'],
  ['hedge_requests_up_to, removed from trace_by_id in 2.5.0', { query_frontend: { trace_by_id: { hedge_requests_up_to: 2 } } }, '/query_frontend/trace_by_id: unknown key "hedge_requests_up_to"'],
  ['a duration in words', { ingester: { max_block_duration: '5 minutes' } }, '/ingester/max_block_duration: must match pattern'],
  ['a day unit where Go durations are read', { compactor: { compaction: { block_retention: '14d' } } }, '/compactor/compaction/block_retention: must match pattern'],
  ['a string for a boolean', { usage_report: { reporting_enabled: 'no' } }, '/usage_report/reporting_enabled: must be boolean,null'],
  ['a string for a number', { ingester: { concurrent_flushes: 'four' } }, '/ingester/concurrent_flushes: must be integer,null'],
  ['a mapping for a scalar', { server: { http_listen_port: { port: 3200 } } }, '/server/http_listen_port: must be integer,null'],
  ['a scalar for a block', { storage: { trace: 'local' } }, '/storage/trace: must be object,null'],
  ['a backend Tempo does not have', { storage: { trace: { backend: 'minio' } } }, '/storage/trace/backend: must be equal to one of the allowed values'],
];

describe('refuses', () => {
  test.each(mistakes)('%s', (_name, config, expected) => {
    const problems = validateTempoConfig(config);
    expect(problems.some((problem) => problem.startsWith(expected)), problems.join('\n')).toBe(true);
  });
});

test('accepts the flat overrides layout Tempo 2.5 still reads, and the nested one', () => {
  expect(validateTempoConfig({ overrides: { max_traces_per_user: 50000, block_retention: '14d' } })).toEqual([]);
  expect(validateTempoConfig({ overrides: { defaults: { compaction: { block_retention: '14d' } } } })).toEqual([]);
  expect(validateTempoConfig({ overrides: { defaults: { compaction: { block_retention: '14 days' } } } })).toEqual([
    '/overrides/defaults/compaction/block_retention: must match pattern "^(0|([0-9]+(ms|s|m|h|d|w|y))+)$"',
  ]);
});

test('values.schema.json checks durations with the same pattern as the Tempo schema', () => {
  const values = JSON.parse(readFileSync(paths.valuesSchema, 'utf8'));
  expect(values.definitions.duration.pattern).toBe(goDurationPattern);
});
