import { describe, expect, it } from 'vitest';
import { cliLog } from '../../src/cli/log.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (text: string) => chunks.push(text) };
}

describe('cliLog', () => {
  it('in a CI log: every line as it happened, redacted and unable to start a workflow command', async () => {
    const out = stream(false);
    const log = cliLog(out, ['s3cret-token'], false);
    await log.group('Wait for the verdict', async () => {
      log.info('CI run r1: running after 0.5s, poll 1');
      log.info('CI run r1: done after 1.0s, poll 2\n::warning::s3cret-token');
      log.debug('not shown without --verbose');
    });
    expect(out.chunks.join('')).toBe(
      '▸ Wait for the verdict\nCI run r1: running after 0.5s, poll 1\nCI run r1: done after 1.0s, poll 2\n:\u200b:warning::***\n',
    );
  });

  it('on a terminal: one live line per step, overwritten by its progress', async () => {
    const out = stream(true);
    const log = cliLog(out, [], true);
    await log.group('Wait', async () => {
      log.info('running');
      log.info('done');
    });
    expect(out.chunks.join('')).toBe('▸ Wait\n\r\x1b[2Krunning\r\x1b[2Kdone\n');
  });
});
