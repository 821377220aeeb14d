/**
 * One routing pass over a queue, in memory: the queue is taken in its order (queueOrder.ts) and each
 * conversation goes to the best eligible agent (chooseAgent.ts), whose load then grows. A conversation
 * nobody eligible can take stays queued; the ones behind it are still tried (they may need other skills).
 */
import { chooseAgent, type Requirement, type RoutingAgent, type RoutingReason } from './chooseAgent';
import { compareQueued, type Queued } from './queueOrder';

export type Waiting = Queued & { requirement: Requirement };

export type Decision = { conversationId: string; agentId: string; reason: RoutingReason };

export function planRouting(queue: readonly Waiting[], agents: readonly RoutingAgent[], now: Date): Decision[] {
  const working = agents.map((a) => ({ ...a, load: { ...a.load } }));
  const decisions: Decision[] = [];
  for (const w of [...queue].sort(compareQueued)) {
    const choice = chooseAgent(working, w.requirement);
    if (!choice) continue;
    choice.agent.load[w.requirement.slotClass] += 1;
    choice.agent.idleSince = now;
    decisions.push({ conversationId: w.id, agentId: choice.agent.id, reason: choice.reason });
  }
  return decisions;
}
