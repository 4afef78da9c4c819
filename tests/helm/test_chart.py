"""The Helm chart renders, validates against the Kubernetes API schemas, and keeps its promises.

Rendering uses the real Helm library in-process (helm-python-sdk, no helm binary); every
object is checked with kubernetes-validate in strict mode, so unknown fields fail too.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "ratsraum"
KUBE_VERSION = "1.30.0"
RELEASE = "ratsraum"
NAMESPACE = "ratsraum"

# (id, values file or None for the chart's own defaults)
VALUE_SETS = [("chart-defaults", None)] + [
    (p.stem, p) for p in sorted((CHART / "ci").glob("*-values.yaml"))
]
SERVICES = ("identity", "meeting", "voting", "citizen-portal")
CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]+@")

Obj = dict[str, Any]


def _values(path: Path | None) -> dict[str, Any]:
    """Values from a file, as `helm -f` would pass them."""
    return (yaml.safe_load(path.read_text()) or {}) if path else {}


@functools.cache
def _render(path: Path | None) -> tuple[Obj, ...]:
    """Render the chart once per values file and parse every manifest."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(_values(path), name=RELEASE, namespace=NAMESPACE)
    objects: list[Obj] = []
    for template, text in sorted(manifests.items()):
        if template.endswith(".yaml"):
            objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return tuple(objects)


@pytest.fixture(params=[p for _, p in VALUE_SETS], ids=[i for i, _ in VALUE_SETS])
def values_file(request: pytest.FixtureRequest) -> Path | None:
    """Each values set the chart must support."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def objects(values_file: Path | None) -> tuple[Obj, ...]:
    """All objects rendered for one values set."""
    return _render(values_file)


def _kind(objects: tuple[Obj, ...], kind: str) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def _component(obj: Obj) -> str:
    return str(obj["metadata"]["labels"]["app.kubernetes.io/component"])


def _containers(objects: tuple[Obj, ...]) -> list[tuple[str, Obj, Obj]]:
    """(deployment name, pod spec, container) for every container."""
    return [
        (d["metadata"]["name"], d["spec"]["template"]["spec"], c)
        for d in _kind(objects, "Deployment")
        for c in d["spec"]["template"]["spec"]["containers"]
    ]


def _selector(objects: tuple[Obj, ...], component: str) -> dict[str, str]:
    deployment = next(d for d in _kind(objects, "Deployment") if _component(d) == component)
    return dict(deployment["spec"]["selector"]["matchLabels"])


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
    assert {_component(s) for s in _kind(objects, "Service")} == deployments
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
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}, name


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
        assert rule.get("ports") and rule.get("from"), rule
        for port in rule["ports"]:
            by_port.setdefault(port["port"], []).extend(rule["from"])
    assert set(by_port) <= {50051, 8083}
    grpc_peers = by_port[50051]
    assert grpc_peers == [{"podSelector": {"matchLabels": _selector(objects, "meeting")}}]
    for peer in by_port.get(8083, []):
        assert "namespaceSelector" in peer and peer["namespaceSelector"], peer


def test_production_adds_ingress_and_monitoring_namespace() -> None:
    """The production set publishes portal, identity and meeting, and scrapes from monitoring."""
    objects = _render(CHART / "ci" / "production-values.yaml")
    assert {_component(i) for i in _kind(objects, "Ingress")} == {
        "identity",
        "meeting",
        "citizen-portal",
    }
    policy = _kind(objects, "NetworkPolicy")[0]
    metrics = [r for r in policy["spec"]["ingress"] if r["ports"][0]["port"] == 8083]
    assert metrics[0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"
    }


@pytest.mark.parametrize("values_id", ["chart-defaults", "default-values", "production-values"])
def test_hpa_for_voting_and_portal(values_id: str) -> None:
    """autoscaling/v2 HPAs scale voting and citizen-portal; those Deployments leave replicas to them."""
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
                assert var["value"] == "0.0.0.0"
            if var["name"].endswith("_LOG_FORMAT"):
                assert var["value"] == "json"


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"services": {"voting": {"replicaCount": "many"}}}, "replicaCount"),
        ({"services": {"voting": {"ingress": {"enabled": True, "host": "v.example.org"}}}}, "ingress"),
        ({"services": {"meeting": {"database": {"url": "postgresql+asyncpg://u:p@db/m"}}}}, "url"),
        ({"services": {"meeting": {"ingress": {"enabled": True}}}}, "host"),
        ({"logging": {"format": "xml"}}, "format"),
        ({"imagee": {"tag": "1.0"}}, "imagee"),
        ({"services": {"chat": {"enabled": True}}}, "chat"),
    ],
    ids=["replicas-many", "voting-ingress", "inline-db-url", "ingress-no-host", "log-format", "typo", "unknown-service"],
)
def test_schema_rejects_bad_values(bad: dict[str, Any], why: str) -> None:
    """values.schema.json refuses bad values before anything renders."""
    with helm.Chart.load(CHART) as chart:
        with pytest.raises(helm.HelmValuesError, match=re.escape(why)):
            chart.render(bad, name=RELEASE, namespace=NAMESPACE)


@pytest.mark.parametrize("path", [p for _, p in VALUE_SETS if p], ids=lambda p: p.name)
def test_ci_values_pass_the_schema(path: Path) -> None:
    """Every test values set is itself valid against the schema."""
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(chart.merge_values(_values(path)))
