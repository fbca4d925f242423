import type { ConditionInput } from '../status/conditions';
import type { Action, Plan, PlanRecord } from './plan-types';

/**
 * The plan under construction, shared by the decisions of one plan() call. A later decision may
 * overwrite a condition an earlier one set (the last word per condition type wins); the first
 * terminal reason and the shortest requeue win.
 */
export class PlanBuilder {
  readonly actions: Action[] = [];
  readonly conditions = new Map<string, ConditionInput>();
  readonly record: PlanRecord = { events: [] };
  requeueAfterSeconds: number | undefined;
  requeueReason: string | undefined;
  terminal: { reason: string; message: string } | undefined;
  /**
   * The version a roll EKS called Successful this pass moved the node group to. It becomes
   * last-known-good only after the enclave check has had its say (promoteSucceededRoll), not when
   * the update's outcome is read.
   */
  succeededRollVersion: number | undefined;

  set(condition: ConditionInput): this {
    this.conditions.set(condition.type, condition);
    return this;
  }

  requeue(seconds: number, reason: string): this {
    if (this.requeueAfterSeconds === undefined || seconds < this.requeueAfterSeconds) {
      this.requeueAfterSeconds = seconds;
      this.requeueReason = reason;
    }
    return this;
  }

  stop(condition: ConditionInput): this {
    this.set(condition);
    this.terminal ??= { reason: condition.reason, message: condition.message };
    return this;
  }

  build(): Plan {
    return {
      actions: this.actions,
      conditions: [...this.conditions.values()],
      ...(this.requeueAfterSeconds !== undefined && this.actions.length === 0
        ? { requeueAfterSeconds: this.requeueAfterSeconds, requeueReason: this.requeueReason ?? 'waiting' }
        : {}),
      ...(this.terminal && this.actions.length === 0 ? { terminal: this.terminal } : {}),
      record: this.record,
    };
  }
}
