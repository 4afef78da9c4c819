"""Video setups name only their town's secrets and public https hosts; OParl stays on its host."""

from __future__ import annotations

import httpx
import pytest

from ratsraum_common.outbound import OutboundPolicy
from ratsraum_meeting.config import Settings
from ratsraum_meeting.oparl.client import FetchError, OParlClient
from ratsraum_meeting.oparl.report import ImportReport
from ratsraum_meeting.video.base import VideoError
from ratsraum_meeting.video.http import ProviderHttp
from ratsraum_meeting.video.registry import (
    ProviderSetup,
    VideoConfigError,
    build_adapter,
    check_setup,
    check_setup_hosts,
    town_prefix,
)

PREFIX = "RATSRAUM_VIDEO_"
STRICT = OutboundPolicy()
LOCAL = OutboundPolicy(allow_http=True, allow_private=True)


def _bbb(*, url: str = "https://bbb.example", env: str = "RATSRAUM_VIDEO_SOEST_BBB",
         tenant: str = "soest") -> ProviderSetup:
    return ProviderSetup("bbb", {"base_url": url}, {"secret": env}, tenant=tenant)


def test_town_prefix_upper_cases_and_replaces_other_characters() -> None:
    assert town_prefix(PREFIX, "bad-homburg") == "RATSRAUM_VIDEO_BAD_HOMBURG_"


def test_a_town_may_name_only_its_own_video_secrets() -> None:
    check_setup(_bbb(), prefix=PREFIX, policy=STRICT)
    for stolen in ("RATSRAUM_VIDEO_ARNSBERG_BBB", "RATSRAUM_VIDEO_SOESTER_BBB",
                   "RATSRAUM_VIDEO_SOEST_", "MEETING_DATABASE_URL"):
        with pytest.raises(VideoConfigError, match="RATSRAUM_VIDEO_SOEST_"):
            check_setup(_bbb(env=stolen), prefix=PREFIX, policy=STRICT)


def test_building_the_adapter_refuses_another_towns_secret_too() -> None:
    settings = Settings(environment="test")
    env = {"RATSRAUM_VIDEO_ARNSBERG_BBB": "their-secret"}
    with pytest.raises(VideoConfigError, match="RATSRAUM_VIDEO_SOEST_"):
        build_adapter(_bbb(env="RATSRAUM_VIDEO_ARNSBERG_BBB"), settings, env=env)


@pytest.mark.parametrize("url", [
    "http://bbb.example", "ftp://bbb.example", "https://127.0.0.1", "https://10.1.2.3:8443/api",
    "https://169.254.169.254/latest", "https://[::1]/", "https://[::ffff:192.168.0.1]/",
    "https://0.0.0.0/", "https://224.0.0.1/", "https://", "https://[nonsense/",
])
def test_provider_urls_must_be_https_to_public_hosts(url: str) -> None:
    with pytest.raises(VideoConfigError, match="base_url"):
        check_setup(_bbb(url=url), prefix=PREFIX, policy=STRICT)


def test_login_and_graph_urls_are_checked_as_well() -> None:
    setup = ProviderSetup("teams", {"azure_tenant": "t", "client_id": "c", "organizer_id": "o",
                                    "login_url": "https://192.168.1.1/"},
                          {"client_secret": "RATSRAUM_VIDEO_SOEST_T",
                           "client_state": "RATSRAUM_VIDEO_SOEST_S"},
                          tenant="soest")
    with pytest.raises(VideoConfigError, match="login_url"):
        check_setup(setup, prefix=PREFIX, policy=STRICT)


def test_the_operator_may_allow_local_providers() -> None:
    check_setup(_bbb(url="http://127.0.0.1:9000/bigbluebutton"), prefix=PREFIX, policy=LOCAL)


async def test_a_host_name_resolving_to_loopback_is_refused_at_save_time() -> None:
    with pytest.raises(VideoConfigError, match="internal"):
        await check_setup_hosts(_bbb(url="https://localhost/"), policy=STRICT)


async def test_provider_calls_check_the_address_before_sending() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    client = httpx.AsyncClient(base_url="https://localhost", transport=httpx.MockTransport(answer))
    http = ProviderHttp(base_url="https://localhost", timeout_seconds=1, attempts=1,
                        client=client, policy=STRICT)
    with pytest.raises(VideoError, match="refused"):
        await http.request("POST", "/api/create")
    assert sent == []
    await http.aclose()


def _oparl(answer: httpx.MockTransport, *, max_bytes: int = 1 << 20,
           policy: OutboundPolicy = LOCAL) -> OParlClient:
    return OParlClient(httpx.AsyncClient(transport=answer), ImportReport(), attempts=1,
                       policy=policy, max_bytes=max_bytes)


async def test_oparl_links_next_to_another_host_is_not_followed() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"data": [], "links": {"next": "http://10.0.0.5/x"}})

    client = _oparl(httpx.MockTransport(answer))
    with pytest.raises(FetchError, match="anderer Server"):
        async for _page in client.pages("http://ris.example/oparl/persons"):
            pass
    assert asked == ["http://ris.example/oparl/persons"]


async def test_oparl_redirects_are_not_followed() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://169.254.169.254/"})

    with pytest.raises(FetchError, match="Weiterleitung"):
        await _oparl(httpx.MockTransport(answer)).get_object("http://ris.example/oparl/")
    assert asked == ["http://ris.example/oparl/"]


async def test_oparl_response_bodies_are_capped() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{" + b" " * 5000 + b"}")

    with pytest.raises(FetchError, match="größer als 2048 Bytes"):
        await _oparl(httpx.MockTransport(answer), max_bytes=2048).get_object("http://ris.example/")


async def test_oparl_refuses_internal_addresses_by_default() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not be asked")

    with pytest.raises(FetchError, match="nicht erlaubt"):
        await _oparl(httpx.MockTransport(answer), policy=STRICT).get_object("https://127.0.0.1/")
