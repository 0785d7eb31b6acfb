"""Peak memory and CPU of the Upload page's dry run on a ~50 MB long CSV.

    python -m bench.upload_memory [--mb 50] [--page] [--repo DIR]

Generates a long CSV of about --mb MB for measures that exist, then in a fresh subprocess does
what the Upload page does with an uploaded file: hold its bytes, and run the dry run
(`metrics.ingest.commit.ingest(raw, dry_run=True)`: read, validate, stage and diff against
the database, roll back). The child reports its peak RSS (VmHWM: the whole process, the
Python interpreter and libraries included) and CPU seconds. A second child only imports the
same modules and reads the bytes, so the dry run's own share is visible. Goal (issue 10):
peak <= 3 x file size + 300 MB.

With --page, a third child drives the Upload page itself (AppTest, an editor, the file in the
session) and reports the server CPU of each rerun: the first check, ticking "create drafts"
(new options: a check), unticking it (the first options again) and two plain reruns. --repo
runs the page (and the code it imports) from another checkout, e.g. the commit before the
dry run was kept, to compare before and after in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest import make_csv, make_db

BYTES_PER_ROW = 29  # "m42,1999-12,district,7,101.25\n" on average, to size the file


def peak_mib() -> float:
    """Peak RSS of this process in MiB: VmHWM (reset by exec, unlike ru_maxrss, which on Linux keeps
    the forking parent's size), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, url: str, path: Path) -> None:
    from metrics import access
    from metrics.ingest.commit import ingest

    raw = path.read_bytes()  # the page holds the uploaded file's bytes
    t0, c0 = time.perf_counter(), time.process_time()
    counts = {}
    if mode == "dry-run":
        out = ingest(raw, url, file_name=path.name, dry_run=True, actor=access.Actor("user", "bench", "editor"))
        assert out.status == "preview", out.to_summary()
        counts = {"rows": out.counts["rows"], "new": out.counts["new"]}
    print(json.dumps({"peak_mb": peak_mib(), "seconds": time.perf_counter() - t0,
                      "cpu_seconds": time.process_time() - c0, **counts}))


def page_child(url: str, path: Path, repo: Path) -> None:
    """Server CPU per rerun of the Upload page with this file in the session."""
    import os

    from streamlit.testing.v1 import AppTest

    from metrics import access
    os.environ["METRICS_DB_URL"] = url
    os.chdir(repo)
    at = AppTest.from_file(str(repo / "app_pages" / "upload.py"), default_timeout=600)
    at.session_state["current_actor"] = access.Actor("user", "bench", "editor")
    at.session_state["upload"] = (path.name, path.read_bytes())
    steps = {"first check": lambda a: a, "tick create drafts": lambda a: a.checkbox(key="create_measures").check(),
             "untick (first options again)": lambda a: a.checkbox(key="create_measures").uncheck(),
             "plain rerun": lambda a: a, "plain rerun again": lambda a: a}
    cpu = {}
    for label, action in steps.items():
        c0 = time.process_time()
        at = action(at).run()
        cpu[label] = time.process_time() - c0
        assert not at.exception, at.exception
    print(json.dumps({"rerun_cpu": cpu, "peak_mb": peak_mib()}))


def measure(mode: str, url: str, path: Path, repo: Path | None = None) -> dict:
    here = Path(__file__).resolve()
    if repo is not None and not (repo / "bench" / here.name).exists():
        shutil.copy(here, repo / "bench" / here.name)  # the other checkout predates this script
    proc = subprocess.run([sys.executable, "-m", "bench.upload_memory", "--child", mode, "--url", url,
                           "--file", str(path)], capture_output=True, text=True, check=False,
                          cwd=repo or here.parents[1])  # cwd first on sys.path: that checkout's code
    if proc.returncode:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.upload_memory", description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=50.0, help="approximate CSV size in MB (default %(default)s)")
    p.add_argument("--page", action="store_true", help="also the Upload page's server CPU per rerun (AppTest)")
    p.add_argument("--repo", type=Path, help="checkout whose page and code --page runs (default: this one)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--file", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child == "page":
        page_child(args.url, Path(args.file), Path.cwd())
        return
    if args.child:
        child(args.child, args.url, Path(args.file))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        path = tmpd / "upload.csv"
        make_csv(path, int(args.mb * 1e6 / BYTES_PER_ROW))
        size_mb = path.stat().st_size / 2**20
        url = f"duckdb:///{tmpd / 'city.duckdb'}"
        make_db(url)
        base = measure("baseline", url, path)
        dry = measure("dry-run", url, path)
        goal = 3 * size_mb + 300
        print(f"{dry['rows']:,} rows, {size_mb:,.1f} MiB CSV")
        print(f"baseline (imports + the file's bytes): peak {base['peak_mb']:,.0f} MiB")
        print(f"dry run: peak {dry['peak_mb']:,.0f} MiB ({dry['peak_mb'] - base['peak_mb']:,.0f} MiB above baseline), "
              f"{dry['seconds']:.2f} s wall, {dry['cpu_seconds']:.2f} s CPU")
        print(f"goal: peak <= 3 x {size_mb:,.1f} + 300 = {goal:,.0f} MiB -> "
              f"{'met' if dry['peak_mb'] <= goal else 'NOT met'}")
        if args.page:
            page = measure("page", url, path, args.repo.resolve() if args.repo else None)
            print(f"Upload page ({args.repo or 'this checkout'}): server CPU per rerun, peak {page['peak_mb']:,.0f} MiB")
            for label, seconds in page["rerun_cpu"].items():
                print(f"  {label:<30}{seconds:>8.2f} s")


if __name__ == "__main__":
    main()
