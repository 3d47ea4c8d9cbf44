# bash completion for pigeonctl(1)
# Completes commands, subcommands and options; message ids, JIDs and text are
# left alone.

_pigeonctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev="" prev2=""
    ((COMP_CWORD >= 1)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    ((COMP_CWORD >= 2)) && prev2=${COMP_WORDS[COMP_CWORD - 2]}
    COMPREPLY=()

    # The directory after --runtime-dir, as the next word or after '='
    # (bash usually splits "--runtime-dir=DIR" into three words at the '=').
    local dir_word=""
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

    # The number after --limit, the URL after --bosh-url: nothing to offer.
    if [[ $prev == --limit || ($prev == = && $prev2 == --limit) || $cur == --limit=* ||
          $prev == --bosh-url || ($prev == = && $prev2 == --bosh-url) || $cur == --bosh-url=* ]]; then
        return 0
    fi

    # Find the command and its arguments already typed, skipping options and
    # the values of --runtime-dir, --limit and --bosh-url; after '--' no more options are
    # recognised.
    local i word command="" dashes=""
    local -a args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -z $dashes ]]; then
            case $word in
                --) dashes=1; continue ;;
                --runtime-dir | --limit | --bosh-url | --timeout)
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then ((i += 2)); else ((i++)); fi
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
        words="--json --log --limit --bosh-url --wait --timeout --runtime-dir --help --version"
    elif [[ -z $command ]]; then
        words="send outbox carrying inbox show search status peers presence account contacts watch"
    elif ((${#args[@]} == 0)); then
        case $command in
            account) words="register passwd set" ;;
            contacts) words="add" ;;
            presence) words="avail away dnd" ;;
        esac
    fi
    [[ -n $words ]] && mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    return 0
}

complete -F _pigeonctl pigeonctl
