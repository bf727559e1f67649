import type { CosmosBackupSpec } from '../schema.ts';
import { RequestUnitBudget } from './request-unit-budget.ts';

/**
 * The RU budget of one container's export: the lower of maxRequestUnitsPerSecond and throughputShare of the
 * provisioned throughput. A share without readable throughput is reported in `notes` and left out.
 */
export function exportBudget(
  spec: CosmosBackupSpec,
  provisioned: number | undefined,
  notes: string[],
): RequestUnitBudget {
  const limits: number[] = [];
  if (spec.maxRequestUnitsPerSecond !== undefined) limits.push(spec.maxRequestUnitsPerSecond);
  if (spec.throughputShare !== undefined) {
    if (provisioned !== undefined) limits.push(provisioned * spec.throughputShare);
    else
      notes.push(
        `throughputShare ${spec.throughputShare} ignored: the throughput could not be read${limits.length > 0 ? '' : '; the export ran unpaced'}`,
      );
  }
  return new RequestUnitBudget(limits.length > 0 ? Math.min(...limits) : undefined);
}

export function budgetSource(spec: CosmosBackupSpec, provisioned: number | undefined): string {
  const share =
    spec.throughputShare !== undefined && provisioned !== undefined
      ? provisioned * spec.throughputShare
      : undefined;
  if (
    share !== undefined &&
    (spec.maxRequestUnitsPerSecond === undefined || share < spec.maxRequestUnitsPerSecond)
  )
    return `throughputShare ${spec.throughputShare} of ${provisioned} RU/s`;
  return 'maxRequestUnitsPerSecond';
}
