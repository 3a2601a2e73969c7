import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { packageChart } from '../build/package.ts';
import { helmReleases, render } from './helpers/helm.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('npm run package makes the same archive every time, and both helm versions install from it', async () => {
  const first = packageChart(mkdtempSync(path.join(os.tmpdir(), 'tempo-package-')));
  const second = packageChart(mkdtempSync(path.join(os.tmpdir(), 'tempo-package-')));
  expect(path.basename(first)).toMatch(/^tempo-\d+\.\d+\.\d+\.tgz$/);
  expect(sha256(second)).toBe(sha256(first));
  for (const helm of helmReleases) {
    const rendered = await render(helm, { chartDir: first });
    expect(rendered.get('Deployment', 'tempo').spec.template.spec.containers[0].image).toBe('docker.io/grafana/tempo:2.5.0');
  }
});
