import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
}

// ajv-formats ships CommonJS with a default export.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule })
  .default ?? addFormatsModule) as unknown as (ajv: Ajv) => void;

/**
 * Validates requests against an OpenAPI description: the operation exists, path and query
 * parameters and the JSON body match their schemas. Each problem is one line naming the
 * request, so a test can assert there are none.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly routes: Route[];
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(private readonly spec: JsonObject) {
    addFormats(this.ajv);
    const paths = spec.paths as JsonObject;
    this.routes = Object.keys(paths)
      .map((template) => {
        const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        const source = template
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{[^}]+\}/g, '([^/]+)');
        return { template, names, pattern: new RegExp(`^${source}$`) };
      })
      // Literal segments win over parameters: /issues/comments/{id} before /issues/{number}/comments.
      .sort((a, b) => a.names.length - b.names.length);
  }

  /** Problems with one request; empty when the description admits it. */
  validate(method: string, pathname: string, query: URLSearchParams, body: unknown): string[] {
    const call = `${method} ${pathname}`;
    const route = this.routes.find(
      (r) => r.pattern.test(pathname) && this.operation(r.template, method),
    );
    if (!route) return [`${call}: no such operation in the description`];
    const operation = this.operation(route.template, method)!;
    const problems: string[] = [];
    const values = route.pattern.exec(pathname)!.slice(1).map(decodeURIComponent);
    const parameters = [
      ...this.list((this.spec.paths as JsonObject)[route.template], 'parameters'),
      ...this.list(operation, 'parameters'),
    ].map((p) => this.resolve(p) as unknown as Parameter);
    for (const parameter of parameters) {
      const raw =
        parameter.in === 'path'
          ? values[route.names.indexOf(parameter.name)]
          : parameter.in === 'query'
            ? (query.get(parameter.name) ?? undefined)
            : undefined;
      if (parameter.in !== 'path' && parameter.in !== 'query') continue;
      if (raw === undefined) {
        if (parameter.required)
          problems.push(`${call}: missing required ${parameter.in} parameter ${parameter.name}`);
        continue;
      }
      problems.push(
        ...this.check(
          `${call} ${parameter.in} parameter ${parameter.name}`,
          parameter.schema ?? {},
          // A parameter's schema may be a `$ref` (Braintrust's `limit`): its type is the target's.
          coerce(raw, parameter.schema && (this.resolve(parameter.schema) as JsonObject)),
        ),
      );
    }
    for (const name of query.keys()) {
      if (!parameters.some((p) => p.in === 'query' && p.name === name))
        problems.push(`${call}: unknown query parameter ${name}`);
    }
    const requestBody = this.resolve(operation.requestBody ?? null) as JsonObject | null;
    if (requestBody) {
      const schema = (
        (requestBody.content as JsonObject | undefined)?.['application/json'] as
          JsonObject | undefined
      )?.schema;
      if (body === undefined) {
        if (requestBody.required) problems.push(`${call}: the request body is required`);
      } else if (schema) {
        problems.push(...this.check(`${call} body`, schema as JsonObject, body));
      }
    } else if (body !== undefined) {
      problems.push(`${call}: the operation takes no request body`);
    }
    return problems;
  }

  /** Problems of `value` against a schema of the description (for responses the fakes send). */
  check(what: string, schema: Json, value: unknown): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(this.inline(schema, []) as object);
      this.compiled.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${what}: ${e.instancePath || '(root)'} ${e.message}`,
    );
  }

  /** The schema at a `#/components/...` pointer. */
  schema(pointer: string): JsonObject {
    return this.resolve({ $ref: pointer }) as JsonObject;
  }

  private operation(template: string, method: string): JsonObject | undefined {
    return ((this.spec.paths as JsonObject)[template] as JsonObject | undefined)?.[
      method.toLowerCase()
    ] as JsonObject | undefined;
  }

  private list(node: Json | undefined, key: string): Json[] {
    const value = (node as JsonObject | undefined)?.[key];
    return Array.isArray(value) ? value : [];
  }

  private resolve(node: Json): Json {
    let current = node;
    while (
      current &&
      typeof current === 'object' &&
      !Array.isArray(current) &&
      typeof current.$ref === 'string'
    ) {
      current = current.$ref
        .replace(/^#\//, '')
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<Json>((at, part) => (at as JsonObject)[part]!, this.spec);
    }
    return current;
  }

  /** The schema with every `$ref` replaced by what it points at; a cycle becomes `{}`. */
  private inline(node: Json, stack: string[]): Json {
    if (Array.isArray(node)) return node.map((item) => this.inline(item, stack));
    if (!node || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string') {
      if (stack.includes(node.$ref)) return {};
      return this.inline(this.resolve(node), [...stack, node.$ref]);
    }
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, this.inline(value, stack)]),
    );
  }
}

function coerce(raw: string, schema: JsonObject | undefined): unknown {
  if (schema?.type === 'integer' || schema?.type === 'number')
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (schema?.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}
