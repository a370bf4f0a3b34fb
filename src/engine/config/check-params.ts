// A stage's params against the types its implementation declares: unknown names, wrong types
// and out-of-range values are positioned errors; missing ones take the declared default, so
// writing a default out explicitly never changes a key.
import type { GlioflowError, Location } from '../result.js';
import type { JsonValue, ParamSpec, Params } from '../stage-api.js';
import { didYouMean } from './suggest.js';

function typeError(value: JsonValue, spec: ParamSpec): string | undefined {
  const isList = Array.isArray(value);
  switch (spec.type) {
    case 'number':
      return typeof value === 'number' ? undefined : 'a number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'an integer';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'string[]':
      return isList && value.every((v) => typeof v === 'string') ? undefined : 'a list of strings';
    case 'number[]':
      return isList && value.every((v) => typeof v === 'number') ? undefined : 'a list of numbers';
    case 'object':
      return value !== null && typeof value === 'object' && !isList ? undefined : 'a mapping';
    case 'json':
      return undefined;
  }
}

const describe = (v: JsonValue): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

export function checkParams(
  given: Params,
  specs: Record<string, ParamSpec>,
  where: (key: string, part: 'key' | 'value') => Location,
  stage: string,
): { params: Params; errors: GlioflowError[] } {
  const errors: GlioflowError[] = [];
  const params: Params = {};
  for (const [key, value] of Object.entries(given)) {
    const spec = specs[key];
    if (!spec) {
      errors.push({ kind: 'unknown-param', message: `stage "${stage}" has no param "${key}"`, location: where(key, 'key'), stage, hint: didYouMean(key, Object.keys(specs)) });
      continue;
    }
    const expected = typeError(value, spec);
    if (expected) {
      errors.push({ kind: 'param-type', message: `param "${key}" of stage "${stage}" must be ${expected}, not ${describe(value)}`, location: where(key, 'value'), stage, hint: spec.description });
      continue;
    }
    if (spec.enum) {
      const values = Array.isArray(value) ? value : [value];
      const bad = values.find((v) => typeof v === 'string' && !spec.enum?.includes(v));
      if (bad !== undefined) {
        errors.push({ kind: 'param-value', message: `param "${key}" of stage "${stage}" cannot be ${describe(bad)}`, location: where(key, 'value'), stage, hint: `one of: ${spec.enum.join(', ')}` });
        continue;
      }
    }
    if (typeof value === 'number' && ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))) {
      errors.push({ kind: 'param-value', message: `param "${key}" of stage "${stage}" is ${value}, outside ${spec.min ?? '-∞'}…${spec.max ?? '∞'}`, location: where(key, 'value'), stage, hint: spec.description });
      continue;
    }
    params[key] = value;
  }
  for (const [key, spec] of Object.entries(specs)) if (!(key in params) && !(key in given)) params[key] = spec.default;
  return { params, errors };
}
