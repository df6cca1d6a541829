import type { PatchRun } from '../api/get-site-patch-runs';
import { summarizeChanges } from './patch-runs-tab';

const run = (n: number, notes = ''): PatchRun =>
  ({
    id: 'r1',
    status: 'succeeded',
    tool: 'composer',
    notes,
    changes: Array.from({ length: n }, (_, i) => ({
      name: `m${i}`,
      from_version: '1.0.0',
      to_version: '1.0.1',
    })),
  }) as PatchRun;

describe('summarizeChanges', () => {
  it('puts a run on one line: two changes, then how many more', () => {
    expect(summarizeChanges(run(1))).toBe('m0 1.0.0 → 1.0.1');
    expect(summarizeChanges(run(2))).toBe('m0 1.0.0 → 1.0.1, m1 1.0.0 → 1.0.1');
    expect(summarizeChanges(run(5))).toBe('m0 1.0.0 → 1.0.1, m1 1.0.0 → 1.0.1 and 3 more');
    expect(summarizeChanges(run(0, 'composer update failed'))).toBe('composer update failed');
  });
});
