"""ラボ 10 (BERT) の full モードのリハーサル用の代替ファイル: 青空文庫の zip 3 つと東北大 BERT v3 の 4 ファイル。

- 青空文庫: 本物と同じ URL・同じ形式 (zip の中に Shift_JIS・CRLF の .txt 1 つ、題名・著者・【テキスト中に現れる記号について】の
  区切り線ブロック、ルビ《》と｜、入力者注［＃…］、外字注記 ※［＃…、U+XXXX］、底本フッタ)。本文はこのリポジトリの書き下ろし
  コーパス (data/text/) を使う (漱石の本文は同梱しない)。
- 東北大 BERT v3: ``https://huggingface.co/tohoku-nlp/bert-base-japanese-v3/resolve/<コミット>/`` の config.json・tf_model.h5・
  tokenizer_config.json・vocab.txt。tf_model.h5 は transformers の ``TFBertForPreTraining`` と同じ名前・配置
  (``utils.bert.write_tf_model_h5``) で、重みはランダム (BERT の初期化)。隠れ次元 768・12 ヘッド・中間層 3,072・位置 512・
  セグメント 2 は本物と同じ。**減らしたのは層の数 (12 → 1) と語彙の数 (32,768 → 4,096)** の 2 つだけ: 本物の大きさでは
  CPU 2 コア・mixed_float16 のリハーサルが 1 本 230 秒・5 GB になり、予算 (90 秒・3 GB) に収まらなかった。
  語彙は書き下ろしコーパスの WordPiece 語彙を ``[unused…]`` で 4,096 まで埋めたもの (並びは本物と同じく特殊トークンが 0〜4)。
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from utils import bert, text

BERT_BASE = dict(vocab=4096, hidden=768, heads=12, intermediate=3072, positions=512)  # 語彙は本物 32,768 (減らした)
LAYERS = 1  # 本物は 12 (リハーサルの時間のために減らした)
AOZORA_INNER = {"kokoro": "kokoro.txt", "sorekara": "sorekara.txt", "yume_juya": "yume_juya.txt"}
BODIES = {"kokoro": "日記", "sorekara": "ニュース", "yume_juya": "昔話"}  # 代わりに使う書き下ろしの文体
RUBY = {"会社": "かいしゃ", "部署": "ぶしょ", "先輩": "せんぱい", "市": "し", "町": "まち", "村": "むら", "爺": "じい"}


def aozora_text(title: str, body: str) -> str:
    """青空文庫のルビつきテキストの形にする (改行は後で CRLF に)。"""
    lines = []
    for i, paragraph in enumerate(p for p in body.split("\n") if p.strip()):
        for word, reading in RUBY.items():  # 各段落の最初の 1 か所にルビ
            if word in paragraph:
                marked = f"｜{word}《{reading}》" if i % 2 else f"{word}《{reading}》"
                paragraph = paragraph.replace(word, marked, 1)
                break
        if i % 7 == 0:
            lines += ["", f"［＃３字下げ］{i // 7 + 1}［＃「{i // 7 + 1}」は中見出し］", ""]
        if i % 11 == 5:
            paragraph += "※［＃「口＋曷」、U+559D、12-3］"  # 外字注記 (喝)
        lines.append("\u3000" + paragraph.lstrip("\u3000"))
    header = [
        title,
        "夏目漱石",
        "",
        "-" * 55,
        "【テキスト中に現れる記号について】",
        "",
        "《》：ルビ",
        "（例）会社《かいしゃ》",
        "",
        "｜：ルビの付く文字列の始まりを特定する記号",
        "（例）新しい｜部署《ぶしょ》",
        "",
        "［＃］：入力者注　主に外字の説明や、傍点の位置の指定",
        "\u3000\u3000\u3000（数字は、JIS X 0213の面区点番号またはUnicode、底本のページと行数）",
        "（例）※［＃「口＋曷」、U+559D、12-3］",
        "-" * 55,
        "",
    ]
    footer = ["", "", "", "底本：「代替ファイル（リハーサル用）」書き下ろし", "入力：dl-day4-labs", "校正：dl-day4-labs", "",
              "青空文庫作成ファイル：", "このファイルは、リハーサルのためにリポジトリが生成したものです。"]
    return "\n".join(header + lines + footer) + "\n"


def make_aozora(out: Path) -> dict[str, Path]:
    corpus = text.quick_corpus()
    files = {}
    for name, work in text.AOZORA_WORKS.items():
        raw = aozora_text(work.title, corpus[BODIES[name]]).replace("\n", "\r\n").encode("shift_jis")
        path = out / "aozora" / Path(work.url).name
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            info = zipfile.ZipInfo(AOZORA_INNER[name], date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, raw)
        files[work.url] = path
    return files


def make_bert(out: Path) -> dict[str, Path]:
    import keras_hub

    folder = out / "huggingface" / "bert-base-japanese-v3"
    folder.mkdir(parents=True, exist_ok=True)
    train, _ = text.split_labeled(text.quick_corpus())
    vocab = bert.build_vocab([s for s, _ in train])
    vocab += [f"[unused{i}]" for i in range(BERT_BASE["vocab"] - len(vocab))]
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=BERT_BASE["vocab"], num_layers=LAYERS, num_heads=BERT_BASE["heads"],
        hidden_dim=BERT_BASE["hidden"], intermediate_dim=BERT_BASE["intermediate"],
        max_sequence_length=BERT_BASE["positions"], dtype="float32",
    )
    mlm_head, nsp_head = bert.new_heads(backbone)
    bert.save_pretrained(folder, backbone, mlm_head, nsp_head, vocab)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config.update(initializer_range=0.02, attention_probs_dropout_prob=0.1, hidden_dropout_prob=0.1)
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {bert.hf_url(name): folder / name for name in bert.FILES}


def make(out: Path) -> dict[str, Path]:
    out = Path(out)
    return {**make_aozora(out), **make_bert(out)}

