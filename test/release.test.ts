import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { paths } from '../build/paths.ts';
import { nextVersion } from '../tools/release.ts';
import { nextBreakingVersion, upgradeNoteHeading } from '../tools/releases.ts';

/**
 * npm run release, run for real in throwaway clones of this repository (so it commits and tags there,
 * never here). A clone holds what is committed, as CI's does.
 */
const clones: string[] = [];
afterAll(() => {
  for (const clone of clones) rmSync(path.dirname(clone), { recursive: true, force: true });
});

function cloneRepository(): { dir: string; git: (...args: string[]) => string; commitAll: (message: string) => void } {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tempo-release-')), 'repo');
  clones.push(dir);
  execFileSync('git', ['clone', '--quiet', paths.root, dir]);
  symlinkSync(path.join(paths.root, 'node_modules'), path.join(dir, 'node_modules'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Release Test', '-c', 'user.email=release@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
  return { dir, git, commitAll: (message) => git('commit', '--quiet', '--all', '--message', message) };
}

/** Replaces the Unreleased section's body (up to the next version's section). */
function setUnreleased(dir: string, body: string): void {
  const file = path.join(dir, 'CHANGELOG.md');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/^## \[Unreleased\]\n[\s\S]*?(?=^## \[\d)/m, `## [Unreleased]\n\n${body}\n`));
}

async function release(dir: string, bump: string) {
  return execa(process.execPath, ['--import', 'tsx', 'tools/release.ts', bump], {
    cwd: dir,
    reject: false,
    env: { GIT_AUTHOR_NAME: 'Release Test', GIT_AUTHOR_EMAIL: 'release@example.invalid', GIT_COMMITTER_NAME: 'Release Test', GIT_COMMITTER_EMAIL: 'release@example.invalid' },
  });
}

test('versions bump by semantic versioning', () => {
  expect(nextVersion('0.2.9', 'patch')).toBe('0.2.10');
  expect(nextVersion('0.2.9', 'minor')).toBe('0.3.0');
  expect(nextVersion('0.2.9', 'major')).toBe('1.0.0');
  // Semantic versioning lets 0.x break in a minor; from 1.0.0 only a major may.
  expect(nextBreakingVersion('0.3.2')).toBe('0.4.0');
  expect(nextBreakingVersion('1.2.3')).toBe('2.0.0');
});

describe.concurrent('npm run release', () => {
  test('bumps the version, files the changes under it, rebuilds, keeps the package, commits and tags', async () => {
    const { dir, git, commitAll } = cloneRepository();
    setUnreleased(dir, '### Fixed\n- A release test fix.');
    commitAll('Unreleased change');
    const before = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version as string;
    // A patch, unless the tree already breaks values of the last release and announces it: then the next breaking version.
    const breaking = nextBreakingVersion(before);
    const announced = readFileSync(path.join(dir, 'README.md'), 'utf8').includes(upgradeNoteHeading(breaking));
    const bump = !announced ? 'patch' : breaking === nextVersion(before, 'minor') ? 'minor' : 'major';
    const version = nextVersion(before, bump);

    const result = await release(dir, bump);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Released ${version}`);

    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe(version);
    expect(JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).packages[''].version).toBe(version);
    const changelog = readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`## \\[Unreleased\\]\\n\\n## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}\\n\\n### Fixed\\n- A release test fix\\.`));
    const chart = YAML.parse(readFileSync(path.join(dir, 'chart', 'Chart.yaml'), 'utf8'));
    expect(chart.version).toBe(version);
    expect(YAML.parse(chart.annotations['artifacthub.io/changes'])).toEqual([{ kind: 'fixed', description: 'A release test fix.' }]);
    expect(existsSync(path.join(dir, 'build', 'releases', `tempo-${version}.tgz`))).toBe(true);
    expect(git('status', '--porcelain')).toBe('');
    expect(git('log', '-1', '--format=%s')).toBe(`Release ${version}\n`);
    expect(git('tag', '--points-at', 'HEAD')).toBe(`v${version}\n`);
  });

  test('refuses a working tree with uncommitted changes', async () => {
    const { dir } = cloneRepository();
    writeFileSync(path.join(dir, 'stray.txt'), 'not committed\n');
    const result = await release(dir, 'minor');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Release refused: the working tree has uncommitted changes');
    expect(result.stderr).toContain('stray.txt');
  });

  test('refuses an empty Unreleased section', async () => {
    const { dir, commitAll } = cloneRepository();
    setUnreleased(dir, '');
    commitAll('Nothing unreleased');
    const result = await release(dir, 'patch');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Release refused: CHANGELOG.md: [Unreleased] lists no changes: list what this release changes under "## [Unreleased]" first');
  });

  test('refuses a major version without its upgrade note, and leaves the tree as it was', async () => {
    const { dir, git, commitAll } = cloneRepository();
    setUnreleased(dir, '### Removed\n- A value.');
    commitAll('Unreleased removal');
    const result = await release(dir, 'major');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Release refused: a major version needs an upgrade note in README\.md under "### Upgrading to \d+\.0\.0"/);
    expect(git('status', '--porcelain')).toBe('');
  });

  test('refuses to narrow the values of the previous release in a version that may not break them', async () => {
    const { dir, commitAll } = cloneRepository();
    setUnreleased(dir, '### Changed\n- Fewer replicas.');
    const schemaFile = path.join(dir, 'values.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    schema.properties.replicas.maximum = 1;
    writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
    commitAll('Narrow replicas');
    const result = await release(dir, 'patch');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/values that \d+\.\d+\.\d+ accepts would be refused, which needs version \d+\.\d+\.0 or later and its upgrade note "### Upgrading to [\d.]+" in README\.md:\n {2}replicas: maximum lowered from none to 1/);
  });
});
