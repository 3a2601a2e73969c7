import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { paths } from '../build/paths.ts';
import type { SchemaNode } from '../build/schema.ts';

/** A version as [major, minor, patch]; pre-release and build suffixes are not used by this chart. */
export function parseVersion(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a MAJOR.MINOR.PATCH version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/**
 * The first version after `version` that may break what users run: the next minor before 1.0.0 (as
 * semantic versioning allows), the next major from then on.
 */
export function nextBreakingVersion(version: string): string {
  const [major, minor] = parseVersion(version);
  return major === 0 ? `0.${minor + 1}.0` : `${major + 1}.0.0`;
}

/** The README heading of a release's upgrade note, which a breaking release must have. */
export function upgradeNoteHeading(version: string): string {
  return `### Upgrading to ${version}`;
}

export interface StoredRelease {
  version: string;
  archive: string;
}

/** The packages of released versions kept in build/releases/, oldest first. */
export function storedReleases(dir = paths.releases): StoredRelease[] {
  return readdirSync(dir)
    .map((name) => /^tempo-(\d+\.\d+\.\d+)\.tgz$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ version: match[1]!, archive: path.join(dir, match[0]) }))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/** The newest release at or before `version`: what users upgrade from. */
export function latestReleaseUpTo(version: string, dir = paths.releases): StoredRelease | undefined {
  return storedReleases(dir).filter((release) => compareVersions(release.version, version) <= 0).at(-1);
}

/** The values schema a released package carries: what its users' values files were checked against. */
export function releasedValuesSchema(release: StoredRelease): SchemaNode {
  const text = readChartArchive(release.archive).get('tempo/values.schema.json');
  if (text === undefined) throw new Error(`${release.archive} holds no tempo/values.schema.json`);
  return JSON.parse(text) as SchemaNode;
}

/** The files of a chart archive (a gzipped ustar file, as helm package writes it), by path. */
export function readChartArchive(archive: string): Map<string, string> {
  const tar = gunzipSync(readFileSync(archive));
  const files = new Map<string, string>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files.set(name, tar.subarray(offset + 512, offset + 512 + size).toString('utf8'));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
