// Runs Lighthouse on a few pages for package lighthouse (issue P, goal 4;
// lighthouse.go says why it runs this way), as Lighthouse's own documents
// say to on a machine whose speed varies:
//
//  - docs/throttling.md, "Calibrating the CPU slowdown": before each run
//    this measures Lighthouse's benchmarkIndex (pageFunctions.
//    computeBenchmarkIndex) in the same Chromium and sets
//    throttling.cpuSlowdownMultiplier from it with the calculator that page
//    links to (lighthouse-cpu-throttling-calculator).
//  - docs/variability.md, "Run Lighthouse multiple times": each page is run
//    several times and the median run is kept (core/lib/median-run.js).
//
// One Node process and one Chromium serve every run (the CLI would start
// both again for each, ~8 s a run on two cores). Lighthouse is the one
// `make tools` installed: its CLI's path comes in, the package is found
// from it.
//
// Usage: node run.mjs config.json
// config.json: {"lighthouse": CLI path, "chrome": Chromium path, "headers":
// {...}, "runs": n, "out": directory, "pages": [{"name", "url"}]}. Writes
// out/<name>.median.json (the median run's report, for performance) and
// out/<name>.first.json (the first run's, the only one that also scores
// accessibility and best practices: neither depends on the CPU's speed) and
// prints one JSON line per run. A page whose runs are not all valid gets
// neither file but a line {"page", "failed": why}, and the exit status is 1.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// .../node_modules/.bin/lighthouse -> .../node_modules/lighthouse/cli/index.js
const root = path.dirname(path.dirname(fs.realpathSync(cfg.lighthouse)));
const load = p => import(pathToFileURL(path.join(root, p)).href);
const {default: lighthouse} = await load('core/index.js');
const {computeMedianRun, filterToValidRuns} = await load('core/lib/median-run.js');
const {pageFunctions} = await load('core/lib/page-functions.js');
const require = createRequire(path.join(root, 'package.json'));
const chromeLauncher = await import(pathToFileURL(require.resolve('chrome-launcher')).href);
const {default: puppeteer} = await import(pathToFileURL(require.resolve('puppeteer-core')).href);

// The calculator's multiplier for a benchmarkIndex (see the top).
function slowdown(bi) {
  if (bi >= 1300) return 3 + (bi - 1300) / 233;
  if (bi >= 800) return 2 + (bi - 800) / 500;
  if (bi >= 150) return 1 + (bi - 150) / 650;
  return 1; // "too slow to accurately emulate": no slowdown at all
}

const chrome = await chromeLauncher.launch({
  chromePath: cfg.chrome,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
let failed = false;
try {
  const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null});
  // One unmeasured visit first, so the first measured run does not also
  // pay for a fresh Chromium's first page load (its caches and processes
  // starting), which the later runs do not: in one batch the first run of
  // the overview scored 90 and the next two 100.
  {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setExtraHTTPHeaders(cfg.headers || {});
    await page.goto(cfg.pages[0].url, {waitUntil: 'load'});
    await context.close();
  }
  for (const p of cfg.pages) {
    const runs = [];
    // A run Chrome fails to trace (NO_NAVSTART and kin) says nothing about
    // the page: Lighthouse's advice is to run it again, so such a run is
    // tried once more. A median of fewer runs than asked is not the
    // measure the floors are set for, so a run that fails twice fails the
    // page.
    let failure = '';
    for (let i = 0, tries = 0; runs.length < cfg.runs && !failure; i++) {
      // A fresh browser context per run, as the CLI's fresh profile: no
      // cookie from an earlier run (the CSRF cookie would replace the
      // session cookie sent in extraHeaders).
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const bi = await page.evaluate(pageFunctions.computeBenchmarkIndex);
      const multiplier = Math.round(slowdown(bi) * 100) / 100;
      const began = Date.now();
      let result, thrown;
      try {
        result = await lighthouse(p.url, {
          output: 'json',
          logLevel: 'error',
          onlyCategories: runs.length === 0 ? ['performance', 'accessibility', 'best-practices'] : ['performance'],
          extraHeaders: cfg.headers,
          maxWaitForLoad: 30000,
          throttling: {cpuSlowdownMultiplier: multiplier},
          // Neither is scored: a picture of the whole page, and a second
          // navigation to try the back/forward cache.
          disableFullPageScreenshot: true,
          skipAudits: ['bf-cache'],
        }, undefined, page);
      } catch (e) {
        thrown = String(e?.message || e);
      }
      await context.close();
      const lhr = result?.lhr;
      const perf = lhr?.categories?.performance?.score;
      const error = thrown ? 'THROWN' : lhr?.runtimeError?.code;
      const message = thrown || lhr?.runtimeError?.message;
      console.log(JSON.stringify({
        page: p.name, run: i + 1, benchmarkIndex: bi, multiplier,
        reportBenchmarkIndex: lhr?.environment?.benchmarkIndex,
        performance: perf, tbt: lhr?.audits?.['total-blocking-time']?.numericValue,
        error, message, seconds: (Date.now() - began) / 1000,
      }));
      if (!lhr || lhr.runtimeError || filterToValidRuns([lhr]).length === 0) {
        tries++;
        if (tries === 2) {
          failure = `run ${runs.length + 1} of ${cfg.runs} gave no valid report, twice (last: ${error || 'no trace'}${message ? ': ' + message : ''}); ` +
            `the score is the median of all ${cfg.runs} runs`;
        }
        continue;
      }
      tries = 0;
      // The benchmarkIndex the slowdown came from (the report's own is
      // measured again at the start of the run, on a moving target).
      lhr.calibration = {benchmarkIndex: bi, multiplier};
      runs.push(lhr);
    }
    if (failure) {
      console.log(JSON.stringify({page: p.name, failed: failure}));
      failed = true;
      continue;
    }
    fs.writeFileSync(path.join(cfg.out, p.name + '.median.json'), JSON.stringify(computeMedianRun(runs)));
    fs.writeFileSync(path.join(cfg.out, p.name + '.first.json'), JSON.stringify(runs[0]));
  }
  await browser.disconnect();
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
