#!/usr/bin/python3
"""Holds packets in an NFQUEUE for a while, as netem would (this kernel has no
netem): run inside a network namespace whose iptables send packets to queue 0.

    nfqueue_delay.py --delay-ms D [--extra-ms E --extra-fraction F]

Every packet waits D ms; a fraction F of them E ms more, which reorders them
against the packets behind them. Raw nfnetlink (no library): bind queue 0,
copy metadata only, and give each packet its NF_ACCEPT verdict when its time
comes. Verdicts may be given out of order; the kernel allows that.
"""
import argparse
import heapq
import os
import random
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_ACCEPT = 1
QUEUE = 0


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(msg_type, payload, flags=NLM_F_REQUEST, seq=0):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(QUEUE)) + payload
    kind = (NFNL_SUBSYS_QUEUE << 8) | msg_type
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


def attributes(data):
    found = {}
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        if length < 4:
            break
        found[kind & 0x7FFF] = data[4:length]
        data = data[(length + 3) & ~3:]
    return found


def configure(sock):
    for seq, payload in enumerate([
            attr(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, 0)),
            attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META) + b"\0\0\0")], start=1):
        sock.send(message(NFQNL_MSG_CONFIG, payload, NLM_F_REQUEST | NLM_F_ACK, seq))
        reply = sock.recv(65536)
        length, kind = struct.unpack_from("=IH", reply)
        if kind == NLMSG_ERROR:
            error = struct.unpack_from("=i", reply, 16)[0]
            if error != 0:
                sys.exit(f"nfqueue_delay: binding queue {QUEUE} failed: {os.strerror(-error)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--extra-ms", type=float, default=0)
    parser.add_argument("--extra-fraction", type=float, default=0)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((0, 0))
    configure(sock)
    print("nfqueue_delay: ready", flush=True)
    held = []  # (due, packet id)
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else 1.0
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            data = sock.recv(65536)
            while len(data) >= 16:
                length, kind = struct.unpack_from("=IH", data)
                if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    header = attributes(data[20:length]).get(NFQA_PACKET_HDR)
                    if header:
                        packet_id = struct.unpack_from("!I", header)[0]
                        wait = args.delay_ms
                        if args.extra_fraction and random.random() < args.extra_fraction:
                            wait += args.extra_ms
                        heapq.heappush(held, (time.monotonic() + wait / 1000, packet_id))
                data = data[(length + 3) & ~3:]
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, packet_id = heapq.heappop(held)
            sock.send(message(NFQNL_MSG_VERDICT, attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))))


if __name__ == "__main__":
    main()
