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


class Context:
    def __init__(self):
        self.rows = []
        self.cleanups = []

    def row(self, check, what, figure, bound, ok):
        # ok is True, False, a list of what went wrong (a failure that says why) or a string (a check that could not
        # run here says so: "skipped: …").
        verdict = ("pass" if ok is True else "FAIL" if ok is False or (isinstance(ok, (list, tuple)) and not ok)
                   else "FAIL: " + "; ".join(map(str, ok)) if isinstance(ok, (list, tuple)) else str(ok))
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
