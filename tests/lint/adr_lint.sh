#!/usr/bin/env bash
# The NL API Design Rules linter, as a partner's architect runs it: Logius'
# Spectral ruleset (media/linter.yaml of Logius-standaarden/API-Design-Rules,
# at a pinned commit, its SHA-256 checked) over the OpenAPI document that a
# running node SERVES at /openapi.json. Fails on any error or warning. Also
# checks that the served answer carries API-Version.
#
#   adr_lint.sh path/to/signalnode [CACHE_DIR]
#
# Tools: @stoplight/spectral-cli from npm, exact versions in package-lock.json,
# installed here with `npm ci` (idempotent: only when missing or different;
# install scripts are not run). The ruleset is fetched from GitHub at the
# pinned commit; without access to GitHub, set SN_ADR_RULESET_GIT to a clone
# of the repository (the same commit and hash are checked). When neither tools
# nor ruleset can be had the test is skipped (exit 77), unless
# SN_LINT_REQUIRED=1 (CI), where that fails.
set -euo pipefail
bin=${1:?usage: adr_lint.sh path/to/signalnode [CACHE_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
cache=${2:-$here/.cache}
readonly commit=6edd13c7661879b1b7231e6e1929cfa6506c85bc
readonly ruleset_sha256=80478f0282239de4d2216412240de56f52b864f310aa362ce0aea2c512ff0ba2
readonly spectral_version=6.16.3

unavailable() {
  echo "adr_lint: $*" >&2
  if [ "${SN_LINT_REQUIRED:-0}" = 1 ]; then exit 1; fi
  echo "adr_lint: skipped (set SN_LINT_REQUIRED=1 to make this fail)" >&2
  exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Spectral, at the locked version.
spectral="$here/node_modules/.bin/spectral"
installed=$(node -p "require('$here/node_modules/@stoplight/spectral-cli/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$spectral_version" ]; then
  command -v npm >/dev/null || unavailable "npm is not installed"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) || unavailable "npm ci failed (no registry?)"
fi
[ -x "$spectral" ] || unavailable "spectral did not install"

# 2. The ruleset at the pinned commit, checked by hash, kept once verified.
mkdir -p "$cache"
ruleset="$cache/adr-linter-$commit.yaml"
verified() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$ruleset_sha256" ]; }
if ! verified "$ruleset"; then
  rm -f "$ruleset.part"
  url="https://raw.githubusercontent.com/Logius-standaarden/API-Design-Rules/$commit/media/linter.yaml"
  if ! curl -fsSL --max-time 30 -o "$ruleset.part" "$url" 2>/dev/null; then
    if [ -n "${SN_ADR_RULESET_GIT:-}" ]; then
      git --git-dir="$SN_ADR_RULESET_GIT" show "$commit:media/linter.yaml" >"$ruleset.part" 2>/dev/null ||
        git -C "$SN_ADR_RULESET_GIT" show "$commit:media/linter.yaml" >"$ruleset.part" 2>/dev/null ||
        unavailable "commit $commit is not in $SN_ADR_RULESET_GIT"
    else
      unavailable "cannot download $url (set SN_ADR_RULESET_GIT to a clone of Logius-standaarden/API-Design-Rules)"
    fi
  fi
  verified "$ruleset.part" || fail "the ruleset of commit $commit does not have SHA-256 $ruleset_sha256"
  mv "$ruleset.part" "$ruleset"
fi

# 3. A node, and the document it serves.
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$bin" init --dir "$work/n" --org gemeente-lint --role municipality --oin 00000001002220647000 --api-port 0 >/dev/null
"$bin" serve --dir "$work/n" --port 0 >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q 'serving https://' "$work/out" && break; sleep 0.1; done
url=$(grep -o 'https://[0-9.:]*' "$work/out") || fail "serve did not start: $(cat "$work/log")"
curl -fsS --cacert "$work/n/tls/api.crt" -D "$work/headers" -o "$work/openapi.json" "$url/openapi.json" ||
  fail "GET /openapi.json"
version=$("$bin" --version | cut -d' ' -f2)
grep -qi "^api-version: $version"$'\r'"\?$" "$work/headers" || fail "/openapi.json has no API-Version: $version header"

# 4. The linter: no error, no warning.
if ! "$spectral" lint --ruleset "$ruleset" --fail-severity=warn --format text "$work/openapi.json" >"$work/lint" 2>&1; then
  cat "$work/lint" >&2
  fail "the served OpenAPI document does not pass the NL API Design Rules linter"
fi
cat "$work/lint"
echo "adr_lint: the served /openapi.json passes the NL API Design Rules ruleset of $commit (spectral $spectral_version)"
