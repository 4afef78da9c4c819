"""A service collects garbage rarely, and never walks what it built at start."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ratsraum_common.serve import GC_THRESHOLDS, tune_gc


async def test_startup_state_is_frozen_once_the_app_is_ready() -> None:
    seen: dict[str, int] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        seen["frozen_during_startup"] = gc.get_freeze_count()
        yield

    thresholds = gc.get_threshold()
    app = FastAPI(lifespan=lifespan)
    tune_gc(app)
    try:
        assert gc.get_threshold() == GC_THRESHOLDS
        async with app.router.lifespan_context(app):
            assert seen["frozen_during_startup"] == 0  # nothing frozen before startup is done
            assert gc.get_freeze_count() > 0  # what startup built is left alone from now on
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
