"""The chart's security promises: default deny, exact egress, secrets by reference only,
no internal path on an ingress, guardians reachable from voting alone, production is https."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from chartrender import (
    CHART,
    KUBE_VERSION,
    NAMESPACE,
    PRODUCTION,
    RELEASE,
    VALUE_SETS,
    Obj,
    component,
    containers,
    env_of,
    kind,
    render,
    render_values,
    selects,
    values,
    workloads,
)

# A NATS URL is plain (credentials are refused in it); a database URL always carries a password.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE|_KEY$|DATABASE_URL")
CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
PEM = re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----")
INTERNAL_PATHS = {"/metrics", "/healthz", "/readyz", "/api/v1/docs", "/api/v1/openapi.json",
                  "/docs"}
# Paths only the portal calls (citizens' links): never on an ingress, meeting's included.
PORTAL_ONLY = {"meeting": {"/api/v1/citizen-links"}}
AUDIT_PUBLIC_KEY = "9f" * 32
WITH_GUARDIANS = {"guardians": {"members": [{"id": "vorsitz"}, {"id": "kasse"}]},
                  "services": {"voting": {"auditKey": {"publicKey": AUDIT_PUBLIC_KEY}}}}


@pytest.fixture(params=[p for _, p in VALUE_SETS], ids=[i for i, _ in VALUE_SETS])
def values_file(request: pytest.FixtureRequest) -> Path | None:
    """Each values set the chart must support."""
    return request.param  # type: ignore[no-any-return]


def _policies(objects: tuple[Obj, ...]) -> list[Obj]:
    return kind(objects, "NetworkPolicy")


def _pod_labels(workload: Obj) -> dict[str, str]:
    return dict(workload["spec"]["template"]["metadata"]["labels"])


def _egress_ports(policy: Obj) -> set[int]:
    return {p["port"] for rule in policy["spec"].get("egress") or [] for p in rule["ports"]}


def test_every_workload_starts_from_default_deny(values_file: Path | None) -> None:
    """An empty Ingress+Egress policy selects every pod; each pod also has its own policy."""
    objects = render(values_file)
    if values(values_file).get("networkPolicy", {}).get("enabled", True) is False:
        assert _policies(objects) == []
        return
    [deny] = [p for p in _policies(objects) if component(p) == "default-deny"]
    assert sorted(deny["spec"]["policyTypes"]) == ["Egress", "Ingress"]
    assert not deny["spec"].get("ingress")
    assert not deny["spec"].get("egress")
    own = [p for p in _policies(objects) if component(p) != "default-deny"]
    for workload in workloads(objects):
        labels = _pod_labels(workload)
        assert selects(deny["spec"]["podSelector"]["matchLabels"], labels), workload["metadata"]
        mine = [p for p in own if selects(p["spec"]["podSelector"]["matchLabels"], labels)]
        assert len(mine) == 1, workload["metadata"]["name"]
        assert sorted(mine[0]["spec"]["policyTypes"]) == ["Egress", "Ingress"]
    for policy in own:
        for direction, peers in (("ingress", "from"), ("egress", "to")):
            for rule in policy["spec"].get(direction) or []:
                # A rule without peers or ports would open everything it does not name.
                assert rule.get(peers), (policy["metadata"]["name"], rule)
                assert rule.get("ports"), (policy["metadata"]["name"], rule)


def test_each_service_may_reach_exactly_what_it_needs() -> None:
    """DNS and its database for all; NATS, identity's JWKS and gRPC peers only where used."""
    objects = render_values(WITH_GUARDIANS)
    ports = {component(p): _egress_ports(p) for p in _policies(objects)}
    assert ports["identity"] == {53, 5432, 4222}
    assert ports["meeting"] == {53, 5432, 4222, 8081, 50051}
    assert ports["voting"] == {53, 5432, 4222, 50071}
    assert ports["citizen-portal"] == {53, 5432, 4222, 8081, 8082, 50052}
    assert ports["guardian"] == set()
    assert ports["default-deny"] == set()


def test_voting_is_called_by_meeting_and_guardians_by_voting_alone() -> None:
    """Each guardian: one pod with its own volume and TLS Secret, voting its only peer."""
    objects = render(PRODUCTION)
    voting_pods = next(_pod_labels(d) for d in kind(objects, "Deployment")
                       if component(d) == "voting")
    local = [s for s in kind(objects, "StatefulSet") if component(s) == "guardian"]
    assert {s["metadata"]["labels"]["ratsraum.de/guardian"] for s in local} == {
        "vorsitz", "stellvertretung"}
    tls_secrets = set()
    for statefulset in local:
        assert statefulset["spec"]["replicas"] == 1
        assert statefulset["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "shares"
        pod = statefulset["spec"]["template"]["spec"]
        tls = next(v for v in pod["volumes"] if v["name"] == "tls")
        tls_secrets.add(tls["secret"]["secretName"])
        env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
        assert {"GUARDIAN_TLS_CERT_FILE", "GUARDIAN_TLS_KEY_FILE",
                "GUARDIAN_TLS_CLIENT_CA_FILE"} <= env.keys()
        [policy] = [p for p in _policies(objects) if component(p) == "guardian" and selects(
            p["spec"]["podSelector"]["matchLabels"], _pod_labels(statefulset))]
        [rule] = policy["spec"]["ingress"]
        [peer] = rule["from"]
        assert selects(peer["podSelector"]["matchLabels"], voting_pods)
        assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "voting"
        assert "namespaceSelector" not in peer
        assert policy["spec"]["egress"] == []
    assert len(tls_secrets) == len(local)  # no guardian shares another's certificate
    env = env_of(objects, "voting")
    guardians = json.loads(env["VOTING_GUARDIANS"]["value"])
    assert [g["id"] for g in guardians] == ["vorsitz", "stellvertretung", "kasse"]
    services = {s["metadata"]["name"]: s for s in kind(objects, "Service")}
    for guardian in guardians[:2]:
        host, port = guardian["address"].split(":")
        assert int(port) in {p["port"] for p in services[host]["spec"]["ports"]}
    assert guardians[2]["address"] == "guardian.stadt-beispiel.de:50071"
    for name in ("CA", "CERT", "KEY"):
        assert env[f"VOTING_GUARDIAN_TLS_{name}_FILE"]["value"].startswith("/var/run/secrets/")


def test_no_secret_value_in_any_manifest(values_file: Path | None) -> None:
    """No Secret is templated; secret-looking env only via secretKeyRef; no key, no password."""
    objects = render(values_file)
    assert kind(objects, "Secret") == []
    text = yaml.safe_dump_all(objects)
    assert not CREDENTIALS_IN_URL.search(text)
    assert not PEM.search(text)
    for name, _, container in containers(objects, ("Deployment", "StatefulSet")):
        for var in container.get("env", []):
            if SECRET_NAME.search(var["name"]) and not var["name"].endswith("_FILE"):
                assert "value" not in var, (name, var["name"])
                assert var["valueFrom"]["secretKeyRef"]["name"], (name, var["name"])
    for config_map in kind(objects, "ConfigMap"):
        for body in config_map["data"].values():
            for line in body.splitlines():
                if "password" in line.lower() and ":" in line and not line.strip().startswith("#"):
                    assert re.fullmatch(r"\s*password: \$[A-Z0-9_]+", line), line


def test_production_secrets_arrive_by_reference() -> None:
    """SMTP password, video secrets, NATS password and audit key come from Secrets."""
    objects = render(PRODUCTION)
    meeting = env_of(objects, "meeting")
    refs = {k: v["valueFrom"]["secretKeyRef"] for k, v in meeting.items() if "valueFrom" in v}
    assert refs["MEETING_SMTP_PASSWORD"] == {"name": "ratsraum-smtp", "key": "password"}
    assert refs["RATSRAUM_VIDEO_SOEST_WEBEX_TOKEN"]["name"] == "ratsraum-video"
    assert refs["MEETING_NATS_PASSWORD"] == {"name": "ratsraum-nats-users", "key": "meeting"}
    assert meeting["MEETING_NATS_TLS_CA_FILE"]["value"].startswith("/var/run/secrets/")
    voting = next(d for d in kind(objects, "Deployment") if component(d) == "voting")
    pod = voting["spec"]["template"]["spec"]
    audit = next(v for v in pod["volumes"] if v["name"] == "audit-key")
    assert audit["secret"]["secretName"] == "ratsraum-audit-signing-key"
    key_file = env_of(objects, "voting")["VOTING_AUDIT_KEY_FILE"]["value"]
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "audit-key")
    assert mount["readOnly"] is True
    assert key_file.startswith(mount["mountPath"] + "/")


def test_ingress_publishes_only_public_paths(values_file: Path | None) -> None:
    """Probes, metrics and API docs route to a Service without endpoints; the rest to the app."""
    objects = render(values_file)
    services = {s["metadata"]["name"]: s for s in kind(objects, "Service")}
    for ingress in kind(objects, "Ingress"):
        app = {s["metadata"]["name"] for s in services.values()
               if component(s) == component(ingress)}
        internal = INTERNAL_PATHS | PORTAL_ONLY.get(component(ingress), set())
        for rule in ingress["spec"]["rules"]:
            routes = {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
            assert all(p["pathType"] == "Prefix" for p in rule["http"]["paths"])
            assert routes.keys() == internal | {"/"}
            assert routes["/"] in app
            for path in internal:
                blocked = services[routes[path]]
                assert component(blocked) == "not-public"
                assert "selector" not in blocked["spec"]
    assert kind(objects, "Endpoints") == []
    assert kind(objects, "EndpointSlice") == []


def test_meeting_http_port_admits_the_portal_for_citizens_links() -> None:
    """The portal relays citizens' links to meeting's HTTP port inside the cluster."""
    objects = render(PRODUCTION)
    pods = {component(d): _pod_labels(d) for d in kind(objects, "Deployment")}
    [meeting] = [p for p in _policies(objects) if component(p) == "meeting"]
    http_peers = [peer for rule in meeting["spec"]["ingress"] for peer in rule["from"]
                  if {p["port"] for p in rule["ports"]} == {8082} and "podSelector" in peer
                  and "namespaceSelector" not in peer]
    assert [name for name, labels in pods.items()
            if any(selects(p["podSelector"]["matchLabels"], labels) for p in http_peers)
            ] == ["citizen-portal"]
    url = env_of(objects, "citizen-portal")["PORTAL_MEETING_HTTP_URL"]["value"]
    host, port = url.removeprefix("http://").split(":")
    [service] = [s for s in kind(objects, "Service") if s["metadata"]["name"] == host]
    assert component(service) == "meeting"
    assert int(port) in {p["port"] for p in service["spec"]["ports"]}


def test_production_enforces_https() -> None:
    """IDENTITY_ENVIRONMENT=production, an https issuer everyone trusts, TLS on every ingress."""
    objects = render(PRODUCTION)
    for service in ("identity", "meeting", "voting", "citizen-portal"):
        prefix = "PORTAL_" if service == "citizen-portal" else f"{service.upper()}_"
        assert env_of(objects, service)[f"{prefix}ENVIRONMENT"]["value"] == "production"
    identity = env_of(objects, "identity")
    issuer = identity["IDENTITY_ISSUER"]["value"]
    assert issuer.startswith("https://")
    assert env_of(objects, "meeting")["MEETING_OIDC_ISSUER"]["value"] == issuer
    assert env_of(objects, "citizen-portal")["PORTAL_OIDC_ISSUER"]["value"] == issuer
    meeting_url = env_of(objects, "meeting")["MEETING_PUBLIC_APP_URL"]["value"]
    assert meeting_url.startswith("https://")
    assert json.loads(identity["IDENTITY_WEB_REDIRECT_URIS"]["value"]) == [
        f"{meeting_url}/auth/callback"]
    for ingress in kind(objects, "Ingress"):
        hosts = {r["host"] for r in ingress["spec"]["rules"]}
        assert hosts <= {h for t in ingress["spec"]["tls"] for h in t["hosts"]}


def test_chart_defaults_are_production() -> None:
    """Without any setting the services run as production (identity refuses http issuers)."""
    assert env_of(render(None), "identity")["IDENTITY_ENVIRONMENT"]["value"] == "production"


def test_production_refuses_an_ingress_without_tls() -> None:
    """In production an ingress without a TLS Secret does not render."""
    given = {"services": {"meeting": {"ingress": {"enabled": True, "host": "s.example.org"}}}}
    with pytest.raises(helm.HelmRenderError, match="tlsSecretName is required in production"):
        render_values(given)
    development = render_values({**given, "environment": "development"})
    assert [component(i) for i in kind(development, "Ingress")] == ["meeting"]


def test_guardians_render_valid_objects() -> None:
    """Guardians with the chart defaults validate strictly against the Kubernetes API."""
    objects = render_values(WITH_GUARDIANS)
    assert len(kind(objects, "StatefulSet")) == 2
    for obj in objects:
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        pytest.param({"services": {"meeting": {"smtp": {"password": "geheim"}}}}, "password",
                     id="smtp-password-inline"),
        pytest.param({"services": {"meeting": {"env": {"MEETING_SMTP_PASSWORD": "geheim"}}}},
                     "MEETING_SMTP_PASSWORD", id="password-as-plain-env"),
        pytest.param({"services": {"meeting": {"env": {"RATSRAUM_VIDEO_SOEST_WEBEX_TOKEN": "t"}}}},
                     "RATSRAUM_VIDEO_SOEST_WEBEX_TOKEN", id="video-secret-as-plain-env"),
        pytest.param({"services": {"meeting": {"env": {"OPARL_URL": "https://u:p@x.de/"}}}},
                     "OPARL_URL", id="credentials-in-plain-url"),
        pytest.param({"services": {"voting": {"auditKey": {"value": "-----BEGIN"}}}}, "value",
                     id="audit-key-inline"),
        pytest.param({"nats": {"url": "nats://meeting:geheim@nats:4222"}}, "url",
                     id="nats-credentials-in-url"),
        pytest.param({"services": {"meeting": {"secretEnv": {"X_TOKEN": {"value": "t"}}}}},
                     "value", id="secret-env-with-value"),
        pytest.param({"services": {"meeting": {"extraEgress": [{"to": [
            {"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}}}, "ports", id="egress-without-ports"),
        pytest.param({"guardians": {"members": [{"id": "vorsitz", "share": "abc"}]}}, "share",
                     id="guardian-share-inline"),
        pytest.param({"environment": "staging"}, "environment", id="environment"),
        pytest.param({"services": {"identity": {"smtp": {"password": "geheim"}}}}, "password",
                     id="identity-smtp-password-inline"),
        pytest.param({"services": {"identity": {"env": {"IDENTITY_SMTP_PASSWORD": "g"}}}},
                     "IDENTITY_SMTP_PASSWORD", id="identity-smtp-password-as-plain-env"),
        pytest.param({"services": {"identity": {"env": {
            "IDENTITY_TOTP_ENCRYPTION_KEYS": "k"}}}}, "IDENTITY_TOTP_ENCRYPTION_KEYS",
                     id="totp-keys-as-plain-env"),
        pytest.param({"services": {"identity": {"totpKeys": {"value": "k"}}}}, "value",
                     id="totp-keys-inline"),
        pytest.param({"services": {"meeting": {"env": {"MEETING_WEB_SESSION_KEYS": "k"}}}},
                     "MEETING_WEB_SESSION_KEYS", id="web-session-keys-as-plain-env"),
        pytest.param({"services": {"meeting": {"webSessionKeys": {"value": "k"}}}}, "value",
                     id="web-session-keys-inline"),
        pytest.param({"services": {"citizen-portal": {"env": {"PORTAL_FORM_SECRET": "k"}}}},
                     "PORTAL_FORM_SECRET", id="portal-form-secret-as-plain-env"),
        pytest.param({"services": {"citizen-portal": {"formSecret": {"value": "k"}}}}, "value",
                     id="portal-form-secret-inline"),
        pytest.param({"services": {"voting": {"auditKey": {"publicKey": "-----BEGIN"}}}},
                     "publicKey", id="audit-public-key-not-hex"),
    ],
)
def test_schema_rejects_inline_secrets_and_open_rules(bad: dict[str, Any], why: str) -> None:
    """Where a reference is expected, a plain value is refused before anything renders."""
    with (
        helm.Chart.load(CHART) as chart,
        pytest.raises(helm.HelmValuesError, match=re.escape(why)),
    ):
        chart.render(bad, name=RELEASE, namespace=NAMESPACE)
