# Sourced by the scripts that need PostgreSQL and Redis: use them when reachable,
# otherwise install them from Debian/Ubuntu packages and start them, saying so.

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  say "Installing $* (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_postgres() {
  if tcp_open 127.0.0.1 5432; then
    command -v psql >/dev/null 2>&1 || apt_install postgresql-client
    return
  fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    # A development server on this machine: trust local TCP connections, as CI does.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    done
  fi
  say "Starting PostgreSQL"
  for v in /etc/postgresql/*; do
    as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start 2>/dev/null \
      || as_root pg_ctlcluster "$(basename "$v")" main start
  done
  for _ in $(seq 50); do tcp_open 127.0.0.1 5432 && return; sleep 0.2; done
  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1
}

ensure_redis() {
  tcp_open 127.0.0.1 6379 && return
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  say "Starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
  for _ in $(seq 50); do tcp_open 127.0.0.1 6379 && return; sleep 0.2; done
  echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1
}

# The till window's system libraries (WebKitGTK for Tauri 2) and, for its end-to-end tests,
# an X server (Xvfb) and the WebKit WebDriver.
ensure_desktop_deps() {
  local missing=()
  pkg-config --exists webkit2gtk-4.1 2>/dev/null || missing+=(libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev build-essential pkg-config file)
  if [ "${1:-}" = tests ]; then
    command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb xauth)
    command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
    # Real key presses (XTest) into the window, as a keyboard or a wedge scanner makes them.
    command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
    # Store PCs run the Russian layout: the tests switch the X server's layout with it.
    command -v setxkbmap >/dev/null 2>&1 || missing+=(x11-xkb-utils xkb-data)
  fi
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# Headless Chromium and its WebDriver for the web admin's browser tests.
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt_install chromium chromium-driver
  fi
}

# Debian's nginx, curl and openssl for the front door's tests (its own service stays off:
# the tests run nginx on their own ports with their own configuration).
ensure_nginx() {
  if ! [ -x /usr/sbin/nginx ] || ! command -v curl >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    apt_install nginx curl openssl
    as_root service nginx stop >/dev/null 2>&1 || true
  fi
}

# docker-compose validates the compose files (no engine needed); pg_dump and pg_restore
# for the backup scripts' test.
ensure_deploy_tools() {
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
  command -v pg_dump >/dev/null 2>&1 || apt_install postgresql-client
}

# tauri-driver bridges WebDriver to the app window (cargo install, ~1 minute, once).
ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null 2>&1; then
    say "Installing tauri-driver (once per machine)"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
}
