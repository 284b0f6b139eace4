/**
 * The behaviour constants of the simulated call center. Times are model milliseconds; the
 * distributions are drawn from the seeded PRNG.
 */
export const MODEL_PARAMS = {
  /** Time in the IVR before a caller asks for an agent (uniform), ms. */
  ivrMinMs: 5_000,
  ivrMaxMs: 25_000,
  /** Share of callers served by the IVR alone (they hang up without queueing). */
  ivrOnlyShare: 0.2,
  /** Patience of a queued caller (exponential mean, floor), ms: they abandon after it. */
  patienceMeanMs: 300_000,
  patienceMinMs: 15_000,
  /** Inbound talk time (exponential mean, floor), ms. */
  talkMeanMs: 150_000,
  talkMinMs: 10_000,
  /** Outbound talk time (exponential mean, floor), ms. */
  outboundTalkMeanMs: 120_000,
  /** Share of agents that go busy (wrap-up) after a call, and for how long (exponential mean), ms. */
  wrapUpShare: 0.2,
  wrapUpMeanMs: 40_000,
  /** Mean time an idle agent stays idle before going busy / resting / dialling out, ms. */
  idleToBusyMeanMs: 40 * 60_000,
  idleToRestMeanMs: 60 * 60_000,
  idleToOutboundMeanMs: 90 * 60_000,
  /** Mean length of a busy / rest spell, ms. */
  busyMeanMs: 3 * 60_000,
  restMeanMs: 8 * 60_000,
  /** Initial state shares of signed-in agents: idle, busy, rest. */
  initialBusyShare: 0.1,
  initialRestShare: 0.15,
} as const;
