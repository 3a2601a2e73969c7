import { afterAll, describe, expect, test } from 'vitest';
import { cannotRun, runRendered } from '../tools/e2e.ts';
import { helmRelease, render, type Rendered } from './helpers/helm.ts';
import { chartSeries } from './helpers/invariants.ts';
import { runsWith, scratchFolders } from './helpers/servers.ts';
import { runsWithTempo } from './helpers/tempo.ts';
import { setValues, valuesSets } from './helpers/values-sets.ts';

/**
 * Every values set on real Tempo of its own series, through the runner of npm run e2e (tools/e2e.ts):
 * the rendered configuration, arguments and environment start the release's binary on loopback, which
 * takes a trace over OTLP/HTTP (and OTLP/gRPC where the set receives it) and answers for each by ID and
 * by search; with the tenant a multitenant set needs, and through the rendered nginx where the set puts
 * the gateway in front. An S3 bucket is s3rver's and an Azure container Azurite's, where a block must
 * land; GCS, which has no emulator here, is stood in for by a local folder. The sets the runner cannot
 * run say why.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const helm = helmRelease('helm4');

/**
 * Why a set is not run here: what the runner cannot run; architecture distributed, a dozen processes
 * each, which test/e2e.test.ts runs one set at a time through npm run e2e; or pods that share rings,
 * which test/e2e.test.ts runs through the same runner (scaled-out-s3) and test/real-tempo.test.ts on
 * 2.5.0 and 2.10.8, three processes each: more here would take the machine.
 */
function notRunHere(rendered: Rendered, values: Record<string, any>): string | undefined {
  if (values.architecture === 'distributed') return 'architecture distributed: test/e2e.test.ts runs each such set through npm run e2e, one at a time';
  if ((rendered.workload().spec.replicas ?? 1) > 1) return 'pods that share rings: test/e2e.test.ts runs three through npm run e2e, and test/real-tempo.test.ts three of 2.5.0 and of 2.10.8';
  return cannotRun(rendered, values);
}

const renderings = valuesSets().map((set) => ({ set, rendered: render(helm, { release: set.release, namespace: set.namespace, valuesFiles: set.files, allow: set.allow, external: set.external }) }));
// A rendering that fails is reported by the test of its set; here it only must not go unhandled.
for (const { rendered } of renderings) rendered.catch(() => {});

test('every values set runs here, or says why not', async () => {
  const reasons = await Promise.all(renderings.map(async ({ set, rendered }) => ({ set, reason: notRunHere(await rendered, setValues(set)) })));
  expect(reasons.filter((entry) => !entry.reason).length).toBeGreaterThanOrEqual(25);
  for (const { set, reason } of reasons.filter((entry) => entry.reason)) console.log(`values set ${set.name}: not run on Tempo here, ${reason}`);
});

describe.runIf(chartSeries().every((entry) => runsWithTempo(entry.release)) && runsWith('nginx')).concurrent.each(renderings)('values set $set.name on real Tempo of its series', ({ set, rendered }) => {
  test('takes a trace over each OTLP protocol it receives and answers for each by ID and by search', async (context) => {
    const values = setValues(set);
    if (notRunHere(await rendered, values)) return context.skip();
    const summary = await runRendered(await rendered, { values, makeFolder: scratch.make });
    expect(summary.problems).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(summary.traces.map((trace) => trace.protocol)).toContain('otlp-http');
    expect(summary.gateway).toBe(Boolean(values.gateway?.enabled));
  }, 300_000);
});
