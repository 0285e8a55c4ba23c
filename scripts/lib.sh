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
# python3-qgis: QGIS 3.22 reads /wfs in tests/test_wfs_clients.py (about 100 MB; the test skips without it)
TEST_APT=(postgresql postgresql-15-postgis-3 postgresql-15-postgis-3-scripts chromium gdal-bin fonts-dejavu-core
  python3-qgis)

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

# ensure_venv app|test : install exactly the locked Python packages
# (requirements/<name>.lock, with hashes: what CI tested), then the app
# itself without dependencies. Reinstalled when the lock or pyproject.toml
# changes. The test lock includes everything the app needs, so it satisfies "app".
lock_stamp() {
  cat "$ROOT/requirements/$1.lock" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16
}

ensure_venv() {
  local extras="$1"
  local stamp="$VENV/.fichekaart-stamp"
  local want; want="$(lock_stamp "$extras")-$extras"
  if [ "$extras" = app ] && [ -f "$stamp" ] && grep -qx -- "$(lock_stamp test)-test" "$stamp"; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py="$(pick_python)"
    log "creating .venv with $py"
    "$py" -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp"; then
    log "pip: installing requirements/$extras.lock (hashes checked) and fichekaart"
    "$VENV/bin/python" -m pip install -q --require-hashes -r "$ROOT/requirements/$extras.lock"
    "$VENV/bin/python" -m pip install -q --no-deps -e "$ROOT"
    echo "$want" > "$stamp"
  fi
}

# ensure_bench_tools : the test lock plus pyproject's "bench" extra (pygeoapi,
# the yardstick), installed with the locked versions as constraints so no
# package CI tested moves.
ensure_bench_tools() {
  ensure_venv test
  local stamp="$VENV/.fichekaart-bench-stamp"
  local want; want="$(lock_stamp test)"
  if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp"; then
    log "pip: installing the bench extra within requirements/test.lock"
    local constraints; constraints="$(mktemp)"
    sed -e '/^ *#/d' -e '/--hash/d' -e 's/ *\\$//' "$ROOT/requirements/test.lock" | grep '==' > "$constraints"
    local wanted
    mapfile -t wanted < <("$VENV/bin/python" -c 'import sys, tomllib
print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["bench"]))' \
      "$ROOT/pyproject.toml")
    "$VENV/bin/python" -m pip install -q -c "$constraints" "${wanted[@]}"
    rm -f "$constraints"
    echo "$want" > "$stamp"
  fi
}

# ensure_tipg : tipg (the second yardstick: FastAPI + asyncpg, one SQL
# statement per page) in its own venv, .venv-tipg, since its stack (pydantic,
# starlette, asyncpg) has nothing to do with the app's. A pinned version from
# PyPI; reinstalled only when TIPG_VERSION changes.
TIPG_VERSION=1.6.1
ensure_tipg() {
  local venv="$ROOT/.venv-tipg"
  local stamp="$venv/.fichekaart-stamp"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating .venv-tipg for tipg $TIPG_VERSION"
    "$(pick_python)" -m venv "$venv"
  fi
  if [ ! -f "$stamp" ] || ! grep -qx -- "$TIPG_VERSION" "$stamp"; then
    log "pip: installing tipg==$TIPG_VERSION (and uvicorn) into .venv-tipg"
    "$venv/bin/python" -m pip install -q "tipg==$TIPG_VERSION" "uvicorn[standard]"
    echo "$TIPG_VERSION" > "$stamp"
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
