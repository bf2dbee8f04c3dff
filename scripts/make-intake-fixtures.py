#!/usr/bin/env python3
"""Writes the intake fixtures of functions/core/tests/fixtures/intake/.

Plain Python 3 standard library, and deterministic: running it again gives the same bytes, so
the committed fixtures can be checked against it (`--check`). Every file exercises one thing
that intake must read (or refuse) the way a real sender's file would be:

  utf16le-bom.txt          UTF-16 little endian with a BOM (what Windows Notepad writes)
  utf16be-nobom.txt        UTF-16 big endian, no BOM
  cp1252.txt               windows-1252 (euro sign, umlauts), no BOM
  transactions-semicolon.csv  windows-1252, `;` delimiter, decimal commas, quoted fields
  transactions-tab.tsv     UTF-8 with a BOM, tab delimiter
  form-acroform.pdf        a short text layer plus AcroForm values (UTF-16 value, checked and
                           unchecked boxes, a field with kids)
  encrypted-empty-password.pdf  RC4 128-bit, empty user password (opens without asking)
  encrypted-user-password.pdf   RC4 128-bit, user password "secret"
  cid-type0.pdf            Type0 / CIDFontType2 font, Identity-H, two-byte codes, ToUnicode
                           CMap with bfchar and bfrange (Latin, Greek, CJK)
  multipage.pdf            three pages under a nested page tree that inherits resources; text
                           in a form XObject; a label drawn after its value; kerned words
  scan.pdf                 one page that only draws an image: no text layer
  bomb.pdf                 a 40 KB content stream that inflates to 40 MB
"""

import hashlib
import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "functions/core/tests/fixtures/intake"

# --- text files --------------------------------------------------------------------------

KYC_TEXT = (
    "KYC application\r\n"
    "Full name: Zoë Ünal-Müller\r\n"
    "Date of birth: 14 Feb 1986\r\n"
    "Address: Königstraße 12, 70173 Stuttgart\r\n"
    "Source of funds: salary, € 4.250,00 per month\r\n"
)

SEMICOLON_CSV = (
    "Datum;Kunde;Betrag;Art;Verwendungszweck\r\n"
    "02.01.2026;Zoë Ünal;9.800,00;Bargeld;\"Einzahlung; Filiale Mitte\"\r\n"
    "03.01.2026;Zoë Ünal;1.250,50;Überweisung;\"Miete, Januar\"\r\n"
    "04.01.2026;Jürgen Weiß;€ 12,00;Karte;Café\r\n"
    ";;;;\r\n"
)

TAB_TSV = (
    "date\tcustomer\tamount\ttype\tmemo\n"
    "2026-01-02\tAda Example\t9,800.00\tcash\t\"deposit, branch 4\"\n"
    "2026-01-03\tAda Example\t1,250.50\twire\trent\n"
)


def text_files():
    return {
        "utf16le-bom.txt": b"\xff\xfe" + KYC_TEXT.encode("utf-16-le"),
        "utf16be-nobom.txt": KYC_TEXT.encode("utf-16-be"),
        "cp1252.txt": KYC_TEXT.encode("cp1252"),
        "transactions-semicolon.csv": SEMICOLON_CSV.encode("cp1252"),
        "transactions-tab.tsv": b"\xef\xbb\xbf" + TAB_TSV.encode("utf-8"),
    }


# --- a minimal PDF writer ----------------------------------------------------------------


def pdf_string(text):
    """A PDF text string: PDFDocEncoding-compatible ASCII as a literal, else UTF-16BE."""
    if all(32 <= ord(c) < 127 and c not in "()\\" for c in text):
        return ("(" + text + ")").encode("ascii")
    return b"<feff" + text.encode("utf-16-be").hex().encode("ascii") + b">"


class Stream:
    def __init__(self, data, entries=b"", compress=True):
        self.data = zlib.compress(data, 9) if compress else data
        self.entries = entries + (b" /Filter /FlateDecode" if compress else b"")


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


PAD = bytes.fromhex(
    "28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a"
)


class Rc4Security:
    """Standard security handler, revision 3, 128-bit RC4 (ISO 32000-1, 7.6.3)."""

    def __init__(self, user_password, owner_password, file_id):
        self.file_id = file_id
        self.permissions = -3904
        padded_owner = (owner_password.encode("latin-1") + PAD)[:32]
        digest = hashlib.md5(padded_owner).digest()
        for _ in range(50):
            digest = hashlib.md5(digest).digest()
        owner_key = digest[:16]
        padded_user = (user_password.encode("latin-1") + PAD)[:32]
        owner_entry = rc4(owner_key, padded_user)
        for i in range(1, 20):
            owner_entry = rc4(bytes(b ^ i for b in owner_key), owner_entry)
        self.owner_entry = owner_entry
        digest = hashlib.md5(
            padded_user + owner_entry + struct.pack("<i", self.permissions) + file_id
        ).digest()
        for _ in range(50):
            digest = hashlib.md5(digest[:16]).digest()
        self.key = digest[:16]
        user_entry = rc4(self.key, hashlib.md5(PAD + file_id).digest())
        for i in range(1, 20):
            user_entry = rc4(bytes(b ^ i for b in self.key), user_entry)
        self.user_entry = user_entry + bytes(16)

    def object_key(self, number):
        return hashlib.md5(self.key + struct.pack("<I", number)[:3] + b"\x00\x00").digest()[:16]

    def dictionary(self):
        return (
            b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P %d /O <%s> /U <%s> >>"
            % (self.permissions, self.owner_entry.hex().encode(), self.user_entry.hex().encode())
        )


def encrypt_strings(body, key):
    """Encrypts the hex and literal strings of an object written by this script. Literal
    strings here never contain parentheses or backslashes, and dictionaries use `<<`."""
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i : i + 2] in (b"<<", b">>"):
            out += body[i : i + 2]
            i += 2
        elif body[i : i + 1] == b"<":
            end = body.index(b">", i)
            plain = bytes.fromhex(body[i + 1 : end].decode())
            out += b"<" + rc4(key, plain).hex().encode() + b">"
            i = end + 1
        elif body[i : i + 1] == b"(":
            end = body.index(b")", i)
            out += b"<" + rc4(key, body[i + 1 : end]).hex().encode() + b">"
            i = end + 1
        else:
            out += body[i : i + 1]
            i += 1
    return bytes(out)


def write_pdf(objects, security=None, file_id=None):
    """`objects[n - 1]` is object n: bytes (a dictionary or other object) or a Stream.
    Object 1 is the catalog."""
    file_id = file_id or hashlib.md5(repr(len(objects)).encode()).digest()
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        key = security.object_key(number) if security else None
        out += b"%d 0 obj\n" % number
        if isinstance(obj, Stream):
            data = rc4(key, obj.data) if key else obj.data
            entries = encrypt_strings(obj.entries, key) if key else obj.entries
            out += b"<< /Length %d%s >>\nstream\n" % (len(data), entries)
            out += data + b"\nendstream"
        else:
            out += encrypt_strings(obj, key) if key else obj
        out += b"\nendobj\n"
    extra = b""
    if security:
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (len(objects) + 1, security.dictionary())
        extra = b" /Encrypt %d 0 R" % (len(objects) + 1)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>]%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1,
        file_id.hex().encode(),
        file_id.hex().encode(),
        extra,
        xref,
    )
    return bytes(out)


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def text_ops(lines, size=11, x=72, top=760, leading=16):
    ops = [b"BT /F1 %d Tf %d TL %d %d Td" % (size, leading, x, top)]
    for line in lines:
        ops.append(pdf_string_winansi(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf_string_winansi(text):
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def one_page(content, resources=b"<< /Font << /F1 4 0 R >> >>", extra_catalog=b"", annots=b""):
    """Catalog 1, pages 2, page 3, font 4, content 5; further objects follow."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R%s >>" % extra_catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents 5 0 R%s >>"
        % (resources, annots),
        HELVETICA,
        Stream(content),
    ]


# --- the PDFs ----------------------------------------------------------------------------


def form_acroform():
    content = text_ops(
        [
            "Customer onboarding form",
            "Please complete every field in block capitals.",
        ]
    )
    objects = one_page(
        content,
        extra_catalog=b" /AcroForm << /Fields [6 0 R 7 0 R 8 0 R 9 0 R 10 0 R] /NeedAppearances true >>",
        annots=b" /Annots [6 0 R 7 0 R 8 0 R 11 0 R 12 0 R]",
    )
    widget = b"/Type /Annot /Subtype /Widget /P 3 0 R"
    objects += [
        # 6: a text field whose value is not ASCII, labelled by its tooltip.
        b"<< %s /FT /Tx /T (full_name) /TU (Full name) /V %s /Rect [72 600 300 620] >>"
        % (widget, pdf_string("Zoë Ünal-Müller")),
        # 7: a checked box.
        b"<< %s /FT /Btn /T (pep) /TU (Politically exposed person) /V /Yes /AS /Yes /Rect [72 570 84 582] >>"
        % widget,
        # 8: an unchecked box: no value to report.
        b"<< %s /FT /Btn /T (us_person) /TU (US person) /V /Off /AS /Off /Rect [72 550 84 562] >>"
        % widget,
        # 9: an empty text field.
        b"<< /FT /Tx /T (middle_name) /V () >>",
        # 10: a parent field whose kids carry the values, named by their full names.
        b"<< /T (address) /Kids [11 0 R 12 0 R] >>",
        b"<< %s /FT /Tx /Parent 10 0 R /T (city) /V (Stuttgart) /Rect [72 500 300 520] >>" % widget,
        b"<< %s /FT /Tx /Parent 10 0 R /T (postcode) /V (70173) /Rect [72 470 300 490] >>" % widget,
    ]
    return write_pdf(objects)


KYC_LINES = [
    "KYC application",
    "Full name: Ada Example",
    "Date of birth: 01 Jan 1980",
    "Nationality: Utopian",
]


def encrypted(user_password):
    file_id = hashlib.md5(b"intake-fixture-" + user_password.encode()).digest()
    security = Rc4Security(user_password, "owner-password", file_id)
    objects = one_page(text_ops(KYC_LINES))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /Lang (en-GB) >>"
    return write_pdf(objects, security, file_id)


CID_TEXT = [
    "Kontoinhaber: Zoë Ünal-Müller",
    "Ζωή Παπαδοπούλου",
    "株式会社 東京銀行",
    "IBAN DE89370400440532013000",
]


def cid_type0():
    # Two-byte codes: letters get CIDs from 1 up in order of appearance; the digits get
    # 0x0100-0x0109 so that the CMap can map them with one bfrange.
    cids = {}
    for line in CID_TEXT:
        for ch in line:
            if ch.isdigit() or ch in cids:
                continue
            cids[ch] = len(cids) + 1
    for d in range(10):
        cids[str(d)] = 0x100 + d

    def encode(line):
        return b"".join(struct.pack(">H", cids[ch]) for ch in line)

    ops = [b"BT /F1 14 Tf 18 TL 72 720 Td"]
    for line in CID_TEXT:
        ops.append(b"<" + encode(line).hex().encode() + b"> Tj T*")
    ops.append(b"ET")
    letters = sorted((cid, ch) for ch, cid in cids.items() if not ch.isdigit())
    bfchar = b"\n".join(
        b"<%04x> <%s>" % (cid, ch.encode("utf-16-be").hex().encode()) for cid, ch in letters
    )
    cmap = b"\n".join(
        [
            b"/CIDInit /ProcSet findresource begin",
            b"12 dict begin",
            b"begincmap",
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            b"/CMapName /Adobe-Identity-UCS def",
            b"/CMapType 2 def",
            b"1 begincodespacerange",
            b"<0000> <FFFF>",
            b"endcodespacerange",
            b"%d beginbfchar" % len(letters),
            bfchar,
            b"endbfchar",
            b"1 beginbfrange",
            b"<0100> <0109> <0030>",
            b"endbfrange",
            b"endcmap",
            b"CMapName currentdict /CMap defineresource pop",
            b"end",
            b"end",
        ]
    )
    # Widths: CJK full width, the rest 600; one `c [w ...]` run and one `c1 c2 w` range.
    run = b" ".join(
        b"1000" if ord(ch) > 0x2E80 else b"600" for _, ch in letters
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NotoSansCJK-Regular /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        Stream(b"\n".join(ops)),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSansCJK-Regular "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 8 0 R /DW 1000 /W [1 [%s] 256 265 556] /CIDToGIDMap /Identity >>" % run,
        Stream(cmap),
        b"<< /Type /FontDescriptor /FontName /NotoSansCJK-Regular /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    return write_pdf(objects)


def multipage():
    page1 = text_ops(["Statement of account", "Page 1 of 3", "Opening balance 1,000.00"])
    # Page 2: its text is inside a form XObject drawn twice, once moved down.
    page2 = b"q 1 0 0 1 0 0 cm /Fm1 Do Q q 1 0 0 1 0 -200 cm /Fm1 Do Q\n" + text_ops(["Page 2 of 3"], top=300)
    form = Stream(
        text_ops(["Transfer to Example Ltd 250.00"], top=700),
        b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 8 0 R >> >>",
    )
    # Page 3: the value is drawn before its label, on one baseline; the name is kerned.
    page3 = b"\n".join(
        [
            b"BT /F1 11 Tf 300 700 Td (31 March 2026) Tj ET",
            b"BT /F1 11 Tf 72 700 Td (Closing date:) Tj ET",
            b"BT /F1 11 Tf 72 680 Td [(Closing) -250 (bal) 20 (ance) -300 (750.00)] TJ ET",
            b"BT /F1 11 Tf 72 660 Td (Page 3 of 3) Tj ET",
        ]
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        # The root's resources are inherited by every page below it.
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 3 /Resources << /Font << /F1 8 0 R >> >> /MediaBox [0 0 612 792] >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [9 0 R 10 0 R] /Count 2 >>",
        Stream(page1),
        Stream(page2),
        Stream(page3),
        HELVETICA,
        b"<< /Type /Page /Parent 4 0 R /Contents 6 0 R /Resources << /Font << /F1 8 0 R >> /XObject << /Fm1 11 0 R >> >> >>",
        b"<< /Type /Page /Parent 4 0 R /Contents 7 0 R >>",
        form,
    ]
    return write_pdf(objects)


def scan():
    width = height = 8
    pixels = bytes((x * 31 + y * 17) % 256 for y in range(height) for x in range(width))
    image = Stream(
        pixels,
        b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
        % (width, height),
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        image,
        Stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
    ]
    return write_pdf(objects)


def bomb():
    return write_pdf(one_page(b" " * (40 * 1024 * 1024)))


def all_fixtures():
    files = text_files()
    files.update(
        {
            "form-acroform.pdf": form_acroform(),
            "encrypted-empty-password.pdf": encrypted(""),
            "encrypted-user-password.pdf": encrypted("secret"),
            "cid-type0.pdf": cid_type0(),
            "multipage.pdf": multipage(),
            "scan.pdf": scan(),
            "bomb.pdf": bomb(),
        }
    )
    return files


def main():
    check = "--check" in sys.argv[1:]
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for name, data in sorted(all_fixtures().items()):
        path = OUT / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
            print(f"{path.relative_to(OUT.parent.parent.parent.parent.parent)}: {len(data)} bytes")
    if stale:
        sys.exit("fixtures differ from the script: " + ", ".join(stale))


if __name__ == "__main__":
    main()
