"""full モードのリハーサル用の代役 (stand-in)。ラボごとに ``labNN.py`` を置く (scripts/make_standins.py が使う)。"""
