"""The running server through a real Open311 client from PyPI (`georeport`), in XML and in JSON. The client has
no write call, so requests are posted as the spec's example sends them (form-urlencoded, plain HTTP)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import urllib.request

import pytest
from django.core.cache import caches
from georeport import GeoReport

from cases import actions
from cases.models import Case
from open311.tests.base import LAT, LONG, build_open311_world

pytestmark = pytest.mark.django_db(transaction=True)


def post(url: str, fields: dict[str, str]) -> tuple[int, bytes]:
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def world(live_server):
    caches["default"].clear()
    world = build_open311_world()
    root = f"{live_server.url}/open311/v2"
    numbers = []
    for description, code, attributes in [
        ("工地夜间施工噪音", world["noise"].code, {"attribute[source]": "construction"}),
        ("路灯不亮", world["light"].code, {}),
        ("商铺音响太吵", world["noise"].code, {"attribute[source]": "shop", "attribute[kinds][]": "smoke"}),
    ]:
        status, body = post(
            f"{root}/requests.json",
            {
                "api_key": world["key"],
                "jurisdiction_id": "990100",
                "service_code": code,
                "lat": LAT,
                "long": LONG,
                "description": description,
                "phone": "13812345678",
                **attributes,
            },
        )
        assert status == 201, body
        numbers.append(json.loads(body)[0]["service_request_id"])
    closed = Case.objects.get(tracking_no=numbers[2])
    actions.do_invalidate(closed, acting_user=world["users"]["alice"], reason="重复上报")
    return {**world, "root": root, "numbers": numbers}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_services_definitions_and_requests(world, fmt):
    client = GeoReport(world["root"], jurisdiction="990100", output_format=fmt)
    noise, light = world["noise"].code, world["light"].code

    services = {s["service_code"]: s for s in client.get_service_list()}
    assert services[noise]["service_name"] == "噪音污染"
    assert str(services[noise]["metadata"]).lower() == "true"
    assert str(services[light]["metadata"]).lower() == "false"
    assert services[noise]["group"] == "环境保护"
    assert len(services) > 300  # every active leaf but the hidden one

    definition = client.get_service_definition(noise)
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    first = attributes[0]
    assert (first["code"], first["datatype"], str(first["required"]).lower()) == ("source", "singlevaluelist", "true")
    values = first["values"] if fmt == "json" else first["values"]["value"]
    assert [(v["key"], v["name"]) for v in values] == [("construction", "建筑施工"), ("shop", "商铺经营")]

    def listed(**filters):
        found = client.get_service_requests(**filters)
        found = [found] if isinstance(found, dict) else found
        return [r["service_request_id"] for r in found]

    first_no, light_no, closed_no = world["numbers"]
    assert set(listed()) == set(world["numbers"])
    assert listed(service_code=light) == [light_no]
    assert set(listed(status="open")) == {first_no, light_no}
    assert listed(status="closed") == [closed_no]
    assert listed(service_request_id=f"{first_no},{closed_no}", status="open") == [closed_no, first_no]
    today = dt.datetime.now(dt.UTC)
    window = {
        "start_date": (today - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (today + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert set(listed(**window)) == set(world["numbers"])
    if fmt == "json":  # georeport's XML path cannot read an empty <service_requests/> (xmltodict gives None)
        assert listed(start_date="2020-01-01T00:00:00Z", end_date="2020-03-01T00:00:00Z") == []

    one = client.get_service_request(first_no)
    case = Case.objects.get(tracking_no=first_no)
    assert one["service_request_id"] == first_no
    assert one["status"] == "open"
    assert one["agency_responsible"] == str(case.holder)
    assert one["description"] == "工地夜间施工噪音"
    assert float(one["lat"]) == float(LAT) and float(one["long"]) == float(LONG)
    assert dt.datetime.fromisoformat(one["expected_datetime"]) == case.resolution_due.replace(microsecond=0)
    closed = client.get_service_request(closed_no)
    assert closed["status"] == "closed"


def test_errors_discovery_and_tokens_over_plain_http(world):
    root = world["root"]
    status, body = post(
        f"{root}/requests.xml", {"api_key": "fq_nope", "service_code": world["noise"].code, "lat": LAT, "long": LONG}
    )
    assert status == 403 and b"<errors><error><code>403</code><description>Invalid api_key" in body
    status, body = post(
        f"{root}/requests.json",
        {
            "api_key": world["key"],
            "service_code": world["other"].code,
            "address_string": "A街道A2社区 文化路8号",
            "description": "其他问题",
        },
    )
    assert status == 201, body
    token = json.loads(body)[0]["token"]
    with urllib.request.urlopen(f"{root}/tokens/{token}.xml") as response:
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert b"<service_requests><request><service_request_id />" in response.read()
    with urllib.request.urlopen(f"{root}/discovery.json") as response:
        discovery = json.loads(response.read())
    assert discovery["endpoints"][0]["url"] == root
    assert discovery["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    try:
        urllib.request.urlopen(f"{root}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
        raise AssertionError("a span over 90 days must fail")
    except urllib.error.HTTPError as error:
        assert error.code == 400 and "at most 90" in json.loads(error.read())[0]["description"]
