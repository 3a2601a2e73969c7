import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { helmReleases, render, renderError, type Rendered } from './helpers/helm.ts';
import { scratchFolders } from './helpers/servers.ts';
import { onLoopbackPaths, runsWithTempo, verifyWithTempo } from './helpers/tempo.ts';
import { immutableFieldChanges } from './helpers/upgrade.ts';

/**
 * The upgrade path of docs/versions.md, 2.5 → 2.10 → one pod → 3.0, as the values changes that page
 * shows (test/values/upgrade/), from a realistic production values file. Each step layers one more
 * file, renders, keeps what Kubernetes cannot change in place, and is verified by the binary of the
 * release it runs.
 */
const stepsDir = path.join(paths.valuesSets, 'upgrade');
const stepFiles = readdirSync(stepsDir).filter((name) => name.endsWith('.yaml')).sort().map((name) => path.join(stepsDir, name));
const external = ['Secret/tempo-s3'];
const scratch = scratchFolders();
afterAll(scratch.removeAll);

const steps = stepFiles.map((file, index) => ({ name: path.basename(file, '.yaml'), files: stepFiles.slice(0, index + 1) }));
const releaseOf = (rendered: Rendered) => rendered.tempoContainer().image.split(':').pop() as string;

test('the path has its four steps, from 2.5.0 to 3.0.3', () => {
  expect(steps.map((step) => step.name)).toEqual(['0-production-2-5', '1-tempo-2-10', '2-one-pod', '3-tempo-3-0']);
});

describe.each(helmReleases)('the upgrade path ($label)', (helm) => {
  const renderings = steps.map((step) => render(helm, { valuesFiles: step.files, external }));
  renderings.forEach((rendering) => rendering.catch(() => undefined)); // awaited by each test

  test.each(steps.map((step, index) => ({ ...step, index })))('$name renders, and the release it runs accepts its configuration', async ({ index }) => {
    const rendered = await renderings[index]!;
    const release = releaseOf(rendered);
    expect(release).toBe(['2.5.0', '2.10.8', '2.10.8', '3.0.3'][index]);
    if (!runsWithTempo(release)) return;
    const folder = scratch.make('tempo-upgrade-');
    const verdict = verifyWithTempo(onLoopbackPaths(rendered.tempoConfig(), folder), folder, release);
    expect(verdict.ok, verdict.output).toBe(true);
  });

  test('no step changes what Kubernetes cannot change in place, and the StatefulSet and its claims stay', async () => {
    const all = await Promise.all(renderings);
    for (let index = 1; index < all.length; index += 1) {
      expect(immutableFieldChanges(all[index - 1]!.documents, all[index]!.documents), steps[index]!.name).toEqual([]);
      expect(all[index]!.workload().kind).toBe('StatefulSet');
      expect(all[index]!.workload().spec.volumeClaimTemplates[0].metadata.name).toBe('storage');
    }
  });

  test('the step to one pod is what the page says: rings in memory, a replication factor of 1, still on 2.10', async () => {
    const [, twoTen, onePod] = await Promise.all(renderings);
    expect(twoTen!.tempoConfig().ingester.lifecycler.ring).toMatchObject({ kvstore: { store: 'memberlist' }, replication_factor: 3 });
    expect(onePod!.workload().spec.replicas).toBe(1);
    expect(onePod!.tempoConfig().ingester?.lifecycler?.ring?.kvstore?.store).not.toBe('memberlist');
    expect(onePod!.tempoConfig().ingester?.lifecycler?.ring?.replication_factor ?? 1).toBe(1);
  });

  test("3.0.3 with the same values and only a new tag is refused, naming the replicas and each 2.x block: the steps are needed", async () => {
    const stderr = await renderError(helm, { valuesFiles: steps[1]!.files, set: ['image.tag=3.0.3'], external });
    expect(stderr).toContain('ERROR: replicas is 3');
    expect(stderr).toMatch(/tempo\.structuredConfig\.ingester: Tempo 3\.0 has no ingester/);
    expect(stderr).toMatch(/tempo\.structuredConfig\.compactor: Tempo 3\.0 has no compactor/);
  });
});
