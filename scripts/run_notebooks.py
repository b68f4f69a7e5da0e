"""notebooks/ のノートブックを 1 本ずつ別プロセスで実行し、結果表を出す (make run / make bench)。

- 実行済みのコピー: build/executed/<名前>.ipynb
- ノートブックが記録した指標と主張: build/results/<名前>.json (utils.report.Report)
- 計測: 壁時計時間と最大常駐メモリ (カーネルを含むプロセス木の最大 RSS, os.wait4)
- --budget: quick モードの予算 (1 本 90 秒・3 GB 以内) を超えたら終了コード 1

    python scripts/run_notebooks.py                 # 全部
    python scripts/run_notebooks.py 05              # 名前に 05 を含むものだけ
    python scripts/run_notebooks.py --budget        # 予算も確かめる (make bench)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
BUDGET_SECONDS = 90
BUDGET_BYTES = 3 * 1024**3


def run_one(nb: Path, mode: str, timeout: int) -> dict:
    out = BUILD / "executed" / nb.name
    out.parent.mkdir(parents=True, exist_ok=True)
    result_file = BUILD / "results" / f"{nb.stem}.json"
    result_file.unlink(missing_ok=True)
    env = {**os.environ, "COURSE_MODE": mode, "COURSE_RESULTS_DIR": str(BUILD / "results")}
    cmd = [
        sys.executable,
        "-m",
        "papermill",
        str(nb),
        str(out),
        "--cwd",
        str(nb.parent),
        "--execution-timeout",
        str(timeout),
        "--no-progress-bar",
        "--log-level",
        "ERROR",
        "-p",
        "MODE",
        mode,
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    rc = os.waitstatus_to_exitcode(status)
    results = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    claims = results.get("claims", [])
    key = results.get("key_metric")
    return {
        "notebook": nb.name,
        "status": "ok" if rc == 0 else "FAILED",
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # Linux: KiB 単位
        "key_metric": f"{key} = {results['metrics'][key]:.3f}" if key else "",
        "claims_ok": sum(c["ok"] for c in claims),
        "claims": len(claims),
        "failed_claims": [c["claim"] for c in claims if not c["ok"]],
        "log_tail": log[-3000:] if rc else "",
    }


def print_table(rows: list[dict]) -> None:
    header = f"{'notebook':42s} {'status':7s} {'time[s]':>8s} {'peak RSS[MB]':>12s}  {'claims':7s} key metric"
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        mark = "✓" if r["claims"] and r["claims_ok"] == r["claims"] else "✗"
        claims = f"{mark} {r['claims_ok']}/{r['claims']}"
        print(
            f"{r['notebook']:42s} {r['status']:7s} {r['seconds']:8.1f} {r['peak_rss_mb']:12d}  {claims:7s} {r['key_metric']}"
        )
        for c in r["failed_claims"]:
            print(f"    ✗ {c}")
        if r["log_tail"]:
            print("    --- log (末尾) ---\n" + "\n".join("    " + line for line in r["log_tail"].splitlines()[-25:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pattern", nargs="?", default="", help="名前にこの文字列を含むノートブックだけ実行")
    parser.add_argument("--mode", default=os.environ.get("COURSE_MODE", "quick"), choices=["quick", "full"])
    parser.add_argument("--budget", action="store_true", help=f"{BUDGET_SECONDS} 秒・3 GB の予算を確かめる")
    parser.add_argument("--timeout", type=int, default=1800, help="1 セルあたりの制限秒数")
    args = parser.parse_args()

    notebooks = sorted(p for p in (ROOT / "notebooks").glob("[0-9]*.ipynb") if args.pattern in p.name)
    if not notebooks:
        print(f"実行するノートブックがありません (pattern={args.pattern!r})", file=sys.stderr)
        return 1
    rows = []
    for nb in notebooks:
        print(f"実行中: {nb.name} ({args.mode}) ...", flush=True)
        rows.append(run_one(nb, args.mode, args.timeout))
    print_table(rows)
    (BUILD / "results" / "summary.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")

    failed = [r for r in rows if r["status"] != "ok" or r["claims_ok"] != r["claims"] or not r["claims"]]
    if args.budget:
        over = [r for r in rows if r["seconds"] > BUDGET_SECONDS or r["peak_rss_mb"] * 1024**2 > BUDGET_BYTES]
        for r in over:
            print(f"予算超過: {r['notebook']} {r['seconds']} s, {r['peak_rss_mb']} MB")
        failed += over
        print(
            f"\n予算: 1 本 {BUDGET_SECONDS} s 以内・{BUDGET_BYTES // 1024**3} GB 以内 (quick, CPU {os.cpu_count()} コア)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
