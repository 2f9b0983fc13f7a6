#!/usr/bin/env bash
# What the test suite needs besides npm packages: redis-server (a private Redis per run, unless
# REDIS_URL is set), haproxy (check --url is tested behind a real one), python3 with Flask,
# Flask-Session and redis-py (the any-language tests and the original Flask exercise), and
# Chromium (the board's browser tests). Installs what is missing with apt-get on Debian/Ubuntu, as root or with
# sudo; elsewhere says what to install and stops.
set -euo pipefail

missing=()
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# The original exercise's Flask app (Flask-Session, redis-py), in Debian's own Python.
flask_ok() { "$1" -c "import flask, flask_session, redis" >/dev/null 2>&1; }
if ! flask_ok python3 && ! flask_ok /usr/bin/python3; then
  missing+=(python3-flask python3-flask-session python3-redis)
fi
# The JUnit reporter's output is validated with xmllint against the JUnit schema.
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
# The board and the live page are tested in a real browser: Debian's Chromium.
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${missing[*]}, and this is not a Debian/Ubuntu machine (no apt-get)." >&2
  echo "Install them with your package manager (macOS: brew install redis haproxy python3), then run npm test again." >&2
  exit 2
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
    echo "The tests need ${missing[*]}; installing them needs root." >&2
    echo "Run: sudo apt-get install -y ${missing[*]}   then npm test again." >&2
    exit 2
  fi
  sudo=(sudo -n)
fi
echo "Installing ${missing[*]} (Debian packages) for the tests..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
