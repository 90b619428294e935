import { fail, ok, type ActionSpec } from './types.js';

export interface SignUpArgs {
  username: string;
  name?: string;
  bio?: string;
  /** Set by the engine when it registers a population; not offered to LLM agents. */
  cohort?: string;
  model?: string;
  kind?: 'agent' | 'seed';
  persona?: Record<string, unknown>;
}

export const signUp: ActionSpec<SignUpArgs> = {
  name: 'sign_up',
  description: 'Create your account on the platform with a unique username, a display name and a bio.',
  parameters: {
    type: 'object',
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' },
      name: { type: 'string', maxLength: 100 },
      bio: { type: 'string', maxLength: 500 },
      cohort: { type: 'string' },
      model: { type: 'string' },
      kind: { enum: ['agent', 'seed'] },
      persona: { type: 'object' },
    },
    required: ['username'],
    additionalProperties: false,
  },
  apply({ state, batch }, actor, args) {
    if (state.users.has(actor)) return fail(`user ${actor} has already signed up`);
    if (state.usernames.has(args.username)) return fail(`username "${args.username}" is taken`);
    const kind = args.kind ?? 'agent';
    state.addUser(actor, { username: args.username, name: args.name ?? args.username, bio: args.bio ?? '', kind });
    batch.users.push({
      userId: actor,
      username: args.username,
      name: args.name ?? args.username,
      bio: args.bio ?? '',
      cohort: args.cohort ?? '',
      model: args.model ?? '',
      kind,
      persona: JSON.stringify(args.persona ?? {}),
    });
    return ok({ user_id: actor });
  },
};

export const refresh: ActionSpec = {
  name: 'refresh',
  description: 'Read your recommended feed: the posts the platform currently shows you.',
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  apply({ feedOf }, actor) {
    return ok({ shown: feedOf(actor).length });
  },
};

export const doNothing: ActionSpec = {
  name: 'do_nothing',
  description: 'Do nothing this time step.',
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  apply() {
    return ok();
  },
};
