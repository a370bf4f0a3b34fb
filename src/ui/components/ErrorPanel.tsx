// Failures with everything needed to act on them: the stage, the item, the file (and line), the
// message and the hint. Logged warnings/errors (e.g. one bad DICOM file) follow, most recent last.
import { Box, Text } from 'ink';
import type { FailureView } from '../state.js';
import type { LogEvent } from '../../engine/events.js';

/** `file:line:col` or just `file`. */
export function failureWhere(f: FailureView): string | undefined {
  if (f.file === undefined) return undefined;
  return `${f.file}${f.line !== undefined ? `:${f.line}` : ''}${f.column !== undefined ? `:${f.column}` : ''}`;
}

/** `stage preprocess · item TCGA-02-0003 · file data/x.dcm:12` */
export function failureContext(f: FailureView): string {
  const where = failureWhere(f);
  return [`stage ${f.stage}`, f.item !== undefined && `item ${f.item}`, where !== undefined && `file ${where}`].filter(Boolean).join(' · ');
}

export function noticeText(n: LogEvent): string {
  const ctx = [n.stage, n.item, n.file].filter((x): x is string => x !== undefined);
  return `${n.level === 'error' ? 'error' : 'warning'}: ${n.message}${ctx.length > 0 ? ` (${ctx.join(', ')})` : ''}`;
}

export interface ErrorPanelProps {
  failures: readonly FailureView[];
  notices?: readonly LogEvent[];
}

export function ErrorPanel({ failures, notices = [] }: ErrorPanelProps) {
  if (failures.length === 0 && notices.length === 0) return null;
  return (
    <Box flexDirection="column">
      {failures.map((f, i) => (
        <Box key={`f${i}`} flexDirection="column">
          <Text color="red">{`✗ ${f.stage} failed: ${f.message}`}</Text>
          <Text>{`  ${failureContext(f)}`}</Text>
          {f.hint !== undefined && <Text dimColor>{`  hint: ${f.hint}`}</Text>}
        </Box>
      ))}
      {notices.map((n, i) => (
        <Text key={`n${i}`} color={n.level === 'error' ? 'red' : 'yellow'} wrap="truncate-end">
          {noticeText(n)}
        </Text>
      ))}
    </Box>
  );
}
