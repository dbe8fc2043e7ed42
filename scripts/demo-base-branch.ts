/**
 * The base branch the demo's pull requests are compared with: ten commits on the fake GitHub,
 * each judged by the gate on its push (its check run carries the record pull requests read back).
 */
import { type FakeGitHub } from '../test/support/fake-github.js';
import { type FakeSepurux } from '../test/support/fake-sepurux.js';
import { encodeRecord } from '../src/core/baseline/encode.js';

/**
 * The base branch's last ten commits, each judged by the gate on its push: orders.lookup has
 * failed there now and then (a known flake), payments.refund never has. The base commit's own
 * verdict comes from the demo's push.
 */
export function seedBaseBranch(github: FakeGitHub, sepurux: FakeSepurux, baseSha: string): void {
  const baseLine = [
    baseSha,
    ...Array.from({ length: 9 }, (_, i) => `${(i + 1).toString(16).padStart(2, '0')}`.repeat(20)),
  ];
  baseLine.forEach((sha, i) => {
    github.seedCommit(sha, baseLine[i + 1] ? [baseLine[i + 1]!] : []);
    if (i === 0) return;
    const failing = i % 3 === 0 ? ['orders.lookup'] : [];
    const at = new Date(Date.now() - i * 86_400_000);
    const verdict = {
      evaluated: { campaign: sepurux.campaign('refund-reliability').id },
      decision: 'pass' as const,
      reason: '',
      outcome: 'evaluated' as const,
      backend: 'Sepurux',
      ids: {},
      figures: { pass_rate: 0.9 + (i % 3) * 0.01 },
      thresholds: [],
      topFailingTools: failing.map((tool) => ({ tool, count: 1 })),
      durationMs: 1,
    };
    github.seedCheckRun({
      name: 'Sepurux Reliability Gate',
      head_sha: sha,
      status: 'completed',
      conclusion: 'success',
      completed_at: at.toISOString(),
      output: { text: encodeRecord(verdict, 'Sepurux Reliability Gate', sha, at) },
    });
  });
}
