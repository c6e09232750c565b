"""pymemcache 3.5 on the same server as memcache_tls_bench, for context:
sequential gets and get_many of 100 keys, over TLS (tls_context) and plain.

  tls_pymemcache.py HOST PORT CA_FILE|- GETS MULTIS

Prints "<microseconds per get> <microseconds per get_many>".
"""
import ssl
import sys
import time

from pymemcache.client.base import Client

host, port, ca, gets, multis = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
context = None
if ca != "-":
    context = ssl.create_default_context(cafile=ca)
client = Client((host, port), tls_context=context, connect_timeout=5, timeout=5)
keys = ["key%d" % i for i in range(100)]
assert client.get("key0") is not None

start = time.perf_counter()
for i in range(gets):
    client.get(keys[i % 100])
per_get = (time.perf_counter() - start) / gets * 1e6

start = time.perf_counter()
for _ in range(multis):
    assert len(client.get_many(keys)) == 100
per_multi = (time.perf_counter() - start) / multis * 1e6
print("%.2f %.2f" % (per_get, per_multi))
