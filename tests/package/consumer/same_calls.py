# The calls of main.cpp, made with python-memcached (bytes values, so both
# sides store flag 0); prints the same lines main.cpp prints.
import sys

import memcache


def show_map(d):
    return "{" + ", ".join("'%s': %r" % (k, v) for k, v in sorted(d.items())) + "}"


mc = memcache.Client([sys.argv[1]])
mc.flush_all()
print(bool(mc.set("user_001", b"alice", 300)))
print(repr(mc.get("user_001")))
print(bool(mc.add("user_001", b"bob")))
print(bool(mc.replace("user_001", b"carol")))
print(repr(mc.get("user_001")))
print(mc.set_multi({"a": b"1", "b": b"2"}, 60, "p:") == [])
print(show_map(mc.get_multi(["a", "b", "c"], "p:")))
print(bool(mc.add("n", 10)))
print(mc.incr("n", 5))
print(mc.decr("n", 100))
print(bool(mc.append("user_001", b"!")))
print(bool(mc.prepend("user_001", b"*")))
print(repr(mc.get("user_001")))
print(bool(mc.delete("user_001")))
print(repr(mc.get("user_001")))
print(mc.incr("missing"))
print(bool(mc.delete_multi(["a", "b"], 0, "p:")))
print(show_map(mc.get_multi(["a", "b"], "p:")))
try:
    mc.set("bad key", b"x")
    print("no error")
except memcache.Client.MemcachedKeyCharacterError:
    print("MemcachedKeyCharacterError")
