import { execFileSync } from 'node:child_process';

/** Runs git in `cwd` as a CI's checkout would (an identity of its own, no global config needed). */
export type Git = (...args: string[]) => string;

/**
 * The workspace `cwd` made a repository: what it holds committed on `main`, then a `feature`
 * branch checked out, for a test to commit the change a merge request makes. Returns git in it.
 */
export function repositoryOnFeatureBranch(cwd: string): Git {
  const git: Git = (...args) =>
    execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], {
      cwd,
    }).toString();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'main');
  git('checkout', '-qb', 'feature');
  return git;
}
