// Every preset loads and runs in the built app: the clock advances and the
// numbers move the way the preset is about. Screenshots of each preset at
// 1280×800 and 375×667 land in target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage, screenshotPath } from './harness.mjs';
import { clock, sleep, num, setSpeed, until } from './util.mjs';

let server;
let browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const text = (page, id) => page.getByTestId(id).textContent();

// What each preset must show, read from the page; `speed` is log10 of the
// speed to run at (the test's, not the preset's).
const EXPECT = {
  'Thumbnails on S3 upload': {
    speed: 3,
    check: async (page) => {
      await until(async () => num(await text(page, 'env-count')), (n) => n > 0, 15000, 'environments');
      assert.notEqual(await text(page, 'cost-lambda'), '$0.00');
    },
  },
  'Steady API': {
    speed: 1,
    check: async (page) => {
      await until(async () => num(await text(page, 'm-rate-lambda')), (r) => r > 100, 15000, '~200 req/s');
      const cold = num(await text(page, 'm-cold-lambda'));
      assert.ok(cold < 20, `few cold starts under steady traffic: ${cold} %`);
    },
  },
  'Flash-sale spike': {
    speed: 4,
    check: async (page) => {
      await until(async () => num(await text(page, 'throttles')), (n) => n > 0, 40000, 'throttles in the spike');
      // The metrics panel refreshes a few times a second, after the stage.
      await until(async () => num(await text(page, 'm-refused-lambda')), (n) => n > 0, 3000, 'refused in the metrics');
    },
  },
  'Nightly 20-minute batch': {
    speed: 4,
    check: async (page) => {
      await until(async () => num(await text(page, 'timeouts')), (n) => n >= 1, 20000, 'a Lambda timeout');
      await until(async () => num(await text(page, 'm-timeouts-lambda')), (n) => n >= 1, 3000, 'timeouts in the metrics');
    },
  },
  'SQS-buffered workers': {
    speed: 2,
    check: async (page) => {
      assert.equal(await page.locator('[data-testid=source] .icon-sqs').count(), 1, 'drawn as an SQS queue');
      await page.getByTestId('queue-depth').waitFor();
      await until(async () => num(await text(page, 'env-count')), (n) => n > 0, 15000, 'pollers invoke');
    },
  },
  'Quiet night': {
    speed: 4,
    check: async (page) => {
      // Past midnight at 0.2 req/s: the EC2 meter keeps running ahead.
      await until(async () => num(await text(page, 'cost-ec2')), (c) => c > 0.3, 20000, 'EC2 cost to accrue');
      const lambda = num(await text(page, 'cost-lambda'));
      const ec2 = num(await text(page, 'cost-ec2'));
      assert.ok(ec2 > lambda, `idle EC2 costs more than idle Lambda: ${ec2} vs ${lambda}`);
      assert.ok(num(await text(page, 'instance-count')) >= 0);
    },
  },
  'Patch Tuesday': {
    speed: 3,
    check: async (page) => {
      const stateCount = async (s) => page.locator(`[data-testid=ec2-panel] .instance[data-state="${s}"]`).count();
      await until(() => stateCount('patching'), (n) => n >= 1, 30000, 'an instance out for patching');
      const inService = await stateCount('in service');
      const all = await page.locator('[data-testid=ec2-panel] .instance').count();
      assert.ok(inService < all, `capacity dips: ${inService} of ${all} in service`);
      assert.ok(num(await text(page, 'm-timeouts-lambda')) === 0, 'Lambda unaffected');
    },
  },
  'Instance failure, fixed fleet': {
    speed: 2,
    check: async (page) => {
      await until(() => page.locator('[data-testid=ec2-panel] .instance[data-state="failed"]').count(), (n) => n >= 1, 30000, 'a failed instance');
      await until(async () => num(await page.getByTestId('m-pages-ec2').textContent()), (n) => n >= 1, 20000, 'a page');
    },
  },
  'Instance failure, Auto Scaling': {
    speed: 2,
    check: async (page) => {
      await until(() => page.locator('[data-testid=ec2-panel] .instance[data-state="failed"]').count(), (n) => n >= 1, 30000, 'a failed instance');
      await until(() => page.locator('[data-testid=ec2-panel] .instance[data-state="booting"]').count(), (n) => n >= 1, 30000, 'a replacement booting');
    },
  },
  'SimFaaS reference model': {
    speed: 3,
    check: async (page) => {
      await until(async () => num(await text(page, 'env-count')), (n) => n > 0, 15000, 'environments');
      assert.equal(await page.locator('[data-testid=source] .icon-api').count(), 1, 'drawn as API Gateway');
    },
  },
  'Stress: 1,000 environments, 50 instances': {
    speed: 2,
    check: async (page) => {
      await until(async () => num(await text(page, 'env-count')), (n) => n >= 900, 40000, 'about 1,000 environments');
      assert.equal(await page.locator('[data-testid=lambda-panel] .grid').getAttribute('data-detail'), 'density', 'drawn as density tiles');
      assert.equal(await page.locator('[data-testid=ec2-panel] .instance').count(), 50);
    },
  },
};

test('the preset list is what the tests expect', async () => {
  const { page } = await newPage(browser);
  await page.goto(server.url);
  const titles = await page.locator('#preset option').allTextContents();
  for (const t of Object.keys(EXPECT)) assert.ok(titles.includes(t), `preset ${t} is offered`);
  await page.close();
});

for (const [title, { speed, check }] of Object.entries(EXPECT)) {
  test(`preset "${title}" loads and runs`, async () => {
    const { page, problems } = await newPage(browser);
    await page.goto(server.url);
    await page.locator('#sim-clock').waitFor();
    await page.selectOption('#preset', { label: title });
    const caption = await text(page, 'takeaway');
    assert.ok(caption.length > 20 && caption.endsWith('.'), caption);
    await setSpeed(page, speed);
    const t0 = await clock(page);
    await sleep(600);
    assert.ok((await clock(page)) > t0, 'the clock advances');
    await check(page);
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');
    await page.screenshot({ path: screenshotPath(`preset-${slug}-1280x800.png`) });
    await page.setViewportSize({ width: 375, height: 667 });
    await sleep(300);
    await page.screenshot({ path: screenshotPath(`preset-${slug}-375x667.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  });
}
