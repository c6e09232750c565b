#!/usr/bin/python3
"""Writes pickle_vectors.txt: pickles CPython makes of plain-data values at
every protocol, for pickle_test.cpp to read (and to compare its own pickles
with). Run with Debian's interpreter:

    /usr/bin/python3 tests/unit/data/gen_pickle_vectors.py > tests/unit/data/pickle_vectors.txt

Format, one record a line, fields separated by one tab, bytes in hex:
  # ...                                           comment
  ok <name> <protocol> <pickle> <optimized> <repr>
      pickle.dumps(value, protocol); the same through pickletools.optimize
      (unused memo PUTs removed), or "-" when it still reads the memo; and
      repr() of the value, bytearray shown as bytes and OrderedDict as dict
      (what memcache::PyValue reads them as).
  refused <name> <protocol> <pickle> <reason>
      a pickle that would import or call code, or is not plain data; <reason>
      is what the C++ error message must name (an opcode, or "recursive").
The C++ test builds the same values by <name>.
"""
import collections
import datetime
import decimal
import pickle
import pickletools
import sys


def values():
    shared = [1, 2]
    deep = []
    cur = deep
    for _ in range(100):
        nxt = []
        cur.append(nxt)
        cur = nxt
    return [
        ("none", None),
        ("true", True),
        ("false", False),
        ("int_0", 0),
        ("int_1", 1),
        ("int_255", 255),
        ("int_256", 256),
        ("int_65535", 65535),
        ("int_65536", 65536),
        ("int_neg1", -1),
        ("int_i32max", 2**31 - 1),
        ("int_i32min", -2**31),
        ("int_2_31", 2**31),
        ("int_i64max", 2**63 - 1),
        ("int_i64min", -2**63),
        ("int_2_63", 2**63),
        ("int_2_64", 2**64),
        ("int_2_70", 2**70),
        ("int_neg_2_70", -2**70),
        ("int_10_100", 10**100),
        ("int_neg_10_100", -10**100),
        ("float_0", 0.0),
        ("float_neg0", -0.0),
        ("float_1_5", 1.5),
        ("float_0_1", 0.1),
        ("float_1e16", 1e16),
        ("float_1e-5", 1e-5),
        ("float_big", 1.7976931348623157e308),
        ("float_tiny", 5e-324),
        ("float_inf", float("inf")),
        ("float_neg_inf", float("-inf")),
        ("float_nan", float("nan")),
        ("str_empty", ""),
        ("str_ascii", "hello"),
        ("str_latin1", "h\u00e9llo w\u00f6rld"),
        ("str_unicode", "\u65e5\u672c\u8a9e \U0001f389"),
        ("str_escapes", "back\\slash\nnew\rline\x00nul\x1asub\ttab 'q' \"dq\""),
        ("str_surrogate", "lone \ud800 surrogate"),
        ("str_long", "x" * 300),
        ("bytes_empty", b""),
        ("bytes_abc", b"abc"),
        ("bytes_all", bytes(range(256))),
        ("bytearray", bytearray(b"xyz")),
        ("bytearray_empty", bytearray()),
        ("list_empty", []),
        ("list_mixed", [1, "a", None, 2.5, b"b", True]),
        ("list_nested", [[1, 2], [3, [4, []]]]),
        ("list_1001", list(range(1001))),
        ("tuple_empty", ()),
        ("tuple_1", (1,)),
        ("tuple_2", (1, "two")),
        ("tuple_3", (1, "two", 3.0)),
        ("tuple_4", (1, 2, 3, 4)),
        ("dict_empty", {}),
        ("dict_one", {"a": 1}),
        ("dict_user", {"name": "alice", "age": 31, "tags": ["x", "y"], "score": 9.5, "active": True,
                       "avatar": b"\x89PNG", "address": {"city": "Paris", "zip": "75001"}, "nick": None}),
        ("dict_keys", {1: "int key", b"b": "bytes key", (1, "t"): "tuple key", None: 0, 2.5: "float key",
                       frozenset([1]): "frozenset key"}),
        ("dict_1001", {"k%d" % i: i for i in range(1001)}),
        ("set_empty", set()),
        ("set_ints", {1, 2, 3}),
        ("set_mixed", {"a", b"b", (1, 2), None}),
        ("frozenset_empty", frozenset()),
        ("frozenset_ints", frozenset([1, "a"])),
        ("set_1001", set(range(1001))),
        ("shared", {"a": shared, "b": shared, "c": (shared, shared)}),
        ("ordered_dict", collections.OrderedDict([("z", 1), ("a", [2])])),
        ("session", {"_fresh": True, "_id": "f00d" * 8, "user_id": "42", "csrf_token": "abc123",
                     "_flashes": [("message", "Logged in")]}),
        ("deep", deep),
    ]


class Thing:
    pass


def refused():
    rec = []
    rec.append(rec)
    d = {}
    d["self"] = d
    return [
        ("instance", Thing(), "GLOBAL"),
        ("datetime", datetime.datetime(2024, 1, 2, 3, 4, 5), "GLOBAL"),
        ("decimal", decimal.Decimal("1.5"), "GLOBAL"),
        ("complex", 1 + 2j, "GLOBAL"),
        ("function", len, "GLOBAL"),
        ("recursive_list", rec, "recursive"),
        ("recursive_dict", d, "recursive"),
    ]


def plain(v):
    """The value as memcache::PyValue reads it, for repr()."""
    if type(v) is bytearray:
        return bytes(v)
    if type(v) is collections.OrderedDict:
        return {plain(k): plain(x) for k, x in v.items()}
    if type(v) is dict:
        return {plain(k): plain(x) for k, x in v.items()}
    if type(v) is list:
        return [plain(x) for x in v]
    if type(v) is tuple:
        return tuple(plain(x) for x in v)
    return v


def uses_memo(p):
    return any(op.name in ("GET", "BINGET", "LONG_BINGET") for op, _, _ in pickletools.genops(p))


def main():
    out = sys.stdout
    out.write("# pickle vectors from CPython %s (tests/unit/data/gen_pickle_vectors.py)\n" % sys.version.split()[0])
    for name, v in values():
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            p = pickle.dumps(v, proto)
            opt = pickletools.optimize(p)
            opt_hex = "-" if uses_memo(opt) else opt.hex()
            out.write("ok\t%s\t%d\t%s\t%s\t%s\n" % (name, proto, p.hex(), opt_hex, repr(plain(v))))
    for name, v, reason in refused():
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            try:
                p = pickle.dumps(v, proto)
            except Exception:
                continue  # e.g. a recursive dict at protocol 0 pickles, a lambda would not
            r = reason
            if r == "GLOBAL" and proto >= 4:
                r = "STACK_GLOBAL"
            out.write("refused\t%s\t%d\t%s\t%s\n" % (name, proto, p.hex(), r))


if __name__ == "__main__":
    main()
