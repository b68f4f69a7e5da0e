import json

import matplotlib

matplotlib.use("Agg")

from utils import plot, report  # noqa: E402


def test_report_records_metrics_and_claims(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    rep = report.Report("99_test")
    rep.metric("acc", 0.5)
    rep.metric("val_acc", 0.75, key=True)
    assert rep.claim("良い主張", True) is True
    assert rep.claim("悪い主張", 1 > 2) is False
    saved = json.loads((tmp_path / "99_test.json").read_text(encoding="utf-8"))
    assert saved["key_metric"] == "val_acc" and saved["metrics"]["acc"] == 0.5
    assert [c["ok"] for c in saved["claims"]] == [True, False]
    assert "✗ 悪い主張" in capsys.readouterr().out


def test_plot_histories_course_style():
    hists = {
        "scratch": {"accuracy": [0.2, 0.3], "val_accuracy": [0.2, 0.25]},
        "finetune": {"accuracy": [0.5, 0.9, 0.95], "val_accuracy": [0.6, 0.8, 0.85]},
    }
    df = plot.history_frame(hists)
    assert len(df) == 10 and set(df.split) == {"train", "val"}
    ax = plot.plot_histories(hists)
    assert len(ax.get_lines()) >= 4


def test_show_images_boxes():
    import numpy as np

    fig = plot.show_images(np.zeros((3, 8, 8, 3)), [0, 1, 0], ["a", "b"], ncols=2, boxes=[(0, 0, 4, 4)] * 3)
    assert len(fig.axes) == 4


def test_show_images_into_one_axes():
    import matplotlib.pyplot as plt
    import numpy as np
    import pytest

    images = np.stack([np.full((4, 5, 1), v) for v in (0.0, 0.5, 1.0)])
    fig, (ax, other) = plt.subplots(1, 2)
    assert plot.show_images(images, ncols=2, ax=ax) is fig
    assert len(fig.axes) == 2  # 新しい軸は作らない
    grid = ax.get_images()[0].get_array()
    assert grid.shape == (2 * 5 + 1, 2 * 6 + 1)  # 2 行 × 2 列、余白 1 画素
    assert grid[1, 1] == 0.0 and grid[1, 7] == 0.5 and grid[6, 1] == 1.0 and grid[0, 0] == 1.0
    plot.show_images(np.full((2, 3, 3, 3), 255.0), ncols=3, ax=other)  # 0〜255 も 0〜1 に
    assert other.get_images()[0].get_array().shape == (5, 13, 3) and other.get_images()[0].get_array().max() == 1.0
    with pytest.raises(ValueError):
        plot.show_images(images, labels=[0, 1, 2], ax=ax)
    plt.close(fig)
