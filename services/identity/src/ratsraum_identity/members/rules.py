"""Checks of what a town admin may assign: roles, body ids, person ids, addresses."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from ratsraum_common.i18n import Msg
from ratsraum_identity.accounts.service import BODY_ROLES
from ratsraum_identity.admin_errors import Invalid

# Roles held in the whole town through the admin API (a clerk of the council office often
# serves every body); body roles are given per body.
TOWN_ROLES = ("admin", "clerk")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")

BAD_TOWN_ROLE = Msg("Unbekannte stadtweite Rolle „{role}“ (erlaubt: admin, clerk).",
                    "Unknown town-wide role '{role}' (allowed: admin, clerk).")
BAD_BODY_ROLE = Msg(
    "Unbekannte Rolle „{role}“ im Gremium (erlaubt: member, deputy, chair, vice_chair, clerk).",
    "Unknown body role '{role}' (allowed: member, deputy, chair, vice_chair, clerk).")
BAD_ID = Msg("„{value}“ ist keine gültige Kennung (Buchstaben, Ziffern, . _ : -; höchstens 64).",
             "'{value}' is not a valid id (letters, digits, . _ : -; at most 64).")
BAD_EMAIL = Msg("„{value}“ ist keine gültige E-Mail-Adresse.",
                "'{value}' is not a valid e-mail address.")
NO_ROLE = Msg("Das Konto braucht mindestens eine Rolle.",
              "The account needs at least one role.")


def check_id(value: str) -> str:
    """A body or person id, or Invalid."""
    if not ID_PATTERN.match(value):
        raise Invalid(BAD_ID, value=value[:80])
    return value


def check_roles(
    town_roles: list[str], body_roles: list[tuple[str, str]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The roles de-duplicated and sorted, or Invalid naming the first bad one."""
    for role in town_roles:
        if role not in TOWN_ROLES:
            raise Invalid(BAD_TOWN_ROLE, role=role[:40])
    for body, role in body_roles:
        check_id(body)
        if role not in BODY_ROLES:
            raise Invalid(BAD_BODY_ROLE, role=role[:40])
    if not town_roles and not body_roles:
        raise Invalid(NO_ROLE)
    return sorted(set(town_roles)), sorted(set(body_roles))


def normal_email(value: str) -> str:
    """The address in its stored form (lower case, syntax checked, no DNS), or Invalid."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(BAD_EMAIL, value=value[:80]) from exc
    return str(checked.normalized).lower()
