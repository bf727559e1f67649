// `holdfast` as a process, with the scheduled FileCopy test plugin registered (what bin/holdfast.js does, plus
// the plugin). Used by the serve smoke test and bench/serve.ts.
import { main } from '../../src/cli/main.ts';
import { processIo } from '../../src/cli/io.ts';
import { scheduledFileCopyPlugin } from './scheduled-file-copy.ts';

process.exitCode = await main(process.argv.slice(2), processIo(), { plugins: [scheduledFileCopyPlugin()] });
