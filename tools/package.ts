import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildChart } from '../build/chart.ts';
import { helmBinary, helmRelease, type HelmRelease } from './helm.ts';
import { driftedFiles } from '../build/output.ts';
import { paths, relative } from '../build/paths.ts';

/** A GnuPG key to sign the package with, as `helm package --sign` takes it. */
export interface SigningKey {
  /** The key's name, e.g. its user ID's name or e-mail. */
  key: string;
  /** A keyring holding the secret key in GnuPG's legacy format (gpg --export-secret-keys > secring.gpg). */
  keyring: string;
  /** A file holding the key's passphrase; none for a key without one. */
  passphraseFile?: string;
}

export interface PackageOptions {
  sign?: SigningKey;
  /** Base URL the repository will be served from, for index.yaml; entries are relative without it. */
  repositoryUrl?: string;
  /** The helm that packages; Helm 4 by default. */
  helm?: HelmRelease;
}

export interface PackagedChart {
  archive: string;
  /** The provenance file beside a signed archive. */
  provenance?: string;
  index: string;
}

/**
 * Every file in the archive carries this modification time, so the archive does not depend on when
 * the files were checked out: the same sources give the same bytes on every clone.
 */
const archiveTime = new Date('2000-01-01T00:00:00Z');

/**
 * npm run package: packages chart/ into `destination` as tempo-<version>.tgz (signed, with its .prov,
 * when a key is given) and adds it to the classic repository index destination/index.yaml. Refuses a
 * chart/ that is out of date with its sources or that helm lint --strict finds fault with.
 */
export function packageChart(destination: string, options: PackageOptions = {}): PackagedChart {
  const drifted = driftedFiles(buildChart(), paths.chart);
  if (drifted.length > 0) {
    throw new Error(`chart/ is out of date with its sources; run npm run build first:\n  ${drifted.join('\n  ')}`);
  }
  const archive = packageChartDir(paths.chart, destination, options);
  const provenance = `${archive}.prov`;
  return { archive, provenance: options.sign ? provenance : undefined, index: indexRepository(destination, options) };
}

/**
 * Packages the chart in `chartDir` into `destination` reproducibly (fixed file times, Helm 4) after
 * helm lint --strict, and returns the archive's path.
 */
export function packageChartDir(chartDir: string, destination: string, options: Pick<PackageOptions, 'sign' | 'helm'> = {}): string {
  const helm = helmBinary(options.helm ?? helmRelease('helm4'));
  const stage = mkdtempSync(path.join(os.tmpdir(), 'tempo-stage-'));
  try {
    const staged = path.join(stage, 'tempo');
    cpSync(chartDir, staged, { recursive: true });
    setTimes(staged, archiveTime);
    mkdirSync(destination, { recursive: true });
    execFileSync(helm, ['lint', '--strict', staged], { stdio: 'pipe' });
    const sign = options.sign
      ? ['--sign', '--key', options.sign.key, '--keyring', options.sign.keyring, ...(options.sign.passphraseFile ? ['--passphrase-file', options.sign.passphraseFile] : [])]
      : [];
    const output = execFileSync(helm, ['package', staged, '--destination', destination, ...sign], { encoding: 'utf8' });
    const archive = /Successfully packaged chart and saved it to: (.+\.tgz)/.exec(output)?.[1]?.trim();
    if (!archive || !existsSync(archive)) throw new Error(`helm package wrote no archive:\n${output}`);
    return archive;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Writes (or updates, keeping the versions already listed) the index.yaml of a classic chart repository folder. */
export function indexRepository(folder: string, options: Pick<PackageOptions, 'repositoryUrl' | 'helm'> = {}): string {
  const helm = helmBinary(options.helm ?? helmRelease('helm4'));
  const index = path.join(folder, 'index.yaml');
  const args = ['repo', 'index', folder];
  if (options.repositoryUrl) args.push('--url', options.repositoryUrl);
  if (existsSync(index)) args.push('--merge', index);
  execFileSync(helm, args, { stdio: 'pipe' });
  return index;
}

function setTimes(dir: string, time: Date): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) setTimes(file, time);
    utimesSync(file, time, time);
  }
  utimesSync(dir, time, time);
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      sign: { type: 'boolean', default: false },
      key: { type: 'string' },
      keyring: { type: 'string' },
      'passphrase-file': { type: 'string' },
      url: { type: 'string' },
    },
  });
  if (values.sign && !(values.key && values.keyring)) {
    console.error('--sign needs --key NAME and --keyring FILE (a legacy-format secret keyring: gpg --export-secret-keys > secring.gpg)');
    process.exit(2);
  }
  const sign = values.sign ? { key: values.key!, keyring: values.keyring!, passphraseFile: values['passphrase-file'] } : undefined;
  const packaged = packageChart(paths.dist, { sign, repositoryUrl: values.url });
  console.log(`${relative(packaged.archive)} sha256:${sha256(packaged.archive)}`);
  if (packaged.provenance) console.log(`${relative(packaged.provenance)} (verify with: helm verify ${relative(packaged.archive)} --keyring <public keyring>)`);
  console.log(relative(packaged.index));
}
