"""What every stress check needs: a sample-web process on its own folders and ports, and what to count afterwards
(open descriptors, child processes, temp files, RSS). Loopback only."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import bench

SAMPLE_DLL = bench.ROOT / "sample-web/bin/Release/net10.0/SampleWeb.dll"
PORT_BASE = bench.PORT_BASE + 20  # +20..+29: clear of the bench's ports


class SampleWeb:
    """sample-web on http://127.0.0.1:port (HTTP/1.1) and port+1 (h2c, prior knowledge), with its files, uploads and
    CGI scripts in a folder of its own. restart() starts it again on the same folders (after a kill)."""

    def __init__(self, name, port=PORT_BASE, env=None, folder=None):
        self.name, self.port, self.h2_port = name, port, port + 1
        # Under bench/out (beside the bench's data, on the same file system, so its 1 GiB file can be hard-linked in).
        (bench.OUT / "stress").mkdir(parents=True, exist_ok=True)
        self.folder = Path(folder or tempfile.mkdtemp(prefix=f"{name}-", dir=bench.OUT / "stress"))
        self.files, self.uploads, self.cgi = self.folder / "files", self.folder / "uploads", self.folder / "cgi-bin"
        for d in (self.files, self.uploads, self.cgi):
            d.mkdir(parents=True, exist_ok=True)
        self.env = {
            "ASPNETCORE_URLS": f"http://127.0.0.1:{port}", "ASPNETCORE_ENVIRONMENT": "Production", "DOTNET_gcServer": "0",
            "Kestrel__Endpoints__H1__Url": f"http://127.0.0.1:{port}",
            "Kestrel__Endpoints__H2__Url": f"http://127.0.0.1:{port + 1}", "Kestrel__Endpoints__H2__Protocols": "Http2",
            "Streaming__Files__Root": str(self.files), "Streaming__Uploads__Root": str(self.uploads),
            "Streaming__Cgi__Root": str(self.cgi), "Logging__LogLevel__Default": "Warning", **(env or {})}
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["dotnet", str(SAMPLE_DLL)], env=dict(os.environ, **self.env), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        bench.wait_for_port(self.port)
        bench.wait_for_port(self.h2_port)
        time.sleep(0.5)
        if self.proc.poll() is not None:  # another process holds the port: never measure that one
            raise RuntimeError(f"sample-web ({self.name}) exited at start: is port {self.port} in use?")
        self.pid = self.proc.pid

    def kill9(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, remove=True):
        if self.proc:
            bench.stop_group(self.proc, grace=15)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def fd_targets(self):
        """What each open descriptor points at (sockets and pipes by kind, files by path)."""
        targets = []
        for fd in os.listdir(f"/proc/{self.pid}/fd"):
            try:
                targets.append(os.readlink(f"/proc/{self.pid}/fd/{fd}"))
            except OSError:
                pass
        return sorted(t.split("[")[0] if t.startswith(("socket:", "pipe:", "anon_inode:")) else t for t in targets)

    def rss_mib(self):
        with open(f"/proc/{self.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

    def descendants(self):
        """Every live process below the server (its children's children too), as (pid, state, command)."""
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        text = f.read()
                    name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
                    parents[int(entry)] = (int(rest[1]), rest[0], name)
                except (OSError, ValueError):
                    pass
        found, frontier = [], {self.pid}
        while frontier:
            children = {pid for pid, (ppid, _, _) in parents.items() if ppid in frontier}
            found += [(pid, parents[pid][1], parents[pid][2]) for pid in children]
            frontier = children
        return found

    def temp_files(self):
        """Upload temp files anywhere under the uploads root (a dot file .upload-*.tmp)."""
        return [p for p in self.uploads.rglob(".upload-*") if p.is_file()]

    def published(self):
        """The files visible under final names (not dot files, not the resumable staging folder)."""
        return sorted(p.name for p in self.uploads.iterdir() if p.is_file() and not p.name.startswith("."))


def request(port, head, body=b"", read=None, timeout=30):
    """Sends one HTTP/1.1 request on a new connection and reads the answer (all of it, or `read` bytes, then resets
    the connection, or as much as came within 2 s when the answer is shorter or slower); returns (status, bytes read)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode() + body)
        data = bytearray()
        if read is not None:
            s.settimeout(2)
        try:
            while (read is None or len(data) < read) and (chunk := s.recv(1 << 16)):
                data += chunk
        except socket.timeout:
            if read is None:
                raise
        if read is not None:
            reset(s)
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, len(data)


def exchange(port, head, body=b"", pace=None, timeout=10):
    """One request on a new connection (1xx answers skipped) (the body in 64 KiB pieces, `pace` seconds apart); returns (status, headers)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode())
        for i in range(0, len(body), 65536):
            s.sendall(body[i:i + 65536])
            if pace:
                time.sleep(pace)
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed before an answer")
                data += chunk
            head_text, _, data = data.partition(b"\r\n\r\n")
            lines = head_text.decode("latin1").split("\r\n")
            status = int(lines[0].split()[1])
            if status >= 200:
                return status, {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}


def path_of(location):
    return "/" + location.split("/", 3)[3] if location.startswith("http") else location


def reset(s):
    """Closes with RST (SO_LINGER 0), as a client that goes away does."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def poll(condition, timeout=30.0, interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def data_file(folder, name, size, seed=1):
    """A file of `size` random bytes in `folder`: a hard link to the bench's own when it has one that size."""
    path = Path(folder) / name
    shared = bench.DATA / ("big.bin" if size == bench.GIB else f"stress-{size}.bin")
    if shared.exists() and shared.stat().st_size == size and not path.exists():
        os.link(shared, path)
        return path
    if not path.exists() or path.stat().st_size != size:
        import random
        rnd = random.Random(seed)
        with open(path, "wb") as f:
            left = size
            while left:
                n = min(left, 1 << 20)
                f.write(rnd.randbytes(n))
                left -= n
    return path
