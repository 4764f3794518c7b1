"""A soak: mixed traffic at a fixed request rate for STRESS_SOAK_SECONDS (600 by default): files whole, ranged and
multi-ranged, raw, multipart and tus uploads, a process with a body, a CGI script, and one request in ten aborted on
purpose. The server's RSS and descriptor count are sampled every 5 s; after the first fifth (warm-up) their slope is
fitted. Nothing but the provoked aborts may fail."""
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import common

NAME = "soak"
ORDER = 60
SECONDS = int(os.environ.get("STRESS_SOAK_SECONDS", "600"))
RATE = int(os.environ.get("STRESS_SOAK_RATE", "40"))  # requests per second


def slope(samples):
    """Least-squares slope of (t, v) samples, per minute."""
    n = len(samples)
    if n < 2:
        return 0.0
    mt, mv = sum(t for t, _ in samples) / n, sum(v for _, v in samples) / n
    den = sum((t - mt) ** 2 for t, _ in samples)
    return 60 * sum((t - mt) * (v - mv) for t, v in samples) / den if den else 0.0


def kinds(port):
    def ok(head, body=b""):
        status = common.request(port, head + "Connection: close\r\n\r\n", body)[0]
        if status not in (200, 201, 204, 206):
            raise RuntimeError(f"{head.split()[0]} {head.split()[1]}: {status}")

    def tus():
        _, headers = common.exchange(port, "POST /uploads/tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 20000\r\n"
                                           "Content-Length: 0\r\nConnection: close\r\n\r\n")
        ok(f"PATCH {common.path_of(headers['location'])} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
           f"Content-Length: 20000\r\n", os.urandom(20000))

    form = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"soak-form.bin\"\r\n\r\n" + os.urandom(50000) + b"\r\n--b--\r\n"
    return [
        lambda rnd: ok("GET /files/data.bin HTTP/1.1\r\nHost: x\r\n"),
        lambda rnd: ok(f"GET /files/data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes={rnd.randint(0, 1 << 20)}-{rnd.randint(1 << 20, 2 << 20)}\r\n"),
        lambda rnd: ok("GET /files/data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99,5000-5999,-100\r\n"),
        lambda rnd: ok(f"PUT /uploads/soak-{rnd.randint(0, 20)}.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n", os.urandom(100000)),
        lambda rnd: ok(f"POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {len(form)}\r\n", form),
        lambda rnd: tus(),
        lambda rnd: ok("POST /run/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n", os.urandom(100000)),
        lambda rnd: ok("GET /cgi-bin/hello.cgi HTTP/1.1\r\nHost: x\r\n"),
    ]


def run(ctx):
    server = common.SampleWeb("soak")
    ctx.cleanups.append(server.stop)
    common.data_file(server.files, "data.bin", 4 << 20)
    (server.cgi / "hello.cgi").write_text("#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n")
    (server.cgi / "hello.cgi").chmod(0o755)
    work, rnd = kinds(server.port), random.Random(60)
    errors, done, aborted, lock = [], [0], [0], threading.Lock()

    def one(seed):
        case = random.Random(seed)
        try:
            if case.random() < 0.1:  # provoked: read a little of a file, then reset
                common.request(server.port, "GET /files/data.bin HTTP/1.1\r\nHost: x\r\n\r\n", read=case.randint(0, 100000))
                with lock:
                    aborted[0] += 1
            else:
                case.choice(work)(case)
            with lock:
                done[0] += 1
        except Exception as error:  # noqa: BLE001 - counted and shown
            with lock:
                errors.append(repr(error))

    samples, started, next_sample = [], time.time(), 0.0
    with ThreadPoolExecutor(16) as pool:
        i = 0
        while (elapsed := time.time() - started) < SECONDS:
            if elapsed >= next_sample:
                samples.append((elapsed, server.rss_mib(), server.fds()))
                next_sample += 5
            pool.submit(one, rnd.random())
            i += 1
            time.sleep(max(0.0, started + i / RATE - time.time()))
    server.stop()
    steady = [s for s in samples if s[0] >= SECONDS / 5]
    rss_slope, fd_slope = slope([(t, r) for t, r, _ in steady]), slope([(t, f) for t, _, f in steady])
    window = (steady[-1][0] - steady[0][0]) / 60 if len(steady) > 1 else 0
    ctx.row(NAME, f"{SECONDS} s of mixed traffic at {RATE} req/s (8 kinds, 10% aborted on purpose)",
            f"{done[0]:,} requests, {aborted[0]:,} aborted", f"≈ {SECONDS * RATE:,}", True)
    ctx.row(NAME, "errors other than the provoked aborts", f"{len(errors)}", "0", not errors or errors[:3])
    ctx.row(NAME, "server RSS slope after warm-up", f"{rss_slope:+.2f} MiB/min ({steady[0][1]:.0f} → {steady[-1][1]:.0f} MiB)",
            "growth over the window ≤ 16 MiB", abs(rss_slope) * window <= 16)
    ctx.row(NAME, "server descriptors slope after warm-up", f"{fd_slope:+.2f} per min ({steady[0][2]} → {steady[-1][2]})",
            "growth over the window ≤ 5", abs(fd_slope) * window <= 5)
