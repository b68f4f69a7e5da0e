"""full モードのリハーサル用の代役 (stand-in) を作り、manifest.json に登録する (make rehearse が最初に実行)。

各ラボの ``scripts/standins/labNN.py`` が ``make(out: Path) -> dict[str, Path]`` ({本物の URL: 作ったファイル}) を
持つ。作ったファイルは ``$COURSE_CACHE_DIR/standins/files/<URL のハッシュ>/<本物のファイル名>`` に置き、
``$COURSE_CACHE_DIR/standins/manifest.json`` に {URL: {path, sha256}} を書く。``utils.data.download`` は
リハーサル中この表で URL を代役に差し替える (``utils.rehearsal.redirect``)。

モジュールのソース (と common.py) が変わっていなければ作り直さない。

    python scripts/make_standins.py             # scripts/standins/lab*.py を全部
    python scripts/make_standins.py --only 05   # lab05.py だけ
    python scripts/make_standins.py --force     # 最新でも作り直す
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
STANDINS = ROOT / "scripts" / "standins"
for _p in (ROOT / "scripts", ROOT):  # standins.common と、この checkout の utils を先に見つける
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from utils import rehearsal  # noqa: E402
from utils.data import sha256sum  # noqa: E402

FORMAT = 1  # manifest の形式 (変えたら全部作り直す)


def discover(modules_dir: Path = STANDINS, only: str | None = None) -> list[Path]:
    """``modules_dir/lab*.py`` (``only="05"`` なら lab05*.py だけ)。"""
    return sorted(p for p in modules_dir.glob("lab*.py") if only is None or p.stem.startswith(f"lab{only}"))


def fingerprint(module: Path) -> str:
    h = hashlib.sha256(f"format={FORMAT}\n".encode())
    for path in (module, STANDINS / "common.py"):
        h.update(path.read_bytes())
    return h.hexdigest()


def url_filename(url: str) -> str:
    return PurePosixPath(url.split("?")[0].split("#")[0]).name or "download"


def _import(path: Path):
    spec = importlib.util.spec_from_file_location(f"_standin_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "make", None)):
        raise SystemExit(f"{path}: make(out: Path) -> dict[str, Path] がありません。")
    return module


def _load(manifest: Path) -> dict:
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("format") == FORMAT:
            return data
    return {"format": FORMAT, "modules": {}, "files": {}}


def _save(data: dict, manifest: Path) -> None:
    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, manifest)


def _up_to_date(data: dict, name: str, fp: str, root: Path) -> bool:
    entry = data["modules"].get(name)
    if not entry or entry["fingerprint"] != fp:
        return False
    files = [data["files"].get(url) for url in entry["urls"]]
    return all(f and (root / f["path"]).is_file() for f in files)


def build(modules: list[Path], *, force: bool = False, prune: bool = True) -> dict:
    """``modules`` の代役を作り (最新なら飛ばす)、manifest の内容を返す。"""
    root = rehearsal.standins_dir()
    manifest = rehearsal.manifest_path()
    data = _load(manifest)
    if prune:  # 消えたモジュールの登録を外す
        names = {p.stem for p in modules}
        for name in [n for n in data["modules"] if n not in names]:
            for url in data["modules"].pop(name)["urls"]:
                data["files"].pop(url, None)
    for path in modules:
        name, fp = path.stem, fingerprint(path)
        if not force and _up_to_date(data, name, fp, root):
            print(f"{name}: 最新 (作り直さない)")
            continue
        for url in data["modules"].pop(name, {}).get("urls", []):
            data["files"].pop(url, None)
        work = root / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        start = time.perf_counter()
        produced = _import(path).make(work)
        if not isinstance(produced, dict) or not produced:
            raise SystemExit(f"{path.name}: make() は {{本物の URL: 作ったファイル}} の dict を返してください。")
        total = 0
        for url, file in produced.items():
            file = Path(file)
            if not file.is_file():
                raise SystemExit(f"{path.name}: {url} の代役 {file} がありません。")
            owner = data["files"].get(url, {}).get("module")
            if owner and owner != name:
                raise SystemExit(f"{path.name}: {url} の代役は {owner} がすでに作っています (URL ごとに 1 つ)。")
            target = root / "files" / hashlib.sha256(url.encode()).hexdigest()[:16] / url_filename(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            try:
                os.link(file, target)  # 同じファイルシステムならコピーしない
            except OSError:
                shutil.copy2(file, target)
            size = target.stat().st_size
            total += size
            data["files"][url] = {
                "path": target.relative_to(root).as_posix(),
                "sha256": sha256sum(target),
                "bytes": size,
                "module": name,
            }
        data["modules"][name] = {"fingerprint": fp, "urls": sorted(produced)}
        _save(data, manifest)
        print(f"{name}: 代役 {len(produced)} 件 ({total / 1e6:.1f} MB, {time.perf_counter() - start:.1f} 秒)")
    _save(data, manifest)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", metavar="NN", help="labNN*.py だけ作る (ほかの登録は残す)")
    parser.add_argument("--force", action="store_true", help="最新でも作り直す")
    parser.add_argument("--modules-dir", type=Path, default=STANDINS, help=argparse.SUPPRESS)  # テスト用
    args = parser.parse_args(argv)
    modules = discover(args.modules_dir, args.only)
    if not modules:
        print(f"代役のモジュールがありません ({args.modules_dir}/lab{args.only or ''}*.py)", file=sys.stderr)
        return 1
    print(f"代役の置き場所: {rehearsal.standins_dir()}")
    build(modules, force=args.force, prune=args.only is None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
