/**
 * Shell completion scripts generated from the registered commands and their options, so a new
 * command completes without touching this file. Static scripts: completing never starts node.
 */
export interface CommandSpec {
  name: string
  summary: string
  options: string[]
}

const q = (text: string) => text.replace(/'/g, "'\\''")

export function bashScript(commands: readonly CommandSpec[], globals: readonly string[]): string {
  const cases = commands
    .map((c) => `    ${c.name}) opts='${[...c.options, ...globals].join(' ')}' ;;`)
    .join('\n')
  return `# polysecret bash completion — add to ~/.bashrc:  source <(polysecret completion bash)
_polysecret() {
  local cur cmd opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -c|--config) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W '${globals.join(' ')}' -- "$cur"))
    else
      COMPREPLY=($(compgen -W '${commands.map((c) => c.name).join(' ')}' -- "$cur"))
    fi
    return
  fi
  case "$cmd" in
${cases}
    *) opts='${globals.join(' ')}' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _polysecret polysecret
`
}

export function zshScript(commands: readonly CommandSpec[], globals: readonly string[]): string {
  const described = commands.map((c) => `    '${c.name}:${q(c.summary).replace(/:/g, '\\:')}'`).join('\n')
  const cases = commands
    .map((c) => `      ${c.name}) opts=(${[...c.options, ...globals].map((o) => `'${o}'`).join(' ')}) ;;`)
    .join('\n')
  return `#compdef polysecret
# polysecret zsh completion — add to ~/.zshrc:  source <(polysecret completion zsh)
_polysecret() {
  local -a commands opts
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'polysecret command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
      *) opts=(${globals.map((o) => `'${o}'`).join(' ')}) ;;
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -a opts
  else
    _files
  fi
}
if [[ "\${funcstack[1]}" == _polysecret ]]; then
  _polysecret "$@"
else
  compdef _polysecret polysecret
fi
`
}

export function fishScript(commands: readonly CommandSpec[], globals: readonly string[]): string {
  const lines = [
    '# polysecret fish completion — save as ~/.config/fish/completions/polysecret.fish',
    '#   polysecret completion fish > ~/.config/fish/completions/polysecret.fish',
    'complete -c polysecret -f',
  ]
  for (const c of commands)
    lines.push(`complete -c polysecret -n __fish_use_subcommand -a ${c.name} -d '${q(c.summary)}'`)
  const long = (o: string) => o.replace(/^--/, '')
  for (const o of globals.filter((g) => g.startsWith('--')))
    lines.push(`complete -c polysecret -l ${long(o)}`)
  for (const c of commands)
    for (const o of c.options.filter((x) => x.startsWith('--')))
      lines.push(`complete -c polysecret -n '__fish_seen_subcommand_from ${c.name}' -l ${long(o)}`)
  return `${lines.join('\n')}\n`
}
