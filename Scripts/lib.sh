# Shared helpers for Scripts/*: sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# Name the failing command and line, so a CI log says where a script stopped.
trap 'status=$?; log "$(basename "$0"): line $LINENO: \"$BASH_COMMAND\" failed with exit $status"' ERR

# apt_need PKG...: installs the Debian packages that are missing (as root, or via sudo).
apt_need() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# python_env: a virtualenv in $ROOT/.venv, first on the PATH from here on (this script and everything it
# starts: swift test's moto, dnslib and cert servers, the check-* scripts). Debian 12's own python3 is
# "externally managed" (PEP 668): pip refuses to install into it. --system-site-packages keeps what is
# installed already (Debian's python3-* packages, a developer's own) importable without a download.
python_env() {
  local venv="$ROOT/.venv"
  if [ ! -x "$venv/bin/python3" ]; then
    command -v python3 >/dev/null || apt_need python3
    if ! python3 -m venv --system-site-packages "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      apt_need python3-venv  # Debian splits venv's ensurepip off
      python3 -m venv --system-site-packages "$venv"
    fi
    log "created a Python virtualenv in $venv"
  fi
  case ":$PATH:" in *":$venv/bin:"*) ;; *) export PATH="$venv/bin:$PATH" ;; esac
  export VIRTUAL_ENV="$venv"
}
# Once made, the virtualenv is used by every script that sources this file, pip_need or not.
if [ -x "$ROOT/.venv/bin/python3" ]; then python_env; fi

# pip_need MODULES=PACKAGE...: installs PyPI packages (into $ROOT/.venv) whose modules do not all import;
# MODULES may list several, comma-separated (moto.server,flask,flask_cors=moto[server]).
pip_need() {
  local missing=() pair mod pkg
  python_env
  for pair in "$@"; do
    mod="${pair%%=*}"; pkg="${pair#*=}"
    python3 -c "import $mod" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing PyPI packages into $VIRTUAL_ENV: ${missing[*]}"
  python3 -m pip install -q --disable-pip-version-check "${missing[@]}"
}

# swift_need: puts a Swift 6.2 or later toolchain on the PATH: the one found there or in /opt/swift,
# else the official release, installed into /opt/swift by Scripts/install-swift (signature checked).
swift_need() {
  local d
  if ! swift_recent; then
    for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$d/swift" ] && PATH="$d:$PATH" swift_recent && { export PATH="$d:$PATH"; return 0; }
    done
    log "no Swift 6.2 or later found: installing the swift.org release into /opt/swift"
    bash "$ROOT/Scripts/install-swift" --prefix /opt/swift || { log "Swift 6.2 or later is needed (see Scripts/install-swift --help)"; exit 1; }
    export PATH="/opt/swift/usr/bin:$PATH"
  fi
  swift_recent || { log "the Swift in /opt/swift is older than 6.2: remove it or put a newer one on the PATH"; exit 1; }
}

# swift_recent: whether `swift` on the PATH is 6.2 or later (Task.immediate, SE-0472).
swift_recent() {
  local version major minor
  # sed -n 1p, not head -1: head's early exit can kill grep with SIGPIPE, which pipefail reports as failure.
  version="$(swift --version 2>/dev/null | grep -oE 'Swift version [0-9]+\.[0-9]+' | sed -n 1p | grep -oE '[0-9]+\.[0-9]+$')" || return 1
  major="${version%%.*}"; minor="${version#*.}"
  [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 2 ]; }
}

# start_cert_server DIR: a test PKI in DIR/pki (Scripts/snsgen.py) and Scripts/cert-server.py serving its
# SNS signing certificate over HTTPS on 127.0.0.1; sets CERT_PID and CERT_PORT. Returns 1 (logged, the
# server stopped) when it does not come up within 10 s.
start_cert_server() {
  local dir="$1" i
  python3 "$ROOT/Scripts/snsgen.py" pki --out "$dir/pki" >/dev/null
  python3 "$ROOT/Scripts/cert-server.py" --pki "$dir/pki" --port 0 --quiet --log "$dir/cert-server.log" \
    >"$dir/cert-server.out" 2>&1 &
  CERT_PID=$!
  for ((i = 0; i < 100; i++)); do grep -q '^PORT=' "$dir/cert-server.out" 2>/dev/null && break; sleep 0.1; done
  CERT_PORT="$(sed -n 's/^PORT=//p' "$dir/cert-server.out")"
  [ -n "$CERT_PORT" ] || { kill "$CERT_PID" 2>/dev/null; log "cert server did not start: $(cat "$dir/cert-server.out")"; return 1; }
}

# build_deps: what building needs, plus the data the service reads at run time (publicsuffix: the Public
# Suffix List for DMARC organisational domains, dns.public_suffix_list).
build_deps() { apt_need libssl-dev libsqlite3-dev libpq-dev zlib1g-dev pkg-config ca-certificates openssl publicsuffix; }

# release_sluice: sets SLUICE_BIN to the release `sluice`, built here, unless SLUICE_BIN names a binary
# already (to compare two builds in one session).
release_sluice() {
  [ -n "${SLUICE_BIN:-}" ] && return 0
  swift_need; build_deps
  log "building release sluice"
  swift build -c release --product sluice >&2
  SLUICE_BIN="$(swift build -c release --show-bin-path)/sluice"
}
