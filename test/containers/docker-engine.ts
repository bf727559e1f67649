import { getContainerRuntimeClient } from 'testcontainers';

/**
 * Whether a Docker (or compatible) engine answers, for gating container tests. Tests that need one are
 * declared with `describe.skipIf(!docker.available)` and say why they were skipped; they never fail and never
 * pass without running.
 */
export interface DockerEngine {
  available: boolean;
  /** Engine description when available; why not otherwise. */
  detail: string;
}

export async function findDockerEngine(): Promise<DockerEngine> {
  if (process.env.HOLDFAST_SKIP_CONTAINERS === '1')
    return { available: false, detail: 'HOLDFAST_SKIP_CONTAINERS=1' };
  try {
    const client = await getContainerRuntimeClient();
    return {
      available: true,
      detail: `${client.info.containerRuntime.operatingSystem} at ${client.info.containerRuntime.host}`,
    };
  } catch (err) {
    return { available: false, detail: `no Docker engine answered: ${(err as Error).message}` };
  }
}

/** Prints the reason a container suite is skipped, so a run without Docker says what it did not test. */
export function reportSkipped(suite: string, docker: DockerEngine): void {
  if (!docker.available) console.warn(`[test/containers] skipped "${suite}": ${docker.detail}`);
}
