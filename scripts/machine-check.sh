#!/bin/sh
# Basic Linux checks for an XMPP server with many connections (chapter 11.5, after Tigase's
# scripts/machine-check.sh). Reports each setting against the recommended value; with --fix, run as
# root, it adjusts the kernel settings now (sysctl -w) and persists them in /etc/sysctl.d/60-starling.conf,
# and the open-files limits in /etc/security/limits.d/60-starling.conf (used at the next login/session;
# a systemd service sets LimitNOFILE in its unit instead, see etc/starling.service).
#
# usage: scripts/machine-check.sh [--fix] [--user NAME]     (NAME: the account that runs Starling, default: *)
# exit status: 0 all fine (or fixed), 1 something is below the recommendation, 2 usage error
set -u

FIX=0
LIMITS_USER='*'
while [ $# -gt 0 ]; do
  case "$1" in
    --fix) FIX=1 ;;
    --user) shift; LIMITS_USER="${1:?--user needs a name}" ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$FIX" = 1 ] && [ "$(id -u)" != 0 ]; then
  echo "--fix changes kernel settings and limits: run it as root" >&2
  exit 2
fi

SYSCTL_FILE=/etc/sysctl.d/60-starling.conf
LIMITS_FILE=/etc/security/limits.d/60-starling.conf
# Recommended values: files per process, connections waiting in accept queues, local ports for
# outgoing connections, reuse of TIME_WAIT sockets, and keepalive that finds dead peers in minutes.
NOFILE=350000
FAILED=0

ok() { printf '  ok    %-34s %s\n' "$1" "$2"; }
bad() { printf '  LOW   %-34s %s (recommended: %s)\n' "$1" "$2" "$3"; FAILED=1; }

persist_sysctl() {
  key="$1"; value="$2"
  touch "$SYSCTL_FILE"
  grep -v "^$key[ =]" "$SYSCTL_FILE" > "$SYSCTL_FILE.tmp" || true
  echo "$key = $value" >> "$SYSCTL_FILE.tmp"
  mv "$SYSCTL_FILE.tmp" "$SYSCTL_FILE"
}

# check_min KEY MIN: the sysctl must be at least MIN
check_min() {
  key="$1"; want="$2"
  have="$(sysctl -n "$key" 2>/dev/null)" || { printf '  n/a   %-34s (not on this kernel)\n' "$key"; return; }
  if [ "$have" -ge "$want" ]; then ok "$key" "$have"; return; fi
  if [ "$FIX" = 1 ]; then
    sysctl -q -w "$key=$want" && persist_sysctl "$key" "$want" && { printf '  FIXED %-34s %s -> %s\n' "$key" "$have" "$want"; return; }
  fi
  bad "$key" "$have" ">= $want"
}

# check_max KEY MAX: the sysctl must be at most MAX (keepalive timers)
check_max() {
  key="$1"; want="$2"
  have="$(sysctl -n "$key" 2>/dev/null)" || { printf '  n/a   %-34s (not on this kernel)\n' "$key"; return; }
  if [ "$have" -le "$want" ]; then ok "$key" "$have"; return; fi
  if [ "$FIX" = 1 ]; then
    sysctl -q -w "$key=$want" && persist_sysctl "$key" "$want" && { printf '  FIXED %-34s %s -> %s\n' "$key" "$have" "$want"; return; }
  fi
  bad "$key" "$have" "<= $want"
}

check_port_range() {
  key=net.ipv4.ip_local_port_range
  have="$(sysctl -n "$key" 2>/dev/null | tr -s '\t ' '  ')" || return
  low="${have%% *}"; high="${have##* }"
  if [ "$low" -le 1024 ] && [ "$high" -ge 65000 ]; then ok "$key" "$have"; return; fi
  if [ "$FIX" = 1 ]; then
    sysctl -q -w "$key=1024 65000" && persist_sysctl "$key" "1024 65000" && { printf '  FIXED %-34s %s -> 1024 65000\n' "$key" "$have"; return; }
  fi
  bad "$key" "$have" "1024 65000 or wider"
}

check_nofile() {
  soft="$(ulimit -Sn)"; hard="$(ulimit -Hn)"
  for kind in soft hard; do
    eval "have=\$$kind"
    if [ "$have" = unlimited ] || [ "$have" -ge "$NOFILE" ]; then ok "open files ($kind, this shell)" "$have"; continue; fi
    if [ "$FIX" = 1 ]; then
      touch "$LIMITS_FILE"
      grep -v "^$LIMITS_USER[[:space:]]\+$kind[[:space:]]\+nofile" "$LIMITS_FILE" > "$LIMITS_FILE.tmp" || true
      echo "$LIMITS_USER $kind nofile $NOFILE" >> "$LIMITS_FILE.tmp"
      mv "$LIMITS_FILE.tmp" "$LIMITS_FILE"
      printf '  FIXED %-34s %s -> %s in %s (next session)\n' "open files ($kind)" "$have" "$NOFILE" "$LIMITS_FILE"
      continue
    fi
    bad "open files ($kind, this shell)" "$have" ">= $NOFILE"
  done
}

echo "Starling machine check$( [ "$FIX" = 1 ] && echo ' (fixing)')"
echo "open files:"
check_nofile
check_min fs.file-max 360000
echo "listen backlog:"
check_min net.core.somaxconn 4096
check_min net.ipv4.tcp_max_syn_backlog 8192
check_min net.core.netdev_max_backlog 4096
echo "ports and TIME_WAIT:"
check_port_range
check_min net.ipv4.tcp_tw_reuse 1
echo "keepalive (find dead peers in minutes, not hours):"
check_max net.ipv4.tcp_keepalive_time 60
check_max net.ipv4.tcp_keepalive_intvl 90
check_max net.ipv4.tcp_keepalive_probes 3

if [ "$FAILED" = 1 ]; then
  echo "Some settings are below the recommendation: run '$0 --fix' as root (see docs/operations.md)."
  exit 1
fi
echo "All checked settings are fine."
exit 0
