// Holds the UI state outside React, so no event is lost between starting the UI and React's first
// effect, and so the screen can be redrawn at a fixed rate however fast events arrive.
import type { EngineEvent, EngineListener } from '../engine/events.js';
import { initialUiState, reduce, type UiState } from './state.js';

export interface UiStore {
  dispatch(event: EngineEvent): void;
  /** UI-side changes that are not engine events (e.g. "interrupt requested") */
  update(change: (state: UiState) => UiState): void;
  getState(): UiState;
  /** increases on every change; lets a renderer skip frames when nothing changed */
  getVersion(): number;
}

export function createUiStore(now: () => number = Date.now): UiStore {
  let state = initialUiState();
  let version = 0;
  return {
    dispatch(event) {
      state = reduce(state, event, now());
      version++;
    },
    update(change) {
      state = change(state);
      version++;
    },
    getState: () => state,
    getVersion: () => version,
  };
}

/** Anything engine events can be subscribed to; returns the unsubscribe function. */
export interface EngineEventSource {
  subscribe(listener: EngineListener): () => void;
}

/** A minimal event source: `emit` is an EngineListener to hand to the engine. */
export function createEventSource(): EngineEventSource & { emit: EngineListener } {
  const listeners = new Set<EngineListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(event) {
      for (const l of listeners) l(event);
    },
  };
}
