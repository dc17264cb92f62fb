-- Prosody 0.12 for bench/muc-fanout.mjs: the bench's settings (bench/peers/prosody/prosody.cfg.lua: loopback
-- only, no TLS, no rate limits, SCRAM iteration count as Starling's) plus its MUC component on muc.localhost,
-- the module under comparison. Paths come from the environment, as for that file: muc-fanout.mjs sets them.
Include "peers/prosody/prosody.cfg.lua"
Component "muc.localhost" "muc"
    restrict_room_creation = false
    max_history_messages = 20
