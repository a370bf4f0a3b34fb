// The UI's public surface for the CLI: a live Ink screen, a plain logger, and one-shot views.
export { startInkUi, INTERRUPTED_MESSAGE, type InkUi, type InkUiOptions, type InterruptHandler } from './ink-ui.js';
export { createPlainLogger, shouldUsePlain, type PlainLoggerOptions, type PlainChoice } from './plain-logger.js';
export { renderStatus, renderDag, statusText, dagText, StatusView, DagView, type StatusEntry, type DagNode, type StaticRenderOptions } from './static.js';
export { reduce, initialUiState, type UiState, type StageView, type StageStatus } from './state.js';
export { App, type AppProps } from './components/App.js';
export { createUiStore, createEventSource, type UiStore, type EngineEventSource } from './store.js';
