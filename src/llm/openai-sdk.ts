/**
 * The openai SDK, imported at first use. Loading it costs a process about 0.2 s of CPU (some
 * 150 modules), which a run of statistical agents, `validate` or `report` never needs; the
 * chat and embedding clients load it before their first request.
 */
import type * as OpenAISdk from 'openai';

export type OpenAIModule = typeof OpenAISdk;

let loading: Promise<OpenAIModule> | undefined;
let loaded: OpenAIModule | undefined;

export function loadOpenAI(): Promise<OpenAIModule> {
  return (loading ??= import('openai').then((m) => (loaded = m)));
}

/**
 * The SDK if some client has loaded it. An error can only be one of the SDK's once the SDK is
 * loaded, so error classification asks this instead of importing it.
 */
export function loadedOpenAI(): OpenAIModule | undefined {
  return loaded;
}
