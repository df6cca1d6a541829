// End-to-end test of single sign-on in the dashboard: a real `fleetwatch
// serve` configured the way the README shows (FLEETWATCH_IDENTITY_PROVIDERS)
// against the test OpenID Provider (cmd/fleetwatch-testop) on loopback,
// driven by playwright-core with Debian's Chromium. A person clicks "Sign in
// with …", picks who they are at the provider, lands in the mapped
// organization with the mapped role, signs out through the provider, and
// meets a clear page when their groups give no access.
//
//   npm run e2e:sso             # builds the dashboard and the binaries first
//   E2E_SKIP_BUILD=1 npm run e2e:sso
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './browser.mjs';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(web, '..');
const shots = join(web, 'e2e', 'screenshots', 'sso');
const tmp = mkdtempSync(join(tmpdir(), 'fleetwatch-e2e-sso-'));
const started = Date.now();
const children = [];
let browser;

const log = (...a) => console.log(`[e2e-sso ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

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

function start(bin, args, env) {
  const p = spawn(bin, args, { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out = (out + d).slice(-4000)));
  p.stderr.on('data', (d) => (out = (out + d).slice(-4000)));
  children.push(p);
  return { proc: p, output: () => out };
}

async function waitFor(url, what, output) {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (i > 150) throw new Error(`${what} did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  if (!process.env.E2E_SKIP_BUILD) {
    log('building the dashboard');
    execFileSync('npm', ['run', 'build'], { cwd: web, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log('building fleetwatch and fleetwatch-testop');
  const bin = join(tmp, 'fleetwatch');
  const testop = join(tmp, 'fleetwatch-testop');
  execFileSync('go', ['build', '-o', bin, './cmd/fleetwatch'], { cwd: repo, stdio: 'inherit' });
  execFileSync('go', ['build', '-o', testop, './cmd/fleetwatch-testop'], {
    cwd: repo,
    stdio: 'inherit',
  });

  const port = await freePort();
  const opPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const issuer = `http://127.0.0.1:${opPort}`;
  const op = start(testop, [
    '--addr',
    `127.0.0.1:${opPort}`,
    '--redirect-uri',
    `${base}/api/v1/auth/sso/callback`,
  ]);
  await waitFor(`${issuer}/.well-known/openid-configuration`, 'the test provider', op.output);
  log('test provider at', issuer);

  const env = {
    ...process.env,
    FLEETWATCH_DATABASE_URL: `sqlite://${join(tmp, 'fleetwatch.db')}`,
    FLEETWATCH_SECRET_KEY: 'e2e-secret-key-0123456789-abcdefghijklmnop',
    FLEETWATCH_BCRYPT_COST: '4',
    FLEETWATCH_ADDR: `127.0.0.1:${port}`,
    FLEETWATCH_PUBLIC_URL: base,
    FLEETWATCH_RELEASE_FEED_URL: `file://${tmp}/no-feeds`,
    FLEETWATCH_ADVISORY_URL: 'http://127.0.0.1:9/advisories',
    FLEETWATCH_REDIS_URL: '',
  };
  const cli = (...args) => execFileSync(bin, args, { cwd: tmp, env, encoding: 'utf8' });
  cli('migrate');
  cli(
    'users',
    'create',
    '--email',
    'admin@example.com',
    '--password',
    'admin-password',
    '--role',
    'admin',
  );

  // The organization the provider's groups map to exists before the
  // provider is configured, as in the README.
  let server = start(bin, ['serve'], env);
  await waitFor(`${base}/readyz`, 'fleetwatch', server.output);
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
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const admin = (
    await call('POST', '/auth/login', { email: 'admin@example.com', password: 'admin-password' })
  ).data.access_token;
  const org = (await call('POST', '/organizations', { name: 'Acme Agency' }, admin)).data;
  server.proc.kill('SIGTERM');
  await new Promise((r) => server.proc.once('exit', r));

  env.FLEETWATCH_IDENTITY_PROVIDERS = JSON.stringify([
    {
      slug: 'testop',
      name: 'Test ID',
      issuer_url: issuer,
      client_id: 'fleetwatch',
      client_secret: 'fleetwatch-test-secret',
      scopes: ['email', 'profile', 'groups'],
      auto_provision: true,
      group_mappings: [
        { group: 'ops-leads', organization_id: org.id, role: 'org_admin' },
        { group: 'ops', organization_id: org.id, role: 'member' },
      ],
    },
  ]);
  server = start(bin, ['serve'], env);
  await waitFor(`${base}/readyz`, 'fleetwatch', server.output);
  log('fleetwatch at', base, 'with the provider from FLEETWATCH_IDENTITY_PROVIDERS');

  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  // Bob's groups map to Acme Agency as a member.
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
  await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
  await shot('01-provider');
  await page.getByRole('button', { name: /Sign in as bob/ }).click();
  await page.getByText('bob@example.com · Member').waitFor();
  if (new URL(page.url()).hash) throw new Error(`the token stayed in the address: ${page.url()}`);
  await shot('02-signed-in');
  const me = await page.evaluate(async () => {
    const t = JSON.parse(localStorage.getItem('fleetwatch.session')).accessToken;
    return (
      await (await fetch('/api/v1/auth/me', { headers: { Authorization: `Bearer ${t}` } })).json()
    ).data;
  });
  if (me.organization_id !== org.id || me.role !== 'member')
    throw new Error(`bob landed in ${me.organization_id} as ${me.role}`);
  log('bob signed in through the provider: member of Acme Agency');

  // Sign-out goes through the provider's end-session page and back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/sign-in`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  log('signed out through the provider, back at the sign-in page');

  // Erin's groups map to nothing: a clear page, no session.
  await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
  await page.getByRole('button', { name: /Sign in as erin/ }).click();
  const reason = await page.locator('#sso-error').textContent();
  if (!/None of your groups/.test(reason ?? '')) throw new Error(`erin saw: ${reason}`);
  await shot('03-no-access');
  log('erin refused with a clear page');

  // Alice is an ops lead: org admin, and the admin sees the provider.
  await page.getByRole('link', { name: 'Back to the sign-in page' }).click();
  await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
  await page.getByRole('button', { name: /Sign in as alice/ }).click();
  await page.getByText('alice@example.com · Organization admin').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/sign-in`);
  await page.getByLabel('E-mail').fill('admin@example.com');
  await page.getByLabel('Password', { exact: false }).first().fill('admin-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('link', { name: 'Single sign-on' }).click();
  await page.getByRole('table', { name: 'Identity providers' }).getByText('Test ID').waitFor();
  await shot('04-admin');
  // The admin adds a provider in the dashboard.
  await page.getByRole('button', { name: 'New identity provider' }).click();
  await page.getByLabel('Name on the button').fill('Second ID');
  await page.getByLabel('Slug').fill('second');
  await page.getByLabel('Issuer URL').fill('https://id.example.com');
  await page.getByLabel('Client id').fill('fleetwatch');
  await page.getByLabel('Client secret').fill('second-secret');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('table', { name: 'Identity providers' }).getByText('Second ID').waitFor();
  const listed = await call('GET', '/admin/identity-providers', undefined, admin);
  const second = listed.data.find((p) => p.slug === 'second');
  if (!second?.client_secret_set || 'client_secret' in second)
    throw new Error(`the provider made in the dashboard: ${JSON.stringify(second)}`);
  log('alice signed in as organization admin; the admin page lists the provider');

  if (pageErrors.length) throw new Error(`page errors:\n${pageErrors.join('\n')}`);
}

try {
  await main();
  log(`passed; screenshots in ${shots}`);
} catch (err) {
  console.error(err);
  for (const c of children) console.error(c.spawnargs[0]);
  console.error(`[e2e-sso] FAILED; screenshots so far in ${shots}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  for (const c of children) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
