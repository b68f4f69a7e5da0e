"""make doctor: 学習環境を 1 行ずつ ✓/✗ で診断する (✗ には日本語の直し方)。ロジックは utils/doctor.py。

    python scripts/doctor.py                 # 版・GPU・cuDNN・モード・キャッシュ・フォント (full ならネットワークも)
    python scripts/doctor.py --mode full     # full モードのつもりで診断する (ネットワークも確かめる)
    python scripts/doctor.py --require-gpu   # GPU を TensorFlow が認識していなければ終了コード 1
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # リポジトリ直下の utils を使う

if __name__ == "__main__":
    try:
        from utils import doctor  # utils は TensorFlow と Keras を読み込む
    except ImportError as err:  # 壊れた環境でも、何が無いかと直し方を 1 行で出す
        print(f"✗ utils を読み込めません ({type(err).__name__}: {err})\n    → make venv (pip install -r requirements.txt) で入れ直す")
        sys.exit(1)
    sys.exit(doctor.main())
