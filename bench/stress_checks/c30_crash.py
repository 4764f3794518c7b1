"""Crash consistency: sample-web is killed with SIGKILL at a random moment while raw, multipart, resumable (IETF
draft) and tus uploads stream into it, again and again. After every kill: no file under a final name is partial (each
is byte-identical to what its client sent, or absent). After every restart: the start-up sweep has removed the temp
files of the uploads the kill cut off, and each resumable upload resumes at the offset the server reports (bytes that
reached the disk are kept) and completes byte-identical."""
import hashlib
import os
import random
import threading
import time

import common
from common import exchange, path_of

NAME = "crash"
ORDER = 30
KILLS = int(os.environ.get("STRESS_KILLS", "50"))
SIZE = 4 << 20
PAYLOADS = [random.Random(i).randbytes(SIZE) for i in range(4)]
DIGESTS = {hashlib.sha256(p).hexdigest(): i for i, p in enumerate(PAYLOADS)}


def create_resumable(port, kind, name, payload_index):
    if kind == "tus":
        meta = "filename " + __import__("base64").b64encode(name.encode()).decode()
        status, headers = exchange(port, f"POST /uploads/tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: {SIZE}\r\n"
                                         f"Upload-Metadata: {meta}\r\nContent-Length: 0\r\n\r\n")
    else:
        status, headers = exchange(port, f"POST /uploads/resumable/{name} HTTP/1.1\r\nHost: x\r\nUpload-Complete: ?0\r\n"
                                         f"Upload-Length: {SIZE}\r\nUpload-Draft-Interop-Version: 6\r\nContent-Length: 0\r\n\r\n")
    assert status == 201, f"{kind} creation: {status}"
    return {"kind": kind, "path": path_of(headers["location"]), "name": name, "payload": payload_index}


def append(port, upload, offset, pace=None):
    body = PAYLOADS[upload["payload"]][offset:]
    if upload["kind"] == "tus":
        head = (f"PATCH {upload['path']} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
                f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(body)}\r\n\r\n")
    else:
        head = (f"PATCH {upload['path']} HTTP/1.1\r\nHost: x\r\nUpload-Offset: {offset}\r\nUpload-Complete: ?1\r\n"
                f"Upload-Draft-Interop-Version: 6\r\nContent-Type: application/partial-upload\r\nContent-Length: {len(body)}\r\n\r\n")
    return exchange(port, head, body, pace)[0]


def offset_of(port, upload):
    extra = "Tus-Resumable: 1.0.0\r\n" if upload["kind"] == "tus" else "Upload-Draft-Interop-Version: 6\r\n"
    status, headers = exchange(port, f"HEAD {upload['path']} HTTP/1.1\r\nHost: x\r\n{extra}\r\n")
    return status, int(headers.get("upload-offset", "-1"))


def raw(port, name, payload_index, pace):
    body = PAYLOADS[payload_index]
    exchange(port, f"PUT /uploads/{name} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n", body, pace)


def multipart(port, name, payload_index, pace):
    boundary = "crashboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{name}\"\r\n\r\n".encode()
            + PAYLOADS[payload_index] + f"\r\n--{boundary}--\r\n".encode())
    exchange(port, f"POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n", body, pace)


def quietly(work):
    """Runs a client that the kill cuts off: its connection errors are expected."""
    def run(*args):
        try:
            work(*args)
        except (OSError, ValueError):
            pass
    return run


def partial_files(server):
    """Files under final names whose bytes are not exactly one of the payloads."""
    bad = []
    for name in server.published():
        with open(server.uploads / name, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() not in DIGESTS:
                bad.append(name)
    return bad


def run(ctx):
    server = common.SampleWeb("crash")
    ctx.cleanups.append(server.stop)
    rnd = random.Random(30)
    partial_seen, temps_left, resumed, resume_failed, cut_off, kept = [], 0, 0, [], 0, 0
    for kill in range(KILLS):
        uploads = [create_resumable(server.port, kind, f"{kind}-{kill}.bin", rnd.randrange(4)) for kind in ("tus", "ietf")]
        pace = rnd.choice([0.002, 0.005, 0.01])
        workers = [threading.Thread(target=quietly(raw), args=(server.port, f"raw-{kill}.bin", rnd.randrange(4), pace)),
                   threading.Thread(target=quietly(multipart), args=(server.port, f"form-{kill}.bin", rnd.randrange(4), pace))]
        workers += [threading.Thread(target=quietly(append), args=(server.port, u, 0, pace)) for u in uploads]
        for w in workers:
            w.daemon = True
            w.start()
        time.sleep(rnd.uniform(0.05, 0.6))
        cut_off += len(server.temp_files())
        server.kill9()
        for w in workers:
            w.join(15)
        partial_seen += partial_files(server)
        server.start()
        if not common.poll(lambda: not server.temp_files(), 15):
            temps_left += len(server.temp_files())
        for upload in uploads:
            try:
                status, offset = offset_of(server.port, upload)
                kept += max(offset, 0)
                done = status in (200, 204) and offset == SIZE
                if not done:
                    final = append(server.port, upload, offset)
                    done = final in (200, 201, 204)
                with open(server.uploads / upload["name"], "rb") as f:
                    ok = done and hashlib.sha256(f.read()).hexdigest() in DIGESTS
                resumed += ok
                if not ok:
                    resume_failed.append(f"{upload['kind']}@{offset}")
            except (OSError, AssertionError) as error:
                resume_failed.append(f"{upload['kind']}: {error!r}")
        partial_seen += partial_files(server)
    server.stop()
    ctx.row(NAME, "SIGKILLs during raw, multipart, resumable and tus uploads", f"{KILLS}", f"{KILLS}", True)
    ctx.row(NAME, "uploads in flight when killed (their temp files)", f"{cut_off}", "any", True)
    ctx.row(NAME, "partial files ever seen under a final name", f"{len(partial_seen)}", "0", not partial_seen or partial_seen[:3])
    ctx.row(NAME, "temp files left after each restart's sweep", f"{temps_left}", "0", temps_left == 0)
    ctx.row(NAME, "bytes of resumable uploads kept across the kills (resumed from there)", f"{kept / (1 << 20):.1f} MiB", "> 0", kept > 0)
    ctx.row(NAME, "resumable uploads resumed at the reported offset and completed", f"{resumed} of {2 * KILLS}", f"{2 * KILLS}",
            resumed == 2 * KILLS or resume_failed[:3])
