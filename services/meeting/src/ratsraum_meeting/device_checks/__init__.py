"""Members' device checks before a session: camera, microphone, connection, practice vote."""
