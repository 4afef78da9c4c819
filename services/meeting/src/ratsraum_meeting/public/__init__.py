"""The public view of meetings: snapshot builder and its gRPC service."""
