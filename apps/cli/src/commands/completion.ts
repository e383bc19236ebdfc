import type { Command } from 'commander';
import { CliError } from '../output';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[] = []): Node[] {
  const node: Node = {
    path,
    subcommands: cmd.commands.map((c) => c.name()),
    options: cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x))).concat('--help'),
  };
  return [node, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

/** `mp completion bash|zsh|fish`: a completion script generated from the command tree, so it never drifts. */
export function completionScript(program: Command, shell: string): string {
  const nodes = walk(program);
  const globals = program.options.flatMap((o) => [o.long].filter((x): x is string => Boolean(x)));
  const words = (n: Node) => [...n.subcommands, ...n.options, ...(n.path.length ? globals : [])].join(' ');
  if (shell === 'bash' || shell === 'zsh') {
    const cases = nodes.map((n) => `    "${n.path.join(' ')}") words="${words(n)}" ;;`).join('\n');
    return `# mp completion for ${shell}: add \`source <(mp completion ${shell})\` to your ~/.${shell}rc
${shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : ''}_mp_complete() {
  local cur path="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${nodes
  .filter((n) => n.path.length)
  .map((n) => `      "${n.path.join(' ')}") path="${n.path.join(' ')}" ;;`)
  .join('\n')}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _mp_complete mp
`;
  }
  if (shell === 'fish') {
    const lines = [
      '# mp completion for fish: mp completion fish > ~/.config/fish/completions/mp.fish',
      'complete -c mp -f',
    ];
    for (const n of nodes) {
      const condition = n.path.length
        ? `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`
        : '__fish_use_subcommand';
      for (const sub of n.subcommands) lines.push(`complete -c mp -n '${condition}' -a ${sub}`);
      for (const opt of n.options.filter((o) => o.startsWith('--'))) {
        lines.push(`complete -c mp -n '${condition}' -l ${opt.slice(2)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
  throw new CliError(`shell must be bash, zsh or fish (got "${shell}")`, 2);
}
