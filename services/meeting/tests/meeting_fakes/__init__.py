"""Fakes at meeting's true borders (the voting service's gRPC API)."""
