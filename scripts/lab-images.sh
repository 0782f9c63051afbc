#!/usr/bin/env bash
# Build the offline-profile lab images from Debian packages (no registry):
#   stagecraft/toolchain  gcc, g++, make, cmake, libc (debootstrap minbase)
#   stagecraft/runtime    static busybox + glibc loader + libc.so.6 (no libstdc++)
#   stagecraft/workspace  the learner's shell: bash, nano, less, procps, socat (the terminal relay), dtach
#                         (keeps the shell through a server restart), docker CLI
# See DESIGN.md, "The sandbox" and "Images: two profiles".
#
# Usage: scripts/lab-images.sh [build|status|tags|help]
#   build   (default) build what is missing; an image whose :r-<recipe hash>
#           tag exists is skipped, so a second run costs a few docker inspects.
#   status  print each image's state at its current recipe hash; exit 0 only
#           if all three are present.
#   tags    print the recipe-hash references (stagecraft/NAME:r-HASH).
#   export FILE  save the three images (both tags) into one tarball.
#   import FILE  load such a tarball on a machine without internet, then status.
# Environment:
#   STAGECRAFT_DEBIAN_MIRROR  Debian archive URL for debootstrap; default: the
#                             first main (non-security) archive in the host's
#                             apt sources, if the host is Debian.
#   TMPDIR                    where the root filesystems are assembled.
# Each image is tagged :latest and :r-<12 hex>, the hash of its recipe (the
# function bodies below, the package lists, the suite), and labelled
# org.stagecraft.recipe=<hash>. Building needs root, debootstrap and a mirror.
set -euo pipefail

readonly SUITE=bookworm
readonly IMAGES=(toolchain runtime workspace)
readonly TOOLCHAIN_PKGS=gcc,g++,libc6-dev,make,cmake,busybox-static
readonly WORKSPACE_PKGS=bash,nano,less,procps,bash-completion,socat,dtach
readonly PATH_ENV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
readonly LEARNER_UID=1000

WORK=''        # temp dir of a build, removed on exit
MIRROR=''
JOB_PIDS=()    # background builds (each its own process group)
declare -A JOB # NAME -> pid

say() { printf '[images] %s\n' "$*"; }
die() { printf '[images] %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- recipes --
# Everything a recipe hash covers lives in these functions and the constants
# above; `declare -f` text is hashed, so comments inside them do not count.

make_rootfs() { # DIR PACKAGES: debootstrap a minimal bookworm
  local dir=$1 pkgs=$2
  debootstrap --variant=minbase --include="$pkgs" "$SUITE" "$dir" "$MIRROR"
}

shrink_rootfs() { # DIR: drop caches, indexes, docs (keep copyright), man, locales, host traces
  local dir=$1
  (cd "$dir" && rm -rf var/cache/apt/* var/lib/apt/lists/* usr/share/man/* usr/share/info/* \
    usr/share/locale/* usr/share/lintian var/cache/debconf/*-old var/lib/dpkg/*-old \
    var/log/apt/* var/log/dpkg.log var/log/alternatives.log var/log/bootstrap.log \
    dev/* etc/resolv.conf)
  mkdir -p "$dir"/var/lib/apt/lists/partial "$dir"/var/cache/apt/archives/partial
  find "$dir"/usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
  find "$dir"/usr/share/doc -mindepth 1 -depth -type d -empty -delete
  printf 'stagecraft\n' > "$dir"/etc/hostname
  printf '# Stagecraft lab image: offline, no package sources.\n' > "$dir"/etc/apt/sources.list
}

import_image() { # HASH DOCKER-IMPORT-ARGS... (tar stream on stdin) -> image id
  local hash=$1
  shift
  docker import --change "ENV PATH=$PATH_ENV" --change "LABEL org.stagecraft.recipe=$hash" "$@" -
}

build_toolchain() { # HASH
  local hash=$1 dir=$WORK/toolchain id
  make_rootfs "$dir" "$TOOLCHAIN_PKGS"
  shrink_rootfs "$dir"
  id=$(tar --numeric-owner -C "$dir" -c . | import_image "$hash" --change 'CMD ["/bin/bash"]')
  docker run --rm --network none "$id" sh -c 'gcc --version && g++ --version && make --version && cmake --version' ||
    { docker image rm "$id" >/dev/null; return 1; }
  tag_image toolchain "$hash" "$id"
}

build_runtime() { # HASH: assembled inside the toolchain image, so its libc matches
  local hash=$1 id tar=$WORK/runtime.tar
  docker run --rm -i --network none "stagecraft/toolchain:r-$(recipe_hash toolchain)" sh -eu > "$tar" <<'EOF'
R=/tmp/rootfs
mkdir -p "$R/bin" "$R/dev" "$R/etc" "$R/proc" "$R/root" "$R/sys" "$R/tmp"
chmod 1777 "$R/tmp"
chmod 0700 "$R/root"
if readelf -l /bin/busybox | grep -q 'program interpreter'; then
  echo 'runtime: /bin/busybox is not static' >&2; exit 1
fi
cp /bin/busybox "$R/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
# copy a path and every symlink on the way to the file it names
copy_chain() {
  p=$1
  while :; do
    cp -a --parents "$p" "$R"
    [ -L "$p" ] || break
    t=$(readlink "$p")
    case $t in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
  done
}
# what a plain C program needs: the dynamic loader and libc, nothing more
printf '#include <stdio.h>\nint main(void){puts("runtime ok");return 0;}\n' > /tmp/probe.c
gcc -o /tmp/probe /tmp/probe.c
for lib in $(ldd /tmp/probe | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
  copy_chain "$lib"
done
cp /tmp/probe "$R/probe"
chroot "$R" /probe >&2
chroot "$R" /bin/sh -c 'test -x /bin/ls'
rm "$R/probe"
tar --numeric-owner -C "$R" -c .
EOF
  id=$(import_image "$hash" --change 'CMD ["/bin/sh"]' < "$tar")
  docker run --rm --network none "$id" sh -c 'echo busybox ok' ||
    { docker image rm "$id" >/dev/null; return 1; }
  tag_image runtime "$hash" "$id"
}

build_workspace() { # HASH
  local hash=$1 dir=$WORK/workspace deb=$WORK/docker-deb id home=/home/learner
  make_rootfs "$dir" "$WORKSPACE_PKGS"
  # The Docker CLI: only /usr/bin/docker from Debian's docker.io (bookworm has
  # no CLI-only package), fetched with the host's apt through the new root's
  # own package index, so it is the same suite from the same mirror.
  mkdir -p "$deb/x"
  (cd "$deb" && apt-get -q -o APT::Sandbox::User=root \
    -o Dir::Etc::SourceList="$dir/etc/apt/sources.list" \
    -o Dir::Etc::SourceParts="$dir/etc/apt/sources.list.d" \
    -o Dir::Etc::Trusted="$dir/etc/apt/trusted.gpg" \
    -o Dir::Etc::TrustedParts="$dir/etc/apt/trusted.gpg.d" \
    -o Dir::State::Lists="$dir/var/lib/apt/lists" \
    -o Dir::State::status="$dir/var/lib/dpkg/status" \
    -o Dir::Cache="$deb/cache" download docker.io)
  dpkg-deb -x "$deb"/docker.io_*.deb "$deb/x"
  install -m 0755 "$deb/x/usr/bin/docker" "$dir/usr/bin/docker"
  # the learner
  chroot "$dir" groupadd -g "$LEARNER_UID" learner
  chroot "$dir" useradd --no-log-init -u "$LEARNER_UID" -g "$LEARNER_UID" -m -d "$home" -s /bin/bash learner
  cat > "$dir$home/.bashrc" <<'EOF'
# ~/.bashrc: Stagecraft workspace.
# bash already read /etc/bash.bashrc (Debian's system-wide settings) before
# this file; a login shell reaches here through ~/.profile.
case $- in *i*) ;; *) return ;; esac

HISTCONTROL=ignoreboth
HISTSIZE=1000
HISTFILESIZE=2000
shopt -s histappend checkwinsize

PS1='learner@stagecraft:\w\$ '

alias ls='ls --color=auto'
alias ll='ls -alF'
alias grep='grep --color=auto'

if ! shopt -oq posix && [ -f /usr/share/bash-completion/bash_completion ]; then
  . /usr/share/bash-completion/bash_completion
fi
EOF
  chown -R "$LEARNER_UID:$LEARNER_UID" "$dir$home"
  chmod 0755 "$dir$home"
  # The server bind-mounts the learner's gateway folder on /run/stagecraft;
  # the CLI's default socket path leads there (/var/run is a link to /run).
  install -d -m 0755 "$dir/run/stagecraft"
  ln -sfn /run/stagecraft/docker.sock "$dir/run/docker.sock"
  shrink_rootfs "$dir"
  id=$(tar --numeric-owner -C "$dir" -c . | import_image "$hash" \
    --change "USER learner" --change "WORKDIR $home" --change "ENV HOME=$home" \
    --change 'ENV DOCKER_BUILDKIT=0' --change 'ENV TERM=xterm-256color' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["sleep","infinity"]')
  docker run --rm --network none "$id" bash -lc \
    'test "$(id -u)" = 1000 && test -L /var/run/docker.sock && docker --version' ||
    { docker image rm "$id" >/dev/null; return 1; }
  tag_image workspace "$hash" "$id"
}

recipe() { # NAME: the text whose hash names the image
  local name=$1
  printf 'image=%s suite=%s path=%s\n' "$name" "$SUITE" "$PATH_ENV"
  case $name in
    toolchain) printf 'pkgs=%s\n' "$TOOLCHAIN_PKGS"
               declare -f make_rootfs shrink_rootfs import_image build_toolchain ;;
    runtime)   printf 'toolchain=%s\n' "$(recipe_hash toolchain)"
               declare -f import_image build_runtime ;;
    workspace) printf 'pkgs=%s uid=%s\n' "$WORKSPACE_PKGS" "$LEARNER_UID"
               declare -f make_rootfs shrink_rootfs import_image build_workspace ;;
  esac
}

# ---------------------------------------------------------------- helpers --

recipe_hash() { recipe "$1" | sha256sum | cut -c1-12; }

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null; }

tag_image() { # NAME HASH ID
  docker tag "$3" "stagecraft/$1:r-$2"
  docker tag "$3" "stagecraft/$1:latest"
}

human_size() { # bytes -> docker-style 379MB / 4.14MB
  awk -v b="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
    while (b >= 1000 && i < 5) { b /= 1000; i++ }
    printf "%.3g%s\n", b, u[i] }'
}

describe() { # NAME HASH
  local ref="stagecraft/$1:r-$2"
  printf '%s, %s' "$ref" "$(human_size "$(docker image inspect --format '{{.Size}}' "$ref")")"
}

need_docker() {
  if ! command -v docker >/dev/null 2>&1 || ! docker version >/dev/null 2>&1; then
    die "Cannot reach a Docker engine (\`docker version\` fails): start Docker, or point DOCKER_HOST at one."
  fi
}

host_is_debian() {
  # shellcheck source=/dev/null
  [ -r /etc/os-release ] && (. /etc/os-release && [ "${ID:-}" = debian ])
}

mirror_from_apt() { # first main Debian archive in the host's apt sources
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk '
      function flush(   n, i, u) {
        if (!found && types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no" && suites !~ /-security/) {
          n = split(uris, u, /[ \t]+/)
          for (i = 1; i <= n; i++)
            if (u[i] ~ /^(https?|ftp|file):\/\// && u[i] !~ /security/) { print u[i]; found = 1; break }
        }
        types = uris = suites = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ { key = tolower($0); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "enabled") enabled = val }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '$1 == "deb" { i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($i ~ /^(https?|ftp|file):\/\// && $i !~ /security/ && $(i + 1) !~ /-security/) { print $i; exit } }' "$f"
  done
}

preflight() { # can debootstrap run here? one sentence if not
  local bundle='or import a lab-image bundle instead'
  [ "$(id -u)" = 0 ] || die "Building the lab images needs root (debootstrap, chroot): run this script as root, $bundle."
  for c in tar chroot dpkg-deb apt-get; do
    command -v "$c" >/dev/null 2>&1 || die "This host lacks \`$c\`, so it cannot build the lab images from Debian packages: run this on Debian or Ubuntu, $bundle."
  done
  if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    { apt-get install -y --no-install-recommends debootstrap >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends debootstrap >/dev/null 2>&1; }; } ||
      die "debootstrap is missing and \`apt-get install debootstrap\` failed: install debootstrap, $bundle."
  fi
  MIRROR=${STAGECRAFT_DEBIAN_MIRROR:-}
  if [ -z "$MIRROR" ] && host_is_debian; then
    MIRROR=$(mirror_from_apt | head -n 1)
  fi
  [ -n "$MIRROR" ] ||
    die "No Debian mirror found in this host's apt sources: set STAGECRAFT_DEBIAN_MIRROR to a Debian archive URL (one that serves $SUITE), $bundle."
}

cleanup() {
  local pid m
  for pid in "${JOB_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${JOB_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    # a killed debootstrap can leave proc/sys mounted inside its target
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$WORK"
  fi
}

# A build runs as a job writing WORK/NAME.log and, on success, WORK/NAME.secs.
start_job() { # NAME HASH
  set -m
  (
    trap - EXIT INT TERM
    t0=$(date +%s)
    "build_$1" "$2" < /dev/null > "$WORK/$1.log" 2>&1
    echo $(($(date +%s) - t0)) > "$WORK/$1.secs"
  ) &
  JOB_PIDS+=("$!")
  set +m
  JOB[$1]=$!
}

finish_job() { # NAME HASH: wait for it and report
  local name=$1 hash=$2
  if wait "${JOB[$name]}" && [ -s "$WORK/$name.secs" ]; then
    say "$name: built in $(cat "$WORK/$name.secs")s ($(describe "$name" "$hash"))"
  else
    printf '[images] %s: FAILED; last lines of its log:\n' "$name" >&2
    tail -n 25 "$WORK/$name.log" >&2 || true
    exit 1
  fi
}

# --------------------------------------------------------------- commands --

cmd_tags() {
  local n
  for n in "${IMAGES[@]}"; do printf 'stagecraft/%s:r-%s\n' "$n" "$(recipe_hash "$n")"; done
}

cmd_status() {
  local n h missing=0
  need_docker
  for n in "${IMAGES[@]}"; do
    h=$(recipe_hash "$n")
    if image_id "stagecraft/$n:r-$h" >/dev/null; then
      say "$n: present ($(describe "$n" "$h"))"
    else
      say "$n: missing (stagecraft/$n:r-$h)"
      missing=1
    fi
  done
  return "$missing"
}

cmd_build() {
  local n h id latest todo=()
  declare -A hash
  need_docker
  for n in "${IMAGES[@]}"; do
    h=$(recipe_hash "$n")
    hash[$n]=$h
    if id=$(image_id "stagecraft/$n:r-$h"); then
      latest=$(image_id "stagecraft/$n:latest" || true)
      if [ "$latest" != "$id" ]; then
        docker tag "$id" "stagecraft/$n:latest"
        say "$n: present, :latest re-pointed ($(describe "$n" "$h"))"
      else
        say "$n: present ($(describe "$n" "$h")), skip"
      fi
    else
      todo+=("$n")
    fi
  done
  [ "${#todo[@]}" -gt 0 ] || return 0

  preflight
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/stagecraft-images.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  say "building ${todo[*]} from $SUITE via $MIRROR"
  local want=" ${todo[*]} "
  # the two debootstraps run side by side (mostly network and disk);
  # the runtime is cut from the toolchain image once that exists
  [[ $want != *" toolchain "* ]] || start_job toolchain "${hash[toolchain]}"
  [[ $want != *" workspace "* ]] || start_job workspace "${hash[workspace]}"
  [[ $want != *" toolchain "* ]] || finish_job toolchain "${hash[toolchain]}"
  if [[ $want == *" runtime "* ]]; then
    start_job runtime "${hash[runtime]}"
    finish_job runtime "${hash[runtime]}"
  fi
  [[ $want != *" workspace "* ]] || finish_job workspace "${hash[workspace]}"
}

cmd_export() { # FILE: the three images, both tags each, in one tarball for an air-gapped classroom
  local file=${1:-} n refs=()
  [ -n "$file" ] || die "Usage: scripts/lab-images.sh export FILE.tar"
  cmd_status >/dev/null || die "Some lab images are missing here: run scripts/lab-images.sh build first, then export."
  for n in "${IMAGES[@]}"; do refs+=("stagecraft/$n:latest" "stagecraft/$n:r-$(recipe_hash "$n")"); done
  docker save -o "$file" "${refs[@]}"
  say "exported ${#refs[@]} references to $file ($(du -h "$file" | cut -f1))"
}

cmd_import() { # FILE: load a bundle made by export on another machine
  local file=${1:-}
  [ -f "$file" ] || die "Usage: scripts/lab-images.sh import FILE.tar (no such file: ${file:-none given})"
  need_docker
  docker load -i "$file" >/dev/null || die "$file is not an image bundle that this engine can load."
  cmd_status || die "The bundle does not hold the images this checkout's recipes name: export it from a machine with the same version of Stagecraft."
}

case ${1:-build} in
  build)  cmd_build ;;
  status) cmd_status ;;
  tags)   cmd_tags ;;
  export) cmd_export "${2:-}" ;;
  import) cmd_import "${2:-}" ;;
  help|-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' ;;
  *) die "Unknown command '$1': use build, status, tags, export, import or help." ;;
esac
