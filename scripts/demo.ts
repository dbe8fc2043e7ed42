/**
 * `npm run demo`: a local Sepurux-compatible backend, a TruLayer one and a fake GitHub on
 * 127.0.0.1 (scripts/demo-world.ts), and the bundled action started as the Actions runner starts
 * it (every action.yml default, then the step's `with:`), on the sample traces in examples/traces/. It shows what a reviewer sees on each pull request:
 * the required check (one line: its summary is the comment's text) and the sticky comment,
 * rendered for a terminal, with the step's key outputs. The pull requests are compared with
 * their base commit, whose verdict a push to main left on GitHub first. No account, no
 * network. `npm run demo -- --logs` also prints the action's own log. Nothing is left behind.
 */
import { renderForTerminal } from '../test/support/render.js';
import { wrap } from '../src/cli/help.js';
import { MAINTAINER, openDemoWorld } from './demo-world.js';

const showLogs = process.argv.includes('--logs');
const color = process.stdout.isTTY === true;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
const indent = (text: string, by = '   ') =>
  text
    .split('\n')
    .map((line) => (line ? by + line : by.trimEnd()))
    .join('\n');
/** The demo keeps within 100 columns: a paragraph of its own is wrapped there (a URL longer than that stands alone). */
const say = (text: string, by = '') => console.log(wrap(text, by));

const KEY_OUTPUTS = [
  'decision',
  'reason',
  'pass_rate',
  'mean_score',
  'repeats_run',
  'repeats_passed',
  'baseline_sha',
  'baseline_decision',
  'dashboard_url',
  'gates_run',
  'gates_skipped',
];

const world = await openDemoWorld();
const { origins, payload } = world;
say(
  `Fake Sepurux on ${origins.sepurux}, fake TruLayer on ${origins.trulayer}, fake Braintrust on ${origins.braintrust}, fake GitHub on ${origins.github}; running dist/index.js as the Actions runner does (every action.yml default, then the step's with:).`,
);
console.log('');
try {
  const base = await world.pushMain();
  console.log(
    bold(`━━ main at ${payload.pull_request.base.sha.slice(0, 7)}: ${base.outputs.decision}`),
  );
  say('(a push: its check carries the verdict pull requests compare with)', '   ');
  console.log('');
  for (const scenario of world.scenarios) {
    const { title, inputs } = scenario;
    console.log(bold(wrap(`━━ ${title}`, '').replace(/\n/g, '\n   ')));
    console.log(
      indent(
        Object.entries(inputs)
          .filter(([k]) => !['base_url', 'token', 'project_id'].includes(k))
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      ),
    );
    const { run, check, comment } = await world.runPullRequest(scenario);
    console.log(
      `\n   step exit code ${run.exitCode} · ${(run.durationMs / 1000).toFixed(2)}s from start to exit`,
    );
    if (showLogs)
      console.log(`\n${bold("   The action's log")}\n${indent(run.stdout.trimEnd(), '   │ ')}`);
    if (check) {
      console.log(
        `\n${bold(`   ${check.conclusion === 'success' ? '✔' : check.conclusion === 'neutral' ? '●' : '✖'} Check "${check.name}": ${check.conclusion}`)}`,
      );
      say('(the one to mark required; its summary is the comment below)', '     ');
    }
    if (comment) {
      console.log(
        `\n${bold(`   💬 Sticky comment on pull request #${payload.pull_request.number}`)} (by ${comment.user.login}, edited in place by the next run)`,
      );
      console.log(indent(renderForTerminal(comment.body, color), '   │ '));
    }
    console.log(`\n${bold('   Outputs')} (all of them in action.yml)`);
    // The gates' counts say something only for a step with `config`.
    for (const k of KEY_OUTPUTS.filter(
      (name) => run.outputs[name] && !(name.startsWith('gates_') && !scenario.repository),
    ))
      say(`${k} = ${run.outputs[k]}`, '     ');
    console.log('');
    if (!scenario.acceptWith) continue;
    console.log(bold(`━━ Then ${MAINTAINER} comments: /gate accept`));
    say(scenario.acceptWith, '   ');
    const accepted = await world.accept(scenario.acceptWith);
    console.log(
      `\n   step exit code ${accepted.run.exitCode} (the accept workflow, on issue_comment: no backend call)`,
    );
    if (accepted.check)
      console.log(
        `\n${bold(`   ${accepted.check.conclusion === 'success' ? '✔' : '✖'} A new check "${accepted.check.name}": ${accepted.check.conclusion}`)}`,
      );
    if (accepted.check?.output?.title) say(accepted.check.output.title, '     ');
    if (accepted.comment)
      console.log(
        `\n${bold('   💬 The sticky comment, its top')}\n${indent(renderForTerminal(accepted.comment.body.split('<!-- /agent-reliability-gate:acceptance -->')[0] ?? '', color), '   │ ')}`,
      );
    for (const k of ['decision', 'accepted_by', 'reason'].filter(
      (name) => accepted.run.outputs[name],
    ))
      say(`${k} = ${accepted.run.outputs[k]}`, '     ');
    console.log('');
  }
} finally {
  await world.close();
}
