"""The Helm chart renders, validates against the Kubernetes API schemas, and keeps its promises.

Rendering uses the real Helm library in-process (helm-python-sdk, no helm binary); every
object is checked with kubernetes-validate in strict mode, so unknown fields fail too.
"""

from __future__ import annotations

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
    RELEASE,
    REPO,
    SERVICES,
    VALUE_SETS,
    Obj,
)
from chartrender import component as _component
from chartrender import containers as _containers
from chartrender import kind as _kind
from chartrender import render as _render
from chartrender import selector as _selector
from chartrender import values as _values

CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


@pytest.fixture(params=[p for _, p in VALUE_SETS], ids=[i for i, _ in VALUE_SETS])
def values_file(request: pytest.FixtureRequest) -> Path | None:
    """Each values set the chart must support."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def objects(values_file: Path | None) -> tuple[Obj, ...]:
    """All objects rendered for one values set."""
    return _render(values_file)


def test_ci_value_sets_exist() -> None:
    """The chart ships a default and at least one more test values set."""
    names = {i for i, _ in VALUE_SETS}
    assert {"default-values", "production-values"} <= names


def test_lint_is_clean() -> None:
    """`helm lint --strict` finds no error for the target Kubernetes version."""
    report = helm.lint(CHART, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_every_object_is_valid_kubernetes(objects: tuple[Obj, ...]) -> None:
    """Every rendered object passes the strict Kubernetes OpenAPI schema."""
    assert objects
    for obj in objects:
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_one_deployment_service_and_pdb_per_enabled_service(objects: tuple[Obj, ...]) -> None:
    """The looped templates produce one of each per enabled service, all with probes."""
    deployments = {_component(d) for d in _kind(objects, "Deployment")}
    assert deployments <= set(SERVICES)
    services = {_component(s) for s in _kind(objects, "Service")}
    assert services & set(SERVICES) == deployments
    assert services - set(SERVICES) <= {"guardian", "not-public"}
    assert {_component(p) for p in _kind(objects, "PodDisruptionBudget")} == deployments
    for pdb in _kind(objects, "PodDisruptionBudget"):
        assert pdb["apiVersion"] == "policy/v1"


def test_every_container_has_probes_and_resources(objects: tuple[Obj, ...]) -> None:
    """Liveness and readiness probes plus requests and limits on every container."""
    for name, _, container in _containers(objects):
        assert "livenessProbe" in container, name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert {"requests", "limits"} <= container["resources"].keys(), name


def test_every_container_runs_unprivileged(objects: tuple[Obj, ...]) -> None:
    """Non-root, no privilege escalation, read-only root with writable emptyDirs only."""
    for name, pod, container in _containers(objects):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        sc = container["securityContext"]
        assert sc["runAsNonRoot"] is True, name
        assert sc.get("runAsUser", pod["securityContext"].get("runAsUser")) != 0, name
        assert sc["allowPrivilegeEscalation"] is False, name
        assert sc["readOnlyRootFilesystem"] is True, name
        assert sc["capabilities"]["drop"] == ["ALL"], name
        assert "privileged" not in sc, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        for mount in container["volumeMounts"]:
            if not mount.get("readOnly"):
                assert "emptyDir" in volumes[mount["name"]], (name, mount)
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}, name  # noqa: S108


def test_no_secret_inline_in_env(objects: tuple[Obj, ...]) -> None:
    """Database URLs come from secretKeyRef; no plain env value carries credentials."""
    assert _kind(objects, "Secret") == []  # secrets are the operator's, never templated
    for name, _, container in _containers(objects):
        env = {e["name"]: e for e in container["env"]}
        db = [k for k in env if k.endswith("_DATABASE_URL")]
        assert len(db) == 1, name
        assert "value" not in env[db[0]], name
        assert env[db[0]]["valueFrom"]["secretKeyRef"]["name"], name
        for var in env.values():
            value = str(var.get("value", ""))
            assert not CREDENTIALS_IN_URL.search(value), (name, var["name"])
            assert not re.search(r"(PASSWORD|SECRET|TOKEN)", var["name"]) or "value" not in var


def test_voting_has_no_ingress(objects: tuple[Obj, ...]) -> None:
    """No Ingress routes to voting, whatever the values."""
    voting_service = f"{RELEASE}-voting"
    for ingress in _kind(objects, "Ingress"):
        assert _component(ingress) != "voting"
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert not path["backend"]["service"]["name"].endswith("-voting")
                assert path["backend"]["service"]["name"] != voting_service


def test_voting_networkpolicy_admits_only_meeting(values_file: Path | None) -> None:
    """Voting's gRPC port is open to meeting's pods alone; metrics to monitoring alone."""
    objects = _render(values_file)
    values = _values(values_file)
    policies = [p for p in _kind(objects, "NetworkPolicy") if _component(p) == "voting"]
    if values.get("networkPolicy", {}).get("enabled", True) is False:
        assert policies == []
        return
    assert len(policies) == 1
    spec = policies[0]["spec"]
    assert spec["podSelector"]["matchLabels"] == _selector(objects, "voting")
    assert "Ingress" in spec["policyTypes"]
    by_port: dict[int, list[Obj]] = {}
    for rule in spec["ingress"]:
        # A rule without ports or without peers would admit everything.
        assert rule.get("ports"), rule
        assert rule.get("from"), rule
        for port in rule["ports"]:
            by_port.setdefault(port["port"], []).extend(rule["from"])
    assert set(by_port) <= {50051, 8083}
    grpc_peers = by_port[50051]
    assert grpc_peers == [{"podSelector": {"matchLabels": _selector(objects, "meeting")}}]
    for peer in by_port.get(8083, []):
        assert peer.get("namespaceSelector"), peer


def test_production_adds_ingress_and_monitoring_namespace() -> None:
    """The production set publishes portal, identity and meeting, and scrapes from monitoring."""
    objects = _render(CHART / "ci" / "production-values.yaml")
    assert {_component(i) for i in _kind(objects, "Ingress")} == {
        "identity",
        "meeting",
        "citizen-portal",
    }
    policy = next(p for p in _kind(objects, "NetworkPolicy") if _component(p) == "voting")
    metrics = [r for r in policy["spec"]["ingress"] if r["ports"][0]["port"] == 8083]
    assert metrics[0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"
    }


@pytest.mark.parametrize("values_id", ["chart-defaults", "default-values", "production-values"])
def test_hpa_for_voting_and_portal(values_id: str) -> None:
    """autoscaling/v2 HPAs scale voting and portal, whose Deployments leave replicas to them."""
    objects = _render(dict(VALUE_SETS)[values_id])
    hpas = {_component(h): h for h in _kind(objects, "HorizontalPodAutoscaler")}
    assert {"voting", "citizen-portal"} <= hpas.keys()
    deployments = {d["metadata"]["name"]: d for d in _kind(objects, "Deployment")}
    for hpa in hpas.values():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment"
        assert "replicas" not in deployments[target["name"]]["spec"]
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


@pytest.mark.parametrize("release", ["stadt-musterhausen", "x" * 53])
def test_names_follow_the_release(release: str) -> None:
    """Objects of another release get their own valid names, so two towns can share a namespace."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render({}, name=release, namespace=NAMESPACE)
    objects = [
        d for t, m in manifests.items() if t.endswith(".yaml") for d in yaml.safe_load_all(m)
    ]
    for obj in filter(None, objects):
        name = obj["metadata"]["name"]
        assert len(name) <= 63, name
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name), name
        assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == release
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_services_find_each_other(objects: tuple[Obj, ...]) -> None:
    """gRPC targets name the in-cluster Service and port that really exist."""
    ports = {
        s["metadata"]["name"]: {p["port"] for p in s["spec"]["ports"]}
        for s in _kind(objects, "Service")
    }
    targets = {"MEETING_VOTING_TARGET", "PORTAL_MEETING_GRPC_TARGET"}
    for name, _, container in _containers(objects):
        for var in container["env"]:
            if var["name"] in targets:
                host, port = var["value"].rsplit(":", 1)
                if host in ports:  # the callee may be disabled in a minimal set
                    assert int(port) in ports[host], (name, var)
            if var["name"].endswith("_HTTP_HOST") or var["name"].endswith("_GRPC_HOST"):
                assert var["value"] == "0.0.0.0"  # noqa: S104
            if var["name"].endswith("_LOG_FORMAT"):
                assert var["value"] == "json"


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        pytest.param({"voting": {"replicaCount": "many"}}, "replicaCount", id="replicas-many"),
        pytest.param(
            {"voting": {"ingress": {"enabled": True, "host": "v.example.org"}}},
            "ingress",
            id="voting-ingress",
        ),
        pytest.param(
            {"meeting": {"database": {"url": "postgresql+asyncpg://u:p@db/m"}}},
            "url",
            id="inline-db-url",
        ),
        pytest.param({"meeting": {"ingress": {"enabled": True}}}, "host", id="ingress-no-host"),
        pytest.param({"voting": {"autoscaling": {"enabled": "yes"}}}, "enabled", id="bool"),
        pytest.param({"chat": {"enabled": True}}, "chat", id="unknown-service"),
    ],
)
def test_schema_rejects_bad_service_values(bad: dict[str, Any], why: str) -> None:
    """values.schema.json refuses bad service values before anything renders."""
    with (
        helm.Chart.load(CHART) as chart,
        pytest.raises(helm.HelmValuesError, match=re.escape(why)),
    ):
        chart.render({"services": bad}, name=RELEASE, namespace=NAMESPACE)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        pytest.param({"logging": {"format": "xml"}}, "format", id="log-format"),
        pytest.param({"imagee": {"tag": "1.0"}}, "imagee", id="typo"),
        pytest.param({"nats": {"url": "http://nats:4222"}}, "url", id="nats-scheme"),
    ],
)
def test_schema_rejects_bad_global_values(bad: dict[str, Any], why: str) -> None:
    """values.schema.json refuses unknown keys and bad global settings."""
    with (
        helm.Chart.load(CHART) as chart,
        pytest.raises(helm.HelmValuesError, match=re.escape(why)),
    ):
        chart.render(bad, name=RELEASE, namespace=NAMESPACE)


@pytest.mark.parametrize("path", [p for _, p in VALUE_SETS if p], ids=lambda p: p.name)
def test_ci_values_pass_the_schema(path: Path) -> None:
    """Every test values set is itself valid against the schema."""
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(chart.merge_values(_values(path)))


# Dockerfiles: no container engine runs here, so they are linted against the chart instead.
MODULES = {
    "identity": "ratsraum_identity",
    "meeting": "ratsraum_meeting",
    "voting": "ratsraum_voting",
    "citizen-portal": "ratsraum_portal",
}


# What each image takes from its Node.js stage: the pages' KERN stylesheets and scripts, and the
# portal's livestream player library.
ASSETS = {
    "meeting": {"src/ratsraum_meeting/web/static/build"},
    "identity": {"src/ratsraum_identity/static/build"},
    "citizen-portal": {"src/ratsraum_portal/static/build", "src/ratsraum_portal/static/vendor"},
}


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_matches_chart(service: str) -> None:
    """Pinned base, non-root user 10001, the right package, module and ports."""
    text = (REPO / "services" / service / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert base, "base image must be set once, in ARG PYTHON_IMAGE"
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base[1])
    stages = ("FROM ${PYTHON_IMAGE} AS builder", "FROM ${PYTHON_IMAGE}")
    if service in ASSETS:  # pages' assets come from a pinned Node.js stage
        node = re.search(r"^ARG NODE_IMAGE=(\S+)$", text, re.MULTILINE)
        assert node
        assert re.fullmatch(r"node:\d+\.\d+\.\d+-\w+(-slim)?(@sha256:[0-9a-f]{64})?", node[1])
        stages = (*stages, "FROM ${NODE_IMAGE} AS assets")
        copied = re.findall(r"^COPY --from=assets /app/(\S+) \\\n\s+(\S+)$", text, re.MULTILINE)
        assert all(source == target for source, target in copied)
        assert {target for _, target in copied} == {
            f"services/{service}/{folder}" for folder in ASSETS[service]
        }, "the built assets must reach the image"
        # Built files are not committed (.gitignore), so the wheel must list them itself.
        wheel = (REPO / "services" / service / "pyproject.toml").read_text()
        assert all(f'"{folder}/**"' in wheel for folder in ASSETS[service])
    assert all(
        f.strip() in stages for f in re.findall(r"^FROM .*$", text, re.MULTILINE)
    )
    final_stage = text.rsplit("\nFROM ", 1)[1]
    assert re.findall(r"^USER (\S+)$", final_stage, re.MULTILINE) == ["10001:10001"]
    assert text.rstrip().endswith(f'CMD ["python", "-m", "{MODULES[service]}"]')
    pyproject = (REPO / "services" / service / "pyproject.toml").read_text()
    dist = re.search(r'^name = "([^"]+)"', pyproject, re.MULTILINE)
    assert dist
    assert f"--package {dist[1]}" in text
    expose = re.search(r"^EXPOSE (.+)$", final_stage, re.MULTILINE)
    assert expose
    exposed = {int(port) for port in expose[1].split()}
    deployment = next(d for d in _kind(_render(None), "Deployment") if _component(d) == service)
    ports = {
        p["containerPort"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    }
    assert exposed == ports
