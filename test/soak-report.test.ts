import { describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { lastDefaultSoaks, lastSoaks, readSoaks, renderSoakTable, soakShortfalls, soaksReport, type SoakRecord } from '../build/soaks.ts';
import { loadTempoSeries } from '../build/tempo-versions.ts';
import { helmBinary, helmReleases } from '../tools/helm.ts';
import { renderingDigest } from '../tools/soak.ts';
import path from 'node:path';

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
