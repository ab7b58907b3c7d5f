// node shot.js OUT_DIR : screenshots of a few views, through puppeteer-core and the
// system chromium.
const puppeteer = require('puppeteer-core');
const path = require('path');
const VIEWS = [
  {name: 'overview-z6', z: 6.3, lon: 119.4, lat: 32.9},
  {name: 'suzhou-wuxi-z8', z: 8.3, lon: 120.5, lat: 31.5},
  {name: 'nanjing-z9', z: 9.5, lon: 118.85, lat: 32.05},
  {name: 'mixed-scripts-z8', z: 8.3, lon: 120.5, lat: 31.5, extra: '&mixed=1'},
  {name: 'mixed-scripts-nolocal-z8', z: 8.3, lon: 120.5, lat: 31.5, extra: '&mixed=1&nolocal=1'},
];
(async () => {
  const out = process.argv[2];
  const port = process.argv[3] || '8765';
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
  const page = await browser.newPage();
  await page.setViewport({width: 1200, height: 900});
  page.on('console', m => { if (!/favicon|Unable to load glyph range/.test(m.text())) console.log('page:', m.text()); });
  for (const v of VIEWS) {
    await page.goto(`http://127.0.0.1:${port}/?z=${v.z}&lon=${v.lon}&lat=${v.lat}${v.extra || ''}`);
    await page.waitForFunction('document.title === "idle"', {timeout: 60000});
    await new Promise(r => setTimeout(r, 300));
    const file = path.join(out, v.name + '.png');
    await page.screenshot({path: file});
    console.log('wrote', file);
  }
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
