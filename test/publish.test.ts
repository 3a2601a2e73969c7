import { readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { helmBinary, isolatedHelmEnv } from '../tools/helm.ts';
import { packageChart, type PackagedChart } from '../tools/package.ts';
import { packageVersion } from '../build/paths.ts';
import { publishChart } from '../tools/publish.ts';
import { helmReleases, render, type HelmRelease } from './helpers/helm.ts';
import { makeTestKey, runsWith, scratchFolders, serveFolder, startOciRegistry, type Running, type TestKey } from './helpers/servers.ts';

/**
 * npm run publish, proven against real repository servers on 127.0.0.1: a classic repository (a
 * folder with index.yaml, served over HTTP) and an OCI registry (Debian's docker-registry). Each
 * helm version installs the chart from there as a user would, with the signature checked.
 */
const scratch = scratchFolders();
const temporary = (prefix: string) => scratch.make(prefix);
afterAll(scratch.removeAll);
const version = packageVersion();

/** Runs helm with a configuration home of its own that lasts across calls (repo add, then pull). */
function helmUser(helm: HelmRelease) {
  const env = isolatedHelmEnv(temporary('tempo-helm-user-'));
  return async (args: string[]) => {
    const result = await execa(helmBinary(helm), args, { env, reject: false, timeout: 60_000 });
    expect(result.exitCode, `helm ${args.join(' ')}:\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
}

describe.skipIf(!runsWith('gpg'))('a classic chart repository served over HTTP', () => {
  let key: TestKey;
  let repository: string;
  let server: Running;

  beforeAll(async () => {
    key = makeTestKey();
    const packaged = packageChart(temporary('tempo-dist-'), { sign: { key: key.name, keyring: key.secretKeyring } });
    repository = temporary('tempo-repository-');
    server = await serveFolder(repository);
    publishChart(packaged.archive, repository, { repositoryUrl: server.url });
  });
  afterAll(async () => {
    await server?.stop();
    key?.remove();
  });

  test('npm run publish copies the archive and its provenance in and writes the index', () => {
    expect(readdirSync(repository).sort()).toEqual(['index.yaml', `tempo-${version}.tgz`, `tempo-${version}.tgz.prov`]);
  });

  test.each(helmReleases)('$label adds the repository, finds the chart, pulls it with its signature verified, and renders it', async (helm) => {
    const user = helmUser(helm);
    await user(['repo', 'add', 'tempo-charts', server.url]);
    expect(await user(['search', 'repo', 'tempo-charts/tempo', '--version', version])).toMatch(new RegExp(`tempo-charts/tempo\\s+${version.replaceAll('.', '\\.')}\\s+2\\.5\\.0`));
    const downloads = temporary('tempo-pulled-');
    await user(['pull', 'tempo-charts/tempo', '--version', version, '--destination', downloads, '--verify', '--keyring', key.publicKeyring]);
    const rendered = await render(helm, { chartDir: path.join(downloads, `tempo-${version}.tgz`) });
    expect(rendered.keys()).toContain('Deployment/tempo');
  });
});

describe.skipIf(!runsWith('docker-registry'))('an OCI registry', () => {
  let registry: Running;
  let packaged: PackagedChart;
  let key: TestKey | undefined;

  beforeAll(async () => {
    registry = await startOciRegistry();
    key = runsWith('gpg') ? makeTestKey() : undefined;
    packaged = packageChart(temporary('tempo-dist-'), key ? { sign: { key: key.name, keyring: key.secretKeyring } } : {});
  });
  afterAll(async () => {
    await registry?.stop();
    key?.remove();
  });

  const host = () => registry.url.replace('http://', '');

  test.each(helmReleases)('$label pushes the chart with npm run publish, shows it and renders it from oci://', async (helm) => {
    const target = `oci://${host()}/charts-${helm.label}`;
    // Signed or not, the push leaves the provenance behind by default, so Helm 3.18.0 can pull it.
    expect(publishChart(packaged.archive, target, { plainHttp: true, helm })).toBe(`pushed tempo-${version}.tgz to ${target}`);
    for (const reader of helmReleases) {
      const chart = await helmUser(reader)(['show', 'chart', `${target}/tempo`, '--version', version, '--plain-http']);
      expect(chart).toMatch(new RegExp(`^version: ${version.replaceAll('.', '\\.')}$`, 'm'));
      const rendered = await render(reader, { chartDir: `${target}/tempo`, chartArgs: ['--version', version, '--plain-http'] });
      expect(rendered.keys()).toContain('Deployment/tempo');
    }
  });

  test.skipIf(!runsWith('gpg'))('with --provenance the signature travels along, and helm 4 pulls it verified', async () => {
    const target = `oci://${host()}/signed`;
    expect(publishChart(packaged.archive, target, { plainHttp: true, provenance: true })).toBe(`pushed tempo-${version}.tgz with its provenance to ${target}`);
    const downloads = temporary('tempo-pulled-');
    const helm4 = helmReleases.find((helm) => helm.label === 'helm4')!;
    await helmUser(helm4)(['pull', `${target}/tempo`, '--version', version, '--plain-http', '--destination', downloads, '--verify', '--keyring', key!.publicKeyring]);
    expect(readdirSync(downloads).sort()).toEqual([`tempo-${version}.tgz`, `tempo-${version}.tgz.prov`]);
  });
});
