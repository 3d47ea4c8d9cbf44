# bash completion for pigeonctl(1)
# Completes commands, subcommands and options; contacts' JIDs after send and
# contacts add, message ids after show, and neighbours after peers
# forget-pin, asked of the running pigeond
# (quietly: nothing when none answers); text is left alone.

# _pigeonctl_ask PIGEONCTL RUNTIME-DIR jids|ids|instances: what the daemon
# knows, one a line: our contacts and those who wrote to us, every message
# id, or every neighbour seen.
_pigeonctl_ask()
{
    local ctl=$1 what=$3
    local -a options=() limit=()
    [[ -n $2 ]] && options=(--runtime-dir "$2")
    command -v timeout >/dev/null && limit=(timeout 2) # a stuck daemon must not hang the shell
    if [[ $what == instances ]]; then
        "${limit[@]}" "$ctl" "${options[@]}" peers --json 2>/dev/null |
            sed -n 's/^ *"instance": "\([^"\\]*\)",\{0,1\}$/\1/p'
    elif [[ $what == jids ]]; then
        { "${limit[@]}" "$ctl" "${options[@]}" contacts --json
          "${limit[@]}" "$ctl" "${options[@]}" inbox --json; } 2>/dev/null |
            sed -n 's/^ *"\(jid\|from\)": "\([^"\\]*\)",\{0,1\}$/\2/p' | sort -u
    else
        local box
        for box in outbox inbox carrying; do
            "${limit[@]}" "$ctl" "${options[@]}" "$box" --json 2>/dev/null
        done | sed -n 's/^ *"id": "\([0-9a-f-]*\)",\{0,1\}$/\1/p'
    fi
}

_pigeonctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev="" prev2=""
    ((COMP_CWORD >= 1)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    ((COMP_CWORD >= 2)) && prev2=${COMP_WORDS[COMP_CWORD - 2]}
    COMPREPLY=()

    # The directory after --runtime-dir, as the next word or after '='
    # (bash usually splits "--runtime-dir=DIR" into three words at the '=').
    local dir_word="" runtime_dir=""
    if [[ $prev == --runtime-dir ]]; then
        dir_word=$cur
        [[ $cur == = ]] && dir_word=""
    elif [[ $prev == = && $prev2 == --runtime-dir ]]; then
        dir_word=$cur
    elif [[ $cur == --runtime-dir=* ]]; then
        dir_word=${cur#--runtime-dir=}
    else
        dir_word=-
    fi
    if [[ $dir_word != - ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$dir_word")
        return 0
    fi

    # The number after --limit or --timeout, the URL after --bosh-url, the cursor
    # after --before, the duration after --expires: nothing to offer.
    if [[ $prev == --limit || ($prev == = && $prev2 == --limit) || $cur == --limit=* ||
          $prev == --before || ($prev == = && $prev2 == --before) || $cur == --before=* ||
          $prev == --timeout || ($prev == = && $prev2 == --timeout) || $cur == --timeout=* ||
          $prev == --expires || ($prev == = && $prev2 == --expires) || $cur == --expires=* ||
          $prev == --bosh-url || ($prev == = && $prev2 == --bosh-url) || $cur == --bosh-url=* ]]; then
        return 0
    fi
    # The state after --wait= (or --wait, which takes one as its next word).
    if [[ ($prev == = && $prev2 == --wait) || ($prev == --wait && $cur == =) ]]; then
        [[ $cur == = ]] && cur=""
        mapfile -t COMPREPLY < <(compgen -W "carried sent delivered" -- "$cur")
        return 0
    fi

    # Find the command and its arguments already typed, skipping options and
    # the values of --runtime-dir, --limit, --before and --bosh-url; after '--' no more options are
    # recognised.
    local i word command="" dashes=""
    local -a args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -z $dashes ]]; then
            case $word in
                --) dashes=1; continue ;;
                --runtime-dir | --limit | --before | --bosh-url | --timeout | --expires)
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then ((i += 2)); else ((i++)); fi
                    [[ $word == --runtime-dir ]] && runtime_dir=${COMP_WORDS[i]}
                    continue ;;
                --wait) # its value is optional: skip only a state
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then
                        ((i += 2))
                    elif [[ ${COMP_WORDS[i + 1]} =~ ^(carried|sent|delivered)$ ]]; then
                        ((i++))
                    fi
                    continue ;;
                -*) continue ;;
            esac
        fi
        if [[ -z $command ]]; then
            command=$word
        else
            args+=("$word")
        fi
    done

    local words=""
    if [[ $cur == -* && -z $dashes ]]; then
        words="--json --log --limit --before --bosh-url --expires --wait --timeout --runtime-dir --help --version"
    elif [[ -z $command ]]; then
        words="send outbox carrying inbox show search status peers presence account contacts watch"
    elif ((${#args[@]} == 0)); then
        case $command in
            account) words="register passwd set" ;;
            contacts) words="add" ;;
            peers) words="forget-pin" ;;
            presence) words="avail away dnd" ;;
        esac
    fi
    [[ -n $words ]] && mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    [[ -n $words || $cur == -* ]] && return 0

    # What only the running daemon knows: JIDs to write to, ids to show.
    local ask=""
    case "$command/${#args[@]}/${args[0]:-}" in
        send/0/) ask=jids ;;
        contacts/1/add) ask=jids ;;
        show/0/) ask=ids ;;
        peers/1/forget-pin) ask=instances ;;
    esac
    [[ -n $ask ]] &&
        mapfile -t COMPREPLY < <(compgen -W "$(_pigeonctl_ask "${COMP_WORDS[0]}" "$runtime_dir" "$ask")" -- "$cur")
    return 0
}

complete -F _pigeonctl pigeonctl
