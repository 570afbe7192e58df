#!/usr/bin/env bash
# check-systemd.sh BINARY_PATH
#
# Static checks for the tidingsd systemd integration.  Needs the `systemd`
# package (systemd-analyze, systemd-sysusers) but not a running systemd, and
# no network.  Run as root (systemd-sysusers --root writes into a temp dir,
# which is all it needs root for).
#
#   1. systemd-analyze verify   on a copy of systemd/tidingsd.service whose
#                               ExecStart= points at BINARY_PATH; fails on a
#                               non-zero exit status OR on any output
#                               (unknown keys, bad values etc. are only
#                               printed as warnings, with exit status 0).
#   2. systemd-analyze security --offline=yes on the same copy; fails if the
#                               overall exposure level is above MAX_EXPOSURE.
#   3. systemd-sysusers         applies systemd/tidings.sysusers to an empty
#                               temporary root and checks the resulting
#                               user/group entries.
#
# BINARY_PATH must be an existing executable (verify checks that); until
# tidingsd is built, a copy of /bin/true will do.
#
# Environment overrides: UNIT_FILE, SYSUSERS_FILE, MAX_EXPOSURE (default 2.0).
#
# Exit status: 0 if every check passed, 1 if any failed, 2 on usage errors.

set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname -- "$script_dir")
unit_src=${UNIT_FILE:-$repo_dir/systemd/tidingsd.service}
sysusers_src=${SYSUSERS_FILE:-$repo_dir/systemd/tidings.sysusers}
max_exposure=${MAX_EXPOSURE:-2.0}

usage() {
    echo "usage: $0 BINARY_PATH" >&2
    exit 2
}

[[ $# -eq 1 ]] || usage
[[ -n $1 ]] || usage

for tool in systemd-analyze systemd-sysusers; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: $tool not found (install the systemd package)" >&2
        exit 2
    fi
done
for f in "$unit_src" "$sysusers_src"; do
    if [[ ! -f $f ]]; then
        echo "error: $f not found" >&2
        exit 2
    fi
done
if ! [[ $max_exposure =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    echo "error: MAX_EXPOSURE must be a number, got '$max_exposure'" >&2
    exit 2
fi

# Absolute path without resolving symlinks; the file must exist.
binary=$(realpath -s -e -- "$1" 2>/dev/null) || {
    echo "error: $1 does not exist" >&2
    exit 2
}
# The path is pasted into ExecStart= unquoted and into a sed replacement, so
# refuse anything that would need escaping there (whitespace, quotes,
# backslashes, systemd specifiers '%', variables '$', the sed delimiter ...).
if ! [[ $binary =~ ^/[A-Za-z0-9._/+,:@=-]*$ ]]; then
    echo "error: unsupported characters in binary path: $binary" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-systemd.XXXXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
# Print captured tool output indented, so it is never hidden.
show() { [[ -z $1 ]] || printf '%s\n' "$1" | sed 's/^/      | /'; }

# Keep systemd tools' output plain: no colours, pager, emoji or hyperlinks.
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat SYSTEMD_URLIFY=0 LC_ALL=C.UTF-8

# ---------------------------------------------------------------------------
# Test copy of the unit.  The file keeps its name (the unit name is derived
# from it); only the program path of ExecStart= is replaced, whatever it is
# (/usr/local/bin/tidingsd in the source tree, $(PREFIX)/bin/tidingsd after
# `make install`), keeping any prefix characters such as '-' or '!'.
unit="$tmp/$(basename -- "$unit_src")"
sed -E "s|^(ExecStart=[-@:+!]*)[^[:space:]]+|\\1$binary|" "$unit_src" >"$unit"
n_exec=$(grep -c '^ExecStart=' "$unit" || true)
if [[ $n_exec -ne 1 ]] || ! grep -qxF -- "ExecStart=$binary run --config /etc/tidings/tidingsd.toml" "$unit"; then
    fail "unit copy: expected exactly one ExecStart= line pointing at $binary"
    show "$(grep -n '^ExecStart=' "$unit" || true)"
    exit 1
fi

# ---------------------------------------------------------------------------
# 1. systemd-analyze verify.  No output filtering: without PID 1 and without
#    the tidings user existing, verify on Debian 12 (systemd 252) prints
#    nothing for a correct unit (it does not look up User=/Group=, and it
#    loads the dependencies it needs from /lib/systemd/system), so any line
#    of output is a real finding.  It is run from inside the temp dir so that
#    relative paths cannot pick up anything from the caller's cwd.
if verify_out=$(cd "$tmp" && systemd-analyze --no-pager verify "$unit" 2>&1); then
    verify_rc=0
else
    verify_rc=$?
fi
if [[ $verify_rc -ne 0 ]]; then
    fail "systemd-analyze verify: exit status $verify_rc"
    show "$verify_out"
elif [[ -n $verify_out ]]; then
    fail "systemd-analyze verify: exit status 0 but printed warnings"
    show "$verify_out"
else
    pass "systemd-analyze verify: no errors, no warnings"
fi

# ---------------------------------------------------------------------------
# 2. systemd-analyze security --offline=yes (reads only the unit file).
#    stdout is the table we parse; anything on stderr (unit parse warnings)
#    is shown and counts as a failure, like in the verify step.
sec_err="$tmp/security.stderr"
if sec_out=$(cd "$tmp" && systemd-analyze --no-pager security --offline=yes "$unit" 2>"$sec_err"); then
    sec_rc=0
else
    sec_rc=$?
fi
sec_stderr=$(cat -- "$sec_err")
score=$(printf '%s\n' "$sec_out" |
    sed -nE 's/^.*Overall exposure level for [^:]+: ([0-9]+(\.[0-9]+)?).*$/\1/p' |
    head -n 1)
if [[ $sec_rc -ne 0 ]]; then
    fail "systemd-analyze security: exit status $sec_rc"
    show "$sec_out"
    show "$sec_stderr"
elif [[ -z $score ]]; then
    fail "systemd-analyze security: could not find 'Overall exposure level' in the output"
    show "$sec_out"
    show "$sec_stderr"
elif [[ -n $sec_stderr ]]; then
    fail "systemd-analyze security: exposure $score, but printed warnings"
    show "$sec_stderr"
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s + 0 > m + 0) }'; then
    fail "systemd-analyze security: exposure level $score > $max_exposure"
    # Show the settings that contribute to the score.
    show "$(printf '%s\n' "$sec_out" | grep -E '^✗' || true)"
else
    pass "systemd-analyze security: exposure level $score <= $max_exposure"
fi

# ---------------------------------------------------------------------------
# 3. sysusers fragment: apply it to an empty root (systemd-sysusers --root
#    needs ROOT/etc to exist; it then creates passwd/group/shadow/gshadow
#    there and never touches the real /etc).  A parse error gives a non-zero
#    exit status.  Its normal output is one "Creating group/user ..." line per
#    entry; any other line (warnings) is a failure.
sysroot="$tmp/sysusers-root"
mkdir -p -- "$sysroot/etc"
if su_out=$(systemd-sysusers --root="$sysroot" "$sysusers_src" 2>&1); then
    su_rc=0
else
    su_rc=$?
fi
su_unexpected=$(printf '%s\n' "$su_out" | grep -vE "^(Creating (group|user) '[^']+' .*)?$" || true)
pw=$(grep -E '^tidings:' "$sysroot/etc/passwd" 2>/dev/null || true)
gr=$(grep -E '^tidings:' "$sysroot/etc/group" 2>/dev/null || true)
IFS=: read -r _ _ pw_uid pw_gid _ pw_home pw_shell <<<"$pw" || true
IFS=: read -r _ _ gr_gid _ <<<"$gr" || true
if [[ $su_rc -ne 0 ]]; then
    fail "systemd-sysusers: exit status $su_rc"
    show "$su_out"
elif [[ -n $su_unexpected ]]; then
    fail "systemd-sysusers: unexpected output"
    show "$su_out"
elif [[ -z $pw || -z $gr ]]; then
    fail "systemd-sysusers: user or group 'tidings' was not created"
    show "$su_out"
elif [[ $pw_gid != "$gr_gid" ]]; then
    fail "systemd-sysusers: primary group of 'tidings' is $pw_gid, expected group 'tidings' ($gr_gid)"
    show "$pw"
elif [[ $pw_home != /var/lib/tidings ]]; then
    fail "systemd-sysusers: home of 'tidings' is '$pw_home', expected /var/lib/tidings"
    show "$pw"
elif [[ $pw_uid == 0 || $pw_shell != */nologin ]]; then
    fail "systemd-sysusers: 'tidings' must be a non-root account without a login shell"
    show "$pw"
else
    pass "systemd-sysusers: creates user tidings (uid $pw_uid) and group tidings (gid $gr_gid), home $pw_home"
fi

# ---------------------------------------------------------------------------
if [[ $failures -ne 0 ]]; then
    echo "RESULT: $failures check(s) failed"
    exit 1
fi
echo "RESULT: all checks passed"
