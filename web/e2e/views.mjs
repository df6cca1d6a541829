/* global document, getComputedStyle -- read inside page.evaluate, which runs in the browser */
// End-to-end checks of what an operations lead reads on the demo fleet,
// signed in as the demo's admin (who sees every organization): overdue
// deadlines on the overview, the security updates table's one-line cells,
// Due column and link icons, the SLA page's organization filter, presets and
// chart, a site's advisory links, change log, "as of" picker and paged patch
// runs, Organization columns and the pages' tab titles. run.mjs calls
// checkDemoViews after loading the demo.

const must = (ok, what) => {
  if (!ok) throw new Error(what);
};

/** The table's header texts, in order. */
const headers = (table) => table.locator('thead th').allTextContents();

export async function checkDemoViews({ page, base, call, token, log, shot }) {
  // The overview: a past deadline reads "overdue N d" in red; admins see whose each site is.
  await page.goto(`${base}/`);
  const risk = page.getByRole('table', { name: 'Sites by risk' });
  await risk.waitFor();
  const overdue = risk.getByText(/^overdue \d+ d$/).first();
  await overdue.waitFor();
  const colour = await overdue.evaluate((el) => getComputedStyle(el).color);
  const [r, g, b] = colour.match(/\d+/g).map(Number);
  must(r > 150 && r > g + 60 && r > b + 60, `an overdue deadline is not red: ${colour}`);
  must(
    (await headers(risk)).some((h) => h.startsWith('Organization')),
    `Sites by risk has no Organization column for an admin: ${await headers(risk)}`,
  );
  log(`overview: "${await overdue.textContent()}" in ${colour}; an Organization column`);

  // Security updates: one Due column with the overdue days; site, advisory and due on one
  // line each, cut with the whole text in a title; external links marked by an icon.
  await page.goto(`${base}/security`);
  const table = page.getByRole('table', { name: 'Security updates' });
  await table.locator('tbody tr').first().waitFor();
  const heads = (await headers(table)).map((h) => h.replace(/[▲▼↕]/g, '').trim());
  must(
    heads.filter((h) => h === 'Due').length === 1 && !heads.includes('SLA'),
    `the security updates headers: ${heads.join(' | ')}`,
  );
  const cells = await table
    .locator('tbody tr')
    .first()
    .evaluate(
      (tr, names) => {
        const ths = [...tr.closest('table').querySelectorAll('thead th')];
        return names.map((n) => {
          const i = ths.findIndex((th) => th.textContent.replace(/[▲▼↕]/g, '').trim() === n);
          const td = tr.children[i];
          return {
            name: n,
            text: td.textContent,
            title: td.getAttribute('title'),
            whiteSpace: getComputedStyle(td).whiteSpace,
            overflow: getComputedStyle(td).textOverflow,
            icon: !!td.querySelector('a[target="_blank"] svg'),
          };
        });
      },
      ['Site', 'Advisory', 'Due'],
    );
  for (const c of cells) {
    must(
      c.whiteSpace === 'nowrap' && c.overflow === 'ellipsis' && c.title,
      `the ${c.name} cell wraps or has no title: ${JSON.stringify(c)}`,
    );
  }
  const [, advisory, due] = cells;
  must(/^overdue \d+ d$/i.test(due.text.trim()), `the first row's Due reads "${due.text}"`);
  must(advisory.icon, `the advisory link has no external-link icon: ${JSON.stringify(advisory)}`);
  log(`security updates: one Due column ("${due.text.trim()}"), one-line cells with titles`);

  // The SLA page as an admin: presets, an organization filter that the CSV follows,
  // and a chart that never reads above 100 %.
  await page.goto(`${base}/sla`);
  await page.getByRole('heading', { name: 'Weekly compliance' }).waitFor();
  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  const utc = (y, m, d) => new Date(Date.UTC(y, m, d));
  const [y, m] = [today.getUTCFullYear(), today.getUTCMonth()];
  const q = Math.floor(m / 3) * 3;
  for (const [label, from, to] of [
    ['Last month', utc(y, m - 1, 1), utc(y, m, 0)],
    ['Last quarter', utc(y, q - 3, 1), utc(y, q, 0)],
  ]) {
    await page.getByLabel('Period', { exact: true }).first().click();
    await page.getByRole('option', { name: label }).click();
    await page.waitForURL((u) => {
      const p = new URL(u).searchParams;
      return p.get('from') === iso(from) && p.get('to') === iso(to);
    });
  }
  await page.getByLabel('Organization', { exact: true }).first().click();
  const org = page.getByRole('option').first();
  const orgName = (await org.textContent()).trim();
  await org.click();
  await page.waitForURL(/organization_id=/);
  const orgId = new URL(page.url()).searchParams.get('organization_id');
  const [csv] = await Promise.all([
    page.waitForRequest(
      (r) => r.url().includes('/reports/sla-compliance') && r.url().includes('format=csv'),
    ),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  must(
    new URL(csv.url()).searchParams.get('organization_id') === orgId,
    `the SLA export ignores the organization: ${csv.url()}`,
  );
  // Per site: the site rows alone, asked for by scope and paged.
  await page.goto(`${base}/sla`);
  const [perSite] = await Promise.all([
    page.waitForRequest((r) => /\/reports\/sla-compliance\?.*scope=site/.test(r.url())),
    page.getByText('Per site', { exact: true }).click(),
  ]);
  const slaTable = page.getByRole('table', { name: 'SLA compliance' });
  await slaTable.locator('tbody tr a[href^="/sites/"]').first().waitFor();
  must(
    (await slaTable.locator('tbody tr').count()) ===
      (await slaTable.locator('tbody tr a[href^="/sites/"]').count()),
    'the per-site table holds rows that are not sites',
  );
  await page.getByText(/^1–\d+ of \d+$/).waitFor();
  log(`SLA per site: ${new URL(perSite.url()).search}`);
  // The whole fleet's last 90 days (the default period).
  await page.goto(`${base}/sla`);
  const tick = page.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value');
  await tick.first().waitFor();
  const ticks = (await tick.allTextContents()).map(Number);
  must(ticks.length && Math.max(...ticks) === 100, `the compliance axis reads ${ticks.join(', ')}`);
  await shot('25-demo-sla-organization', page);
  log(
    `SLA: last month and last quarter presets; ${orgName} filters the page and its CSV; axis 0–100`,
  );

  // A site's Drupal security update: its advisory linked in the inventory row.
  const open = await call('GET', '/exposures?state=open&per_page=200', undefined, token);
  const drupal = open.data.find((e) => !e.project.includes('/') && e.advisories?.length);
  must(drupal, 'the demo has no open Drupal security update with an advisory');
  await page.goto(`${base}/sites/${drupal.site_id}?show=security`);
  const row = page
    .getByRole('table', { name: 'Inventory' })
    .getByRole('row', { name: new RegExp(`^${drupal.project}\\b`) });
  await row.getByRole('link', { name: drupal.advisories[0] }).waitFor();

  // Its change log: date, project, from → to, by a patch run or a push.
  await page.getByRole('tab', { name: 'Changes' }).click();
  const changes = page.getByRole('table', { name: 'Changes' });
  await changes.locator('tbody tr').first().waitFor();
  const change = await changes.locator('tbody tr').first().innerText();
  must(
    /\d{4}/.test(change) && /→/.test(change) && /patch run|push/i.test(change),
    `a change reads "${change}"`,
  );
  // The inventory as of a past day.
  await page.getByRole('tab', { name: 'History' }).click();
  const asOf = page.getByLabel('As of');
  const past = iso(new Date(Date.now() - 60 * 86_400_000));
  await asOf.focus();
  await asOf.pressSequentially(`${past.slice(5, 7)}${past.slice(8, 10)}${past.slice(0, 4)}`, {
    delay: 50,
  });
  await page.getByText(`What the site ran at the end of ${past} (UTC).`).waitFor();
  await page
    .getByRole('table', { name: 'Version history' })
    .or(page.getByText('The site had pushed no inventory by then.'))
    .first()
    .waitFor();
  // Its patch runs, paged.
  await page.getByRole('tab', { name: 'Patch runs' }).click();
  const runs = page.getByRole('table', { name: 'Patch runs' });
  await runs.locator('tbody tr').first().waitFor();
  const firstPage = await runs.locator('tbody tr').first().innerText();
  const next = page.getByRole('button', { name: /next page/i });
  if ((await next.count()) && (await next.isEnabled())) {
    await next.click();
    await page.waitForFunction(
      (before) =>
        document.querySelector('table[aria-label="Patch runs"] tbody tr')?.innerText !== before,
      firstPage,
    );
  }
  await shot('26-demo-site-history', page);
  log(
    `site ${drupal.site_name}: ${drupal.advisories[0]} linked; change "${change.split('\n').join(' ')}"; as of ${past}`,
  );

  // Admins see an Organization column on every table that mixes organizations; each page
  // names the browser tab.
  for (const [path, name, title] of [
    ['/sites', 'Sites', 'Sites'],
    ['/admin/activity', 'Activity', 'Activity'],
    ['/updates', 'Other updates', 'Other updates'],
    [
      `/modules/${encodeURIComponent(drupal.project)}`,
      'Sites running this project',
      drupal.project,
    ],
  ]) {
    await page.goto(`${base}${path}`);
    const t = page.getByRole('table', { name });
    await t.locator('tbody tr').first().waitFor();
    must(
      (await headers(t)).some((h) => h.startsWith('Organization')),
      `${path} has no Organization column: ${(await headers(t)).join(' | ')}`,
    );
    must(
      (await page.title()) === `${title} · Fleetwatch`,
      `${path} names the tab "${await page.title()}"`,
    );
  }
  log('Organization columns on sites, activity, other updates and a module; tabs named');
}
