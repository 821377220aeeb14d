/** user:create — adds a console user. */
import { newUserSchema, createUser } from '../../domain/users/createUser';
import { CLI_ACTOR, defineCommand } from '../command';
import { withDb } from '../withDb';

export const userCreate = defineCommand({
  summary: 'Create a console user',
  usage: '--email E --name N --role agent|manager|auditor|admin --password P [--locale de|en]',
  flags: newUserSchema,
  run: (flags, { config }) => withDb(config, (db) => db.transaction().execute((tx) => createUser(tx, flags, CLI_ACTOR))),
  describe: (user) => `Created ${user.role} ${user.name} <${user.email}> (id ${user.id}).`,
});
