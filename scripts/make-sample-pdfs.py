#!/usr/bin/env python3
"""Generates the synthetic sample PDFs under events/documents/ (run from the repo root).

The documents are fictional; the passport uses the ICAO 9303 specimen data (Utopia, UTO).
Plain PDF 1.4 written by hand so that no PDF library is needed to regenerate them.
"""
import sys
import zlib


def pdf(pages_lines, compress=True):
    """pages_lines: list of pages, each a list of (font, size, x, y, text)."""
    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    font_helv = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    font_cour = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages_lines)  # placeholder computed below
    page_ids = []
    content_ids = []
    for lines in pages_lines:
        ops = []
        for font, size, x, y, text in lines:
            esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            name = b"/F1" if font == "helv" else b"/F2"
            ops.append(b"BT " + name + b" %d Tf %d %d Td (" % (size, x, y) + esc.encode("cp1252") + b") Tj ET")
        stream = b"\n".join(ops)
        if compress:
            data = zlib.compress(stream)
            cid = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        else:
            cid = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_ids.append(cid)
        page_ids.append(add(None))
    pages_id = add(None)
    for pid, cid in zip(page_ids, content_ids):
        objects[pid - 1] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>" % (pages_id, cid, font_helv, font_cour)
        )
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def passport_specimen():
    lines = [
        ("helv", 16, 60, 780, "UTOPIA"),
        ("helv", 14, 60, 755, "PASSPORT / PASSEPORT"),
        ("helv", 10, 60, 720, "Type: P    Code of issuing state: UTO    Passport No.: L898902C3"),
        ("helv", 10, 60, 700, "Surname: ERIKSSON"),
        ("helv", 10, 60, 685, "Given names: ANNA MARIA"),
        ("helv", 10, 60, 670, "Nationality: UTOPIAN"),
        ("helv", 10, 60, 655, "Date of birth: 12 Aug 1974"),
        ("helv", 10, 60, 640, "Sex: F    Place of birth: ZENITH"),
        ("helv", 10, 60, 625, "Date of issue: 16 Apr 2002"),
        ("helv", 10, 60, 610, "Date of expiry: 15 Apr 2012"),
        ("cour", 11, 60, 560, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"),
        ("cour", 11, 60, 545, "L898902C36UTO7408122F1204159ZE184226B<<<<<10"),
    ]
    return pdf([lines])


def blank_scan():
    # A page with drawing operators only: what a scanner produces without OCR.
    out = pdf([[]])
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "events/documents"
    with open(f"{root}/passport-specimen-expired.pdf", "wb") as f:
        f.write(passport_specimen())
    with open(f"{root}/scanned-page-no-text.pdf", "wb") as f:
        f.write(blank_scan())
    # A PDF cut off in the middle of a transfer: the header is right, the rest is gone.
    with open(f"{root}/truncated-upload.pdf", "wb") as f:
        f.write(passport_specimen()[:300])


if __name__ == "__main__":
    main()
