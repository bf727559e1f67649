// Helper process for the concurrent-writers test: writes N artifacts (alternating bases and differentials).
import { openCatalog } from '../../src/catalog/sqlite-catalog.ts';

const [file, tag, count] = process.argv.slice(2);
const c = openCatalog(file!);
const runId = c.startRun({ command: 'run', jobs: [`job-${tag}`], startedAt: new Date() });
let base = '';
for (let i = 0; i < Number(count); i++) {
  const isBase = i % 5 === 0;
  const id = c.addArtifact({
    runId, stepId: `s${i}`, job: `job-${tag}`, plugin: 'test', target: `t/${tag}`, kind: 'test', type: isBase ? 'P' : 'Q',
    storage: 'local', locations: [`${tag}/${i}`], bytes: i, createdAt: new Date(), dependsOn: isBase ? [] : [base], metadata: { i },
  });
  if (isBase) base = id;
  c.recordStep(runId, { stepId: `s${i}`, job: `job-${tag}`, plugin: 'test', target: `t/${tag}`, action: 'write', status: 'succeeded', summary: 'ok', metrics: {}, artifactIds: [id] });
}
c.finishRun(runId, 'succeeded', new Date());
c.close();
