import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { lastSoaksReport, readSoaks, soaksFile, type SoakRecord } from '../tools/soak.ts';

/** npm run soak appends each saturation soak to build/sizing/soaks.json; npm run bench reports the last one of each release. */
const record = (release: string, date: string, peakMemoryMiB: number): SoakRecord => ({
  date, machine: '2 cores, 24 GiB', release, set: [], for: '420s', alive: true, oomKills: 0,
  readySamples: { ok: 28, of: 28 }, found: { found: 40, of: 40 }, peakMemoryMiB, memoryLimitMiB: 256, acceptedSpansPerSecond: 2400,
});

test('the benchmark reports the last soak of each release, oldest release first, with its peak as a share of the limit', () => {
  const lines = lastSoaksReport([record('3.0.3', '2026-12-01', 250), record('2.10.8', '2026-12-01', 200), record('3.0.3', '2026-12-02', 230)]);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain('Tempo 2.10.8 (2026-12-01, 420s): alive, 0 OOM kills, /ready 28/28, found 40/40, peak 200 of 256 MiB (78 %)');
  expect(lines[1]).toContain('Tempo 3.0.3 (2026-12-02, 420s)');
  expect(lines[1]).toContain('peak 230 of 256 MiB (90 %)');
});

test.runIf(existsSync(soaksFile))('every recorded soak names its release, its date and machine, and what it measured', () => {
  for (const soak of readSoaks()) {
    expect(soak.release).toMatch(/^\d+\.\d+\.\d+$/);
    expect(soak.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(soak.machine).not.toBe('');
    expect(soak.memoryLimitMiB).toBeGreaterThan(0);
    expect(soak.readySamples.of).toBeGreaterThan(0);
  }
});
