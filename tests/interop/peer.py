"""python-memcached as a peer for the C++ interop tests.

Run by tests/interop with Debian's interpreter (/usr/bin/python3, where
python3-memcache lives). Reads one JSON document from stdin:

    {"servers": [["127.0.0.1:40001", 1], ["127.0.0.1:40002", 2]],
     "dead_retry": 30, "socket_timeout": 3,
     "ops": [{"op": "set", "key": "<hex>", "value": V, "min_compress_len": 0}, ...]}

and prints {"results": [...]}, one result per op, as JSON. Keys, prefixes and
byte strings travel hex-encoded so that any byte survives; values are

    V = {"type": "bytes", "hex": "<hex>"}
      | {"type": "str",   "hex": "<hex of the UTF-8>"}      (+ "chars" on output)
      | {"type": "int",   "int": "<decimal>"}
      | {"type": "<other python type>", "repr": "..."}      (output only)

Every server list entry is (spec, weight), exactly as python-memcached takes it.
Each run is a fresh process, so python-memcached notices a dead server anew
(on connect) and rehashes its keys.
"""

import json
import sys

import memcache


def unhex(s):
    return bytes.fromhex(s or "")


def decode_value(v):
    t = v["type"]
    if t == "bytes":
        return unhex(v["hex"])
    if t == "str":
        return unhex(v["hex"]).decode("utf-8")
    if t == "int":
        return int(v["int"])
    raise ValueError("unknown value type %r" % t)


def encode_value(v):
    # type(v), not isinstance: bool is an int subclass and must show as such.
    if type(v) is bytes:
        return {"type": "bytes", "hex": v.hex()}
    if type(v) is str:
        return {"type": "str", "hex": v.encode("utf-8").hex(), "chars": len(v)}
    if type(v) is int:
        return {"type": "int", "int": str(v)}
    return {"type": type(v).__name__, "repr": repr(v)}


def make_client(servers, doc):
    return memcache.Client(servers,
                           dead_retry=doc.get("dead_retry", 30),
                           socket_timeout=doc.get("socket_timeout", 3))


def server_index(mc, server):
    for i, s in enumerate(mc.servers):
        if s is server:
            return i
    return -1


def run(doc):
    servers = [(spec, weight) for spec, weight in doc["servers"]]
    mc = make_client(servers, doc)
    results = []
    for op in doc["ops"]:
        name = op["op"]
        prefix = unhex(op.get("key_prefix", ""))
        if name == "info":
            results.append({"version": memcache.__version__, "file": memcache.__file__,
                            "python": sys.version.split()[0]})
        elif name == "hash":
            results.append({"hash": memcache.serverHashFunction(unhex(op["key"]))})
        elif name == "set":
            ok = mc.set(unhex(op["key"]), decode_value(op["value"]), op.get("time", 0),
                        op.get("min_compress_len", 0))
            results.append({"ok": bool(ok)})
        elif name == "get":
            v = mc.get(unhex(op["key"]))
            results.append({"found": v is not None, "value": None if v is None else encode_value(v)})
        elif name == "set_multi":
            mapping = {unhex(k): decode_value(v) for k, v in op["items"]}
            notstored = mc.set_multi(mapping, op.get("time", 0), prefix, op.get("min_compress_len", 0))
            results.append({"notstored": [k.hex() for k in notstored]})
        elif name == "get_multi":
            found = mc.get_multi([unhex(k) for k in op["keys"]], prefix)
            results.append({"items": [[k.hex(), encode_value(v)] for k, v in found.items()]})
        elif name == "where":
            # python-memcached's own choice of server (index into the list),
            # over the key as sent (prefix included); -1 when none is alive.
            out = []
            for k in op["keys"]:
                server, _ = mc._get_server(prefix + unhex(k))
                out.append(server_index(mc, server))
            results.append({"servers": out})
        elif name == "probe":
            # Which keys each server holds, asked of each server alone through
            # a single-server python-memcached client; null for a server that
            # is not asked (op["skip"]) or cannot be reached.
            keys = [unhex(k) for k in op["keys"]]
            skip = set(op.get("skip", []))
            out = []
            for i, (spec, _) in enumerate(servers):
                if i in skip:
                    out.append(None)
                    continue
                single = make_client([spec], doc)
                if not single.servers[0].connect():
                    out.append(None)
                    continue
                found = single.get_multi(keys, prefix)
                out.append([k.hex() for k in keys if k in found])
                single.disconnect_all()
            results.append({"servers": out})
        elif name == "limit":
            # What python-memcached sends at most (its server_max_value_length).
            mc.server_max_value_length = op["server_max_value_length"]
            results.append({})
        elif name == "flush_all":
            mc.flush_all()
            results.append({})
        else:
            raise ValueError("unknown op %r" % name)
    mc.disconnect_all()
    return {"results": results}


def main():
    doc = json.load(sys.stdin)
    json.dump(run(doc), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
