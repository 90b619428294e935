import type { LlmModelCommon } from '../../config/types.js';
import type { AgentPolicy, DecisionRequest } from '../types.js';
import { EndpointLimiter } from '../../llm/limiter.js';
import type { LlmPool } from './pool.js';
import type { WorkerModel } from './worker.js';
import type { WireRequest } from './wire.js';

/** The plain-data request a worker gets: what the prompt shows, nothing else. */
export function toWire({ persona, observation: o }: DecisionRequest): WireRequest {
  return {
    agentId: persona.userId,
    name: persona.name,
    username: persona.username,
    bio: persona.bio,
    ...(persona.dataset?.character !== undefined ? { character: persona.dataset.character } : {}),
    interests: persona.interests,
    simTime: o.simTime,
    feed: o.feed.map((p) => ({
      postId: p.postId,
      authorId: p.authorId,
      author: o.authors?.get(p.authorId) ?? `user${p.authorId}`,
      text: p.text,
      likes: p.likes,
      ...(o.showDislikes ? { dislikes: p.dislikes } : {}),
      reposts: p.reposts,
      likedByMe: o.liked.has(p.postId),
      repostedByMe: o.reposted.has(p.postId),
      followingAuthor: o.followees.has(p.authorId),
      label: p.label,
      ...(p.sharedBy !== undefined ? { sharedBy: o.authors?.get(p.sharedBy) ?? `user${p.sharedBy}` } : {}),
    })),
    notifications: o.notifications ?? [],
    memory: o.memory ?? [],
    ...(o.browse ? { browse: o.browse } : {}),
  };
}

/** Agents driven by one model: requests go to the shared worker pool (threads, or workers through Redis). */
export function createLlmPolicy(modelName: string, config: LlmModelCommon, model: WorkerModel, pool: LlmPool): AgentPolicy {
  // The main thread's view of the limiter the workers share: read-only use (snapshots).
  const limiter = EndpointLimiter.attach(model.limiter);
  return {
    name: `llm:${modelName}`,
    wantsContext: true,
    memorySize: config.memory,
    decideAll: (step, requests) => pool.decide(modelName, requests.map(toWire), step),
    survey: (question, requests) => pool.survey(modelName, question, requests.map(toWire), requests[0]?.observation.step),
    endpoints() {
      // Requests on remote workers: their endpoints' health is theirs to see, not this process's.
      if (pool.remote) return [];
      const snap = limiter.snapshot();
      return model.settings.endpoints.map((e, i) => ({
        model: modelName,
        endpoint: e.url,
        healthy: snap.healthy[i] ?? true,
        outstanding: snap.outstanding[i] ?? 0,
        maxConcurrency: e.maxConcurrency,
      }));
    },
    close: () => pool.close(),
  };
}
