"""The bench driver: servers, CPU accounting, rounds, medians and the table. Scenarios live in scenarios/.

Each scenario module defines NAME, ORDER and run(ctx). run() measures with ctx helpers and calls ctx.row(...).
CPU is the server process's utime+stime from /proc/<pid>/stat, read before and after each measured round, so
it counts only the server's work (not the client's) while the machine is shared. Interleaved rounds also record the
whole machine's busy CPU (/proc/stat: client, server, child processes and kernel on every core) for the "machine CPU"
column, in the same unit as the server's: on 2 cores, no subject can run faster than 2 / (machine CPU per unit).
"""
import importlib.util
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DATA = OUT / "data"
CLK_TCK = os.sysconf("SC_CLK_TCK")
GIB = 1 << 30
MIB = 1 << 20
# Ports: BENCH_PORT_BASE+1 sample-web, +2 bench-server, +3 nginx, +4 bench-server on 64 KiB blocks, +5 bench-server's
# HTTPS (HTTP/1.1 and HTTP/2) endpoint, +6 and +7 the slow-clients server (h1, h2c), +8 Azurite and +9 the bench
# server on its container (the blob scenario), so two checkouts can bench at once.
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "5180"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of the whole line)


def machine_cpu_seconds():
    """Busy CPU-seconds of the whole machine (every process and the kernel, all cores) from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, _steal = fields  # steal: other guests' time, not ours
    return (user + nice + system + irq + softirq) / CLK_TCK


def wait_for_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def stop_group(proc, grace):
    """Stops a server started in a session of its own, with its children: SIGTERM to the group, then SIGKILL if it
    has not exited after `grace` seconds."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Server:
    def __init__(self, name, args, port, env=None, cwd=None):
        self.name, self.port = name, port
        full_env = dict(os.environ, **(env or {}))
        self.proc = subprocess.Popen(args, env=full_env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        try:
            wait_for_port(port)
        except RuntimeError:
            self.stop()
            raise
        self.pid = self.proc.pid
        self.url = f"http://127.0.0.1:{port}"

    def cpu(self):
        return cpu_seconds(self.pid)

    def stop(self):
        stop_group(self.proc, grace=10)


class Context:
    def __init__(self, rounds):
        self.rounds = rounds
        self.rows = []
        self.machine = {}
        self.servers = {}
        self.cleanups = []

    # --- data -----------------------------------------------------------------------------------------------
    def data_file(self, name, size):
        """A file of `size` random bytes under bench/out/data, made once and reused across runs."""
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / name
        if not path.exists() or path.stat().st_size != size:
            with open("/dev/urandom", "rb") as src, open(path, "wb") as dst:
                left = size
                while left:
                    chunk = src.read(min(left, 4 * MIB))
                    dst.write(chunk)
                    left -= len(chunk)
        return path

    # --- servers --------------------------------------------------------------------------------------------
    def dotnet_server(self, name, dll, port, env=None, https_port=None):
        if name not in self.servers:
            urls = f"http://127.0.0.1:{port}" + (f";https://127.0.0.1:{https_port}" if https_port else "")
            server = Server(name, ["dotnet", str(dll), "--urls", urls], port,
                            env=dict(env or {}, ASPNETCORE_ENVIRONMENT="Production", DOTNET_gcServer="0"))
            if https_port:
                wait_for_port(https_port)
                server.https_url = f"https://127.0.0.1:{https_port}"
            self.servers[name] = server
            self.cleanups.append(server.stop)
        return self.servers[name]

    def sample(self):
        return self.dotnet_server("sample-web", ROOT / "sample-web/bin/Release/net10.0/SampleWeb.dll", PORT_BASE + 1,
                                  env={"Streaming__Files__Root": str(DATA), "Logging__LogLevel__Default": "Warning"})

    def bench_server(self, server_buffers=False):
        """The peers' host on Kestrel's own 4 KiB blocks (PORT_BASE+2), or with server_buffers a second instance
        on AspNetStreaming's 64 KiB server blocks (PORT_BASE+4), so a scenario can compare within one host and
        across the two."""
        dll = ROOT / "bench/BenchServer/bin/Release/net10.0/BenchServer.dll"
        if server_buffers:
            return self.dotnet_server("bench-server-64k", dll, PORT_BASE + 4,
                                      env={"BENCH_DATA": str(DATA), "BENCH_SERVER_BUFFERS": "streaming"})
        return self.dotnet_server("bench-server", dll, PORT_BASE + 2, env={"BENCH_DATA": str(DATA)}, https_port=PORT_BASE + 5)

    def bench_server_without_file_locking(self):
        """The peers' host (PORT_BASE+10) with System.IO.DisableFileLocking on: .NET then takes no flock pair per open."""
        dll = ROOT / "bench/BenchServer/bin/Release/net10.0/BenchServer.dll"
        return self.dotnet_server("bench-server-nolock", dll, PORT_BASE + 10,
                                  env={"BENCH_DATA": str(DATA), "DOTNET_SYSTEM_IO_DISABLEFILELOCKING": "true"})

    def nginx(self, extra_conf=""):
        """nginx serving bench/out/data on port PORT_BASE+3: at /data/ with sendfile off (a user-space copy, as ours,
        through nginx's default output_buffers 2 32k: 32 KiB reads), at /data-1m/ the same with output_buffers 1 1m
        (1 MiB reads, as ours by default), at /data-sendfile/ with nginx's default, sendfile on (what its users run).
        One worker (master_process off, so the measured pid is the worker)."""
        if "nginx" in self.servers:
            return self.servers["nginx"]
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            return None
        conf_dir = OUT / "nginx"
        conf_dir.mkdir(parents=True, exist_ok=True)
        conf = conf_dir / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
daemon off;
master_process off;
pid {conf_dir}/nginx.pid;
error_log {conf_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile off;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {conf_dir}/body;
    proxy_temp_path {conf_dir}/proxy;
    fastcgi_temp_path {conf_dir}/fastcgi;
    uwsgi_temp_path {conf_dir}/uwsgi;
    scgi_temp_path {conf_dir}/scgi;
    server {{
        listen 127.0.0.1:{PORT_BASE + 3};
        location /data/ {{ alias {DATA}/; }}
        location /data-sendfile/ {{ alias {DATA}/; sendfile on; }}
        location /data-1m/ {{ alias {DATA}/; output_buffers 1 1m; }}
        {extra_conf}
    }}
}}
""")
        server = Server("nginx", [nginx, "-c", str(conf), "-p", str(conf_dir)], PORT_BASE + 3)
        self.servers["nginx"] = server
        self.cleanups.append(server.stop)
        return server

    # --- measuring ------------------------------------------------------------------------------------------
    def measure(self, server, action, rounds=None, warmup=1):
        """Runs action() warmup+rounds times; returns a list of (seconds, server_cpu_seconds, action_result)."""
        results = []
        for i in range(warmup + (rounds or self.rounds)):
            cpu0, t0 = server.cpu(), time.perf_counter()
            value = action()
            t1, cpu1 = time.perf_counter(), server.cpu()
            if i >= warmup:
                results.append((t1 - t0, cpu1 - cpu0, value))
        return results

    def interleave(self, cases, warmup=1, rounds=None, settle=None):
        """Measures several subjects round-robin: round r of every subject runs before round r+1 of any, so drift in
        the shared machine's load lands on all subjects alike and per-round ratios pair like with like. Odd rounds
        run the subjects in reverse order (A B, B A, A B, ...): a store or machine that slows down steadily (Azurite
        took 1 CPU s/GiB for its first two downloads and 3 from then on) would otherwise always favour the first.

        cases: [(subject, cpu, action)] where cpu() reads a CPU-seconds counter (a server's, or the children's).
        Each action runs `warmup` times first, unmeasured. settle(), when given, runs before every measured action,
        outside the timing (uploads pass os.sync so no subject pays for the writeback of the one before it).
        Returns {subject: [(seconds, cpu_seconds, value)]}.
        """
        for _ in range(warmup):
            for _, _, action in cases:
                action()
        results = {subject: [] for subject, _, _ in cases}
        self.machine.update({subject: [] for subject, _, _ in cases})
        for round_ in range(rounds or self.rounds):
            for subject, cpu, action in (cases if round_ % 2 == 0 else cases[::-1]):
                if settle:
                    settle()
                cpu0, machine0, t0 = cpu(), machine_cpu_seconds(), time.perf_counter()
                value = action()
                t1, machine1, cpu1 = time.perf_counter(), machine_cpu_seconds(), cpu()
                results[subject].append((t1 - t0, cpu1 - cpu0, value))
                self.machine[subject].append(machine1 - machine0)
        return results

    def machine_cpu(self, subject, per=1.0):
        """The median whole-machine CPU-seconds (client, server, children and kernel) of the subject's last
        interleaved rounds, divided by `per` (the units of work in a round)."""
        return median([c / per for c in self.machine[subject]])

    def curl_download(self, url, headers=(), options=()):
        """Downloads url to /dev/null with curl; returns bytes received (raises on HTTP errors)."""
        args = ["curl", "-sS", "--fail", *options, "-o", "/dev/null", "-w", "%{size_download}", url]
        for h in headers:
            args += ["-H", h]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        return int(out)

    def wrk(self, url, connections=32, seconds=8, headers=(), threads=1):
        """Runs wrk; returns (requests_per_second, total_requests)."""
        args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
        for h in headers:
            args += ["-H", h]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        rps = total = None
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                rps = float(line.split()[1])
            if "requests in" in line:
                total = int(line.strip().split()[0])
            # wrk counts only statuses above 399 as Non-2xx, and a server that drops connections as socket errors:
            # either means the subject was not doing the work being timed.
            if "Non-2xx" in line or ("Socket errors:" in line and any(int(n.strip(",")) for n in line.split()[3::2])):
                raise RuntimeError(f"wrk saw errors for {url}: {line.strip()}")
        return rps, total

    # --- reporting ------------------------------------------------------------------------------------------
    def row(self, scenario, subject, metric, samples, unit, cpu=None, cpu_unit="", peer=None, higher_is_better=True,
            machine=None):
        """Adds a table row from per-round samples (or one value); the ratio against the row of `peer` (same
        scenario) is computed at print time: the median of per-round ratios when both rows have interleaved
        samples of the same length, else the ratio of medians."""
        samples = list(samples) if isinstance(samples, (list, tuple)) else [samples]
        self.rows.append(dict(scenario=scenario, subject=subject, metric=metric, value=median(samples), samples=samples,
                              unit=unit, cpu=cpu, cpu_unit=cpu_unit, peer=peer, higher=higher_is_better,
                              machine=machine))

    def table(self):
        lines = ["| scenario | subject | median | server CPU | machine CPU | ratio vs peer |", "|---|---|---:|---:|---:|---|"]
        for r in self.rows:
            ratio = ""
            if r["peer"]:
                peer = next((p for p in self.rows if p["scenario"] == r["scenario"] and p["subject"] == r["peer"]), None)
                if peer and peer["value"]:
                    pairs = list(zip(r["samples"], peer["samples"])) if len(r["samples"]) == len(peer["samples"]) > 1 \
                        else [(r["value"], peer["value"])]
                    x = median([a / b if r["higher"] else b / a for a, b in pairs])
                    ratio = f"{x:.2f}× {r['peer']}"
            cpu = f"{r['cpu']:.3f} {r['cpu_unit']}" if r["cpu"] is not None else ""
            machine = f"{r['machine']:.3f}" if r["machine"] is not None else ""
            cells = [r["scenario"], r["subject"], f"{r['value']:.1f} {r['unit']}", cpu, machine, ratio]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")  # a subject may name a shell pipe
        return "\n".join(lines)


def median(values):
    return statistics.median(values)


def load_modules(folder, pattern, selected):
    """The modules in `folder` matching `pattern` (each with NAME, ORDER and run(ctx)), those `selected` by NAME or
    file stem (all when none is), in ORDER."""
    mods = []
    for path in sorted(folder.glob(pattern)):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if not selected or mod.NAME in selected or path.stem in selected:
            mods.append(mod)
    return sorted(mods, key=lambda m: m.ORDER)


def run_all(mods, ctx):
    """Runs each module against ctx, then every cleanup it registered (servers stopped), whatever happened."""
    try:
        for mod in mods:
            print(f"== {mod.NAME}", file=sys.stderr, flush=True)
            mod.run(ctx)
    finally:
        for cleanup in reversed(ctx.cleanups):
            cleanup()


def main():
    selected = [a for a in sys.argv[1:] if not a.startswith("-")]
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    for tool in ("curl", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"bench needs {tool}: apt-get install -y curl wrk nginx")
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "-nologo", "sample-web"], cwd=ROOT, check=True)
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "-nologo", "bench/BenchServer"], cwd=ROOT, check=True)
    ctx = Context(rounds)
    run_all(load_modules(ROOT / "bench" / "scenarios", "*.py", selected), ctx)
    table = ctx.table()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(table + "\n")
    print(f"\nrounds per row: {rounds}, subjects interleaved round by round; values are medians, ratios the median of "
          f"per-round ratios; machine: {os.cpu_count()} cores\n")
    print(table)


if __name__ == "__main__":
    main()
