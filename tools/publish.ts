import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { helmBinary, helmRelease, type HelmRelease } from './helm.ts';
import { indexRepository } from './package.ts';
import { packageVersion, paths, relative } from '../build/paths.ts';

export interface PublishOptions {
  /** Base URL a classic repository folder is served from; index entries are relative without it. */
  repositoryUrl?: string;
  /** Talk plain HTTP to an OCI registry (a registry on loopback, say). */
  plainHttp?: boolean;
  /**
   * Push the .prov beside the archive to an OCI registry too. Off by default: Helm 3.18.0 refuses to
   * pull a chart whose manifest has a provenance layer (helm/helm#30890).
   */
  provenance?: boolean;
  /** The helm that publishes; Helm 4 by default. */
  helm?: HelmRelease;
  /** Environment for helm (registry credentials and configuration); the process's own by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * npm run publish: puts a packaged chart where users install it from. An oci:// target gets it with
 * helm push (and its provenance, when there is a .prov beside it); any other target is a classic
 * repository folder, which gets the archive and its .prov copied in and its index.yaml updated,
 * keeping the versions it already lists. Returns what it did, in words.
 */
export function publishChart(archive: string, target: string, options: PublishOptions = {}): string {
  if (!existsSync(archive)) throw new Error(`${archive} does not exist; run npm run package first`);
  const helm = helmBinary(options.helm ?? helmRelease('helm4'));
  if (target.startsWith('oci://')) {
    // helm push takes a .prov lying beside the archive along; alone in a folder of its own, it cannot.
    const alone = options.provenance ? undefined : mkdtempSync(path.join(os.tmpdir(), 'tempo-push-'));
    try {
      const pushed = alone ? path.join(alone, path.basename(archive)) : archive;
      if (alone) copyFileSync(archive, pushed);
      execFileSync(helm, ['push', pushed, target, ...(options.plainHttp ? ['--plain-http'] : [])], { stdio: 'pipe', env: options.env });
    } finally {
      if (alone) rmSync(alone, { recursive: true, force: true });
    }
    const withProvenance = options.provenance && existsSync(`${archive}.prov`) ? ' with its provenance' : '';
    return `pushed ${path.basename(archive)}${withProvenance} to ${target}`;
  }
  mkdirSync(target, { recursive: true });
  for (const file of [archive, `${archive}.prov`]) {
    if (existsSync(file)) copyFileSync(file, path.join(target, path.basename(file)));
  }
  const index = indexRepository(target, { repositoryUrl: options.repositoryUrl, helm: options.helm });
  return `copied ${path.basename(archive)} into ${target} and updated ${index}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'plain-http': { type: 'boolean', default: false },
      provenance: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) {
    console.error('usage: npm run publish -- <oci://registry/path | repository folder> [--url BASE_URL] [--plain-http] [--provenance]');
    process.exit(2);
  }
  const archive = path.join(paths.dist, `tempo-${packageVersion()}.tgz`);
  console.log(publishChart(archive, positionals[0]!, { repositoryUrl: values.url, plainHttp: values['plain-http'], provenance: values.provenance }).replace(archive, relative(archive)));
}
