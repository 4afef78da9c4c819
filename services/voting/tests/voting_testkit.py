"""Test helpers: run voting in-process (voting's own tests) and build requests and refusals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from fastapi import FastAPI

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.grpcutil import channel, error_reason
from ratsraum_voting.config import Settings
from ratsraum_voting.main import build_app


@dataclass
class RunningVoting:
    """A started voting service: its app, gRPC target and a client stub."""

    app: FastAPI
    target: str
    stub: Any


@asynccontextmanager
async def running_voting(settings: Settings) -> AsyncIterator[RunningVoting]:
    """Start the whole service (use grpc_port=0 for a free port) and stop it on exit."""
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        target = f"{settings.grpc_host}:{app.state.grpc_port}"
        client = channel(target)
        try:
            yield RunningVoting(
                app=app, target=target, stub=voting_pb2_grpc.VotingServiceStub(client)
            )
        finally:
            await client.close()


def open_request(tenant: str, /, **overrides: Any) -> Any:
    """An OpenPollRequest for an open simple-majority vote of five members."""
    fields: dict[str, Any] = {
        "tenant": tenant,
        "poll_id": str(uuid.uuid4()),
        "meeting_id": "meeting-1",
        "agenda_item_id": "top-7",
        "title": "TOP 7: Digitalstrategie beschließen",
        "method": voting_pb2.VOTE_METHOD_OPEN,
        "majority_rule": voting_pb2.MAJORITY_RULE_SIMPLE,
        "roll": ["anna", "bernd", "cem", "dora", "emil"],
        "statutory_members": 11,
        "public": True,
    }
    fields.update(overrides)
    return voting_pb2.OpenPollRequest(**fields)


def cast_request(tenant: str, poll_id: str, voter: str, option: str, key: str = "") -> Any:
    """A CastBallotRequest with a fresh idempotency key unless one is given."""
    return voting_pb2.CastBallotRequest(
        tenant=tenant, poll_id=poll_id, voter_id=voter, option_id=option,
        idempotency_key=key or uuid.uuid4().hex,
    )


async def refusal(call: Any) -> tuple[grpc.StatusCode, str | None, str]:
    """Await a call that must fail; returns (status code, ErrorInfo reason, message)."""
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        return exc.code(), error_reason(exc), exc.details() or ""
    raise AssertionError("the call succeeded but should have been refused")
