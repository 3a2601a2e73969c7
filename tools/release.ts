import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { releaseChangelog, unreleased, changesFor } from '../build/changelog.ts';
import { buildChart } from '../build/chart.ts';
import { schemaNarrowings } from './compat.ts';
import { BuildError } from '../build/errors.ts';
import { writeOutput } from '../build/output.ts';
import { packageChartDir } from './package.ts';
import { packageVersion, paths, relative } from '../build/paths.ts';
import { compareVersions, latestReleaseUpTo, nextBreakingVersion, parseVersion, releasedValuesSchema, upgradeNoteHeading } from './releases.ts';
import type { SchemaNode } from '../build/schema.ts';

export type Bump = 'patch' | 'minor' | 'major';

export function nextVersion(version: string, bump: Bump): string {
  const [major, minor, patch] = parseVersion(version);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * npm run release -- <patch|minor|major>: cuts a release of the chart in one step, and refuses
 * before touching anything when it should not:
 *   - a working tree with uncommitted changes (the release must be exactly what is committed);
 *   - an empty Unreleased section in CHANGELOG.md (a release says what it changes);
 *   - a major version without its upgrade note in README.md;
 *   - values the previous release accepted and this one refuses, unless the version may break them
 *     (a major, or a minor before 1.0.0) and README.md has its upgrade note.
 * It then files the Unreleased changes under the new version, sets the version in package.json,
 * rebuilds the chart, keeps its package in build/releases/ (what the upgrade guard checks later
 * changes against), commits and tags vX.Y.Z.
 */
export function cutRelease(bump: Bump, date = new Date().toISOString().slice(0, 10)): { version: string; archive: string } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: paths.root, encoding: 'utf8' });
  const dirty = git('status', '--porcelain');
  if (dirty.trim() !== '') throw new Error(`the working tree has uncommitted changes; commit or stash them first:\n${dirty}`);

  const changelogName = relative(paths.changelog);
  const changelog = readFileSync(paths.changelog, 'utf8');
  try {
    changesFor(changelogName, changelog, unreleased);
  } catch (error) {
    if (error instanceof BuildError) throw new Error(`${error.message}: list what this release changes under "## [${unreleased}]" first`);
    throw error;
  }
  const current = packageVersion();
  const version = nextVersion(current, bump);
  if (bump === 'major' && !readFileSync(paths.readme, 'utf8').includes(upgradeNoteHeading(version))) {
    throw new Error(`a major version needs an upgrade note in README.md under "${upgradeNoteHeading(version)}": what users must change, and why`);
  }
  const previous = latestReleaseUpTo(current);
  if (previous) {
    const released = releasedValuesSchema(previous);
    const built = buildChart();
    const now = JSON.parse(built.get(path.join(paths.chart, 'values.schema.json'))!) as SchemaNode;
    const narrowings = schemaNarrowings(released, now);
    const breaking = compareVersions(version, nextBreakingVersion(previous.version)) >= 0;
    if (narrowings.length > 0 && !(breaking && readFileSync(paths.readme, 'utf8').includes(upgradeNoteHeading(version)))) {
      throw new Error(
        `values that ${previous.version} accepts would be refused, which needs version ${nextBreakingVersion(previous.version)} or later and its upgrade note "${upgradeNoteHeading(version)}" in README.md:\n  ${narrowings.join('\n  ')}`,
      );
    }
  }

  writeFileSync(paths.changelog, releaseChangelog(changelogName, changelog, version, date));
  for (const file of [paths.packageJson, path.join(paths.root, 'package-lock.json')]) {
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.version = version;
    if (manifest.packages?.['']) manifest.packages[''].version = version;
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  writeOutput(buildChart(), paths.chart);
  const archive = packageChartDir(paths.chart, paths.releases);
  git('add', '--all');
  git('commit', '--quiet', '--message', `Release ${version}`);
  git('tag', `v${version}`);
  return { version, archive };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const bump = process.argv[2];
  if (bump !== 'patch' && bump !== 'minor' && bump !== 'major') {
    console.error('usage: npm run release -- <patch|minor|major>');
    process.exit(2);
  }
  try {
    const { version, archive } = cutRelease(bump);
    console.log(`Released ${version}: committed, tagged v${version}, package kept as ${relative(archive)}.`);
    console.log('Next: npm run package -- --sign --key NAME --keyring FILE, then npm run publish -- <target>, and push the commit and tag.');
  } catch (error) {
    console.error(`Release refused: ${(error as Error).message}`);
    process.exit(1);
  }
}
