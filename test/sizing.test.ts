import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ValuesOverride } from '../build/generated/values.ts';
import { paths } from '../build/paths.ts';
import { loadSizing, protectionFor, quantityValue, seriesCapacities, type Protection } from '../build/sizing.ts';
import type { SoakRecord } from '../build/soaks.ts';
import { loadTempoSeries } from '../build/tempo-versions.ts';
import { helmReleases, render, renderError, renderNotes, type Manifest, type Rendered } from './helpers/helm.ts';
import { valuesSetsDir } from './helpers/values-sets.ts';

const sizing = loadSizing(paths.sizingPresets);
const rules = sizing.protection;
const measurements = readFileSync(paths.sizingMeasurements, 'utf8');
const series = loadTempoSeries(path.join(paths.tempoConfigSources, 'versions.yaml'));
/** GOMEMLIMIT's share of the memory limit unless the values say otherwise (the schema's default). */
const goMemLimitPercent = (JSON.parse(readFileSync(paths.valuesSchema, 'utf8')) as { properties: { sizing: { properties: { goMemLimitPercent: { default: number } } } } }).properties.sizing.properties.goMemLimitPercent.default;

describe('the sizing data', () => {
  test('a capacity is stated only for a series whose default pod held the last soak of its defaults', () => {
    const soak = (release: string, set: string[], found: number): SoakRecord => ({
      date: '2026-12-02', machine: '2 cores, 24 GiB', release, set, for: '420s', alive: true, oomKills: 0, readySamples: { ok: 28, of: 28 },
      found: { found, of: 40 }, peakMemoryMiB: 256, peakWorkingSetMiB: 200, memoryLimitMiB: 256, acceptedSpansPerSecond: 1_571,
    });
    const capacities = seriesCapacities(series, [soak('2.5.0', [], 40), soak('2.10.8', ['sizing.preset=medium'], 40), soak('3.0.3', [], 39)]);
    expect(Object.keys(capacities)).toEqual(['2.5']);
    expect(capacities['2.5']).toEqual({
      preset: 'design',
      spansPerSecond: 1_600,
      measured: 'held a 7-minute saturation soak across the block cut on Tempo 2.5.0, 2026-12-02, 2 cores, 24 GiB: ready at every sample, every sampled trace read back, working set at most 200 of 256 MiB',
    });
  });

  const shared = path.join(paths.root, '..', 'shared', 'docs', 'tempo-sizing.md');
  test.runIf(existsSync(shared))('the measurements file is the shared sizing facts, copied unchanged below its source note', () => {
    expect(measurements.slice(measurements.indexOf('\n') + 1)).toBe(readFileSync(shared, 'utf8'));
  });

  test('quantities read in binary, decimal, exponent and milli forms', () => {
    expect(quantityValue('256Mi')).toBe(268_435_456);
    expect(quantityValue('1.5Gi')).toBe(1_610_612_736);
    expect(quantityValue('2G')).toBe(2_000_000_000);
    expect(quantityValue('3e9')).toBe(3_000_000_000);
    expect(quantityValue(1_000_000_000)).toBe(1_000_000_000);
    expect(quantityValue('500m')).toBe(0.5);
    expect(() => quantityValue('12 GB')).toThrow(/not a Kubernetes quantity/);
  });

  test.each<[string, Protection]>([
    // The design's pod: the settings its default soaks held with (row group 10 MB, GOMEMLIMIT 192MiB, 100 kB/s).
    ['256Mi', { goMemLimit: '192MiB', rowGroupBytes: 10_000_000, maxBlockBytes: 67_000_000, rateLimitBytes: 100_000 }],
    ['64Mi', { goMemLimit: '48MiB', rowGroupBytes: 2_000_000, maxBlockBytes: 16_000_000, rateLimitBytes: 25_000 }],
    ['1Gi', { goMemLimit: '768MiB', rowGroupBytes: 42_000_000, maxBlockBytes: 268_000_000, rateLimitBytes: 400_000 }],
    ['1.5Gi', { goMemLimit: '1152MiB', rowGroupBytes: 64_000_000, maxBlockBytes: 402_000_000, rateLimitBytes: 600_000 }],
    ['2G', { goMemLimit: '1431MiB', rowGroupBytes: 80_000_000, maxBlockBytes: 500_000_000, rateLimitBytes: 745_058 }],
    // Capped at Tempo's own defaults: 100 MB row groups, 500 MiB blocks, 15 MB/s.
    ['4Gi', { goMemLimit: '3072MiB', rowGroupBytes: 100_000_000, maxBlockBytes: 524_288_000, rateLimitBytes: 1_600_000 }],
    ['16Gi', { goMemLimit: '12288MiB', rowGroupBytes: 100_000_000, maxBlockBytes: 524_288_000, rateLimitBytes: 6_400_000 }],
    // Never below 1 MB.
    ['10Mi', { goMemLimit: '8MiB', rowGroupBytes: 1_000_000, maxBlockBytes: 2_000_000, rateLimitBytes: 3_906 }],
  ])('the protective settings for a %s memory limit', (limit, expected) => {
    expect(protectionFor(quantityValue(limit), goMemLimitPercent, rules)).toEqual(expected);
  });

  test('GOMEMLIMIT follows sizing.goMemLimitPercent', () => {
    expect(protectionFor(quantityValue('256Mi'), 90, rules).goMemLimit).toBe('230MiB');
    expect(protectionFor(quantityValue('2Gi'), 50, rules).goMemLimit).toBe('1024MiB');
  });
});

/** What sizing decides in a rendering: the container's resources and environment, and the protective Tempo keys. */
function sizingOf(rendered: Rendered) {
  const container = rendered.tempoContainer();
  const config = rendered.tempoConfig();
  return {
    resources: container.resources,
    goMemLimit: (container.env ?? []).filter((variable: Manifest) => variable.name === 'GOMEMLIMIT').map((variable: Manifest) => variable.value),
    rowGroupBytes: config.storage.trace.block?.parquet_row_group_size_bytes,
    maxBlockBytes: config.ingester.max_block_bytes,
    overrides: config.overrides,
  };
}

/** The burst: the largest request the default receivers accept (OTLP/HTTP's 16 MiB), whatever the memory limit. */
const largestRequest = 16_777_216;

/** The same, as protectionFor states it: what a rendering with these settings must hold. */
function expectedSizing(resources: object, protection: Protection) {
  return {
    resources,
    goMemLimit: [protection.goMemLimit],
    rowGroupBytes: protection.rowGroupBytes,
    maxBlockBytes: protection.maxBlockBytes,
    overrides: { defaults: { ingestion: { rate_limit_bytes: protection.rateLimitBytes, burst_size_bytes: largestRequest } } },
  };
}

describe.each(helmReleases)('sizing ($label)', (helm) => {
  const renderValues = (values: ValuesOverride) => render(helm, { values });
  const valuesSet = (name: string) => render(helm, { valuesFiles: [path.join(valuesSetsDir, `${name}.yaml`)] });

  describe.concurrent('presets', () => {
    test.each([
      ['design', 'default'],
      ['small', 'sizing-small'],
      ['medium', 'sizing-medium'],
      ['large', 'sizing-large'],
    ])('preset %s (values set %s) sets its resources and the protective settings of its memory limit', async (preset, set) => {
      const { resources } = sizing.presets[preset]!;
      const protection = protectionFor(quantityValue(resources.limits.memory), goMemLimitPercent, rules);
      expect(sizingOf(await valuesSet(set))).toEqual(expectedSizing(resources, protection));
    });

    test('preset medium, as objects: 1 CPU / 1Gi, GOMEMLIMIT 768MiB, 42 MB row groups, 268 MB blocks, 400 kB/s', async () => {
      expect(sizingOf(await valuesSet('sizing-medium'))).toEqual({
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        goMemLimit: ['768MiB'],
        rowGroupBytes: 42_000_000,
        maxBlockBytes: 268_000_000,
        overrides: { defaults: { ingestion: { rate_limit_bytes: 400_000, burst_size_bytes: largestRequest } } },
      });
    });

    test('preset none sets no resources, no GOMEMLIMIT and none of the protective keys', async () => {
      expect(sizingOf(await valuesSet('sizing-none'))).toEqual({
        resources: {},
        goMemLimit: [],
        rowGroupBytes: undefined,
        maxBlockBytes: undefined,
        overrides: undefined,
      });
    });

    test('preset none with resources of its own keeps them and still sets nothing else', async () => {
      const resources = { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } };
      const found = sizingOf(await renderValues({ sizing: { preset: 'none' }, resources }));
      expect(found).toEqual({ resources, goMemLimit: [], rowGroupBytes: undefined, maxBlockBytes: undefined, overrides: undefined });
    });
  });

  describe.concurrent('each Tempo series gets its own default pod and rules (versions.yaml, sizing)', () => {
    const seriesRules = (name: string) => ({ ...rules, ...series.find((entry) => entry.name === name)!.sizing.protection });

    test('Tempo 3.0: preset small unless set, small blocks, live traces bounded in bytes and not in number', async () => {
      const rendered = await renderValues({ image: { tag: '3.0.3' } });
      const config = rendered.tempoConfig();
      const protection = protectionFor(quantityValue('512Mi'), goMemLimitPercent, seriesRules('3.0'));
      expect(rendered.tempoContainer().resources).toEqual(sizing.presets.small!.resources);
      expect(config.live_store).toMatchObject({ max_block_bytes: 16_000_000, max_live_traces_bytes: 33_000_000 });
      expect(protection).toMatchObject({ maxBlockBytes: 16_000_000, maxLiveTracesBytes: 33_000_000, maxTracesPerUser: 0, rateLimitBytes: 200_000 });
      expect(config.overrides.defaults.ingestion).toEqual({ rate_limit_bytes: 200_000, burst_size_bytes: largestRequest, max_traces_per_user: 0 });
      expect(config.backend_scheduler.provider.compaction.max_input_blocks).toBe(2);
    });

    test('Tempo 3.0 with the design preset named: the design\'s pod, with 3.0\'s rules scaled to it', async () => {
      const rendered = await renderValues({ image: { tag: '3.0.3' }, sizing: { preset: 'design' } });
      expect(rendered.tempoContainer().resources).toEqual(sizing.presets.design!.resources);
      expect(rendered.tempoConfig().live_store).toMatchObject({ max_block_bytes: 8_000_000, max_live_traces_bytes: 16_000_000 });
    });

    test('Tempo 2.10: the design\'s pod, with no live-trace count limit; a limit of ones own wins', async () => {
      const rendered = await renderValues({ image: { tag: '2.10.8' } });
      expect(rendered.tempoContainer().resources).toEqual(sizing.presets.design!.resources);
      expect(rendered.tempoConfig().overrides.defaults.ingestion).toEqual({ rate_limit_bytes: 100_000, burst_size_bytes: largestRequest, max_traces_per_user: 0 });
      const own = await renderValues({ image: { tag: '2.10.8' }, tempo: { overrides: { defaults: { ingestion: { max_traces_per_user: 20_000 } } } } });
      expect(own.tempoConfig().overrides.defaults.ingestion.max_traces_per_user).toBe(20_000);
    });

    test('Tempo 2.5: the design\'s pod and the common rules only', async () => {
      expect(sizingOf(await renderValues({ image: { tag: '2.5.0' } }))).toEqual(expectedSizing(sizing.presets.design!.resources, protectionFor(quantityValue('256Mi'), goMemLimitPercent, rules)));
    });
  });

  describe.concurrent('architecture distributed: a block-builder consumes what its memory limit holds', () => {
    test('the section a block-builder holds in memory is bounded by a quarter of its limit, and by nothing without one', async () => {
      const rendered = await valuesSet('distributed');
      const limit = rendered.workload('tempo-block-builder').spec.template.spec.containers[0].resources.limits.memory;
      expect(rules.consumingBytesDivisor, 'docs/distributed.md (Sizing) says a quarter').toBe(4);
      expect(rendered.tempoConfig('tempo-block-builder').block_builder.max_consuming_bytes).toBe(Math.floor(quantityValue(limit) / rules.consumingBytesDivisor / 1e6) * 1e6);
      const twoGi = await render(helm, { valuesFiles: [path.join(valuesSetsDir, 'distributed.yaml')], values: { components: { blockBuilder: { resources: { limits: { memory: '2Gi' } } } } } });
      expect(twoGi.tempoConfig('tempo-block-builder').block_builder.max_consuming_bytes).toBe(536_000_000);
      const unbounded = await render(helm, { valuesFiles: [path.join(valuesSetsDir, 'distributed.yaml')], values: { components: { blockBuilder: { resources: { limits: null } } } } as ValuesOverride });
      expect(unbounded.tempoConfig('tempo-block-builder').block_builder).not.toHaveProperty('max_consuming_bytes');
    });
  });

  describe.concurrent('the protective settings follow whatever memory limit the pod gets', () => {
    // helm computes them at install time (tempo.sizing.protection); protectionFor states them for the docs.
    test.each(['1Gi', '1.5Gi', '2G', '640Mi', '1000000000', '3e9', '64Mi', '16Gi'])('a %s limit', async (memory) => {
      const rendered = await renderValues({ resources: { requests: { memory: '64Mi' }, limits: { memory } } });
      const protection = protectionFor(quantityValue(memory), goMemLimitPercent, rules);
      const resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory } };
      expect(sizingOf(rendered)).toEqual(expectedSizing(resources, protection));
    });

    test('a limit written as a YAML number of bytes', async () => {
      const rendered = await renderValues({ resources: { limits: { memory: 2_147_483_648 } } } as ValuesOverride);
      expect(sizingOf(rendered).goMemLimit).toEqual(['1536MiB']);
      expect(sizingOf(rendered).rowGroupBytes).toBe(85_000_000);
    });

    test('resources merge over the preset key by key, null removes a quantity, and the settings follow (values set sizing-own-resources)', async () => {
      expect(sizingOf(await valuesSet('sizing-own-resources'))).toEqual({
        resources: { requests: { cpu: '100m', memory: '1536Mi' }, limits: { memory: '1536Mi' } },
        goMemLimit: ['1382MiB'],
        rowGroupBytes: 64_000_000,
        maxBlockBytes: 402_000_000,
        overrides: { defaults: { ingestion: { rate_limit_bytes: 600_000, burst_size_bytes: largestRequest } } },
      });
    });

    test('without a memory limit there is nothing to stay under: no GOMEMLIMIT and no protective keys', async () => {
      const found = sizingOf(await renderValues({ resources: { limits: { memory: null } } } as ValuesOverride));
      expect(found.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m' } });
      expect(found).toMatchObject({ goMemLimit: [], rowGroupBytes: undefined, maxBlockBytes: undefined, overrides: undefined });
    });
  });

  describe.concurrent('a setting the user makes explicitly wins', () => {
    test('a row group or block size in structuredConfig replaces only that derived key', async () => {
      const found = sizingOf(await renderValues({ tempo: { structuredConfig: { storage: { trace: { block: { parquet_row_group_size_bytes: 5_000_000 } } } } } }));
      expect(found).toMatchObject({ rowGroupBytes: 5_000_000, maxBlockBytes: 67_000_000, goMemLimit: ['192MiB'] });
      const blocks = sizingOf(await renderValues({ tempo: { structuredConfig: { ingester: { max_block_bytes: 30_000_000 } } } }));
      expect(blocks).toMatchObject({ rowGroupBytes: 10_000_000, maxBlockBytes: 30_000_000 });
    });

    test('GOMEMLIMIT in tempo.extraEnv replaces the derived one instead of doubling it', async () => {
      const rendered = await renderValues({ tempo: { extraEnv: [{ name: 'GOMEMLIMIT', value: '200MiB' }, { name: 'GOGC', value: '50' }] } });
      const container = rendered.tempoContainer();
      expect(container.env).toEqual([{ name: 'GOMEMLIMIT', value: '200MiB' }, { name: 'GOGC', value: '50' }]);
    });

    test('an own burst, in the flat overrides layout, leaves the rate limit to Tempo as well', async () => {
      const rendered = await renderValues({ tempo: { structuredConfig: { overrides: { ingestion_burst_size_bytes: 30_000_000 } } } });
      expect(sizingOf(rendered).overrides).toEqual({ ingestion_burst_size_bytes: 30_000_000 });
    });

    test('other nested overrides keep the derived ingestion limit beside them', async () => {
      const rendered = await renderValues({ tempo: { overrides: { defaults: { ingestion: { max_traces_per_user: 500 } } } } });
      expect(sizingOf(rendered).overrides).toEqual({
        defaults: { ingestion: { max_traces_per_user: 500, rate_limit_bytes: 100_000, burst_size_bytes: largestRequest } },
      });
    });

    test('sizing.goMemLimitPercent sets GOMEMLIMIT against the limit', async () => {
      expect(sizingOf(await renderValues({ sizing: { goMemLimitPercent: 90 } })).goMemLimit).toEqual(['230MiB']);
    });
  });

  test('a request above its limit is refused, naming the preset and both values', async () => {
    const stderr = await renderError(helm, { values: { sizing: { preset: 'small' }, resources: { requests: { cpu: '2' } } } });
    expect(stderr).toContain('ERROR: the cpu request (2) is above its limit (500m), which Kubernetes refuses. With sizing.preset small, set resources.limits.cpu at least as high');
  });
});

describe.concurrent('NOTES.txt on sizing (helm4)', () => {
  test('state the preset, its measured capacity, what overload looks like and the metric to watch', async () => {
    const text = await renderNotes();
    expect(text).toContain('Sizing: preset design, limits 200m CPU / 256Mi memory.');
    expect(text).toMatch(/Measured capacity on Tempo 2\.5: about [\d,]+ spans\/s accepted; held a 7-minute saturation soak across the block cut on Tempo 2\.5\.0, \d{4}-\d\d-\d\d, 2 cores, 24 GiB:/);
    expect(text).toContain('past 100000 bytes/s of spans per tenant (bursts up to 16777216 bytes)');
    expect(text).toContain('HTTP 429 / gRPC RESOURCE_EXHAUSTED');
    expect(text).toContain('tempo_discarded_spans_total{reason="rate_limited"}');
  });

  test('say "not measured" for a preset without a measurement, or for resources of ones own', async () => {
    expect(await renderNotes({ sizing: { preset: 'large' } })).toContain('Capacity of this pod on Tempo 2.5: not measured');
    const own = await renderNotes({ resources: { limits: { memory: '1Gi' } } });
    expect(own).toContain('Capacity of this pod on Tempo 2.5: not measured');
    expect(own).toContain('past 400000 bytes/s');
  });

  test('describe the rendered configuration: a rate limit from structuredConfig, the retention', async () => {
    const text = await renderNotes({ tempo: { retention: '48h', structuredConfig: { overrides: { ingestion_rate_limit_bytes: 5_000_000 } } } });
    expect(text).toContain('kept for 48h');
    expect(text).toContain('past 5000000 bytes/s of spans per tenant (bursts up to 20000000 bytes)');
  });
});
