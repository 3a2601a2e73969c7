import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ValuesOverride } from '../build/generated/values.ts';
import { paths } from '../build/paths.ts';
import { loadSizing, protectionFor, quantityValue, type Protection } from '../build/sizing.ts';
import { helmReleases, render, renderError, renderNotes, type Manifest, type Rendered } from './helpers/helm.ts';
import { valuesSetsDir } from './helpers/values-sets.ts';

const sizing = loadSizing(paths.sizingPresets);
const rules = sizing.protection;
const measurements = readFileSync(paths.sizingMeasurements, 'utf8');

describe('the sizing data', () => {
  test('every stated capacity quotes a row of the measurements file, and that row holds its figure', () => {
    const stated = Object.entries(sizing.presets).filter(([, preset]) => preset.capacity);
    expect(stated.map(([name]) => name)).toEqual(['design', 'medium']);
    for (const [name, { capacity, resources }] of stated) {
      expect(measurements, `${name}: evidence`).toContain(capacity!.evidence);
      expect(capacity!.evidence, name).toContain(`${capacity!.spansPerSecond.toLocaleString('en-US')} spans/s`);
      // The row measured a pod of the preset's own limits.
      const cpu = resources.limits.cpu === '1' ? '1 CPU' : resources.limits.cpu;
      expect(capacity!.evidence, name).toContain(`${cpu} / ${resources.limits.memory}`);
    }
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
    // The design's pod: exactly the settings measured to hold (row group 10 MB, GOMEMLIMIT 218MiB, 300 kB/s).
    ['256Mi', { goMemLimit: '218MiB', rowGroupBytes: 10_000_000, maxBlockBytes: 67_000_000, rateLimitBytes: 300_000 }],
    ['64Mi', { goMemLimit: '54MiB', rowGroupBytes: 2_000_000, maxBlockBytes: 16_000_000, rateLimitBytes: 75_000 }],
    ['1Gi', { goMemLimit: '870MiB', rowGroupBytes: 42_000_000, maxBlockBytes: 268_000_000, rateLimitBytes: 1_200_000 }],
    ['1.5Gi', { goMemLimit: '1306MiB', rowGroupBytes: 64_000_000, maxBlockBytes: 402_000_000, rateLimitBytes: 1_800_000 }],
    ['2G', { goMemLimit: '1621MiB', rowGroupBytes: 80_000_000, maxBlockBytes: 500_000_000, rateLimitBytes: 2_235_174 }],
    // Capped at Tempo's own defaults: 100 MB row groups, 500 MiB blocks, 15 MB/s.
    ['4Gi', { goMemLimit: '3482MiB', rowGroupBytes: 100_000_000, maxBlockBytes: 524_288_000, rateLimitBytes: 4_800_000 }],
    ['16Gi', { goMemLimit: '13926MiB', rowGroupBytes: 100_000_000, maxBlockBytes: 524_288_000, rateLimitBytes: 15_000_000 }],
    // Never below 1 MB.
    ['10Mi', { goMemLimit: '9MiB', rowGroupBytes: 1_000_000, maxBlockBytes: 2_000_000, rateLimitBytes: 11_718 }],
  ])('the protective settings for a %s memory limit', (limit, expected) => {
    expect(protectionFor(quantityValue(limit), 85, rules)).toEqual(expected);
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
      const protection = protectionFor(quantityValue(resources.limits.memory), 85, rules);
      expect(sizingOf(await valuesSet(set))).toEqual(expectedSizing(resources, protection));
    });

    test('preset medium, as objects: 1 CPU / 1Gi, GOMEMLIMIT 870MiB, 42 MB row groups, 268 MB blocks, 1.2 MB/s', async () => {
      expect(sizingOf(await valuesSet('sizing-medium'))).toEqual({
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        goMemLimit: ['870MiB'],
        rowGroupBytes: 42_000_000,
        maxBlockBytes: 268_000_000,
        overrides: { defaults: { ingestion: { rate_limit_bytes: 1_200_000, burst_size_bytes: largestRequest } } },
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

  describe.concurrent('the protective settings follow whatever memory limit the pod gets', () => {
    // helm computes them at install time (tempo.sizing.protection); protectionFor states them for the docs.
    test.each(['1Gi', '1.5Gi', '2G', '640Mi', '1000000000', '3e9', '64Mi', '16Gi'])('a %s limit', async (memory) => {
      const rendered = await renderValues({ resources: { requests: { memory: '64Mi' }, limits: { memory } } });
      const protection = protectionFor(quantityValue(memory), 85, rules);
      const resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory } };
      expect(sizingOf(rendered)).toEqual(expectedSizing(resources, protection));
    });

    test('a limit written as a YAML number of bytes', async () => {
      const rendered = await renderValues({ resources: { limits: { memory: 2_147_483_648 } } } as ValuesOverride);
      expect(sizingOf(rendered).goMemLimit).toEqual(['1741MiB']);
      expect(sizingOf(rendered).rowGroupBytes).toBe(85_000_000);
    });

    test('resources merge over the preset key by key, null removes a quantity, and the settings follow (values set sizing-own-resources)', async () => {
      expect(sizingOf(await valuesSet('sizing-own-resources'))).toEqual({
        resources: { requests: { cpu: '100m', memory: '1536Mi' }, limits: { memory: '1536Mi' } },
        goMemLimit: ['1382MiB'],
        rowGroupBytes: 64_000_000,
        maxBlockBytes: 402_000_000,
        overrides: { defaults: { ingestion: { rate_limit_bytes: 1_800_000, burst_size_bytes: largestRequest } } },
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
      expect(found).toMatchObject({ rowGroupBytes: 5_000_000, maxBlockBytes: 67_000_000, goMemLimit: ['218MiB'] });
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
        defaults: { ingestion: { max_traces_per_user: 500, rate_limit_bytes: 300_000, burst_size_bytes: largestRequest } },
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
    expect(text).toContain('Measured capacity: about 2,000 spans/s');
    expect(text).toContain('past 300000 bytes/s of spans per tenant (bursts up to 16777216 bytes)');
    expect(text).toContain('HTTP 429 / gRPC RESOURCE_EXHAUSTED');
    expect(text).toContain('tempo_discarded_spans_total{reason="rate_limited"}');
  });

  test('say "not measured" for a preset without a measurement, or for resources of ones own', async () => {
    expect(await renderNotes({ sizing: { preset: 'large' } })).toContain('Capacity of this pod: not measured');
    const own = await renderNotes({ resources: { limits: { memory: '1Gi' } } });
    expect(own).toContain('Capacity of this pod: not measured');
    expect(own).toContain('past 1200000 bytes/s');
  });

  test('describe the rendered configuration: a rate limit from structuredConfig, the retention', async () => {
    const text = await renderNotes({ tempo: { retention: '48h', structuredConfig: { overrides: { ingestion_rate_limit_bytes: 5_000_000 } } } });
    expect(text).toContain('kept for 48h');
    expect(text).toContain('past 5000000 bytes/s of spans per tenant (bursts up to 20000000 bytes)');
  });
});
