import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runRendered } from '../tools/e2e.ts';
import { helmRelease, render } from './helpers/helm.ts';
import { helmMerge } from './helpers/values-sets.ts';
import { runsWith, scratchFolders } from './helpers/servers.ts';
import { runsWithTempo } from './helpers/tempo.ts';
import { valuesSetsDir } from './helpers/values-sets.ts';

/**
 * Moving between architectures on real Tempo 3.0.3 (docs/distributed.md, "Moving between
 * architectures"): the bucket is what carries over. A monolithic pod on S3 takes traces and writes them
 * into blocks; the same release made distributed, on the same bucket, answers for them by ID through
 * its query-frontend and takes traces of its own, which its block-builders write; the release made
 * monolithic again answers for those. Each step is the chart's rendering, run by npm run e2e's runner.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const helm = helmRelease('helm4');
const valuesOf = (file: string) => YAML.parse(readFileSync(path.join(valuesSetsDir, file), 'utf8'));
// One bucket for every step, as a release keeps its bucket across an upgrade.
const distributed = valuesOf('distributed.yaml');
const monolithic = helmMerge(valuesOf('tempo-3-0.yaml'), { storage: distributed.storage });

describe.runIf(runsWithTempo('3.0.3') && runsWith('nginx'))('moving a Tempo 3.0 release between architectures', () => {
  test('keeps every trace that reached the bucket: monolithic, then distributed, then monolithic again', async () => {
    const bucketFolder = scratch.make('move-bucket-');
    const step = async (values: Record<string, any>, readBack?: string[]) => {
      const rendered = await render(helm, { values });
      return runRendered(rendered, { values, makeFolder: scratch.make, bucketFolder, readBack });
    };
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
