"""The stress command's driver: runs the checks in bench/stress_checks (each NAME, ORDER and run(ctx) adding rows
with ctx.row) and prints their table. A row is a figure with the bound it must hold and whether it did; a check that
cannot run here (no tmpfs mount, say) says so in its row instead of passing."""
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "stress_checks"))

import bench  # noqa: E402 (the paths above first)


def verdict_of(ok):
    """A row's verdict from its check: True passes; False, or a list of what went wrong, fails (saying why); a
    string is a check that could not run here and says so ("skipped: …")."""
    if ok is True:
        return "pass"
    if ok is False:
        return "FAIL"
    if isinstance(ok, (list, tuple)):
        return "FAIL: " + "; ".join(map(str, ok)) if ok else "FAIL"
    return str(ok)


class Context:
    def __init__(self):
        self.rows = []
        self.cleanups = []

    def row(self, check, what, figure, bound, ok):
        verdict = verdict_of(ok)
        self.rows.append((check, what, figure, bound, verdict))
        print(f"  {check}: {what}: {figure} (bound {bound}) {verdict}", file=sys.stderr, flush=True)

    def table(self):
        lines = ["| check | what | figure | bound | verdict |", "|---|---|---|---|---|"]
        lines += [f"| {c} | {w} | {f} | {b} | {v} |" for c, w, f, b, v in self.rows]
        return "\n".join(lines)


def main():
    selected = [a for a in sys.argv[1:] if not a.startswith("-")]
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "-nologo", "sample-web"], cwd=ROOT, check=True)
    ctx, started = Context(), time.time()
    bench.run_all(bench.load_modules(ROOT / "bench" / "stress_checks", "c[0-9]*.py", selected), ctx)
    table = ctx.table()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "stress.md").write_text(table + "\n")
    print(f"\nstress: {len(ctx.rows)} figures in {time.time() - started:.0f} s; "
          f"{sum(1 for r in ctx.rows if r[4].startswith('FAIL'))} failed\n")
    print(table)
    sys.exit(1 if any(r[4].startswith("FAIL") for r in ctx.rows) else 0)


if __name__ == "__main__":
    main()
