"""The operator's pages (`/operator/...`): list, create, suspend, resume and delete towns.

Signing in always needs the authenticator code (the admin API's check). Each form calls the
operator API's own function, so the rules and audit events are the API's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from ratsraum_identity.admin_errors import AdminError
from ratsraum_identity.api import operator as api
from ratsraum_identity.api.admin_session import (
    PageSession,
    expired,
    posted,
    session_of,
    sign_in,
    sign_in_page,
    sign_out,
)
from ratsraum_identity.towns.service import STATE_KEYS
from ratsraum_identity.web.admin_forms import error_texts, field
from ratsraum_identity.web.admin_render import language_of, render, text

router = APIRouter(prefix="/operator", include_in_schema=False)
DONE = ("created", "suspended", "resumed", "deleted")
PAST = {"suspend": "suspended", "resume": "resumed", "delete": "deleted"}
EMPTY = {"id": "", "name": "", "state": "", "ags": "", "admin_name": "", "admin_email": ""}


async def _towns_page(request: Request, session: PageSession, *, status_code: int = 200,
                      form: dict[str, str] | None = None,
                      errors: list[str] | None = None) -> Response:
    done = request.query_params.get("done")
    mail = request.query_params.get("mail")
    return render(request, "towns.html", status_code=status_code, kind="operator",
                  csrf_token=session.csrf, towns=await api.list_towns(request, session.actor),
                  states=sorted(STATE_KEYS), form=form or EMPTY, errors=errors or [],
                  done=done if done in DONE else None,
                  mail=mail if mail in ("sent", "not_sent", "failed") else None)


@router.get("")
async def operator_home(request: Request) -> Response:
    """The operator pages start at the town list."""
    return RedirectResponse("/operator/towns", status_code=303)


@router.get("/sign-in")
async def operator_sign_in_form(request: Request) -> Response:
    """The operator's sign-in form (password and authenticator code)."""
    return sign_in_page(request, "operator")


@router.post("/sign-in")
async def operator_sign_in(request: Request) -> Response:
    """Sign in as an operator."""
    return await sign_in(request, "operator")


@router.post("/sign-out")
async def operator_sign_out(request: Request) -> Response:
    """End the operator page session."""
    session = await session_of(request, "operator")
    if isinstance(session, PageSession) and await posted(request, session) is None:
        return expired(request, session)
    return sign_out(request, "operator")


@router.get("/towns")
async def towns_page(request: Request) -> Response:
    """Every town, and the form to create one."""
    session = await session_of(request, "operator")
    if not isinstance(session, PageSession):
        return session
    return await _towns_page(request, session)


@router.post("/towns")
async def create_town(request: Request) -> Response:
    """Create a town and invite its first admin by mail."""
    session = await session_of(request, "operator")
    if not isinstance(session, PageSession):
        return session
    form = await posted(request, session)
    if form is None:
        return expired(request, session)
    values = {key: field(form, key, 320) for key in EMPTY}
    values["id"] = values["id"].lower()
    try:
        created = await api.create_town(api.TownIn(
            id=values["id"], name=values["name"], state=values["state"], ags=values["ags"],
            admin=api.FirstAdmin(email=values["admin_email"], name=values["admin_name"])),
            request, session.actor)
    except (AdminError, ValidationError) as exc:
        return await _towns_page(request, session, status_code=getattr(exc, "status", 422),
                                 form=values,
                                 errors=error_texts(exc, language_of(request)))
    return RedirectResponse(f"/operator/towns?done=created&mail={created.mail}",
                            status_code=303)


async def _town_or_refusal(request: Request, session: PageSession,
                           town_id: str) -> api.TownOut | Response:
    try:
        return await api.get_town(town_id, request, session.actor)
    except AdminError as exc:
        return await _towns_page(request, session, status_code=exc.status,
                                 errors=error_texts(exc, language_of(request)))


@router.get("/towns/{town_id}/delete")
async def delete_confirm(town_id: str, request: Request) -> Response:
    """Ask again before deleting: the town's id must be typed to confirm."""
    session = await session_of(request, "operator")
    if not isinstance(session, PageSession):
        return session
    town = await _town_or_refusal(request, session, town_id)
    if isinstance(town, Response):
        return town
    return render(request, "town_delete.html", kind="operator", csrf_token=session.csrf,
                  town=town, errors=[])


@router.post("/towns/{town_id}/{action}")
async def town_action(town_id: str, action: str, request: Request) -> Response:
    """Suspend, resume or (confirmed) delete a town."""
    session = await session_of(request, "operator")
    if not isinstance(session, PageSession):
        return session
    form = await posted(request, session)
    if form is None:
        return expired(request, session)
    args: Any = (town_id, request, session.actor)
    try:
        if action == "suspend":
            await api.suspend_town(*args)
        elif action == "resume":
            await api.resume_town(*args)
        elif action == "delete":
            town = await api.get_town(*args)
            if field(form, "confirm", 80) != town.id:
                return render(request, "town_delete.html", status_code=422, kind="operator",
                              csrf_token=session.csrf, town=town,
                              errors=[_confirm_text(request)])
            await api.delete_town(*args)
        else:
            return await _towns_page(request, session, status_code=404)
    except AdminError as exc:
        return await _towns_page(request, session, status_code=exc.status,
                                 errors=error_texts(exc, language_of(request)))
    return RedirectResponse(f"/operator/towns?done={PAST[action]}", status_code=303)


def _confirm_text(request: Request) -> str:
    return text(language_of(request), "operator.delete.mismatch")
