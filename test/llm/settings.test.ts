import { describe, expect, it } from 'vitest';
import { ConfigError, parseExperiment } from '../../src/config/load.js';
import type { OpenAICompatibleModelConfig } from '../../src/config/types.js';
import { maxOutageMs, modelSettingsFromConfig } from '../../src/llm/settings.js';

const withModel = (extra: string): ReturnType<typeof parseExperiment> =>
  parseExperiment(
    `name: outage
models:
  local: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:1/v1"]${extra} }
cohorts:
  - { name: a, count: 2, model: local }
`,
    'outage.yaml',
  );

const local = (extra: string): OpenAICompatibleModelConfig => withModel(extra).models.local as OpenAICompatibleModelConfig;

describe('max_outage', () => {
  it('when it is left out then it is 120 s, probes come every 30 s and requests wait up to twice the outage', () => {
    const cfg = local('');
    expect(cfg.max_outage).toBe('120s');
    expect(modelSettingsFromConfig('local', cfg)).toMatchObject({ probeAfterMs: 30_000, unavailableTimeoutMs: 240_000 });
  });

  it('when it is a duration or a number of seconds then both are read, and a short outage probes four times within it', () => {
    expect(maxOutageMs(local(', max_outage: 5m'))).toBe(300_000);
    expect(maxOutageMs(local(', max_outage: 1.5'))).toBe(1_500);
    expect(modelSettingsFromConfig('local', local(', max_outage: 1s'))).toMatchObject({ probeAfterMs: 250, unavailableTimeoutMs: 2_000 });
  });

  it('when it is neither a duration nor a positive number then the experiment is refused at that key', () => {
    for (const bad of ['soon', '0', '-3']) {
      let err: unknown;
      try {
        withModel(`, max_outage: ${bad}`);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect((err as Error).message, bad).toContain('models.local.max_outage');
    }
  });
});
