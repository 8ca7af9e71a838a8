# Sourced by run.sh, h2.sh and compare.sh: a private nginx, one worker, on loopback only.
#
#   nginx_start WORK PORT [TLS_PORT [H2_PORT]]
#
# serves on http://127.0.0.1:PORT (and, with TLS_PORT, on https://127.0.0.1:TLS_PORT with a self-signed
# certificate for 127.0.0.1 made at run time): /1k and /1m (random bytes from WORK/html), /status (stub_status,
# which LoadRun reads for the connections nginx accepted) and /post, which answers any method, a POST with its
# body included, with 200 "ok". With TLS_PORT, WORK/tls/truststore.p12 (PKCS12, password "changeit") trusts the
# certificate, for the JVM clients' javax.net.ssl.trustStore. Exports NGINX_WORKER_PID (CpuSample reads the
# worker's CPU through it). With H2_PORT, the same TLS site also listens there with HTTP/2 (ALPN h2, then
# http/1.1; nginx 1.22's "listen ... ssl http2"). The caller stops it with nginx_stop WORK, e.g. from an EXIT trap.
# nginx_ticks prints the worker's CPU so far, for the cells of load generators (wrk, h2load).

nginx_start() {
  local work=$1 port=$2 tls_port=${3:-} h2_port=${4:-}
  mkdir -p "$work/html"
  head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$work/html/1k"
  head -c 1048576 /dev/urandom > "$work/html/1m"
  chmod 755 "$work" "$work/html" && chmod 644 "$work/html/"*   # nginx's workers run as an unprivileged user
  local locations='location = /status { stub_status; }
    location = /post { return 200 "ok"; }'
  local tls_server=""
  if [ -n "$tls_port" ]; then
    mkdir -p "$work/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
    chmod 755 "$work/tls" && chmod 644 "$work/tls/"*.pem
    rm -f "$work/tls/truststore.p12"
    keytool -importcert -noprompt -alias nginx -file "$work/tls/cert.pem" -keystore "$work/tls/truststore.p12" \
      -storetype PKCS12 -storepass changeit >/dev/null
    local h2_listen=""
    [ -n "$h2_port" ] && h2_listen="listen 127.0.0.1:$h2_port ssl http2 backlog=4096;"
    tls_server="server {
    listen 127.0.0.1:$tls_port ssl backlog=4096;
    $h2_listen
    ssl_certificate $work/tls/cert.pem;
    ssl_certificate_key $work/tls/key.pem;
    root $work/html;
    $locations
  }"
  fi
  cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $work/html;
    $locations
  }
  $tls_server
}
NGINX
  nginx -c "$work/nginx.conf"
  sleep 0.5
  NGINX_WORKER_PID=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
  export NGINX_WORKER_PID
}

nginx_stop() {
  [ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null || true
}

nginx_ticks() { # utime + stime of the nginx worker, in 1/100 s
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$NGINX_WORKER_PID/stat"
}
