/**
 * Reconcile one pool: `reconcile(poolId, createReconcileDeps())`. docs/reconcile.md describes the
 * pass; docs/status.md the status row it writes.
 */
export {
  createReconcileDeps,
  RECONCILE_CLIENT_BUILDERS,
  type ReconcileClients,
  reconcileClients,
} from './create-reconcile-deps';
export type * from './ports';
export { type ReconcileDeps, reconcile, type SpecChecks } from './reconcile';
export { planPolicyFromEnv } from './reconcile-settings';
