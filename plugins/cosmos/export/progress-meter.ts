import type { ProgressUpdate } from '../../../src/plugin/contract.ts';

/**
 * Turns page-by-page counts into progress updates for one container: documents, MB written (uncompressed),
 * RU/s over the last interval, and an ETA from the count taken when the export started. At most one update a second.
 */
export class ProgressMeter {
  readonly #emit: (update: ProgressUpdate) => void;
  readonly #expected: number;
  readonly #now: () => number;
  readonly #started: number;
  readonly #startDocuments: number;
  #documents: number;
  #rawBytes = 0;
  #requestCharge = 0;
  #lastAt: number;
  #lastCharge = 0;
  #ratePerSecond = 0;

  constructor(
    emit: (update: ProgressUpdate) => void,
    expected: number,
    documents = 0,
    now: () => number = () => performance.now(),
  ) {
    this.#emit = emit;
    this.#expected = expected;
    this.#now = now;
    this.#started = now();
    this.#lastAt = this.#started;
    this.#documents = documents;
    this.#startDocuments = documents;
  }

  add(documents: number, requestCharge: number, rawBytes: number): void {
    this.#documents += documents;
    this.#requestCharge += requestCharge;
    this.#rawBytes = rawBytes;
    if (this.#now() - this.#lastAt >= 1000) this.report(false);
  }

  report(final: boolean): void {
    const now = this.#now();
    const seconds = (now - this.#lastAt) / 1000;
    if (seconds > 0) this.#ratePerSecond = (this.#requestCharge - this.#lastCharge) / seconds;
    this.#lastAt = now;
    this.#lastCharge = this.#requestCharge;
    const elapsed = (now - this.#started) / 1000;
    const perSecond = elapsed > 0 ? (this.#documents - this.#startDocuments) / elapsed : 0;
    const left = Math.max(0, this.#expected - this.#documents);
    const fraction = final
      ? 1
      : this.#expected > 0
        ? Math.min(0.99, this.#documents / this.#expected)
        : undefined;
    const mb = this.#rawBytes / 1_048_576;
    this.#emit({
      message: `${this.#documents.toLocaleString('en-US')}${this.#expected ? ` / ${this.#expected.toLocaleString('en-US')}` : ''} documents, ${mb.toFixed(1)} MB, ${Math.round(this.#ratePerSecond)} RU/s`,
      fraction,
      etaSeconds: final ? 0 : perSecond > 0 ? left / perSecond : undefined,
      metrics: {
        documents: this.#documents,
        bytes: this.#rawBytes,
        requestCharge: Math.round(this.#requestCharge * 100) / 100,
      },
    });
  }
}
