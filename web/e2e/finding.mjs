// End-to-end checks of complete exports, the overview's deadlines and
// accepted risks, the Modules page, the Security updates search and the
// header's quick search. run.mjs calls checkFinding signed in as an
// organization admin whose site "Acme www" runs an insecure
// aaa_update_test under an accepted risk.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const must = (ok, what) => {
  if (!ok) throw new Error(what);
};

/** Clicks a page's Export CSV and returns the saved file's records (header first) and the status text. */
async function exportCSV(page, tmp, name) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const path = join(tmp, name);
  await download.saveAs(path);
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const status = await page
    .getByRole('status')
    .filter({ hasText: /^Exported/ })
    .textContent();
  return { lines, status };
}

export async function checkFinding({ base, page, call, admin, sites, tmp, log, shot }) {
  // A site with 80 projects: more than the 50 a page holds by default.
  const key = (await call('POST', `/sites/${sites[1].id}/api-keys`, { name: 'e2e-many' }, admin))
    .data.key;
  const modules = [{ name: 'drupal', type: 'core', version: '10.3.6' }];
  for (let i = 0; i < 79; i++) {
    const n = String(i).padStart(2, '0');
    modules.push({ name: `acme_custom_${n}`, type: 'module', version: '1.0.0', source: 'custom' });
  }
  const res = await fetch(`${base}/api/v1/ingest/inventory`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({
      collected_at: new Date().toISOString(),
      drupal: { core_version: '10.3.6', php_version: '8.3.1' },
      modules,
    }),
  });
  must(res.status === 202, `ingest answered ${res.status}`);
  for (let i = 0; ; i++) {
    const got = await call('GET', `/sites/${sites[1].id}/modules?per_page=1`, undefined, admin);
    if (got.meta.total === 80) break;
    must(i < 100, `the 80 projects were not applied (${got.meta.total})`);
    await new Promise((r) => setTimeout(r, 100));
  }

  // The inventory exports whole, and says so.
  await page.goto(`${base}/sites/${sites[1].id}`);
  await page.getByRole('table', { name: 'Inventory' }).waitFor();
  const inv = await exportCSV(page, tmp, 'inventory.csv');
  must(inv.lines.length === 81, `the inventory export has ${inv.lines.length - 1} rows, want 80`);
  must(inv.status === 'Exported 80 rows', `the export says "${inv.status}"`);
  await shot('f01-inventory-exported');
  log('exported the whole inventory: 80 rows');

  // A site page says what is due: a header summary with the organization, and per row
  // the deadline, SLA state and advisory of an open security update.
  await page.goto(`${base}/sites/${sites[0].id}`);
  const summary = page.getByTestId('site-summary');
  await summary.waitFor();
  const said = await summary.textContent();
  must(/1 security · \d+ past due · oldest \d+ d/.test(said), `the site summary says "${said}"`);
  await page.getByText('Acme Agency').first().waitFor();
  const insecure = page
    .getByRole('table', { name: 'Inventory' })
    .getByRole('row', { name: /aaa_update_test/ });
  const rowCells = await insecure.getByRole('cell').allTextContents();
  must(
    rowCells.some((c) => /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/.test(c)) &&
      rowCells.some((c) => /Within|At risk|Breached|Past due/i.test(c)),
    `the insecure row lacks its deadline or SLA state: ${rowCells.join(' | ')}`,
  );
  await shot('f06-site-due');
  log(`site page: "${said.trim()}", deadline and SLA state in the row`);

  // The overview: the accepted risk is marked, not past due; other updates link to their list.
  await page.goto(`${base}/`);
  const risk = page.getByRole('table', { name: 'Sites by risk' });
  const www = risk.getByRole('row', { name: /Acme www/ });
  await www.getByText('1 accepted').waitFor();
  const cells = await www.getByRole('cell').allTextContents();
  must(cells[3] === '0', `an accepted risk counts as past due: ${cells.join(' | ')}`);
  await risk.getByRole('button', { name: 'Worst severity' }).click();
  await page.waitForURL(/sort=worst_severity/);
  await shot('f02-overview');
  await page.getByRole('link', { name: /^Other updates/ }).click();
  await page.getByRole('heading', { name: 'Other updates', level: 1 }).waitFor();
  log('overview: accepted risk marked and not past due; Other updates opens its list');

  // The Modules page: searchable, with site counts and security updates.
  await page.getByRole('link', { name: 'Modules', exact: true }).click();
  await page.getByRole('heading', { name: 'Modules', level: 1 }).waitFor();
  await page.getByLabel('Search modules').fill('aaa_update');
  const mod = page
    .getByRole('table', { name: 'Modules' })
    .getByRole('row', { name: /aaa_update_test/ });
  await mod.waitFor();
  const modCells = await mod.getByRole('cell').allTextContents();
  must(
    modCells[2] === '1' && modCells[3] === '1',
    `aaa_update_test counts: ${modCells.join(' | ')}`,
  );
  await shot('f03-modules');
  await page.getByLabel('Search modules').fill('no_such_module');
  await page.getByText("No site you can see runs 'no_such_module'").waitFor();
  await page.goto(`${base}/modules/no_such_module`);
  await page.getByText("No site you can see runs 'no_such_module'").waitFor();
  log('modules page: counts, search, and an unknown module says no visible site runs it');

  // Security updates: a search box.
  await page.goto(`${base}/security`);
  const search = page.getByLabel('Search', { exact: true });
  await search.fill('zzz-nothing');
  await page.waitForURL(/q=zzz-nothing/);
  await page.getByText('No security update matches').waitFor();
  await search.fill('aaa_update');
  await page.waitForURL(/q=aaa_update/);
  await page
    .getByRole('table', { name: 'Security updates' })
    .getByRole('row', { name: /aaa_update_test/ })
    .waitFor();
  log('security updates: the search box filters the list through q');

  // The header's quick search opens a site.
  const quick = page.getByRole('combobox', { name: 'Search sites and modules' });
  await quick.fill('Acme sh');
  await page.getByRole('option', { name: /Acme shop/ }).click();
  await page.waitForURL(new RegExp(`/sites/${sites[1].id}`));
  await quick.fill('aaa_upd');
  await page.getByRole('option', { name: /aaa_update_test/ }).click();
  await page.waitForURL(/\/modules\/aaa_update_test/);
  await shot('f04-quick-search');
  log('quick search: opened a site and a module');

  // The SLA page: a date typed digit by digit applies once complete; presets; weekly chart.
  await page.goto(`${base}/sla`);
  await page.getByRole('heading', { name: 'SLA compliance', level: 1 }).waitFor();
  const from = page.getByLabel('From');
  await from.focus(); // the month: a click would land on the year
  await from.pressSequentially('07012026', { delay: 50 });
  await page.waitForURL(/from=2026-07-01/);
  await page.waitForTimeout(500);
  must((await from.inputValue()) === '2026-07-01', `From reads ${await from.inputValue()}`);
  await page.getByLabel('Period', { exact: true }).first().click();
  await page.getByRole('option', { name: 'Year to date' }).click();
  const year = new Date().getUTCFullYear();
  await page.waitForURL(new RegExp(`from=${year}-01-01`));
  await page.getByRole('heading', { name: 'Weekly compliance' }).waitFor();
  await page.getByText(/95 % target/).waitFor();
  must(
    (await page.title()) === 'SLA compliance · Fleetwatch',
    `the tab is named "${await page.title()}"`,
  );
  await shot('f05-sla');
  log('SLA: a typed date applies once complete, presets, weekly chart with a target, tab title');

  // Registering a site leads to "Connect this site": a key in copy-ready commands, then a
  // live wait that turns green when the first push arrives.
  await page.goto(`${base}/sites`);
  await page.getByRole('button', { name: 'Register a site' }).click();
  await page.getByLabel('Address').fill('https://new.acme.example');
  await page.getByLabel('Name').fill('Acme new');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByRole('heading', { name: 'Connect this site' }).waitFor();
  await page.getByText('Waiting for the first push…').waitFor();
  await page.getByRole('button', { name: 'Create a key and show the commands' }).click();
  const agent = await page.getByLabel('Agent command').textContent();
  const newKey = agent.match(/--key (fwk_\S+)/)?.[1];
  must(newKey && agent.includes(`--server ${base}`), `the agent command is "${agent}"`);
  must(
    (await page.getByLabel('Cron line').textContent()).includes(newKey),
    'the cron line lacks the key',
  );
  const drupalModule = await page.getByLabel('Drupal module commands').textContent();
  must(
    drupalModule.includes(newKey) && drupalModule.includes(base),
    `the Drupal module commands lack the key or the server: "${drupalModule}"`,
  );
  await shot('f07-connect');
  const pushed = await fetch(`${base}/api/v1/ingest/inventory`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${newKey}` },
    body: JSON.stringify({
      collected_at: new Date().toISOString(),
      drupal: { core_version: '10.3.6', php_version: '8.3.1' },
      modules: [{ name: 'drupal', type: 'core', version: '10.3.6' }],
    }),
  });
  must(pushed.status === 202, `the first push answered ${pushed.status}`);
  await page.getByText('The first push arrived', { exact: false }).waitFor();
  await shot('f08-connected');
  log('connect this site: commands with the server and a new key; the first push turned it green');

  // Activity names people, not ids.
  await page.goto(`${base}/admin/activity`);
  await page.getByRole('table', { name: 'Activity' }).getByText('Dana Ops').first().waitFor();
  log('activity: people by name');
}
