#!/usr/bin/python3
"""The Flask half of examples/web_cache: profiles cached as dicts with
python-memcached, in the same memcached and under the same keys as the C++
web_cache's GET /profile/<id>. Whichever app loads a profile first caches it;
the other one reads that dict back (X-Cache: HIT) and serves the same JSON.

    python3 flask_app.py --servers 127.0.0.1:11211 [--port 5000] [--ttl 60]
    curl -i localhost:5000/profile/42

Debian: apt-get install python3-flask python3-memcache.
Prints "listening on 127.0.0.1:<port>" once it serves (--port 0 picks a free port).
"""
import argparse
import sys

import memcache
from flask import Flask, jsonify
from werkzeug.serving import make_server

app = Flask(__name__)
# JSON as the C++ app writes it: keys in insertion order, compact.
app.json.sort_keys = False
app.json.compact = True
mc = None
ttl = 60


def load_profile(id):
    """The slow database of this example."""
    return {"id": id, "name": "user-%d" % id, "tags": ["reader", "writer"], "score": 0.5,
            "active": True, "manager": None, "built_by": "flask"}


@app.route("/profile/<int:id>")
def profile(id):
    key = "profile:%d" % id
    cached = mc.get(key)  # a dict, whoever stored it
    if isinstance(cached, dict):
        response = jsonify(cached)
        response.headers["X-Cache"] = "HIT"
        return response
    data = load_profile(id)
    mc.set(key, data, ttl)
    response = jsonify(data)
    response.headers["X-Cache"] = "MISS"
    return response


def main():
    global mc, ttl
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", required=True)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--ttl", type=int, default=60)
    args = parser.parse_args()
    mc = memcache.Client(args.servers.split(","))
    ttl = args.ttl
    server = make_server("127.0.0.1", args.port, app)
    print("listening on 127.0.0.1:%d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
