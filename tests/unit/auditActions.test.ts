/** The audit action catalogue (server/domain/audit/actions.ts) is the only vocabulary appendAudit accepts. */
import type { DbOrTx } from '../../server/db/client';
import { appendAudit } from '../../server/db/repositories/audit.repo';
import { AUDIT_ACTIONS } from '../../server/domain/audit/actions';
import { systemActor } from '../../server/domain/audit/actor';

describe('audit actions', () => {
  it('when the catalogue lists actions, then each is listed once and named <subject>.<what happened>', () => {
    expect(AUDIT_ACTIONS.filter((a, i) => AUDIT_ACTIONS.indexOf(a) !== i)).toEqual([]);
    // The audit API's `action` filter accepts exactly this shape.
    expect(AUDIT_ACTIONS.filter((a) => !/^[a-z_]+\.[a-z_]+$/.test(a))).toEqual([]);
  });

  // Checked by tsc (npm test's type-check), never called: if appendAudit took any string, the two
  // expect-error directives below would expect an error that is not there, and the type-check would fail.
  const outsideTheCatalogueDoesNotCompile = (db: DbOrTx) => {
    // @ts-expect-error 'conversation.deleted' is not an audit action
    void appendAudit(db, { actor: systemActor('test'), action: 'conversation.deleted', subjectType: 'conversation', subjectId: null });
    const fromUserInput: string = 'auth.login';
    // @ts-expect-error a plain string is not an audit action
    void appendAudit(db, { actor: systemActor('test'), action: fromUserInput, subjectType: 'user', subjectId: null });
  };
  void outsideTheCatalogueDoesNotCompile;
});
