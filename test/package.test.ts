import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { helmBinary, isolatedHelmEnv } from '../tools/helm.ts';
import { packageChart, sha256, type PackagedChart } from '../tools/package.ts';
import { packageVersion, paths } from '../build/paths.ts';
import { helmReleases, render } from './helpers/helm.ts';
import { makeTestKey, runsWith, scratchFolders, type TestKey } from './helpers/servers.ts';

const scratch = scratchFolders();
const temporary = (prefix: string) => scratch.make(prefix);
afterAll(scratch.removeAll);

describe('npm run package', () => {
  test('makes the same archive every time, and both helm versions install from it', async () => {
    const first = packageChart(temporary('tempo-package-')).archive;
    const second = packageChart(temporary('tempo-package-')).archive;
    expect(path.basename(first)).toBe(`tempo-${packageVersion()}.tgz`);
    expect(sha256(second)).toBe(sha256(first));
    for (const helm of helmReleases) {
      const rendered = await render(helm, { chartDir: first });
      expect(rendered.tempoContainer().image).toBe('docker.io/grafana/tempo:2.5.0');
    }
  });

  test('makes the same archive from two separate clones checked out at different times', async () => {
    const archives: string[] = [];
    for (const [index, time] of [new Date('2011-01-01T00:00:00Z'), new Date()].entries()) {
      const clone = path.join(temporary('tempo-clone-'), `clone-${index}`);
      execFileSync('git', ['clone', '--quiet', '--no-hardlinks', paths.root, clone]);
      for (const file of execFileSync('git', ['ls-files'], { cwd: clone, encoding: 'utf8' }).split('\n').filter(Boolean)) {
        utimesSync(path.join(clone, file), time, time);
      }
      symlinkSync(path.join(paths.root, 'node_modules'), path.join(clone, 'node_modules'));
      const result = await execa(process.execPath, ['--import', 'tsx', 'tools/package.ts'], { cwd: clone, reject: false });
      expect(result.exitCode, result.stderr).toBe(0);
      archives.push(path.join(clone, 'dist', `tempo-${packageVersion(path.join(clone, 'package.json'))}.tgz`));
    }
    expect(sha256(archives[1]!)).toBe(sha256(archives[0]!));
  });

  test('writes a classic repository index listing the archive, with its digest, under the given URL', () => {
    const dist = temporary('tempo-index-');
    const { archive, index } = packageChart(dist, { repositoryUrl: 'https://charts.example.com/tempo' });
    const entries = YAML.parse(readFileSync(index, 'utf8')).entries.tempo;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      version: packageVersion(),
      appVersion: '2.5.0',
      digest: sha256(archive),
      urls: [`https://charts.example.com/tempo/tempo-${packageVersion()}.tgz`],
    });
  });

  test('keeps the versions an index already lists when it indexes a new one', () => {
    const dist = temporary('tempo-index-');
    const earlier = { apiVersion: 'v1', entries: { tempo: [{ name: 'tempo', version: '0.0.1', urls: ['tempo-0.0.1.tgz'], digest: 'x', created: '2026-01-01T00:00:00Z' }] }, generated: '2026-01-01T00:00:00Z' };
    writeFileSync(path.join(dist, 'index.yaml'), YAML.stringify(earlier));
    const { index } = packageChart(dist);
    expect(YAML.parse(readFileSync(index, 'utf8')).entries.tempo.map((entry: { version: string }) => entry.version).sort()).toEqual(['0.0.1', packageVersion()].sort());
  });
});

describe.skipIf(!runsWith('gpg'))('provenance', () => {
  let key: TestKey;
  let signed: PackagedChart;

  beforeAll(() => {
    key = makeTestKey();
    signed = packageChart(temporary('tempo-signed-'), { sign: { key: key.name, keyring: key.secretKeyring } });
  });
  afterAll(() => key?.remove());

  test.each(helmReleases)('a signed package verifies with $label', async (helm) => {
    const result = await execa(helmBinary(helm), ['verify', signed.archive, '--keyring', key.publicKeyring], { reject: false, env: isolatedHelmEnv(temporary('tempo-helm-')) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Signed by: Tempo Chart Test <test@example.invalid>');
    expect(result.stdout).toContain(`Chart Hash Verified: sha256:${sha256(signed.archive)}`);
  });

  test.each(helmReleases)('a package changed after signing fails to verify with $label', async (helm) => {
    const tampered = path.join(temporary('tempo-tampered-'), path.basename(signed.archive));
    const bytes = readFileSync(signed.archive);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(tampered, bytes);
    writeFileSync(`${tampered}.prov`, readFileSync(signed.provenance!));
    const result = await execa(helmBinary(helm), ['verify', tampered, '--keyring', key.publicKeyring], { reject: false, env: isolatedHelmEnv(temporary('tempo-helm-')) });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/sha256 sum does not match/);
  });
});
