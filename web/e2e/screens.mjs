/* global document, window -- read inside page.evaluate, which runs in the browser */
// Screenshots of a running Fleetwatch as an operations lead sees it: the
// overview, security updates, the SLA page and a site at 1440x900, and the
// overview and security updates on a phone (390x844). Used to compare two
// builds over the same demo fleet (`fleetwatch demo`, then `serve`):
//
//   node e2e/screens.mjs http://127.0.0.1:8080 admin@demo.example PASSWORD OUTDIR
//
// Signs in with e-mail and password (a demo user has no 2FA). Also prints, per
// page, the table rows visible without scrolling and whether the page is wider
// than the window (a table or the page cut off at the right edge).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser.mjs';

const [base, email, password, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node e2e/screens.mjs BASE_URL EMAIL PASSWORD OUTDIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const browser = await launchChromium();

async function signedIn(viewport) {
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${base}/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: false }).first().fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /overview/i }).waitFor();
  return page;
}

async function capture(page, path, name, ready) {
  await page.goto(`${base}${path}`);
  await ready(page);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  const facts = await page.evaluate(() => {
    const h = window.innerHeight;
    const rows = [...document.querySelectorAll('tbody tr, [role=listitem]')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.height > 0 && b.top >= 0 && b.bottom <= h;
    }).length;
    // A table wider than the window is cut off even when its own box scrolls.
    const right = Math.max(
      document.documentElement.scrollWidth,
      ...[...document.querySelectorAll('table')].map((t) => t.getBoundingClientRect().right),
    );
    return { rows, overflow: Math.round(right - window.innerWidth) };
  });
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(
    `${name}: ${facts.rows} rows in view, ${facts.overflow > 0 ? `${facts.overflow}px cut off at the right` : 'nothing cut off'}`,
  );
}

const table = (p) => p.locator('tbody tr, [role=listitem]').first().waitFor();
const desk = await signedIn({ width: 1440, height: 900 });
await capture(desk, '/', 'overview', table);
await capture(desk, '/security', 'security-updates', table);
await capture(desk, '/sla', 'sla', (p) => p.locator('svg, canvas').first().waitFor());
const phone = await signedIn({ width: 390, height: 844 });
await capture(phone, '/', 'phone-overview', table);
await capture(phone, '/security', 'phone-security-updates', table);
await browser.close();
