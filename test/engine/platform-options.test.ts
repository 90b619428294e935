import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicies } from '../../src/agents/policies.js';
import { Channel } from '../../src/channel/channel.js';
import { buildPopulation } from '../../src/engine/setup.js';
import { simulate } from '../../src/engine/simulate.js';
import { recommenderFor } from '../../src/recsys/registry.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

describe('platform options', () => {
  it('when the experiment sets search, trends and the report threshold then the platform runs with them', async () => {
    const exp = smallExperiment({
      overrides: ['clock.timesteps=2', 'platform={ report_threshold: 5, search: substring, trends: { algorithm: most_liked, window: 2, limit: 4 } }'],
    });
    const channel = await Channel.open(join(tempDir(), 'sim.duckdb'));
    await simulate({ experiment: exp, channel, population: await buildPopulation(exp), recommender: recommenderFor(exp), policies: createPolicies(exp) });
    expect(channel.state.rules).toMatchObject({ reportThreshold: 5, search: 'substring', trends: { algorithm: 'most_liked', window: 2, limit: 4 } });
    await channel.close();
  });
});
