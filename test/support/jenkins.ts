import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { minimatch } from 'minimatch';
import { ACTION_NODE, CLI_ENTRY, EXAMPLE_GATE_PREFIX, REPOSITORY_ROOT } from './runner.js';
import { scratchDir } from './scratch.js';

/**
 * A small Jenkins for the project's example Jenkinsfiles: the declarative pipeline read as
 * Jenkins reads it (its Groovy, to the extent the examples write it) and run stage by stage,
 * `when`, `environment` (with `credentials()`), `withCredentials`, `matrix` cells in parallel,
 * `post`, and the steps the examples use: `sh` (in `sh -xe`, as Jenkins runs it, from the
 * stage's workspace), `stash`/`unstash`, `copyArtifacts`, `archiveArtifacts`, `junit`, `echo`,
 * and a `script { }` block's `list.each { x -> ... }` and `try`/`catch`. Anything else, a step,
 * a `when` condition or Groovy the runner does not read, is an error that names it, so an example
 * that needs more says so here.
 *
 * What differs from a Jenkins, said once: each `agent` is a fresh scratch workspace holding what
 * the implicit `checkout scm` of the user's repository brings, examples/promptfoo/promptfooconfig.yaml at
 * its root, examples/braintrust/support.eval.js as evals/support.eval.js, and nothing else of this repository (`docker { image }` is recorded,
 * the steps run on this machine's Node); the `npx --yes github:OWNER/agent-reliability-gate#v1`
 * prefix of a `sh` step runs the built `dist/cli/index.js` instead (an `agent-reliability-gate`
 * shim on PATH); and each `sh` step gets {@link JenkinsWorld.stepEnv}, where the test says where
 * its fakes are.
 */

/** What runs in place of the examples' `npx --yes github:OWNER/agent-reliability-gate#v1`: a shim on PATH that starts dist/cli/index.js. */
const SHIM = 'agent-reliability-gate';

/** A Jenkins credential: "Secret text", or "Username with password" (a GitHub App's is its installation token). */
export type JenkinsCredential = string | { username: string; password: string };

/** The Jenkins a build runs in. */
export interface JenkinsWorld {
  /** The build's own variables, as the multibranch job sets them: JENKINS_URL, JOB_NAME, BUILD_URL, BRANCH_NAME, CHANGE_*, GIT_*. */
  build: Record<string, string>;
  /** The credentials store, by id; an id it does not hold is an error, never an empty value. */
  credentials: Record<string, JenkinsCredential>;
  /** Variables a `sh` step gets besides, given its script as the file has it: where the test's fakes are. */
  stepEnv: (script: string) => Record<string, string>;
  /** Folders put first on PATH for `sh` steps: stand-ins for the tools the examples call (promptfoo, test/support/promptfoo-stand-in.ts). */
  bin?: string[];
  /** Each job's last completed build's archived artifacts (relative path → bytes): what `copyArtifacts` reads, what `archiveArtifacts` writes. */
  archives: Map<string, Map<string, Buffer>>;
}

/** What one step did. */
export interface JenkinsStep {
  stage: string;
  /** The matrix cell's axis values; `{}` outside a matrix. */
  cell: Record<string, string>;
  step: string;
  /** `sh`: the script as the file has it, and as it ran (the gate's prefix replaced). */
  script?: string;
  ran?: string;
  /** Whether this `sh` runs the gate. */
  gate?: boolean;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  workspace: string;
}

/** A JUnit file the `junit` step recorded, parsed. */
export interface JenkinsTestReport {
  stage: string;
  file: string;
  xml: string;
  tests: number;
  failures: number;
  cases: { name: string; failure?: string }[];
}

/** What Jenkins shows of one build. */
export interface JenkinsBuild {
  result: 'SUCCESS' | 'UNSTABLE' | 'FAILURE';
  steps: JenkinsStep[];
  /** Stages in the order they ran or were skipped, with why. */
  stages: {
    name: string;
    cell: Record<string, string>;
    status: 'ran' | 'failed' | 'skipped for when' | 'skipped for an earlier failure';
  }[];
  tests: JenkinsTestReport[];
  /** What `archiveArtifacts` kept (also put in `world.archives` under JOB_NAME). */
  archived: Map<string, Buffer>;
  /** The console log, for a failure message. */
  log: string;
}

// ---------------------------------------------------------------------------------------------
// Reading Groovy: tokens, then statements and expressions (the subset declarative pipelines use).

type Token = {
  kind: 'name' | 'string' | 'gstring' | 'number' | 'punct' | 'newline' | 'end';
  text: string;
  line: number;
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (kind: Token['kind'], text: string) => tokens.push({ kind, text, line });
  while (i < source.length) {
    const c = source[i]!;
    const rest = source.slice(i);
    if (c === '\n') {
      push('newline', '\n');
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (rest.startsWith('//')) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`line ${line}: an unclosed /* comment`);
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === "'" || c === '"') {
      const triple = rest.startsWith(c.repeat(3));
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      let text = '';
      while (!source.startsWith(quote, j)) {
        if (j >= source.length || (!triple && source[j] === '\n'))
          throw new Error(`line ${line}: an unclosed string`);
        if (source[j] === '\\') {
          const next = source[j + 1] ?? '';
          // A GString keeps `\$` for the interpolation to read; every other escape is undone here.
          text +=
            c === '"' && next === '$'
              ? '\\$'
              : (({ n: '\n', t: '\t', '\n': '' } as Record<string, string>)[next] ?? next);
          j += 2;
          continue;
        }
        text += source[j];
        j++;
      }
      push(c === '"' && text.includes('$') ? 'gstring' : 'string', text);
      line += source.slice(i, j).split('\n').length - 1;
      i = j + quote.length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const name = /^[A-Za-z_$][\w$]*/.exec(rest)![0];
      push('name', name);
      i += name.length;
    } else if (/\d/.test(c)) {
      const number = /^\d+(\.\d+)?/.exec(rest)![0];
      push('number', number);
      i += number.length;
    } else if (rest.startsWith('->') || rest.startsWith('==')) {
      push('punct', rest.slice(0, 2));
      i += 2;
    } else if ('{}()[],:.=;'.includes(c)) {
      push(c === ';' ? 'newline' : 'punct', c);
      i++;
    } else {
      throw new Error(
        `line ${line}: the Jenkins runner does not read "${c}": teach test/support/jenkins.ts`,
      );
    }
  }
  push('end', '');
  return tokens;
}

type Expr =
  | { kind: 'string'; value: string; line: number }
  | { kind: 'gstring'; raw: string; line: number }
  | { kind: 'number'; value: number; line: number }
  | { kind: 'name'; name: string; line: number }
  | { kind: 'list'; items: Expr[]; line: number }
  | { kind: 'property'; target: Expr; name: string; line: number }
  | { kind: 'call'; target?: Expr; name: string; args: Args; closure?: Closure; line: number };
interface Args {
  positional: Expr[];
  named: Record<string, Expr>;
}
interface Closure {
  params: string[];
  body: Statement[];
}
/** A statement: a step or section (`name args { closure }`), an assignment, `try`/`catch`, or an expression. */
export type Statement =
  | { kind: 'call'; name: string; args: Args; closure?: Closure; line: number }
  | { kind: 'assign'; name: string; value: Expr; line: number }
  | { kind: 'try'; body: Statement[]; name: string; handler: Statement[]; line: number }
  | { kind: 'expr'; expr: Expr; line: number };

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    return this.tokens[this.at++]!;
  }
  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punct' && token.text === text;
  }
  private expect(text: string): Token {
    const token = this.next();
    if (token.kind !== 'punct' || token.text !== text)
      throw new Error(`line ${token.line}: expected "${text}", found "${token.text || 'the end'}"`);
    return token;
  }
  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }
  private atStatementEnd(): boolean {
    const token = this.peek();
    return token.kind === 'newline' || token.kind === 'end' || this.is('}');
  }

  /** Statements up to `}` or the end. */
  statements(): Statement[] {
    const statements: Statement[] = [];
    for (this.skipNewlines(); !this.is('}') && this.peek().kind !== 'end'; this.skipNewlines())
      statements.push(this.statement());
    return statements;
  }

  private statement(): Statement {
    const token = this.peek();
    if (token.kind === 'name' && token.text === 'try') {
      this.next();
      const body = this.block();
      this.skipNewlines();
      if (this.next().text !== 'catch') throw new Error(`line ${token.line}: a try without catch`);
      this.expect('(');
      const name = this.next().text;
      this.expect(')');
      return { kind: 'try', body, name, handler: this.block(), line: token.line };
    }
    if (token.kind === 'name' && this.is('=', 1)) {
      this.next();
      this.next();
      return { kind: 'assign', name: token.text, value: this.expression(), line: token.line };
    }
    // A command: `name`, `name(args)`, `name args`, each with an optional closure after it.
    if (token.kind === 'name' && !this.is('.', 1)) {
      this.next();
      let args: Args = { positional: [], named: {} };
      if (this.is('(')) args = this.parenthesizedArgs();
      else if (!this.atStatementEnd() && !this.is('{'))
        args = this.args(() => this.atStatementEnd() || this.is('{'));
      const closure = this.is('{') ? this.closure() : undefined;
      return {
        kind: 'call',
        name: token.text,
        args,
        ...(closure ? { closure } : {}),
        line: token.line,
      };
    }
    return { kind: 'expr', expr: this.expression(), line: token.line };
  }

  private block(): Statement[] {
    this.skipNewlines();
    this.expect('{');
    const body = this.statements();
    this.expect('}');
    return body;
  }

  private closure(): Closure {
    this.expect('{');
    this.skipNewlines();
    const params: string[] = [];
    // `{ a, b -> ... }`: the names before the arrow.
    let look = 0;
    while (this.peek(look).kind === 'name' && (this.is(',', look + 1) || this.is('->', look + 1))) {
      look += 2;
      if (this.is('->', look - 1)) {
        for (let k = 0; k < look; k += 2) params.push(this.peek(k).text);
        this.at += look;
        break;
      }
    }
    const body = this.statements();
    this.expect('}');
    return { params, body };
  }

  private parenthesizedArgs(): Args {
    this.expect('(');
    const args = this.args(() => this.is(')'));
    this.expect(')');
    return args;
  }

  /** `a, b, key: value` up to `done()`. */
  private args(done: () => boolean): Args {
    const args: Args = { positional: [], named: {} };
    for (this.skipNewlines(); !done(); this.skipNewlines()) {
      const token = this.peek();
      if ((token.kind === 'name' || token.kind === 'string') && this.is(':', 1)) {
        this.next();
        this.next();
        args.named[token.text] = this.expression();
      } else {
        args.positional.push(this.expression());
      }
      this.skipNewlines();
      if (this.is(',')) this.next();
      else break;
    }
    return args;
  }

  expression(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.is('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'name') throw new Error(`line ${name.line}: expected a name after "."`);
        if (this.is('(') || this.is('{')) {
          const args = this.is('(') ? this.parenthesizedArgs() : { positional: [], named: {} };
          const closure = this.is('{') ? this.closure() : undefined;
          expr = {
            kind: 'call',
            target: expr,
            name: name.text,
            args,
            ...(closure ? { closure } : {}),
            line: name.line,
          };
        } else {
          expr = { kind: 'property', target: expr, name: name.text, line: name.line };
        }
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.text, line: token.line };
      case 'gstring':
        return { kind: 'gstring', raw: token.text, line: token.line };
      case 'number':
        return { kind: 'number', value: Number(token.text), line: token.line };
      case 'name':
        if (this.is('('))
          return {
            kind: 'call',
            name: token.text,
            args: this.parenthesizedArgs(),
            line: token.line,
          };
        return { kind: 'name', name: token.text, line: token.line };
      case 'punct':
        if (token.text === '[') {
          const items = this.args(() => this.is(']'));
          this.expect(']');
          if (Object.keys(items.named).length > 0)
            throw new Error(
              `line ${token.line}: the Jenkins runner does not read map literals: teach test/support/jenkins.ts`,
            );
          return { kind: 'list', items: items.positional, line: token.line };
        }
        if (token.text === '(') {
          const inner = this.expression();
          this.expect(')');
          return inner;
        }
    }
    throw new Error(
      `line ${token.line}: the Jenkins runner does not read "${token.text || 'the end'}" here: teach test/support/jenkins.ts`,
    );
  }
}

/** A Jenkinsfile's text as statements (the top one is `pipeline { }`). */
export function parseJenkinsfile(text: string): Statement[] {
  const parser = new Parser(tokenize(text));
  const statements = parser.statements();
  return statements;
}

// ---------------------------------------------------------------------------------------------
// Groovy values: strings, numbers, booleans, lists, `env`, and the calls steps take as arguments.

type Value =
  | string
  | number
  | boolean
  | Value[]
  | { call: string; args: Record<string, Value>; positional: Value[] }
  | { env: Record<string, string> };

interface Scope {
  env: Record<string, string>;
  locals: Record<string, Value>;
}

/** An error a Groovy `try`/`catch` may catch: a step that failed. */
class StepFailed extends Error {}

function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.kind) {
    case 'string':
    case 'number':
      return expr.value;
    case 'gstring':
      return interpolate(expr.raw, scope, expr.line);
    case 'list':
      return expr.items.map((item) => evaluate(item, scope));
    case 'name': {
      if (expr.name === 'true' || expr.name === 'false') return expr.name === 'true';
      if (expr.name in scope.locals) return scope.locals[expr.name]!;
      if (expr.name === 'env') return { env: scope.env };
      // In a Jenkinsfile a bare name that is no local is an environment variable.
      if (expr.name in scope.env) return scope.env[expr.name]!;
      throw new Error(`line ${expr.line}: ${expr.name} is not defined in this build`);
    }
    case 'property': {
      const target = evaluate(expr.target, scope);
      if (typeof target === 'object' && 'env' in target) return target.env[expr.name] ?? '';
      throw new Error(
        `line ${expr.line}: the Jenkins runner does not read .${expr.name} of that: teach test/support/jenkins.ts`,
      );
    }
    case 'call': {
      const positional = expr.args.positional.map((arg) => evaluate(arg, scope));
      const named = Object.fromEntries(
        Object.entries(expr.args.named).map(([key, arg]) => [key, evaluate(arg, scope)]),
      );
      if (!expr.target) return { call: expr.name, args: named, positional };
      const target = evaluate(expr.target, scope);
      if (typeof target === 'string') return stringMethod(target, expr.name, positional, expr.line);
      throw new Error(
        `line ${expr.line}: the Jenkins runner does not call .${expr.name}() on that: teach test/support/jenkins.ts`,
      );
    }
  }
}

/** The String methods Groovy shares with JavaScript that the examples use. */
function stringMethod(text: string, name: string, args: Value[], line: number): Value {
  const n = (i: number) => Number(args[i]);
  const s = (i: number) => String(args[i]);
  switch (name) {
    case 'substring':
      return args.length > 1 ? text.substring(n(0), n(1)) : text.substring(n(0));
    case 'lastIndexOf':
      return text.lastIndexOf(s(0));
    case 'indexOf':
      return text.indexOf(s(0));
    case 'trim':
      return text.trim();
    case 'toLowerCase':
      return text.toLowerCase();
    case 'toUpperCase':
      return text.toUpperCase();
  }
  throw new Error(
    `line ${line}: the Jenkins runner does not know String.${name}(): teach test/support/jenkins.ts`,
  );
}

/** A GString's `${expression}` and `$name` parts, evaluated. */
function interpolate(raw: string, scope: Scope, line: number): string {
  let out = '';
  for (let i = 0; i < raw.length;) {
    if (raw.startsWith('\\$', i)) {
      out += '$';
      i += 2;
    } else if (raw.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      for (; j < raw.length && depth > 0; j++) {
        if (raw[j] === '{') depth++;
        if (raw[j] === '}') depth--;
      }
      if (depth > 0) throw new Error(`line ${line}: an unclosed \${ in "${raw}"`);
      out += String(evaluate(new Parser(tokenize(raw.slice(i + 2, j - 1))).expression(), scope));
      i = j;
    } else if (raw[i] === '$' && /[A-Za-z_]/.test(raw[i + 1] ?? '')) {
      const path = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*/.exec(raw.slice(i + 1))![0];
      out += String(evaluate(new Parser(tokenize(path)).expression(), scope));
      i += 1 + path.length;
    } else {
      out += raw[i];
      i++;
    }
  }
  return out;
}

const text = (value: Value | undefined, what: string): string => {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
};
const flag = (value: Value | undefined) => value === true;

// ---------------------------------------------------------------------------------------------
// Running a build.

interface Section {
  name: string;
  args: Args;
  closure?: Closure;
  line: number;
}

/** The sections of a declarative block by name (`agent`, `environment`, `steps`, ...). */
function sections(statements: Statement[]): Map<string, Section> {
  const found = new Map<string, Section>();
  for (const statement of statements) {
    if (statement.kind !== 'call')
      throw new Error(`line ${statement.line}: a declarative section was expected here`);
    found.set(statement.name, statement);
  }
  return found;
}

function only(known: string[], found: Map<string, Section>, where: string): void {
  for (const [name, section] of found)
    if (!known.includes(name))
      throw new Error(
        `line ${section.line}: the Jenkins runner does not know "${name}" in ${where}: teach test/support/jenkins.ts`,
      );
}

interface Agent {
  workspace: string;
  image?: string;
}

interface Context {
  stage: string;
  cell: Record<string, string>;
  env: Record<string, string>;
  agent?: Agent;
  /** Whether a step of this line of the build failed: each parallel branch has its own, as in Jenkins (failFast off). */
  flow: { failed: boolean };
}

class Build {
  readonly record: JenkinsBuild = {
    result: 'SUCCESS',
    steps: [],
    stages: [],
    tests: [],
    archived: new Map(),
    log: '',
  };
  private readonly stashes = new Map<string, Map<string, Buffer>>();
  private readonly bin: string;
  private readonly home: string;

  constructor(private readonly world: JenkinsWorld) {
    const dir = scratchDir('jenkins');
    this.bin = join(dir, 'bin');
    this.home = join(dir, 'home');
    mkdirSync(this.bin);
    mkdirSync(join(this.home, 'tmp'), { recursive: true });
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    writeFileSync(
      join(this.bin, SHIM),
      `#!/bin/sh\nexec ${quote(ACTION_NODE)} ${quote(CLI_ENTRY)} "$@"\n`,
    );
    chmodSync(join(this.bin, SHIM), 0o755);
  }

  private log(line: string): void {
    this.record.log += `${line}\n`;
  }

  async pipeline(statements: Statement[]): Promise<void> {
    const top = sections(statements).get('pipeline');
    if (!top?.closure) throw new Error('no pipeline { } block');
    const found = sections(top.closure.body);
    only(['agent', 'options', 'environment', 'stages', 'post'], found, 'pipeline');
    this.options(found.get('options'));
    const env = this.environment(found.get('environment'), { ...this.world.build });
    const agent = this.agent(found.get('agent'));
    const context: Context = {
      stage: '',
      cell: {},
      env,
      ...(agent && agent !== 'none' ? { agent } : {}),
      flow: { failed: false },
    };
    await this.stages(found.get('stages'), context);
    await this.post(found.get('post'), context);
    if (context.flow.failed) this.record.result = 'FAILURE';
    // This build is now its job's last completed one: what copyArtifacts(selector: lastCompleted()) reads.
    const job = this.world.build.JOB_NAME;
    if (job) this.world.archives.set(job, this.record.archived);
  }

  /** `options { }`: those that change nothing a test sees (who may copy the artifacts, timeouts, the log's look); any other is an error. */
  private options(section: Section | undefined): void {
    only(
      [
        'copyArtifactPermission',
        'timeout',
        'timestamps',
        'ansiColor',
        'buildDiscarder',
        'disableConcurrentBuilds',
      ],
      sections(section?.closure?.body ?? []),
      'options',
    );
  }

  /** `agent none`, `agent any`, `agent { docker { image '...' } }`, `agent { label '...' }`: a workspace with the checkout, or none. */
  private agent(section: Section | undefined): Agent | undefined | 'none' {
    if (!section) return undefined;
    const [kind] = section.args.positional;
    if (kind?.kind === 'name' && kind.name === 'none') return 'none' as const;
    let image: string | undefined;
    if (section.closure) {
      const inner = sections(section.closure.body);
      only(['docker', 'label'], inner, 'agent');
      const docker = inner.get('docker');
      if (docker?.closure) {
        const options = sections(docker.closure.body);
        only(['image', 'args', 'reuseNode'], options, 'agent { docker }');
        const named = options.get('image')?.args.positional[0];
        image = named?.kind === 'string' ? named.value : undefined;
      }
    } else if (!(kind?.kind === 'name' && kind.name === 'any')) {
      throw new Error(
        `line ${section.line}: the Jenkins runner does not know this agent: teach test/support/jenkins.ts`,
      );
    }
    const workspace = scratchDir('jenkins-workspace');
    // The implicit `checkout scm`: what the user's repository holds, the promptfoo suite where promptfoo looks and the
    // Braintrust eval where `braintrust eval` is told to look; nothing of
    // this repository, so an example that runs a script of ours fails here as it would where it is pasted.
    cpSync(
      join(REPOSITORY_ROOT, 'examples/promptfoo/promptfooconfig.yaml'),
      join(workspace, 'promptfooconfig.yaml'),
    );
    mkdirSync(join(workspace, 'evals'));
    cpSync(
      join(REPOSITORY_ROOT, 'examples/braintrust/support.eval.js'),
      join(workspace, 'evals/support.eval.js'),
    );
    this.log(`[Pipeline] node: ${workspace}${image ? ` (docker ${image})` : ''}`);
    return { workspace, ...(image ? { image } : {}) };
  }

  /** `environment { NAME = 'text' | "gstring" | credentials('id') }` on top of `env`. */
  private environment(
    section: Section | undefined,
    env: Record<string, string>,
  ): Record<string, string> {
    const out = { ...env };
    for (const statement of section?.closure?.body ?? []) {
      if (statement.kind !== 'assign')
        throw new Error(`line ${statement.line}: environment { } holds NAME = value lines`);
      const value = evaluate(statement.value, { env: out, locals: {} });
      if (typeof value === 'object' && 'call' in value) {
        if (value.call !== 'credentials')
          throw new Error(
            `line ${statement.line}: the Jenkins runner does not know ${value.call}() in environment: teach test/support/jenkins.ts`,
          );
        const credential = this.credential(text(value.positional[0], 'credentials()'));
        // "Username with password" sets NAME=user:password, NAME_USR and NAME_PSW.
        if (typeof credential === 'string') out[statement.name] = credential;
        else
          Object.assign(out, {
            [statement.name]: `${credential.username}:${credential.password}`,
            [`${statement.name}_USR`]: credential.username,
            [`${statement.name}_PSW`]: credential.password,
          });
      } else {
        out[statement.name] = String(value);
      }
    }
    return out;
  }

  private credential(id: string): JenkinsCredential {
    const credential = this.world.credentials[id];
    if (credential === undefined)
      throw new Error(
        `credential ${id} is not in the test's Jenkins: add it to the world in test/examples/ (test/support/jenkins.ts says how)`,
      );
    return credential;
  }

  private async stages(section: Section | undefined, context: Context): Promise<void> {
    if (!section?.closure) throw new Error('stages { } is missing');
    for (const statement of section.closure.body) {
      if (statement.kind !== 'call' || statement.name !== 'stage' || !statement.closure)
        throw new Error(`line ${statement.line}: stages { } holds stage('name') { } blocks`);
      await this.stage(
        text(
          evaluate(statement.args.positional[0]!, { env: context.env, locals: {} }),
          'the stage name',
        ),
        statement.closure.body,
        context,
      );
    }
  }

  private async stage(name: string, body: Statement[], outer: Context): Promise<void> {
    const found = sections(body);
    only(
      ['agent', 'when', 'environment', 'steps', 'post', 'matrix', 'options'],
      found,
      `stage('${name}')`,
    );
    this.options(found.get('options'));
    if (outer.flow.failed) {
      this.record.stages.push({ name, cell: outer.cell, status: 'skipped for an earlier failure' });
      return;
    }
    const when = found.get('when');
    if (when && !this.when(when, outer.env)) {
      this.record.stages.push({ name, cell: outer.cell, status: 'skipped for when' });
      this.log(`Stage "${name}" skipped due to when conditional`);
      return;
    }
    const agent = this.agent(found.get('agent'));
    const context: Context = {
      stage: name,
      cell: outer.cell,
      env: { ...outer.env, STAGE_NAME: name },
      flow: outer.flow,
    };
    const placed = agent === 'none' ? undefined : (agent ?? outer.agent);
    if (placed) context.agent = placed;
    context.env = this.environment(found.get('environment'), context.env);
    this.log(
      `[Pipeline] stage (${name})${Object.keys(outer.cell).length ? ` ${JSON.stringify(outer.cell)}` : ''}`,
    );
    const before = outer.flow.failed;
    const matrix = found.get('matrix');
    if (matrix) await this.matrix(matrix, context);
    else {
      const steps = found.get('steps');
      if (!steps?.closure) throw new Error(`stage('${name}') has no steps { }`);
      await this.steps(steps.closure.body, context);
    }
    await this.post(found.get('post'), context);
    this.record.stages.push({
      name,
      cell: outer.cell,
      status: outer.flow.failed && !before ? 'failed' : 'ran',
    });
  }

  /** `changeRequest()` (a pull request build: CHANGE_ID) and `branch 'glob'` (BRANCH_NAME). */
  private when(section: Section, env: Record<string, string>): boolean {
    return (section.closure?.body ?? []).every((condition) => {
      if (
        condition.kind === 'call' &&
        condition.name === 'changeRequest' &&
        condition.args.positional.length === 0
      )
        return Boolean(env.CHANGE_ID);
      if (condition.kind === 'call' && condition.name === 'branch')
        return minimatch(
          env.BRANCH_NAME ?? '',
          text(evaluate(condition.args.positional[0]!, { env, locals: {} }), 'branch'),
        );
      throw new Error(
        `line ${condition.line}: the Jenkins runner does not know this when condition: teach test/support/jenkins.ts`,
      );
    });
  }

  /** `matrix { agent; axes { axis { name 'X'; values 'a', 'b' } }; stages { } }`: each cell in parallel, its axis values as variables. */
  private async matrix(section: Section, context: Context): Promise<void> {
    const found = sections(section.closure?.body ?? []);
    only(['agent', 'axes', 'stages', 'environment', 'post'], found, 'matrix');
    let cells: Record<string, string>[] = [{}];
    for (const axis of found.get('axes')?.closure?.body ?? []) {
      if (axis.kind !== 'call' || axis.name !== 'axis' || !axis.closure)
        throw new Error(`line ${axis.line}: axes { } holds axis { } blocks`);
      const parts = sections(axis.closure.body);
      only(['name', 'values'], parts, 'axis');
      const name = text(
        evaluate(parts.get('name')!.args.positional[0]!, { env: context.env, locals: {} }),
        'axis name',
      );
      const values = parts
        .get('values')!
        .args.positional.map((value) =>
          text(evaluate(value, { env: context.env, locals: {} }), 'axis value'),
        );
      cells = cells.flatMap((cell) => values.map((value) => ({ ...cell, [name]: value })));
    }
    const branches = await Promise.all(
      cells.map(async (cell) => {
        const agent = this.agent(found.get('agent'));
        const env = this.environment(found.get('environment'), { ...context.env, ...cell });
        const placed = agent && agent !== 'none' ? agent : context.agent;
        const inner: Context = {
          stage: context.stage,
          cell,
          env,
          ...(placed ? { agent: placed } : {}),
          flow: { failed: false },
        };
        await this.stages(found.get('stages'), inner);
        return inner.flow.failed;
      }),
    );
    if (branches.some(Boolean)) context.flow.failed = true;
  }

  /** `post { always { } success { } failure { } unstable { } }`. */
  private async post(section: Section | undefined, context: Context): Promise<void> {
    if (!section) return;
    const found = sections(section.closure?.body ?? []);
    only(['always', 'success', 'failure', 'unstable'], found, 'post');
    for (const [condition, block] of found) {
      const { failed } = context.flow;
      const holds = {
        always: true,
        success: !failed && this.record.result === 'SUCCESS',
        failure: failed,
        unstable: !failed && this.record.result === 'UNSTABLE',
      }[condition];
      if (holds) await this.steps(block.closure?.body ?? [], context);
    }
  }

  /** Steps, and a `script { }` block's Groovy; a failed step ends the block, as it fails the stage. */
  private async steps(
    statements: Statement[],
    context: Context,
    locals: Record<string, Value> = {},
  ): Promise<void> {
    try {
      await this.run(statements, context, locals);
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
      this.log(`ERROR: ${error.message}`);
      context.flow.failed = true;
    }
  }

  private async run(
    statements: Statement[],
    context: Context,
    locals: Record<string, Value>,
  ): Promise<void> {
    for (const statement of statements) {
      const scope: Scope = { env: context.env, locals };
      if (statement.kind === 'try') {
        try {
          await this.run(statement.body, context, locals);
        } catch (error) {
          if (!(error instanceof StepFailed)) throw error;
          await this.run(statement.handler, context, {
            ...locals,
            [statement.name]: error.message,
          });
        }
      } else if (statement.kind === 'expr') {
        const expr = statement.expr;
        if (expr.kind === 'call' && expr.target && expr.name === 'each' && expr.closure) {
          const list = evaluate(expr.target, scope);
          if (!Array.isArray(list))
            throw new Error(`line ${statement.line}: .each on what is not a list`);
          const name = expr.closure.params[0] ?? 'it';
          for (const item of list)
            await this.run(expr.closure.body, context, { ...locals, [name]: item });
        } else {
          throw new Error(
            `line ${statement.line}: the Jenkins runner does not run this Groovy: teach test/support/jenkins.ts`,
          );
        }
      } else if (statement.kind === 'call') {
        await this.step(statement, context, locals);
      } else {
        throw new Error(
          `line ${statement.line}: the Jenkins runner does not run an assignment here: teach test/support/jenkins.ts`,
        );
      }
    }
  }

  private workspace(context: Context, step: string): string {
    // Jenkins: "Required context class hudson.FilePath is missing. Perhaps you forgot to surround the code with a step that provides this, such as: node".
    if (!context.agent)
      throw new Error(
        `${step} in stage('${context.stage}') runs on no agent: Jenkins would refuse it (agent none)`,
      );
    return context.agent.workspace;
  }

  private async step(
    statement: Extract<Statement, { kind: 'call' }>,
    context: Context,
    locals: Record<string, Value>,
  ): Promise<void> {
    const scope: Scope = { env: context.env, locals };
    const positional = statement.args.positional.map((arg) => evaluate(arg, scope));
    const named = Object.fromEntries(
      Object.entries(statement.args.named).map(([key, arg]) => [key, evaluate(arg, scope)]),
    );
    const record = (more: Partial<JenkinsStep>) =>
      this.record.steps.push({
        stage: context.stage,
        cell: context.cell,
        step: statement.name,
        workspace: context.agent?.workspace ?? '',
        ...more,
      });
    switch (statement.name) {
      case 'sh': {
        const script = text(positional[0] ?? named.script, 'sh script');
        const workspace = this.workspace(context, 'sh');
        const gate = script.includes(EXAMPLE_GATE_PREFIX);
        const ran = script.replaceAll(EXAMPLE_GATE_PREFIX, SHIM);
        const env: Record<string, string> = {
          ...context.env,
          ...this.world.stepEnv(script),
          PATH: [
            ...(this.world.bin ?? []),
            this.bin,
            dirname(ACTION_NODE),
            '/usr/local/bin',
            '/usr/bin',
            '/bin',
          ].join(':'),
          HOME: this.home,
          TMPDIR: join(this.home, 'tmp'),
          WORKSPACE: workspace,
        };
        this.log(`+ ${script}`);
        const result = await shell(ran, env, workspace);
        this.log(result.stderr + result.stdout);
        record({
          script,
          ran,
          gate,
          exitCode: result.code,
          stdout: result.stdout,
          stderr: result.stderr,
        });
        if (result.code !== 0 && !flag(named.returnStatus))
          throw new StepFailed(`script returned exit code ${result.code}`);
        return;
      }
      case 'echo':
        this.log(String(positional[0] ?? ''));
        record({});
        return;
      case 'withCredentials': {
        const bindings = positional[0];
        if (!Array.isArray(bindings) || !statement.closure)
          throw new Error(`line ${statement.line}: withCredentials([bindings]) { } expected`);
        const env = { ...context.env };
        for (const binding of bindings) {
          if (typeof binding !== 'object' || Array.isArray(binding) || !('call' in binding))
            throw new Error(
              `line ${statement.line}: a binding is a call, e.g. usernamePassword(...)`,
            );
          const credential = this.credential(text(binding.args.credentialsId, 'credentialsId'));
          if (binding.call === 'usernamePassword' && typeof credential === 'object') {
            env[text(binding.args.usernameVariable, 'usernameVariable')] = credential.username;
            env[text(binding.args.passwordVariable, 'passwordVariable')] = credential.password;
          } else if (binding.call === 'string' && typeof credential === 'string') {
            env[text(binding.args.variable, 'variable')] = credential;
          } else {
            throw new Error(
              `line ${statement.line}: the Jenkins runner does not bind ${binding.call}() to that credential: teach test/support/jenkins.ts`,
            );
          }
        }
        record({});
        await this.run(statement.closure.body, { ...context, env }, locals);
        return;
      }
      case 'script':
        if (!statement.closure) throw new Error(`line ${statement.line}: script { } expected`);
        await this.run(statement.closure.body, context, locals);
        return;
      case 'stash': {
        const workspace = this.workspace(context, 'stash');
        const files = collect(workspace, text(named.includes ?? '**', 'includes'));
        if (files.size === 0 && !flag(named.allowEmpty))
          throw new StepFailed(`No files included in stash ‘${text(named.name, 'name')}’`);
        this.stashes.set(text(named.name, 'stash name'), files);
        record({});
        return;
      }
      case 'unstash': {
        const workspace = this.workspace(context, 'unstash');
        const name = text(positional[0] ?? named.name, 'unstash name');
        const files = this.stashes.get(name);
        record({});
        if (!files) throw new StepFailed(`No such saved stash ‘${name}’`);
        put(workspace, files);
        return;
      }
      case 'copyArtifacts': {
        const workspace = this.workspace(context, 'copyArtifacts');
        const project = text(named.projectName, 'projectName');
        const selector = named.selector;
        if (
          selector !== undefined &&
          !(
            typeof selector === 'object' &&
            'call' in selector &&
            ['lastCompleted', 'lastSuccessful'].includes(selector.call)
          )
        ) {
          throw new Error(
            `line ${statement.line}: the Jenkins runner knows the selectors lastCompleted() and lastSuccessful(): teach test/support/jenkins.ts`,
          );
        }
        const filter = text(named.filter ?? '**', 'filter');
        const archived = [
          ...(this.world.archives.get(project) ?? new Map<string, Buffer>()),
        ].filter(([path]) => filter.split(',').some((glob) => minimatch(path, glob.trim())));
        record({});
        this.log(
          `copyArtifacts from ${project}: ${archived.map(([path]) => path).join(', ') || 'nothing'}`,
        );
        if (archived.length === 0 && !flag(named.optional))
          throw new StepFailed(`Unable to find a build for artifact copy from: ${project}`);
        put(
          join(workspace, typeof named.target === 'string' ? named.target : ''),
          new Map(archived),
        );
        return;
      }
      case 'archiveArtifacts': {
        const workspace = this.workspace(context, 'archiveArtifacts');
        const globs = text(named.artifacts ?? positional[0], 'artifacts')
          .split(',')
          .map((glob) => glob.trim());
        let count = 0;
        for (const glob of globs) {
          for (const [path, bytes] of collect(workspace, glob)) {
            this.record.archived.set(path, bytes);
            count++;
          }
        }
        record({});
        if (count === 0 && !flag(named.allowEmptyArchive))
          throw new StepFailed(
            `No artifacts found that match the file pattern "${globs.join(', ')}"`,
          );
        return;
      }
      case 'junit': {
        const workspace = this.workspace(context, 'junit');
        const glob = text(named.testResults ?? positional[0], 'testResults');
        const files = collect(workspace, glob);
        record({});
        if (files.size === 0 && !flag(named.allowEmptyResults))
          throw new StepFailed('No test report files were found. Configuration error?');
        for (const [file, bytes] of files) {
          const report = readJUnit(context.stage, file, bytes.toString('utf8'));
          this.record.tests.push(report);
          // Failed test cases make the build unstable, not failed.
          if (report.failures > 0 && this.record.result === 'SUCCESS')
            this.record.result = 'UNSTABLE';
        }
        return;
      }
    }
    throw new Error(
      `line ${statement.line}: the Jenkins runner does not know the step ${statement.name}: teach test/support/jenkins.ts`,
    );
  }
}

/** Files under `dir` matching the Ant-style glob, by relative path. */
function collect(dir: string, glob: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const full = join(at, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (minimatch(relative(dir, full), glob, { dot: true }))
        files.set(relative(dir, full), readFileSync(full));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

function put(dir: string, files: Map<string, Buffer>): void {
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

function readJUnit(stage: string, file: string, xml: string): JenkinsTestReport {
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  }).parse(xml) as {
    testsuites?: {
      testsuite?: { testcase?: { name: string; failure?: { message?: string } | string }[] }[];
    };
    testsuite?: { testcase?: { name: string; failure?: { message?: string } | string }[] }[];
  };
  const suites = parsed.testsuites?.testsuite ?? parsed.testsuite ?? [];
  const cases = suites
    .flatMap((suite) => suite.testcase ?? [])
    .map((c) => ({
      name: c.name,
      ...(c.failure !== undefined
        ? { failure: typeof c.failure === 'string' ? c.failure : (c.failure.message ?? '') }
        : {}),
    }));
  return {
    stage,
    file,
    xml,
    tests: cases.length,
    failures: cases.filter((c) => c.failure !== undefined).length,
    cases,
  };
}

function shell(
  script: string,
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Jenkins' `sh`: `sh -xe` on the script, from the workspace.
    execFile(
      'sh',
      ['-xe', '-c', script],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** Runs one build of the Jenkinsfile at `path` (relative to the repository) in `world`. */
export async function runJenkinsfile(path: string, world: JenkinsWorld): Promise<JenkinsBuild> {
  const build = new Build(world);
  await build.pipeline(parseJenkinsfile(readFileSync(join(REPOSITORY_ROOT, path), 'utf8')));
  return build.record;
}

/** Runs one build of a Jenkinsfile's text (for the runner's own checks). */
export async function runJenkinsText(source: string, world: JenkinsWorld): Promise<JenkinsBuild> {
  const build = new Build(world);
  await build.pipeline(parseJenkinsfile(source));
  return build.record;
}
