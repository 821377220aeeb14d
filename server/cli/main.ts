/**
 * The operator CLI: `npm run cli -- <command> [--flags] [--json]`.
 * With --json every command prints exactly one JSON object on stdout (errors as {"error": "..."});
 * exit codes: 0 done, 1 failed, 2 unknown command or wrong/missing flag.
 */
import { parseArgs } from 'node:util';
import { configureOutboundTargets } from '../net/outboundTarget';
import { loadConfig } from '../config';
import { UsageError, type CliCommand } from './command';
import { auditVerify } from './commands/auditVerify';
import { channelCreate } from './commands/channelCreate';
import { dbMigrate } from './commands/dbMigrate';
import { demoLoad } from './commands/demoLoad';
import { demoLogins } from './commands/demoLogins';
import { reportsRebuild } from './commands/reportsRebuild';
import { tokenCreate } from './commands/tokenCreate';
import { tokenList } from './commands/tokenList';
import { tokenRevoke } from './commands/tokenRevoke';
import { userCreate } from './commands/userCreate';
import { explainError } from './explainError';

const COMMANDS: Record<string, CliCommand> = {
  'user:create': userCreate,
  'token:create': tokenCreate,
  'token:list': tokenList,
  'token:revoke': tokenRevoke,
  'channel:create': channelCreate,
  'db:migrate': dbMigrate,
  'demo:load': demoLoad,
  'demo:logins': demoLogins,
  'audit:verify': auditVerify,
  'reports:rebuild': reportsRebuild,
};

const HELP = ['help', '--help', '-h'];

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const json = args.includes('--json');
  if (name === undefined || HELP.includes(name)) {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`Unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    const flags = parseFlags(command, args);
    const config = loadConfig();
    configureOutboundTargets(config.outboundAllowedHosts);
    const output = await command.execute(flags, { config });
    console.log(json ? JSON.stringify(output.json) : output.text);
    return output.exitCode;
  } catch (err) {
    const { message, exitCode } = explainError(err);
    if (json) console.log(JSON.stringify({ error: message }));
    else console.error(exitCode === 2 && command ? `${message}\nUsage: npm run cli -- ${name} ${command.usage}` : message);
    return exitCode;
  }
}

function parseFlags(command: CliCommand, args: string[]): Record<string, string | string[] | undefined> {
  const options = Object.fromEntries(command.flagNames.map((flag) => [flag, { type: 'string' as const, multiple: command.repeatable.includes(flag) }]));
  const { values } = parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
  const { json: _json, ...flags } = values;
  return flags as Record<string, string | string[] | undefined>;
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${`${name} ${c.usage}`.trimEnd()}\n      ${c.summary}`);
  return ['Usage: npm run cli -- <command> [--flags] [--json]', '', 'Commands:', ...lines].join('\n');
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
