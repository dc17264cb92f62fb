-- Prosody 0.12 for the web bench (bench/web.mjs): bench/peers/prosody/prosody.cfg.lua plus mod_websocket and
-- mod_bosh on one loopback HTTP port. Plain ws/http on both servers, SCRAM-SHA-1 (no PLAIN without TLS).
local data = ENV_BENCH_PROSODY_DATA
local run = ENV_BENCH_PROSODY_RUN
run_as_root = true
daemonize = false
data_path = data
pidfile = run .. "/prosody.pid"
log = { warn = run .. "/prosody.log" }
network_backend = "epoll"
admins = { "admin@localhost" }
c2s_ports = { tonumber(ENV_BENCH_PROSODY_PORT) }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = {}
s2s_ports = {}
http_ports = { tonumber(ENV_BENCH_PROSODY_HTTP_PORT) }
http_interfaces = { "127.0.0.1" }
https_ports = {}
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
allow_registration = false
authentication = "internal_hashed"
default_iteration_count = tonumber(ENV_BENCH_SCRAM_ITERATIONS)
storage = "internal"
cross_domain_websocket = true
cross_domain_bosh = true
bosh_max_inactivity = 600
modules_enabled = { "roster", "saslauth", "disco", "ping", "posix", "websocket", "bosh" }
modules_disabled = { "s2s", "tls", "offline" }
admin_socket = run .. "/prosody.sock"
certificates = run .. "/certs"
VirtualHost "localhost"
