import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../core/verdict.js';
import { formatNumber } from '../core/figures.js';

/** Writes the whole verdict as JSON under `RUNNER_TEMP`, for later steps; returns its path. */
export async function writeReportFile(verdict: Verdict, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'agent-reliability-gate');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `verdict-${env.GITHUB_RUN_ID ?? 'local'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${process.pid}.json`);
  await writeFile(path, `${JSON.stringify(verdict, null, 2)}\n`);
  return path;
}

/** Sets every output but `report_file`; a figure the backend did not return is an empty string. */
export function setOutputs(verdict: Verdict): void {
  const figure = (value: number | undefined) => (value === undefined ? '' : formatNumber(value));
  const outputs: Record<string, string> = {
    decision: verdict.decision,
    reason: verdict.reason,
    run_id: verdict.ids.run_id ?? '',
    trace_id: verdict.ids.trace_id ?? '',
    campaign_id: verdict.ids.campaign_id ?? '',
    batch_id: verdict.ids.batch_id ?? '',
    dashboard_url: verdict.dashboardUrl ?? '',
    pass_rate: figure(verdict.figures.pass_rate),
    unsafe_attempts: figure(verdict.figures.unsafe_attempts),
    failures: figure(verdict.figures.failures),
    reliability_score: figure(verdict.figures.reliability_score),
    trace_count: figure(verdict.figures.trace_count),
    scenario_coverage_pct: figure(verdict.figures.scenario_coverage_pct),
    mean_score: figure(verdict.figures.mean_score),
    mean_delta: figure(verdict.figures.mean_delta),
  };
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}
