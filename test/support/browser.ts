/**
 * The headless Chromium the browser tests drive: the one `npm install` brings (@sparticuz/chromium
 * ships a Linux x64 Chromium inside its npm package, unpacked into the temp folder on first use),
 * so `npm test` needs no other install; UVPV_CHROMIUM names another one (e.g. /usr/bin/chromium).
 *
 * The package also ships the shared libraries Chromium needs beyond libc (NSS, NSPR, expat), but
 * unpacks them only where it believes it runs on Amazon Linux (AWS_LAMBDA_JS_RUNTIME says so):
 * told that, it unpacks them too, and the browser is started with them on LD_LIBRARY_PATH, so a
 * machine without a browser of its own needs nothing more.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const OURS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The package is an ES module, which jest's CommonJS runtime cannot load: a node of its own asks it.
const ASK =
  "import c from '@sparticuz/chromium'; console.log(JSON.stringify({ executablePath: await c.executablePath(), args: c.args, libraries: process.env.LD_LIBRARY_PATH }));";

export function headlessChromium(): { executablePath: string; args: string[]; env?: Record<string, string> } {
  const own = process.env.UVPV_CHROMIUM;
  if (own) return { executablePath: own, args: OURS };
  // The package unpacks only what is missing, judged by the browser: without its libraries beside
  // it (unpacked by an earlier run not told to), it unpacks everything again.
  if (!existsSync(join(tmpdir(), 'al2023', 'lib', 'libnss3.so'))) rmSync(join(tmpdir(), 'chromium'), { force: true });
  const bundled = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', ASK], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
      env: { ...process.env, AWS_LAMBDA_JS_RUNTIME: 'nodejs20.x' },
    }),
  ) as { executablePath: string; args: string[]; libraries: string };
  return {
    executablePath: bundled.executablePath,
    args: [...new Set([...bundled.args, ...OURS.filter((a) => a !== '--headless')])],
    env: { ...(process.env as Record<string, string>), LD_LIBRARY_PATH: bundled.libraries },
  };
}
