import { expect } from 'vitest';
import { ConfigError, formatIssue, parseExperiment, type ConfigIssue } from '../../src/config/load.js';

/** Every issue an inline experiment produces (it must produce some). */
export function issuesOf(text: string): ConfigIssue[] {
  try {
    parseExperiment(text, 'exp.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

/** The single issue an inline experiment produces. */
export function one(text: string): ConfigIssue {
  const issues = issuesOf(text);
  expect(issues.map(formatIssue)).toHaveLength(1);
  return issues[0] as ConfigIssue;
}
