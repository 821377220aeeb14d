/**
 * Who gets a waiting conversation: eligibility (online, not absent, a free slot, the required skills) and
 * scoring (least loaded in the conversation's slot class, ties by longest idle, then by id so the choice is
 * deterministic). Pure: the caller loads agents and loads, and writes the decision.
 */
import type { Capacity, SlotClass } from './slots';

export type Availability = 'online' | 'away' | 'offline';

export type Skills = { languages: string[]; topics: string[]; channels: string[]; regions: string[] };

export const NO_SKILLS: Skills = { languages: [], topics: [], channels: [], regions: [] };

export type RoutingAgent = {
  id: string;
  availability: Availability;
  absent: boolean;
  skills: Skills;
  capacity: Capacity;
  /** slots used per class right now */
  load: Capacity;
  /** when the agent last got work (or came online); the longest idle wins a tie */
  idleSince: Date;
  teamIds: string[];
};

/** What a conversation needs; a missing field asks for nothing. */
export type Requirement = {
  slotClass: SlotClass;
  channelId: string;
  language?: string | null;
  topic?: string | null;
  /** a German postcode ("80331") or a Bundesland code ("BY") */
  region?: string | null;
  /** the team whose members serve the channel's queue (none: every agent) */
  teamId?: string | null;
};

/** The skills a decision matched, in the order they are read out in the reason. */
export type MatchedSkill = { kind: 'language' | 'topic' | 'channel' | 'region'; value: string };

export type RoutingReason = {
  matched: MatchedSkill[];
  rule: 'least_loaded' | 'last_agent' | 'pull' | 'not_opened';
  /** the chosen agent's load in the slot class before this conversation, and its slots */
  load: number;
  capacity: number;
};

/** A region skill is a Bundesland code ("BY") or a postcode range ("80000-87999", or one postcode). */
export function regionMatches(skill: string, region: string): boolean {
  const range = /^(\d{5})(?:-(\d{5}))?$/.exec(skill);
  if (!range) return skill.toUpperCase() === region.toUpperCase();
  if (!/^\d{5}$/.test(region)) return false;
  const from = range[1]!;
  const to = range[2] ?? from;
  return region >= from && region <= to;
}

/**
 * The skills an agent needs for the requirement, matched, or null when one is missing. An agent with no
 * skills of a kind takes every value of it (an empty list restricts nothing).
 */
export function matchSkills(skills: Skills, req: Requirement): MatchedSkill[] | null {
  const matched: MatchedSkill[] = [];
  const check = (kind: MatchedSkill['kind'], have: string[], want: string | null | undefined, matches: (s: string, w: string) => boolean) => {
    if (!want || have.length === 0) return true;
    if (!have.some((s) => matches(s, want))) return false;
    matched.push({ kind, value: want });
    return true;
  };
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!check('language', skills.languages, req.language, same)) return null;
  if (!check('topic', skills.topics, req.topic, same)) return null;
  if (!check('channel', skills.channels, req.channelId, same)) return null;
  if (!check('region', skills.regions, req.region, regionMatches)) return null;
  return matched;
}

export function hasFreeSlot(agent: RoutingAgent, slotClass: SlotClass): boolean {
  return agent.load[slotClass] < agent.capacity[slotClass];
}

/** Does this agent serve such work now (online, present, in the queue's team, with the skills), free slot or not? */
export function serves(agent: RoutingAgent, req: Requirement): boolean {
  return agent.availability === 'online' && !agent.absent && (!req.teamId || agent.teamIds.includes(req.teamId)) && matchSkills(agent.skills, req) !== null;
}

/** May the router give this agent new work of this kind? */
export function isEligible(agent: RoutingAgent, req: Requirement): boolean {
  return serves(agent, req) && hasFreeSlot(agent, req.slotClass);
}

/** The load share compared without rounding: a/b < c/d ⇔ a·d < c·b (capacities are positive here). */
function compareLoad(a: RoutingAgent, b: RoutingAgent, slotClass: SlotClass): number {
  return a.load[slotClass] * b.capacity[slotClass] - b.load[slotClass] * a.capacity[slotClass];
}

export function chooseAgent(agents: readonly RoutingAgent[], req: Requirement): { agent: RoutingAgent; reason: RoutingReason } | null {
  let best: RoutingAgent | null = null;
  for (const a of agents) {
    if (!isEligible(a, req)) continue;
    if (
      !best ||
      compareLoad(a, best, req.slotClass) < 0 ||
      (compareLoad(a, best, req.slotClass) === 0 && (a.idleSince < best.idleSince || (a.idleSince.getTime() === best.idleSince.getTime() && a.id < best.id)))
    ) {
      best = a;
    }
  }
  if (!best) return null;
  return { agent: best, reason: reasonFor(best, req, 'least_loaded') };
}

export function reasonFor(agent: RoutingAgent, req: Requirement, rule: RoutingReason['rule']): RoutingReason {
  return { matched: matchSkills(agent.skills, req) ?? [], rule, load: agent.load[req.slotClass], capacity: agent.capacity[req.slotClass] };
}
