// The Chromium every e2e script drives: Debian's (or $CHROMIUM), headless,
// without a sandbox (the tests run as root in CI) or anything that would
// reach the network.
import { chromium } from 'playwright-core';

export const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
