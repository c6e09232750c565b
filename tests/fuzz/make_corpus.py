#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz: real replies, captured from a real
memcached this script starts, framed for reply_fuzzer (operations + splits +
reply bytes), and typical keys and values for request_fuzzer.

    tests/fuzz/make_corpus.py [--memcached /usr/bin/memcached]
"""
import argparse
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["k", "key", "foo", "a", "b", "other", "k2", "hello"]  # reply_fuzzer's key pool
GET, LINE, STATS, SYNC = 0, 1, 2, 3
STORAGE, ARITH, DELETION, TOUCH, FLUSH, VERSION = range(6)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary):
        self.port = free_port()
        args = [binary, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0", "-m", "64"]
        if os.geteuid() == 0:
            args += ["-u", "root"]
        self.proc = subprocess.Popen(args)
        for _ in range(200):
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port))
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("memcached did not start")

    def ask(self, request, settle=0.1):
        """Sends `request` and returns every byte that comes back."""
        self.sock.sendall(request)
        time.sleep(settle)
        self.sock.setblocking(False)
        out = b""
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    break
                out += chunk
        except BlockingIOError:
            pass
        self.sock.setblocking(True)
        return out

    def close(self):
        self.sock.close()
        self.proc.kill()
        self.proc.wait()


def get_op(*keys):
    return bytes([GET, len(keys) - 1] + [KEYS.index(k) for k in keys])


def line_op(which):
    return bytes([LINE, which])


def frame(ops, reply, gaps=(), limit=20):
    """reply_fuzzer's input: op count, ops, value limit (1 << limit), gaps, reply."""
    return bytes([len(ops) - 1]) + b"".join(ops) + bytes([limit, len(gaps)] + [g - 1 for g in gaps]) + reply


def request_seed(prefix, key, value, flags=0, exptime=0, delta=1, cas=0, switches=0, max_len_sel=1):
    return (struct.pack("<BIqQQBBH", max_len_sel, flags, exptime, delta, cas, switches, len(prefix), len(key)) +
            prefix + key + value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memcached", default=os.environ.get("MEMCACHED_BIN", "/usr/bin/memcached"))
    args = ap.parse_args()

    s = Server(args.memcached)
    try:
        seeds = {}
        seeds["set_stored"] = frame([line_op(STORAGE)], s.ask(b"set k 0 0 5\r\nhello\r\n"))
        seeds["get_hit"] = frame([get_op("k")], s.ask(b"get k\r\n"))
        seeds["get_miss"] = frame([get_op("other")], s.ask(b"get other\r\n"))
        s.ask(b"set foo 16 0 3\r\nbar\r\n")
        seeds["get_multi"] = frame([get_op("k", "key", "foo")], s.ask(b"get k key foo\r\n"), gaps=(3, 7, 1, 12))
        seeds["gets_cas"] = frame([get_op("k", "foo")], s.ask(b"gets k foo\r\n"))
        seeds["add_not_stored"] = frame([line_op(STORAGE)], s.ask(b"add k 0 0 1\r\nx\r\n"))
        seeds["cas_exists"] = frame([line_op(STORAGE)], s.ask(b"cas k 0 0 1 1\r\nx\r\n"))
        seeds["cas_not_found"] = frame([line_op(STORAGE)], s.ask(b"cas zz 0 0 1 1\r\nx\r\n"))
        s.ask(b"set a 2 0 2\r\n41\r\n")
        seeds["incr"] = frame([line_op(ARITH)], s.ask(b"incr a 1\r\n"))
        seeds["incr_not_found"] = frame([line_op(ARITH)], s.ask(b"incr nope 1\r\n"))
        seeds["incr_non_numeric"] = frame([line_op(ARITH)], s.ask(b"incr k 1\r\n"))
        seeds["touch"] = frame([line_op(TOUCH)], s.ask(b"touch k 100\r\n"))
        seeds["delete"] = frame([line_op(DELETION)], s.ask(b"delete foo\r\n"))
        seeds["delete_not_found"] = frame([line_op(DELETION)], s.ask(b"delete foo\r\n"))
        seeds["version"] = frame([line_op(VERSION)], s.ask(b"version\r\n"))
        seeds["stats"] = frame([bytes([STATS])], s.ask(b"stats\r\n"), gaps=(100, 5, 200))
        seeds["stats_items"] = frame([bytes([STATS])], s.ask(b"stats items\r\n"))
        seeds["too_large"] = frame([line_op(STORAGE)],
                                   s.ask(b"set big 0 0 2000000\r\n" + b"x" * 2000000 + b"\r\n", settle=0.5))
        seeds["bad_command_line"] = frame([get_op("k")], s.ask(b"get " + b"k" * 300 + b"\r\n"))
        # After noreply requests memcached rejected: their ERRORs, VERSION, then the get.
        sync_reply = s.ask(b"set a b 0 0 1 noreply\r\nx\r\nversion\r\nget k\r\n")
        seeds["sync_after_noreply_errors"] = frame([bytes([SYNC]), get_op("k")], sync_reply, gaps=(2, 9, 4))
        big = bytes((i * 7 + 13) % 94 + 33 for i in range(3000))
        s.ask(b"set hello 0 0 3000\r\n" + big + b"\r\n")
        seeds["big_value_split"] = frame([get_op("hello")], s.ask(b"get hello\r\n"), gaps=(1, 1, 30, 256, 256, 256, 2),
                                         limit=12)
        pipeline = s.ask(b"set k2 0 0 2\r\nv2\r\nget k2 k\r\nincr a 5\r\ndelete k2\r\nget k2\r\nflush_all\r\n")
        seeds["pipeline"] = frame([line_op(STORAGE), get_op("k2", "k"), line_op(ARITH), line_op(DELETION),
                                   get_op("k2"), line_op(FLUSH)], pipeline, gaps=(5, 17, 3, 40))
        seeds["extra_reply"] = frame([line_op(STORAGE)], b"STORED\r\nSTORED\r\n")
        seeds["value_for_unasked_key"] = frame([get_op("k")], b"VALUE other 0 1\r\nx\r\nEND\r\n")
        seeds["value_over_limit"] = frame([get_op("k")], b"VALUE k 0 5000\r\n", limit=12)
    finally:
        s.close()

    requests = {
        "plain": request_seed(b"", b"user_001", b"alice"),
        "prefixed": request_seed(b"app:", b"session:42", b"{\"id\": 42}", flags=16, exptime=300, switches=1),
        "cas": request_seed(b"", b"counter", b"17", flags=2, cas=123456789, switches=2 | 4),
        "long_key": request_seed(b"p", b"k" * 249, b"x"),
        "key_too_long": request_seed(b"p", b"k" * 250, b"x"),
        "space_in_key": request_seed(b"", b"a b", b"x"),
        "crlf_in_key": request_seed(b"", b"a\r\nget b", b"x"),
        "crlf_in_value": request_seed(b"", b"k", b"line1\r\nline2\r\n", exptime=-1, switches=1),
        "del_in_key": request_seed(b"", b"k\x7f", b""),
        "empty_key_with_prefix": request_seed(b"prefix", b"", b"v", max_len_sel=0),
        "utf8_key": request_seed(b"", "clé-ünï".encode(), b"v", delta=2 ** 64 - 1),
    }

    for target, corpus in (("reply_fuzzer", seeds), ("request_fuzzer", requests)):
        out = os.path.join(HERE, "corpus", target)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for name, data in sorted(corpus.items()):
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
        print(f"{out}: {len(corpus)} seeds")


if __name__ == "__main__":
    main()
