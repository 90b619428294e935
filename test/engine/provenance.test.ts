/**
 * run.json's provenance: the commit, whether the tree is dirty and whether the experiment file
 * is, read from a throwaway repository made by the test.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitState } from '../../src/engine/provenance.js';
import { tempDir } from '../helpers/tmp.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd }).toString().trim();
}

describe('gitState', () => {
  it('when the directory is no repository then there is no commit and nothing is dirty', async () => {
    const dir = tempDir();
    // A temp folder may itself sit inside a repository; GIT_CEILING_DIRECTORIES is not ours to set, so make sure.
    let inside = true;
    try {
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: 'ignore' });
    } catch {
      inside = false;
    }
    expect(inside).toBe(false);
    expect(await gitState(dir, 'x.yaml')).toEqual({ commit: null, dirtyTree: false, experimentFileDirty: null });
  });

  it('when the repository has no commit yet then there is no commit and nothing is dirty', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'exp.yaml'), 'name: a\n');
    git(dir, 'add', '.');
    expect(await gitState(dir, 'exp.yaml')).toEqual({ commit: null, dirtyTree: false, experimentFileDirty: null });
  });

  it('when files are committed, edited or untracked then the commit, the dirty tree and the dirty experiment file say so', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'exp.yaml'), 'name: a\n');
    writeFileSync(join(dir, 'other.txt'), 'x\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(head).toMatch(/^[0-9a-f]{40}$/);

    expect(await gitState(dir, 'exp.yaml')).toEqual({ commit: head, dirtyTree: false, experimentFileDirty: false });
    // No experiment file named: its state is unknown, not clean.
    expect(await gitState(dir)).toEqual({ commit: head, dirtyTree: false, experimentFileDirty: null });

    // Another tracked file edited: the tree is dirty, the experiment file is not.
    writeFileSync(join(dir, 'other.txt'), 'y\n');
    expect(await gitState(dir, 'exp.yaml')).toEqual({ commit: head, dirtyTree: true, experimentFileDirty: false });

    // An untracked experiment file is dirty; untracked files leave the tree clean.
    git(dir, 'checkout', '-q', '--', 'other.txt');
    writeFileSync(join(dir, 'new.yaml'), 'name: b\n');
    expect(await gitState(dir, 'new.yaml')).toEqual({ commit: head, dirtyTree: false, experimentFileDirty: true });

    // The experiment file itself edited.
    writeFileSync(join(dir, 'exp.yaml'), 'name: c\n');
    expect(await gitState(dir, 'exp.yaml')).toEqual({ commit: head, dirtyTree: true, experimentFileDirty: true });
  });
});
