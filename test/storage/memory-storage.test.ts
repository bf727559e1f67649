import { MemoryStorageTarget } from '../../src/storage/memory-storage.ts';
import { storageConformance } from './conformance.ts';

storageConformance('in-memory fake', async () => ({ target: new MemoryStorageTarget('mem') }), { maxLargeWriteGrowthBytes: 64 * 1024 * 1024 });
