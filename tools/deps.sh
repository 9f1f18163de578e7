#!/usr/bin/env bash
# Installs what the project needs, and only what is missing.
#
#   tools/deps.sh build   compilers, CMake, Ninja and the C++ libraries
#   tools/deps.sh book    mdBook (pinned version, built with cargo --locked)
#   tools/deps.sh lint    clang-format and clang-tidy
#   tools/deps.sh diagrams  Graphviz, to render the diagrams in assets/
#   tools/deps.sh all     all of the above (what `make deps` runs)
#
# It is quick when nothing is missing (one dpkg-query), installs with apt-get
# as root or through passwordless sudo, and otherwise stops with one line that
# names what is missing.
set -euo pipefail

MDBOOK_VERSION=0.4.52

build_packages=(g++ cmake ninja-build python3 libgtest-dev libboost-context-dev libboost-dev
                libspdlog-dev libbenchmark-dev)
lint_packages=(clang-format clang-tidy)
diagram_packages=(graphviz)

say() { printf 'deps: %s\n' "$*" >&2; }

missing_debian_packages() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
  for package in "$@"; do
    grep -q "^${package} ii" <<<"$installed" || printf '%s\n' "$package"
  done
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    return 1
  fi
}

install_debian_packages() {
  if ! command -v dpkg-query >/dev/null; then
    say "not a Debian/Ubuntu system; make sure these are installed: $*"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_debian_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! as_root true; then
    say "missing Debian package(s): ${missing[*]} (run: sudo apt-get install ${missing[*]})"
    exit 1
  fi
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

mdbook_path() {
  local candidate
  for candidate in "$(command -v mdbook || true)" "${CARGO_HOME:-$HOME/.cargo}/bin/mdbook"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] &&
       [ "$("$candidate" --version 2>/dev/null)" = "mdbook v${MDBOOK_VERSION}" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

install_mdbook() {
  mdbook_path >/dev/null && return 0
  local cargo
  cargo=$(command -v cargo || true)
  [ -z "$cargo" ] && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ] && cargo="${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
  if [ -z "$cargo" ]; then
    say "missing mdbook ${MDBOOK_VERSION}, and cargo to build it (install Rust from rustup.rs, then run make deps)"
    exit 1
  fi
  say "building mdbook ${MDBOOK_VERSION} with cargo (a few minutes, once)"
  "$cargo" install --quiet --locked --version "${MDBOOK_VERSION}" mdbook
  mdbook_path >/dev/null || { say "mdbook ${MDBOOK_VERSION} did not install"; exit 1; }
}

case "${1:-all}" in
  build) install_debian_packages "${build_packages[@]}" ;;
  lint) install_debian_packages "${lint_packages[@]}" ;;
  diagrams) install_debian_packages "${diagram_packages[@]}" ;;
  book) install_mdbook ;;
  mdbook-path) mdbook_path || { say "mdbook ${MDBOOK_VERSION} is not installed (make deps)"; exit 1; } ;;
  all)
    install_debian_packages "${build_packages[@]}" "${lint_packages[@]}" "${diagram_packages[@]}"
    install_mdbook
    ;;
  *) say "usage: tools/deps.sh build|book|lint|diagrams|all"; exit 2 ;;
esac
