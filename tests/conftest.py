"""Fixtures shared by the sweep tests and the app's tests."""

from __future__ import annotations

import re
import unicodedata
import zlib

import pytest

from ccsim.cli import main as cli


@pytest.fixture(scope="session")
def swept(tmp_path_factory):
    """``swept(name, experiment_text, *options)``: the experiment swept with 2 workers and
    ``options`` into a fresh directory, then analysed; returns the sweep directory."""
    def sweep(name: str, text: str, *options: str):
        root = tmp_path_factory.mktemp(name)
        (root / "exp.toml").write_text(text)
        out = root / "out"
        assert cli(["sweep", str(root / "exp.toml"), "--out", str(out), "--workers", "2",
                    "--no-progress", *options]) == 0
        assert cli(["analyze", str(out)]) == 0
        return out

    return sweep


@pytest.fixture(scope="session")
def pdf_text():
    """``pdf_text(data)``: the lines of text a matplotlib PDF draws, as a reader sees them:
    each text block's strings (its content streams inflated) decoded through the glyph
    names of its fonts' encodings (matplotlib draws "fi", "fl" and "ff" as ligatures)."""
    from fontTools.agl import toUnicode

    def text(data: bytes) -> list[str]:
        objects = dict(re.findall(rb"(\d+) 0 obj\n(.*?)endobj", data, re.S))
        fonts = {}
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
            codes, code = {}, 0
            for token in re.search(rb"/Differences \[(.*?)\]", objects[number], re.S).group(1).split():
                if token.isdigit():
                    code = int(token)
                else:
                    codes[code], code = unicodedata.normalize("NFKC", toUnicode(token[1:].decode())), code + 1
            fonts[name] = codes
        lines = []
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
            try:
                stream = zlib.decompress(stream)
            except zlib.error:
                continue
            for block in re.findall(rb"\nBT\n(.*?)\nET\n", stream, re.S):
                font, line = {}, []
                for op in re.finditer(rb"/(F\d+) [\d.]+ Tf|\[(.*?)\]\s*TJ", block, re.S):
                    if op.group(1):
                        font = fonts[op.group(1)]
                    for piece in re.findall(rb"\(((?:\\.|[^\\)])*)\)", op.group(2) or b"", re.S):
                        line += [font[byte] for byte in re.sub(rb"\\(.)", rb"\1", piece)]
                lines.append("".join(line))
        return lines

    return text
