"""Three memcached "hosts" in network namespaces, and the faults put on them.

Each host is a namespace mcnf-<name> joined to the root namespace by a veth
pair (mcnf-<name>0 in the root, mcnf-<name>1 inside), on its own /24 of
10.213.0.0/16, with a memcached on <10.213.N.2>:11211. Clients run in the root
namespace. Faults (this kernel has no netem, so):

  latency     every packet to and from memcached held 20 ms each way in an
              NFQUEUE (nfqueue_delay.py): +40 ms round trip
  reorder     one packet in four held 10 ms longer than the rest (NFQUEUE)
  duplicate   5% of the packets each way copied by iptables' TEE
  loss5/30    5% / 30% of the packets each way dropped (iptables statistic)
  blackhole   every packet to and from memcached dropped
  link-down   the host's interface down
  sigstop     memcached stopped (SIGSTOP), continued when the fault clears
  sigkill     memcached killed (SIGKILL), restarted (empty) when it clears
  100mbit     both directions through tc tbf at 100 Mbit/s
  1mbit       both directions through tc tbf at 1 Mbit/s

Everything made here is undone by down(), also for a run that died (up()
first removes what a previous run left).
"""
import os
import shutil
import signal
import socket
import subprocess
import time

PREFIX = "mcnf"
NAMES = ["a", "b", "c"]
PORT = 11211
HERE = os.path.dirname(os.path.abspath(__file__))

FAULTS = ["latency", "reorder", "duplicate", "loss5", "loss30", "blackhole", "link-down", "sigstop", "sigkill",
          "100mbit", "1mbit"]


class Unavailable(Exception):
    """Namespaces (or a tool they need) cannot be made here: the suite is skipped."""


def run(*args, check=True):
    result = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {result.stderr.strip() or result.returncode}")
    return result


class Host:
    def __init__(self, index, name):
        self.name = name
        self.ns = f"{PREFIX}-{name}"
        self.outside = f"{PREFIX}-{name}0"
        self.inside = f"{PREFIX}-{name}1"
        self.gateway = f"10.213.{index + 1}.1"
        self.address = f"10.213.{index + 1}.2"
        self.server = None
        self.delayer = None

    @property
    def spec(self):
        return f"{self.address}:{PORT}"

    def netns(self, *args, check=True):
        return run("ip", "netns", "exec", self.ns, *args, check=check)

    def iptables(self, *args):
        return self.netns("iptables", "-w", *args)

    def start_server(self):
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, shutil.which("memcached") or "memcached", "-u", "root", "-l",
             self.address, "-p", str(PORT), "-U", "0", "-m", "64", "-t", "1", "-c", "4096"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.address, PORT), timeout=0.5).close()
                return
            except OSError:
                if self.server.poll() is not None:
                    raise RuntimeError(f"memcached on {self.ns} exited with {self.server.returncode}")
                time.sleep(0.05)
        raise RuntimeError(f"memcached on {self.ns} did not start")

    def stop_server(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGCONT)
            self.server.kill()
            self.server.wait()
        self.server = None

    # -- faults --------------------------------------------------------------

    def _to_memcached(self):
        """The iptables matches for memcached's traffic, both directions."""
        return [("INPUT", ["-p", "tcp", "--dport", str(PORT)]), ("OUTPUT", ["-p", "tcp", "--sport", str(PORT)])]

    def _start_delayer(self, *args):
        self.delayer = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "/usr/bin/python3", os.path.join(HERE, "nfqueue_delay.py"), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.delayer.stdout.readline()
        if "ready" not in line:
            raise RuntimeError(f"nfqueue_delay did not start: {line.strip()}")
        for chain, match in self._to_memcached():
            self.iptables("-A", chain, *match, "-j", "NFQUEUE", "--queue-num", "0", "--queue-bypass")

    def apply(self, fault):
        if fault == "latency":
            self._start_delayer("--delay-ms", "20")
        elif fault == "reorder":
            self._start_delayer("--delay-ms", "0", "--extra-ms", "10", "--extra-fraction", "0.25")
        elif fault == "duplicate":
            # Replies copied inside the host; requests copied on the root's side.
            self.iptables("-t", "mangle", "-A", "POSTROUTING", "-o", self.inside, "-p", "tcp", "--sport", str(PORT),
                          "-m", "statistic", "--mode", "random", "--probability", "0.05", "-j", "TEE", "--gateway",
                          self.gateway)
            run("iptables", "-w", "-t", "mangle", "-A", *self._root_tee_rule())
        elif fault in ("loss5", "loss30"):
            probability = "0.05" if fault == "loss5" else "0.30"
            for chain, match in self._to_memcached():
                self.iptables("-A", chain, *match, "-m", "statistic", "--mode", "random", "--probability",
                              probability, "-j", "DROP")
        elif fault == "blackhole":
            for chain, match in self._to_memcached():
                self.iptables("-A", chain, *match, "-j", "DROP")
        elif fault == "link-down":
            self.netns("ip", "link", "set", self.inside, "down")
        elif fault == "sigstop":
            self.server.send_signal(signal.SIGSTOP)
        elif fault == "sigkill":
            self.server.kill()
            self.server.wait()
        elif fault in ("100mbit", "1mbit"):
            rate, burst, latency = ("100mbit", "128kb", "50ms") if fault == "100mbit" else ("1mbit", "16kb", "500ms")
            for device, where in ((self.outside, []), (self.inside, ["ip", "netns", "exec", self.ns])):
                run(*where, "tc", "qdisc", "replace", "dev", device, "root", "tbf", "rate", rate, "burst", burst,
                    "latency", latency)
        else:
            raise ValueError(f"unknown fault {fault}")

    def _root_tee_rule(self):
        """The one rule this suite puts in the root namespace (requests copied)."""
        return ["POSTROUTING", "-o", self.outside, "-p", "tcp", "--dport", str(PORT), "-m", "statistic", "--mode",
                "random", "--probability", "0.05", "-j", "TEE", "--gateway", self.address]

    def clear_root_rules(self):
        for _ in range(10):
            if run("iptables", "-w", "-t", "mangle", "-D", *self._root_tee_rule(), check=False).returncode != 0:
                break

    def clear(self, fault=None):
        """Undoes `fault` (or every fault, for cleanup): the host serves again."""
        if fault in (None, "duplicate"):
            self.clear_root_rules()
        self.netns("iptables", "-w", "-F", check=False)
        self.netns("iptables", "-w", "-t", "mangle", "-F", check=False)
        if self.delayer:
            self.delayer.kill()
            self.delayer.wait()
            self.delayer = None
        self.netns("ip", "link", "set", self.inside, "up", check=False)
        run("tc", "qdisc", "del", "dev", self.outside, "root", check=False)
        self.netns("tc", "qdisc", "del", "dev", self.inside, "root", check=False)
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGCONT)
        if fault == "sigkill" or (fault is None and self.server is not None and self.server.poll() is not None):
            self.start_server()

    def stats_count(self, timeout=0.2):
        """get and set commands memcached has served so far, or None if it does not answer."""
        try:
            with socket.create_connection((self.address, PORT), timeout=timeout) as s:
                s.settimeout(timeout)
                s.sendall(b"stats\r\n")
                data = b""
                while not data.endswith(b"END\r\n"):
                    chunk = s.recv(65536)
                    if not chunk:
                        return None
                    data += chunk
        except OSError:
            return None
        stats = dict(line.split(" ")[1:3] for line in data.decode().splitlines() if line.startswith("STAT "))
        return int(stats.get("cmd_get", 0)) + int(stats.get("cmd_set", 0))


class Hosts:
    def __init__(self):
        self.hosts = [Host(i, name) for i, name in enumerate(NAMES)]

    def __iter__(self):
        return iter(self.hosts)

    def __getitem__(self, i):
        return self.hosts[i]

    @property
    def specs(self):
        return [h.spec for h in self.hosts]

    @staticmethod
    def check():
        """Raises Unavailable, saying why, where the suite cannot run."""
        if os.geteuid() != 0:
            raise Unavailable("needs root (network namespaces, iptables, tc)")
        for tool in ("ip", "tc", "iptables", "memcached"):
            if not shutil.which(tool):
                raise Unavailable(f"{tool} not found (scripts/deps.sh installs it)")
        probe = f"{PREFIX}-probe"
        run("ip", "netns", "del", probe, check=False)
        made = run("ip", "netns", "add", probe, check=False)
        if made.returncode != 0:
            raise Unavailable(f"cannot create a network namespace: {made.stderr.strip()}")
        try:
            works = run("ip", "netns", "exec", probe, "iptables", "-w", "-L", "-n", check=False)
            if works.returncode != 0:
                raise Unavailable(f"iptables does not work in a namespace: {works.stderr.strip()}")
        finally:
            run("ip", "netns", "del", probe, check=False)

    def up(self):
        self.down()
        for h in self.hosts:
            run("ip", "netns", "add", h.ns)
            run("ip", "link", "add", h.outside, "type", "veth", "peer", "name", h.inside)
            run("ip", "link", "set", h.inside, "netns", h.ns)
            run("ip", "addr", "add", f"{h.gateway}/24", "dev", h.outside)
            run("ip", "link", "set", h.outside, "up")
            h.netns("ip", "addr", "add", f"{h.address}/24", "dev", h.inside)
            h.netns("ip", "link", "set", h.inside, "up")
            h.netns("ip", "link", "set", "lo", "up")
            h.start_server()

    def down(self):
        for h in self.hosts:
            h.clear_root_rules()
            if os.path.exists(f"/run/netns/{h.ns}"):
                h.clear()
            h.stop_server()
            if os.path.exists(f"/run/netns/{h.ns}"):
                # Whatever still runs in it (a previous run's memcached).
                for pid in run("ip", "netns", "pids", h.ns, check=False).stdout.split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                run("ip", "netns", "del", h.ns, check=False)
            run("ip", "link", "del", h.outside, check=False)
