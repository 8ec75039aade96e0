#!/usr/bin/env bash
# Set up the planner on a fresh Debian/Ubuntu machine, then run the main job on the Marseille sample.
#
#   bash scripts/setup.sh            # set up, then open Marseille (GUI with a display, else headless report)
#   bash scripts/setup.sh --no-run   # set up only (CI)
#
# What it does:
#   1. installs the system libraries Qt needs, only those that are missing (apt-get; sudo when not root);
#   2. creates .venv and installs the planner with its GUI and test extras (pip install -e '.[test]'),
#      at the versions of constraints.txt (the ones the suite last passed with);
#   3. runs `planner run sample_projects/marseille.gpkg`.
set -euo pipefail
cd "$(dirname "$0")/.."

RUN=1
[[ "${1:-}" == "--no-run" ]] && RUN=0
PYTHON=${PYTHON:-python3}

# --- 1. system libraries for Qt (PySide6), and the tools the tests look with ------------------
# The minimal set, found in a clean Debian 12 chroot (see README, "Set-up details").
QT_PKGS=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
         libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0
         libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 xvfb xauth
         # what the tests use to look at the outputs as a user would: PDF pages (poppler), the HTML map
         # in a browser with no network (chromium)
         poppler-utils chromium)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${QT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq || true
    # Ubuntu 24.04 renamed a few packages (t64); fall back to installing one by one.
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      for p in "${missing[@]}"; do
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$p" \
          || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${p}t64" \
          || echo "setup: warning: could not install $p (the GUI may not start; the CLI works without it)"
      done
    fi
  else
    echo "setup: warning: no apt-get; install these with your package manager: ${missing[*]}"
  fi
fi

# --- 2. Python environment -----------------------------------------------------------------
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "planner needs Python >= 3.11"'
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e '.[test]'
echo "setup: planner $(.venv/bin/planner --version | cut -d' ' -f2) installed in .venv"

# --- 3. the main job -----------------------------------------------------------------------
if ((RUN)); then
  .venv/bin/planner run sample_projects/marseille.gpkg --out out/marseille
fi
