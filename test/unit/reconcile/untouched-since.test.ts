import { untouchedSince } from '../../../lib/reconcile/execute-action';
import { nodegroup } from '../plan/plan-fixtures';

/**
 * When a roll may skip the lost-roll lookup (decision 0084): only when no update can have been
 * created after the instant the lookup would search from.
 */

const WRITTEN = '2026-12-01T10:00:00.000Z';

const at = (status: string, modifiedAt?: string) =>
  nodegroup({ status, ...(modifiedAt ? { modifiedAt } : {}) });

describe('untouchedSince', () => {
  it('skips the lookup for an ACTIVE node group last modified before the spec was written', () => {
    expect(untouchedSince(at('ACTIVE', '2026-12-01T09:59:59.999Z'), WRITTEN)).toBe(true);
    expect(untouchedSince(at('ACTIVE', WRITTEN), WRITTEN)).toBe(true);
  });

  it('looks up when the node group changed after it (a lost roll that ended moves modifiedAt)', () => {
    expect(untouchedSince(at('ACTIVE', '2026-12-01T10:00:00.001Z'), WRITTEN)).toBe(false);
  });

  it('looks up while the node group is UPDATING, whatever modifiedAt says', () => {
    expect(untouchedSince(at('UPDATING', '2026-12-01T09:00:00.000Z'), WRITTEN)).toBe(false);
  });

  it('looks up when EKS reports no modifiedAt, or there is no node group', () => {
    expect(untouchedSince(at('ACTIVE'), WRITTEN)).toBe(false);
    expect(untouchedSince(undefined, WRITTEN)).toBe(false);
  });
});
