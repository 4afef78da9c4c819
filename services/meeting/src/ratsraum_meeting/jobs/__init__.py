"""Work that no single domain owns and no HTTP request runs alone: the lobby's heartbeat
sweeper and presence reported by video providers (pushed or polled), each applied across
lobby, attendance and votes and then pushed to the live screens."""
