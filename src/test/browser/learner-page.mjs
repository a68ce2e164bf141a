// Opens a learner's lab page in Debian's headless Chromium, as a learner would: sees the steps, presses the
// Check button of a checkpoint and waits for its status to change, then saves a screenshot.
// Usage: node learner-page.mjs <learner URL> <checkpoint id> <screenshot path>
// Exits 0 when everything a learner should see was seen; prints what failed otherwise.
import { chromium } from 'playwright-core';

const [url, checkpoint, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  const response = await page.goto(url, { waitUntil: 'load' });
  if (response.status() !== 200) throw new Error(`page answered ${response.status()}`);

  // The steps, rendered from Markdown: headings and a code block.
  const steps = page.locator('section.step h2');
  if (await steps.count() < 8) throw new Error(`expected the lab's steps, saw ${await steps.count()} step headings`);
  await page.getByRole('heading', { name: 'What a StatefulSet is, and when to use one' }).waitFor();
  if (await page.locator('.prose pre code').count() === 0) throw new Error('no code blocks rendered from the steps');
  await page.getByRole('link', { name: 'Download your kubeconfig' }).waitFor();

  const card = page.locator(`#cp-${checkpoint}`);
  const status = card.locator('[data-status]');
  const before = (await status.textContent()).trim();
  if (before !== 'Not checked') throw new Error(`before the check the status was "${before}"`);

  await card.getByRole('button', { name: 'Check', exact: true }).click();
  await card.locator('[data-status]', { hasText: 'Passed' }).waitFor({ timeout: 20000 });
  const message = (await card.locator('[data-message]').textContent()).trim();
  if (!message.includes('stable network identity')) throw new Error(`unexpected message after the check: ${message}`);
  // The card changes from the check's answer; the score with the progress the page fetches right after.
  await page.waitForFunction(() => document.getElementById('score').textContent.trim() !== '0', null, { timeout: 10000 })
    .catch(() => { throw new Error('the score did not move after a passed check'); });
  const score = (await page.locator('#score').textContent()).trim();
  if (errors.length) throw new Error('JavaScript errors on the page: ' + errors.join('; '));

  await page.screenshot({ path: screenshot, fullPage: true });
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: screenshot.replace(/\.png$/, '-checkpoint.png') });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-top.png') });
  console.log(`OK: steps shown, ${checkpoint} went from "${before}" to "Passed" (${message}); score ${score}; screenshot ${screenshot}`);
} finally {
  await browser.close();
}
