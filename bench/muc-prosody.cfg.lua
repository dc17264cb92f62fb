-- Prosody 0.12 for bench/muc-fanout.mjs: the bench's settings (loopback only, no TLS, no rate limits,
-- SCRAM iteration count as Starling's) plus its MUC component on muc.localhost, the module under comparison.
-- Paths come from the environment (Prosody maps ENV_X to $X): muc-fanout.mjs sets them.
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
http_ports = {}
https_ports = {}
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
allow_registration = false
authentication = "internal_hashed"
default_iteration_count = tonumber(ENV_BENCH_SCRAM_ITERATIONS)
storage = "internal"
modules_enabled = { "roster", "saslauth", "disco", "ping", "posix" }
modules_disabled = { "s2s", "tls", "offline" }
admin_socket = run .. "/prosody.sock"
certificates = run .. "/certs"
VirtualHost "localhost"
Component "muc.localhost" "muc"
    restrict_room_creation = false
    max_history_messages = 20
