#!/usr/bin/env python3
"""Open311 GeoReport v2 conformance check of Yijia's /open311/v2, with independent clients.

Run it (from the repository root, after `cargo build --release -p yijia`):

    python3 -m venv /tmp/open311-venv && /tmp/open311-venv/bin/pip install -r e2e/open311/requirements.txt
    YIJIA_BIN=target/release/yijia /tmp/open311-venv/bin/python e2e/open311/check.py

It starts the server itself ($YIJIA_BIN, default ../../target/release/yijia from this file) on
a free loopback port with `serve --demo` on a fresh data directory, seeds one synthetic
community (appeals over the last 180 days, for the 90-day window), creates an API key for the
demo community XLG with `yijia apikey create`, then exercises every GeoReport v2 method and the
servicerequestupdates extension:

  * through the independent client libraries where they reach: `georeport` (Python 3 native:
    services, service definitions, requests, one request, in json and xml) and `three` (Code for
    America, Python 2 era: imported with an `itertools.ifilter` shim, json only: discovery,
    services, POST requests, requests with dates, one request, tokens);
  * with raw HTTP otherwise, validating both formats against the specification's shapes
    (element names and nesting, JSON types, W3C date-times, content types, error lists),
    comparing each resource's JSON and XML, and sending bad inputs.

Not used: PyPI `open311` 1.1 (does not import on Python 3) and npm `open311` 0.0.12 (depends
on a git URL and request 2.11). Every failed assertion is listed; the exit code is 1 if any
failed. It needs well under two minutes. Specification: http://wiki.open311.org/GeoReport_v2 (and the FixMyStreet
servicerequestupdates extension).
"""

import itertools
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import requests

# `three` 0.8.0 was written for Python 2: its only import-time incompatibility is
# `from itertools import ifilter`. The shim changes nothing in what it sends or reads.
if not hasattr(itertools, "ifilter"):
    itertools.ifilter = filter
from three import Three  # noqa: E402
from georeport import GeoReport  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(os.environ.get("YIJIA_BIN") or os.path.join(HERE, "..", "..", "target", "release", "yijia"))
JURISDICTION = "XLG"
SEED = "SEED0001"
DEADLINE_S = 110
STARTED = time.monotonic()

# ---------------------------------------------------------------------------------------------
# results


class Results:
    """Assertions by name: a name counts once, as passed only if it never failed."""

    def __init__(self):
        self.passed_names = set()
        self.failed_names = set()
        self.failures = []
        self.section = ""

    @property
    def passed(self):
        return len(self.passed_names - self.failed_names)

    def start(self, name):
        self.section = name
        print(f"\n--- {name}", flush=True)

    def ok(self, cond, what, detail=None):
        name = f"[{self.section}] {what}"
        if cond:
            self.passed_names.add(name)
        elif name not in self.failed_names:
            self.failed_names.add(name)
            msg = name
            if detail is not None:
                shown = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, default=str)
                msg += f"\n        {shown[:600]}"
            self.failures.append(msg)
            print("  FAIL " + msg, flush=True)
        return bool(cond)

    def eq(self, got, want, what):
        return self.ok(got == want, what, f"expected {want!r}, got {got!r}")


R = Results()

# ---------------------------------------------------------------------------------------------
# the specification's shapes

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")

# A list element and the name of its items.
LISTS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_request_updates": "request_update",
    "service_requests_updates": "request_update",
}

DISCOVERY = ({"changeset", "contact", "key_service", "endpoints"}, set())
ENDPOINT = ({"specification", "url", "changeset", "type", "formats"}, set())
SERVICE = ({"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}, set())
DEFINITION = ({"service_code", "attributes"}, set())
ATTRIBUTE = (
    {"variable", "code", "datatype", "required", "datatype_description", "order", "description"},
    {"values"},
)
VALUE = ({"key", "name"}, set())
# The specification marks status_notes, agency_responsible and expected_datetime "may not be
# returned"; Yijia's issue promises them, so they are required here.
REQUEST = (
    {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "requested_datetime", "updated_datetime", "expected_datetime",
        "lat", "long",
    },
    {"service_notice", "address", "address_id", "zipcode", "media_url"},
)
CREATED = ({"service_notice", "account_id"}, {"service_request_id", "token"})
TOKEN = ({"service_request_id", "token"}, set())
UPDATE = ({"update_id", "service_request_id", "status", "updated_datetime", "description"}, {"media_url"})
ERROR = ({"code", "description"}, set())

DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def fields(obj, shape, what):
    """The object has the shape's required fields and nothing outside required + optional."""
    required, optional = shape
    if not R.ok(isinstance(obj, dict), f"{what} is an object", repr(obj)[:200]):
        return False
    keys = set(obj)
    R.ok(required <= keys, f"{what} has {sorted(required - keys)}", sorted(keys))
    R.ok(keys <= required | optional, f"{what} has no fields outside the specification: {sorted(keys - required - optional)}")
    return True


def is_w3c(v):
    return isinstance(v, str) and bool(W3C.match(v))


def parse_w3c(v):
    return datetime.fromisoformat(v.replace("Z", "+00:00"))


def w3c(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_to_py(el, where):
    """An element as JSON would carry it: list elements become lists (each item checked to be
    the list's item element), other elements with children objects, leaves their text."""
    children = list(el)
    if el.tag in LISTS:
        item = LISTS[el.tag]
        for c in children:
            R.ok(c.tag == item, f"{where}: <{el.tag}> holds only <{item}> elements", f"found <{c.tag}>")
        return [xml_to_py(c, f"{where}/{c.tag}") for c in children]
    if children:
        out = {}
        for c in children:
            R.ok(c.tag not in out, f"{where}: <{c.tag}> appears once in <{el.tag}>")
            out[c.tag] = xml_to_py(c, f"{where}/{c.tag}")
        return out
    return el.text if el.text is not None else None


def xml_doc(resp, root, what):
    """The response is a UTF-8 XML document with the declaration and the root element named."""
    ct = resp.headers.get("content-type", "")
    R.ok(ct.startswith("text/xml") or ct.startswith("application/xml"), f"{what}: XML content type", ct)
    body = resp.content
    R.ok(re.match(rb'^<\?xml version="1.0" encoding="utf-8"\?>', body, re.I) is not None,
         f"{what}: XML declaration with encoding UTF-8", body[:60])
    try:
        el = ET.fromstring(body)
    except ET.ParseError as e:
        R.ok(False, f"{what}: well-formed XML", f"{e}: {body[:200]!r}")
        return None
    R.eq(el.tag, root, f"{what}: root element")
    return xml_to_py(el, root)


def json_doc(resp, what):
    ct = resp.headers.get("content-type", "")
    R.ok(ct.startswith("application/json"), f"{what}: JSON content type", ct)
    try:
        return resp.json()
    except ValueError as e:
        R.ok(False, f"{what}: JSON body", f"{e}: {resp.text[:200]}")
        return None


def same(js, xm, what):
    """The JSON and the XML of one resource carry the same values (null ~ empty element)."""
    def norm(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None or v == "":
            return None
        if isinstance(v, float):
            return ("num", round(v, 6))
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str) and re.fullmatch(r"-?\d+\.\d+", v):
            return ("num", round(float(v), 6))
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v
    a, b = norm(js), norm(xm)
    R.ok(a == b, f"{what}: the JSON and the XML carry the same values",
         f"json={json.dumps(js, ensure_ascii=False)[:300]} xml={json.dumps(xm, ensure_ascii=False)[:300]}")


def as_list(v):
    """xmltodict gives one item as an object and none as None."""
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


# ---------------------------------------------------------------------------------------------
# the server


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self):
        if not os.access(BIN, os.X_OK):
            sys.exit(f"check.py: no executable Yijia binary at {BIN} (set YIJIA_BIN or build with "
                     "`cargo build --release -p yijia`)")
        self.tmp = tempfile.mkdtemp(prefix="yijia-open311-")
        self.data = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("YIJIA_")}
        self.log = open(os.path.join(self.tmp, "serve.log"), "w")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data, "--demo"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.tmp, env=self.env,
        )
        self.root = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                self.fail_start(f"the server exited with {self.proc.returncode}")
            try:
                if requests.get(self.root + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.fail_start("the server did not answer /healthz within 30 s")
            time.sleep(0.2)

    def fail_start(self, why):
        self.stop()
        with open(os.path.join(self.tmp, "serve.log")) as f:
            log = f.read()[-3000:]
        shutil.rmtree(self.tmp, ignore_errors=True)
        sys.exit(f"check.py: {why}\n{log}")

    def cli(self, *args):
        p = subprocess.run([BIN, *args, "--data-dir", self.data], capture_output=True, text=True,
                           cwd=self.tmp, env=self.env, timeout=60)
        if p.returncode != 0:
            sys.exit(f"check.py: `yijia {' '.join(args)}` failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p.stdout

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# the checks


class Check:
    def __init__(self, server, key):
        self.base = server.root + "/open311/v2"
        self.key = key
        self.s = requests.Session()
        self.gr = {f: GeoReport(self.base, jurisdiction=JURISDICTION, output_format=f) for f in ("json", "xml")}
        self.three = Three(self.base, format="json", jurisdiction=JURISDICTION, api_key=key)
        self.created = {}  # name -> (id, what was posted)

    # raw HTTP
    def get(self, path, **params):
        return self.s.get(f"{self.base}/{path}", params=params, timeout=15)

    def post(self, path, data):
        return self.s.post(f"{self.base}/{path}", data=data, timeout=15)

    def both(self, path, root, what, **params):
        """GET path.json and path.xml: status 200, each valid, same values; the JSON value."""
        rj = self.get(f"{path}.json", **params)
        rx = self.get(f"{path}.xml", **params)
        R.eq(rj.status_code, 200, f"{what} .json status")
        R.eq(rx.status_code, 200, f"{what} .xml status")
        js = json_doc(rj, f"{what} .json")
        xm = xml_doc(rx, root, f"{what} .xml")
        if js is not None and xm is not None:
            same(js, xm, what)
        return js, xm

    def error(self, resp, status, what, fmt, says=None):
        """An error answer: the status, and the specification's list of {code, description}."""
        R.eq(resp.status_code, status, f"{what} ({fmt}): HTTP status")
        if fmt == "json":
            body = json_doc(resp, f"{what} (json)")
        else:
            body = xml_doc(resp, "errors", f"{what} (xml)")
        if not R.ok(isinstance(body, list) and len(body) >= 1, f"{what} ({fmt}): a non-empty error list", body):
            return
        for e in body:
            if fields(e, ERROR, f"{what} ({fmt}): error"):
                # "In most cases, this should match the HTTP status code" — not required to.
                R.ok(e.get("code") not in (None, ""), f"{what} ({fmt}): error has a code", e)
                R.ok(isinstance(e.get("description"), str) and e["description"].strip(),
                     f"{what} ({fmt}): error has a description", e)
        if says:
            text = json.dumps(body, ensure_ascii=False)
            R.ok(says in text, f"{what} ({fmt}): the description names {says!r}", text)

    def error_get(self, _path, _status, _what, _says=None, **params):
        for fmt in ("json", "xml"):
            self.error(self.get(f"{_path}.{fmt}", **params), _status, _what, fmt, _says)

    def error_post(self, data, status, what, says=None):
        for fmt in ("json", "xml"):
            self.error(self.post(f"requests.{fmt}", data), status, what, fmt, says)

    # ---- discovery
    def discovery(self):
        R.start("discovery")
        js, xm = self.both("discovery", "discovery", "discovery")
        for fmt, d in (("json", js), ("xml", xm)):
            if not fields(d, DISCOVERY, f"discovery ({fmt})"):
                continue
            # "Sortable field that specifies the last time this document was updated."
            R.ok(isinstance(d["changeset"], str) and d["changeset"], f"discovery ({fmt}): changeset", d["changeset"])
            eps = d["endpoints"]
            if not R.ok(isinstance(eps, list) and eps, f"discovery ({fmt}): endpoints is a non-empty list", eps):
                continue
            for ep in eps:
                if not fields(ep, ENDPOINT, f"discovery ({fmt}) endpoint"):
                    continue
                R.eq(ep["specification"], "http://wiki.open311.org/GeoReport_v2", f"discovery ({fmt}): specification")
                R.ok(ep["type"] in ("production", "test"), f"discovery ({fmt}): type is production or test", ep["type"])
                R.ok(isinstance(ep["changeset"], str) and ep["changeset"], f"discovery ({fmt}): endpoint changeset",
                     ep["changeset"])
                R.ok(isinstance(ep["formats"], list) and "text/xml" in ep["formats"],
                     f"discovery ({fmt}): formats lists text/xml (XML is required)", ep["formats"])
                R.ok("application/json" in (ep["formats"] or []), f"discovery ({fmt}): formats lists application/json")
                R.ok(str(ep["url"]).startswith("http"), f"discovery ({fmt}): url is absolute", ep["url"])
                # The endpoint's url leads to the services.
                try:
                    r = self.s.get(ep["url"].rstrip("/") + "/services.json",
                                   params={"jurisdiction_id": JURISDICTION}, timeout=15)
                    R.eq(r.status_code, 200, f"discovery ({fmt}): url + /services.json answers")
                except requests.RequestException as e:
                    R.ok(False, f"discovery ({fmt}): url + /services.json answers", e)
        d = self.three.discovery()
        R.ok(isinstance(d, dict) and d.get("endpoints"), "three: discovery() reads the endpoints", d)

    # ---- services
    def services(self):
        R.start("GET services")
        js, xm = self.both("services", "services", "services", jurisdiction_id=JURISDICTION)
        for fmt, lst in (("json", js), ("xml", xm)):
            if not R.ok(isinstance(lst, list) and lst, f"services ({fmt}) is a non-empty list", lst):
                continue
            for s in lst:
                if not fields(s, SERVICE, f"service ({fmt})"):
                    continue
                if fmt == "json":
                    R.ok(isinstance(s["metadata"], bool), "service (json): metadata is a boolean", s["metadata"])
                else:
                    R.ok(s["metadata"] in ("true", "false"), "service (xml): metadata is true or false", s["metadata"])
                R.ok(s["type"] in ("realtime", "batch", "blackbox"), f"service ({fmt}): type", s["type"])
                R.ok(s["service_code"] and s["service_name"], f"service ({fmt}): code and name", s)
                if fmt == "json":
                    for k in ("description", "keywords", "group"):
                        R.ok(s[k] is None or isinstance(s[k], str), f"service (json): {k} is a string or null", s[k])
                kw = s["keywords"] or ""
                R.ok(" " not in kw.strip() or "," in kw, f"service ({fmt}): keywords are comma separated", kw)
        by_code = {s["service_code"]: s for s in js or [] if isinstance(s, dict)}
        lift = by_code.get("lift_fault")
        if R.ok(lift, "services lists lift_fault", sorted(by_code)):
            R.eq(lift["metadata"], True, "lift_fault has metadata (an attribute)")
            R.ok(lift["group"], "lift_fault has a group", lift)
            R.ok(lift["keywords"], "lift_fault has keywords", lift)
        R.ok(any(s["metadata"] is False for s in by_code.values()), "a service without metadata says false")
        # The independent clients.
        lib = self.gr["json"].get_service_list()
        R.eq(sorted(s["service_code"] for s in lib), sorted(by_code), "georeport (json): service codes")
        lib = as_list(self.gr["xml"].get_service_list())
        R.eq(sorted(s["service_code"] for s in lib), sorted(by_code), "georeport (xml): service codes")
        R.eq([s["metadata"] for s in lib if s["service_code"] == "lift_fault"], ["true"], "georeport (xml): lift_fault metadata")
        lib = self.three.services()
        R.eq(sorted(s["service_code"] for s in lib), sorted(by_code), "three: services() codes")
        # Errors.
        self.error_get("services", 404, "services of an unknown jurisdiction", jurisdiction_id="NOPE")
        try:
            GeoReport(self.base, jurisdiction="NOPE").get_service_list()
            R.ok(False, "georeport: an unknown jurisdiction raises an HTTP error")
        except requests.HTTPError as e:
            R.eq(e.response.status_code, 404, "georeport: an unknown jurisdiction is a 404")
        # Two communities (the seeded one too): jurisdiction_id is required.
        self.error_get("services", 400, "services without jurisdiction_id where there are several",
                       _says="jurisdiction_id")
        return by_code

    # ---- service definitions
    def definitions(self, by_code):
        R.start("GET service definition")
        js, xm = self.both("services/lift_fault", "service_definition", "definition of lift_fault",
                           jurisdiction_id=JURISDICTION)
        for fmt, d in (("json", js), ("xml", xm)):
            if not fields(d, DEFINITION, f"definition ({fmt})"):
                continue
            R.eq(d["service_code"], "lift_fault", f"definition ({fmt}): service_code")
            attrs = d["attributes"]
            if not R.ok(isinstance(attrs, list) and attrs, f"definition ({fmt}): attributes is a non-empty list", attrs):
                continue
            orders = []
            for a in attrs:
                if not fields(a, ATTRIBUTE, f"attribute ({fmt})"):
                    continue
                R.ok(a["datatype"] in DATATYPES, f"attribute ({fmt}): datatype is the specification's", a["datatype"])
                if fmt == "json":
                    R.ok(isinstance(a["variable"], bool) and isinstance(a["required"], bool),
                         "attribute (json): variable and required are booleans", a)
                    R.ok(isinstance(a["order"], int) and a["order"] > 0, "attribute (json): order is a positive integer",
                         a["order"])
                    for k in ("datatype_description", "description"):
                        R.ok(a[k] is None or isinstance(a[k], str), f"attribute (json): {k} is a string or null", a[k])
                else:
                    R.ok(a["variable"] in ("true", "false") and a["required"] in ("true", "false"),
                         "attribute (xml): variable and required are true or false", a)
                    R.ok(re.fullmatch(r"\d+", a["order"] or ""), "attribute (xml): order is a number", a["order"])
                orders.append(int(a["order"]))
                if a["datatype"] in ("singlevaluelist", "multivaluelist"):
                    vals = a.get("values")
                    if R.ok(isinstance(vals, list) and vals, f"attribute ({fmt}): a list has values", a):
                        for v in vals:
                            if fields(v, VALUE, f"attribute value ({fmt})") and fmt == "json":
                                R.ok(isinstance(v["key"], (str, int)) and isinstance(v["name"], str),
                                     "attribute value (json): key and name", v)
            R.eq(len(set(orders)), len(orders), f"definition ({fmt}): orders are distinct")
            trapped = [a for a in attrs if isinstance(a, dict) and a.get("code") == "trapped"]
            if R.ok(trapped, f"definition ({fmt}): has the attribute trapped", attrs):
                t = trapped[0]
                R.eq(t["datatype"], "singlevaluelist", f"trapped ({fmt}): datatype")
                R.eq(str(t["required"]).lower(), "true", f"trapped ({fmt}): required")
                R.eq(sorted(v["key"] for v in t.get("values") or []), ["no", "yes"], f"trapped ({fmt}): keys")
        lib = self.gr["json"].get_service_definition("lift_fault")
        R.eq([a["code"] for a in lib["attributes"]], ["trapped"], "georeport (json): definition attributes")
        lib = self.gr["xml"].get_service_definition("lift_fault")
        attrs = as_list((lib.get("attributes") or {}).get("attribute"))
        R.eq([a["code"] for a in attrs], ["trapped"], "georeport (xml): definition attributes")
        R.eq(sorted(v["key"] for v in as_list(attrs[0]["values"]["value"])) if attrs else None, ["no", "yes"],
             "georeport (xml): trapped's values")
        lib = self.three.services("lift_fault")
        R.eq(lib.get("service_code") if isinstance(lib, dict) else lib, "lift_fault", "three: services('lift_fault')")
        # A service without metadata still has a (possibly empty) definition.
        js, xm = self.both("services/noise", "service_definition", "definition of noise", jurisdiction_id=JURISDICTION)
        if fields(js, DEFINITION, "definition of noise (json)"):
            R.eq(js["attributes"], [], "noise has no attributes")
        self.error_get("services/nope", 404, "definition of an unknown service_code", jurisdiction_id=JURISDICTION)
        self.error_get("services/lift_fault", 404, "definition in an unknown jurisdiction", jurisdiction_id="NOPE")
        try:
            self.gr["xml"].get_service_definition("nope")
            R.ok(False, "georeport: an unknown service_code raises an HTTP error")
        except requests.HTTPError as e:
            R.eq(e.response.status_code, 404, "georeport: an unknown service_code is a 404")

    # ---- POST requests
    def created_ok(self, resp, fmt, what):
        if not R.ok(resp.status_code == 200, f"{what} ({fmt}): status 200",
                    f"got {resp.status_code}: {resp.text[:400]}"):
            return None
        body = json_doc(resp, what) if fmt == "json" else xml_doc(resp, "service_requests", what)
        if not R.ok(isinstance(body, list) and len(body) == 1, f"{what} ({fmt}): one request in the answer", body):
            return None
        r = body[0]
        fields(r, CREATED, f"{what} ({fmt}) answer")
        R.ok(not (r.get("service_request_id") and r.get("token")),
             f"{what} ({fmt}): not both a service_request_id and a token")
        if not R.ok(r.get("service_request_id") or r.get("token"), f"{what} ({fmt}): a service_request_id or a token", r):
            return None
        return str(r.get("service_request_id") or r.get("token"))

    def post_requests(self):
        R.start("POST requests")
        unit = None
        listed = self.get("requests.json", jurisdiction_id=JURISDICTION).json()
        for r in listed if isinstance(listed, list) else []:
            if r.get("address_id"):
                unit = str(r["address_id"])
                break
        R.ok(unit, "a demo request carries an address_id to post with")
        before = len(listed) if isinstance(listed, list) else 0

        # 1. Through `three` (json): lat/long, the required attribute, a media_url, a requester.
        media = "https://example.org/open311/lift-photo.jpg"
        posted = self.three.post(
            "lift_fault", lat="36.0611", long="103.8343", description="3号楼电梯困人 (three)",
            media_url=media, email="li.lei@example.org", name="Lei Li", phone="13900000311",
            device_id="o311-check-device", account_id="o311-check-account",
            **{"attribute[trapped]": "yes"},
        )
        R.eq(self.three.post_response.status_code, 200, "three: post() status")
        ok = R.ok(isinstance(posted, list) and posted and posted[0].get("service_request_id"),
                  "three: post() answers [{service_request_id}]", posted)
        if ok:
            self.created["three"] = (str(posted[0]["service_request_id"]),
                                     {"lat": 36.0611, "long": 103.8343, "media_url": media, "code": "lift_fault",
                                      "description": "3号楼电梯困人 (three)"})
        # 2. Raw, .xml: an address_string only.
        form = {"jurisdiction_id": JURISDICTION, "service_code": "noise", "address_string": "西柳沟3号楼2单元",
                "description": "楼上夜里装修 (xml)", "api_key": self.key}
        rid = self.created_ok(self.post("requests.xml", form), "xml", "POST with address_string")
        if rid:
            self.created["address"] = (rid, {"address": "西柳沟3号楼2单元", "code": "noise"})
        # 3. Raw, .json: an address_id only.
        if unit:
            form = {"jurisdiction_id": JURISDICTION, "service_code": "parking", "address_id": unit,
                    "description": "消防通道被占 (json)", "api_key": self.key}
            rid = self.created_ok(self.post("requests.json", form), "json", "POST with address_id")
            if rid:
                self.created["unit"] = (rid, {"address_id": unit, "code": "parking"})
        # 4. Raw, .json: lat/long and the attribute with the other key.
        form = {"jurisdiction_id": JURISDICTION, "service_code": "lift_fault", "lat": "36.06", "long": "103.83",
                "attribute[trapped]": "no", "api_key": self.key}
        rid = self.created_ok(self.post("requests.json", form), "json", "POST with lat/long and attribute[trapped]=no")
        if rid:
            self.created["latlong"] = (rid, {"lat": 36.06, "long": 103.83, "code": "lift_fault"})

        # "free form text limited to 4,000 characters": 4000 may be sent, and line breaks.
        form = {"jurisdiction_id": JURISDICTION, "service_code": "noise", "address_string": "西柳沟1号楼",
                "description": "楼上装修\n" + "噪" * 3995, "api_key": self.key}
        rid = self.created_ok(self.post("requests.json", form), "json", "POST with a 4000-character description")
        if rid:
            self.created["long"] = (rid, {"description": form["description"], "code": "noise"})

        # Bad inputs, each in both formats.
        good = {"jurisdiction_id": JURISDICTION, "service_code": "lift_fault", "lat": "36.0611", "long": "103.8343",
                "attribute[trapped]": "yes", "description": "bad input check", "api_key": self.key}

        def without(*k):
            return {a: b for a, b in good.items() if a not in k}

        def with_(**kv):
            return {**good, **{k.replace("attribute_trapped", "attribute[trapped]"): v for k, v in kv.items()}}

        self.error_post(without("service_code"), 400, "POST without service_code", says="service_code")
        # Spec, POST Service Request, Possible Errors: "404 - service_code or jurisdiction_id was not found".
        self.error_post(with_(service_code="nope"), 404, "POST with an unknown service_code", says="service_code")
        self.error_post(with_(lat="95"), 400, "POST with lat=95", says="lat")
        self.error_post(with_(long="200"), 400, "POST with long=200", says="long")
        self.error_post(without("long"), 400, "POST with lat but no long (and no address)")
        self.error_post(without("lat", "long"), 400, "POST without any location")
        self.error_post(with_(attribute_trapped="perhaps"), 400, "POST with an unknown value of trapped",
                        says="trapped")
        self.error_post(without("attribute[trapped]"), 400, "POST without the required attribute trapped",
                        says="trapped")
        self.error_post(without("api_key"), 403, "POST without api_key", says="api_key")
        self.error_post(with_(api_key="yjt_" + "0" * 64), 403, "POST with a wrong api_key", says="api_key")
        self.error_post(with_(jurisdiction_id="NOPE"), 404, "POST to an unknown jurisdiction", says="jurisdiction_id")
        self.error_post(with_(jurisdiction_id=SEED, service_code="noise"), 403,
                        "POST with XLG's api_key to another jurisdiction")
        self.error_post(with_(address_id="99999999", lat="", long=""), 400, "POST with an unknown address_id")
        bad = Three(self.base, format="json", jurisdiction=JURISDICTION, api_key="wrong-key")
        answer = bad.post("noise", address="西柳沟", description="x")
        R.eq(bad.post_response.status_code, 403, "three: post() with a wrong api_key is a 403")
        R.ok(isinstance(answer, list) and answer and answer[0].get("code") == 403,
             "three: the 403 is an error list", answer)
        after = self.get("requests.json", jurisdiction_id=JURISDICTION).json()
        R.eq(len(after) if isinstance(after, list) else None, before + len(self.created),
             "only the good posts made requests")

    # ---- GET requests
    def check_request(self, r, fmt, what):
        if not fields(r, REQUEST, f"{what} ({fmt})"):
            return
        if fmt == "json":
            R.ok(isinstance(r["service_request_id"], (str, int)) and isinstance(r["service_code"], (str, int)),
                 f"{what} (json): service_request_id and service_code are strings or numbers", r)
            for k in ("status_notes", "service_name", "description", "agency_responsible", "service_notice",
                      "address", "media_url", "updated_datetime", "expected_datetime"):
                R.ok(r.get(k) is None or isinstance(r[k], str), f"{what} (json): {k} is a string or null", r.get(k))
        R.ok(r["status"] in ("open", "closed"), f"{what} ({fmt}): status is open or closed", r["status"])
        for k in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if r.get(k) is not None:
                R.ok(is_w3c(r[k]), f"{what} ({fmt}): {k} is a W3C date-time with a zone", r[k])
        if R.ok(is_w3c(r["requested_datetime"]), f"{what} ({fmt}): requested_datetime is present", r) and \
                is_w3c(r.get("updated_datetime")):
            R.ok(parse_w3c(r["updated_datetime"]) >= parse_w3c(r["requested_datetime"]),
                 f"{what} ({fmt}): updated_datetime is not before requested_datetime", r)
        for k in ("lat", "long"):
            v = r.get(k)
            if v is not None:
                if fmt == "json":
                    R.ok(isinstance(v, (int, float)), f"{what} (json): {k} is a number", v)
                else:
                    R.ok(re.fullmatch(r"-?\d+(\.\d+)?", v), f"{what} (xml): {k} is a number", v)

    def get_requests(self, by_code):
        R.start("GET requests")
        js, xm = self.both("requests", "service_requests", "requests (default window)", jurisdiction_id=JURISDICTION)
        for fmt, lst in (("json", js), ("xml", xm)):
            if R.ok(isinstance(lst, list) and lst, f"requests ({fmt}) is a non-empty list"):
                for r in lst:
                    self.check_request(r, fmt, "request")
        js = js if isinstance(js, list) else []
        ids = {str(r["service_request_id"]) for r in js}
        for name, (rid, _) in self.created.items():
            R.ok(rid in ids, f"the default window holds the request posted ({name})", rid)
        closed = [r for r in js if r["status"] == "closed"]
        R.ok(closed, "the demo has closed requests")
        R.ok(any(r.get("status_notes") for r in closed), "closed requests carry status_notes")
        R.ok(any(r.get("agency_responsible") for r in js), "requests carry agency_responsible")
        R.ok(any(r.get("expected_datetime") for r in js), "requests carry expected_datetime")
        R.ok(all(r["service_code"] in by_code for r in js), "every request's service_code is a listed service")

        # The posted requests, one by one, through requests/{id} and the libraries.
        for name, (rid, want) in self.created.items():
            one_js, one_xm = self.both(f"requests/{rid}", "service_requests", f"requests/{rid}",
                                       jurisdiction_id=JURISDICTION)
            if not R.ok(isinstance(one_js, list) and len(one_js) == 1, f"requests/{rid}: one request", one_js):
                continue
            r = one_js[0]
            self.check_request(r, "json", f"requests/{rid}")
            if isinstance(one_xm, list) and one_xm:
                self.check_request(one_xm[0], "xml", f"requests/{rid}")
            R.eq(str(r["service_request_id"]), rid, f"requests/{rid}: service_request_id")
            R.eq(r["status"], "open", f"requests/{rid}: a new request is open")
            R.eq(r["service_code"], want["code"], f"requests/{rid}: service_code")
            for k in ("lat", "long"):
                if k in want:
                    R.ok(isinstance(r[k], (int, float)) and math.isclose(r[k], want[k], abs_tol=1e-6),
                         f"requests/{rid}: {k} as posted", r[k])
            for k in ("media_url", "address", "address_id", "description"):
                if k in want:
                    R.eq(str(r.get(k)), want[k], f"requests/{rid} ({name}): {k} as posted")
            text = json.dumps(one_js, ensure_ascii=False)
            R.ok("13900000311" not in text and "li.lei@example.org" not in text and "Lei" not in text,
                 f"requests/{rid}: the requester's name, phone and e-mail are not served")
            lib = self.gr["json"].get_service_request(rid)
            R.eq(str(lib.get("service_request_id")), rid, "georeport (json): get_service_request")
            lib = self.gr["xml"].get_service_request(rid)
            R.eq(str(lib.get("service_request_id")) if isinstance(lib, dict) else lib, rid,
                 "georeport (xml): get_service_request")
            lib = self.three.request(rid)
            R.ok(isinstance(lib, list) and lib and str(lib[0].get("service_request_id")) == rid,
                 "three: request(id)", lib)
        lift = self.created.get("three")
        if lift:
            rid = lift[0]
            r = self.get(f"requests/{rid}.json", jurisdiction_id=JURISDICTION).json()[0]
            R.ok(r.get("expected_datetime"), "the new lift_fault request has an expected_datetime", r)

        # Filters.
        new_ids = sorted(rid for rid, _ in self.created.values())
        if len(new_ids) >= 2:
            a, b = new_ids[0], new_ids[1]
            lib = self.gr["json"].get_service_requests(service_request_id=f"{a},{b}")
            R.eq(sorted(str(r["service_request_id"]) for r in lib), sorted([a, b]),
                 "georeport (json): service_request_id=a,b gives exactly a and b")
            lib = as_list(self.gr["xml"].get_service_requests(service_request_id=f"{a},{b}"))
            R.eq(sorted(str(r["service_request_id"]) for r in lib), sorted([a, b]),
                 "georeport (xml): service_request_id=a,b gives exactly a and b")
            # "This overrides all other arguments."
            got = self.get("requests.json", jurisdiction_id=JURISDICTION, service_request_id=a, status="closed").json()
            R.ok(isinstance(got, list) and [str(r["service_request_id"]) for r in got] == [a],
                 "service_request_id overrides status (spec: 'This overrides all other arguments')", got)
            got = self.get("requests.json", jurisdiction_id=JURISDICTION, service_request_id=a,
                           service_code="policy").json()
            R.ok(isinstance(got, list) and [str(r["service_request_id"]) for r in got] == [a],
                 "service_request_id overrides service_code (spec: 'This overrides all other arguments')", got)
        for fmt in ("json", "xml"):
            lst = as_list(self.gr[fmt].get_service_requests(service_code="lift_fault"))
            R.ok(lst and all(r["service_code"] == "lift_fault" for r in lst),
                 f"georeport ({fmt}): service_code=lift_fault gives only lift_fault", [r["service_code"] for r in lst])
            lst = as_list(self.gr[fmt].get_service_requests(service_code="lift_fault,noise"))
            R.eq(sorted({r["service_code"] for r in lst}), ["lift_fault", "noise"],
                 f"georeport ({fmt}): service_code=lift_fault,noise gives both")
            for st in ("open", "closed"):
                lst = as_list(self.gr[fmt].get_service_requests(status=st))
                R.ok(lst and all(r["status"] == st for r in lst), f"georeport ({fmt}): status={st}",
                     [r["status"] for r in lst])
            lst = as_list(self.gr[fmt].get_service_requests(status="open,closed"))
            R.eq(len(lst), len(js), f"georeport ({fmt}): status=open,closed gives all")
        now = datetime.now(timezone.utc)
        lst = self.gr["json"].get_service_requests(start_date=w3c(now - timedelta(hours=1)),
                                                    end_date=w3c(now + timedelta(hours=1)))
        got = {str(r["service_request_id"]) for r in lst}
        R.ok(set(new_ids) <= got, "georeport: start_date/end_date around now hold the new requests")
        lst = self.three.requests(between=(date.today() - timedelta(days=1), date.today() + timedelta(days=2)))
        R.ok(isinstance(lst, list) and set(new_ids) <= {str(r["service_request_id"]) for r in lst},
             "three: requests(between=…) holds the new requests", lst if not isinstance(lst, list) else len(lst))
        lst = self.three.requests("lift_fault", status="open")
        R.ok(isinstance(lst, list) and lst and all(r["service_code"] == "lift_fault" and r["status"] == "open"
                                                   for r in lst), "three: requests('lift_fault', status='open')")
        for fmt in ("json", "xml"):
            r = self.get(f"requests.{fmt}", jurisdiction_id=JURISDICTION, end_date="2026-01-01T00:00:00Z")
            got = json_doc(r, "requests ending 2026-01-01") if fmt == "json" else xml_doc(r, "service_requests", "requests ending 2026-01-01")
            R.ok(isinstance(got, list) and not set(new_ids) & {str(x["service_request_id"]) for x in got},
                 f"requests ({fmt}) with end_date in the past exclude the new requests", got)
        # "Optional": a parameter passed empty is the same as one not passed.
        empty = self.get("requests.json", jurisdiction_id=JURISDICTION, status="", service_code="",
                         start_date="", end_date="", service_request_id="")
        R.eq(empty.status_code, 200, "requests with empty optional parameters: status")
        R.ok(empty.status_code == 200 and len(empty.json()) == len(js),
             "requests with empty optional parameters answer as without them")
        # A W3C date with an offset rather than Z.
        local = (now - timedelta(hours=1)).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        got = self.get("requests.json", jurisdiction_id=JURISDICTION, start_date=local).json()
        R.ok(isinstance(got, list) and set(new_ids) <= {str(r["service_request_id"]) for r in got},
             f"start_date with an offset ({local}) is read", got if not isinstance(got, list) else len(got))
        # Bad inputs.
        self.error_get("requests", 400, "requests without jurisdiction_id where there are several",
                       _says="jurisdiction_id")
        self.error_get("requests", 400, "requests over more than 90 days", jurisdiction_id=JURISDICTION,
                       start_date=w3c(now - timedelta(days=120)), end_date=w3c(now))
        self.error_get("requests", 400, "requests with a start_date that is not a date", jurisdiction_id=JURISDICTION,
                       start_date="yesterday")
        self.error_get("requests", 400, "requests with an unknown status", jurisdiction_id=JURISDICTION,
                       status="pending")
        self.error_get("requests", 404, "requests of an unknown jurisdiction", jurisdiction_id="NOPE")
        self.error_get("requests/99999999", 404, "an unknown request id", jurisdiction_id=JURISDICTION)
        self.error_get("requests/abc", 404, "a request id that is not one", jurisdiction_id=JURISDICTION)
        if new_ids:
            self.error_get(f"requests/{new_ids[0]}", 404, "a request of another jurisdiction", jurisdiction_id=SEED)
        try:
            self.gr["json"].get_service_request("99999999")
            R.ok(False, "georeport: an unknown request id raises an HTTP error")
        except requests.HTTPError as e:
            R.eq(e.response.status_code, 404, "georeport: an unknown request id is a 404")

    def window(self):
        """The default 90-day window, on the seeded community's 180 days of appeals."""
        R.start("GET requests: the 90-day window")
        now = datetime.now(timezone.utc)
        js, _ = self.both("requests", "service_requests", f"requests of {SEED}", jurisdiction_id=SEED)
        if not R.ok(isinstance(js, list) and js, f"{SEED} has requests in the last 90 days"):
            return
        R.ok(len(js) <= 1000, "the default query answers at most 1000 requests (spec: Response Volume)", len(js))
        oldest = min(parse_w3c(r["requested_datetime"]) for r in js)
        R.ok(oldest >= now - timedelta(days=90, minutes=5), "the default window is the last 90 days",
             f"oldest requested_datetime {oldest}")
        older = self.get("requests.json", jurisdiction_id=SEED, start_date=w3c(now - timedelta(days=180)),
                         end_date=w3c(now - timedelta(days=91))).json()
        R.ok(isinstance(older, list) and older, f"{SEED} has requests older than 90 days (so the window excluded some)",
             older)
        for r in older if isinstance(older, list) else []:
            t = parse_w3c(r["requested_datetime"])
            if not R.ok(now - timedelta(days=180, minutes=1) <= t <= now - timedelta(days=91),
                        "start_date/end_date bound requested_datetime", r["requested_datetime"]):
                break
        if isinstance(older, list) and older:
            old = str(older[0]["service_request_id"])
            got = self.get("requests.json", jurisdiction_id=SEED, service_request_id=old).json()
            R.ok(isinstance(got, list) and [str(r["service_request_id"]) for r in got] == [old],
                 "service_request_id finds a request outside the default window", got)
        exactly = self.get("requests.json", jurisdiction_id=SEED, start_date=w3c(now - timedelta(days=90)),
                           end_date=w3c(now))
        R.eq(exactly.status_code, 200, "a range of exactly 90 days is allowed")
        self.error_get("requests", 400, "a range of 91 days", jurisdiction_id=SEED,
                       start_date=w3c(now - timedelta(days=91)), end_date=w3c(now))

    # ---- tokens
    def tokens(self):
        R.start("GET tokens")
        for name, (rid, _) in list(self.created.items())[:2]:
            js, xm = self.both(f"tokens/{rid}", "service_requests", f"tokens/{rid}", jurisdiction_id=JURISDICTION)
            for fmt, lst in (("json", js), ("xml", xm)):
                if R.ok(isinstance(lst, list) and len(lst) == 1, f"tokens/{rid} ({fmt}): one request", lst):
                    if fields(lst[0], TOKEN, f"tokens/{rid} ({fmt})"):
                        R.eq(str(lst[0]["service_request_id"]), rid, f"tokens/{rid} ({fmt}): service_request_id")
            lib = self.three.token(rid)
            R.ok(isinstance(lib, list) and lib and str(lib[0].get("service_request_id")) == rid, "three: token()", lib)
        self.error_get("tokens/99999999", 404, "an unknown token", jurisdiction_id=JURISDICTION)

    # ---- servicerequestupdates
    def updates(self):
        R.start("GET servicerequestupdates (extension)")
        rj = self.get("servicerequestupdates.json", jurisdiction_id=JURISDICTION)
        rx = self.get("servicerequestupdates.xml", jurisdiction_id=JURISDICTION)
        R.eq(rj.status_code, 200, "servicerequestupdates .json status")
        R.eq(rx.status_code, 200, "servicerequestupdates .xml status")
        js = json_doc(rj, "servicerequestupdates .json")
        try:
            root = ET.fromstring(rx.content).tag
        except ET.ParseError:
            root = None
        # The extension's own documents name the root both ways.
        R.ok(root in ("service_request_updates", "service_requests_updates"),
             "servicerequestupdates .xml: root element", root)
        xm = xml_doc(rx, root, "servicerequestupdates .xml")
        if js is not None and xm is not None:
            same(js, xm, "servicerequestupdates")
        if not R.ok(isinstance(js, list) and js, "servicerequestupdates is a non-empty list", js):
            return
        for fmt, lst in (("json", js), ("xml", xm or [])):
            for u in lst:
                if fields(u, UPDATE, f"request_update ({fmt})"):
                    R.ok(str(u["status"]).lower() in ("open", "closed"), f"request_update ({fmt}): status", u["status"])
                    R.ok(is_w3c(u["updated_datetime"]), f"request_update ({fmt}): updated_datetime is W3C",
                         u["updated_datetime"])
        R.eq(len({str(u["update_id"]) for u in js}), len(js), "update_ids are distinct")
        ids = {str(u["service_request_id"]) for u in js}
        for name, (rid, _) in self.created.items():
            R.ok(rid in ids, f"the request posted ({name}) has an update", rid)
        # A closed request's last update says closed.
        reqs = self.get("requests.json", jurisdiction_id=JURISDICTION, status="closed").json()
        for r in reqs[:3] if isinstance(reqs, list) else []:
            mine = [u for u in js if str(u["service_request_id"]) == str(r["service_request_id"])]
            if R.ok(mine, f"closed request {r['service_request_id']} has updates"):
                last = max(mine, key=lambda u: int(u["update_id"]))
                R.eq(str(last["status"]).lower(), "closed", f"closed request {r['service_request_id']}: last update")
        now = datetime.now(timezone.utc)
        later = self.get("servicerequestupdates.json", jurisdiction_id=JURISDICTION,
                         start_date=w3c(now + timedelta(hours=1)), end_date=w3c(now + timedelta(hours=2)))
        R.ok(later.status_code == 200 and later.json() == [], "start_date/end_date in the future give no updates",
             later.text[:200])
        self.error_get("servicerequestupdates", 404, "updates of an unknown jurisdiction", jurisdiction_id="NOPE")
        self.error_get("servicerequestupdates", 400, "updates with a bad start_date", jurisdiction_id=JURISDICTION,
                       start_date="soon")


def section(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # a crash in one section is a failure, the others still run
        R.ok(False, f"{fn.__name__} raised {type(e).__name__}: {e}", traceback.format_exc(limit=3))
        return None


def main():
    print(f"Open311 GeoReport v2 conformance check: {BIN}")
    server = Server()
    try:
        server.cli("seed", "--communities", "1", "--residents-per-community", "5", "--appeals-per-community", "2500")
        out = server.cli("apikey", "create", "--community", JURISDICTION, "--name", "open311-check")
        key = out.strip().splitlines()[-1].strip()
        print(f"server at {server.root}, data in {server.data}, API key …{key[-6:]}")
        c = Check(server, key)
        section(c.discovery)
        by_code = section(c.services) or {}
        section(c.definitions, by_code)
        section(c.post_requests)
        section(c.get_requests, by_code)
        section(c.window)
        section(c.tokens)
        section(c.updates)
    finally:
        server.stop()
        shutil.rmtree(server.data, ignore_errors=True)
        if R.failures:
            print(f"\nserver log kept in {server.tmp}/serve.log")
        else:
            shutil.rmtree(server.tmp, ignore_errors=True)
    took = time.monotonic() - STARTED
    R.section = "time"
    R.ok(took < DEADLINE_S, f"the check finishes within {DEADLINE_S} s", f"{took:.1f} s")
    print(f"\n=== Open311 conformance summary ({took:.1f} s)")
    for f in R.failures:
        print("FAIL " + f)
    print(f"open311: {R.passed} passed, {len(R.failed_names)} failed")
    return 1 if R.failures else 0


if __name__ == "__main__":
    sys.exit(main())
