// Starts the yijia binary on a fresh, temporary data directory with the demo community loaded,
// and removes the directory when the server stops. Playwright's `webServer` runs this script.
//
//   YIJIA_BIN  the binary (default: ../target/release/yijia, built by the caller)
//   E2E_PORT   the port on 127.0.0.1 (default: 18181)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, process.env.YIJIA_BIN || '../target/release/yijia');
const port = process.env.E2E_PORT || '18181';

if (!existsSync(bin)) {
  console.error(`e2e: no yijia binary at ${bin}; build it first (cargo build --release -p yijia) or set YIJIA_BIN`);
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'yijia-e2e-'));
const cleanup = () => rmSync(dataDir, { recursive: true, force: true });

const child = spawn(bin, ['--data-dir', dataDir, 'serve', '--demo', '--listen', `127.0.0.1:${port}`], {
  stdio: ['ignore', 'inherit', 'inherit'],
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  console.error(`e2e: could not start ${bin}: ${err.message}`);
  cleanup();
  process.exit(2);
});
child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 0 : 1));
});
