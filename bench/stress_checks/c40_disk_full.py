"""Disk full at random offsets: the uploads root is a small tmpfs (48 MiB), part-filled by a filler file of random
size (0–14 MiB) before each upload of 40 MiB (raw with Content-Length, so the reservation fails up front; chunked, so the disk
fills mid-body; multipart). Every refusal is a 507, its temp file is removed, the previous version of the target is
intact, and the server keeps serving. Needs root (mount -t tmpfs); says so otherwise."""
import hashlib
import os
import random
import socket
import subprocess

import common

NAME = "disk-full"
ORDER = 40
ROUNDS = int(os.environ.get("STRESS_DISK_FULL", "30"))
SIZE = 40 << 20


def send(port, head, body, chunked=False):
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(head.encode())
        try:
            for i in range(0, len(body), 1 << 16):
                piece = body[i:i + (1 << 16)]
                s.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n" if chunked else piece)
            if chunked:
                s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered early (507) and closed
        data = b""
        while b"\r\n\r\n" not in data and (chunk := s.recv(4096)):
            data += chunk
    return int(data[9:12]) if data.startswith(b"HTTP/") else 0


def run(ctx):
    server = common.SampleWeb("disk-full")
    ctx.cleanups.append(server.stop)
    server.stop(remove=False)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(server.uploads)], capture_output=True).returncode == 0
    if not mounted:
        ctx.row(NAME, "uploads into a full disk", "not run", "needs root to mount a tmpfs", "skipped (no tmpfs mount)")
        return
    ctx.cleanups.append(lambda: subprocess.run(["umount", "-l", str(server.uploads)], capture_output=True))
    server.start()
    rnd = random.Random(40)
    common.data_file(server.files, "small.bin", 1 << 20)
    previous = rnd.randbytes(1 << 20)
    (server.uploads / "target.bin").write_bytes(previous)
    refused, stored, wrong, temps, broken, serving = 0, 0, [], 0, 0, 0
    for i in range(ROUNDS):
        filler = server.uploads / ".filler"
        try:
            with open(filler, "wb") as f:
                f.write(b"\0" * rnd.randint(0, 14 << 20))
        except OSError:
            pass  # the disk is full already: the filler is what fitted
        body = rnd.randbytes(SIZE)
        kind = rnd.choice(["length", "chunked", "multipart"])
        if kind == "multipart":
            part = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"target.bin\"\r\n\r\n" + body + b"\r\n--b--\r\n"
            status = send(server.port, f"POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                                       f"Content-Length: {len(part)}\r\nConnection: close\r\n\r\n", part)
        elif kind == "chunked":
            status = send(server.port, "PUT /uploads/target.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                          body, chunked=True)
        else:
            status = send(server.port, f"PUT /uploads/target.bin HTTP/1.1\r\nHost: x\r\nContent-Length: {SIZE}\r\nConnection: close\r\n\r\n", body)
        filler.unlink()
        if common.poll(lambda: not server.temp_files(), 10) is False:
            temps += len(server.temp_files())
        current = (server.uploads / "target.bin").read_bytes()
        if status == 507:
            refused += 1
            if current != previous:
                broken += 1
        elif status in (201, 204):
            stored += 1
            if current != body:
                broken += 1
            previous = rnd.randbytes(1 << 20)  # the next version is small again, so the disk is not left full
            (server.uploads / "target.bin").write_bytes(previous)
        else:
            wrong.append(f"{kind}:{status}")
        serving += common.request(server.port, "GET /files/small.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 200
    server.stop(remove=False)
    subprocess.run(["umount", "-l", str(server.uploads)], capture_output=True)
    server.stop()
    ctx.row(NAME, "40 MiB uploads into a 48 MiB tmpfs, part-filled at random (raw, chunked, multipart)",
            f"{refused} refused with 507, {stored} stored", f"{ROUNDS} answered 507 or stored", not wrong or wrong[:3])
    ctx.row(NAME, "temp files left after a refusal", f"{temps}", "0", temps == 0)
    ctx.row(NAME, "target not its previous version after a 507 (or not the new one after a store)", f"{broken}", "0", broken == 0)
    ctx.row(NAME, "requests served meanwhile", f"{serving} of {ROUNDS}", f"{ROUNDS}", serving == ROUNDS)
