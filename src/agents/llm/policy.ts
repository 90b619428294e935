import type { LlmModelCommon } from '../../config/types.js';
import type { AgentPolicy, DecisionRequest } from '../types.js';
import type { LlmWorkerPool } from './pool.js';
import type { WireRequest } from './wire.js';

/** The plain-data request a worker gets: what the prompt shows, nothing else. */
export function toWire({ persona, observation: o }: DecisionRequest): WireRequest {
  return {
    agentId: persona.userId,
    name: persona.name,
    username: persona.username,
    bio: persona.bio,
    interests: persona.interests,
    simTime: o.simTime,
    feed: o.feed.map((p) => ({
      postId: p.postId,
      authorId: p.authorId,
      author: o.authors?.get(p.authorId) ?? `user${p.authorId}`,
      text: p.text,
      likes: p.likes,
      reposts: p.reposts,
      likedByMe: o.liked.has(p.postId),
      repostedByMe: o.reposted.has(p.postId),
      followingAuthor: o.followees.has(p.authorId),
      label: p.label,
    })),
    notifications: o.notifications ?? [],
    memory: o.memory ?? [],
  };
}

/** Agents driven by one model: requests go to the shared worker pool. */
export function createLlmPolicy(modelName: string, config: LlmModelCommon, pool: LlmWorkerPool): AgentPolicy {
  return {
    name: `llm:${modelName}`,
    wantsContext: true,
    memorySize: config.memory,
    decideAll: (_step, requests) => pool.decide(modelName, requests.map(toWire)),
    close: () => pool.close(),
  };
}
