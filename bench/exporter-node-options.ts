/**
 * The Node options the exporter ships with: `npm start` and the container's ENTRYPOINT pass them
 * (test/unit/deploy-docker.test.ts keeps the three in step), the benchmark and the soak run the
 * exporter with them, so that their figures are those of the exporter as deployed.
 *
 * Both trade a little CPU for a smaller, steadier heap; at `large` (261,000 series) they keep the
 * exporter around 160–180 MB resident instead of 220–300 MB (README, Performance).
 * - `--max-semi-space-size=4`: V8's young generation is two semi-spaces that grow, on a 64-bit
 *   machine, up to 16 MB each whenever much of what is allocated survives, as it does during a
 *   run (every answer is kept until the snapshot is built).
 * - `--heap-growing-percent=50`: the old generation may grow to 1.5 × what survived the last full
 *   collection before the next one, instead of a factor V8 picks between 1.1 and 4. Each run
 *   leaves its answers and the replaced snapshot behind as garbage; without this it piles up
 *   over several runs. (1.2 saved a few MB more but collected several times in a row at the end
 *   of each access-codes run, which showed in the scrape latency during runs.)
 */
export const EXPORTER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=50'];
