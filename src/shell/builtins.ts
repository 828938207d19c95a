/** Shell builtins and coreutils the scripts use: echo, true, false, sleep, cat. */
import { ok, type Command, type CmdResult, Unsupported } from './types.js';

const echo: Command = (ctx) => {
  const args = [...ctx.argv.slice(1)];
  let newline = true;
  while (args[0] === '-n' || args[0] === '-e' || args[0] === '-E') {
    if (args[0] === '-n') newline = false;
    else if (args[0] === '-e') throw new Unsupported('echo -e');
    args.shift();
  }
  return ok(ctx.world, args.join(' ') + (newline ? '\n' : ''));
};

/** `sleep N`: advances the twin's clock only. */
const sleep: Command = (ctx): CmdResult => {
  const arg = ctx.argv[1];
  if (arg === undefined) return { world: ctx.world, out: [{ fd: 2, text: 'sleep: missing operand\nTry \'sleep --help\' for more information.\n' }], status: 1 };
  const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(arg);
  if (!m) return { world: ctx.world, out: [{ fd: 2, text: `sleep: invalid time interval '${arg}'\nTry 'sleep --help' for more information.\n` }], status: 1 };
  const ms = Number(m[1]) * (m[2] === 'm' ? 60000 : 1000);
  return ok({ ...ctx.world, clockMs: ctx.world.clockMs + Math.round(ms) });
};

/** `cat` prints stdin (or files of the twin's filesystem). `cat > f <<EOF` writes via redirection. */
const cat: Command = (ctx): CmdResult => {
  const files = ctx.argv.slice(1);
  if (files.length === 0) return ok(ctx.world, ctx.stdin ?? '');
  let out = '';
  const errs: string[] = [];
  for (const f of files) {
    if (f.startsWith('-')) throw new Unsupported(`cat option '${f}'`);
    const c = ctx.world.files[f];
    if (c === undefined) errs.push(`cat: ${f}: No such file or directory\n`);
    else out += c;
  }
  return {
    world: ctx.world,
    out: [...(out ? [{ fd: 1 as const, text: out }] : []), ...errs.map((t) => ({ fd: 2 as const, text: t }))],
    status: errs.length ? 1 : 0,
  };
};

export const builtins: Record<string, Command> = {
  echo,
  true: (ctx) => ok(ctx.world),
  false: (ctx) => ({ world: ctx.world, out: [], status: 1 }),
  ':': (ctx) => ok(ctx.world),
  sleep,
  cat,
};
