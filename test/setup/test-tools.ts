import { testToolNotices } from '../support/tools.js';

/**
 * Before any test: one line for each tool from outside npm that this machine lacks (cmark-gfm,
 * Chromium, what gitlab-ci-local needs), saying what is skipped and how to get it, once for the
 * whole run rather than once per test file; and a failure when CI's `*_REQUIRED=1` says it is
 * installed and it is not.
 */
export default function testTools(): void {
  for (const notice of testToolNotices()) console.log(notice);
}
