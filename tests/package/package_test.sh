#!/usr/bin/env bash
# The Debian package (issue 23), three steps run by ctest:
#   package_test.sh build BUILD_DIR            cmake --build BUILD_DIR --target package
#   package_test.sh contents BUILD_DIR SOURCE  what is in it: files, control, conffiles,
#                                              maintainer scripts, man page, the unit
#                                              (systemd-analyze verify and security)
#   package_test.sh install BUILD_DIR SOURCE   dpkg -x into a scratch root, the maintainer
#                                              scripts against it (DPKG_ROOT), the
#                                              installed node started as the signalnode
#                                              user under strace: /healthz, a signal,
#                                              SIGTERM; what it did checked against the
#                                              unit's restrictions; the upgrade backup
#                                              and its refusal; remove and purge.
# Exit 77 (skipped) only where dpkg-deb is missing (install: also without root).
set -euo pipefail
step=${1:?usage: package_test.sh build|contents|install BUILD_DIR [SOURCE_DIR]}
build=$(cd "${2:?build dir}" && pwd)
source_dir=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb is missing"; exit 77; }

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "no project version in $build/CMakeCache.txt"
arch=$(dpkg --print-architecture)
deb="$build/signalnode_${version}_${arch}.deb"

if [ "$step" = build ]; then
  rm -f "$deb"
  cmake --build "$build" --target package >"$build/package-build.log" 2>&1 || { tail -30 "$build/package-build.log"; fail "cpack failed"; }
  [ -f "$deb" ] || fail "cpack wrote no $deb"
  echo "built $(basename "$deb"): $(stat -c %s "$deb") bytes"
  exit 0
fi
[ -f "$deb" ] || fail "$deb is missing (the package_build test makes it)"
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if [ "$step" = contents ]; then
  dpkg-deb -I "$deb" >"$work/info"
  dpkg-deb -f "$deb" Package | grep -qx signalnode || fail "Package is not signalnode"
  dpkg-deb -f "$deb" Version | grep -qx "$version" || fail "Version is not $version"
  dpkg-deb -f "$deb" Architecture | grep -qx "$arch" || fail "Architecture is not $arch"
  depends=$(dpkg-deb -f "$deb" Depends)
  for lib in libc6 libssl3 libsodium23 libsqlite3-0 libcurl4 passwd; do
    grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
  done
  dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' >"$work/list"
  expect() {  # expect PATH MODE
    grep -q "^$2 root/root \./${1#/}$" "$work/list" || fail "$1 ($2 root/root) is not in the package: $(grep -F "${1#/}" "$work/list" || echo absent)"
  }
  expect /usr/bin/signalnode -rwxr-xr-x
  expect /usr/lib/systemd/system/signalnode.service -rw-r--r--
  expect /etc/signalnode/signalnode.env -rw-r--r--
  expect /usr/share/man/man1/signalnode.1.gz -rw-r--r--
  expect /usr/share/doc/signalnode/copyright -rw-r--r--
  expect /usr/share/doc/signalnode/changelog.gz -rw-r--r--
  expect /usr/share/doc/signalnode/operations.md -rw-r--r--
  expect /usr/share/doc/signalnode/backup.md -rw-r--r--
  expect /usr/share/doc/signalnode/README.md -rw-r--r--
  expect /usr/share/signalnode/monitoring/signalnode.rules.yml -rw-r--r--
  expect /usr/share/signalnode/monitoring/signalnode-dashboard.json -rw-r--r--
  # Nothing else: no file outside these places, nothing under /var (made by postinst).
  stray=$(awk '$1 !~ /^d/ {print $3}' "$work/list" | grep -vE '^\./(usr/bin/signalnode|usr/lib/systemd/system/signalnode\.service|etc/signalnode/signalnode\.env|usr/share/man/man1/signalnode\.1\.gz|usr/share/doc/signalnode/[A-Za-z0-9._-]+|usr/share/signalnode/monitoring/[a-z.-]+)$' || true)
  [ -z "$stray" ] || fail "unexpected files in the package: $stray"
  mkdir "$work/control" "$work/root"
  dpkg-deb -e "$deb" "$work/control"
  dpkg-deb -x "$deb" "$work/root"
  grep -qx /etc/signalnode/signalnode.env "$work/control/conffiles" || fail "signalnode.env is not a conffile"
  for s in preinst postinst prerm postrm; do
    [ "$(stat -c %a "$work/control/$s")" = 755 ] || fail "$s is not 0755"
    sh -n "$work/control/$s" || fail "$s is not valid sh"
  done
  # Stripped: no debug sections in the shipped binary.
  if readelf -S "$work/root/usr/bin/signalnode" | grep -q '\.debug_info'; then fail "the binary is not stripped"; fi
  "$work/root/usr/bin/signalnode" --version | grep -qx "signalnode $version" || fail "the packaged binary is not $version"
  # The man page names every command --help lists, and is well-formed roff.
  zcat "$work/root/usr/share/man/man1/signalnode.1.gz" >"$work/signalnode.1"
  grep -q "signalnode $version" "$work/signalnode.1" || fail "the man page does not carry the version"
  "$work/root/usr/bin/signalnode" --help >"$work/help"
  commands=$(awk 'toupper($0) ~ /^SUBCOMMANDS:/ {on=1; next} on && /^  [a-z]/ {print $1}' "$work/help")
  [ -n "$commands" ] || fail "no commands in --help: $(cat "$work/help")"
  for c in $commands; do
    grep -q "^\.B $c\b" "$work/signalnode.1" || fail "the man page lacks '$c'"
    subs=$("$work/root/usr/bin/signalnode" "$c" --help | awk 'toupper($0) ~ /^SUBCOMMANDS:/ {on=1; next} on && /^  [a-z]/ {print $1}')
    for s in $subs; do
      grep -q "^\.B $c $(sed 's/-/\\\\-/g' <<<"$s")\b" "$work/signalnode.1" || fail "the man page lacks '$c $s'"
    done
  done
  if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$work/signalnode.1" 2>"$work/man.err" >/dev/null || fail "man cannot format the page"
    [ ! -s "$work/man.err" ] || fail "man warns: $(cat "$work/man.err")"
  fi
  # The unit: well-formed, every binary it names there, and well hardened.
  unit="$work/root/usr/lib/systemd/system/signalnode.service"
  if command -v systemd-analyze >/dev/null; then
    sed "s|/usr/bin/signalnode|$work/root/usr/bin/signalnode|" "$unit" >"$work/signalnode.service"
    systemd-analyze verify --man=no "$work/signalnode.service" >"$work/verify" 2>&1 ||
      fail "systemd-analyze verify: $(cat "$work/verify")"
    grep -v 'Unit sysinit.target not found\|^$' "$work/verify" | grep . && fail "systemd-analyze verify warns"
    systemd-analyze security --offline=yes --root="$work/root" --threshold=20 signalnode.service >"$work/security" 2>&1 ||
      fail "systemd-analyze security: $(tail -3 "$work/security")"
    score=$(grep -o 'Overall exposure level for signalnode.service: [0-9.]*' "$work/security" | awk '{print $NF}')
    echo "systemd-analyze security: exposure $score"
    awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure $score is above 2.0: $(grep '✗' "$work/security")"
    if [ -n "$source_dir" ]; then
      grep -q "exposure level $score" "$source_dir/docs/operations.md" || fail "docs/operations.md does not record the exposure $score"
    fi
  else
    echo "note: systemd-analyze missing; the unit was not verified"
  fi
  grep -q '^TimeoutStopSec=330$' "$unit" || fail "TimeoutStopSec is not above the largest shutdown grace (300 s)"
  echo "package contents ok: $(wc -l <"$work/list") entries"
  exit 0
fi

[ "$step" = install ] || fail "unknown step $step"
[ "$(id -u)" = 0 ] || { echo "SKIP: the scratch-root install needs root (chown to the service user)"; exit 77; }
root="$work/root"
chmod 0755 "$work"   # the service user walks down to its folder
dpkg-deb -x "$deb" "$root"
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'root:*:20000:0:99999:7:::\n' >"$root/etc/shadow"
printf 'root:*::\n' >"$root/etc/gshadow"
chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
export DPKG_ROOT="$root"
script() { sh "$work/control/$1" "${@:2}"; }

# First install, then configure again (idempotent).
script preinst install
script postinst configure >"$work/postinst.out"
grep -q 'runuser -u signalnode -- signalnode init --dir /var/lib/signalnode' "$work/postinst.out" ||
  fail "postinst does not say how to create the node"
script postinst configure >/dev/null
[ "$(grep -c '^signalnode:' "$root/etc/passwd")" = 1 ] || fail "not exactly one signalnode user"
ids=$(awk -F: '$1 == "signalnode" {print $3 ":" $4}' "$root/etc/passwd")
uid=${ids%:*}
gid=${ids#*:}
awk -F: '$1 == "signalnode" { exit !($3 < 1000 && $7 == "/usr/sbin/nologin" && $6 == "/var/lib/signalnode") }' \
  "$root/etc/passwd" || fail "signalnode is not a system user without a shell: $(grep ^signalnode: "$root/etc/passwd")"
for d in var/lib/signalnode var/log/signalnode var/backups/signalnode; do
  [ "$(stat -c '%a %u:%g' "$root/$d")" = "700 $ids" ] || fail "/$d is $(stat -c '%a %u:%g' "$root/$d"), not 700 $ids"
done
[ "$(stat -c '%a %u' "$root/etc/signalnode")" = "755 0" ] || fail "/etc/signalnode is not 755 root"

# The node, as the service runs it: its user, its folder, umask 0077.
state="$root/var/lib/signalnode"
as_node() { (umask 0077; setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all -- "$@"); }
bin="$root/usr/bin/signalnode"
as_node "$bin" init --dir "$state" --org gemeente-pakket --role municipality --oin 00000001002220647000 \
  --api-port 0 >/dev/null
token=$(as_node "$bin" token create --dir "$state" --role officer --label package-test)
tracer=()
if command -v strace >/dev/null; then
  tracer=(strace -f -qq -o "$work/trace")
else
  echo "note: strace missing; the node's system calls were not checked against the unit"
fi
serve_node() {
  (umask 0077; exec "${tracer[@]}" setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all -- \
    env JOURNAL_STREAM= TZ=Europe/Amsterdam "$bin" serve --dir "$state" --port 0) >"$work/serve.out" 2>"$work/serve.err" &
  pid=$!
  for _ in $(seq 150); do grep -qs 'serving https://' "$work/serve.out" && break; sleep 0.1; done
  url=$(grep -o 'https://[0-9.:]*' "$work/serve.out" | head -1) || fail "the installed node did not start: $(cat "$work/serve.err")"
}
serve_node
curl -fsS --cacert "$state/tls/api.crt" "$url/healthz" >"$work/healthz" || fail "/healthz did not answer"
grep -q '"status":"ok"' "$work/healthz" || fail "/healthz: $(cat "$work/healthz")"
cat >"$work/signal.json" <<'JSON'
{"category":"labour.debt_bondage","observedOn":"2026-01-10","subjects":[{"kind":"organisation","kvk":"12345678"}]}
JSON
"$bin" submit --api "$url" --ca "$state/tls/api.crt" --token "$token" --file "$work/signal.json" >/dev/null ||
  fail "a signal was not accepted"
# SIGTERM to the node itself (under strace, the tracer's child; strace exits with its status).
node_pid=$pid
[ ${#tracer[@]} -eq 0 ] || node_pid=$(ps --ppid "$pid" -o pid= | tr -d ' ')
kill -TERM "$node_pid"
wait "$pid" || fail "the node did not exit 0 after SIGTERM: $(tail -5 "$work/serve.err")"
pid=""
grep -q '"event":"node.stopped"' "$work/serve.err" || fail "no node.stopped in the log"

if [ ${#tracer[@]} -gt 0 ]; then
  # What the node did, against the unit: system calls in @system-service but
  # not @privileged or @resources, only AF_INET/AF_INET6/AF_UNIX sockets, no
  # memory both writable and executable, no new namespaces or personality,
  # and files written only in its folder (and the private /tmp).
  python3 - "$work/trace" "$state" <<'PY' || fail "the node did something its unit forbids"
import re, subprocess, sys
trace, state = sys.argv[1], sys.argv[2]
groups, name = {}, None
for line in subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout.splitlines():
    s = line.strip()
    if not s or s.startswith("#"):
        continue
    if not line.startswith(" "):
        name = s; groups[name] = []
    else:
        groups[name].append(s)
def expand(g, seen=None):
    out = set()
    for m in groups.get(g, []):
        out |= expand(m) if m.startswith("@") else {m}
    return out
allowed = expand("@system-service") - expand("@privileged") - expand("@resources")
calls, families, written, bad = set(), set(), set(), []
text = open(trace).read().splitlines()
started = False
for line in text:
    m = re.match(r"^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]", line)
    if not m:
        continue
    call = m.group(1)
    if call == "execve" and "/signalnode" in line:
        started = True   # before this it is setpriv dropping privileges, not the node
    if not started:
        continue
    calls.add(call)
    f = re.match(r"^\d+\s+socket\((AF_[A-Z0-9]+)", line)
    if f:
        families.add(f.group(1))
    if re.search(r"PROT_WRITE\|PROT_EXEC|PROT_READ\|PROT_WRITE\|PROT_EXEC", line):
        bad.append("writable and executable memory: " + line)
    if "CLONE_NEW" in line or re.match(r"^\d+\s+(unshare|setns|personality)\(", line):
        bad.append("namespace or personality: " + line)
    p = re.match(r'^\d+\s+(?:openat|open|creat|mkdir|mkdirat|rename|renameat2?|unlink|unlinkat|truncate)\((?:AT_FDCWD, |\d+, )?"([^"]+)"(.*)', line)
    if p and (not call.startswith("open") or re.search(r"O_WRONLY|O_RDWR|O_CREAT", p.group(2))) and "ENOENT" not in p.group(2):
        written.add(p.group(1))
    if p:
        path = p.group(1)
        # ProcSubset=pid, PrivateDevices and ProtectHome hide everything else there.
        # glibc's malloc reads overcommit_memory when an arena may shrink, at
        # times, and takes its default when the file is hidden: not a need.
        if path.startswith("/proc/") and not re.match(r"/proc/(self|thread-self|\d+)(/|$)", path) \
                and path != "/proc/sys/vm/overcommit_memory":
            bad.append("reads /proc beyond its own process: " + line)
        if path.startswith("/dev/") and path not in ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"):
            bad.append("opens a device PrivateDevices hides: " + line)
        if path.startswith(("/home/", "/root/", "/run/user/")):
            bad.append("reaches into home folders: " + line)
unknown = sorted(c for c in calls if c not in allowed and c != "exit_group")
if unknown:
    bad.append("system calls outside the filter: " + ", ".join(unknown))
if families - {"AF_INET", "AF_INET6", "AF_UNIX"}:
    bad.append("socket families outside the unit's: " + ", ".join(sorted(families)))
outside = sorted(w for w in written if not (w.startswith(state + "/") or w == state or w.startswith("/tmp/")
                                            or w.startswith("/var/tmp/") or w == "/dev/null"))
if outside:
    bad.append("written outside the node folder: " + ", ".join(outside))
print(f"traced: {len(calls)} distinct system calls, families {sorted(families)}, {len(written)} paths written, all in the node folder" if not bad else "")
for b in bad[:20]:
    print("FORBIDDEN:", b)
sys.exit(1 if bad else 0)
PY
fi
# Files the node made are its own; keys, private keys and the database private.
loose=$(find "$state" ! -user "$uid" -printf '%m %u %P\n')
[ -z "$loose" ] || fail "files in the node folder not owned by signalnode: $loose"
loose=$(find "$state/keys" "$state/tls/api.key" "$state"/signalnode.db* -perm /077 -printf '%m %P\n')
[ -z "$loose" ] || fail "secrets in the node folder readable by others: $loose"

# An upgrade: the installed binary backs the node up first, as the node's user.
script preinst upgrade 0.0.9 >"$work/preinst.out" || fail "preinst upgrade failed: $(cat "$work/preinst.out")"
backup=$(find "$root/var/backups/signalnode" -name 'signalnode-0.0.9-before-upgrade-*.snbackup')
[ -n "$backup" ] || fail "no backup before the upgrade: $(cat "$work/preinst.out")"
[ "$(stat -c '%a %u' "$backup")" = "600 $uid" ] || fail "the upgrade backup is $(stat -c '%a %u' "$backup")"
grep -q "backup taken first: /var/backups\|backup taken first: $root/var/backups" "$work/preinst.out" ||
  fail "preinst does not say where the backup is"
# ... and refuses the upgrade, changing nothing, when the database fails its check.
python3 - "$state/signalnode.db" <<'PY'
import sqlite3, sys
db = sys.argv[1]
con = sqlite3.connect(db)
page = con.execute("PRAGMA page_size").fetchone()[0]
root = con.execute("SELECT rootpage FROM sqlite_schema WHERE type='index' AND name NOT LIKE 'sqlite_%' ORDER BY rootpage DESC LIMIT 1").fetchone()[0]
con.close()
with open(db, "r+b") as f:
    f.seek((root - 1) * page)
    f.write(b"\x7f" * 16)
PY
sum_before=$(sha256sum "$state/signalnode.db")
if script preinst upgrade 0.0.9 >"$work/refused.out" 2>&1; then fail "an upgrade over a damaged database was not refused"; fi
grep -q 'de upgrade is geweigerd' "$work/refused.out" || fail "the refusal is not in Dutch: $(cat "$work/refused.out")"
grep -q 'the upgrade was refused' "$work/refused.out" || fail "the refusal has no English: $(cat "$work/refused.out")"
grep -q 'quick_check' "$work/refused.out" || fail "the refusal does not say why: $(cat "$work/refused.out")"
[ "$(sha256sum "$state/signalnode.db")" = "$sum_before" ] || fail "the refused upgrade changed the database"
[ "$(find "$root/var/backups/signalnode" -name '*.snbackup' | wc -l)" = 1 ] || fail "a failed backup left a file"

# Remove keeps the node; purge deletes the folder and the logs, keeps the backups and the user.
script prerm remove
script postrm remove
[ -f "$state/node.json" ] || fail "remove deleted the node"
script postrm purge >"$work/purge.out"
[ ! -e "$state" ] && [ ! -e "$root/var/log/signalnode" ] || fail "purge left the node folder or the logs"
[ -f "$backup" ] || fail "purge deleted the backups"
grep -q '^signalnode:' "$root/etc/passwd" || fail "purge removed the user"
echo "package install ok: user $ids, node served /healthz and a signal, stopped on SIGTERM; upgrade backup $(stat -c %s "$backup") bytes"
