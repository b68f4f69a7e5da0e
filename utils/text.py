"""日本語テキストの配管: 青空文庫ファイルの読み込み、文分割、分かち書き、コーパスの取得。

- ``load_aozora(path)``: 青空文庫のテキスト (Shift_JIS/cp932・UTF-8・UTF-16・EUC-JP・ISO-2022-JP を自動判定、CRLF/LF、zip でもそのままでも、
  ヘッダ・底本フッタの有無を問わない) から本文だけを返す。ルビ《…》と｜、入力者注［＃…］を除き、
  外字注記 ※［＃…、第3水準1-87-71］ は JIS X 0213 の面区点 (または U+XXXX) から元の文字に戻す。〔…〕 はそのまま残す。
- ``words(text)``: fugashi + unidic-lite (MeCab) で単語に分ける (オフライン)。
- ``split_sentences(text)``: 「…」の中では切らずに、。！？ と改行で文に分ける。
- ``course_works()`` (full): 講座の 3 作品 (夏目漱石『こころ』『それから』『夢十夜』) を sha256 つきで取得する。
- ``quick_corpus()`` (quick): リポジトリのために書き下ろした 3 種類の文体の小さなコーパス (``data/text/``)。
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import os
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from . import data

# --- 青空文庫 -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AozoraWork:
    title: str
    author: str
    card: str
    url: str
    sha256: str | None  # None: 公開された sha256 が無い (data.UNPUBLISHED で取得する)


# 講座 (4_6 BERT) の 3 作品。青空文庫のルビつきテキスト zip (Shift_JIS, CRLF, ヘッダと底本フッタつき)。
# 3 作品とも新字新仮名の版を使う (それから の図書カード 1746 は新字旧仮名 (ゐ・ふ など) で、分類器が文体ではなく
# 仮名づかいで見分けてしまうため、新字新仮名の図書カード 56143 にする)。
# sha256 はこの環境からは確かめられない (インターネットに出られない) ため、同じ zip を取得して検証している公開
# リポジトリに記録された値を使っている: こころ は 3 つのリポジトリで一致、夢十夜 は 1 つ。それから (56143) の sha256 を
# 記録した公開情報は見つからなかったので None (= data.UNPUBLISHED: 初回に計算した値を表示して保存し、以後はその値で確かめる)。
# 青空文庫がファイルを差し替えると一致しなくなる (そのときは ChecksumError になる)。
AOZORA_WORKS = {
    "kokoro": AozoraWork(
        "こころ",
        "夏目漱石",
        "https://www.aozora.gr.jp/cards/000148/card773.html",
        "https://www.aozora.gr.jp/cards/000148/files/773_ruby_5968.zip",
        "c55d7bf6c7cc5bd960ce291949f38cae9ba6a672a6142c3b9e1a9f5a159fa4c4",
    ),
    "sorekara": AozoraWork(
        "それから",
        "夏目漱石",
        "https://www.aozora.gr.jp/cards/000148/card56143.html",
        "https://www.aozora.gr.jp/cards/000148/files/56143_ruby_50824.zip",
        None,
    ),
    "yume_juya": AozoraWork(
        "夢十夜",
        "夏目漱石",
        "https://www.aozora.gr.jp/cards/000148/card799.html",
        "https://www.aozora.gr.jp/cards/000148/files/799_ruby_6024.zip",
        "bbcba67c68db31aca5d24d8cab5ec17a1c85f9730b183f14895bb0b6d5ae19b8",
    ),
}

_DASH_LINE = re.compile(r"^-{20,}\s*$")
_NOTATION_HEADING = "【テキスト中に現れる記号について】"
_FOOTER = re.compile(r"^底本[：:]", re.M)
_GAIJI = re.compile(r"※［＃([^］]*)］")
_NOTE = re.compile(r"［＃[^］]*］")
_RUBY = re.compile(r"《[^》]*》")
_MEN_KU_TEN = re.compile(r"(?<!\d)([12])-(\d{1,2})-(\d{1,2})(?!\d)")
_UNICODE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


class TextLoadError(ValueError):
    """テキストとして読めない (空・ディレクトリ・対応していない文字コード・zip の中身が決まらない) ときの例外。"""


ENCODINGS = ("Shift_JIS / cp932", "UTF-8 (BOM あり・なし)", "UTF-16 (BOM つき)", "EUC-JP", "ISO-2022-JP (JIS)")
_ISO2022 = ("iso2022_jp", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_ext")
_AOZORA_RUBY = re.compile(r"《[ぁ-ゖァ-ヺー・]+》")


def _plausibility(text: str) -> float:
    """日本語の文章らしさ (ひらがな・カタカナ・漢字・ASCII の割合。半角カナや私用領域は減点)。"""
    good = bad = 0
    text = text[:20000]
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:
            good += 1
        elif o < 0x80:
            good += 0.5
        elif 0xFF61 <= o <= 0xFF9F or 0xE000 <= o <= 0xF8FF or o < 0xA0:
            bad += 1
    return (good - 2 * bad) / max(len(text), 1)


def decode(raw: bytes) -> str:
    """日本語のテキストのバイト列を文字列にする。文字コードは自動で判定する (対応: ``ENCODINGS``)。

    BOM (UTF-8 / UTF-16) → ISO-2022-JP のエスケープ → UTF-8 → Shift_JIS・cp932・EUC-JP の順に調べ、
    Shift_JIS と EUC-JP のどちらでも読めるときは日本語らしく読める方を選ぶ。Shift_JIS を cp932 より先に
    試すのは、波ダッシュ 0x8160 を JIS の対応表どおり 〜 (U+301C) にするため (cp932 では ～ U+FF5E になる)。
    どれでも読めなければ ``TextLoadError``。
    """
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x1b$" in raw and max(raw) < 0x80:
        for encoding in _ISO2022:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                pass
    elif b"\x00" not in raw:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        candidates = []
        for rank, encoding in enumerate(("shift_jis", "cp932", "euc_jp", "euc_jis_2004")):
            try:
                candidates.append((_plausibility(decoded := raw.decode(encoding)), -rank, decoded))
            except UnicodeDecodeError:
                pass
        if candidates:
            return max(candidates)[2]
    raise TextLoadError(
        "文字コードを判定できません (テキストファイルでないか、壊れています)。"
        f"対応している文字コード: {'、'.join(ENCODINGS)}。テキストエディタでこのどれか (UTF-8 がおすすめ) で保存し直してください。"
    )


def _zip_text(path: Path) -> bytes:
    try:
        with zipfile.ZipFile(path) as zf:
            texts = [
                i
                for i in zf.infolist()
                if i.filename.lower().endswith(".txt")
                and not i.is_dir()
                and not i.filename.startswith("__MACOSX/")
                and not PurePosixPath(i.filename).name.startswith("._")
            ]
            if not texts:
                raise TextLoadError(f"{path.name} に .txt がありません。青空文庫の「テキストファイル (ルビあり)」の zip を指定してください。")
            if len(texts) > 1:
                names = "、".join(i.filename for i in texts[:5])
                raise TextLoadError(
                    f"{path.name} に .txt が {len(texts)} 個あり ({names})、どれを読むか決められません。"
                    "展開して、読みたい .txt のパスを指定してください。"
                )
            if texts[0].flag_bits & 0x1:
                raise TextLoadError(f"{path.name} は暗号化 (パスワードつき) の zip です。パスワードなしの zip か .txt を指定してください。")
            return zf.read(texts[0])
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
        raise TextLoadError(f"{path.name} は壊れた zip です ({e})。ダウンロードし直してください。") from e


def read_raw(path: str | os.PathLike) -> str:
    """ファイル (zip なら中のただ 1 つの .txt) を文字列にし、改行を LF にそろえる。中身には手を加えない。"""
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"テキストファイルが見つかりません: {path} (相対パスは {Path.cwd()} からの位置です)")
    if path.is_dir():
        raise TextLoadError(f"{path} はフォルダです。テキストファイル (.txt) か青空文庫の zip のパスを指定してください。")
    raw = _zip_text(path) if zipfile.is_zipfile(path) else path.read_bytes()
    if not raw.strip():
        raise TextLoadError(f"{path.name} は空です (文字がありません)。中身のあるテキストファイルを指定してください。")
    try:
        text = decode(raw)
    except TextLoadError as e:
        raise TextLoadError(f"{path.name}: {e}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_aozora(text: str) -> bool:
    """青空文庫の書式 (ルビ《かな》、注記［＃…］、記号の説明の見出し、「底本：」の行) があるか。"""
    return bool(
        _AOZORA_RUBY.search(text) or "［＃" in text or _NOTATION_HEADING in text or _FOOTER.search(text)
    )


def _gaiji(match: re.Match) -> str:
    """外字注記を文字に戻す。面区点 (JIS X 0213) は EUC-JIS-2004 のバイト列に直して復号する。"""
    note = match.group(1)
    if m := _UNICODE.search(note):
        return chr(int(m.group(1), 16))
    if m := _MEN_KU_TEN.search(note):
        men, ku, ten = (int(g) for g in m.groups())
        if 1 <= ku <= 94 and 1 <= ten <= 94:
            raw = bytes([0xA0 + ku, 0xA0 + ten])
            try:
                return (raw if men == 1 else b"\x8f" + raw).decode("euc_jis_2004")
            except UnicodeDecodeError:
                pass
    return ""  # 文字に戻せない注記 (図など) は捨てる


def strip_header(text: str) -> str:
    """題名・著者と【テキスト中に現れる記号について】の区切り線ブロックを除く (無ければそのまま)。"""
    lines = text.split("\n")
    dashes = [i for i, line in enumerate(lines[:200]) if _DASH_LINE.match(line)]
    if len(dashes) >= 2 and any(_NOTATION_HEADING in line for line in lines[dashes[0] : dashes[1]]):
        return "\n".join(lines[dashes[1] + 1 :])
    return text


def strip_footer(text: str) -> str:
    """「底本：」で始まる行から後 (底本・入力・校正の情報) を除く。"""
    m = _FOOTER.search(text)
    return text[: m.start()] if m else text


def clean_markup(text: str) -> str:
    """外字注記を文字に戻し、入力者注［＃…］・ルビ《…》・ルビの始まりの｜を除く。〔…〕 は残す。"""
    text = _GAIJI.sub(_gaiji, text)
    text = _NOTE.sub("", text)
    text = _RUBY.sub("", text).replace("｜", "")
    return text.replace("／″＼", "〴〵").replace("／＼", "〳〵")  # くの字点 (2 文字分の繰り返し記号)


def clean_aozora(text: str) -> str:
    """青空文庫の文字列から本文だけを取り出す (改行は LF を想定)。"""
    text = clean_markup(strip_footer(strip_header(text)))
    lines = [line.rstrip() for line in text.split("\n")]
    # 注記を除いて空になった行が続くところは 1 行の空行にまとめる
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n")


def load_aozora(path: str | os.PathLike) -> str:
    """青空文庫のファイル (.txt または .zip) を読み、本文だけを返す。

    青空文庫の書式 (``is_aozora``) が無いテキストは、改行を LF にそろえるだけでそのまま返す
    (ふつうの括弧や記号は消さない)。読めないファイルは日本語の ``FileNotFoundError`` / ``TextLoadError``。
    """
    raw = read_raw(path)
    return clean_aozora(raw) if is_aozora(raw) else raw


def aozora_work(name: str) -> Path:
    """講座の作品 (``AOZORA_WORKS`` のキー) の zip を sha256 を確かめてダウンロード・キャッシュする (full モード)。"""
    work = AOZORA_WORKS[name]
    return data.download(work.url, work.sha256 or data.UNPUBLISHED, directory=data.cache_dir("aozora"))


def course_works() -> dict[str, str]:
    """講座の 3 作品の本文 {作品名: 本文} (full モード。キャッシュが無ければダウンロードする)。"""
    return {work.title: load_aozora(aozora_work(name)) for name, work in AOZORA_WORKS.items()}


# --- quick モードの同梱コーパス -----------------------------------------------------------

# data/text/ の 3 ファイルは、このリポジトリのために書き下ろした文章 (出典は data/README.md)。
QUICK_CORPUS = {"日記": "text/diary.txt", "ニュース": "text/news.txt", "昔話": "text/tale.txt"}


def quick_corpus() -> dict[str, str]:
    """quick モードのコーパス {文体: 本文}。sha256 を data/SHA256SUMS と照合してから読む。"""
    return {label: data.repo_file(rel).read_text(encoding="utf-8").strip() for label, rel in QUICK_CORPUS.items()}


# --- 文分割と分かち書き ------------------------------------------------------------------

_OPEN, _CLOSE = "「『（(【", "」』）)】"
_ENDS = "。！？!?"


def split_sentences(text: str, min_chars: int = 2) -> list[str]:
    """本文を文のリストにする。括弧 「…」 の中の 。 では切らず、改行は常に文の区切りとする。"""
    sentences = []
    for line in text.split("\n"):
        depth, start = 0, 0
        line = line.strip().strip("\u3000")
        for i, ch in enumerate(line):
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(depth - 1, 0)
            elif ch in _ENDS and depth == 0 and (i + 1 == len(line) or line[i + 1] not in _ENDS):
                sentences.append(line[start : i + 1])
                start = i + 1
        sentences.append(line[start:])
    return [s.strip("\u3000 ") for s in sentences if len(s.strip("\u3000 ")) >= min_chars]


def split_labeled(
    corpus: dict[str, str], test_fraction: float = 0.3
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """{ラベル名: 本文} を文に分け、ラベルごとに順番のまま前 (学習) と後ろ (評価) に分けた (文, ラベル番号) のリスト。

    前後で分けるのは、評価の文が学習の文と同じ場面・記事から来ないようにするため (ランダムに混ぜると易しくなりすぎる)。
    """
    train, test = [], []
    for label, body in enumerate(corpus.values()):
        sentences = split_sentences(body)
        cut = round(len(sentences) * (1 - test_fraction))
        train += [(s, label) for s in sentences[:cut]]
        test += [(s, label) for s in sentences[cut:]]
    return train, test


@functools.lru_cache(maxsize=1)
def tagger():
    """unidic-lite 辞書の fugashi (MeCab) を 1 つだけ作って使い回す。

    transformers の ``BertJapaneseTokenizer(mecab_kwargs={"mecab_dic": "unidic_lite"})`` と同じ
    ``-d 辞書 -r mecabrc`` の指定にしている (東北大 BERT v3 の単語分割と一致させるため)。
    """
    import fugashi
    import unidic_lite

    return fugashi.GenericTagger(f'-r "{Path(unidic_lite.DICDIR) / "mecabrc"}" -d "{unidic_lite.DICDIR}" -Owakati')


def words(text: str, normalize: bool = True) -> list[str]:
    """文字列を単語 (形態素の表層形) のリストにする。``normalize`` なら先に NFKC で全角英数などをそろえる。"""
    if normalize:
        text = unicodedata.normalize("NFKC", text)
    return tagger().parse(text).split()


def wakati(text: str, normalize: bool = True) -> str:
    """単語を空白でつないだ文字列 (分かち書き)。"""
    return " ".join(words(text, normalize))


__all__ = [
    "AOZORA_WORKS",
    "QUICK_CORPUS",
    "ENCODINGS",
    "AozoraWork",
    "TextLoadError",
    "aozora_work",
    "clean_aozora",
    "course_works",
    "decode",
    "is_aozora",
    "load_aozora",
    "quick_corpus",
    "read_raw",
    "split_labeled",
    "split_sentences",
    "tagger",
    "wakati",
    "words",
]
