"""Live push: core-NATS intake and the in-process broadcaster feeding SSE streams."""
