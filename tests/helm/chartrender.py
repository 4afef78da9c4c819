"""Rendering the chart in-process (helm-python-sdk) and picking objects out of the result."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "ratsraum"
KUBE_VERSION = "1.30.0"
RELEASE = "ratsraum"
NAMESPACE = "ratsraum"
PRODUCTION = CHART / "ci" / "production-values.yaml"

# (id, values file or None for the chart's own defaults)
VALUE_SETS = [("chart-defaults", None)] + [
    (p.stem, p) for p in sorted((CHART / "ci").glob("*-values.yaml"))
]
SERVICES = ("identity", "meeting", "voting", "citizen-portal")

Obj = dict[str, Any]


def values(path: Path | None) -> dict[str, Any]:
    """Values from a file, as `helm -f` would pass them."""
    return (yaml.safe_load(path.read_text()) or {}) if path else {}


def render_values(given: dict[str, Any], release: str = RELEASE) -> tuple[Obj, ...]:
    """Render the chart with these values and parse every manifest."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(given, name=release, namespace=NAMESPACE)
    objects: list[Obj] = []
    for template, text in sorted(manifests.items()):
        if template.endswith(".yaml"):
            objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return tuple(objects)


@functools.cache
def render(path: Path | None) -> tuple[Obj, ...]:
    """Render the chart once per values file."""
    return render_values(values(path))


def kind(objects: tuple[Obj, ...], name: str) -> list[Obj]:
    """Objects of one kind."""
    return [o for o in objects if o["kind"] == name]


def component(obj: Obj) -> str:
    """The app.kubernetes.io/component label."""
    return str(obj["metadata"]["labels"]["app.kubernetes.io/component"])


def workloads(objects: tuple[Obj, ...]) -> list[Obj]:
    """Deployments and StatefulSets."""
    return [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]


def containers(objects: tuple[Obj, ...], kinds: tuple[str, ...] = ("Deployment",)
               ) -> list[tuple[str, Obj, Obj]]:
    """(workload name, pod spec, container) for every container of these kinds."""
    return [
        (d["metadata"]["name"], d["spec"]["template"]["spec"], c)
        for d in objects if d["kind"] in kinds
        for c in d["spec"]["template"]["spec"]["containers"]
    ]


def env_of(objects: tuple[Obj, ...], service: str) -> dict[str, Obj]:
    """The env entries of one service's container, by name."""
    deployment = next(d for d in kind(objects, "Deployment") if component(d) == service)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


def selector(objects: tuple[Obj, ...], name: str) -> dict[str, str]:
    """The selector labels of one service's Deployment."""
    deployment = next(d for d in kind(objects, "Deployment") if component(d) == name)
    return dict(deployment["spec"]["selector"]["matchLabels"])


def selects(selector_labels: dict[str, str], labels: dict[str, str]) -> bool:
    """True when a matchLabels selector matches these labels."""
    return all(labels.get(k) == v for k, v in selector_labels.items())
