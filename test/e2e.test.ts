import path from 'node:path';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { runRendered } from '../tools/e2e.ts';
import { helmRelease, render } from './helpers/helm.ts';
import { paths } from '../build/paths.ts';
import { runsWith, scratchFolders } from './helpers/servers.ts';
import { runsWithTempo } from './helpers/tempo.ts';
import { helmMerge, setValues, valuesSets, valuesSetsDir } from './helpers/values-sets.ts';

/**
 * npm run e2e as a user runs it: Helm's -f and --set, a JSON summary as the last line, and an exit code
 * that says whether every step held. What it proves on each values set, test/values-sets-on-tempo.test.ts
 * proves through the same runner.
 */
async function e2e(args: string[]) {
  const result = await execa('npx', ['tsx', path.join(paths.root, 'tools', 'e2e.ts'), ...args], { cwd: paths.root, reject: false, timeout: 280_000 });
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  // Without its summary, what it printed on the way is all there is to say why.
  if (!lastLine.startsWith('{')) throw new Error(`npm run e2e printed no summary (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}); its stderr ends:\n${result.stderr.split('\n').slice(-40).join('\n')}`);
  return { exitCode: result.exitCode, summary: JSON.parse(lastLine), stderr: result.stderr };
}

describe.runIf(runsWithTempo('3.0.3') && runsWith('nginx')).concurrent('npm run e2e', () => {
  test('runs a release from values files and --set: Tempo 3.0 on S3 behind the gateway takes a trace and answers for it', async () => {
    const { exitCode, summary } = await e2e(['-f', path.join(valuesSetsDir, 'tempo-3-0.yaml'), '--set', 'storage.backend=s3', '--set', 'storage.s3.bucket=e2e-traces', '--set', 'storage.s3.accessKey=e2e', '--set', 'storage.s3.secretKey=e2e-secret', '-f', path.join(valuesSetsDir, 'gateway.yaml')]);
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ ok: true, tempo: '3.0.3', storage: 's3', gateway: true, blockInStore: true });
    expect(summary.traces.every((trace: { byId: boolean; bySearch: boolean }) => trace.byId && trace.bySearch)).toBe(true);
    expect(exitCode).toBe(0);
  }, 300_000);

  test('runs each replica of a StatefulSet as a pod of its own: what the first takes, the last answers for, from the shared bucket', async () => {
    const { exitCode, summary } = await e2e(['-f', path.join(valuesSetsDir, 'scaled-out-s3.yaml')]);
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ ok: true, tempo: '2.5.0', workload: 'StatefulSet/tempo', pods: 3, storage: 's3', blockInStore: true });
    expect(exitCode).toBe(0);
  }, 300_000);

  test('fails, saying why, on what it does not run yet', async () => {
    const { exitCode, summary } = await e2e(['--set', 'tempo.receivers.tls.existingSecret=my-certificates']);
    expect(exitCode).toBe(1);
    expect(summary.ok).toBe(false);
    expect(summary.problems).toEqual(["not run: its receivers' certificates are a Secret of the user's"]);
  }, 120_000);

  test('fails on an argument Helm would not take here, naming it', async () => {
    const { exitCode, summary } = await e2e(['--values-file', 'x.yaml']);
    expect(exitCode).toBe(1);
    expect(summary.problems).toEqual(['npm run e2e takes -f FILE and --set KEY=VALUE (as Helm does), --failures, --helm-test and --soak DURATION, not --values-file']);
  }, 60_000);

  test('fails on values Helm refuses, with its message', async () => {
    const { exitCode, summary } = await e2e(['--set', 'replicas=three']);
    expect(exitCode).toBe(1);
    expect(summary.problems.join('\n')).toMatch(/replicas/);
  }, 120_000);
});

/**
 * Every values set of architecture distributed, as npm run e2e runs it with --failures: each replica of
 * each component a real Tempo 3.0.3 process, through the Kafka test broker and s3rver. One set at a
 * time: a set runs eight to twelve processes of about 100 MB each. The set in one zone runs in
 * the move between architectures below, through the same runner, on a bucket a monolithic pod wrote first.
 */
const distributedSets = valuesSets().filter((set) => setValues(set).architecture === 'distributed' && set.name !== 'distributed');

test('the distributed values sets are one zone, two zones, and the gateway with the metrics-generator', () => {
  expect(valuesSets().filter((set) => setValues(set).architecture === 'distributed').map((set) => set.name).sort()).toEqual(['distributed', 'distributed-gateway-generator', 'distributed-zones']);
});

/**
 * Moving between architectures on real Tempo 3.0.3 (docs/distributed.md, "Moving between
 * architectures"): the bucket is what carries over. A monolithic pod on S3 takes traces and writes them
 * into blocks; the same release made distributed (the one-zone values set), on the same bucket,
 * answers for them by ID through its query-frontend and takes traces of its own, which its
 * block-builders write; the release made monolithic again answers for those. Each step is the chart's
 * rendering, run by npm run e2e's runner. In this file, before the other distributed runs, so that the
 * longest runs of the suite start first.
 */
describe.runIf(runsWithTempo('3.0.3') && runsWith('nginx'))('moving a Tempo 3.0 release between architectures', () => {
  const scratch = scratchFolders();
  afterAll(scratch.removeAll);
  const valuesOf = (file: string) => YAML.parse(readFileSync(path.join(valuesSetsDir, file), 'utf8'));
  // One bucket for every step, as a release keeps its bucket across an upgrade.
  const distributed = valuesOf('distributed.yaml');
  const monolithic = helmMerge(valuesOf('tempo-3-0.yaml'), { storage: distributed.storage });

  test('keeps every trace that reached the bucket: monolithic, then distributed, then monolithic again', async () => {
    const bucketFolder = scratch.make('move-bucket-');
    // Search is proven by the other runs; here what counts is what each step finds of the one before.
    const step = async (values: Record<string, any>, readBack?: string[]) => runRendered(await render(helmRelease('helm4'), { values }), { values, makeFolder: scratch.make, bucketFolder, readBack, search: false });
    const first = await step(monolithic);
    expect(first.problems).toEqual([]);
    expect(first.workload).toBe('StatefulSet/tempo');
    const second = await step(distributed, first.traces.map((trace) => trace.traceId));
    expect(second.problems).toEqual([]);
    expect(second.readBack?.every((trace) => trace.byId)).toBe(true);
    const third = await step(monolithic, second.traces.map((trace) => trace.traceId));
    expect(third.problems).toEqual([]);
    expect(third.readBack?.every((trace) => trace.byId)).toBe(true);
  }, 420_000);
});

describe.runIf(runsWithTempo('3.0.3') && runsWith('nginx')).sequential.each(distributedSets)('npm run e2e on values set $name', (set) => {
  test('runs every component as processes of its own: traces go in through the distributors and Kafka, come back through the query-frontend, reach a block in the bucket, pass the helm test, and survive the failure scenarios', async () => {
    const values = setValues(set);
    const { exitCode, summary } = await e2e([...set.files.flatMap((file) => ['-f', file]), '--failures', '--helm-test']);
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ ok: true, tempo: '3.0.3', storage: 's3', gateway: Boolean(values.gateway?.enabled), blockInStore: true });
    for (const target of ['distributor', 'live-store', 'block-builder', 'querier', 'query-frontend', 'backend-scheduler', 'backend-worker']) expect(summary.workload).toContain(`-${target}`);
    expect(summary.traces.length).toBeGreaterThan(0);
    expect(summary.traces.every((trace: { byId: boolean; bySearch: boolean }) => trace.byId && trace.bySearch)).toBe(true);
    // The release's own helm test, started with the release, waits out the writes refused until the partitions are active.
    expect(summary.helmTest).toMatchObject({ ok: true });
    expect(summary.helmTest.output).toContain('was written, read back and found');
    // A live-store killed and started again on its volume, then on an empty one; with zones, a zone down
    // while the block-builders are killed, else the block-builders alone.
    const scenarios = summary.failures.map((failure: { scenario: string }) => failure.scenario);
    expect(scenarios).toEqual([
      'a live-store killed and started again on its volume loses nothing acknowledged',
      'a live-store killed and started again on an empty volume loses nothing acknowledged',
      values.components?.liveStore?.zones?.length >= 2
        ? 'with one zone of live-stores down, reads go on; block-builders killed meanwhile still get every span into a block'
        : 'block-builders killed and started again still get every span into a block',
    ]);
    expect(summary.failures.every((failure: { ok: boolean }) => failure.ok)).toBe(true);
    // The metric TempoKafkaLagHigh reads, on every Kafka consumer the alert rules watch.
    for (const consumer of ['block-builder', ...Object.keys(summary.metrics).filter((component) => component.startsWith('live-store'))]) expect(summary.metrics[consumer], consumer).toContain('tempo_ingest_group_partition_lag_seconds');
    expect(exitCode).toBe(0);
  }, 300_000);
});
