"""Generated requests against a service's OpenAPI, as each role: no answer may be a 5xx.

Schemathesis derives valid and invalid requests from the schema; Hypothesis draws them
deterministically (derandomized), so a run is repeatable. Each drawn request is sent once per
role (every role's token, and none). A 5xx is recorded, not raised, so one broken route does not
hide the others; the caller asserts the report is clean.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

# Requests drawn per operation: short in `make test`, long in `make fuzz`.
SHORT_EXAMPLES = 4
LONG_EXAMPLES = 60


def examples_per_operation() -> int:
    """How many requests to draw per operation (RATSRAUM_FUZZ_EXAMPLES overrides)."""
    return int(os.environ.get("RATSRAUM_FUZZ_EXAMPLES", SHORT_EXAMPLES))


@dataclass
class FuzzReport:
    """What a run tried and which answers were server errors."""

    operations: int = 0
    cases: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the test log and docs/reliability.md."""
        return (f"{self.operations} operations, {self.cases} generated cases, "
                f"{self.requests} requests, {len(self.failures)} server errors")


def fuzz(
    *, openapi: dict[str, Any], base_url: str, roles: dict[str, dict[str, str]],
    examples: int, skip: Callable[[str, str], bool] = lambda _m, _p: False,
) -> FuzzReport:
    """Send generated requests for every operation as every role (blocking; run in a thread)."""
    schema = schemathesis.openapi.from_dict(openapi)
    report = FuzzReport()
    session = requests.Session()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):  # the service published a schema it cannot honour
            report.failures.append(f"invalid operation in the schema: {result.err()}")
            continue
        operation = result.ok()
        if skip(operation.method.upper(), operation.path):
            continue
        report.operations += 1
        strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
        with contextlib.suppress(Exception):  # some operations have no invalid form
            strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))

        @hypothesis.settings(
            max_examples=examples, derandomize=True, database=None, deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=st.one_of(strategies))
        def run(case: Any) -> None:
            report.cases += 1
            for role, headers in roles.items():
                response = case.call(base_url=base_url, session=session,
                                     headers={**(case.headers or {}), **headers}, timeout=15)
                report.requests += 1
                if response.status_code >= 500:
                    report.failures.append(
                        f"{role}: {case.method} {response.request.url} "
                        f"body={case.body!r:.200} -> {response.status_code} "
                        f"{response.text[:300]}")

        run()
    session.close()
    return report


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an already started ASGI app over real HTTP on a free port while the block runs."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server did not start")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = server.force_exit = True
        await task
