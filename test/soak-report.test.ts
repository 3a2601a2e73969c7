import { describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import {
  distributedSoakShortfalls, lastDefaultSoaks, lastDistributedSoaks, lastSoaks, readDistributedSoaks, readSoaks, renderDistributedSoakTable, renderSoakTable, soakShortfalls, soaksReport,
  type DistributedSoakRecord, type SoakRecord,
} from '../build/soaks.ts';
import { loadTempoSeries } from '../build/tempo-versions.ts';
import { distributedRenderingDigest } from '../tools/distributed-soak.ts';
import { helmBinary, helmReleases } from '../tools/helm.ts';
import { renderingDigest } from '../tools/soak.ts';
import path from 'node:path';
import { helmRelease, render } from './helpers/helm.ts';

/**
 * npm run soak appends each saturation soak to build/sizing/soaks.json. The benchmark reports the last
 * soak of each rendering, the sizing page's table is generated from them, and each series' default
 * rendering must have held its last soak: a change to what the default pod runs needs a new soak.
 */
const held = (release: string, date: string, peakWorkingSetMiB: number, set: string[] = []): SoakRecord => ({
  date, machine: '2 cores, 24 GiB', release, set, for: '420s', alive: true, oomKills: 0,
  readySamples: { ok: 28, of: 28 }, found: { found: 40, of: 40 }, peakMemoryMiB: 256, peakWorkingSetMiB, peakRssMiB: peakWorkingSetMiB - 10, memoryLimitMiB: 256, acceptedSpansPerSecond: 2400,
});

describe('the bar a soak must clear', () => {
  test('a pod that stayed alive and ready, lost nothing and kept its working set within 90 % of its limit held', () => {
    expect(soakShortfalls(held('2.5.0', '2026-12-02', 230))).toEqual([]);
  });

  test.each([
    ['an OOM kill', { alive: false, oomKills: 1 }, ['not alive at the end', '1 OOM kill(s)']],
    ['a /ready sample that did not answer', { readySamples: { ok: 27, of: 28 } }, ['/ready answered 27 of 28 samples']],
    ['an acknowledged trace not found', { found: { found: 39, of: 40 } }, ['39 of 40 sampled acknowledged traces found']],
    ['no trace sampled at all', { found: { found: 0, of: 0 } }, ['0 of 0 sampled acknowledged traces found']],
    ['a working set over 90 %', { peakWorkingSetMiB: 231 }, ['working set peaked at 231 of 256 MiB, over 90 %']],
    ['a soak from before the working set was sampled', { peakWorkingSetMiB: undefined }, ['no working-set figure (soaked before it was sampled)']],
  ] as const)('%s falls short', (_name, change, shortfalls) => {
    expect(soakShortfalls({ ...held('2.5.0', '2026-12-02', 200), ...change })).toEqual(shortfalls);
  });
});

test('the benchmark and the sizing page show the last soak of each rendering, oldest release first', () => {
  const records = [held('3.0.3', '2026-12-01', 250), held('2.10.8', '2026-12-01', 200), held('3.0.3', '2026-12-02', 230), held('3.0.3', '2026-12-02', 100, ['sizing.preset=small'])];
  const lines = soaksReport(lastSoaks(records));
  expect(lines).toHaveLength(3);
  expect(lines[0]).toContain('Tempo 2.10.8 (defaults) (2026-12-01, 420s): held; /ready 28/28, found 40/40, working set 200 of 256 MiB (78 %)');
  expect(lines[1]).toContain('Tempo 3.0.3 (defaults) (2026-12-02, 420s): held');
  expect(lines[2]).toContain('Tempo 3.0.3 with sizing.preset=small');
  const table = renderSoakTable(records).split('\n');
  // Soaks of other values are exploration: only the defaults are shown.
  expect(table).toHaveLength(4);
  expect(table[2]).toBe('| 2.10.8 | 2026-12-01, 2 cores, 24 GiB, 7-minute | held | 2,400 | 200 of 256 MiB (78 %) | 40/40 |');
});

describe('each series\' default pod held its last soak, as the chart renders it today', () => {
  const helm = helmBinary(helmReleases.find((release) => release.label === 'helm4')!);
  const soaks = lastDefaultSoaks(readSoaks());
  test.each(loadTempoSeries(path.join(paths.tempoConfigSources, 'versions.yaml')).map((series) => series.release))('Tempo %s', (release) => {
    const soak = soaks.find((record) => record.release === release);
    expect(soak, `no soak of Tempo ${release}'s defaults in build/sizing/soaks.json: npm run soak -- --release ${release}`).toBeDefined();
    expect(soakShortfalls(soak!), `the last soak of Tempo ${release}'s defaults`).toEqual([]);
    expect(soak!.rendering, `the default pod on Tempo ${release} changed since its last soak: npm run soak -- --release ${release}`).toBe(renderingDigest(helm, release));
  });
});

/** A distributed soak with one live-store and one distributor: every figure given. */
const distributedSoak = (change: Partial<DistributedSoakRecord> = {}): DistributedSoakRecord => ({
  date: '2026-12-03', machine: '2 cores, 24 GiB', chartVersion: '0.8.0', rendering: '0123456789abcdef', values: ['test/values/distributed.yaml'], set: [], for: '420s',
  offeredSpansPerSecond: 20_000, acceptedSpansPerSecond: 12_345, requestsFailed: 3, found: { found: 40, of: 40 }, lostTraces: 0, discardedSpans: {},
  pods: [
    { name: 'tempo-distributor-0', component: 'distributor', memoryLimitMiB: 512, peakWorkingSetMiB: 100, peakRssMiB: 90, oomKills: 0, readySamples: { ok: 84, of: 84 } },
    { name: 'tempo-live-store-0', component: 'live-store', memoryLimitMiB: 1024, peakWorkingSetMiB: 512, peakRssMiB: 500, oomKills: 0, readySamples: { ok: 84, of: 84 }, lagSecondsAtEnd: 2 },
  ],
  ...change,
});

describe('the bar a distributed soak must clear', () => {
  test('every pod alive, ready and within 90 % of its limit, and every sampled acknowledged trace read back: held', () => {
    expect(distributedSoakShortfalls(distributedSoak())).toEqual([]);
  });

  test('each pod is held to the single pod\'s bar, and the release to every sampled trace', () => {
    const [distributor, liveStore] = distributedSoak().pods;
    const record = distributedSoak({
      found: { found: 38, of: 40 },
      pods: [{ ...distributor!, oomKills: 1, readySamples: { ok: 80, of: 84 } }, { ...liveStore!, peakWorkingSetMiB: 930 }],
    });
    expect(distributedSoakShortfalls(record)).toEqual([
      'tempo-distributor-0: 1 OOM kill(s)',
      'tempo-distributor-0: /ready answered 80 of 84 samples',
      'tempo-live-store-0: working set peaked at 930 of 1024 MiB, over 90 %',
      '38 of 40 sampled acknowledged traces read back after the load',
    ]);
  });

  test('the distributed page shows the last soak of each values set, per component', () => {
    const table = renderDistributedSoakTable([distributedSoak({ date: '2026-12-01' }), distributedSoak({ discardedSpans: { live_traces_exceeded: 1200, rate_limited: 0 } })]).split('\n');
    expect(table[0]).toContain('**test/values/distributed.yaml** (2026-12-03, 2 cores, 24 GiB, 7-minute, chart 0.8.0): held. 20,000 spans/s offered, 12,345 accepted (3 requests refused)');
    expect(table[0]).toContain('spans discarded: 1,200 live_traces_exceeded.');
    expect(table).toContain('| live-store | 1 | 1024 MiB | 512 MiB (50 %) | 0 | 2 s |');
    expect(table).toContain('| distributor | 1 | 512 MiB | 100 MiB (20 %) | 0 |  |');
    expect(table.filter((line) => line.startsWith('**'))).toHaveLength(1);
  });
});

describe('each distributed soak on the distributed page is of the release the chart renders today', () => {
  const soaks = lastDistributedSoaks(readDistributedSoaks());
  test('the default distributed values set has been soaked', () => {
    expect(soaks.map((record) => record.values.join(' ')), 'no soak of test/values/distributed.yaml in build/sizing/distributed-soaks.json: npm run e2e -- -f test/values/distributed.yaml --soak 420s').toContain('test/values/distributed.yaml');
  });
  test.each(soaks.map((record) => ({ name: [...record.values, ...record.set].join(' '), record })))('$name', async ({ record }) => {
    const rendered = await render(helmRelease('helm4'), { valuesFiles: record.values.map((file) => path.join(paths.root, file)), set: record.set });
    expect(record.rendering, `the release changed since its last soak: npm run e2e -- ${record.values.map((file) => `-f ${file}`).join(' ')} --soak ${record.for}`).toBe(distributedRenderingDigest(rendered.documents));
  });
});
