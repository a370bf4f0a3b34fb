// End-to-end tests run the built CLI (dist/), exactly as users do; build it once, incrementally, with the
// package's own build script (tsc, then the bin made executable).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // npm's own CLI script when npm started us (npm test, npx vitest); else npm from the PATH
  const npmCli = process.env['npm_execpath'];
  if (npmCli) execFileSync(process.execPath, [npmCli, 'run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  else execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
}
