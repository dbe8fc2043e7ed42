// A sample Braintrust eval for examples/workflows/braintrust-gate.yml: `braintrust eval` runs it
// and logs an experiment named by BRAINTRUST_EXPERIMENT (the workflow sets one per commit and
// attempt), which the gate then reads. Replace the task with your agent and the scorer with yours
// (e.g. autoevals' Factuality); the gate judges the score `score_name` names.
import { Eval } from 'braintrust';

Eval('support-agent', {
  experimentName: process.env.BRAINTRUST_EXPERIMENT,
  data: () => [
    { input: 'Can I get a refund within 30 days?', expected: 'yes' },
    { input: 'Do you ship to Canada?', expected: 'yes' },
  ],
  task: async (input) => (input.endsWith('?') ? 'yes' : 'no'),
  scores: [
    ({ output, expected }) => ({
      name: 'Factuality',
      score: output === expected ? 1 : 0,
    }),
  ],
});
