"""moto server whose Textract recognises the lines given, for the OCR tests.

moto answers DetectDocumentText with the class attributes `TextractBackend.PAGES` and
`TextractBackend.BLOCKS`, settable only inside moto's process (its documented way to choose
Textract's results). This sets them, then runs moto's own server with the arguments given.

Usage: python textract_server.py LINES_JSON [moto_server arguments...]
LINES_JSON is a JSON list of strings, one LINE block each, all on page 1.
"""
import json
import sys

from moto.server import main
from moto.textract.models import TextractBackend


def blocks(lines):
    out = [{"BlockType": "PAGE", "Id": "page-1", "Page": 1}]
    for i, text in enumerate(lines):
        out.append(
            {"BlockType": "LINE", "Id": f"line-{i}", "Page": 1, "Text": text, "Confidence": 99.0}
        )
    return out


if __name__ == "__main__":
    TextractBackend.PAGES = 1
    TextractBackend.BLOCKS = blocks(json.loads(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))
