"""Name normalisation, transliteration and matching for watchlist screening.

Pure Python (no Django): every module here can be imported, tested and
benchmarked on its own. The Django screening service builds on
:mod:`watchlists.names.index` and :mod:`watchlists.names.score`.
"""
