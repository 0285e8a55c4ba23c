# Shared set-up steps for scripts/run and scripts/test. Every step is
# idempotent and cheap when nothing changed, so both commands can run it always.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export PATH="$VENV/bin:$PATH"

log() { printf '\033[1m[fichekaart]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_apt PKG... : install the Debian packages that are missing.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

RUNTIME_APT=(libsqlite3-mod-spatialite python3-venv)
TEST_APT=(postgresql postgresql-15-postgis-3 postgresql-15-postgis-3-scripts chromium gdal-bin fonts-dejavu-core)

# A Python whose sqlite3 can load extensions is preferred (Debian's); the app
# falls back to sqlean-py on one that cannot (e.g. a pyenv build), so either works.
pick_python() {
  local candidates=(/usr/bin/python3 python3)
  for py in "${candidates[@]}"; do
    command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys, sqlite3, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 11) and hasattr(sqlite3.Connection, "enable_load_extension") else 1)' 2>/dev/null; then
      echo "$py"; return
    fi
  done
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$py"; return
    fi
  done
  log "no Python >= 3.11 with venv found"; exit 1
}

# ensure_node : Node.js and npm for the pinned front-end assets.
ensure_node() {
  command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
}

# ensure_venv EXTRAS : (re)install the package when pyproject.toml changed.
# The test extras include everything the app needs, so they satisfy "app".
ensure_venv() {
  local extras="$1"
  local stamp="$VENV/.fichekaart-stamp"
  local hash want
  hash="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  want="$hash-$extras"
  if [ "$extras" = app ] && [ -f "$stamp" ] && grep -qx -- "$hash-test" "$stamp"; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py="$(pick_python)"
    log "creating .venv with $py"
    "$py" -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp"; then
    log "pip: installing fichekaart[$extras]"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    if [ "$extras" = app ]; then
      "$VENV/bin/python" -m pip install -q -e "$ROOT"
    else
      "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
    fi
    echo "$want" > "$stamp"
  fi
}

# ensure_node_modules : npm ci when package-lock.json changed.
ensure_node_modules() {
  [ -f "$ROOT/package-lock.json" ] || return 0
  local stamp="$ROOT/node_modules/.fichekaart-stamp"
  local want; want="$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
  if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp"; then
    log "npm: installing the pinned JS/CSS assets"
    (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
}
