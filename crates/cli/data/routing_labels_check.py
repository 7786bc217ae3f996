#!/usr/bin/env python3
"""Consistency check for the routing reference data of chuishao.

Run from anywhere:  python3 crates/cli/data/routing_labels_check.py
Exit status 0 when every check passes, 1 otherwise; a summary is printed either way.
Standard library only.

Files checked (all in this directory):
  dongcheng_community_centroids.csv  code,name,lat,lon   approximate WGS-84 centroids
  dongcheng_gazetteer.csv            name,kind,community_code
  routing_train.csv                  text,lat,lon,expected_owner   (240 rows)
  routing_heldout.csv                text,lat,lon,expected_owner   (130 rows)
against dongcheng_communities_2023.csv, duty_catalog.csv and departments.csv.

What is verified
  centroids   one row per community (same code and name), inside 东城区's rough box
              (lat 39.855-39.975, lon 116.375-116.445), every two at least 250 m apart
  gazetteer   header, >= 180 names, no name twice, kind in community|road|hutong|landmark,
              every community_code exists, every community present as "<name>社区"
  routing     headers and row counts; texts 15-80 characters, no duplicates; lat/lon with
              6 decimals and within 40 m of a community centroid (the nearest one is the
              community of the row, centroids being >= 250 m apart); expected_owner is the
              owner of some duty item in that street (a unit id "{streetCode}-{role}" or a
              department id) AND equals the owner of the row's labelled duty item;
              every duty item covered >= 3 times over both files, >= 90 items in heldout
  leakage     no held-out text shares a 6-character substring with any catalog keyword or
              example, or with any train text (compared both raw and with punctuation and
              spaces removed); no train text copies 10 characters of a catalog example;
              at most 25 % of held-out texts contain any catalog keyword of >= 3 characters
              (the share is printed)

Labels: the CSVs carry no duty-item column, so the item each row is about is kept below in
LABELS, keyed by the first 10 hex digits of sha1(text).  A row whose text is edited loses its
label and fails the check: relabel it here (python3 -c 'import hashlib;print(hashlib.sha1(
"TEXT".encode()).hexdigest()[:10])').
"""
import csv
import hashlib
import math
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

# sha1(text)[:10] -> duty item code
LABELS = {
    # BEGIN LABELS
    "0b849fa908": "C-001",
    "48b64de7b0": "C-001",
    "bb7510b4a0": "C-001",
    "cf62a6e5ac": "C-001",
    "0ec46c525e": "C-002",
    "4664430cb7": "C-002",
    "f79c0cf0f9": "C-002",
    "296350d43a": "C-003",
    "5573b79a3f": "C-003",
    "5fc7cf704e": "C-003",
    "81c386736a": "C-003",
    "9f209311e4": "C-003",
    "0458f4fd6c": "C-004",
    "2880853b1e": "C-004",
    "718918d1a1": "C-004",
    "0e2f7af305": "C-005",
    "4cf0ef5b81": "C-005",
    "5484b44b3f": "C-005",
    "02c5bae9bb": "C-006",
    "0e750801aa": "C-006",
    "546805023e": "C-006",
    "641c9cc5f8": "C-006",
    "9f584ca024": "C-006",
    "dc6d406a2d": "C-006",
    "c0d6db6aa5": "C-007",
    "dda0191a73": "C-007",
    "e7875f98c0": "C-007",
    "56abe549d7": "C-008",
    "5c99a8f45e": "C-008",
    "85a4c6e9fa": "C-008",
    "18593c53bb": "C-009",
    "71e0cc48f2": "C-009",
    "f7a56e14bc": "C-009",
    "27bceb662a": "C-010",
    "2cdc14ad7a": "C-010",
    "3aea51c53b": "C-010",
    "8e40f38701": "C-010",
    "9da9940b84": "C-010",
    "02e0e8d92e": "C-011",
    "03c22a6e46": "C-011",
    "36dc357c0a": "C-011",
    "973aac02c3": "C-012",
    "b339826e11": "C-012",
    "c2d8b26730": "C-012",
    "109964de0d": "C-013",
    "2db9d8365d": "C-013",
    "b57d7532c7": "C-013",
    "1e17ec51fe": "C-014",
    "372e42be4c": "C-014",
    "6096153df1": "C-014",
    "18ed8f4494": "C-015",
    "8397157304": "C-015",
    "d54f0c2056": "C-015",
    "22c4881ecf": "C-016",
    "245a431724": "C-016",
    "5ff966d9bf": "C-016",
    "85f1e7f39c": "C-016",
    "87b92b7aa1": "C-016",
    "1b6b378f16": "C-017",
    "7c56ac6bd8": "C-017",
    "a46dda6a04": "C-017",
    "1e61203cd5": "C-018",
    "7ac36d7a6e": "C-018",
    "fec75c61bb": "C-018",
    "3be42cb5b8": "C-019",
    "bbd4cd57dd": "C-019",
    "d173c0481c": "C-019",
    "03f55c6108": "C-020",
    "121d5f66e0": "C-020",
    "21ffd9ffe7": "C-020",
    "0506e66e86": "C-021",
    "36bcbeb608": "C-021",
    "babe126f9d": "C-021",
    "c508fc7280": "C-021",
    "ea399b5e46": "C-021",
    "917eab6daa": "C-022",
    "b50e821aec": "C-022",
    "d5cee53a03": "C-022",
    "1b64f1c680": "C-023",
    "4168e51a7a": "C-023",
    "80736e4e1b": "C-023",
    "17fd68b3d5": "C-024",
    "2b45595cbe": "C-024",
    "652a234a9b": "C-024",
    "763387c17e": "C-024",
    "7b4b977afd": "C-024",
    "839350e666": "C-025",
    "84a98deb88": "C-025",
    "e80cdd2c26": "C-025",
    "aaa71a2f41": "C-026",
    "f02af0d63a": "C-026",
    "f428d78af1": "C-026",
    "19354eaec8": "C-027",
    "91320b9472": "C-027",
    "defb601e33": "C-027",
    "84aecb7210": "C-028",
    "ba991ae6ec": "C-028",
    "cee16ed8bf": "C-028",
    "0fc76bd95c": "C-029",
    "3857b9fed5": "C-029",
    "3b5809ccfe": "C-029",
    "426c811e06": "C-029",
    "51597a1b2a": "C-029",
    "eadd30146d": "C-029",
    "5ca0f64692": "C-030",
    "71dd5f67cc": "C-030",
    "c5611caa55": "C-030",
    "d50104919d": "C-030",
    "61feb2311f": "C-031",
    "cffc3a866c": "C-031",
    "dbd42b909f": "C-031",
    "3376058703": "C-032",
    "540f00a979": "C-032",
    "693d69d578": "C-032",
    "be1b835eaf": "C-032",
    "089063faf8": "C-033",
    "25d627731f": "C-033",
    "54d83c466a": "C-033",
    "b7b7c60088": "C-033",
    "c8e44fc56b": "C-033",
    "53bd02a24e": "C-034",
    "ad5259a0a7": "C-034",
    "c37557020b": "C-034",
    "14011164e4": "C-035",
    "45722fd731": "C-035",
    "8a80daa62b": "C-035",
    "ca9dcbd440": "C-035",
    "18733331e1": "C-036",
    "30930f359f": "C-036",
    "6af4efc428": "C-036",
    "839afa9738": "C-036",
    "cd0a4e4f25": "C-036",
    "d769723126": "C-036",
    "05fdf73443": "C-037",
    "8eb7d5bca4": "C-037",
    "b061400ad8": "C-037",
    "0b9e4cca03": "C-038",
    "a6d86a0b15": "C-038",
    "c5c2bbb296": "C-038",
    "0b658237be": "C-039",
    "31d861eaa1": "C-039",
    "fa4c9be806": "C-039",
    "30b9e909fc": "C-040",
    "868e975f76": "C-040",
    "a4df218f0c": "C-040",
    "30be780dea": "C-041",
    "720c108b45": "C-041",
    "8ed4cf1cf4": "C-041",
    "48284cf857": "C-042",
    "7948143fdc": "C-042",
    "e8284743f6": "C-042",
    "1c4aa411fd": "C-043",
    "4a1a15f41d": "C-043",
    "6e35d8d133": "C-043",
    "c1e14e9548": "C-043",
    "dc5f0c3349": "C-043",
    "eda08a1552": "C-043",
    "08ded3beae": "C-044",
    "09f3d10563": "C-044",
    "db2e50e0bf": "C-044",
    "e8e3ab279e": "C-044",
    "286a11ad90": "C-045",
    "35c41d2cd2": "C-045",
    "5db60a0de8": "C-045",
    "963552e7b5": "C-045",
    "b639ccede7": "C-045",
    "0b8e11a655": "C-046",
    "43a00cedbd": "C-046",
    "5d4a69a387": "C-046",
    "6618d61fdc": "C-046",
    "097ce16c41": "C-047",
    "196a6b8cd3": "C-047",
    "5fe88b3b61": "C-047",
    "d1bc8fdd2c": "C-047",
    "21a933d835": "C-048",
    "dcbb73187c": "C-048",
    "fb4d933d40": "C-048",
    "4e9297aa93": "C-049",
    "858bf31bc7": "C-049",
    "b9e184e9dd": "C-049",
    "6887d6a081": "C-050",
    "6bada3421a": "C-050",
    "7a67dbb667": "C-050",
    "8fb50a6e34": "C-050",
    "a603508a76": "C-050",
    "0607f49852": "C-051",
    "34235b5378": "C-051",
    "459b0cb6a9": "C-051",
    "4efa6ce347": "C-051",
    "39fba12dc0": "C-052",
    "952a3699c2": "C-052",
    "9bd7b1fb07": "C-052",
    "1db55517cd": "C-053",
    "2614cbc98a": "C-053",
    "e06e761a19": "C-053",
    "f61205f502": "C-053",
    "25f2a5bf20": "C-054",
    "7f94496dc4": "C-054",
    "d2058532c0": "C-054",
    "377ca0ae2f": "C-055",
    "6ba27fb45e": "C-055",
    "6cc6d698e5": "C-055",
    "a64b817564": "C-055",
    "bd9e297cbb": "C-055",
    "ca435b99c4": "C-055",
    "3fd102080a": "C-056",
    "818c169106": "C-056",
    "834355a89e": "C-056",
    "50465a3e22": "C-057",
    "8c3814330c": "C-057",
    "8dafdefb71": "C-057",
    "a3769403c2": "C-057",
    "4a4e8e6eda": "C-058",
    "90f06f6db7": "C-058",
    "f68339bb31": "C-058",
    "6852c75d8c": "C-059",
    "6f1a399573": "C-059",
    "87b4240b89": "C-059",
    "49b7a6ff2d": "C-060",
    "92f18c4c85": "C-060",
    "f77c706e59": "C-060",
    "7c8e430b92": "C-061",
    "bac45085a7": "C-061",
    "fc5777ed70": "C-061",
    "aa487cdd81": "C-062",
    "b79f0c48ed": "C-062",
    "e480924b3c": "C-062",
    "5e01a8497a": "C-063",
    "c7007c1ffa": "C-063",
    "fbe4055a35": "C-063",
    "6229be3f7e": "C-064",
    "c5b65e9df4": "C-064",
    "f37239bcf3": "C-064",
    "ad6aa23afa": "C-065",
    "ed96635aa1": "C-065",
    "f257dc6909": "C-065",
    "2c1bc23358": "C-066",
    "8c83b36acb": "C-066",
    "c63cbc4cf4": "C-066",
    "6f1d3c6132": "C-067",
    "767e2883b9": "C-067",
    "bdc406673a": "C-067",
    "10ba5e3d75": "C-068",
    "77efcee27c": "C-068",
    "b1438f5604": "C-068",
    "5e68740866": "C-069",
    "7b36f27922": "C-069",
    "881c3275ef": "C-069",
    "28e4681050": "C-070",
    "3a90e1ee88": "C-070",
    "dfd12398f8": "C-070",
    "6d274f72bc": "C-071",
    "dc3f56c7d2": "C-071",
    "e496e18a7d": "C-071",
    "2b698564ac": "C-072",
    "489a61342a": "C-072",
    "c1838ef9b9": "C-072",
    "b6dc446b7c": "C-073",
    "cbb66062f7": "C-073",
    "d148bfbe44": "C-073",
    "7219d1887b": "C-074",
    "785662191d": "C-074",
    "859708c0de": "C-074",
    "722cd57994": "C-075",
    "9f23e3ac9d": "C-075",
    "a99f4b696e": "C-075",
    "1bb40993d2": "C-076",
    "959b0a00ba": "C-076",
    "dd4c7d4cc8": "C-076",
    "6531e2a641": "C-077",
    "7ed162847a": "C-077",
    "fe6e9469be": "C-077",
    "6352165dad": "C-078",
    "a9d9868121": "C-078",
    "b01d01def9": "C-078",
    "956d837fed": "C-079",
    "a013f21d50": "C-079",
    "fb569dfcae": "C-079",
    "435aec405d": "C-080",
    "ebf030ba9b": "C-080",
    "fbb500585b": "C-080",
    "910d746f23": "C-081",
    "a105d0d0aa": "C-081",
    "f73be6e8ea": "C-081",
    "6658ddcd6b": "C-082",
    "aa035306fa": "C-082",
    "f578d14200": "C-082",
    "94168ee875": "C-083",
    "979b13509f": "C-083",
    "dca7bff7f5": "C-083",
    "2c1c998ccb": "C-084",
    "930aa6441b": "C-084",
    "fcbe9f717c": "C-084",
    "5a55473642": "C-085",
    "67e240fd6f": "C-085",
    "899af0f049": "C-085",
    "bbbeedf71d": "C-085",
    "ce7c0651f8": "C-085",
    "1d29ad675d": "C-086",
    "3897d8e665": "C-086",
    "3cd354ebae": "C-086",
    "56b8eb1218": "C-086",
    "7d65a811e5": "C-086",
    "784d02e991": "C-087",
    "c2466fc5e3": "C-087",
    "cb89f2aca0": "C-087",
    "117067c8de": "C-088",
    "7039286f7d": "C-088",
    "cb233b593e": "C-088",
    "5906c85cb3": "C-089",
    "95da18dc9f": "C-089",
    "eeda8cf3ae": "C-089",
    "0c06d38209": "C-090",
    "4a38eaa71e": "C-090",
    "bdcd498a31": "C-090",
    "2dd646b473": "C-091",
    "59d89c3b61": "C-091",
    "fc4c1b23b5": "C-091",
    "153e2a8bb5": "C-092",
    "4184bb8578": "C-092",
    "67f4d3a86c": "C-092",
    "7c6369e04e": "C-092",
    "99de2fc87f": "C-092",
    "e39072239c": "C-092",
    "2e14c0fea0": "C-093",
    "71184bbd84": "C-093",
    "aaa1630d5b": "C-093",
    "6137f03fa9": "C-094",
    "7d93ef812c": "C-094",
    "c9f8f47f0c": "C-094",
    "5f0662b7d9": "C-095",
    "785a7f8c1b": "C-095",
    "842d96ab66": "C-095",
    "e599ee04a3": "C-095",
    "155b300502": "C-096",
    "624abe8413": "C-096",
    "c97dba7b82": "C-096",
    "1d07e70366": "C-097",
    "49aace69f6": "C-097",
    "da3ef919c9": "C-097",
    "0fcabb90bc": "C-098",
    "d0b6e762aa": "C-098",
    "f99355bfd4": "C-098",
    "a5d331de60": "C-099",
    "b400d6d76c": "C-099",
    "de890b8b0e": "C-099",
    "4e6820450f": "C-100",
    "7e1ff4e2d8": "C-100",
    "ff95664b5b": "C-100",
    "493ede7ca3": "C-101",
    "c8fb157246": "C-101",
    "fe59be7e0a": "C-101",
    "2342164014": "C-102",
    "348a321f29": "C-102",
    "3ce0b9d1cf": "C-102",
    "1c4b04dde2": "C-103",
    "35ef4914c4": "C-103",
    "423cfd0a34": "C-103",
    "6f0421b29a": "C-103",
    "ed50c2d7a6": "C-103",
    "4e0abbc2f6": "C-104",
    "d5444e9d96": "C-104",
    "e160af89a1": "C-104",
    "f253947e84": "C-104",
    "c13689aec1": "C-105",
    "eddff7eedb": "C-105",
    "fccb0e4e53": "C-105",
    "2daefc62db": "C-106",
    "e28d2a1804": "C-106",
    "eebc0b9f3f": "C-106",
    # END LABELS
}

problems = []


def fail(msg):
    problems.append(msg)


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def metres(a, b):
    lat = math.radians((a[0] + b[0]) / 2)
    return math.hypot(111320 * (a[0] - b[0]), 111320 * math.cos(lat) * (a[1] - b[1]))


_, communities = read("dongcheng_communities_2023.csv")
_, catalog = read("duty_catalog.csv")
_, departments = read("departments.csv")
comm_name = {c["code"]: c["name"] for c in communities}
comm_street = {c["code"]: c["streetCode"] for c in communities}
dept_ids = {d["id"] for d in departments}
streets = sorted(set(comm_street.values()))
items = {r["code"]: r for r in catalog}


def owners_of(item):
    return [o for o in item["owner"].split(";") if o]


def resolve(owner, street):
    kind, _, value = owner.partition(":")
    return f"{street}-{value.replace('_', '-')}" if kind == "unit" else value


for it in catalog:
    for o in owners_of(it):
        kind, _, value = o.partition(":")
        if kind not in ("unit", "dept") or (kind == "dept" and value not in dept_ids):
            fail(f"catalog {it['code']}: unknown owner {o}")
valid_owner = {s: {resolve(o, s) for it in catalog for o in owners_of(it)} for s in streets}

# ---- centroids
header, cents = read("dongcheng_community_centroids.csv")
if header != ["code", "name", "lat", "lon"]:
    fail(f"centroids header {header}")
centroid = {}
for r in cents:
    code = r["code"]
    if code not in comm_name:
        fail(f"centroids: unknown code {code}")
        continue
    if r["name"] != comm_name[code]:
        fail(f"centroids: {code} name {r['name']} != {comm_name[code]}")
    if code in centroid:
        fail(f"centroids: {code} twice")
    for v in (r["lat"], r["lon"]):
        if not re.fullmatch(r"\d+\.\d{6}", v):
            fail(f"centroids: {code} coordinate {v} not 6 decimals")
    lat, lon = float(r["lat"]), float(r["lon"])
    if not (39.855 <= lat <= 39.975 and 116.375 <= lon <= 116.445):
        fail(f"centroids: {code} ({lat},{lon}) outside 东城区 box")
    centroid[code] = (lat, lon)
missing = set(comm_name) - set(centroid)
if missing:
    fail(f"centroids: missing {sorted(missing)}")
codes = sorted(centroid)
closest = (1e9, None, None)
for i, a in enumerate(codes):
    for b in codes[i + 1:]:
        d = metres(centroid[a], centroid[b])
        closest = min(closest, (d, a, b))
        if d < 250:
            fail(f"centroids: {comm_name[a]} and {comm_name[b]} only {d:.0f} m apart")

# ---- gazetteer
header, gaz = read("dongcheng_gazetteer.csv")
if header != ["name", "kind", "community_code"]:
    fail(f"gazetteer header {header}")
if len(gaz) < 180:
    fail(f"gazetteer: {len(gaz)} names < 180")
seen = Counter(g["name"] for g in gaz)
for n, k in seen.items():
    if k > 1:
        fail(f"gazetteer: {n} listed {k} times")
for g in gaz:
    if g["kind"] not in ("community", "road", "hutong", "landmark"):
        fail(f"gazetteer: {g['name']} kind {g['kind']}")
    if g["community_code"] not in comm_name:
        fail(f"gazetteer: {g['name']} unknown community {g['community_code']}")
gaz_comm = {g["name"]: g["community_code"] for g in gaz if g["kind"] == "community"}
for code, name in comm_name.items():
    short = name.replace("居委会", "")
    if gaz_comm.get(short) != code:
        fail(f"gazetteer: community {short} missing or mapped elsewhere")

# ---- routing files
PUNCT = re.compile(r"[\s，。！？、；：“”‘’（）《》…—,.!?;:'\"()\-]")
splits = {}
for split, want in (("train", 240), ("heldout", 130)):
    header, rows = read(f"routing_{split}.csv")
    if header != ["text", "lat", "lon", "expected_owner", "duty_item"]:
        fail(f"{split}: header {header}")
    if len(rows) != want:
        fail(f"{split}: {len(rows)} rows, want {want}")
    out = []
    for n, r in enumerate(rows, start=2):
        text = r["text"]
        where = f"{split}:{n}"
        if not 15 <= len(text) <= 80:
            fail(f"{where}: text length {len(text)}")
        for v in (r["lat"], r["lon"]):
            if not re.fullmatch(r"\d+\.\d{6}", v):
                fail(f"{where}: coordinate {v} not 6 decimals")
        p = (float(r["lat"]), float(r["lon"]))
        d, comm = min((metres(p, c), code) for code, c in centroid.items())
        if d > 40:
            fail(f"{where}: {d:.0f} m from the nearest centroid ({comm_name[comm]})")
        st = comm_street[comm]
        if r["expected_owner"] not in valid_owner[st]:
            fail(f"{where}: {r['expected_owner']} is no duty item's owner in street {st}")
        h = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
        item = LABELS.get(h)
        if item is None or item not in items:
            fail(f"{where}: no label for text {text[:20]}… (sha1 {h})")
        elif r["expected_owner"] not in {resolve(o, st) for o in owners_of(items[item])}:
            fail(f"{where}: {r['expected_owner']} is not the owner of {item} in street {st}")
        if item is not None and r.get("duty_item") != item:
            fail(f"{where}: duty_item {r.get('duty_item')} differs from the label {item}")
        out.append({"text": text, "item": item, "street": st, "hash": h})
    splits[split] = out

all_rows = splits.get("train", []) + splits.get("heldout", [])
dups = [t for t, k in Counter(r["text"] for r in all_rows).items() if k > 1]
for t in dups:
    fail(f"duplicate text: {t}")
unused = set(LABELS) - {r["hash"] for r in all_rows}
if unused:
    fail(f"{len(unused)} labels match no row")

# ---- coverage
cov_total = Counter(r["item"] for r in all_rows)
cov_held = Counter(r["item"] for r in splits.get("heldout", []))
for code in items:
    if cov_total[code] < 3:
        fail(f"coverage: {code} {items[code]['name']} only {cov_total[code]} rows")
if len([c for c in items if cov_held[c] > 0]) < 90:
    fail(f"coverage: heldout covers only {len([c for c in items if cov_held[c] > 0])} items")

# ---- leakage
def grams(s, n):
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def both(s, n):
    return grams(s, n) | grams(PUNCT.sub("", s), n)


catalog_phrases = []
keywords3 = set()
for it in catalog:
    catalog_phrases += [p for p in it["keywords"].split(";") + it["examples"].split(";") if p]
    keywords3 |= {k for k in it["keywords"].split(";") if len(k) >= 3}
cat6 = set().union(*(both(p, 6) for p in catalog_phrases))
ex10 = set().union(*(grams(PUNCT.sub("", e), 10) for it in catalog for e in it["examples"].split(";")))
train6 = set().union(*(both(r["text"], 6) for r in splits.get("train", [])))
for r in splits.get("heldout", []):
    g = both(r["text"], 6)
    if g & cat6:
        fail(f"heldout shares {sorted(g & cat6)[0]!r} with the catalog: {r['text']}")
    if g & train6:
        fail(f"heldout shares {sorted(g & train6)[0]!r} with train: {r['text']}")
for r in splits.get("train", []):
    g = grams(PUNCT.sub("", r["text"]), 10)
    if g & ex10:
        fail(f"train copies a catalog example ({sorted(g & ex10)[0]!r}): {r['text']}")
held = splits.get("heldout", [])
kw_hits = [r for r in held if any(k in r["text"] for k in keywords3)]
share = len(kw_hits) / len(held) if held else 0
if share > 0.25:
    fail(f"{len(kw_hits)} of {len(held)} heldout texts contain a catalog keyword of >= 3 characters")

# ---- report
street_name = {}
_, st_rows = read("dongcheng_streets_2023.csv")
for s in st_rows:
    street_name[s["code"]] = s["name"]
print(f"centroids: {len(centroid)} communities, closest pair {closest[0]:.0f} m "
      f"({comm_name.get(closest[1], '-')} / {comm_name.get(closest[2], '-')})")
print(f"gazetteer: {len(gaz)} names " + str(dict(Counter(g['kind'] for g in gaz))))
print(f"rows: train {len(splits.get('train', []))}, heldout {len(held)}")
print("per street (train / heldout):")
for s in streets:
    t = sum(1 for r in splits.get("train", []) if r["street"] == s)
    h = sum(1 for r in held if r["street"] == s)
    print(f"  {s} {street_name.get(s, ''):<8} {t:>4} {h:>4}")
print(f"coverage: items with >= 3 rows {sum(1 for c in items if cov_total[c] >= 3)}/{len(items)}, "
      f"min {min(cov_total[c] for c in items)}, heldout covers {sum(1 for c in items if cov_held[c])}")
print(f"heldout texts containing a >= 3-character catalog keyword: {len(kw_hits)} ({share:.0%})")
if problems:
    print(f"\nFAILED: {len(problems)} problem(s)")
    for p in problems:
        print("  " + p)
    sys.exit(1)
print("\nOK: all checks passed")
