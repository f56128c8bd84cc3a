#!/usr/bin/env bash
# The real WordPress 6.1 (Debian's package) on 127.0.0.1 for the export tests:
# MariaDB on a unix socket only, `php -S` with a router, data in DATA_DIR.
#   wordpress.sh install          apt packages, if missing
#   wordpress.sh start DATA_DIR   writes DATA_DIR/wordpress.env (URL, user, application password)
#   wordpress.sh stop DATA_DIR
# Facts and gotchas: shared/reference/cms-servers.md (W1-W12).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/lib.sh"
WP=/usr/share/wordpress
PACKAGES=(wordpress wordpress-theme-twentytwentythree php php-cli php8.2-cgi php-mysql mariadb-server webfs curl python3)

install() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "wordpress: installing ${missing[*]}" >&2
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # No service may start at install time (W1: webfs only satisfies `httpd`).
  local added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d; added_policy=1
  fi
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >&2
  [ $added_policy = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
  return 0
}

start() {
  local D; D="$(mkdir -p "$1" && cd "$1" && pwd)/wordpress"
  if [ -f "$D/wordpress.env" ] && alive "$(cat "$D/php.pgid" 2>/dev/null || echo 0)"; then
    cp "$D/wordpress.env" "$1/wordpress.env"; return 0
  fi
  install
  mkdir -p "$D"
  local PORT; PORT=$(free_port)
  echo "$PORT" > "$D/port"
  local SOCK="$D/mysql.sock"
  # A unix socket path must fit in 107 bytes (W7).
  [ ${#SOCK} -gt 100 ] && SOCK="${TMPDIR:-/tmp}/beatdesk-wp-$PORT.sock"
  echo "$SOCK" > "$D/sock"
  local user_flag=(); [ "$(id -u)" -eq 0 ] && user_flag=(--user=root)

  mariadb-install-db --no-defaults --datadir="$D/mysql" "${user_flag[@]}" \
    --auth-root-authentication-method=socket --skip-test-db >"$D/mariadb-install.log" 2>&1
  setsid mariadbd --no-defaults "${user_flag[@]}" --datadir="$D/mysql" --skip-networking \
    --socket="$SOCK" --pid-file="$D/mariadb.pid" --innodb-buffer-pool-size=64M \
    --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 \
    --log-error="$D/mariadb.err" </dev/null >/dev/null 2>&1 &
  echo $! > "$D/mariadb.pgid"
  local i
  for i in $(seq 120); do
    mariadb-admin --no-defaults --socket="$SOCK" ping >/dev/null 2>&1 && break
    sleep 0.25
  done
  mariadb-admin --no-defaults --socket="$SOCK" ping >/dev/null 2>&1 || { cat "$D/mariadb.err" >&2; return 1; }
  local DBPW; DBPW=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  mariadb --no-defaults --socket="$SOCK" -uroot -e \
    "CREATE DATABASE wordpress; CREATE USER 'wp'@'localhost' IDENTIFIED BY '$DBPW'; GRANT ALL ON wordpress.* TO 'wp'@'localhost';"

  # Uploads and themes in the data dir (W4).
  mkdir -p "$D/wp-content/themes" "$D/wp-content/plugins" "$D/wp-content/uploads"
  ln -sfn "$WP/wp-content/themes/twentytwentythree" "$D/wp-content/themes/twentytwentythree"
  local URL="http://127.0.0.1:$PORT"
  local salts; salts=$(python3 -c '
import secrets
for k in ["AUTH_KEY","SECURE_AUTH_KEY","LOGGED_IN_KEY","NONCE_KEY","AUTH_SALT","SECURE_AUTH_SALT","LOGGED_IN_SALT","NONCE_SALT"]:
    print("define(%r, %r);" % (k, secrets.token_hex(32)))')
  cat > "$D/wp-config-local.php" <<PHP
<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', '$DBPW');
define('DB_HOST', 'localhost:$SOCK');
define('WP_HOME', '$URL');
define('WP_SITEURL', '$URL');
define('WP_CONTENT_DIR', '$D/wp-content');
define('WP_CONTENT_URL', '$URL/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
$salts
\$table_prefix = 'wp_';
PHP
  # Debian's wp-config.php only loads files from /etc/wordpress (W3): a one-line shim.
  local NAME="beatdesk-$PORT"
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "<?php require '$D/wp-config-local.php';" | $SUDO tee "/etc/wordpress/config-$NAME.php" >/dev/null
  echo "/etc/wordpress/config-$NAME.php" > "$D/shim"

  # The router picks the config (W2), serves uploads (W4), sends the rest to index.php.
  cat > "$D/router.php" <<PHP
<?php
\$_SERVER['WORDPRESS_CONFIG'] = '$NAME';
\$path = parse_url(\$_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
if (strpos(\$path, '/wp-content/') === 0 && strpos(\$path, '..') === false) {
    \$file = '$D' . \$path;
    if (is_file(\$file) && substr(\$file, -4) !== '.php') {
        header('Content-Type: ' . (mime_content_type(\$file) ?: 'application/octet-stream'));
        readfile(\$file);
        return true;
    }
}
\$file = '$WP' . \$path;
if (\$path !== '/' && is_file(\$file)) {
    if (substr(\$file, -4) !== '.php') return false;
    \$_SERVER['SCRIPT_NAME'] = \$_SERVER['PHP_SELF'] = \$path;
    \$_SERVER['SCRIPT_FILENAME'] = \$file;
    chdir(dirname(\$file));
    require \$file;
    return true;
}
\$_SERVER['SCRIPT_NAME'] = \$_SERVER['PHP_SELF'] = '/index.php';
\$_SERVER['SCRIPT_FILENAME'] = '$WP/index.php';
chdir('$WP');
require '$WP/index.php';
PHP

  # First run: wp_install() with the e-mail stubbed (W8), pretty permalinks, an application password.
  cat > "$D/setup.php" <<PHP
<?php
\$_SERVER['HTTP_HOST'] = '127.0.0.1:$PORT';
\$_SERVER['SERVER_NAME'] = '127.0.0.1';
\$_SERVER['SERVER_PORT'] = '$PORT';
\$_SERVER['REQUEST_URI'] = '/';
\$_SERVER['WORDPRESS_CONFIG'] = '$NAME';
define('WP_INSTALLING', true);
function wp_new_blog_notification() {}
require '$WP/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
\$r = wp_install('Beatdesk test desk', 'editor', 'editor@example.invalid', false, '', wp_generate_password(24));
global \$wp_rewrite;
\$wp_rewrite->set_permalink_structure('/%postname%/');
\$wp_rewrite->flush_rules(false);
\$p = WP_Application_Passwords::create_new_application_password(\$r['user_id'], array('name' => 'beatdesk-tests'));
if (is_wp_error(\$p)) { fwrite(STDERR, \$p->get_error_message() . "\n"); exit(1); }
echo \$p[0];
PHP
  local APP_PW
  APP_PW=$(php -d display_errors=stderr "$D/setup.php" 2>"$D/setup.log")

  PHP_CLI_SERVER_WORKERS=2 setsid php -S "127.0.0.1:$PORT" -t "$WP" "$D/router.php" \
    </dev/null >"$D/php.log" 2>&1 &
  echo $! > "$D/php.pgid"
  wait_http "$URL/wp-json/" 30
  cat > "$D/wordpress.env" <<ENV
BEATDESK_TEST_WP_URL=$URL
BEATDESK_TEST_WP_USER=editor
BEATDESK_TEST_WP_APP_PASSWORD='$APP_PW'
ENV
  cp "$D/wordpress.env" "$1/wordpress.env"
  echo "wordpress: up at $URL" >&2
}

stop() {
  local D="$1/wordpress"
  [ -d "$D" ] || return 0
  stop_group "$(cat "$D/php.pgid" 2>/dev/null || true)"
  stop_group "$(cat "$D/mariadb.pgid" 2>/dev/null || true)"
  if [ -f "$D/shim" ]; then
    local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO rm -f "$(cat "$D/shim")"
  fi
  [ -f "$D/sock" ] && rm -f "$(cat "$D/sock")"
  rm -f "$D/php.pgid" "$D/mariadb.pgid" "$1/wordpress.env"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?DATA_DIR}" ;;
  stop) stop "${2:?DATA_DIR}" ;;
  *) echo "usage: $0 install | start DATA_DIR | stop DATA_DIR" >&2; exit 2 ;;
esac
