# tests/lab/segments.sh: more than one link-local segment in the lab.
#
# Sourced after lab.sh (and lab_init). Every host starts on the segment
# "mesh", the bridge lab_init made. lab_add_segment makes another bridge, a
# second L2 segment that shares no frame with the first: mDNS and streams
# reach only the hosts on the same one. lab_move takes a host's mesh veth off
# its bridge and plugs it into another, as a passenger steps off a train onto
# a platform: the host keeps its addresses (still 169.254.1.N and its fe80::),
# and its own avahi-daemon sees the link drop and come back (the carrier
# goes, IFF_RUNNING with it), forgets the neighbours of the old segment and
# finds those of the new one. Nobody on the old segment hears a goodbye: their
# avahi-daemons keep the host's records until these time out, as they would
# for a phone that left.
#
#     . tests/lab/lab.sh
#     . tests/lab/segments.sh
#     lab_init
#     lab_add_segment platform
#     lab_add_host a; lab_add_host b
#     lab_move b platform      # b and a no longer see each other
#     lab_segment b            # prints "platform"

# _lab_segment_port NAME: the bridge port of host NAME's mesh veth.
_lab_segment_port() {
    local idx
    idx=$(_lab_index "$1") || exit 1
    printf 'm%s' "$idx"
}

# lab_add_segment NAME: a new bridge NAME (a-z, 0-9, at most 12 characters;
# not "mesh" or "uplink") in the bridge namespace, set up like "mesh": no
# STP, no forwarding delay, no multicast snooping.
lab_add_segment() {
    local name br
    name=${1:-}
    _lab_need_init
    case $name in
        ''|*[!a-z0-9]*) _lab_die "bad segment name '$name' (use a-z, 0-9)" ;;
        mesh|uplink) _lab_die "segment '$name' is the lab's own" ;;
    esac
    [ ${#name} -le 12 ] || _lab_die "segment name '$name' is too long"
    br=$(_lab_bridge_ns)
    ! ip -n "$br" link show "$name" >/dev/null 2>&1 || _lab_die "segment '$name' exists already"
    ip -n "$br" link add "$name" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
        _lab_die "cannot create segment $name"
    ip -n "$br" link set "$name" up || _lab_die "cannot bring segment $name up"
}

# lab_segment HOST: prints the segment HOST's mesh veth is plugged into.
lab_segment() {
    local port
    port=$(_lab_segment_port "${1:-}") || exit 1
    ip -n "$(_lab_bridge_ns)" -o link show "$port" |
        sed -n 's/.* master \([^ ]*\) .*/\1/p'
}

# lab_move HOST SEGMENT: unplugs HOST from its segment and plugs it into
# SEGMENT ("mesh" or one lab_add_segment made). Returns once the host's end
# has its carrier again and its avahi-daemon is running; the neighbours of
# the new segment appear to it within a second or two (mDNS probing and
# announcing), as it does to them.
# _lab_wait_mesh HOST TEXT WHAT: waits up to 5 s until HOST's mesh0 shows
# TEXT in `ip link`; else dies saying its mesh0 WHAT.
_lab_wait_mesh() {
    local i=0
    until ip -n "$(_lab_ns "$1")" -o link show mesh0 | grep -q "$2"; do
        [ $i -lt 100 ] || _lab_die "mesh0 of $1 $3 after 5 s"
        sleep 0.05
        i=$((i + 1))
    done
}

lab_move() {
    local host seg br port d
    host=${1:-}
    seg=${2:-}
    port=$(_lab_segment_port "$host") || exit 1
    br=$(_lab_bridge_ns)
    ip -n "$br" link show "$seg" type bridge >/dev/null 2>&1 || _lab_die "no segment '$seg'"
    [ "$(lab_segment "$host")" != "$seg" ] || _lab_die "host $host is on segment $seg already"
    # Down first, so that the host sees its link go (carrier lost), as when
    # leaving the train: frames in flight are lost with it.
    ip -n "$br" link set "$port" down || _lab_die "cannot unplug $host"
    # The kernel tells of a carrier change later (linkwatch), from the state
    # the link is in by then: a loss undone before that is never told, and
    # the host's avahi-daemon would keep what it learnt on the old segment.
    _lab_wait_mesh "$host" 'NO-CARRIER' "still has a carrier"
    ip -n "$br" link set "$port" master "$seg" || _lab_die "cannot plug $host into $seg"
    ip -n "$br" link set "$port" up || _lab_die "cannot bring $host's port up on $seg"
    _lab_wait_mesh "$host" 'state UP' "has no carrier on $seg"
    d=$(_lab_host_dir "$host") || exit 1
    [ -f "$d/avahi.pid" ] && lab_wait_avahi "$host"
    return 0
}
