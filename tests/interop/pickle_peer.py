"""python-memcached and pymemcache as peers for the Python-values interop
tests (tests/interop/pickle_test.cpp). Run with Debian's /usr/bin/python3
(python3-memcache, python3-pymemcache). Reads one JSON document from stdin:

    {"server": "127.0.0.1:40001",
     "ops": [{"op": "write", "client": "python-memcached", "protocol": 2, "prefix": "py2:"},
             {"op": "check", "client": "pymemcache", "protocol": 5, "prefix": "cpp5:"},
             {"op": "write_refused", "prefix": "bad:"}]}

and prints {"results": [...]}, one per op:
  write          stores every value of VALUES under prefix + name with that
                 client and pickle protocol; {"names": [...]}
  check          reads prefix + name for every name and compares it with
                 VALUES exactly: same types all the way down (bool is not
                 int, tuple is not list), floats bit for bit, dict key order;
                 {"checked": n, "missing": [...], "mismatch": [[name, got, want]]}
  write_refused  stores values that are not plain data (a class instance,
                 datetime, Decimal, a function, a recursive list) and an
                 OrderedDict with python-memcached (protocol 0);
                 {"names": [...]}

The C++ test builds the same VALUES by name.
"""

import collections
import datetime
import decimal
import json
import struct
import sys

import memcache
from pymemcache.client.base import Client as PymemcacheClient
from pymemcache import serde


def values():
    shared = [1, 2]
    return {
        "none": None,
        "true": True,
        "false": False,
        "int": 42,
        "int_neg": -7,
        "int_2_63": 2**63,
        "int_2_70": 2**70,
        "int_neg_2_70": -2**70,
        "float": 3.5,
        "float_0_1": 0.1,
        "float_neg0": -0.0,
        "float_inf": float("inf"),
        "float_nan": float("nan"),
        "str": "h\u00e9llo \u65e5\u672c \U0001f389",
        "str_escapes": "a\\b\nc\rd\x00e\x1af",
        "bytes": b"\x00\x01binary\xff",
        "bytes_empty": b"",
        "list": [1, "two", 3.0, None, True, b"six"],
        "ints": [1, 2, 3],
        "str_map": {"a": "x", "b": "y"},
        "tuple": (1, "two"),
        "tuple_1": ("one",),
        "tuple_4": (1, 2, 3, 4),
        "dict": {"name": "alice", "age": 31, "tags": ["x", "y"], "avatar": b"\x89PNG", "ratio": 0.25,
                 "admin": False, "address": {"city": "Paris"}, "nick": None, "point": (1, 2)},
        "dict_keys": {1: "int", b"b": "bytes", (1, "t"): "tuple", None: "none", 2.5: "float",
                      frozenset([3]): "frozenset"},
        "set": {1, 2, 3},
        "set_mixed": {"a", b"b", (1, 2)},
        "frozenset": frozenset(["x", "y"]),
        "set_empty": set(),
        "nested": {"a": [{"b": ({"c": [1, (2, 3)]},)}]},
        "shared": {"a": shared, "b": shared},
        "big_dict": {"k%d" % i: i for i in range(1000)},
        "session": {"_fresh": True, "_id": "f00d" * 8, "user_id": "42", "csrf_token": "abc123",
                    "_flashes": [("message", "Logged in")]},
    }


class Thing:
    pass


def refused():
    rec = []
    rec.append(rec)
    return {
        "instance": Thing(),
        "datetime": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "decimal": decimal.Decimal("1.5"),
        "function": len,
        "recursive": rec,
        "ordered_dict": collections.OrderedDict([("z", 1)]),  # plain data: read as a dict
    }


def same(a, b):
    """Equal values of the same types all the way down."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return struct.pack(">d", a) == struct.pack(">d", b)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        if len(a) != len(b):
            return False
        for (ka, va), (kb, vb) in zip(a.items(), b.items()):  # insertion order kept
            if not same(ka, kb) or not same(va, vb):
                return False
        return True
    if type(a) in (set, frozenset):
        if len(a) != len(b):
            return False
        for x in a:
            if not any(same(x, y) for y in b):
                return False
        return True
    return a == b


def client(kind, server, protocol):
    if kind == "python-memcached":
        return memcache.Client([server], pickleProtocol=protocol)
    if kind == "pymemcache":
        host, port = server.rsplit(":", 1)
        return PymemcacheClient((host, int(port)), serde=serde.PickleSerde(pickle_version=protocol))
    raise ValueError("unknown client %r" % kind)


def run(doc):
    results = []
    for op in doc["ops"]:
        prefix = op.get("prefix", "")
        mc = client(op.get("client", "python-memcached"), doc["server"], op.get("protocol", 0))
        if op["op"] == "write":
            for name, v in values().items():
                if not mc.set(prefix + name, v):
                    raise RuntimeError("set %s failed" % name)
            results.append({"names": list(values())})
        elif op["op"] == "write_refused":
            for name, v in refused().items():
                if not mc.set(prefix + name, v):
                    raise RuntimeError("set %s failed" % name)
            results.append({"names": list(refused())})
        elif op["op"] == "check":
            missing, mismatch, checked = [], [], 0
            for name, want in values().items():
                got = mc.get(prefix + name)
                if got is None and want is not None:
                    missing.append(name)
                elif not same(got, want):
                    mismatch.append([name, repr(got)[:200], repr(want)[:200]])
                checked += 1
            results.append({"checked": checked, "missing": missing, "mismatch": mismatch})
        else:
            raise ValueError("unknown op %r" % op["op"])
        if hasattr(mc, "disconnect_all"):
            mc.disconnect_all()
        else:
            mc.close()
    return {"results": results}


def main():
    doc = json.load(sys.stdin)
    json.dump(run(doc), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
