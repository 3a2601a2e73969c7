import { afterAll, describe, expect, test } from 'vitest';
import { helmRelease, render, renderNotes } from './helpers/helm.ts';
import { chartSeries } from './helpers/invariants.ts';
import { scratchFolders } from './helpers/servers.ts';
import { eventually, newTraceId, otlpHttpKey, otlpRequest, runsWithTempo, sendOtlpHttp, startRenderedTempo, tempoGet, type TempoProcess } from './helpers/tempo.ts';

/**
 * What stopping a pod costs, on each series' real binary, as the kubelet stops it: the chart's
 * defaults, holding a trace they acknowledged, get SIGTERM and, once the series' grace period
 * (terminationGracePeriodSeconds as rendered) is over, SIGKILL. A Tempo started again on the same
 * volume (a claim that survives the pod) finds the trace; on a new volume (an emptyDir pod replaced)
 * the local backend has nothing. docs/versions.md ("Stopping and replacing a pod") has the figures.
 */
const helm = helmRelease('helm4');
const scratch = scratchFolders();
afterAll(scratch.removeAll);

const found = (tempo: TempoProcess, traceId: string, withinMs: number) =>
  eventually(async () => ((await tempoGet(tempo, `/api/traces/${traceId}`)).status === 200 ? true : undefined), withinMs, 'the trace').catch(() => false);

describe.concurrent.each(chartSeries())('the defaults of Tempo $release, stopped holding a trace', ({ release }) => {
  test.runIf(runsWithTempo(release))('keep it on a volume that survives the pod, whether they stop by themselves or are killed at the end of the grace period', async () => {
    const rendered = await render(helm, { values: { image: { tag: release } } });
    const graceSeconds: number = rendered.workload().spec.template.spec.terminationGracePeriodSeconds;
    const volume = scratch.make('tempo-shutdown-');
    const traceId = newTraceId();
    const first = await startRenderedTempo(rendered, volume, { version: release, timeoutMs: 90_000, stopTimeoutMs: graceSeconds * 1000 });
    let outcome;
    try {
      expect((await sendOtlpHttp(first.receivers[otlpHttpKey]!, otlpRequest([{ traceId, service: 'before-stop', name: 'GET /cart' }]))).status).toBe(200);
      expect(await found(first, traceId, 30_000), 'the trace before the stop').toBe(true);
    } finally {
      outcome = await first.stop();
    }
    // What the stop was, for the record (docs/versions.md quotes these runs).
    console.log(`Tempo ${release}: grace period ${graceSeconds} s: ${outcome.killed ? 'still running, killed' : `exited ${Math.round(outcome.exitedAfterMs / 100) / 10} s after SIGTERM`}`);

    const again = await startRenderedTempo(rendered, volume, { version: release, timeoutMs: 90_000, stopTimeoutMs: 5_000 });
    try {
      expect(await found(again, traceId, 60_000), 'the trace after a restart on the same volume').toBe(true);
    } finally {
      await again.stop();
    }
    const replaced = await startRenderedTempo(rendered, scratch.make('tempo-shutdown-new-'), { version: release, timeoutMs: 90_000, stopTimeoutMs: 5_000 });
    try {
      expect(await found(replaced, traceId, 5_000), 'the trace on a new volume, with the local backend').toBe(false);
    } finally {
      await replaced.stop();
    }
  }, 300_000);
});

test('NOTES say what a replaced pod with its log in an emptyDir loses on an object store: nothing flushed on 2.10, the unflushed log on 2.5 and 3.0', async () => {
  const s3 = { backend: 's3' as const, s3: { bucket: 'example-traces', endpoint: 's3.eu-west-1.amazonaws.com', region: 'eu-west-1', existingSecret: 'tempo-s3' } };
  for (const { release, flushes } of [{ release: '2.5.0', flushes: false }, { release: '2.10.8', flushes: true }, { release: '3.0.3', flushes: false }]) {
    const notes = await renderNotes({ image: { tag: release }, storage: s3 });
    expect(notes.includes('A stopping pod writes its write-ahead log into the bucket first'), release).toBe(flushes);
    expect(notes.includes('A replaced pod loses the traces still in its write-ahead log (up to tempo.maxBlockDuration, 5m)'), release).toBe(!flushes);
    const kept = await renderNotes({ image: { tag: release }, storage: s3, persistence: { enabled: true } });
    expect(kept).not.toContain('A replaced pod loses');
  }
});
