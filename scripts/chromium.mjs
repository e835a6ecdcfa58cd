// Debian's Chromium, headless, through playwright-core (no downloaded
// browsers): one launch for the browser tests, the CSP check and the page
// benchmark. $CHROMIUM overrides the executable.
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM || '/usr/bin/chromium';

// playwright-core starts Chromium with a fresh temporary --user-data-dir of
// its own (it refuses the flag in `args`) and removes it on close.
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
