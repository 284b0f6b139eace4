/**
 * How many event-loop turns (setImmediate callbacks) other code got while `work` ran, counted
 * from the next turn on: more than a couple means `work` yielded instead of blocking throughout.
 */
export async function countTurnsWhile<T>(work: Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let pending = true;
  const spin = (): void => {
    turns++;
    if (pending) setImmediate(spin);
  };
  setImmediate(spin);
  try {
    return { result: await work, turns };
  } finally {
    pending = false;
  }
}
