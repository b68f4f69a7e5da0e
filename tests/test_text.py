"""utils.text: 青空文庫の読み込み (エンコーディング・改行・zip・ヘッダ/フッタ・注記)、文分割、分かち書き、コーパス。"""

import zipfile

import pytest

from utils import data, text

HEADER = """試しの夢
作者不詳

-------------------------------------------------------
【テキスト中に現れる記号について】

《》：ルビ
（例）坐《すわ》って

｜：ルビの付く文字列の始まりを特定する記号
（例）右｜堀田原《ほったはら》とある

［＃］：入力者注　主に外字の説明や、傍点の位置の指定
-------------------------------------------------------
"""
BODY = """［＃５字下げ］第一夜［＃「第一夜」は中見出し］

　こんな夢を見た。枕元に坐《すわ》っていると、女が静かな声で云《い》った。
　右｜堀田原《ほったはら》の※［＃「特のへん＋廴＋聿」、第3水準1-87-71］陀多は〔e'te'〕と書いた。
　［＃「いよいよ」に傍点］いよいよ／＼と思った。
"""
FOOTER = """


底本：「試しの全集」試し書房
　　　1988（昭和63）年7月26日第1刷発行
入力：だれか
このファイルは、インターネットの図書館、青空文庫（http://www.aozora.gr.jp/）で作られました。
"""
EXPECTED = """第一夜

　こんな夢を見た。枕元に坐っていると、女が静かな声で云った。
　右堀田原の犍陀多は〔e'te'〕と書いた。
　いよいよ〳〵と思った。"""


def _write(path, content, encoding, newline):
    path.write_bytes(content.replace("\n", newline).encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["cp932", "shift_jis", "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("with_frame", [True, False], ids=["header+footer", "body-only"])
def test_load_aozora_encodings_newlines_header_footer(tmp_path, encoding, newline, with_frame):
    content = HEADER + "\n" + BODY + FOOTER if with_frame else BODY
    path = _write(tmp_path / "work.txt", content, encoding, newline)
    assert text.load_aozora(path) == EXPECTED


@pytest.mark.parametrize("encoding", ["cp932", "utf-8"])
def test_load_aozora_reads_the_txt_inside_a_zip(tmp_path, encoding):
    archive = tmp_path / "999_ruby_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.html", "<p>not this</p>")
        zf.writestr("yume.txt", (HEADER + "\n" + BODY + FOOTER).replace("\n", "\r\n").encode(encoding))
    assert text.load_aozora(archive) == EXPECTED


def test_decode_prefers_jis_mapping_and_falls_back_to_cp932():
    assert text.decode(b"\x81\x60") == "\u301c"  # 波ダッシュは JIS の対応表どおり (cp932 なら U+FF5E)
    assert text.decode("①の話".encode("cp932")) == "①の話"  # Shift_JIS に無い Windows の拡張文字
    assert text.decode("\ufeff本文".encode("utf-8")) == "本文"


def test_zip_without_text_is_an_error(tmp_path):
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.html", "x")
    with pytest.raises(ValueError, match=r"\.txt がありません"):
        text.load_aozora(archive)


def test_gaiji_notes():
    clean = text.clean_markup
    assert clean("※［＃「目＋爭」、第3水準1-88-85］") == "睜"
    assert clean("※［＃「口＋世」、U+546D、12-3］") == "呭"
    assert clean("※［＃「てへん＋丿」、第4水準2-1-1］") == "\U00020089"  # 2 面 (第 4 水準) は EUC の 0x8F 付き
    assert clean("図※［＃図1（fig1.png）入る］") == "図"  # 文字に戻せない注記は捨てる


def test_header_without_notation_block_is_kept_as_text():
    # 区切り線ブロックが無いときは、どこまでが題名か決められないので本文として残す
    assert text.clean_aozora("本文だけ。\n二行目。") == "本文だけ。\n二行目。"


def test_split_sentences_keeps_quotes_together():
    got = text.split_sentences("　「ほう、一等だぞ。一等だぞ。」と叫んだ。次の文！？そして\n改行で切る")
    assert got == ["「ほう、一等だぞ。一等だぞ。」と叫んだ。", "次の文！？", "そして", "改行で切る"]


def test_words_use_unidic_lite():
    assert text.words("私は私の過去を善悪ともに他ひとの参考に供するつもりです") == [
        "私", "は", "私", "の", "過去", "を", "善悪", "とも", "に", "他", "ひと", "の", "参考", "に", "供する", "つもり", "です",
    ]  # fmt: skip
    assert text.wakati("ＡＩで１２３") == "AI で 123"  # NFKC で全角英数をそろえてから分ける


def test_quick_corpus_is_three_original_styles():
    corpus = text.quick_corpus()
    assert list(corpus) == ["日記", "ニュース", "昔話"]
    for label, body in corpus.items():
        assert 2500 <= len(body) <= 6000, label
        assert len(text.split_sentences(body)) >= 60, label
    assert set(text.QUICK_CORPUS.values()) <= set(data.read_sums())


def test_course_works_are_pinned_and_offline_in_quick(tmp_path, mode, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    mode("quick")
    assert set(text.AOZORA_WORKS) == {"kokoro", "sorekara", "yume_juya"}
    for work in text.AOZORA_WORKS.values():
        assert work.url.startswith("https://www.aozora.gr.jp/cards/000148/files/") and work.url.endswith(".zip")
        assert work.sha256 is None or (len(work.sha256) == 64 and int(work.sha256, 16) >= 0)
    # それから は新字新仮名の版 (1746 は新字旧仮名)。公開された sha256 が無いので None (= data.UNPUBLISHED)
    assert text.AOZORA_WORKS["sorekara"].url.endswith("/56143_ruby_50824.zip")
    assert text.AOZORA_WORKS["sorekara"].sha256 is None
    with pytest.raises(data.OfflineModeError):
        text.aozora_work("kokoro")


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name,first,last",
    [
        ("soseki_yume_juya.txt", "第一夜\n\n\u3000こんな夢を見た。", "パナマは健さんのものだろう。"),
        (
            "akutagawa_kumono_ito.txt",
            "\u3000ある日の事でございます。御釈迦様は極楽の蓮池のふちを",
            "午に近くなったのでございましょう。",
        ),
        ("miyazawa_kazeno_matasaburo.txt", "どっどど\u3000どどうど", "またがたがた鳴りました。"),
    ],
)
def test_load_aozora_real_files(realdata, name, first, last):
    body = text.load_aozora(realdata / "aozora" / name)
    assert body.startswith(first) and body.endswith(last)
    for mark in "《》｜［］＃※":
        assert mark not in body, mark
    for footer_or_header in ("底本", "青空文庫", "テキスト中に現れる記号", "-----", "\r"):
        assert footer_or_header not in body
    assert len(text.split_sentences(body)) > 20


@pytest.mark.realdata
def test_real_files_details(realdata):
    yume = text.load_aozora(realdata / "aozora" / "soseki_yume_juya.txt")
    assert "腕組をして枕元に坐っていると、仰向に寝た女が" in yume  # ルビ《すわ》《あおむき》を除いた形
    assert "夏目漱石" not in yume  # 題名・著者の行も除く
    assert [line for line in yume.split("\n") if line.endswith("夜") and len(line) == 3][:3] == [
        "第一夜",
        "第二夜",
        "第三夜",
    ]
    kumo = text.load_aozora(realdata / "aozora" / "akutagawa_kumono_ito.txt")
    assert "犍陀多と云う男が一人" in kumo  # 外字注記 (第3水準1-87-71) を文字に戻す
    assert "丁度地獄の底に当って" in kumo  # ｜地獄《じごく》
    matasaburo = text.load_aozora(realdata / "aozora" / "miyazawa_kazeno_matasaburo.txt")
    assert "鬼っこ" in matasaburo and "fig462" not in matasaburo  # 傍点・図の注記を除く


@pytest.mark.realdata
def test_real_file_zipped_with_crlf_and_cp932(realdata, tmp_path):
    path = realdata / "aozora" / "soseki_yume_juya.txt"  # UTF-8, CRLF
    # 全角ダッシュは UTF-8 版では U+2014、Shift_JIS (0x815C) を Python で読むと U+2015 になる
    raw = path.read_text(encoding="utf-8").replace("\u2014", "\u2015")
    archive = tmp_path / "799_ruby_test.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("yume_juya.txt", raw.encode("shift_jis"))  # 本物の zip と同じ Shift_JIS, CRLF
    assert text.load_aozora(archive) == text.load_aozora(path).replace("\u2014", "\u2015")


# --- 文字コードの判定と、読めないファイル ------------------------------------------------


@pytest.mark.parametrize("encoding", ["euc_jp", "iso2022_jp", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_load_aozora_other_japanese_encodings(tmp_path, encoding):
    content = HEADER + "\n" + BODY.replace("犍", "") + FOOTER  # 犍 は第 3 水準: EUC-JP / ISO-2022-JP に無い
    content = content.replace("※［＃「特のへん＋廴＋聿」、第3水準1-87-71］", "")
    if encoding.endswith("-bom"):
        codec = encoding[:-4]
        raw = ("\ufeff" + content).encode(codec)
    else:
        raw = content.encode(encoding)
    (tmp_path / "w.txt").write_bytes(raw)
    assert text.load_aozora(tmp_path / "w.txt") == EXPECTED.replace("の犍陀多", "の陀多")


def test_euc_jp_is_not_misread_as_shift_jis():
    sample = "こんな夢を見た。腕組をして枕元に坐っていると、仰向に寝た女が、静かな声でもう死にますと云う。"
    assert text.decode(sample.encode("euc_jp")) == sample
    assert text.decode(sample.encode("shift_jis")) == sample
    assert text.decode(("ｱｲｳ半角カナも" + sample).encode("shift_jis")).startswith("ｱｲｳ半角カナも")


def test_undecodable_file_lists_the_encodings(tmp_path):
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(text.TextLoadError, match=r"bin\.txt: 文字コードを判定できません.*Shift_JIS.*UTF-8.*UTF-16.*EUC-JP.*ISO-2022-JP"):
        text.load_aozora(tmp_path / "bin.txt")


def test_missing_directory_and_empty(tmp_path):
    with pytest.raises(FileNotFoundError, match="テキストファイルが見つかりません"):
        text.load_aozora(tmp_path / "none.txt")
    with pytest.raises(text.TextLoadError, match="フォルダです"):
        text.load_aozora(tmp_path)
    for name, body in [("empty.txt", b""), ("blank.txt", b" \r\n\r\n")]:
        (tmp_path / name).write_bytes(body)
        with pytest.raises(text.TextLoadError, match="空です"):
            text.load_aozora(tmp_path / name)
    assert issubclass(text.TextLoadError, ValueError)


def test_zip_with_several_txt_or_corrupt(tmp_path):
    several = tmp_path / "two.zip"
    with zipfile.ZipFile(several, "w") as zf:
        zf.writestr("a.txt", "一")
        zf.writestr("b.txt", "二")
    with pytest.raises(text.TextLoadError, match=r"\.txt が 2 個あり \(a\.txt、b\.txt\)"):
        text.load_aozora(several)
    mac = tmp_path / "mac.zip"  # macOS の圧縮が足す __MACOSX/._*.txt は数えない
    with zipfile.ZipFile(mac, "w") as zf:
        zf.writestr("w.txt", "本文《ほんぶん》。".encode("cp932"))
        zf.writestr("__MACOSX/._w.txt", b"\x00\x05\x16\x07")
    assert text.load_aozora(mac) == "本文。"
    broken = tmp_path / "crc.zip"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("w.txt", "あ" * 100)
    raw = bytearray(broken.read_bytes())
    raw[raw.find("あ".encode()) + 1] ^= 0xFF
    broken.write_bytes(bytes(raw))
    with pytest.raises(text.TextLoadError, match="壊れた zip"):
        text.load_aozora(broken)


def test_non_aozora_text_is_left_intact(tmp_path):
    plain = "表1｜売上《2024年》\n［注］は本文。\n〔参考〕【見出し】《吾輩は猫である》を読む。\n"
    (tmp_path / "plain.txt").write_bytes(plain.replace("\n", "\r\n").encode("utf-8"))
    assert not text.is_aozora(plain)
    assert text.load_aozora(tmp_path / "plain.txt") == plain
    for marker in ("坐《すわ》る", "［＃改ページ］", "底本：「全集」", "【テキスト中に現れる記号について】"):
        assert text.is_aozora(f"本文\n{marker}\n"), marker
