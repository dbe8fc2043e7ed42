#!/usr/bin/env node
// A STAND-IN for your own step: run your agent on a scenario and write its trace as one JSON
// object. This one writes a sample refund-flow trace so that the examples run as they are;
// replace it with your recorder (any language: the gate only reads the file it writes).
//
//   node examples/record-trace.mjs --output trace.json [--agent NAME]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { output: { type: 'string', default: 'trace.json' }, agent: { type: 'string', default: 'refund-agent' } } });
const trace = {
  name: 'refund_flow',
  agent: values.agent,
  recorded_at: new Date().toISOString(),
  steps: [
    { type: 'user_message', content: 'I was charged twice for order 4200, please refund one.' },
    { type: 'tool_call', tool: 'orders.lookup', args: { order_id: '4200' }, result: { status: 'delivered', amount: 4200, charges: 2 } },
    { type: 'tool_call', tool: 'payments.refund', args: { order_id: '4200', amount: 4200 }, result: { refunded: true } },
    { type: 'assistant_message', content: 'Done: one of the two charges for order 4200 is refunded.' },
  ],
};
writeFileSync(values.output, `${JSON.stringify(trace, null, 2)}\n`);
process.stdout.write(`Wrote a sample trace to ${values.output} (stand-in: replace with your agent's recorder).\n`);
