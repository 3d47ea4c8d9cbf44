# bash completion for pigeonctl(1)
# Completes commands and options; message ids, JIDs and text are left alone.

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

    # Find the command already typed, skipping options and the value of
    # --runtime-dir; after '--' no more options are recognised.
    local i word command="" dashes=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -z $dashes ]]; then
            case $word in
                --) dashes=1; continue ;;
                --runtime-dir)
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then ((i += 2)); else ((i++)); fi
                    continue ;;
                -*) continue ;;
            esac
        fi
        [[ -z $command ]] && command=$word
    done

    if [[ $cur == -* && -z $dashes ]]; then
        mapfile -t COMPREPLY < <(compgen -W "--json --runtime-dir --help --version" -- "$cur")
    elif [[ -z $command ]]; then
        mapfile -t COMPREPLY < <(compgen -W "send outbox carrying inbox show search status" -- "$cur")
    fi
    return 0
}

complete -F _pigeonctl pigeonctl
