// Ink re-lays out on resize, but components that size themselves from the terminal must be told:
// these hooks re-render their component whenever the terminal size changes.
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export const DEFAULT_COLUMNS = 80;

export interface TerminalSize {
  columns: number;
  /** Infinity when the stream does not know its height */
  rows: number;
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({
    columns: stdout.columns && stdout.columns > 0 ? stdout.columns : DEFAULT_COLUMNS,
    rows: stdout.rows && stdout.rows > 0 ? stdout.rows : Infinity,
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => {
      const next = read();
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export function useColumns(): number {
  return useTerminalSize().columns;
}
