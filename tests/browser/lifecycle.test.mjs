// Behaviours the other files do not reach: a hidden tab pauses the run
// and it resumes, without a jump of the clock, when the tab is back (unless
// the user had paused it); a tour that is not the shipped one, by name
// (`#tour=lecture` → tours/lecture.json) or by path, and the messages of a
// bad, missing or foreign one; the cost meters name the free tier each side
// got (EC2 only ever gets SQS's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage } from './harness.mjs';
import { sleep, until, simSeconds } from './util.mjs';

const LECTURE = {
  version: 1,
  title: 'Week 3: scaling',
  steps: [
    { title: 'A spike', preset: 'flash-sale', speed: 10, seed: 7, caption: 'Throttles until Lambda has scaled.' },
    { title: 'Buffered', preset: 'sqs-worker', speed: 20, caption: 'The queue absorbs the burst.' },
  ],
};
const BROKEN = {
  version: 1,
  title: 'Broken',
  steps: [{ title: 'x', preset: 'no-such-preset', speed: 50000, caption: 'c', colour: 'red' }],
};
const BAD_VALUES = {
  version: 1,
  steps: [{ title: 'x', preset: 'no-such-preset', speed: 50000, caption: 'c' }],
};

const env = suite({
  extra: {
    '/tours/lecture.json': JSON.stringify(LECTURE),
    '/courses/week3/mine.json': JSON.stringify(LECTURE),
    '/tours/broken.json': JSON.stringify(BROKEN),
    '/tours/bad-values.json': JSON.stringify(BAD_VALUES),
  },
});

/** Makes the page believe its tab is hidden (or visible again) and tells it,
 * as the browser does: `document.visibilityState`, `document.hidden`, then
 * a `visibilitychange` event. */
const setHidden = (page, hidden) => page.evaluate((hidden) => {
  for (const [k, v] of [['visibilityState', hidden ? 'hidden' : 'visible'], ['hidden', hidden]]) {
    Object.defineProperty(document, k, { configurable: true, get: () => v });
  }
  document.dispatchEvent(new Event('visibilitychange'));
}, hidden);

const running = (page) => page.locator('#app-root').getAttribute('data-running');

test('a hidden tab pauses the run; back in view it resumes without a jump', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#preset=steady-api&speed=10');
  await until(() => simSeconds(page), (t) => t > 2, 15000, '2 simulated seconds');
  await setHidden(page, true);
  await until(() => running(page), (r) => r === 'false', 3000, 'the pause');
  assert.equal(await page.locator('#app-root').getAttribute('data-auto-paused'), 'true');
  const hiddenAt = await simSeconds(page);
  await sleep(1500);
  assert.equal(await simSeconds(page), hiddenAt, 'the clock stands still while hidden');
  // Back: at 10× the 1.5 s away would be 15 simulated seconds if the clock
  // caught up; it resumes from where it stopped instead.
  await setHidden(page, false);
  await until(() => running(page), (r) => r === 'true', 3000, 'the resume');
  const back = await simSeconds(page);
  assert.ok(back - hiddenAt < 5, `no jump on return: ${hiddenAt} s -> ${back} s`);
  await until(() => simSeconds(page), (t) => t > back + 1, 5000, 'the clock runs again');

  // Paused by the user before hiding: it stays paused when the tab is back.
  await page.click('#play-toggle');
  await until(() => running(page), (r) => r === 'false', 3000, 'the user pause');
  await setHidden(page, true);
  await sleep(300);
  await setHidden(page, false);
  await sleep(800);
  assert.equal(await running(page), 'false', 'a run the user paused stays paused');
  assert.equal(await page.locator('#app-root').getAttribute('data-auto-paused'), 'false');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('a tour of the site by name or path opens its steps; bad ones say why', async () => {
  const { page, problems } = await newPage(env.browser);
  // By name: tours/lecture.json.
  await page.goto(env.url + '#tour=lecture');
  await page.getByTestId('tour').waitFor();
  assert.equal(await page.locator('#tour-title').textContent(), 'A spike');
  assert.match(await page.getByTestId('tour').textContent(), /Week 3: scaling · step 1 of 2/);
  assert.equal(await page.locator('#tour-caption').textContent(), 'Throttles until Lambda has scaled.');
  assert.equal(await page.locator('#preset option:checked').textContent(), 'Flash-sale spike');
  assert.match(await page.locator('#seed').textContent(), /^seed 7$/);
  await page.click('#tour-next');
  await until(() => page.locator('#tour-title').textContent(), (t) => t === 'Buffered', 3000, 'the next step');
  assert.equal(await page.locator('#preset option:checked').textContent(), 'SQS-buffered workers');
  await until(() => page.evaluate(() => location.hash), (h) => /tour=lecture&step=2/.test(h), 3000, 'the step in the link');
  assert.equal(await page.getByTestId('link-problems').count(), 0);

  // By path, opened at its second step.
  await page.goto('about:blank');
  await page.goto(env.url + '#tour=courses/week3/mine.json&step=2');
  await page.getByTestId('tour').waitFor();
  assert.equal(await page.locator('#tour-title').textContent(), 'Buffered');
  assert.match(await page.getByTestId('tour').textContent(), /step 2 of 2/);

  // Bad files and names: a message naming the problem; the app runs on.
  const cases = [
    ['broken', /The tour could not be loaded: steps\[0\]\.colour: unknown field `colour`/],
    ['bad-values', /steps\[0\]\.preset: “no-such-preset” is not a preset \(known: thumbnails, .*\); steps\[0\]\.speed: 50000 is outside 1–10000/],
    ['nothere', /The tour could not be loaded: tours\/nothere\.json: HTTP 404/],
    ['https://example.com/t.json', /tour: “https:\/\/example\.com\/t\.json” is not a tour on this site/],
    ['notes.txt', /is a path but not a \.json file/],
  ];
  for (const [name, message] of cases) {
    await page.goto('about:blank');
    await page.goto(env.url + '#tour=' + name);
    const box = page.getByTestId('link-problems');
    await box.waitFor();
    assert.match(await box.textContent(), message, name);
    assert.equal(await page.getByTestId('tour').count(), 0, `${name}: no tour bar`);
    const t0 = await simSeconds(page);
    await until(() => simSeconds(page), (t) => t > t0, 5000, `${name}: the run goes on`);
  }
  assert.deepEqual(problems.foreign, [], 'nothing is fetched from another site');
  // The 404 is the browser's own console line; nothing else went wrong.
  assert.deepEqual(problems.errors.filter((e) => !/404/.test(e)), []);
  await page.close();
});

test('the cost meters name the free tier each side got', async () => {
  const { page, problems } = await newPage(env.browser);
  const notes = async () => [await page.getByTestId('cost-lambda-note').textContent(), (await page.getByTestId('cost-ec2-note').textContent()).trim()];
  // API requests through a load balancer: EC2 has no free tier.
  await page.goto(env.url + '#preset=steady-api&speed=100');
  await until(() => simSeconds(page), (t) => t > 5, 15000, '5 s');
  await until(notes, ([l, e]) => l === 'so far, monthly free tier applied' && e === 'so far', 5000, 'the API notes');
  assert.equal(await page.getByTestId('cost-ec2-note').getAttribute('title'), null, 'no free-tier tooltip on EC2');
  // Workers reading an SQS queue: its requests get the SQS free tier.
  await page.selectOption('#preset', { label: 'SQS-buffered workers' });
  await until(notes, ([, e]) => e === 'so far, SQS free tier applied', 15000, 'the SQS note');
  assert.match(await page.getByTestId('cost-ec2-note').getAttribute('title'), /EC2 has no free tier/);
  // Without the free tier: nothing is said to be applied on either side.
  await page.locator('#p-free-tier').uncheck();
  await until(notes, ([l, e]) => l === 'so far, no free tier' && e === 'so far', 15000, 'the notes without a free tier');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
