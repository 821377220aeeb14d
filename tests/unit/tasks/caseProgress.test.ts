/** What the customer sees of a multi-step case: how far it is, never what the steps are. */
import fc from 'fast-check';
import { caseProgress, caseProgressText } from '../../../server/domain/tasks/caseProgress';
import { translator } from '../../../server/i18n/translate';

const tasks = (...states: ('open' | 'done')[]) => states.map((state) => ({ state, title: 'Gutschrift buchen', assigneeId: 'u1' }));
const de = translator('de');
const text = (p: ReturnType<typeof caseProgress>) => {
  const { key, vars } = caseProgressText(p);
  return de(key, vars);
};

describe('caseProgress', () => {
  it('when one of three steps is done, then the customer reads "In Bearbeitung — Schritt 2 von 3"', () => {
    const p = caseProgress('assigned', tasks('done', 'open', 'open'));
    expect(p).toEqual({ state: 'in_progress', step: 2, steps: 3 });
    expect(text(p)).toBe('In Bearbeitung — Schritt 2 von 3');
    expect(translator('en')(caseProgressText(p).key, caseProgressText(p).vars)).toBe('In progress — step 2 of 3');
  });

  it('when the case has no steps, then it is received while new and in progress once worked on', () => {
    expect(text(caseProgress('new', []))).toBe('Eingegangen');
    expect(text(caseProgress('answered', []))).toBe('In Bearbeitung');
  });

  it('when every step is done but the case is open, then the last step is shown; once closed, it is resolved', () => {
    expect(caseProgress('assigned', tasks('done', 'done'))).toEqual({ state: 'in_progress', step: 2, steps: 2 });
    expect(text(caseProgress('closed', tasks('done', 'open')))).toBe('Erledigt');
  });

  it('when any case is shown, then only state, step and steps come out, with the step within the steps', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('new', 'assigned', 'answered', 'saved', 'closed' as const),
        fc.array(fc.constantFrom('open', 'done' as const), { maxLength: 20 }),
        (status, states) => {
          const p = caseProgress(status, tasks(...states));
          expect(Object.keys(p).sort()).toEqual(['state', 'step', 'steps']);
          expect(p.steps).toBe(states.length);
          expect(p.step).toBeGreaterThanOrEqual(states.length ? 1 : 0);
          expect(p.step).toBeLessThanOrEqual(p.steps);
          expect(text(p)).not.toContain('Gutschrift');
        },
      ),
    );
  });
});
