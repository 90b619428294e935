/**
 * Seeds and interventions: what the schema cannot say about them (which fields each
 * intervention needs, references to seeds, models and scripted posts; steps past the run are
 * warnings, see outside-run.ts), and set_recsys's inheritance of the experiment's recsys block.
 */
import type { RawIssue } from './messages.js';
import { didYouMean } from './suggest.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const recs = (v: unknown): [number, Rec][] => (Array.isArray(v) ? v.flatMap((x, i): [number, Rec][] => (isRec(x) ? [[i, x]] : [])) : []);

/**
 * A set_recsys intervention names only what changes; before validation it is completed from
 * the experiment's own recsys block, so the schema (and its defaults) see a whole block and
 * the resolved experiment states exactly what ran.
 */
export function inheritRecsys(data: Rec): void {
  const base = isRec(data.recsys) ? data.recsys : {};
  let current: Rec = { ...base };
  const ordered = recs(data.interventions)
    .filter(([, iv]) => iv.action === 'set_recsys' && isRec(iv.recsys))
    .sort(([, a], [, b]) => Number(a.at) - Number(b.at));
  for (const [, iv] of ordered) {
    current = { ...current, ...(iv.recsys as Rec) };
    iv.recsys = current;
  }
}

const FIELDS: Readonly<Record<string, { needs: readonly string[][]; allows: readonly string[] }>> = {
  // needs: each inner list is "exactly one of these".
  label_post: { needs: [['post', 'post_id'], ['label']], allows: ['post', 'post_id', 'label'] },
  delete_post: { needs: [['post', 'post_id']], allows: ['post', 'post_id'] },
  suspend_account: { needs: [['account', 'user_id']], allows: ['account', 'user_id'] },
  set_recsys: { needs: [['recsys']], allows: ['recsys'] },
};

export function seedAndInterventionChecks(data: Rec): RawIssue[] {
  const out: RawIssue[] = [];
  const models = isRec(data.models) ? Object.keys(data.models) : [];
  const seeds = recs(data.seeds);
  const seedNames = seeds.map(([, s]) => s.name).filter((n): n is string => typeof n === 'string');
  const gen = isRec(data.dataset) && isRec(data.dataset.generate) ? data.dataset.generate : {};
  const topics = Array.isArray(gen.topics) ? gen.topics.filter((t): t is string => typeof t === 'string') : [];

  for (const [i, seed] of seeds) {
    if (typeof seed.model === 'string' && !models.includes(seed.model)) {
      out.push({ segments: ['seeds', i, 'model'], kind: 'value', message: `unknown model "${seed.model}"; models: ${models.join(', ')}${didYouMean(seed.model, models)}` });
    }
    if (seed.activity !== undefined && seed.model === undefined) {
      out.push({ segments: ['seeds', i, 'activity'], kind: 'key', message: 'only used with model (a scripted account without a model only posts its script)' });
    }
    if (Array.isArray(seed.followed_by_interests) && topics.length > 0) {
      seed.followed_by_interests.forEach((t: unknown, k: number) => {
        if (typeof t === 'string' && !topics.includes(t)) {
          out.push({ segments: ['seeds', i, 'followed_by_interests', k], kind: 'value', message: `"${t}" is not one of dataset.generate.topics (${topics.join(', ')})${didYouMean(t, topics)}` });
        }
      });
    }
  }

  for (const [i, iv] of recs(data.interventions)) {
    const spec = typeof iv.action === 'string' ? FIELDS[iv.action] : undefined;
    if (!spec) continue;
    for (const key of Object.keys(iv)) {
      if (key !== 'at' && key !== 'action' && !spec.allows.includes(key)) {
        out.push({ segments: ['interventions', i, key], kind: 'key', message: `not used by ${String(iv.action)} (it takes ${spec.allows.join(', ')})` });
      }
    }
    for (const oneOf of spec.needs) {
      const given = oneOf.filter((k) => iv[k] !== undefined);
      if (given.length === 0) {
        out.push({ segments: ['interventions', i, oneOf[0]!], kind: 'parent', message: `${String(iv.action)} needs ${oneOf.join(' or ')}` });
      } else if (given.length > 1) {
        out.push({ segments: ['interventions', i, given[1]!], kind: 'key', message: `give ${oneOf.join(' or ')}, not both` });
      }
    }
    if (typeof iv.account === 'string' && !seedNames.includes(iv.account)) {
      out.push({ segments: ['interventions', i, 'account'], kind: 'value', message: `no seed account named "${iv.account}"; seeds: ${seedNames.join(', ') || '(none)'}${didYouMean(iv.account, seedNames)}` });
    }
    if (isRec(iv.post) && typeof iv.post.seed === 'string') {
      const ref = iv.post;
      const found = seeds.find(([, s]) => s.name === ref.seed);
      if (!found) {
        out.push({ segments: ['interventions', i, 'post', 'seed'], kind: 'value', message: `no seed account named "${ref.seed}"; seeds: ${seedNames.join(', ') || '(none)'}${didYouMean(String(ref.seed), seedNames)}` });
      } else if (typeof ref.at === 'number') {
        const atStep = recs(found[1].posts).filter(([, p]) => p.at === ref.at).length;
        const index = typeof ref.index === 'number' ? ref.index : 0;
        if (index >= atStep) {
          out.push({
            segments: ['interventions', i, 'post', atStep === 0 ? 'at' : 'index'],
            kind: 'value',
            message: atStep === 0 ? `seed "${ref.seed}" has no scripted post at step ${ref.at}` : `seed "${ref.seed}" has ${atStep} scripted post(s) at step ${ref.at}, got index ${index}`,
          });
        } else if (typeof iv.at === 'number' && iv.at <= ref.at) {
          out.push({ segments: ['interventions', i, 'at'], kind: 'value', message: `must come after the post it acts on (posted at step ${ref.at}), got ${iv.at}` });
        }
      }
    }
  }
  return out;
}
