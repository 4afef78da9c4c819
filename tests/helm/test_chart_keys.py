"""Key material reaches identity, meeting and the guardians from Secrets or pinned values,
never from a pod's scratch disk."""

from __future__ import annotations

import sys
from pathlib import Path

import helm_python as helm
import pytest
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).parent))
from chartrender import (
    PRODUCTION,
    VALUE_SETS,
    Obj,
    component,
    containers,
    env_of,
    kind,
    render,
    render_values,
)

PUBLIC_KEY = "ab" * 32
GUARDIANS = {"guardians": {"members": [{"id": "vorsitz"}, {"id": "kasse"}]}}


def _ref(env: dict[str, Obj], name: str) -> dict[str, str]:
    assert "value" not in env[name], name
    return dict(env[name]["valueFrom"]["secretKeyRef"])


@pytest.mark.parametrize("values_file", [p for _, p in VALUE_SETS],
                         ids=[i for i, _ in VALUE_SETS])
def test_totp_and_session_keys_come_from_secrets(values_file: Path | None) -> None:
    """Every install gives identity its TOTP keys, meeting its session keys and the portal its
    form key by reference."""
    objects = render(values_file)
    assert _ref(env_of(objects, "identity"), "IDENTITY_TOTP_ENCRYPTION_KEYS")["name"]
    assert _ref(env_of(objects, "meeting"), "MEETING_WEB_SESSION_KEYS")["name"]
    if any(component(d) == "citizen-portal" for d in kind(objects, "Deployment")):
        assert _ref(env_of(objects, "citizen-portal"), "PORTAL_FORM_SECRET")["name"]


@pytest.mark.parametrize("values_file", [p for _, p in VALUE_SETS],
                         ids=[i for i, _ in VALUE_SETS])
def test_identity_never_writes_a_signing_key_into_its_read_only_mount(
        values_file: Path | None) -> None:
    """The signing keys are a read-only Secret mount, so identity must not rotate by itself."""
    env = env_of(render(values_file), "identity")
    assert env["IDENTITY_KEYS_DIR"]["value"].startswith("/var/run/secrets/")
    assert env["IDENTITY_SIGNING_KEY_MAX_AGE_DAYS"]["value"] == "0"


def test_default_secret_names_follow_the_release() -> None:
    """Without names: <fullname>-identity-totp, -meeting-web-session, -citizen-portal-form."""
    objects = render(None)
    assert _ref(env_of(objects, "identity"), "IDENTITY_TOTP_ENCRYPTION_KEYS") == {
        "name": "ratsraum-identity-totp", "key": "totp-keys"}
    assert _ref(env_of(objects, "meeting"), "MEETING_WEB_SESSION_KEYS") == {
        "name": "ratsraum-meeting-web-session", "key": "session-keys"}
    assert _ref(env_of(objects, "citizen-portal"), "PORTAL_FORM_SECRET") == {
        "name": "ratsraum-citizen-portal-form", "key": "form-secret"}


def test_production_identity_sends_mail_with_a_referenced_password() -> None:
    """Identity's invitations go through the town's SMTP server; the password by reference."""
    env = env_of(render(PRODUCTION), "identity")
    assert env["IDENTITY_SMTP_HOST"]["value"] == "mail.stadt-beispiel.de"
    assert env["IDENTITY_SMTP_PORT"]["value"] == "587"
    assert env["IDENTITY_SMTP_TLS"]["value"] == "starttls"
    assert env["IDENTITY_MAIL_FROM"]["value"].endswith("<anmeldung@stadt-beispiel.de>")
    assert _ref(env, "IDENTITY_SMTP_PASSWORD") == {"name": "ratsraum-smtp",
                                                    "key": "identity-password"}
    assert _ref(env, "IDENTITY_TOTP_ENCRYPTION_KEYS") == {"name": "ratsraum-identity-totp",
                                                           "key": "keys"}


def test_no_smtp_host_means_no_smtp_settings() -> None:
    """Without a host identity gets no SMTP variables (it then says mail was not sent)."""
    env = env_of(render(None), "identity")
    assert not [name for name in env if "SMTP" in name or "MAIL_FROM" in name]


def test_rendered_identity_env_passes_identitys_production_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Identity's own settings accept the production env the chart renders."""
    from ratsraum_identity.config import Settings

    for name, var in env_of(render(PRODUCTION), "identity").items():
        secret = Fernet.generate_key().decode() if "TOTP" in name else "aus-einem-secret"
        monkeypatch.setenv(name, var.get("value", secret))
    settings = Settings()
    assert settings.environment == "production"
    assert len(settings.totp_encryption_keys) == 1
    assert str(settings.signing_keys_dir).startswith("/var/run/secrets/")
    assert settings.smtp_password is not None


def test_guardians_pin_votings_audit_key() -> None:
    """Each guardian in the cluster decrypts only what the configured audit key signed."""
    objects = render_values({**GUARDIANS, "services": {"voting": {"auditKey": {
        "publicKey": PUBLIC_KEY}}}})
    guardians = [c for _, _, c in containers(objects, ("StatefulSet",))]
    assert len(guardians) == 2
    for container in guardians:
        assert f"--voting-public-key={PUBLIC_KEY}" in container["args"]


def test_guardians_without_a_pinned_key_do_not_render() -> None:
    """Deploying guardians without voting's public key fails instead of trusting any caller."""
    with pytest.raises(helm.HelmRenderError, match=r"auditKey\.publicKey"):
        render_values(GUARDIANS)


def test_production_guardians_pin_the_published_key() -> None:
    """The production example deploys guardians pinned to its audit key."""
    objects = render(PRODUCTION)
    for _, _, container in containers(objects, ("StatefulSet",)):
        pinned = [a for a in container["args"] if a.startswith("--voting-public-key=")]
        assert len(pinned) == 1
        assert len(pinned[0].split("=", 1)[1]) == 64
