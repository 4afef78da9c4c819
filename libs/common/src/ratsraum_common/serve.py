"""Run a service's ASGI app under uvicorn; background work lives in the app's lifespan."""

from __future__ import annotations

from typing import Any

import uvicorn


def run_http(app: Any, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve until SIGINT/SIGTERM; the lifespan then stops gRPC servers, relays, consumers."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        log_config=None,  # keep our structured logging
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
