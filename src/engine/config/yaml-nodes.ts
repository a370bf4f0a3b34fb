// Small helpers over the `yaml` package's document nodes that keep every value's position, so
// each validation error can point at a line and column.
import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node as YamlNode } from 'yaml';
import type { GlioflowError, Location } from '../result.js';
import type { JsonValue } from '../stage-api.js';

export class Positions {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  of(node: YamlNode | null | undefined): Location {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file: this.file };
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  error(node: YamlNode | null | undefined, kind: string, message: string, hint?: string): GlioflowError {
    return { kind, message, location: this.of(node), ...(hint ? { hint } : {}) };
  }
}

export interface Entry {
  key: string;
  keyNode: YamlNode;
  value: YamlNode | null;
}

/** The entries of a mapping node, or undefined when the node is not a mapping. */
export function mapEntries(node: YamlNode | null | undefined): Entry[] | undefined {
  if (!isMap(node)) return undefined;
  const out: Entry[] = [];
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    out.push({ key: String(pair.key.value), keyNode: pair.key, value: (pair.value as YamlNode | null) ?? null });
  }
  return out;
}

export function seqItems(node: YamlNode | null | undefined): YamlNode[] | undefined {
  if (!isSeq(node)) return undefined;
  return node.items.filter((n): n is YamlNode => n !== null && typeof n === 'object' && 'range' in n);
}

export function isScalarNode(node: YamlNode | null | undefined): boolean {
  return isScalar(node);
}

/** Converts a node to plain JSON, or says where it holds something JSON cannot (e.g. a date). */
export function toJson(node: YamlNode | null | undefined, positions: Positions): { value: JsonValue } | { error: GlioflowError } {
  if (node === null || node === undefined) return { value: null };
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return { value: v };
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { error: positions.error(node, 'bad-value', `${v} is not a finite number`) };
      return { value: v };
    }
    return { error: positions.error(node, 'bad-value', `unsupported value ${String(v)}`, 'params hold JSON-like values: numbers, strings, booleans, lists and maps') };
  }
  if (isSeq(node)) {
    const out: JsonValue[] = [];
    for (const item of node.items) {
      const r = toJson(item as YamlNode, positions);
      if ('error' in r) return r;
      out.push(r.value);
    }
    return { value: out };
  }
  if (isMap(node)) {
    const out: { [k: string]: JsonValue } = {};
    for (const pair of node.items) {
      if (!isScalar(pair.key)) return { error: positions.error(node, 'bad-value', 'map keys must be plain strings') };
      if (String(pair.key.value) === '__proto__') return { error: positions.error(pair.key as YamlNode, 'bad-value', '"__proto__" cannot be a key', 'rename it') };
      const r = toJson(pair.value as YamlNode, positions);
      if ('error' in r) return r;
      out[String(pair.key.value)] = r.value;
    }
    return { value: out };
  }
  return { error: positions.error(node, 'bad-value', 'aliases and tags are not supported in pipeline.yaml') };
}
