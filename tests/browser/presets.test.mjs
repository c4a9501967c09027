// Every preset loads and runs in the built app: the clock advances and the
// numbers move the way the preset is about. Screenshots of each preset at
// 1280×800, 1920×1080 and 375×667 land in target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { clock, sleep, num, setSpeed, until } from './util.mjs';

const env = suite();

const text = (page, id) => page.getByTestId(id).textContent();

// What each preset must show, read from the page; `speed` is log10 of the
// speed to run at (the test's, not the preset's).
const EXPECT = {
  'Thumbnails on S3 upload': {
    speed: 3,
    check: async (page) => {
      await until(async () => num(await text(page, 'env-count')), (n) => n > 0, 15000, 'environments');
      // The free tier covers the function itself: the meter ticks with the S3 requests.
      await until(() => text(page, 'cost-lambda'), (c) => c !== '$0.00', 15000, 'the Lambda meter to tick');
      assert.match(await text(page, 'cost-lambda-note'), /free tier applied/);
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
      // The tally reads "429 / throttled: N": the count is after the colon.
      await until(async () => num((await text(page, 'throttles')).split(':').pop()), (n) => n > 0, 40000, 'throttles in the spike');
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
  "Legacy burst limits vs today's scaling rate": {
    speed: 2,
    check: async (page) => {
      // The spike at 2 min outruns the legacy burst: throttles for minutes.
      await until(async () => num(await text(page, 'm-refused-lambda')), (n) => n > 20000, 40000, 'legacy throttles');
      // The same spike under today's rule, same seed: far fewer refused by the same time.
      const legacyAt = await clock(page);
      const legacy = num(await text(page, 'm-refused-lambda'));
      await page.selectOption('#p-scaling', 'current');
      await until(() => clock(page), (t) => t >= legacyAt, 60000, `the current-rule run to reach ${legacyAt}`);
      await sleep(400);
      const current = num(await text(page, 'm-refused-lambda'));
      assert.ok(current * 4 < legacy, `today's scaling rate refuses far fewer: ${current} vs ${legacy} by ${legacyAt}`);
      // Back to the legacy preset, into the spike, for the screenshots.
      await page.selectOption('#preset', { label: "Legacy burst limits vs today's scaling rate" });
      await setSpeed(page, 2);
      await until(async () => num(await text(page, 'm-refused-lambda')), (n) => n > 1000, 40000, 'legacy throttles again');
      await setSpeed(page, 0);
    },
  },
  'Provisioned concurrency vs cold starts': {
    speed: 3,
    check: async (page) => {
      // Two waves in: every request served warm by provisioned environments.
      await until(() => clock(page), (t) => t >= '00:17:00.000', 40000, 'the second wave');
      assert.equal(num(await text(page, 'cold-starts')), 0, 'no cold starts with provisioned concurrency');
      assert.ok((await page.locator('[data-testid=lambda-panel] .env-prov').count()) > 0, 'provisioned cells drawn');
      // The same waves without it: cold starts come back.
      await page.fill('#p-provisioned', '0');
      await page.locator('#p-provisioned').press('Enter');
      await until(async () => num(await text(page, 'cold-starts')), (n) => n > 50, 40000, 'cold starts without provisioned concurrency');
      // Back to the preset, into its first wave, for the screenshots.
      await page.selectOption('#preset', { label: 'Provisioned concurrency vs cold starts' });
      await setSpeed(page, 1);
      await until(() => clock(page), (t) => t >= '00:01:05.000', 20000, 'the first wave');
      await setSpeed(page, 0);
    },
  },
  'SimFaaS reference model': {
    speed: 3,
    check: async (page) => {
      await until(async () => num(await text(page, 'env-count')), (n) => n > 0, 15000, 'environments');
      assert.equal(await page.locator('[data-testid=source] .icon-api').count(), 1, 'drawn as API Gateway');
    },
  },
  'An API in front of Lambda gives you 30 s, not 15 minutes': {
    speed: 1, // 10^1 = 10×
    check: async (page) => {
      // Long handlers keep environments busy. The API's 504s are in the
      // engine's counters and `fanout run`, not drawn on the stage yet.
      await until(async () => num(await text(page, 'm-busy-lambda')), (n) => n >= 1, 30000, 'a request in progress');
    },
  },
  'SQS + low reserved concurrency sends messages to the DLQ': {
    speed: 1, // 10^1 = 10×
    check: async (page) => {
      assert.equal(await page.locator('[data-testid=source] .icon-sqs').count(), 1, 'drawn as an SQS queue');
      await until(async () => num(await text(page, 'm-refused-lambda')), (n) => n >= 1, 30000, 'throttled batches');
    },
  },
  'A t3 fleet at high CPU costs more than its hourly price': {
    speed: 1, // 10^1 = 10×
    check: async (page) => {
      // Two t3.micro instances serve the load (their surplus credits are billed).
      await until(async () => num(await text(page, 'm-units-ec2')), (n) => n >= 2, 20000, 'two instances');
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
  const { page } = await newPage(env.browser);
  await page.goto(env.url);
  // The options exist once the app has rendered (a loaded machine may be slower).
  await page.locator('#sim-clock').waitFor();
  const titles = await page.locator('#preset option').allTextContents();
  for (const t of Object.keys(EXPECT)) assert.ok(titles.includes(t), `preset ${t} is offered`);
  await page.close();
});

for (const [title, { speed, check }] of Object.entries(EXPECT)) {
  test(`preset "${title}" loads and runs`, async () => {
    const { page, problems } = await newPage(env.browser);
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    await page.selectOption('#preset', { label: title });
    const caption = await text(page, 'takeaway');
    assert.ok(caption.length > 20 && caption.endsWith('.'), caption);
    await setSpeed(page, speed);
    const t0 = await clock(page);
    await sleep(600);
    assert.ok((await clock(page)) > t0, 'the clock advances');
    await check(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');
    await page.screenshot({ path: screenshotPath(`preset-${slug}-1280x800.png`) });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await sleep(300);
    await page.screenshot({ path: screenshotPath(`preset-${slug}-1920x1080.png`) });
    await page.setViewportSize({ width: 375, height: 667 });
    await sleep(300);
    await page.screenshot({ path: screenshotPath(`preset-${slug}-375x667.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  });
}
