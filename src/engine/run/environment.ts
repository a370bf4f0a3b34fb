// Facts about the machine and software recorded in every manifest (not part of keys: a stage
// that depends on one declares it through its `environment` hook).
import { readFileSync } from 'node:fs';
import { arch, cpus, platform, release } from 'node:os';

function ownVersion(): string {
  try {
    // src/engine/run and dist/engine/run are both three levels below the package root
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    return `${manifest.name ?? '?'}@${manifest.version ?? '?'}`;
  } catch {
    return 'unknown';
  }
}

export function environmentFacts(): Record<string, string> {
  return {
    node: process.version,
    glioflow: ownVersion(),
    platform: `${platform()} ${release()} ${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: String(cpus().length),
  };
}
