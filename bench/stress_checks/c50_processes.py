"""Process abuse through the CGI host: a script that forks children in a loop, one that closes its stdout and keeps
running, one that floods stderr, one that ignores SIGTERM (four of each at once). With sample-web's process timeouts
set short here (idle 3 s, total 10 s, 0.5 s from SIGTERM to SIGKILL), each is killed whole within those bounds, no
process of theirs and no zombie remains, and a fresh request meanwhile keeps its latency."""
import os
import socket
import threading
import time

import common
import stalled

NAME = "processes"
ORDER = 50
HEAD = "printf 'Content-Type: text/plain\\r\\n\\r\\nstarted\\n'"
SCRIPTS = {
    # every process these leave would be a `sleep 6001`, so what survives can be found by its command line
    "fork-loop.cgi": f"#!/bin/sh\n{HEAD}\ni=0\nwhile [ $i -lt 200 ]; do sleep 6001 & i=$((i+1)); done\nwait\n",
    "close-stdout.cgi": f"#!/bin/sh\n{HEAD}\nexec 1>&-\nsleep 6001\n",
    "flood-stderr.cgi": f"#!/bin/sh\n{HEAD}\n(sleep 6001 &)\nwhile :; do echo flood flood flood flood >&2; done\n",
    "ignore-term.cgi": f"#!/bin/sh\ntrap '' TERM\n{HEAD}\nsleep 6001 &\nwait\n",
}
EACH = 4


def survivors():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [b"sleep", b"6001"]:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def ask(port, script, ended):
    started = time.time()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(f"GET /cgi-bin/{script} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            while s.recv(65536):
                pass
    except OSError:
        pass
    ended.append((script, time.time() - started))


def run(ctx):
    server = common.SampleWeb("processes", env={"Streaming__Processes__IdleTimeout": "00:00:03", "Streaming__Processes__TotalTimeout": "00:00:10",
                                                "Streaming__Processes__KillGracePeriod": "00:00:00.500"})
    ctx.cleanups.append(server.stop)
    common.data_file(server.files, "small.bin", 1 << 20)
    for name, text in SCRIPTS.items():
        (server.cgi / name).write_text(text)
        (server.cgi / name).chmod(0o755)
    baseline = max(stalled.timed_get(server.port, "/files/small.bin")[0] for _ in range(5))
    ended = []
    threads = [threading.Thread(target=ask, args=(server.port, name, ended)) for name in SCRIPTS for _ in range(EACH)]
    started = time.time()
    for t in threads:
        t.start()
    worst = 0.0
    while any(t.is_alive() for t in threads) and time.time() - started < 60:
        worst = max(worst, stalled.timed_get(server.port, "/files/small.bin")[0])
        time.sleep(0.2)
    for t in threads:
        t.join(5)
    gone = common.poll(lambda: not survivors(), 15)
    cleared = time.time() - started
    zombies = [p for p in server.descendants() if p[1] == "Z"]
    server.stop()
    slowest = max((seconds for _, seconds in ended), default=float("inf"))
    ctx.row(NAME, f"abusive CGI scripts ({', '.join(SCRIPTS)}), {EACH} of each at once", f"{len(ended)} responses ended", f"{len(threads)}",
            len(ended) == len(threads))
    ctx.row(NAME, "slowest response ended after", f"{slowest:.1f} s", "≤ 10 s total timeout + 0.5 s grace + 1 s", slowest <= 11.5)
    ctx.row(NAME, "processes of theirs left (forked children included)", f"{len(survivors())} (all gone {cleared:.1f} s after the start)",
            "0", gone)
    ctx.row(NAME, "zombies among the server's children", f"{len(zombies)}", "0", not zombies)
    ctx.row(NAME, "a fresh 1 MiB GET meanwhile (slowest)", f"{worst * 1000:.0f} ms (alone: {baseline * 1000:.0f} ms)", "< 1 s", worst < 1)
