// Training needs more than a bar: which model, where in the epoch loop, the loss now and per
// epoch, and how the last validation went. Shown under the stage list for each training stage.
import { Box, Text } from 'ink';
import type { StageView } from '../state.js';
import { formatMetric, stageElement } from '../format.js';
import { lastEpochText, trainingHeadline } from '../training-text.js';
import { sparkline } from '../sparkline.js';

export interface TrainingPanelProps {
  stage: StageView;
  columns: number;
}

export function TrainingPanel({ stage, columns }: TrainingPanelProps) {
  const t = stage.training;
  if (!t) return null;
  const model = stageElement(stage.name) ?? stage.name;
  const width = Math.max(10, columns - 4);
  const losses = t.lossPerEpoch;
  return (
    <Box flexDirection="column" paddingLeft={2}>
      <Text wrap="truncate-end">
        <Text bold>{model}</Text>
        {'  '}
        {trainingHeadline(t)}
      </Text>
      {t.lastEpoch && (
        <Text dimColor wrap="truncate-end">
          {`last epoch: ${lastEpochText(t.lastEpoch)}`}
        </Text>
      )}
      {losses.length > 0 && (
        <Text wrap="truncate-end">
          <Text dimColor>loss/epoch </Text>
          <Text color="cyan">{sparkline(losses, width - 24)}</Text>
          <Text dimColor>{` ${formatMetric(losses[0]!)} → ${formatMetric(losses[losses.length - 1]!)}`}</Text>
        </Text>
      )}
    </Box>
  );
}
