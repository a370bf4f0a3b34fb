// The live run screen. It reads the store on a timer (default 10 fps) instead of on every event,
// so a burst of progress events costs one frame, and running clocks still tick with no events.
import { useEffect, useRef, useState } from 'react';
import { Box, Text, useInput, useStdin } from 'ink';
import { createUiStore, type EngineEventSource, type UiStore } from '../store.js';
import { StageList } from './StageList.js';
import { TrainingPanel } from './TrainingPanel.js';
import { Footer } from './Footer.js';
import { ErrorPanel } from './ErrorPanel.js';
import { useTerminalSize } from './use-columns.js';

export interface AppProps {
  /**
   * Where the state lives. startInkUi passes its own store, filled from the first event on, so
   * nothing is lost before React's first effect; without one the App keeps its own.
   */
  store?: UiStore;
  /** events to subscribe to (into `store`, or the App's own) while mounted */
  source?: EngineEventSource;
  title: string;
  /** frames per second at most */
  fps?: number;
  now?: () => number;
  /** called on Ctrl-C when stdin is in raw mode (in cooked mode the CLI sees SIGINT instead) */
  onCtrlC?: () => void;
  /** fixed width; by default the terminal's, following resizes */
  columns?: number;
}

export function App({ store: givenStore, source, title, fps = 10, now = Date.now, onCtrlC, columns: fixedColumns }: AppProps) {
  const [ownStore] = useState(() => createUiStore(now));
  const store = givenStore ?? ownStore;
  useEffect(() => source?.subscribe((event) => store.dispatch(event)), [source, store]);
  const terminal = useTerminalSize();
  const columns = fixedColumns ?? terminal.columns;
  const [, setFrame] = useState(0);
  const seen = useRef({ version: store.getVersion(), second: Math.floor(now() / 1000) });

  useEffect(() => {
    const timer = setInterval(() => {
      const version = store.getVersion();
      const second = Math.floor(now() / 1000);
      // Redraw when something changed, or once a second so elapsed times keep moving.
      if (version !== seen.current.version || second !== seen.current.second) {
        seen.current = { version, second };
        setFrame((n) => n + 1);
      }
    }, Math.max(10, Math.round(1000 / fps)));
    // The UI must never be what keeps the process alive.
    timer.unref?.();
    return () => clearInterval(timer);
  }, [store, fps, now]);

  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') onCtrlC?.();
    },
    { isActive: isRawModeSupported === true && onCtrlC !== undefined },
  );

  const state = store.getState();
  const t = now();
  const training = state.stages.filter((s) => s.status === 'running' && s.training !== null);
  // Lines everything but the stage list takes (title, footer, panels, Ink's last newline), so the
  // whole frame fits the terminal's height.
  const otherLines =
    3 +
    training.reduce((n, s) => n + 1 + (s.training?.lastEpoch ? 1 : 0) + (s.training?.lossPerEpoch.length ? 1 : 0), 0) +
    state.failures.reduce((n, f) => n + 2 + (f.hint !== undefined ? 1 : 0), 0) +
    state.notices.length +
    (state.interruptRequested || state.interrupted !== null ? 1 : 0);
  const maxStageLines = Math.max(3, terminal.rows - otherLines);
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      <StageList stages={state.stages} now={t} columns={columns} maxLines={maxStageLines} />
      {training.map((s) => (
        <TrainingPanel key={s.name} stage={s} columns={columns} />
      ))}
      <ErrorPanel failures={state.failures} notices={state.notices} />
      {state.interruptRequested && !state.interrupted && (
        <Text color="yellow">stopping… finished items are kept</Text>
      )}
      {state.interrupted !== null && <Text color="yellow">{state.interrupted}</Text>}
      <Footer state={state} now={t} />
    </Box>
  );
}
