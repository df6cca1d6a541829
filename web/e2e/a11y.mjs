/* global document, window -- read inside page.evaluate, which runs in the browser */
// Accessibility and layout checks of the end-to-end run (run.mjs calls
// auditDashboard on the demo fleet): axe-core on every page state, in light
// and dark, with no serious or critical violation allowed; the security
// updates table at 1440×900 showing at least 15 rows with nothing cut off at
// the right edge; phones getting stacked cards that open the drawer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Rows the security updates table must show at once at 1440×900. */
export const minVisibleRows = 15;

/**
 * Runs axe-core in page (injected through the DevTools protocol, which the
 * Content-Security-Policy does not govern) and returns the serious and
 * critical violations, each as "rule (n nodes): first targets".
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1] ?? ''}`),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Checks the demo dashboard at 1440×900 and on a phone, each in a context of
 * its own; signIn(page) signs in as the demo admin. Returns a summary line;
 * throws with every violation found.
 */
export async function auditDashboard(opts) {
  try {
    return await audits(opts);
  } catch (err) {
    // What the page showed when a step failed.
    for (const c of opts.browser.contexts())
      for (const [i, p] of c.pages().entries())
        await p.screenshot({ path: join(opts.shots, `a11y-failure-${i}.png`) }).catch(() => {});
    throw err;
  }
}

async function audits({ browser, base, shots, signIn, log }) {
  const failures = [];
  const audited = [];
  const audit = async (page, state) => {
    await page.waitForLoadState('networkidle').catch(() => {});
    await page.waitForTimeout(250);
    const found = await axeViolations(page);
    audited.push(state);
    for (const v of found) {
      log(
        `axe: ${state}: ${v.id} (${v.impact}, ${v.nodes.length} nodes) ${v.nodes.slice(0, 2).join(' | ')}`,
      );
      failures.push(
        `${state}: ${v.id} (${v.impact}, ${v.nodes.length} nodes)\n    ${v.nodes.slice(0, 4).join('\n    ')}`,
      );
    }
  };
  const shot = (page, name) =>
    page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });

  for (const scheme of ['light', 'dark']) {
    // A context of its own per scheme: signed out at first, as the system sets the scheme.
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: scheme,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await audit(page, `sign-in (${scheme})`);
    await signIn(page);
    await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
    // The dashboard follows the system's scheme until the toggle is used.
    const shown = () =>
      page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    if ((await shown()) !== scheme)
      failures.push(`a system in ${scheme} gets the ${await shown()} scheme`);
    await audit(page, `overview (${scheme})`);
    if (scheme === 'light') await shot(page, 'a11y-overview-1440');

    await page.goto(`${base}/security`);
    const table = page.getByRole('table', { name: 'Security updates' });
    await table.waitFor();
    await page.waitForLoadState('networkidle').catch(() => {});
    if (scheme === 'light') {
      // 15+ rows in the first screen, none past the right edge.
      const fit = await page.evaluate(() => {
        const t = document.querySelector('table[aria-label="Security updates"]');
        const rows = [...t.querySelectorAll('tbody tr')];
        const visible = rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight);
        const scroller = t.parentElement;
        return {
          rows: rows.length,
          visible: visible.length,
          right: Math.round(t.getBoundingClientRect().right),
          width: window.innerWidth,
          overflow: scroller.scrollWidth - scroller.clientWidth,
          pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
        };
      });
      log(
        `security updates at 1440×900: ${fit.visible} of ${fit.rows} rows visible, table right edge ${fit.right}/${fit.width}`,
      );
      // (The demo has more rows than that: fewer fails too, as a check it could not make.)
      if (fit.visible < minVisibleRows)
        failures.push(
          `security updates: only ${fit.visible} of ${fit.rows} rows fit at 1440×900 (want >= ${minVisibleRows})`,
        );
      if (fit.right > fit.width || fit.overflow > 0 || fit.pageOverflow > 0)
        failures.push(`security updates: cut off at the right edge (${JSON.stringify(fit)})`);
      await shot(page, 'a11y-security-updates-1440');
    }
    await audit(page, `security updates (${scheme})`);
    // A row click opens the drawer.
    await table.locator('tbody tr').first().locator('td').nth(3).click();
    const drawer = page.getByRole('dialog');
    await drawer.waitFor();
    await audit(page, `security updates with the drawer open (${scheme})`);
    if (scheme === 'light') await shot(page, 'a11y-security-drawer-1440');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    for (const [state, path, heading] of [
      ['sites', '/sites', /Sites/],
      ['SLA', '/sla', /SLA compliance/],
      ['users', '/admin/users', /Users/],
      ['organizations', '/admin/organizations', /Organizations/],
      ['activity', '/admin/activity', /Activity/],
      ['account', '/account', /Your account/],
      ['libraries', '/modules?type=library', /Modules/],
    ]) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await audit(page, `${state} (${scheme})`);
      if (scheme === 'light' && state === 'SLA') await shot(page, 'a11y-sla-1440');
    }
    // A site and a module, from the security updates list.
    await page.goto(`${base}/security`);
    await table.waitFor();
    // (An admin's rows have an Organization column: the links are found by where they go.)
    const project = table.locator('tbody tr').first().locator('a[href^="/modules/"]').first();
    const site = table.locator('tbody tr').first().locator('a[href^="/sites/"]').first();
    await site.click();
    await page.getByRole('tab').first().waitFor();
    await audit(page, `site (${scheme})`);
    await page.getByRole('tab', { name: 'Changes' }).click();
    await page.getByRole('table', { name: 'Changes' }).waitFor();
    await audit(page, `site changes (${scheme})`);
    if (scheme === 'light') await shot(page, 'a11y-site-changes-1440');
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByLabel('As of').waitFor();
    await audit(page, `site history (${scheme})`);
    await page.goto(`${base}/security`);
    await table.waitFor();
    await project.click();
    await page.waitForURL(/\/modules\//);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await audit(page, `module (${scheme})`);
    // The toggle turns the other scheme on, and says whether dark is on.
    const toggle = page.getByRole('button', { name: 'Dark mode' });
    await toggle.click();
    const other = scheme === 'dark' ? 'light' : 'dark';
    await page.waitForFunction(
      (want) => document.documentElement.getAttribute('data-mantine-color-scheme') === want,
      other,
    );
    if ((await toggle.getAttribute('aria-pressed')) !== String(other === 'dark'))
      failures.push(
        `the scheme toggle says aria-pressed=${await toggle.getAttribute('aria-pressed')} in ${other}`,
      );
    await context.close();
  }

  // Phones: cards instead of table rows, each opening the drawer.
  const phoneContext = await browser.newContext({
    viewport: { width: 390, height: 844 },
  });
  const phone = await phoneContext.newPage();
  phone.setDefaultTimeout(15_000);
  await signIn(phone);
  await phone.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  await audit(phone, 'overview (phone)');
  // Within the app (a click, not a reload), as a phone user would go.
  await phone.getByRole('button', { name: 'Toggle navigation' }).click();
  await phone
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Security updates' })
    .click();
  const cards = phone.getByRole('list', { name: 'Security updates' }).getByRole('listitem');
  await cards.first().waitFor();
  if ((await phone.getByRole('table', { name: 'Security updates' }).count()) !== 0)
    failures.push('security updates on a phone: still a table, not cards');
  // A card: the site, the project linked, installed → fixed, severity and due badges.
  const card = await cards.first().evaluate((c) => ({
    text: c.innerText,
    project: !!c.querySelector('a[href^="/modules/"]'),
  }));
  if (
    !card.project ||
    !/→/.test(card.text) ||
    !/critical/i.test(card.text) ||
    !/overdue \d+ d|due |accepted/i.test(card.text)
  )
    failures.push(`a security update card lacks a key field: ${JSON.stringify(card)}`);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) failures.push(`security updates on a phone: ${wide}px off the right edge`);
  await audit(phone, 'security updates (phone)');
  await shot(phone, 'a11y-security-updates-phone');
  await cards
    .first()
    .getByText(/due|overdue|accepted/i)
    .first()
    .click();
  await phone.getByRole('dialog').waitFor();
  await audit(phone, 'security updates drawer (phone)');
  await shot(phone, 'a11y-security-drawer-phone');
  await phoneContext.close();

  if (failures.length)
    throw new Error(`accessibility and layout (${failures.length}):\n  ${failures.join('\n  ')}`);
  return `axe-core: 0 serious or critical violations on ${audited.length} page states`;
}
