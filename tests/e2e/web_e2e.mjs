// The web interface in a real browser (Debian's headless Chromium, driven by
// playwright-core; no browser download), against a running demo federation:
// an officer submits a signal with a KvK number and an address and sees it
// delivered; the RIEC's analyst sees the record and sets feedback; the officer
// sees the feedback; the RIEC's privacy officer finds the exchange by subject
// access and sees the log verified; a request without the CSRF token is
// refused; five wrong passwords lock an account. A screenshot of every page
// goes to $SCREENSHOTS.
//
// usage: node web_e2e.mjs DEMO_JSON SCREENSHOT_DIR
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [demoJson, shots] = process.argv.slice(2);
const demo = JSON.parse(fs.readFileSync(demoJson, 'utf8'));
const node = (org) => demo.nodes.find((n) => n.org === org);
const municipality = node('gemeente-aalsmeer');
const riec = node('riec-amsterdam');
fs.mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const pageErrors = [];
const pages = [];
// The demo's certificates chain to its own CA, which this browser does not know.
const newPage = async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  pages.push(page);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => d.accept());
  page.on('crash', () => pageErrors.push('the page crashed'));
  page.on('console', (m) => { if (m.type() === 'error') console.error(`  console: ${m.text()}`); });
  return page;
};
let step = 'start';
const log = (s) => { step = s; console.log(`- ${s}`); };

// Every form control has an accessible name (WCAG 1.3.1, 4.1.2), checked on each page.
async function assertLabelled(page, what) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => !el.hidden && el.type !== 'hidden')
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${what}`);
}

// Text contrast of at least 4.5:1, 3:1 for large text (WCAG 1.4.3), on every
// visible element that holds text, against its nearest opaque background.
async function assertContrast(page, what) {
  const low = await page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] > 0) return c;
      }
      return [255, 255, 255];
    };
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || box.width === 0 || box.height === 0 || box.right < 0) continue;
      const a = lum(rgb(style.color)), b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
      const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < needed) bad.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return bad;
  });
  assert.deepEqual(low, [], `text below WCAG AA contrast on ${what}`);
}

// axe-core in the page (through the DevTools protocol, so the node's CSP
// stays as it is): no violation of any impact.
const axeChecked = new Set();
async function assertAxe(page, what) {
  await page.evaluate(`${axeSource}\n;0`);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(violations, [], `axe-core violations on ${what}`);
  axeChecked.add(what);
}

// What a person reads: visible text outside code (pseudonyms on request) and
// outside what people wrote (summaries, notes, the covenant's own texts).
const visibleText = (page) => page.evaluate(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest('code, script, style, [data-authored], .visually-hidden, datalist, option')) continue;
    if (!el.checkVisibility()) continue;
    out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('select')) if (el.checkVisibility()) out.push(el.selectedOptions[0]?.textContent || '');
  return out.join(' \n ');
});
// Words of the other language that betray an untranslated text, and codes no
// person should read.
const ENGLISH = /\b(the|must|should|Submit|Save|Search|Delete|Create|Show|Hide|Log in|Log out|received|delivered|queued|refused|withdrawn|approved|pending|severity|persons|organisation|Category|Users|Password|Events?|Subjects?|Preview|Source|Week of|high|medium|low|worker|temp agency|not shared|Nothing yet)\b/;
const DUTCH = /\b(het|een|niet|wordt|Opslaan|Zoeken|Verwijderen|afgeleverd|ontvangen|verstuurd|Melden|Inloggen|Uitloggen|gebeurtenissen|Betrokkenen?|Toon|laag|middel|hoog|personen|Nog niets|aandachtsfunctionaris|privacyfunctionaris|beheerder)\b/;
const CODES = [/\b[a-z]+_[a-z_]+\b/, /\b(labour|housing|recruitment|registration|general|company|residence|return)\.[a-z_*]+/,
  /\b(record|feedback|notice|signal|login|user|request|answer|case|lookup|oprf|policy|audit|password|token|disclosure|subject_access|batch|withdrawal|correction|account|node)\.[a-z_]+\b/,
  /\b[0-9a-f]{16,}\b/, /boomkop/i, /\b[a-z]+-to-[a-z-]+\b/];
async function assertWords(page, what, language) {
  const text = await visibleText(page);
  const other = language === 'nl' ? ENGLISH : DUTCH;
  const m = other.exec(text);
  assert.equal(m, null, `untranslated text on ${what} (${language}): "${m && text.slice(Math.max(0, m.index - 40), m.index + 40)}"`);
  for (const re of CODES) {
    const c = re.exec(text);
    assert.equal(c, null, `a code on ${what} (${language}): "${c && text.slice(Math.max(0, c.index - 40), c.index + 40)}"`);
  }
}
// At 390 px wide (a phone) nothing pushes the page sideways.
const narrowChecked = new Set();
async function assertNarrow(page, what) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: path.join(shots, `${what}-390.png`), fullPage: true });
  await page.setViewportSize(size);
  assert.ok(width <= 390, `${what} is ${width} px wide at 390 px`);
  narrowChecked.add(what);
}

// Every page photographed is first checked for labels, contrast, axe-core,
// its words and its width at 390 px.
async function shot(page, name, language = 'nl') {
  await assertLabelled(page, name);
  await assertContrast(page, name);
  await assertWords(page, name, language);
  await assertAxe(page, name);
  await assertNarrow(page, name);
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

// Authenticator apps (issue 21): the key each account enrolled, and the last
// time step it used (the node takes a code only once).
const factors = new Map();  // `${api} ${username}` -> { key, last }
function base32(text) {
  let bits = 0, acc = 0;
  const out = [];
  for (const ch of text.replace(/\s/g, '')) {
    acc = (acc << 5) | 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(ch);
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return Buffer.from(out);
}
// RFC 6238: HMAC-SHA-1 over the 30-second step, 6 digits; never a step used before.
async function nextCode(id) {
  const f = factors.get(id);
  let step = Math.max(Math.floor(Date.now() / 30000), f.last + 1);
  while (step > Math.floor(Date.now() / 30000) + 1) await new Promise((r) => { setTimeout(r, 1000); });
  f.last = step;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', f.key).update(counter).digest();
  const o = mac[19] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}
// The first log-in of an admin or privacy officer: set up an authenticator app, keep the recovery codes.
const enrolShots = new Set();
async function enrolTotp(page, id) {
  await page.getByRole('heading', { name: 'Tweede factor' }).waitFor();
  if (!enrolShots.has('enrol')) { enrolShots.add('enrol'); await shot(page, '30-second-factor-required'); }
  await page.getByRole('button', { name: 'Authenticator-app instellen' }).click();
  const key = await page.getByTestId('totp-secret').innerText();
  factors.set(id, { key: base32(key), last: 0 });
  await page.getByLabel('Code', { exact: true }).fill(await nextCode(id));
  if (!enrolShots.has('key')) { enrolShots.add('key'); await shot(page, '31-totp-key'); }
  await page.getByRole('button', { name: 'Instellen voltooien' }).click();
  const codes = page.getByTestId('recovery-codes');
  await codes.waitFor();
  assert.equal(await codes.locator('li').count(), 10, 'ten recovery codes, shown once');
  if (!enrolShots.has('codes')) { enrolShots.add('codes'); await shot(page, '32-recovery-codes'); }
  await page.getByRole('button', { name: 'Ik heb de codes bewaard' }).click();
  await page.getByTestId('totp').getByText('Ingesteld.').waitFor();
  await page.getByRole('link', { name: 'Start', exact: true }).click();
}

// Step-up (issue 21): an action whose last proof is older than the node's
// stepUpSeconds opens "Bevestig dat u het bent" over the page. Where the
// timing of this test decides whether it comes, this answers it when it does
// (with `proof`: the password, or a fresh code) and waits for `done`.
async function confirmIfAsked(page, done, proof) {
  const dialog = page.getByRole('dialog', { name: 'Bevestig dat u het bent' });
  // The loser of the race times out later: its rejection is caught, not left unhandled.
  const first = await Promise.race([dialog.waitFor().then(() => 'dialog', () => 'none'), done.waitFor().then(() => 'done', () => 'none')]);
  if (first === 'dialog' || await dialog.isVisible()) {
    const field = dialog.getByLabel(/^(Wachtwoord|Code)$/);
    await field.fill(await proof());
    await dialog.getByRole('button', { name: 'Bevestigen' }).click();
    await dialog.waitFor({ state: 'detached' });
    await done.waitFor();
    return true;
  }
  await done.waitFor();
  return false;
}

async function login(page, n, role, password) {
  const user = n.users[role];
  await page.goto(`${n.api}/#/login`);
  await page.getByLabel('Gebruikersnaam').fill(user.username);
  await page.getByLabel('Wachtwoord').fill(password ?? user.password);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  const id = `${n.api} ${user.username}`;
  if (factors.has(id) && !/^wrong-password/.test(password || '')) {
    // The second step: a code from the authenticator app.
    await page.getByRole('heading', { name: 'Tweede stap' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(await nextCode(id));
    await page.getByRole('button', { name: 'Bevestigen' }).click();
  }
}

// Log-in lands on the start page (issue 17): what is new and what waits, in
// words; then on to the role's first page, where the steps below begin.
const WORK_PAGE = { officer: 'Signaal melden', analyst: 'Inbox', privacy_officer: 'Verwerkingslog', admin: 'Gebruikers' };
const startShots = new Set();
async function enter(page, n, role, password) {
  await login(page, n, role, password);
  const first = page.getByRole('heading', { name: /^(Wat er voor u klaarstaat|Tweede factor)$/ });
  await first.waitFor();
  if ((await first.innerText()) === 'Tweede factor') await enrolTotp(page, `${n.api} ${n.users[role].username}`);
  await page.getByRole('heading', { name: 'Wat er voor u klaarstaat' }).waitFor();
  await page.getByTestId('start-new').getByRole('heading').waitFor();
  await page.getByRole('heading', { name: 'Wacht op u' }).waitFor();
  if (!startShots.has(role)) {
    startShots.add(role);
    await shot(page, `00-start-${role}`);
  }
  await page.getByRole('link', { name: WORK_PAGE[role], exact: true }).click();
}
// The start page until it lists `text` (the notifier fans out every 2 s).
async function startShows(page, text) {
  await page.getByRole('link', { name: 'Start', exact: true }).click();
  for (let i = 0; i < 30; i++) {
    await page.getByRole('heading', { name: 'Wat er voor u klaarstaat' }).waitFor();
    if (await page.getByRole('link', { name: text }).count() > 0) return page.getByRole('link', { name: text });
    await page.waitForTimeout(500);
    await page.reload();  // the same hash again would not render anew
  }
  throw new Error(`the start page never showed ${text}; it showed: ${await page.locator('#main').innerText()}`);
}

try {
  // ---------------------------------------------------------------- officer
  log('the officer logs in');
  const officer = await newPage();
  await officer.goto(`${municipality.api}/`);
  await officer.getByLabel('Gebruikersnaam').waitFor();
  await shot(officer, '01-login');
  await enter(officer, municipality, 'officer');
  let officerProofAt = Date.now();  // the municipality's node asks again 60 s after (run_e2e.sh)
  await officer.getByRole('heading', { name: 'Signaal melden' }).waitFor();

  log('the officer fills in a signal with a KvK number and an address');
  // What a person sees, not an attribute: 'zwart' leaves the one category on undeclared work.
  const shownCategories = () => officer.locator('#category-list label').filter({ visible: true }).count();
  const allCategories = await shownCategories();
  assert.ok(allCategories > 50, `every category shows before searching (${allCategories})`);
  await officer.getByLabel('Zoek een categorie').fill('zwart');
  assert.equal(await shownCategories(), 1, 'searching "zwart" leaves one category on screen');
  await officer.getByLabel('Zoek een categorie').fill('betaald');
  const visible = await shownCategories();
  assert.ok(visible >= 1 && visible < 10, `search narrows the categories (${visible})`);
  await officer.getByLabel('Zoek een categorie').fill('');
  assert.equal(await shownCategories(), allCategories, 'an empty search shows them all again');
  await officer.locator('input[value="labour.underpaid_or_unpaid"]').check();
  await officer.getByLabel('Aantal personen').fill('6');
  await officer.getByLabel('Toelichting').fill('Werknemers verdienen 4 euro per uur');
  await officer.getByRole('button', { name: 'Betrokkene toevoegen' }).click();
  const first = officer.locator('.subject').nth(0);
  await first.getByLabel('Soort').selectOption('organisation');
  await first.getByLabel('KvK').fill('1234567');  // too short: the server's rule says so as you type
  await first.locator('input[name="kvk"][aria-invalid="true"]').waitFor();  // the error stands beside the field
  assert.ok((await first.locator('.field-error').filter({ visible: true }).first().innerText()).length > 0);
  await first.getByLabel('KvK').fill('12345678');
  await first.getByText('KvK-nummer 12345678').waitFor();
  await officer.getByRole('button', { name: 'Betrokkene toevoegen' }).click();
  const second = officer.locator('.subject').nth(1);
  await second.getByLabel('Soort').selectOption('address');
  await second.getByLabel('Postcode').fill('1431 ab');
  await second.getByLabel('Huisnummer').fill('12');
  await second.getByText('adres 1431 AB 12').waitFor();

  log('the preview shows what each partner receives');
  await officer.getByRole('button', { name: 'Bekijk wat partners ontvangen' }).click();
  const nlaRow = officer.locator('tr[data-partner="nla"]');
  await nlaRow.waitFor();
  assert.match(await nlaRow.innerText(), /Arbeidsuitbuiting naar de Arbeidsinspectie/, 'the rule by its title, not its id');
  assert.match(await nlaRow.innerText(), /KvK-nummer/);
  assert.match(await officer.locator('tr[data-partner="snf"]').innerText(), /nee/);
  await shot(officer, '02-submit-with-preview');

  log('the officer submits; the first answer is lost on the way, the page retries with the same Idempotency-Key: one signal');
  const countSignals = () => officer.evaluate(async () => (await (await fetch('/api/v1/signals?limit=500', { credentials: 'same-origin' })).json()).items.length);
  const before = await countSignals();
  const keys = [];
  await officer.route('**/api/v1/signals', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length === 1) {
      await route.fetch();  // the node stores it and answers; the browser never hears
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await officer.getByRole('button', { name: 'Melden' }).click();
  await officer.getByRole('heading', { name: 'Signaal', exact: true }).waitFor();
  const signalUrl = officer.url();
  await officer.unroute('**/api/v1/signals');
  assert.equal(keys.length, 2, 'one retry after the lost answer');
  assert.match(keys[0] || '', /^[0-9a-f-]{32,36}$/, 'a report is sent with an Idempotency-Key');
  assert.equal(keys[1], keys[0], 'the retry carries the same key');
  assert.equal(await countSignals(), before + 1, 'stored once');
  // The page refreshes the delivery states itself while the officer looks.
  await officer.locator('tr[data-partner="riec-amsterdam"] .state.delivered').waitFor({ timeout: 30000 });
  await officer.locator('tr[data-partner="nla"] .state.delivered').waitFor({ timeout: 30000 });
  assert.match(await officer.locator('tr[data-partner="riec-amsterdam"]').innerText(), /afgeleverd/);
  await shot(officer, '03-signal-delivered');
  await officer.getByRole('link', { name: 'Mijn signalen' }).click();
  await officer.getByRole('heading', { name: 'Mijn signalen' }).waitFor();
  const signalId = signalUrl.split('/').pop();
  assert.match(await officer.locator(`tr[data-signal="${signalId}"]`).innerText(), /RIEC Amsterdam-Amstelland: afgeleverd/);
  await shot(officer, '04-my-signals');

  // ---------------------------------------------------------------- analyst
  log('the RIEC analyst sees the record and sets feedback');
  const analyst = await newPage();
  await enter(analyst, riec, 'analyst');
  await analyst.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();
  const record = analyst.locator('article[data-source="gemeente-aalsmeer"][data-category="labour.underpaid_or_unpaid"]');
  await record.waitFor();
  assert.equal(await analyst.getByText('12345678').count(), 0, 'no plain KvK number at the RIEC');
  assert.equal(await record.getByLabel('Notitie').count(), 0, 'all-to-riec allows no free-text note');
  await record.getByLabel('Terugmelding').selectOption('investigation_started');
  await record.getByLabel('Reden').selectOption('already_known');
  await record.getByRole('button', { name: 'Versturen' }).click();
  await record.getByText('Terugmelding verstuurd.').waitFor();
  await shot(analyst, '05-inbox-feedback');
  await analyst.getByRole('link', { name: 'Alerts' }).click();
  await analyst.getByRole('heading', { name: 'Alerts' }).waitFor();
  // The municipality's, the inspectorate's and SNF's pieces meet on the agency's KvK pseudonym.
  const bundle = analyst.locator('article[data-kind="bundle"]', { has: analyst.locator('.pill', { hasText: /^KvK-nummer$/ }) });
  await bundle.waitFor();
  for (const org of ['gemeente-aalsmeer', 'nla', 'snf']) await bundle.locator(`.pill[data-org="${org}"]`).waitFor();
  assert.match(await bundle.innerText(), /Gemeente Aalsmeer/, 'partners by name');
  // Each piece: who reported what, when.
  assert.match(await bundle.locator('.pieces').innerText(), /Nederlandse Arbeidsinspectie · Te weinig betaald[^\n]*\n(.|\n)*Stichting Normering Flexwonen · Locatie voldoet niet/);
  const fullValue = bundle.locator('code:not([title])');
  await bundle.getByRole('button', { name: 'Toon' }).first().click();
  assert.match(await fullValue.first().innerText(), /^[0-9a-f]{128}$/, 'the full pseudonym on demand');
  await shot(analyst, '06-alerts');
  // The start page counted the alerts, and leads to them.
  const alertsLink = await startShows(analyst, /^\d+ nieuwe of gegroeide alerts?$/);
  await alertsLink.click();
  await analyst.getByRole('heading', { name: 'Alerts' }).waitFor();

  log('the analyst opens the bundle as a case: the agency, the address and the three reports as one graph');
  await bundle.getByRole('button', { name: 'Zaak openen' }).click();
  await analyst.getByRole('heading', { name: 'Zaak', exact: true }).waitFor();
  const caseUrl = analyst.url();
  const graph = analyst.locator('.graph-list');
  for (const org of ['Gemeente Aalsmeer', 'Nederlandse Arbeidsinspectie', 'Stichting Normering Flexwonen']) await graph.getByText(new RegExp(`gemeld door ${org}`)).first().waitFor();
  assert.match(await graph.innerText(), /KvK-nummer/);
  assert.match(await graph.innerText(), /adres/, 'the address joins the agency in one case');
  assert.equal(await analyst.locator('.case-graph').getByText(/[0-9a-f]{64}/).count(), 0, 'no pseudonym on the case page');
  await analyst.getByLabel('Status').selectOption('in_progress');
  await analyst.getByLabel('Termijn').fill('2026-12-31');
  await analyst.getByRole('button', { name: 'Zaak bijwerken' }).click();
  await analyst.getByText('Zaak bijgewerkt.').waitFor();
  await analyst.getByLabel('Notitie').fill('Casusoverleg 9 december: NLA en gemeente uitnodigen.');
  await analyst.getByRole('button', { name: 'Notitie toevoegen' }).click();
  await analyst.getByText('Casusoverleg 9 december').waitFor();
  await shot(analyst, '06b-case');
  await analyst.getByRole('link', { name: 'Alerts' }).click();
  await analyst.getByRole('heading', { name: 'Alerts' }).waitFor();
  const addressBundle = analyst.locator('article[data-kind="bundle"]', { has: analyst.locator('.pill', { hasText: /^adres$/ }) });
  await addressBundle.getByRole('button', { name: 'Zaak openen' }).click();
  await analyst.getByRole('heading', { name: 'Zaak', exact: true }).waitFor();
  assert.equal(analyst.url(), caseUrl, 'the address bundle opens the same case');

  log('the analyst looks up a KvK number from their own file, with a purpose');
  await analyst.getByRole('link', { name: 'Opzoeken' }).click();
  await analyst.getByLabel('Soort identificatie').selectOption('kvk');
  await analyst.getByLabel('Waarde').fill('12345678');
  await analyst.getByRole('button', { name: 'Zoeken' }).click();
  await analyst.getByTestId('lookup-result').getByText(/purpose|doel/i).first().waitFor();
  await analyst.getByLabel(/^Doel/).fill('Controle bij melding van de vreemdelingenpolitie');
  await analyst.getByRole('button', { name: 'Zoeken' }).click();
  await analyst.getByTestId('lookup-result').getByText(/^Gevonden: [1-9]/).waitFor();
  assert.ok(await analyst.locator('[data-testid="lookup-result"] li[data-type="record"]').count() >= 3, 'the three reports');
  await shot(analyst, '06c-lookup');

  log('the start page of the officer says feedback came, and leads to it');
  const feedbackLink = await startShows(officer, /^\d+ terugkoppeling(en)? op uw signalen$/);
  await shot(officer, '06d-start-officer-feedback');
  await feedbackLink.click();
  await officer.getByRole('heading', { name: 'Mijn signalen' }).waitFor();

  log('the officer sees the feedback');
  await officer.goto(`${municipality.api}/#/signals`);
  await officer.getByRole('heading', { name: 'Mijn signalen' }).waitFor();
  await officer.goto(signalUrl);
  await officer.getByRole('heading', { name: 'Signaal', exact: true }).waitFor();
  await officer.getByTestId('feedback').waitFor({ timeout: 30000 });
  await officer.getByText('RIEC Amsterdam-Amstelland: onderzoek gestart (al bekend)', { exact: false }).waitFor();
  // The inspectorate has 30 days (labour-to-inspectorate) and has not answered yet.
  await officer.locator('tr[data-partner="nla"]').getByText(/Antwoord verwacht vóór \d{1,2} [a-z]+ \d{4}/).waitFor();
  await shot(officer, '07-signal-feedback');

  // ---------------------------------------------------------------- withheld feedback (issue 17)
  log('the inspectorate analyst deliberately withholds feedback, in the interest of an investigation');
  const inspector = await newPage();
  await enter(inspector, node('nla'), 'analyst');
  await inspector.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();
  const nlaRecord = inspector.locator('article[data-source="gemeente-aalsmeer"][data-category="labour.underpaid_or_unpaid"]');
  await nlaRecord.waitFor();
  await nlaRecord.getByText(/Terugmelding verwacht vóór \d{1,2} [a-z]+ \d{4}/).waitFor();
  await nlaRecord.getByLabel('Terugmelding').selectOption('withheld');
  assert.equal(await nlaRecord.getByLabel('Reden', { exact: true }).isVisible(), false, 'the other reasons are hidden');
  const why = nlaRecord.getByLabel('Waarom niet');
  assert.deepEqual(await why.locator('option').allInnerTexts(),
    ['Kies waarom u bewust niet terugkoppelt.', 'belang van het onderzoek', 'wettelijke geheimhoudingsplicht', 'bescherming van een bron']);
  await nlaRecord.getByRole('button', { name: 'Versturen' }).click();
  await nlaRecord.getByRole('alert').getByText('Kies waarom u bewust niet terugkoppelt.').waitFor();
  await why.selectOption('investigation_interest');
  await nlaRecord.getByRole('button', { name: 'Versturen' }).click();
  await nlaRecord.getByText('Terugmelding verstuurd.').waitFor();
  await assertLabelled(inspector, 'inbox with withheld feedback');
  await shot(inspector, '07b-inbox-withheld');
  await officer.goto(`${municipality.api}/#/signals`);
  await officer.getByRole('heading', { name: 'Mijn signalen' }).waitFor();
  await officer.goto(signalUrl);
  await officer.getByText('Nederlandse Arbeidsinspectie: Bewust niet teruggekoppeld: belang van het onderzoek', { exact: false }).waitFor({ timeout: 30000 });
  assert.equal(await officer.locator('tr[data-partner="nla"]').getByText(/Antwoord verwacht/).count(), 0, 'withheld is an answer');
  await shot(officer, '07c-signal-withheld');

  // ---------------------------------------------------------------- requests (issue 16)
  log('from the case, the RIEC analyst asks the municipality which company is behind its record');
  await analyst.goto(caseUrl);
  await analyst.getByRole('heading', { name: 'Zaak', exact: true }).waitFor();
  const inCase = analyst.locator('article[data-source="gemeente-aalsmeer"][data-record]');
  await inCase.getByRole('button', { name: 'Gegevens opvragen' }).click();
  const detailsForm = inCase.locator('form[data-type="details"]');
  assert.ok(await detailsForm.getByLabel('KvK-nummer').isChecked(), 'the rule grants the KvK number');
  assert.ok(await detailsForm.getByLabel('adres').isChecked(), 'and the address');
  await detailsForm.getByLabel('adres').uncheck();
  await detailsForm.getByLabel(/^Doel/).fill('Vaststellen welk uitzendbureau achter de signalen zit');
  await detailsForm.getByLabel('Zaakreferentie').fill('RIEC-2026-017');
  await detailsForm.getByRole('button', { name: 'Versturen' }).click();
  await detailsForm.getByText('Verzoek verstuurd').waitFor();
  await shot(analyst, '18-details-request');

  log('the municipality officer sees who asks and why, and approves');
  await officer.getByRole('link', { name: 'Verzoeken' }).click();
  await officer.getByRole('heading', { name: 'Verzoeken aan u' }).waitFor();
  let incoming = officer.locator('article[data-state="pending"]', { hasText: 'gegevensverzoek' });
  for (let i = 0; i < 60 && !(await incoming.count()); i++) {
    await officer.waitForTimeout(500);
    await officer.reload();
    await officer.getByRole('heading', { name: 'Verzoeken aan u' }).waitFor();
  }
  const card = await incoming.innerText();
  assert.match(card, /Vaststellen welk uitzendbureau/);
  assert.match(card, /RIEC-2026-017/);
  assert.match(card, /Ahmed El Amrani/, 'the requesting analyst, by name');
  assert.match(card, /KvK-nummer/);
  await shot(officer, '19-request-to-decide');
  await incoming.getByRole('button', { name: 'Goedkeuren' }).click();
  if (await confirmIfAsked(officer, officer.getByText('Beslissing verstuurd.'), async () => municipality.users.officer.password)) officerProofAt = Date.now();

  log('the analyst sees the KvK number, as the only one who asked');
  await analyst.getByRole('link', { name: 'Verzoeken' }).click();
  await analyst.getByRole('heading', { name: 'Mijn verzoeken aan partners' }).waitFor();
  const answered = analyst.locator('article[data-state="approved"]');
  for (let i = 0; i < 60 && !(await answered.count()); i++) {
    await analyst.waitForTimeout(500);
    await analyst.reload();
    await analyst.getByRole('heading', { name: 'Mijn verzoeken aan partners' }).waitFor();
  }
  assert.equal(await answered.locator('.disclosed').count(), 0, 'the value shows only when asked for');
  await answered.getByRole('button', { name: /Antwoord bekijken/ }).click();
  assert.match(await answered.locator('.disclosed').innerText(), /KvK-nummer: 12345678/);
  await answered.getByText('Klopt met het record').waitFor();
  await shot(analyst, '20-details-disclosed');
  await analyst.goto(caseUrl);
  await analyst.locator('article[data-request][data-state="approved"]').waitFor();

  log('a contact request, accepted by the officer, gives the analyst a name and a number');
  await analyst.getByRole('link', { name: 'Inbox' }).click();
  await analyst.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();
  const asked = analyst.locator('article[data-source="gemeente-aalsmeer"][data-category="labour.underpaid_or_unpaid"]');
  await asked.getByRole('button', { name: 'Contact vragen' }).click();
  const contactForm = asked.locator('form[data-type="contact"]');
  await contactForm.getByLabel(/^Doel/).fill('Afstemmen wie het onderzoek naar dit bureau leidt');
  await contactForm.getByLabel('Zaakreferentie').fill('RIEC-2026-017');
  await contactForm.getByRole('button', { name: 'Versturen' }).click();
  await contactForm.getByText('Verzoek verstuurd').waitFor();
  incoming = officer.locator('article[data-state="pending"]', { hasText: 'contactverzoek' });
  for (let i = 0; i < 60 && !(await incoming.count()); i++) {
    await officer.waitForTimeout(500);
    await officer.reload();
    await officer.getByRole('heading', { name: 'Verzoeken aan u' }).waitFor();
  }
  await incoming.getByRole('button', { name: 'Goedkeuren' }).click();
  if (await confirmIfAsked(officer, officer.getByText('Beslissing verstuurd.'), async () => municipality.users.officer.password)) officerProofAt = Date.now();
  await analyst.getByRole('link', { name: 'Verzoeken' }).click();
  const contactAnswer = analyst.locator('article[data-state="approved"]', { hasText: 'contactverzoek' });
  for (let i = 0; i < 60 && !(await contactAnswer.count()); i++) {
    await analyst.waitForTimeout(500);
    await analyst.reload();
    await analyst.getByRole('heading', { name: 'Mijn verzoeken aan partners' }).waitFor();
  }
  await contactAnswer.getByRole('button', { name: /Antwoord bekijken/ }).click();
  const contactCard = contactAnswer.locator('.contact-card');
  await contactCard.waitFor();
  assert.match(await contactCard.innerText(), /Sanne de Vries/);
  await shot(analyst, '21-contact-card');
  await officer.getByRole('link', { name: 'Mijn gegevens' }).click();
  assert.equal(await officer.getByLabel('Naam').inputValue(), 'Sanne de Vries');
  // How often e-mail comes: chosen here, kept.
  await officer.getByLabel('Hoe vaak').selectOption('immediate');
  await officer.getByTestId('notify-form').getByRole('button', { name: 'Opslaan' }).click();
  await officer.getByTestId('notify-form').getByText('Opgeslagen.').waitFor();
  await officer.reload();
  await officer.getByRole('heading', { name: 'Meldingen per e-mail' }).waitFor();
  assert.equal(await officer.getByLabel('Hoe vaak').inputValue(), 'immediate');
  await shot(officer, '22-my-details');

  log('a state change without the CSRF token is refused');
  const forged = await officer.evaluate(async () => {
    const r = await fetch('/api/v1/signals', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ category: 'housing.overcrowding', observedOn: '2026-11-20' }) });
    return { status: r.status, body: await r.text() };
  });
  assert.equal(forged.status, 403, forged.body);
  assert.match(forged.body, /urn:signalnode:problem:csrf/);

  // ---------------------------------------------------------------- privacy officer
  log('the RIEC privacy officer finds the exchange by subject access and sees the log verified');
  const privacy = await newPage();
  await enter(privacy, riec, 'privacy_officer');
  await privacy.getByRole('heading', { name: 'Verwerkingslog' }).waitFor();
  await privacy.getByTestId('verification').getByText('Logboek gecontroleerd').waitFor();
  await shot(privacy, '08-log-verified');
  log('the privacy officer filters the log by a human event name and a date range, and pages back over the whole log');
  const pad = (n) => String(n).padStart(2, '0');
  const now = new Date();
  const todayNl = `${now.getDate()}-${now.getMonth() + 1}-${now.getFullYear()}`;
  const eventRows = privacy.locator('[data-testid="events"] tbody tr');
  const firstPage = await eventRows.count();
  if (await privacy.getByTestId('older').isVisible()) {
    await privacy.getByTestId('older').click();
    await privacy.waitForFunction((n) => document.querySelectorAll('[data-testid="events"] tbody tr').length > n, firstPage);
    const indexes = (await eventRows.locator('td:first-child').allInnerTexts()).map(Number);
    assert.deepEqual(indexes, [...indexes].sort((x, y) => y - x), 'older events follow the newer ones');
    assert.equal(new Set(indexes).size, indexes.length, 'no event twice');
  }
  await privacy.getByLabel('Gebeurtenis', { exact: true }).selectOption({ label: 'Signaal ontvangen van partner' });
  await privacy.getByLabel(/^Vanaf/).fill('31-02-2026');  // no such day: said next to the field
  await privacy.getByRole('button', { name: 'Filteren' }).click();
  await privacy.locator('input[name="from"][aria-invalid="true"]').waitFor();
  assert.match(await privacy.locator(`#${await privacy.locator('input[name="from"]').getAttribute('id')}-error`).innerText(), /dd-mm-jjjj/);
  await privacy.getByLabel(/^Vanaf/).fill(todayNl);
  await privacy.getByLabel(/^Tot en met/).fill(todayNl);
  await privacy.getByRole('button', { name: 'Filteren' }).click();
  await privacy.waitForURL(/name=record.received/);
  await eventRows.first().waitFor();
  const names = await eventRows.evaluateAll((rows) => rows.map((r) => r.dataset.event));
  assert.ok(names.length >= 1 && names.every((n) => n === 'record.received'), `only the chosen event (${names})`);
  assert.match(await eventRows.first().innerText(), /signaal ontvangen van partner/);
  await shot(privacy, '08b-log-filtered');
  const yesterday = new Date(now.getTime() - 86400000);
  await privacy.getByLabel(/^Tot en met/).fill(`${pad(yesterday.getDate())}-${pad(yesterday.getMonth() + 1)}-${yesterday.getFullYear()}`);
  await privacy.getByLabel(/^Vanaf/).fill('');
  await privacy.getByRole('button', { name: 'Filteren' }).click();
  await privacy.getByText('Geen gebeurtenissen gevonden met deze filters.').waitFor();
  await privacy.getByRole('link', { name: 'Verwerkingslog' }).click();
  await privacy.goto(`${riec.api}/#/log`);
  await privacy.getByTestId('verification').waitFor();
  await privacy.getByRole('link', { name: 'Inzageverzoek' }).click();
  await privacy.getByLabel('Soort identificatie').selectOption('kvk');
  await privacy.getByLabel('KvK-nummer').fill('12345678');
  await privacy.getByRole('button', { name: 'Zoeken' }).click();
  const result = privacy.getByTestId('access-result');
  await result.waitFor();
  const found = Number((await result.innerText()).split(' ')[0]);
  assert.ok(found >= 1, `subject access found ${found} exchanges`);
  assert.ok(await privacy.getByRole('cell', { name: 'signaal ontvangen van partner' }).count() >= 1);
  await shot(privacy, '09-subject-access');
  log('the subject-access answer prints and exports, and says what is held now');
  const held = privacy.getByTestId('access-held');
  if (await held.count()) assert.match(await held.innerText(), /Eigen signalen die de betrokkene noemen: \d+/);
  const [csvDownload] = await Promise.all([privacy.waitForEvent('download'), privacy.getByRole('button', { name: 'Download als CSV' }).click()]);
  const accessCsv = fs.readFileSync(await csvDownload.path());
  assert.deepEqual([...accessCsv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const accessLines = accessCsv.toString('utf8').slice(1).split('\r\n');
  assert.match(accessLines[0], /^#;Tijd;Gebeurtenis;Met wie;Categorie;/);
  assert.match(accessLines[1], /^\d+;\d{2}-\d{2}-\d{4} \d{2}:\d{2};/, 'Dutch local time');
  const [jsonDownload] = await Promise.all([privacy.waitForEvent('download'), privacy.getByRole('button', { name: 'Download als JSON' }).click()]);
  assert.ok(JSON.parse(fs.readFileSync(await jsonDownload.path(), 'utf8')).exchanges.length >= 1);
  await privacy.emulateMedia({ media: 'print' });
  assert.equal(await privacy.locator('header.top').isVisible(), false, 'no menu on paper');
  assert.equal(await privacy.getByRole('button', { name: 'Afdrukken' }).isVisible(), false, 'no buttons on paper');
  assert.ok(await privacy.getByTestId('access-exchanges').isVisible(), 'the exchanges on paper');
  await privacy.screenshot({ path: path.join(shots, '09b-subject-access-print.png'), fullPage: true });
  await privacy.emulateMedia({ media: 'screen' });
  log('an address is asked in its own fields');
  await privacy.getByLabel('Soort identificatie').selectOption('address');
  await privacy.getByRole('button', { name: 'Zoeken' }).click();  // nothing filled in: both required fields say so at once
  await privacy.locator('input[name="postcode"][aria-invalid="true"]').waitFor();
  await privacy.locator('input[name="houseNumber"][aria-invalid="true"]').waitFor();
  await privacy.getByLabel('Postcode').fill('1431 ab');
  await privacy.getByLabel('Huisnummer').fill('12');
  await privacy.getByLabel('Huisletter').fill('A');
  await privacy.getByRole('button', { name: 'Zoeken' }).click();
  await privacy.getByTestId('access-result').getByText(/^[1-9]\d* uitwisselingen/).waitFor();
  await privacy.getByRole('link', { name: 'Convenant' }).click();
  await privacy.getByRole('heading', { name: 'Alle signalen naar het RIEC' }).waitFor();
  await privacy.getByText('Signalen van arbeidsuitbuiting en mensenhandel bundelen', { exact: false }).waitFor();
  await shot(privacy, '10-policy');
  await privacy.getByRole('link', { name: 'Grafieken' }).click();
  await privacy.locator('figure svg').first().waitFor();
  await shot(privacy, '11-charts');
  // The page's CSV link asks for the Dutch convention (semicolons, BOM, CRLF, local dd-mm-jjjj uu:mm).
  await privacy.getByRole('link', { name: 'Verwerkingslog' }).click();
  const csvHref = await privacy.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  assert.equal(csvHref, '/api/v1/audit/report.csv?lang=nl');
  const csvBytes = await privacy.evaluate(async (href) => [...new Uint8Array(await (await fetch(href)).arrayBuffer())], csvHref);
  const csv = Buffer.from(csvBytes).toString('utf8');
  if (csvBytes[0] === 0xef) {
    assert.deepEqual(csvBytes.slice(0, 3), [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
    const [head, first] = csv.slice(1).split('\r\n');
    assert.ok(head.includes(';') && !head.includes(','), `semicolons: ${head}`);
    assert.match(first, /\d{2}-\d{2}-\d{4} \d{2}:\d{2}/, 'local time as dd-mm-jjjj uu:mm');
  } else {
    console.log('  NOTE: this node still writes the comma-separated UTC CSV (server contract 4 not merged yet)');
    assert.match(csv, /^index,time_utc,event/);
  }

  log('English works too');
  await privacy.getByRole('button', { name: 'English' }).click();
  await privacy.getByRole('heading', { name: 'Processing log' }).waitFor();
  await privacy.getByRole('button', { name: 'Nederlands' }).click();

  // ---------------------------------------------------------------- admin
  log('the admin sees the accounts');
  const admin = await newPage();
  await enter(admin, municipality, 'admin');
  await admin.getByRole('heading', { name: 'Gebruikers' }).waitFor();
  await admin.getByLabel('Gebruikersnaam').fill('tweede-analist');
  await admin.getByLabel('Rol').selectOption('analyst');
  await admin.getByLabel(/^Wachtwoord/).fill('een-lang-wachtwoord-2026');
  await admin.getByRole('button', { name: 'Aanmaken' }).click();
  await confirmIfAsked(admin, admin.locator('tr[data-user="tweede-analist"]'), async () => nextCode(`${municipality.api} ${municipality.users.admin.username}`));
  const newcomer = await newPage();
  await enter(newcomer, { api: municipality.api, users: { analyst: { username: 'tweede-analist', password: 'een-lang-wachtwoord-2026' } } }, 'analyst');
  await newcomer.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();
  log('the admin changes their own password');
  await admin.getByRole('link', { name: /^admin · beheerder/ }).click();
  await admin.getByRole('heading', { name: 'Wachtwoord wijzigen' }).waitFor();
  await admin.getByLabel('Huidig wachtwoord').fill(municipality.users.admin.password);
  await admin.getByLabel(/^Nieuw wachtwoord(?! nogmaals)/).fill('een nieuw lang wachtwoord');
  await admin.getByLabel('Nieuw wachtwoord nogmaals').fill('een nieuw lang wachtwoord');
  await admin.getByRole('button', { name: 'Wijzigen' }).click();
  await admin.getByText('Wachtwoord gewijzigd').waitFor();
  await shot(admin, '16-password-changed');
  await admin.getByRole('link', { name: 'Gebruikers' }).click();
  await admin.getByRole('heading', { name: 'Gebruikers' }).waitFor();
  await admin.getByRole('button', { name: 'Verwijderen tweede-analist' }).click();  // confirm() is accepted
  await confirmIfAsked(admin, admin.locator('main:not(:has(tr[data-user="tweede-analist"]))'), async () => nextCode(`${municipality.api} ${municipality.users.admin.username}`));
  await admin.locator('tr[data-user="tweede-analist"]').waitFor({ state: 'detached' });
  await newcomer.getByRole('link', { name: 'Alerts' }).click();  // the next request finds the session gone
  await newcomer.getByLabel('Gebruikersnaam').waitFor();
  await shot(admin, '12-users');
  log('the admin sees which signed federation configuration is in force (issue 22)');
  await admin.getByRole('link', { name: 'Convenant' }).click();
  await admin.getByTestId('federation-configuration').filter({ hasText: /^Ondertekende federatieconfiguratie: versie 1, geldt sinds / }).waitFor();

  // ---------------------------------------------------------------- wrong passwords
  log('wrong passwords make the next attempt wait; the owner stays logged in; the admin clears the wait');
  // At the RIEC, so that no node sees more than its 10 log-in attempts a minute from this address.
  // The RIEC analyst, logged in above, is the owner of the account guessed at.
  const intruder = await newPage();
  for (let i = 0; i < 4; i++) {
    await login(intruder, riec, 'analyst', `wrong-password-${i}`);
    await intruder.getByText('Gebruikersnaam of wachtwoord is onjuist.', { exact: true }).waitFor();
  }
  await login(intruder, riec, 'analyst', 'wrong-password-4');
  await intruder.getByText('U kunt het over 15 seconden opnieuw proberen').waitFor();
  await login(intruder, riec, 'analyst');  // the right password during the wait: not checked
  await intruder.getByText('Te veel onjuiste wachtwoorden').waitFor();
  await intruder.getByText('Wie al is ingelogd, blijft ingelogd').waitFor();
  await shot(intruder, '13-wait');
  await analyst.getByRole('link', { name: 'Inbox' }).click();  // the owner's session was never touched
  await analyst.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();
  await analyst.getByRole('link', { name: 'Alerts' }).click();  // back where it was (the inbox is checked again below)
  await analyst.getByRole('heading', { name: 'Alerts' }).waitFor();
  const riecAdmin = await newPage();
  await enter(riecAdmin, riec, 'admin');
  await riecAdmin.getByRole('heading', { name: 'Gebruikers' }).waitFor();
  const waiting = riecAdmin.locator(`tr[data-user="${riec.users.analyst.username}"]`);
  assert.match(await waiting.innerText(), /moet wachten tot/);
  await riecAdmin.getByRole('button', { name: `Wachttijd opheffen: ${riec.users.analyst.username}` }).click();
  await riecAdmin.getByText('kan meteen weer inloggen').waitFor();
  assert.doesNotMatch(await waiting.innerText(), /moet wachten tot/);
  await enter(intruder, riec, 'analyst');  // the owner (or here, whoever knows the password) is let in at once
  await intruder.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();

  log('the admin sets a new password for someone who forgot it; their sessions end');
  const snf = node('snf');
  const forgetful = await newPage();
  await enter(forgetful, snf, 'officer');
  await forgetful.getByRole('heading', { name: 'Signaal melden' }).waitFor();
  const snfAdmin = await newPage();
  await enter(snfAdmin, snf, 'admin');
  await snfAdmin.getByRole('heading', { name: 'Gebruikers' }).waitFor();
  const row = snfAdmin.locator(`tr[data-user="${snf.users.officer.username}"]`);
  await row.getByText('Nieuw wachtwoord instellen').click();
  await row.getByLabel(`Nieuw wachtwoord instellen: ${snf.users.officer.username}`).fill('een vers wachtwoord van de beheerder');
  await row.getByRole('button', { name: 'Instellen' }).click();
  await snfAdmin.getByText('alle sessies van dit account zijn beëindigd').waitFor();
  await shot(snfAdmin, '17-password-reset');
  await forgetful.getByRole('link', { name: 'Mijn signalen' }).click();  // the next request finds the session gone
  await forgetful.getByLabel('Gebruikersnaam').waitFor();
  await enter(forgetful, snf, 'officer', 'een vers wachtwoord van de beheerder');
  await forgetful.getByRole('heading', { name: 'Signaal melden' }).waitFor();

  log('keyboard: the skip link is the first stop and leads to the content');
  await officer.goto(`${municipality.api}/#/signals`);
  await officer.reload();
  await officer.getByRole('heading', { name: 'Mijn signalen' }).waitFor();
  await officer.keyboard.press('Tab');
  assert.equal(await officer.evaluate(() => document.activeElement.id), 'skip-link');
  await officer.keyboard.press('Enter');
  assert.equal(await officer.evaluate(() => document.activeElement.id), 'main');
  assert.match(officer.url(), /#\/signals$/);
  await officer.keyboard.press('Tab');  // then on into the page, not back to the menu
  assert.ok(await officer.evaluate(() => document.getElementById('main').contains(document.activeElement)));

  log('the officer corrects the signal, then withdraws it, and sees each partner apply it');
  await officer.goto(signalUrl);
  await officer.getByRole('link', { name: 'Corrigeren' }).click();
  await officer.getByLabel('Aantal personen').fill('7');
  await officer.getByRole('button', { name: 'Correctie opslaan' }).click();
  await officer.getByRole('heading', { name: 'Signaal', exact: true }).waitFor();
  for (const partner of ['nla', 'riec-amsterdam']) {
    await officer.locator(`tr[data-partner="${partner}"]`, { hasText: 'correctie' }).locator('.state.applied').waitFor({ timeout: 30000 });
  }
  await shot(officer, '14-signal-corrected');
  // The officer logged in long ago (the municipality's node asks again after
  // 60 s here, run_e2e.sh): the withdrawal asks for the password in place,
  // then goes ahead by itself.
  const sinceProof = Date.now() - officerProofAt;
  if (sinceProof < 62000) await officer.waitForTimeout(62000 - sinceProof);
  console.log(`  the officer's last proof was ${Math.round((Date.now() - officerProofAt) / 1000)} s ago`);
  await officer.getByRole('button', { name: 'Intrekken' }).click();  // confirm() is accepted
  const stepUp = officer.getByRole('dialog', { name: 'Bevestig dat u het bent' });
  await stepUp.waitFor();
  await stepUp.getByLabel('Wachtwoord').fill('niet mijn wachtwoord');
  await stepUp.getByRole('button', { name: 'Bevestigen' }).click();
  await stepUp.getByText('het wachtwoord klopt niet').waitFor();
  await shot(officer, '15a-step-up');
  await stepUp.getByLabel('Wachtwoord').fill(municipality.users.officer.password);
  await stepUp.getByRole('button', { name: 'Bevestigen' }).click();
  await stepUp.waitFor({ state: 'detached' });
  await officer.getByText('ingetrokken', { exact: false }).first().waitFor();
  for (const partner of ['nla', 'riec-amsterdam']) {
    await officer.locator(`tr[data-partner="${partner}"]`, { hasText: 'intrekking' }).locator('.state.applied').waitFor({ timeout: 30000 });
  }
  await shot(officer, '15-signal-withdrawn');
  await analyst.getByRole('link', { name: 'Inbox' }).click();
  await analyst.getByRole('heading', { name: 'Ontvangen van partners' }).waitFor();
  assert.equal(await analyst.locator('article[data-source="gemeente-aalsmeer"][data-category="labour.underpaid_or_unpaid"]').count(), 0,
    'the withdrawn record is gone at the RIEC');

  log('a session about to end warns and can be extended; an ended one asks to log in again in place, keeping the half-typed report');
  await officer.goto(`${municipality.api}/#/submit`);
  await officer.clock.install();  // the page's own clock, moved forward below: the node's session stays as it is
  await officer.reload();
  await officer.getByRole('heading', { name: 'Signaal melden' }).waitFor();
  const aboutNode = await officer.evaluate(async () => { const r = await fetch('/api/v1/about'); return r.ok ? r.json() : null; });
  if (aboutNode) {
    assert.equal(await officer.getByLabel(/^Gemeentecode/).inputValue(), aboutNode.municipality || '', 'the node\'s own municipality pre-filled');
    assert.match(await officer.locator('header.top').innerText(), new RegExp(aboutNode.name), 'the organisation in the top bar');
  } else console.log('  NOTE: GET /api/v1/about is not on this node yet: no organisation name, no municipality to pre-fill');
  await officer.locator('input[value="housing.overcrowding"]').check();
  const halfTyped = 'Busje met zes mannen om 05:00 bij de kas; half getypt';
  await officer.getByLabel('Toelichting').fill(halfTyped);
  await officer.clock.fastForward('27:30');  // 27.5 minutes without a click: 3 minutes before the idle end
  const warning = officer.getByRole('dialog', { name: 'Uw sessie verloopt bijna' });
  await warning.waitFor({ timeout: 15000 });
  await shot(officer, '23-session-warning');
  await warning.getByRole('button', { name: 'Ingelogd blijven' }).click();
  await warning.waitFor({ state: 'detached' });
  await officer.clock.setSystemTime(new Date());  // back to the real time, timers not fired
  await officer.context().clearCookies();  // the session ends (as after 30 idle minutes)
  await officer.getByRole('button', { name: 'Bekijk wat partners ontvangen' }).click();
  const again = officer.getByRole('dialog', { name: 'Uw sessie is verlopen' });
  await again.waitFor({ timeout: 15000 });
  assert.equal(await officer.getByLabel('Toelichting').inputValue(), halfTyped, 'what was typed stays on the screen');
  await shot(officer, '24-session-expired');
  await again.getByLabel('Wachtwoord').fill(municipality.users.officer.password);
  await again.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await again.waitFor({ state: 'detached' });
  assert.equal(await officer.getByLabel('Toelichting').inputValue(), halfTyped, 'and after logging in again');
  await officer.reload();  // a reload (or a log-in in a new page) brings the draft back
  await officer.getByText('Uw niet verstuurde melding is teruggezet.').waitFor();
  assert.equal(await officer.getByLabel('Toelichting').inputValue(), halfTyped);
  log('eight hours after the log-in a session ends however active: ten minutes before, the page says at what time');
  {
    // A context of its own (a clock is the context's), with the officer's session.
    const late = await newPage();
    await late.context().addCookies(await officer.context().cookies());
    await late.clock.install();
    await late.goto(`${municipality.api}/`);
    await late.getByRole('button', { name: 'Uitloggen' }).waitFor();
    const endsIn = await late.evaluate(async () => (await (await fetch('/api/v1/session')).json()).endsInSeconds);
    assert.ok(endsIn > 7 * 3600 && endsIn <= 8 * 3600, `a session lasts 8 hours from its log-in (${endsIn} s left)`);
    await late.clock.fastForward((endsIn - 5 * 60) * 1000);
    const ending = late.getByRole('dialog', { name: 'Uw sessie eindigt binnenkort' });
    await ending.waitFor({ timeout: 15000 });
    assert.match(await ending.innerText(), /Om \d{2}:\d{2} eindigt uw sessie/, 'the end is named as a time of day');
    await shot(late, '24b-session-end');
    await ending.getByRole('button', { name: 'Sluiten' }).click();
    await ending.waitFor({ state: 'detached' });
    await late.context().close();
  }
  log('all errors at once, each next to its field');
  await officer.getByLabel(/^Waargenomen op/).fill('31-02-2026');
  await officer.getByRole('button', { name: 'Betrokkene toevoegen' }).click();
  const bad = officer.locator('.subject').last();
  await bad.getByLabel('Soort').selectOption('person');
  await bad.getByLabel('BSN').fill('123456789');
  await bad.getByLabel('Geboortedatum').fill('1-2-1990');
  await bad.getByLabel('Naam', { exact: true }).fill('Łukasz Nowak');
  await bad.getByLabel('Rol').fill('Werknemer');
  await bad.getByLabel('Land van het document').fill('Polen');
  await officer.getByRole('button', { name: 'Bekijk wat partners ontvangen' }).click();
  await officer.locator('input[aria-invalid="true"]').first().waitFor();
  await officer.getByLabel(/^Waargenomen op/).fill('20-11-2026'.replace('2026', String(new Date().getFullYear() - 1)));
  await officer.getByRole('button', { name: 'Bekijk wat partners ontvangen' }).click();
  await officer.locator('input[name="bsn"][aria-invalid="true"]').waitFor();  // the server's 11-proef, next to the BSN
  const bsnError = await officer.locator('input[name="bsn"]').getAttribute('aria-describedby');
  assert.ok(bsnError && (await officer.locator(`#${bsnError.split(' ').pop()}`).innerText()).length > 0, 'the BSN field names its error');
  await shot(officer, '25-errors-at-once');
  await officer.getByRole('button', { name: 'Formulier leegmaken' }).click();
  await officer.getByLabel('Toelichting').waitFor();
  assert.equal(await officer.getByLabel('Toelichting').inputValue(), '');

  log('the admin logs out and in again with the authenticator app (two steps)');
  await admin.getByRole('button', { name: 'Uitloggen' }).click();
  await admin.getByLabel('Gebruikersnaam').waitFor();
  await enter(admin, municipality, 'admin', 'een nieuw lang wachtwoord');
  await admin.getByRole('heading', { name: 'Gebruikers' }).waitFor();
  assert.match(await admin.locator('tr[data-user="admin"]').innerText(), /ingesteld/, 'the users page shows the second factor');

  log('an analyst adds a passkey (Chromium virtual authenticator) and logs in with it, after the password and alone');
  // Passkeys need a domain name (localhost), not an IP address.
  const local = { api: municipality.api.replace('127.0.0.1', 'localhost'), users: municipality.users };
  const keyPage = await newPage();
  const cdp = await keyPage.context().newCDPSession(keyPage);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
    hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
  await enter(keyPage, local, 'analyst');
  await keyPage.getByRole('link', { name: 'Tweede factor' }).click();
  await keyPage.getByRole('heading', { name: 'Tweede factor' }).waitFor();
  await keyPage.getByLabel('Naam van de passkey').fill('Laptop van de analist');
  await keyPage.getByRole('button', { name: 'Passkey toevoegen' }).click();
  await keyPage.getByTestId('recovery-codes').waitFor();
  await keyPage.getByRole('button', { name: 'Ik heb de codes bewaard' }).click();
  await keyPage.getByTestId('passkeys').getByText(/Laptop van de analist/).waitFor();
  await shot(keyPage, '33-passkey-added');
  await keyPage.getByRole('button', { name: 'Uitloggen' }).click();
  await login(keyPage, local, 'analyst');
  await keyPage.getByRole('heading', { name: 'Tweede stap' }).waitFor();  // the password alone is not enough any more
  await shot(keyPage, '34-second-step');
  await keyPage.getByRole('button', { name: 'Inloggen met passkey' }).click();
  await keyPage.getByRole('heading', { name: 'Wat er voor u klaarstaat' }).waitFor();
  await keyPage.getByRole('button', { name: 'Uitloggen' }).click();
  await keyPage.getByLabel('Gebruikersnaam').waitFor();
  await keyPage.getByRole('button', { name: 'Inloggen met passkey' }).click();  // no name, no password
  await keyPage.getByRole('heading', { name: 'Wat er voor u klaarstaat' }).waitFor();
  assert.match(await keyPage.locator('header.top').innerText(), new RegExp(`${municipality.users.analyst.username} · analist`));

  log('every page in both languages: its words, no codes, axe-core and 390 px');
  const signalHash = new URL(signalUrl).hash;
  const caseHash = new URL(caseUrl).hash;
  const tour = [
    ['officer', officer, ['#/start', '#/submit', '#/signals', '#/signals?all=1', signalHash, '#/requests', '#/me', '#/password', '#/security', '#/policy']],
    ['analyst', analyst, ['#/start', '#/inbox', '#/alerts', '#/cases', caseHash, '#/lookup', '#/requests', '#/me']],
    ['privacy', privacy, ['#/start', '#/log', '#/subject-access', '#/policy', '#/charts']],
    ['admin', admin, ['#/start', '#/users', '#/deliveries', '#/security', '#/policy']],
  ];
  let toured = 0;
  for (const language of ['nl', 'en']) {
    for (const [who, p, hashes] of tour) {
      await p.evaluate((l) => localStorage.setItem('sn-lang', l), language);
      for (const hash of hashes) {
        await p.goto(`${new URL(p.url()).origin}/${hash}`);
        await p.reload();
        await p.locator('main h1').waitFor();
        await p.waitForTimeout(300);
        await shot(p, `tour-${language}-${who}-${hash.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').slice(0, 40)}`, language);
        toured += 1;
      }
    }
  }
  for (const [, p] of tour) { await p.evaluate(() => localStorage.setItem('sn-lang', 'nl')); await p.reload(); }
  console.log(`  pages checked in both languages: ${toured}; axe-core clean on ${axeChecked.size} views; ${narrowChecked.size} views at 390 px`);

  // ---------------------------------------------------------------- sign-in through the organisation (issue 21)
  log('a person of the enforcement team signs in through the organisation\'s identity provider');
  const idp = process.env.SN_E2E_OIDC_PROVIDER;
  const sso = await newPage();
  await sso.request.get(`${idp}/test/next?account=kees`);  // groups that map to no role here
  await sso.goto(`${municipality.api}/#/login`);
  await sso.getByRole('link', { name: 'Inloggen via uw organisatie' }).click();
  await sso.getByText('U bent bij uw organisatie niet ingedeeld in een groep die toegang heeft tot signalnode.').waitFor();
  await shot(sso, '17-oidc-no-access');
  await sso.request.get(`${idp}/test/next?account=anna`);
  const annaPage = await newPage();
  await annaPage.goto(`${municipality.api}/#/login`);
  await annaPage.getByRole('link', { name: 'Inloggen via uw organisatie' }).click();
  await annaPage.getByRole('heading', { name: 'Wat er voor u klaarstaat' }).waitFor();
  await annaPage.getByRole('link', { name: /^anna\.devries · / }).waitFor();
  assert.equal((await annaPage.evaluate(async () => (await fetch('/api/v1/session')).json())).team, 'handhaving');
  await shot(annaPage, '18-oidc-signed-in');
  log('logging out of a provider account ends the session there too');
  await annaPage.getByRole('button', { name: 'Uitloggen' }).click();
  await annaPage.waitForURL(new RegExp(`^${idp.replace(/[.]/g, '\\.')}/session/end`));
  assert.equal(await annaPage.request.get(`${municipality.api}/api/v1/session`).then((r) => r.status()), 401);

  log('logging out ends the session');
  await officer.getByRole('button', { name: 'Uitloggen' }).click();
  await officer.getByLabel('Gebruikersnaam').waitFor();
  assert.equal(await officer.evaluate(async () => (await fetch('/api/v1/signals')).status), 401);

  assert.deepEqual(pageErrors, [], 'script errors in the pages');
  console.log('web e2e: ok');
} catch (e) {
  console.error(`web e2e FAILED at "${step}": ${e.stack || e}`);
  if (pageErrors.length) console.error(`script errors in the pages: ${pageErrors.join('; ')}`);
  process.exitCode = 1;
  for (const [i, p] of pages.entries()) await p.screenshot({ path: path.join(shots, `failed-${i}.png`), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
