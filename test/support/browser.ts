/**
 * The headless Chromium the browser tests drive: the one `npm install` brings (@sparticuz/chromium
 * ships a Linux x64 Chromium inside its npm package, unpacked on first use), so `npm test` needs
 * no other install; UVPV_CHROMIUM names another one (e.g. /usr/bin/chromium).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const OURS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The package is an ES module, which jest's CommonJS runtime cannot load: a node of its own asks it.
const ASK = "import c from '@sparticuz/chromium'; console.log(JSON.stringify({ executablePath: await c.executablePath(), args: c.args }));";

export function headlessChromium(): { executablePath: string; args: string[] } {
  const own = process.env.UVPV_CHROMIUM;
  if (own) return { executablePath: own, args: OURS };
  const bundled = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', ASK], { cwd: resolve(__dirname, '../..'), encoding: 'utf8' })) as {
    executablePath: string;
    args: string[];
  };
  return { executablePath: bundled.executablePath, args: [...new Set([...bundled.args, ...OURS.filter((a) => a !== '--headless')])] };
}
