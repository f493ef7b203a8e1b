/**
 * A `Messenger` whose answers are scripted per connection and per attempt, and which counts how many sends
 * are in flight at once.
 *
 * @module
 */
import type { Messenger } from '../../../lambdas/core/ports.js';

/** What one send does: resolve with an outcome or throw an error. */
export type ScriptedAnswer = 'sent' | 'gone' | Error;

/** Decides the answer to attempt number `attempt` (1-based) for `connectionId`. */
export type Script = (connectionId: string, attempt: number) => ScriptedAnswer;

/** Messenger for core tests. Each send takes a few macrotask turns so sends really overlap. */
export class ScriptedMessenger implements Messenger {
  readonly sent: { connectionId: string; frame: string }[] = [];
  readonly closed: string[] = [];
  readonly attempts = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly script: Script = () => 'sent') {}

  async send(connectionId: string, frame: string): Promise<'sent' | 'gone'> {
    const attempt = (this.attempts.get(connectionId) ?? 0) + 1;
    this.attempts.set(connectionId, attempt);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      for (let turn = 0; turn < 3; turn += 1) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const answer = this.script(connectionId, attempt);
      if (answer instanceof Error) {
        throw answer;
      }
      if (answer === 'sent') {
        this.sent.push({ connectionId, frame });
      }
      return answer;
    } finally {
      this.inFlight -= 1;
    }
  }

  async close(connectionId: string): Promise<'closed' | 'gone'> {
    this.closed.push(connectionId);
    return 'closed';
  }
}
