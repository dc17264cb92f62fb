-- Prosody 0.12 for bench/offline-bench.mjs: the bench's settings (bench/peers/prosody/prosody.cfg.lua: loopback
-- only, no TLS, no rate limits, SCRAM iteration count as Starling's) plus mod_offline, the module under
-- comparison. Paths come from the environment, as for that file: offline-bench.mjs sets them.
Include "peers/prosody/prosody.cfg.lua"
-- That file disables mod_offline globally; a host's modules_enabled is added after the global modules_disabled.
VirtualHost "localhost"
    modules_enabled = { "offline" }
