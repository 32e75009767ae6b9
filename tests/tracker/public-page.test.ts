import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { createBoard } from './helpers.js';

/** Screenshots of the pages a visitor sees, kept after the run (git-ignored). */
const OUTPUT = join(process.cwd(), 'test-output', 'tracker');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let s: TestServer;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  s = await startServer();
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
});
afterAll(async () => {
  await browser.close();
  await closeAll(s);
});

describe('the public request form in a browser', () => {
  it('is filled and sent without JavaScript, confirmed from the mailed link, and shows the ticket', async () => {
    const owner = await s.register({ name: 'Olga' });
    const board = await createBoard(s, owner, 'WEB', { triageEnabled: true });
    const form = (
      await s.ok(
        `mutation F($b: ID!) { setBoardPublicForm(boardId: $b, input: { enabled: true, intro: "Tell us what went wrong." }) { slug url } }`,
        { b: board.id },
        { token: owner.token },
      )
    ).setBoardPublicForm;
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    const res = await page.goto(`${s.url}/public/forms/${form.slug}`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toMatch(
      /default-src 'none'; style-src 'nonce-[^']+'; form-action 'self'/,
    );
    expect(await page.$$('script')).toHaveLength(0);
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Contact Board WEB');
    // Every visible field has its label.
    const labelled = await page.$$eval('label', (els) => els.map((el) => el.getAttribute('for')));
    const fields = await page.$$eval('input:not([tabindex="-1"]), textarea', (els) => els.map((el) => el.id));
    const unlabelled = fields.filter((id) => !labelled.includes(id));
    expect(unlabelled).toEqual([]);

    // A mistake the browser lets through (a blank body) comes back with the message and what was typed.
    await page.type('#email', 'pat@example.com');
    await page.type('#title', 'The printer is on fire');
    await page.type('#body', '   ');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.$eval('#body-error', (e) => e.textContent)).toMatch(/characters/);
    expect(await page.$eval('#title', (e) => e.getAttribute('value'))).toBe('The printer is on fire');
    await page.type('#name', 'Pat');
    await page.click('#body', { count: 3 });
    await page.keyboard.press('Backspace');
    await page.type('#body', 'Smoke since this morning.');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.$eval('[role=status]', (e) => e.textContent)).toMatch(/Follow its link to confirm/);
    await page.screenshot({ path: join(OUTPUT, 'public-form-received.png') });

    // The confirmation link from the outbox (the server's own address: the test server's port is random).
    const mail = s.outbox().find((m) => m.to === 'pat@example.com' && m.kind === 'ticket-confirm')!;
    const link = new URL(mail.text.match(/https?:\/\/\S+\/public\/tickets\/[\w-]+/)![0]);
    await page.goto(`${s.url}${link.pathname}`);
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Confirm your request');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('The printer is on fire');
    expect(await page.$eval('.meta', (e) => e.textContent)).toMatch(/WEB-1 · Status: Open/);

    // A member answers in public (and notes something internal); the requester replies from the page.
    const queue = await s.ok(
      `query Q($b: ID) { standbyQueue(boardId: $b, first: 1) { edges { node { id } } } }`,
      { b: board.id },
      { token: owner.token },
    );
    const id = queue.standbyQueue.edges[0].node.id;
    await s.ok(
      `mutation A($id: ID!) { acceptTicket(id: $id, input: { comment: "Is it still smoking?" }) { id } }`,
      { id },
      { token: owner.token },
    );
    await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "INTERNAL: buy a new one", visibility: INTERNAL }) { id } }`,
      { id },
      { token: owner.token },
    );
    await page.reload();
    await page.type('#body', 'Yes, a little.');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const conversation = await page.$$eval('.comment', (els) => els.map((e) => e.textContent));
    expect(conversation).toHaveLength(2);
    expect(conversation[0]).toMatch(/Olga.*Is it still smoking\?/);
    expect(conversation[1]).toMatch(/You.*Yes, a little\./);
    expect(await page.content()).not.toContain('buy a new one');
    await page.screenshot({ path: join(OUTPUT, 'public-ticket.png'), fullPage: true });
    expect(blocked).toEqual([]);

    // A rotated form's page is gone.
    await s.ok(
      `mutation R($b: ID!) { rotatePublicFormSlug(boardId: $b) { slug } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect((await page.goto(`${s.url}/public/forms/${form.slug}`))!.status()).toBe(404);
    await page.close();
  });
});
