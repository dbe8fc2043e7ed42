import { excerpt } from '../support/text.js';

/** One event a backend recorded about a run: a policy decision or a security action. */
export interface Finding {
  /** The run it belongs to. */
  run: string;
  /** Where it came from, e.g. `policy` or `security`. */
  source: string;
  kind: string;
  action?: string;
  rule?: string;
  tool?: string;
  severity?: string;
  reason?: string;
  attempt?: string;
}

/** Findings of one policy or rule, kind and action: what a reviewer reads first. */
export interface FindingGroup {
  source: string;
  kind: string;
  action?: string;
  /** The policy or rule that fired, when the backend named it. */
  rule?: string;
  count: number;
  tools: string[];
  attempts: string[];
  /** The first few reasons, as the backend wrote them (bounded). */
  reasons: string[];
}

/** Why a failing verdict failed: the backend's events about the runs that failed. Never changes the decision. */
export interface Why {
  /** The runs whose events were read, worst first. */
  runs: string[];
  groups: FindingGroup[];
  /** Every finding read (bounded per run). */
  findings: Finding[];
}

/** How much of each finding field is kept, and how many of each list. */
const FIELD_MAX_CHARS = 200;
const TOOLS_PER_GROUP = 5;
const ATTEMPTS_PER_GROUP = 5;
const REASONS_PER_GROUP = 3;

/** A finding's text fields cut to a bound: everything in an event is backend text. */
export function boundFinding(finding: Finding): Finding {
  return Object.fromEntries(
    Object.entries(finding).map(([key, value]) => [
      key,
      typeof value === 'string' ? excerpt(value, FIELD_MAX_CHARS) : value,
    ]),
  ) as unknown as Finding;
}

/** Groups findings by source, policy or rule, kind and action, the largest group first. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const finding of findings) {
    const id = JSON.stringify([
      finding.source,
      finding.rule ?? '',
      finding.kind,
      finding.action ?? '',
    ]);
    const group = groups.get(id) ?? {
      source: finding.source,
      kind: finding.kind,
      ...(finding.action ? { action: finding.action } : {}),
      ...(finding.rule ? { rule: finding.rule } : {}),
      count: 0,
      tools: [],
      attempts: [],
      reasons: [],
    };
    group.count++;
    addDistinct(group.tools, finding.tool, TOOLS_PER_GROUP);
    addDistinct(group.attempts, finding.attempt, ATTEMPTS_PER_GROUP);
    addDistinct(group.reasons, finding.reason, REASONS_PER_GROUP);
    groups.set(id, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function addDistinct(list: string[], value: string | undefined, max: number): void {
  if (value !== undefined && list.length < max && !list.includes(value)) list.push(value);
}
