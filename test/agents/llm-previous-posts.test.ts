import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptVars } from '../../src/agents/llm/prompts.js';
import type { WireRequest } from '../../src/agents/llm/wire.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import type { FakeRequestBody } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, fake, lastUser, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

const USERS = [
  ',user_id,name,username,following_agentid_list,previous_tweets,user_char,description',
  `0,11,Ann,ann,[1],"['oldest from ann', ""ann's middle one"", 'newest from ann']",Ann is a careful nurse who checks sources.,Nurse.`,
  `1,22,Bob,bob,[0],[],Bob likes trains.,`,
].join('\n');

function system(body: FakeRequestBody): string {
  return String((body.messages?.[0] as { content?: string } | undefined)?.content ?? '');
}

describe('an LLM agent with previous posts', () => {
  it('when a real account has previous posts then its prompt remembers them as its own posts from before the run, until its own actions take their place', async () => {
    const server = await fake(() => ({ toolCalls: [{ name: 'create_post', arguments: { text: 'fresh post in the run' } }] }));
    const dir = tempDir();
    writeFileSync(join(dir, 'users.csv'), `${USERS}\n`);
    const yaml = `name: memory
seed: 1
clock: { timesteps: 3, step: 1h }
dataset:
  users: { path: users.csv, following_kind: row_index, columns: { id: user_id, following: following_agentid_list, previous_posts: previous_tweets, character: user_char } }
  generate: { topics: [tech, health], follows_per_agent: 0 }
models:
${localModel([server.url], ', memory: 2')}
cohorts:
  - { name: real, count: 2, model: local, personas: dataset, activity: 1 }
`;
    const { info } = await runExperiment(parseExperiment(yaml, join(dir, 'exp.yaml')), { resultsRoot: dir, quiet: true });
    expect(info.status).toBe('completed');
    const ann = server.requests.map((r) => r.body!).filter((b) => system(b).startsWith('You are Ann (@ann)'));
    expect(ann).toHaveLength(3);
    // The character description follows the bio.
    expect(system(ann[0]!)).toContain('About you: Nurse.\nAnn is a careful nurse who checks sources.');
    const memory = (b: FakeRequestBody): string => /Your recent actions:\n([\s\S]*?)\n\nYour feed:/.exec(lastUser(b))?.[1] ?? '';
    // Step 0: nothing done yet; memory (2 items) holds the newest previous posts, newest first.
    expect(memory(ann[0]!)).toBe(`- before the run: create_post {"text":"newest from ann"}\n- before the run: create_post {"text":"ann's middle one"}`);
    // Step 1: its own post of step 0 comes first, one previous post fills the rest.
    expect(memory(ann[1]!)).toBe(`- step 0: create_post {"text":"fresh post in the run"}\n- before the run: create_post {"text":"newest from ann"}`);
    // Step 2: real memory has filled it.
    expect(memory(ann[2]!)).toBe(`- step 1: create_post {"text":"fresh post in the run"}\n- step 0: create_post {"text":"fresh post in the run"}`);
    // An account with an empty list remembers nothing from before; without a bio it shows its character alone.
    const bob = server.requests.map((r) => r.body!).find((b) => system(b).startsWith('You are Bob (@bob)'))!;
    expect(memory(bob)).toBe('(none yet)');
    expect(system(bob)).toContain('About you: Bob likes trains.\n');
    // Ann's previous posts are in Bob's feed: they are on the platform as Ann's posts.
    expect(lastUser(bob)).toMatch(/@ann \(user 0\)[^\n]*\n {2}newest from ann/);
  });
});

describe('prompt variables of a character', () => {
  const request: WireRequest = { agentId: 1, name: 'A', username: 'a', bio: 'Nurse.', interests: [], simTime: 't', feed: [], notifications: [], memory: [] };

  it('when a request has a character then {{bio}} is the bio and the character on the next line, and {{character}} the character alone', () => {
    expect(promptVars({ ...request, character: 'A careful nurse.' })).toMatchObject({ bio: 'Nurse.\nA careful nurse.', character: 'A careful nurse.' });
    expect(promptVars({ ...request, bio: '', character: 'A careful nurse.' })).toMatchObject({ bio: 'A careful nurse.' });
  });

  it('when a request has none then {{bio}} reads as it always has and {{character}} is empty', () => {
    expect(promptVars(request)).toMatchObject({ bio: 'Nurse.', character: '' });
    expect(promptVars({ ...request, bio: '' })).toMatchObject({ bio: '(no bio)', character: '' });
  });
});
