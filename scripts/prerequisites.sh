#!/usr/bin/env bash
# What the test suite needs besides npm packages: redis-server (a private Redis per run, unless
# REDIS_URL is set), haproxy (check --url is tested behind a real one), python3 with Flask,
# Flask-Session and redis-py (the any-language tests, the original Flask exercise and the
# framework fixtures, with aiohttp and aiohttp-session), lsof (connections are also looked up
# the non-Linux way), and Chromium (the board's browser tests). Installs what is missing with
# apt-get on Debian/Ubuntu, as root or with sudo; elsewhere says what to install and stops.
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
# The aiohttp framework fixture (aiohttp-session's RedisStorage on redis.asyncio), the same way.
aiohttp_ok() { "$1" -c "import aiohttp, aiohttp_session, redis.asyncio" >/dev/null 2>&1; }
if ! aiohttp_ok python3 && ! aiohttp_ok /usr/bin/python3; then
  missing+=(python3-aiohttp python3-aiohttp-session python3-redis)
fi
# The JUnit reporter's output is validated with xmllint against the JUnit schema.
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
# Which process holds a connection is also found the macOS way (lsof), on Linux too.
command -v lsof >/dev/null 2>&1 || missing+=(lsof)
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
