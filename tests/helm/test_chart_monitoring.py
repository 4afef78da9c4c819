"""The alert rules reach the Prometheus Operator from the one rules file the chart carries."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from chartrender import CHART, REPO, component, kind, render, render_values

RULES = CHART / "files" / "ratsraum-alerts.yaml"
ENABLED = {"monitoring": {"prometheusRule": {"enabled": True,
                                             "labels": {"release": "kube-prometheus-stack"}}}}


def test_no_prometheus_rule_unless_asked() -> None:
    assert kind(render(None), "PrometheusRule") == []


def test_the_prometheus_rule_holds_the_rules_file_as_it_is() -> None:
    [rule] = kind(render_values(ENABLED), "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert component(rule) == "alerts"
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert rule["spec"]["groups"] == yaml.safe_load(RULES.read_text())["groups"]
    alerts = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]]
    assert "RatsraumDeadLetters" in alerts
    # Prometheus' own placeholders pass through Helm untouched.
    assert any("{{ $labels.pod }}" in r["annotations"]["summary"]
               for g in rule["spec"]["groups"] for r in g["rules"])


def test_the_old_rules_path_points_at_the_chart_file() -> None:
    old = REPO / "deploy" / "prometheus" / "ratsraum-alerts.yaml"
    assert old.resolve() == RULES.resolve()
