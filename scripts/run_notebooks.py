"""notebooks/ のノートブックを 1 本ずつ別プロセスで実行し、結果表を出す (make run / make bench)。

- 実行済みのコピー: build/executed/<名前>.ipynb
- ノートブックが記録した指標と主張: build/results/<名前>.json (utils.report.Report)
- 計測: 壁時計時間と最大常駐メモリ (カーネルを含むプロセス木の最大 RSS, os.wait4)
- --budget: 予算 (1 本 90 秒・3 GB 以内、quick もリハーサルも同じ) を超えたら終了コード 1
- --rehearse: full モードのリハーサル (make rehearse)。scripts/make_standins.py で代役を作ってから、
  MODE=full・COURSE_REHEARSAL=1 で CPU・オフラインで実行する。出力は build/rehearsal/ (executed, results,
  cache)。主張は判定しない (表の「未確認」)。セルが 1 つでも失敗すれば終了コード 1。

    python scripts/run_notebooks.py                 # 全部
    python scripts/run_notebooks.py 05              # 名前に 05 を含むものだけ
    python scripts/run_notebooks.py --budget        # 予算も確かめる (make bench)
    python scripts/run_notebooks.py --rehearse 05   # 05 の full の分岐を代役で通す (make rehearse)
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


def rehearsal_env(out: Path) -> dict[str, str]:
    """リハーサルの環境変数 (代役とキャッシュは out/cache、結果は out/results)。"""
    return {
        "COURSE_MODE": "full",
        "COURSE_REHEARSAL": "1",
        "COURSE_CACHE_DIR": str(out / "cache"),
        "COURSE_RESULTS_DIR": str(out / "results"),
    }


def run_one(nb: Path, mode: str, timeout: int, out_dir: Path = BUILD, env: dict | None = None, params=()) -> dict:
    out = out_dir / "executed" / nb.name
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "COURSE_MODE": mode,
        "COURSE_RESULTS_DIR": str(out_dir / "results"),
        # ノートブックはこの checkout の utils を使う (別の場所に pip install -e された utils ではなく)
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        **(env or {}),
    }
    result_file = Path(env["COURSE_RESULTS_DIR"]) / f"{nb.stem}.json"
    result_file.unlink(missing_ok=True)
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
    for name, value in params:
        cmd += ["-p", name, value]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    rc = os.waitstatus_to_exitcode(status)
    results = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    claims = results.get("claims", [])
    key = results.get("key_metric")
    value = results.get("metrics", {}).get(key)
    return {
        "notebook": nb.name,
        "status": "ok" if rc == 0 else "FAILED",
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # Linux: KiB 単位
        "key_metric": f"{key} = {value:.3f}"
        if isinstance(value, (int, float))
        else (f"{key} = {value}" if key else ""),
        "claims_ok": sum(c["ok"] is True for c in claims),
        "claims_unchecked": sum(c["ok"] is None for c in claims),  # リハーサル: 計算したが判定していない
        "claims": len(claims),
        "failed_claims": [c["claim"] for c in claims if c["ok"] is False],
        "log_tail": log[-3000:] if rc else "",
    }


def print_table(rows: list[dict]) -> None:
    header = f"{'notebook':42s} {'status':7s} {'time[s]':>8s} {'peak RSS[MB]':>12s}  {'claims':7s} key metric"
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        mark = "✓" if r["claims"] and r["claims_ok"] == r["claims"] else "✗"
        claims = f"{mark} {r['claims_ok']}/{r['claims']}"
        if r["claims_unchecked"]:
            claims = f"– {r['claims_unchecked']}/{r['claims']} 未確認"
        print(
            f"{r['notebook']:42s} {r['status']:7s} {r['seconds']:8.1f} {r['peak_rss_mb']:12d}  {claims:7s} {r['key_metric']}"
        )
        for c in r["failed_claims"]:
            print(f"    ✗ {c}")
        if r["log_tail"]:
            print("    --- log (末尾) ---\n" + "\n".join("    " + line for line in r["log_tail"].splitlines()[-25:]))


def select(pattern: str) -> list[Path]:
    """名前に ``pattern`` を含む notebooks/NN_*.ipynb (``pattern`` が .ipynb のパスならそれだけ)。"""
    if pattern.endswith(".ipynb") and Path(pattern).is_file():
        return [Path(pattern).resolve()]
    return sorted(p for p in (ROOT / "notebooks").glob("[0-9]*.ipynb") if pattern in p.name)


def make_standins(env: dict, pattern: str, modules_dir: Path | None) -> int:
    cmd = [sys.executable, str(ROOT / "scripts" / "make_standins.py")]
    if len(pattern) == 2 and pattern.isdigit():
        cmd += ["--only", pattern]
    if modules_dir:
        cmd += ["--modules-dir", str(modules_dir)]
    print("代役を作成中: " + " ".join(cmd[1:]), flush=True)
    return subprocess.run(cmd, env={**os.environ, **env}).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "pattern", nargs="?", default="", help="名前にこの文字列を含むノートブックだけ実行 (.ipynb のパスも可)"
    )
    parser.add_argument("--mode", default=os.environ.get("COURSE_MODE", "quick"), choices=["quick", "full"])
    parser.add_argument("--budget", action="store_true", help=f"{BUDGET_SECONDS} 秒・3 GB の予算を確かめる")
    parser.add_argument("--rehearse", action="store_true", help="full モードのリハーサル (代役で full の分岐を通す)")
    parser.add_argument("--out", type=Path, help="出力先 (既定: build/、--rehearse では build/rehearsal/)")
    parser.add_argument("--timeout", type=int, default=1800, help="1 セルあたりの制限秒数")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="papermill の -p に渡す")
    parser.add_argument("--standins-dir", type=Path, help=argparse.SUPPRESS)  # テスト用: 代役モジュールの場所
    args = parser.parse_args(argv)

    notebooks = select(args.pattern)
    if not notebooks:
        print(f"実行するノートブックがありません (pattern={args.pattern!r})", file=sys.stderr)
        return 1
    out = (args.out or (BUILD / "rehearsal" if args.rehearse else BUILD)).resolve()
    params = [tuple(p.split("=", 1)) for p in args.param]
    mode, env = args.mode, {}
    if args.rehearse:
        mode, env = "full", rehearsal_env(out)
        if make_standins(env, args.pattern, args.standins_dir) != 0:
            print("代役の作成に失敗しました。", file=sys.stderr)
            return 1
    label = "full リハーサル" if args.rehearse else mode
    rows = []
    for nb in notebooks:
        print(f"実行中: {nb.name} ({label}) ...", flush=True)
        rows.append(run_one(nb, mode, args.timeout, out, env, params))
    print_table(rows)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "results" / "summary.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")

    if args.rehearse:  # 主張は判定しない (すべて「未確認」で記録されていること)
        failed = [r for r in rows if r["status"] != "ok" or not r["claims"] or r["claims_unchecked"] != r["claims"]]
    else:
        failed = [r for r in rows if r["status"] != "ok" or r["claims_ok"] != r["claims"] or not r["claims"]]
    if args.budget:
        over = [r for r in rows if r["seconds"] > BUDGET_SECONDS or r["peak_rss_mb"] * 1024**2 > BUDGET_BYTES]
        for r in over:
            print(f"予算超過: {r['notebook']} {r['seconds']} s, {r['peak_rss_mb']} MB")
        failed += over
        print(
            f"\n予算: 1 本 {BUDGET_SECONDS} s 以内・{BUDGET_BYTES // 1024**3} GB 以内 ({label}, CPU {os.cpu_count()} コア)"
        )
    if args.rehearse:
        print(
            f"リハーサル: {len(rows) - len({r['notebook'] for r in failed})}/{len(rows)} 本が最後まで実行 (主張は未確認)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
