import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { helmRelease, render, renderError, renderNotes, type Rendered } from './helpers/helm.ts';
import { chartSeries } from './helpers/invariants.ts';
import { tempoConfigOf } from './helpers/tempo-config.ts';
import { scratchFolders } from './helpers/servers.ts';
import { alertRuleMetrics, metricsAfterEvent } from './helpers/alerts.ts';
import { eventually, newTraceId, onLoopbackPaths, otlpGrpcKey, otlpHttpKey, otlpRequest, runsWithTempo, sendOtlpGrpc, sendOtlpHttp, startRenderedTempo, tempoGet, tempoMetrics, type TempoProcess, verifyWithTempo } from './helpers/tempo.ts';
import { ownSeries, valuesSets, valuesSetsDir } from './helpers/values-sets.ts';

/**
 * Every supported Tempo series (build/tempo-config/versions.yaml), proven by its own release's binary:
 * each values set, rendered for each series, is either refused with a reason or gives a configuration
 * that series' strict loader accepts; the defaults of each series take spans and answer for them; and
 * data written by the design's 2.5 is read by the later series.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const helm = helmRelease('helm4');
const series = chartSeries();
/** A configuration with /var/tempo moved into `folder`, so -config.verify can create what it checks. */
const everySeriesRuns = () => series.every((entry) => runsWithTempo(entry.release));


test('the chart supports the design\'s 2.5 first, then 2.10 and 3.0', () => {
  expect(series.map((entry) => entry.name)).toEqual(['2.5', '2.10', '3.0']);
  expect(series.map((entry) => entry.release)).toEqual(['2.5.0', '2.10.8', '3.0.3']);
});

test('every series has values sets of its own: its defaults, and production on object storage with persistence', () => {
  const names = readdirSync(valuesSetsDir);
  for (const name of ['tempo-2-10.yaml', 'tempo-3-0.yaml', 'tempo-2-10-production.yaml', 'tempo-3-0-production.yaml']) expect(names).toContain(name);
});

test("a 3.0 pod of up to 512Mi (its default pod among them) gets the settings 3.0.3 held saturation with; a larger one, or 2.x, does not", async () => {
  const small = (await render(helm, { valuesFiles: [path.join(valuesSetsDir, 'tempo-3-0.yaml')] })).tempoConfig();
  expect(small.live_store).toMatchObject({ complete_block_concurrency: 1, max_block_bytes: 16_000_000 });
  expect(small.backend_scheduler.provider.compaction.max_input_blocks).toBe(2);
  expect(small.querier.max_concurrent_queries).toBe(4);
  expect(small.storage.trace.pool.max_workers).toBe(20);
  const medium = (await render(helm, { valuesFiles: [path.join(valuesSetsDir, 'tempo-3-0-production.yaml')], external: ['Secret/tempo-s3'] })).tempoConfig('tempo');
  expect(medium.live_store.complete_block_concurrency).toBeUndefined();
  expect(medium.querier).toBeUndefined();
  const design = (await render(helm)).tempoConfig();
  expect(design.querier).toBeUndefined();
  expect(design.live_store).toBeUndefined();
});

test('the image is one Tempo publishes: a leading v is dropped, an architecture suffix kept, and the configuration is the tag\'s series', async () => {
  for (const [tag, image] of [['v3.0.3', '3.0.3'], ['3.0.3-arm64', '3.0.3-arm64'], ['v2.10.8-amd64', '2.10.8-amd64']] as const) {
    const rendered = await render(helm, { values: { image: { tag } } });
    expect(rendered.tempoContainer().image).toBe(`docker.io/grafana/tempo:${image}`);
    expect(rendered.tempoConfig().live_store !== undefined, tag).toBe(image.startsWith('3.0'));
  }
});

test('tempo.version names the series of a tag of one\'s own or of a digest', async () => {
  const own = await render(helm, { values: { image: { tag: 'main-4f2a9c1' }, tempo: { version: '3.0' } } });
  expect(own.tempoContainer().image).toBe('docker.io/grafana/tempo:main-4f2a9c1');
  expect(own.tempoConfig().live_store).toBeDefined();
  const digest = `sha256:${'ab'.repeat(32)}`;
  const pinned = await render(helm, { values: { image: { tag: '3.0.3', digest } } });
  expect(pinned.tempoContainer().image).toBe(`docker.io/grafana/tempo:3.0.3@${digest}`);
  expect(pinned.tempoConfig().live_store).toBeDefined();
  // A digest named by tempo.version alone: the informative tag is that series' release, not the chart's appVersion.
  const named = await render(helm, { values: { image: { digest }, tempo: { version: '3.0' } } });
  expect(named.tempoContainer().image).toBe(`docker.io/grafana/tempo:3.0.3@${digest}`);
  expect(named.tempoConfig().live_store).toBeDefined();
});

test("Tempo 3.0's documented opt-in to the flat overrides layout is accepted, and NOTES say what it costs and that it is temporary", async () => {
  const notes = await renderNotes({ image: { tag: '3.0.3' }, tempo: { structuredConfig: { overrides: { enable_legacy_overrides: true, max_traces_per_user: 20000 } } } });
  expect(notes).toContain('Flat overrides: Tempo 3.0 reads the flat (legacy) overrides layout');
  expect(notes).toContain('a later release removes the layout');
  expect(await renderNotes({ image: { tag: '3.0.3' } })).not.toContain('Flat overrides:');
  // The flag does the same as the key.
  const byFlag = await renderNotes({ image: { tag: '3.0.3' }, tempo: { extraArgs: ['-config.enable-legacy-overrides=true'], structuredConfig: { overrides: { max_traces_per_user: 20000 } } } });
  expect(byFlag).toContain('Flat overrides: Tempo 3.0');
});

test('NOTES state a measured capacity for each series whose default pod held its last soak, and only for that pod', async () => {
  for (const { name, release } of series) {
    const notes = await renderNotes({ image: { tag: release } });
    expect(notes).toContain(`Measured capacity on Tempo ${name}: about`);
    const other = await renderNotes({ image: { tag: release }, sizing: { preset: 'large' } });
    expect(other).not.toContain('Measured capacity');
    expect(other).toContain(`Capacity of this pod on Tempo ${name}: not measured`);
  }
});

const matrix = valuesSets().flatMap((set) => series.map((entry) => ({ set, entry, label: `${set.name} on Tempo ${entry.name}` })));

describe.runIf(everySeriesRuns()).concurrent.each(matrix)('values set $label', ({ set, entry }) => {
  test("is refused with a reason, or renders a configuration the release's strict loader accepts (-config.verify)", async () => {
    const input = { release: set.release, namespace: set.namespace, valuesFiles: set.files, allow: set.allow, external: set.external, values: { image: { tag: entry.release } } };
    const own = ownSeries(set) === entry.name;
    let rendered: Rendered;
    try {
      rendered = await render(helm, input);
    } catch (error) {
      // A set may be refused on another series than its own, and only with the chart's reason.
      expect(own, `${set.name} is refused on its own series ${entry.name}: ${error}`).toBe(false);
      expect(await renderError(helm, input)).toMatch(/ERROR: /);
      return;
    }
    // Each Tempo workload with its own arguments: a distributed Tempo's components each run their -target (and zone).
    const pods = rendered.documents.flatMap((doc) => (doc.spec?.template ? [tempoConfigOf(doc.spec.template.spec, rendered.documents)] : [])).filter((found) => found !== undefined);
    expect(pods.length).toBeGreaterThan(0);
    const runs = new Map(pods.map(({ container, config }) => {
      const args = (container.args as string[]).filter((arg) => !/^--?config\.file=/.test(arg));
      return [JSON.stringify(args), { config, args }];
    }));
    for (const { config, args } of runs.values()) {
      const folder = scratch.make('tempo-verify-');
      // The flat overrides layout, which the chart renders knowingly (2.x, or 3.0 by its opt-in), makes
      // -config.verify print Tempo's deprecation warning and exit 1: that warning alone is no failure.
      const flat = Object.keys(config.overrides ?? {}).some((key) => !entry.overridesBlockKeys.includes(key));
      const verdict = verifyWithTempo(onLoopbackPaths(config, folder), folder, entry.release, flat ? [/^Inline, unscoped overrides are deprecated|^DEPRECATED: Legacy \(flat, unscoped\) overrides format is in use/] : [], args);
      expect(verdict, `${args.join(' ')}\n${verdict.output}`).toMatchObject({ ok: true });
    }
    // Two renders and a real binary each, many at once beside the rest of the suite: room for a busy machine.
  }, 120_000);
});

/**
 * The defaults of each later series, and its production set with a local folder standing in for the
 * object store, run by their release on loopback. They start at once, in the first hook.
 */
const starting: Record<string, Promise<TempoProcess>> = {};
const startSet = (name: string, version: string) =>
  render(helm, { valuesFiles: [path.join(valuesSetsDir, `${name}.yaml`)], external: ['Secret/tempo-s3'] }).then((rendered) => {
    const store = scratch.make('tempo-store-');
    return startRenderedTempo(rendered, scratch.make(`${name}-`), {
      version,
      timeoutMs: 120_000,
      adjust: (config) => {
        if (config.storage.trace.backend !== 'local') {
          config.storage.trace = { ...config.storage.trace, backend: 'local', local: { path: store } };
          delete config.storage.trace.s3;
        }
      },
    });
  });
const roundTrips = [
  { set: 'tempo-2-10', release: '2.10.8', series: '2.10' },
  { set: 'tempo-3-0', release: '3.0.3', series: '3.0' },
  { set: 'tempo-3-0-production', release: '3.0.3', series: '3.0' },
];
beforeAll(() => {
  if (!everySeriesRuns()) return;
  for (const { set, release } of roundTrips) {
    starting[set] = startSet(set, release);
    starting[set].catch(() => undefined); // awaited, and reported, by the test that needs it
  }
});
afterAll(async () => {
  await Promise.all(Object.values(starting).map((promise) => promise.then((tempo) => tempo.stop(), () => undefined)));
});

describe.runIf(everySeriesRuns()).concurrent.each(roundTrips)('values set $set, on real Tempo $release', ({ set, release, series: name }) => {
  test('a trace sent over OTLP/HTTP and one over OTLP/gRPC are found by ID and by search', async () => {
    const tempo = await starting[set]!;
    const searchCutoff = series.find((entry) => entry.name === name)!.searchCutoff;
    const viaHttp = newTraceId();
    const viaGrpc = newTraceId();
    const service = `${set}-checkout`;
    expect((await sendOtlpHttp(tempo.receivers[otlpHttpKey]!, otlpRequest([{ traceId: viaHttp, service, name: 'GET /cart' }]))).status).toBe(200);
    expect((await sendOtlpGrpc(tempo.receivers[otlpGrpcKey]!, otlpRequest([{ traceId: viaGrpc, service, name: 'GET /cart' }]))).grpcStatus).toBe(0);
    for (const traceId of [viaHttp, viaGrpc]) {
      await eventually(async () => ((await tempoGet(tempo, `/api/traces/${traceId}`)).status === 200 ? true : undefined), 30_000, `trace ${traceId} by ID`);
    }
    // 3.0 searches only up to now - query_end_cutoff (30 s): the versions table says how long to wait.
    const waitForSearch = 30_000 + 2 * 1000 * Number.parseInt(searchCutoff, 10);
    await eventually(
      async () => {
        const found = JSON.parse((await tempoGet(tempo, `/api/search?tags=${encodeURIComponent(`service.name=${service}`)}&limit=50`)).body);
        const ids = (found.traces ?? []).map((trace: { traceID: string }) => trace.traceID.padStart(32, '0'));
        return ids.includes(viaHttp) && ids.includes(viaGrpc) ? true : undefined;
      },
      waitForSearch,
      `both traces by search within ${waitForSearch / 1000} s`,
    );
  }, 180_000);

  test("every metric the series' alert rules read is exposed, or appears with a listed event", async () => {
    const tempo = await starting[set]!;
    const metrics = await tempoMetrics(tempo);
    const used = await alertRuleMetrics({ image: { tag: release } });
    expect(used.length).toBeGreaterThanOrEqual(8);
    expect(used.filter((metric) => !metrics.has(metric) && !(metric in metricsAfterEvent))).toEqual([]);
  }, 180_000);
});

/**
 * Upgrading a pod's data in place: one release writes a trace and stops, the next starts on the same
 * volume and is asked for it. The writers are told to cut traces and blocks within seconds
 * (trace_idle_period, flush_check_period, a short block duration): what is under test is what the
 * next release reads, not when the first one writes.
 */
const quickWriter = { trace_idle_period: '1s', flush_check_period: '1s' };
const releaseFor = (release: string, tempo: object = {}) => render(helm, { values: { image: { tag: release }, tempo } });

/** Whether `reader`, started on the volume `writer` wrote a trace to and left, finds that trace. */
async function upgradeScenario(writer: string, readers: string[], until: 'block' | 'log'): Promise<Record<string, boolean>> {
  const folder = scratch.make('tempo-upgrade-');
  const traceId = newTraceId();
  const writerValues = until === 'block' ? { maxBlockDuration: '2s', structuredConfig: { ingester: quickWriter } } : { structuredConfig: { ingester: quickWriter } };
  const first = await startRenderedTempo(await releaseFor(writer, writerValues), folder, { version: writer, timeoutMs: 90_000, stopTimeoutMs: 60_000 });
  try {
    expect((await sendOtlpHttp(first.receivers[otlpHttpKey]!, otlpRequest([{ traceId, service: 'before-upgrade', name: 'GET /cart' }]))).status).toBe(200);
    await eventually(async () => ((await tempoGet(first, `/api/traces/${traceId}`)).status === 200 ? true : undefined), 30_000, `the trace on ${writer}`);
    if (until === 'block') {
      const blocks = path.join(folder, 'var', 'tempo', 'traces', 'single-tenant');
      await eventually(async () => (existsSync(blocks) && readdirSync(blocks).some((block) => existsSync(path.join(blocks, block, 'meta.json'))) ? true : undefined), 60_000, 'a complete block in the store');
    } else {
      // Idle past trace_idle_period: the trace is in the write-ahead log's head block, not in a block.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
    }
  } finally {
    await first.stop();
  }
  const found: Record<string, boolean> = {};
  for (const reader of readers) {
    const next = await startRenderedTempo(await releaseFor(reader), folder, { version: reader, timeoutMs: 90_000 });
    try {
      // Time for a replay or a blocklist poll; a trace never found stays 404.
      found[reader] = await eventually(async () => ((await tempoGet(next, `/api/traces/${traceId}`)).status === 200 ? true : undefined), 20_000, 'the trace').catch(() => false);
    } finally {
      await next.stop();
    }
  }
  return found;
}

/** The scenarios start with the file, beside the round trips: each spends most of its time waiting on Tempo. */
const upgrades: Record<string, Promise<Record<string, boolean>>> = {};
beforeAll(() => {
  if (!everySeriesRuns()) return;
  const quiet = (promise: Promise<Record<string, boolean>>) => {
    promise.catch(() => undefined); // awaited, and reported, by the test that needs it
    return promise;
  };
  upgrades.blocks = quiet(upgradeScenario('2.5.0', ['2.10.8', '3.0.3'], 'block'));
  // One volume each: 2.10.8 would flush what it replayed into a block that 3.0.3 then reads.
  upgrades.log25to210 = quiet(upgradeScenario('2.5.0', ['2.10.8'], 'log'));
  upgrades.log25to30 = quiet(upgradeScenario('2.5.0', ['3.0.3'], 'log'));
  upgrades.log210 = quiet(upgradeScenario('2.10.8', ['3.0.3'], 'log'));
});

describe.runIf(everySeriesRuns())('upgrading the data of a pod in place, on the real releases', () => {
  test('a block 2.5.0 wrote is read by 2.10.8 and then by 3.0.3', async () => {
    expect(await upgrades.blocks).toEqual({ '2.10.8': true, '3.0.3': true });
  }, 300_000);

  test("a trace still in 2.5.0's write-ahead log is replayed by 2.10.8 but lost by 3.0.3, whose live-store keeps a log of its own", async () => {
    expect(await upgrades.log25to210).toEqual({ '2.10.8': true });
    expect(await upgrades.log25to30).toEqual({ '3.0.3': false });
  }, 300_000);

  test("a trace in the write-ahead log of the chart's 2.10.8 is found by 3.0.3: 2.10 pods flush their log into blocks as they stop", async () => {
    expect(await upgrades.log210).toEqual({ '3.0.3': true });
  }, 300_000);
});
