#!/usr/bin/env bash
# Installs what Yingji needs on Debian 12 / Ubuntu 22.04+ (as root or with sudo): the system
# packages for the Tauri window and its tests, Rust (if missing), tauri-driver, and the UI's npm
# packages. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  # building the window (Tauri 2 on WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
  libayatana-appindicator3-dev libxdo-dev libssl-dev build-essential pkg-config file curl
  # running and testing it: a virtual display, the WebKit WebDriver, Chinese fonts, screenshots
  xvfb xauth webkit2gtk-driver dbus dbus-x11 fonts-noto-cjk imagemagick
  # incident exports: PDF text and font checks (pdftotext, pdffonts), CAP schema validation (xmllint)
  poppler-utils libxml2-utils
  # the DOCX export test: LibreOffice renders it with nothing but the embedded CJK font
  libreoffice-writer-nogui
  # the device token in the OS keychain (Secret Service) and its test
  gnome-keyring
  # the UI build
  nodejs npm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (NodeSource, nvm): a working `npm` is enough.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "==> installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> cargo install tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

echo "==> npm ci (ui/)"
(cd ui && npm ci --no-audit --no-fund --loglevel=error)

# The OASIS CAP 1.2 schema the CAP export test validates against (PyPI, hash-checked).
scripts/fetch-cap-schema.sh
