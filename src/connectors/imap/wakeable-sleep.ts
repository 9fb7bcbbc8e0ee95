/** A backoff delay that stop() can cut short: `done` resolves after `ms` or at `wake()`. */
export interface WakeableSleep {
  readonly done: Promise<void>;
  wake(): void;
}

export function wakeableSleep(ms: number): WakeableSleep {
  let wake = (): void => {};
  const done = new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
  return { done, wake: () => wake() };
}
