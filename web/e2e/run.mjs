/* global document, window -- read inside page.evaluate and addInitScript, which run in the browser */
// End-to-end test of the dashboard against a real `fleetwatch serve` on a
// fresh SQLite database and a free port, driven by playwright-core with
// Debian's Chromium (no browser download). Seeds through the API: an admin
// (fleetwatch users create), an organization, sites, a user with 2FA.
//
//   npm run e2e                 # builds the dashboard and the binary first
//   E2E_SKIP_BUILD=1 npm run e2e
//   CHROMIUM=/path/to/chrome npm run e2e
//
// Screenshots go to web/e2e/screenshots/ (printed at the end).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOTP } from 'otpauth';
import { auditDashboard } from './a11y.mjs';
import { launchChromium } from './browser.mjs';
import { checkFinding } from './finding.mjs';
import { checkDemoViews } from './views.mjs';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(web, '..');
const shots = join(web, 'e2e', 'screenshots');
const tmp = mkdtempSync(join(tmpdir(), 'fleetwatch-e2e-'));
const bin = join(tmp, 'fleetwatch');
const started = Date.now();
let server;
let browser;
// Content-Security-Policy violations the browser reported (none may be).
const cspViolations = [];

const log = (...a) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * Starts `fleetwatch serve` and waits until it is ready. Its log is read as it
 * comes (the last 4,000 characters are kept for an error): a pipe nobody reads
 * fills at 64 KiB, and then every request blocks in the server's request log
 * line, which looks like a browser that stays on "Loading…".
 */
async function serve(base, cwd, env) {
  const child = spawn(bin, ['serve'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let serverLog = '';
  child.stderr.on('data', (d) => (serverLog = (serverLog + d).slice(-4000)));
  child.on('exit', (code) => code && log('server exited', code, serverLog));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return child;
    } catch {
      /* not yet */
    }
    if (i > 100) throw new Error(`server did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  if (!process.env.E2E_SKIP_BUILD) {
    log('building the dashboard');
    execFileSync('npm', ['run', 'build'], { cwd: web, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log('building fleetwatch');
  execFileSync('go', ['build', '-o', bin, './cmd/fleetwatch'], { cwd: repo, stdio: 'inherit' });

  // A local release-feed mirror ({project}/current): aaa_update_test 8.x-1.0
  // is insecure in it (8.x-1.2 is a security release), which opens an exposure.
  const feeds = join(tmp, 'feeds');
  mkdirSync(join(feeds, 'aaa_update_test'), { recursive: true });
  copyFileSync(
    join(repo, 'httpapi', 'testdata', 'aaa_update_test.sec.8.x-1.2.xml'),
    join(feeds, 'aaa_update_test', 'current'),
  );

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    FLEETWATCH_DATABASE_URL: `sqlite://${join(tmp, 'fleetwatch.db')}`,
    FLEETWATCH_SECRET_KEY: 'e2e-secret-key-0123456789-abcdefghijklmnop',
    FLEETWATCH_BCRYPT_COST: '4',
    FLEETWATCH_ADDR: `127.0.0.1:${port}`,
    FLEETWATCH_PUBLIC_URL: base,
    // No test reaches the internet: feeds come from the local mirror, advisories from nowhere.
    FLEETWATCH_RELEASE_FEED_URL: `file://${feeds}`,
    FLEETWATCH_ADVISORY_URL: 'http://127.0.0.1:9/advisories',
    FLEETWATCH_REDIS_URL: '',
  };
  execFileSync(
    bin,
    [
      'users',
      'create',
      '--email',
      'admin@example.com',
      '--password',
      'admin-password',
      '--role',
      'admin',
    ],
    {
      cwd: tmp,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  server = await serve(base, tmp, env);
  log('server ready at', base);

  // Seed through the API.
  const call = async (method, path, body, token) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok && res.status !== 202) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return json;
  };
  const admin = (
    await call('POST', '/auth/login', { email: 'admin@example.com', password: 'admin-password' })
  ).data.access_token;
  const org = (await call('POST', '/organizations', { name: 'Acme Agency' }, admin)).data;
  const sites = [];
  for (const [name, url] of [
    ['Acme www', 'https://www.acme.example'],
    ['Acme shop', 'https://shop.acme.example'],
    ['Acme intranet', 'https://intranet.acme.example'],
  ]) {
    sites.push((await call('POST', '/sites', { name, url, organization_id: org.id }, admin)).data);
  }
  await call(
    'POST',
    '/users',
    {
      name: 'Dana Ops',
      email: 'dana@acme.example',
      password: 'dana-password-1',
      role: 'org_admin',
      organization_id: org.id,
    },
    admin,
  );
  const dana = (
    await call('POST', '/auth/login', { email: 'dana@acme.example', password: 'dana-password-1' })
  ).data.access_token;
  const setup = (await call('POST', '/auth/2fa/setup', undefined, dana)).data;
  const totp = new TOTP({ secret: setup.secret, digits: 6, period: 30, algorithm: 'SHA1' });
  // Enrol with the previous step's code (accepted with one step of skew), so
  // the sign-in below can use the current one without a replay wait.
  await call(
    'POST',
    '/auth/2fa/enable',
    { code: totp.generate({ timestamp: Date.now() - 30_000 }) },
    dana,
  );
  log('seeded: 1 organization, 3 sites, dana@acme.example with 2FA');

  // A site key for the agent; the inventory is pushed later, while the site page is open.
  const agentKey = (
    await call('POST', `/sites/${sites[0].id}/api-keys`, { name: 'e2e-agent' }, admin)
  ).data.key;
  const push = async () => {
    const res = await fetch(`${base}/api/v1/ingest/inventory`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${agentKey}` },
      body: JSON.stringify({
        collected_at: new Date().toISOString(),
        drupal: { core_version: '10.3.6', php_version: '8.3.1' },
        modules: [
          { name: 'drupal', type: 'core', version: '10.3.6' },
          { name: 'token', type: 'module', version: '8.x-1.15' },
          { name: 'aaa_update_test', type: 'module', version: '8.x-1.0' },
          { name: 'acme_events', type: 'module', version: '1.0.0', source: 'custom' },
        ],
      }),
    });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };

  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  // Any Content-Security-Policy violation fails the test: the browser
  // reports each as a securitypolicyviolation event in the page and as a
  // "Refused to …" console message.
  await context.exposeBinding('__fleetwatchCSPViolation', (_source, v) => cspViolations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__fleetwatchCSPViolation(
        `${e.effectiveDirective} refused ${e.blockedURI || 'inline code'} on ${document.location.pathname}` +
          (e.sourceFile ? ` (${e.sourceFile}:${e.lineNumber})` : '') +
          (e.sample ? `: ${e.sample}` : ''),
      ),
    );
  });
  context.on('console', (m) => {
    if (/Refused to|Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const shot = async (name, p = page) => {
    await p.waitForTimeout(300);
    await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  // Sign in with 2FA.
  const first = await page.goto(`${base}/`);
  const policy = first?.headers()['content-security-policy'] ?? '';
  if (!/default-src 'self'/.test(policy) || !/frame-ancestors 'none'/.test(policy))
    throw new Error(`the dashboard sends no Content-Security-Policy: ${policy}`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot('01-sign-in');
  await page.getByLabel('E-mail').fill('dana@acme.example');
  await page.getByLabel('Password', { exact: false }).first().fill('dana-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel(/authentication code/i).waitFor();
  await shot('02-sign-in-2fa');
  for (let attempt = 0; ; attempt++) {
    await page.getByLabel(/authentication code/i).fill(totp.generate());
    await page.getByRole('button', { name: 'Verify' }).click();
    const ok = await page
      .getByRole('heading', { name: 'Fleet overview' })
      .waitFor({ timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    if (ok) break;
    // The enrolment code may not be reused: wait for the next 30-second step.
    if (attempt > 0) throw new Error('2FA sign-in failed');
    log('code refused, waiting for the next TOTP step');
    await page.waitForTimeout(31_000 - (Date.now() % 30_000));
  }
  log('signed in with 2FA');

  // The overview (summary cards, or "not available yet" on an older server).
  await page
    .getByText(/Security updates|not available on this server yet/i)
    .first()
    .waitFor();
  await shot('03-overview');

  // Sites list, sorted through the URL.
  await page.getByRole('link', { name: 'Sites', exact: true }).click();
  await page.getByRole('link', { name: 'Acme intranet' }).waitFor();
  await page.getByRole('button', { name: /^Name/ }).click();
  await page.waitForURL(/sort=-name/);
  await shot('04-sites');

  // A site: create and revoke a key.
  await page.getByRole('link', { name: 'Acme www' }).click();
  await page.getByRole('heading', { name: 'Acme www' }).waitFor();
  // Watch a pushed inventory appear live (SSE), without a reload.
  await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
  await page.getByText(/has not pushed an inventory/).waitFor();
  const navigations = [];
  page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
  await push();
  log('pushed an inventory for Acme www');
  await page.getByRole('table', { name: 'Inventory' }).waitFor({ timeout: 15_000 });
  await page.getByRole('row', { name: /aaa_update_test/ }).waitFor();
  if (navigations.length) throw new Error(`the page reloaded: ${navigations.join(', ')}`);
  log('inventory appeared live, without a reload');
  // The admin refreshes the feeds (the exposure may already be open from the push).
  const refreshed = (await call('POST', '/admin/feeds/refresh', undefined, admin)).data;
  log('feeds refreshed:', JSON.stringify(refreshed));
  await shot('05-site');
  await page.getByRole('tab', { name: 'API keys' }).click();
  await page.getByLabel(/new key name/i).fill('web01');
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'API key created' });
  await dialog.waitFor();
  const key = await dialog.getByLabel('New API key').textContent();
  if (!key?.startsWith('fwk_')) throw new Error(`the new key is not shown: ${key}`);
  await shot('06-key-created');
  await dialog.getByRole('button', { name: /saved the key/i }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.getByRole('row', { name: /web01/ });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke this key?' })
    .getByRole('button', { name: 'Revoke key' })
    .click();
  await row.getByText(/Revoked/).waitFor();
  await shot('07-key-revoked');
  log('created and revoked a site key');

  // Accept a risk on the Security updates page.
  await page.goto(`${base}/security`);
  await page.getByRole('heading', { name: 'Security updates', level: 1 }).waitFor();
  const exposureRow = page.getByRole('row', { name: /aaa_update_test/ });
  await exposureRow.getByRole('button', { name: /accept risk/i }).click();
  const drawer = page.getByRole('dialog', { name: /aaa_update_test on Acme www/ });
  await drawer.getByRole('button', { name: 'Accept risk' }).click();
  await drawer.getByText(/say why the team accepts this risk/i).waitFor();
  await drawer.getByLabel('Justification').fill('Mitigated by a WAF rule until the next release.');
  await shot('16-accept-risk');
  await drawer.getByRole('button', { name: 'Accept risk' }).click();
  await drawer.getByText('Mitigated by a WAF rule until the next release.').waitFor();
  // Who accepted it, by name.
  await drawer
    .locator('p')
    .filter({ hasText: /^Accepted .* by Dana Ops; expires/ })
    .waitFor();
  await drawer
    .getByText(/Accepted until/)
    .first()
    .waitFor();
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });
  await exposureRow.getByText(/Accepted until/).waitFor();
  // The accepted ones apart (the SLA filter; the report is cached by the server for a minute,
  // so stay in this tab, which remembers what it accepted).
  await page
    .getByRole('textbox', { name: 'SLA' })
    .or(page.getByRole('combobox', { name: 'SLA' }))
    .first()
    .click();
  await page.getByRole('option', { name: 'Risk accepted' }).click();
  await page.waitForURL(/accepted=true/);
  await page
    .getByRole('row', { name: /aaa_update_test/ })
    .getByText(/Accepted until/)
    .waitFor();
  await shot('17-risk-accepted');
  log('accepted a risk');

  // Export a report table as CSV.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csvPath = join(tmp, 'export.csv');
  await download.saveAs(csvPath);
  const csv = readFileSync(csvPath, 'utf8');
  const [header, ...csvRows] = csv.trim().split(/\r?\n/);
  if (!/\.csv$/.test(download.suggestedFilename()) || csv.trimStart().startsWith('{'))
    throw new Error(`the export is not CSV: ${download.suggestedFilename()} ${csv.slice(0, 200)}`);
  if (!header.includes(',') || !/project/i.test(header) || !/site/i.test(header))
    throw new Error(`the CSV has no header row: ${header}`);
  if (!csvRows.some((r) => r.includes('aaa_update_test')))
    throw new Error(`the CSV lacks the accepted exposure:\n${csv.slice(0, 500)}`);
  log(`exported ${download.suggestedFilename()}: ${header}`);

  // Integration keys of the organization.
  await page.goto(`${base}/admin/organizations`);
  await page.getByRole('button', { name: 'Integration keys of Acme Agency' }).click();
  const keys = page.getByRole('dialog', { name: 'Integration keys of Acme Agency' });
  await keys.getByLabel(/new integration key name/i).fill('grafana');
  await keys.getByLabel('Scope').selectOption('read');
  await keys.getByRole('button', { name: 'Create key' }).click();
  const keyDialog = page.getByRole('dialog', { name: 'Integration key created' });
  await keyDialog.waitFor();
  const integrationKey = await keyDialog.getByLabel('New integration key').textContent();
  if (!/^fw[a-z]_/.test(integrationKey ?? ''))
    throw new Error(`no integration key: ${integrationKey}`);
  await shot('18-integration-key-created');
  await keyDialog.getByRole('button', { name: /saved the key/i }).click();
  await keyDialog.waitFor({ state: 'hidden' });
  const keyRow = keys.getByRole('row', { name: /grafana/ });
  await keyRow.getByRole('button', { name: 'Revoke' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke this integration key?' })
    .getByRole('button', { name: 'Revoke key' })
    .click();
  await keyRow.getByText(/Revoked/).waitFor();
  await shot('19-integration-keys');
  await page.keyboard.press('Escape');
  log('created and revoked an integration key');

  // Notification preferences.
  await page.goto(`${base}/account`);
  await page.getByRole('switch', { name: 'Send Webhook notifications' }).check({ force: true });
  await page.getByLabel('Webhook URL').fill('https://hooks.example.com/fleetwatch');
  await page.getByRole('button', { name: 'Save notification preferences' }).click();
  await page.getByText('Notification preferences saved.').waitFor();
  // This server has no mail server: the page says so, and the test e-mail is off.
  await page.getByText('This server sends no e-mail').waitFor();
  if (!(await page.getByRole('button', { name: 'Send a test e-mail' }).isDisabled()))
    throw new Error('the test e-mail button is enabled on a server that sends no e-mail');
  log('saved notification preferences; warned that this server sends no e-mail');

  // The other main pages.
  for (const [name, path, text] of [
    ['08-security-updates', '/security', /Security updates/],
    ['09-sla', '/sla', /SLA compliance/],
    ['10-users', '/admin/users', /Users/],
    ['11-organizations', '/admin/organizations', /Organizations/],
    ['12-activity', '/admin/activity', /Activity/],
    ['13-account', '/account', /Your account/],
  ]) {
    await page.goto(`${base}${path}`);
    await page.getByRole('heading', { name: text, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle').catch(() => {});
    await shot(name);
  }

  // Exports, the overview, finding things (e2e/finding.mjs).
  await checkFinding({ base, page, call, admin, sites, tmp, log, shot });

  // Phone width.
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${base}/`);
  await phone.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  await shot('14-overview-phone', phone);
  await phone.getByRole('button', { name: 'Toggle navigation' }).click();
  await shot('15-navigation-phone', phone);

  // Sign out.
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  log('signed out');

  // The demo fleet: `fleetwatch demo` on a fresh database, served with its own
  // feeds; the overview must show what needs patching.
  const demoDir = join(tmp, 'demo');
  mkdirSync(demoDir);
  const demoEnv = {
    ...env,
    FLEETWATCH_DATABASE_URL: `sqlite://${join(demoDir, 'fleetwatch.db')}`,
    FLEETWATCH_RELEASE_FEED_URL: `file://${join(demoDir, 'fleetwatch-demo', 'release-history')}`,
    FLEETWATCH_ADVISORY_URL: `file://${join(demoDir, 'fleetwatch-demo', 'advisories')}`,
  };
  const demoOut = execFileSync(bin, ['demo', '--sites-per-org', '3'], {
    cwd: demoDir,
    env: demoEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const demoLogin = demoOut.match(/^\s+admin@demo\.example\s+(\S+)\s+admin/m);
  if (!demoLogin) throw new Error(`demo printed no admin sign-in:\n${demoOut}`);
  log(
    'demo loaded:',
    demoOut.split('\n').find((l) => l.startsWith('Open exposures')),
  );
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  server = await serve(base, demoDir, demoEnv);
  const demo = await context.newPage();
  await demo.goto(`${base}/`);
  await demo.getByLabel('E-mail').fill('admin@demo.example');
  await demo.getByLabel('Password', { exact: false }).first().fill(demoLogin[1]);
  await demo.getByRole('button', { name: 'Sign in' }).click();
  await demo.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  await demo.getByText('Security updates by severity').waitFor();
  await demo.waitForLoadState('networkidle').catch(() => {});
  const summary = await call(
    'GET',
    '/reports/summary',
    undefined,
    (await call('POST', '/auth/login', { email: 'admin@demo.example', password: demoLogin[1] }))
      .data.access_token,
  );
  if (!(summary.data.security_updates > 0 && summary.data.sites === 9)) {
    throw new Error(`demo summary: ${JSON.stringify(summary.data)}`);
  }
  await shot('20-demo-overview', demo);
  await demo.getByRole('link', { name: 'Security updates' }).first().click();
  await demo.waitForLoadState('networkidle').catch(() => {});
  await shot('21-demo-security-updates', demo);
  log(
    `demo overview: ${summary.data.security_updates} security updates, ${summary.data.overdue_exposures} overdue`,
  );

  // PHP libraries: the most widespread vulnerable ones across the fleet, and a
  // site's Libraries tab with its advisories linked to GitHub or cve.org.
  await demo.goto(`${base}/modules?type=library`);
  const libTable = demo.getByRole('table', { name: 'Modules' });
  await libTable.waitFor({ timeout: 30_000 }).catch(async (err) => {
    await shot('22-demo-vulnerable-libraries-failed', demo);
    throw new Error(
      `no Modules table at /modules?type=library: ${err.message}\n${await demo.locator('body').innerText()}`,
    );
  });
  const topLibrary = await libTable.locator('tbody tr').first().innerText();
  if (!/\/.+\t\d+\t[1-9]/.test(topLibrary.replace(/\s*\n\s*/g, '\t')))
    throw new Error(`the most widespread library needs no security update: ${topLibrary}`);
  await shot('22-demo-vulnerable-libraries', demo);
  const demoToken = (
    await call('POST', '/auth/login', { email: 'admin@demo.example', password: demoLogin[1] })
  ).data.access_token;
  const libExposures = await call(
    'GET',
    '/exposures?state=open&per_page=100&sort=severity',
    undefined,
    demoToken,
  );
  const libExposure = libExposures.data.find((e) => e.project.includes('/'));
  if (!libExposure) throw new Error('the demo has no library exposure');
  await demo.goto(`${base}/sites/${libExposure.site_id}?tab=libraries&show=security`);
  const libs = demo.getByRole('table', { name: 'Libraries' });
  await libs.waitFor();
  // The advisories come with the site's open security updates (a query of their own).
  if (!libExposure.advisories?.length) throw new Error('a library exposure names no advisory');
  await libs.getByRole('link', { name: libExposure.advisories[0], exact: true }).first().waitFor();
  const advisoryLinks = await libs
    .locator(
      'a[href^="https://github.com/advisories/"], a[href^="https://www.cve.org/"], a[href^="https://github.com/FriendsOfPHP/"]',
    )
    .count();
  if (advisoryLinks === 0)
    throw new Error('the Libraries tab links no GHSA, CVE or FriendsOfPHP advisory');
  await shot('23-demo-site-libraries', demo);
  // Its patch runs, one line each, paged.
  await demo.getByRole('tab', { name: 'Patch runs' }).click();
  const runs = demo.getByRole('table', { name: 'Patch runs' });
  await runs.waitFor();
  const firstRun = await runs.locator('tbody tr').first().innerText();
  if (!/→/.test(firstRun) || (await runs.locator('tbody tr').count()) > 25)
    throw new Error(`patch runs are not one line each, 25 a page: ${firstRun}`);
  await shot('24-demo-site-patch-runs', demo);
  // An admin sees whose each security update is.
  await demo.goto(`${base}/security`);
  await demo.getByRole('columnheader', { name: 'Organization' }).waitFor();
  log(
    `libraries: top vulnerable library "${topLibrary.split('\n')[0]}"; ${libExposure.site_name} shows ${advisoryLinks} advisory links on its Libraries tab`,
  );

  // What the operations lead reads on the demo fleet (e2e/views.mjs).
  await checkDemoViews({ page: demo, base, call, token: demoToken, log, shot });

  // Accessibility (axe-core) and layout on every page state, light and dark, desktop and phone.
  const demoSignIn = async (p) => {
    await p.goto(`${base}/sign-in`);
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    await p.getByLabel('E-mail').fill('admin@demo.example');
    await p.getByLabel('Password', { exact: false }).first().fill(demoLogin[1]);
    await p.getByRole('button', { name: 'Sign in' }).click();
  };
  log(await auditDashboard({ browser, base, shots, signIn: demoSignIn, log }));

  if (consoleErrors.length) throw new Error(`page errors:\n${consoleErrors.join('\n')}`);
  if (cspViolations.length)
    throw new Error(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
  // The watch itself works: an inline script added to a page is refused and seen.
  await demo.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
  });
  for (let i = 0; i < 50 && !cspViolations.length; i++) await demo.waitForTimeout(100);
  if (!cspViolations.length || (await demo.evaluate(() => window.__inlineRan)))
    throw new Error('an inline script ran or was not reported: the CSP watch is blind');
  log(`no Content-Security-Policy violation (${policy})`);
}

try {
  await main();
  log(`passed; screenshots in ${shots}`);
} catch (err) {
  console.error(err);
  if (cspViolations.length)
    console.error(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
  console.error(`[e2e] FAILED; screenshots so far in ${shots}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  server?.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
