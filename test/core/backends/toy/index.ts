/**
 * A third backend that exists only in a test: "Toy" scores an agent from its own inputs, with
 * no service behind it. The test `../toy.test.ts` copies the source tree, drops this folder in as
 * `src/core/backends/toy/` and adds one line to the registry, and nothing else: that a gate,
 * its baseline and its history then work is the proof that a backend is a folder and a line.
 * Its imports are written from where it lands (`src/core/backends/toy/`), so the root tsconfig
 * leaves this folder out and the test type-checks it in the copy.
 */
import { z } from 'zod';
import { documented } from '../../inputs/declare.js';
import { fraction, optionalText, parseInputs, requiredText } from '../../inputs/fields.js';
import { DOMAINS, type FigureSpec } from '../../verdict/figures.js';
import type { Evaluation, Threshold, ThresholdSpec } from '../../verdict/verdict.js';
import type { Backend, IdSpec } from '../types.js';

const ToyInputs = z.object({
  toy_suite: documented(requiredText('toy_suite'), { description: 'The toy suite evaluated.' }),
  toy_score: documented(fraction(), { description: 'The score the toy service answers.' }),
  toy_failing: documented(optionalText(), {
    description: 'Comma-separated tools the toy service reports failing.',
  }),
  min_toy_score: documented(fraction(), { description: 'Threshold: least toy score.' }),
  max_toy_score_drop: documented(fraction(), {
    description: "Most the toy score may fall below the baseline's.",
  }),
});

const FIGURES: readonly FigureSpec[] = [
  {
    name: 'toy_score',
    label: 'Toy score',
    domain: DOMAINS.fraction,
    description: 'The toy score.',
  },
];

const IDS: readonly IdSpec[] = [
  { name: 'toy_run', label: 'toy run', description: 'The toy run.', perRun: true },
];

const THRESHOLDS: readonly ThresholdSpec[] = [
  { input: 'min_toy_score', figure: 'toy_score', comparator: '>=' },
];

/** Toy: answers the score it was given, as if a service had. */
export const toy: Backend = {
  id: 'toy',
  displayName: 'Toy',
  evaluates: { kind: 'service', defaultBaseUrl: 'https://toy.invalid', credential: 'any token' },
  defaultCheckName: 'Toy Gate',
  inputs: ToyInputs,
  figures: FIGURES,
  ids: IDS,
  thresholds: THRESHOLDS,
  drops: [{ input: 'max_toy_score_drop', figure: 'toy_score' }],
  headlineFigure: 'toy_score',
  alternatives: [],
  comparable: [{ name: 'suite', label: 'suite', from: { input: 'toy_suite' } }],
  async prepare(raw) {
    const inputs = parseInputs(ToyInputs, raw, [
      {
        inputs: ['toy_score'],
        broken: (i) => i.toy_score === undefined,
        message: 'is required with `backend: toy`.',
      },
    ]);
    return {
      async run(context): Promise<Evaluation> {
        const score = inputs.toy_score ?? 0;
        const thresholds: Threshold[] =
          inputs.min_toy_score === undefined
            ? []
            : [{ ...THRESHOLDS[0]!, limit: inputs.min_toy_score, breaks: 'fail' }];
        const held = thresholds.every((t) => score >= t.limit);
        const ids = { toy_run: `toy-${context.change.gateKey}` };
        context.learned(ids);
        return {
          decision: held ? 'pass' : 'fail',
          status: 'done',
          ids,
          figures: { toy_score: score },
          thresholds,
          topFailingTools: (inputs.toy_failing ?? '')
            .split(',')
            .filter(Boolean)
            .map((tool) => ({ tool, count: 1 })),
        };
      },
    };
  },
};
