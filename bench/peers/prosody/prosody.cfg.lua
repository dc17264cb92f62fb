-- Prosody 0.12 for the bench: loopback only, no rate limits, SCRAM iteration count as Starling's; TLS
-- (STARTTLS and a TLS-from-the-first-byte port) only when BENCH_PROSODY_TLS_PORT is set (`--tls` runs).
-- Paths come from the environment (Prosody maps ENV_X to $X): run.mjs sets BENCH_PROSODY_DATA/_RUN/_PORT,
-- and BENCH_PROSODY_CERT (the bench certificate's path without .key/.crt) for TLS.
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
local tls_port = tonumber(ENV_BENCH_PROSODY_TLS_PORT)
c2s_direct_tls_ports = { tls_port }
s2s_ports = {}
http_ports = {}
https_ports = {}
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
allow_registration = false
authentication = "internal_hashed"
default_iteration_count = tonumber(ENV_BENCH_SCRAM_ITERATIONS)
storage = "internal"
-- The same features as the Starling side: login, roster, presence, message delivery, ping, disco.
-- No mod_limits (Debian's default config shapes c2s to 10 kB/s), no smacks, no carbons, no offline.
local enabled = { "roster", "saslauth", "disco", "ping", "posix" }
local disabled = { "s2s", "offline" }
if tls_port then
	enabled[#enabled + 1] = "tls"
	ssl = { key = ENV_BENCH_PROSODY_CERT .. ".key", certificate = ENV_BENCH_PROSODY_CERT .. ".crt" }
else
	disabled[#disabled + 1] = "tls"
end
modules_enabled = enabled
modules_disabled = disabled
admin_socket = run .. "/prosody.sock"
certificates = run .. "/certs"
VirtualHost "localhost"
