"""Hostile zip containers, generated on the fly (nothing big is kept in the repository or in memory while writing).

Each builder returns the bytes of a small file that unpacks to something large or malformed:
- `xlsx_shared_strings_bomb`: a payroll workbook whose one shared string is `inflated` bytes of one letter (the
  reported 262 KB → 256 MB file);
- `xlsx_many_strings_bomb`: millions of tiny shared strings (each a Python object once parsed);
- `xlsx_sheet_bomb`: a worksheet of empty rows;
- `xlsx_lying_sizes`: a bomb whose zip headers declare a tiny size;
- `xlsx_many_members`: thousands of parts;
- `xlsx_forged_dimension`: a sheet claiming A1:XFD1048576 with a cell in column XFD (pads every row to 16,384 cells);
- `xlsx_long_cell`: an incompressible cell of `chars` characters (passes the archive checks, not the cell limit);
- `docx_bomb`: a Word document whose body unpacks to `inflated` bytes.
"""

import io
import random
import string
import struct
import zipfile

from openpyxl.utils import get_column_letter

from hr.payslips.demo import CODES

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
    '<sheets><sheet name="payroll" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADER = ("period", "nip", "name", *CODES, "net")
MiB = 1024 * 1024


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def payroll_sheet(name_cell: str, *, dimension: str = "A1:D2", extra: str = "") -> str:
    """The import's header (period, nip, name, every component, net) and one data row whose name cell is `name_cell`
    (raw cell XML, in column C); amounts are zero."""
    header = "".join(_inline(f"{get_column_letter(i)}1", h) for i, h in enumerate(HEADER, start=1))
    amounts = "".join(f'<c r="{get_column_letter(i)}2"><v>0</v></c>' for i in range(4, len(HEADER) + 1))
    data = _inline("A2", "2026-01") + _inline("B2", "199001152015031001") + name_cell + amounts
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="{dimension}"/>'
        f'<sheetData><row r="1">{header}</row><row r="2">{data}</row>{extra}</sheetData></worksheet>'
    )


SHARED_NAME = '<c r="C2" t="s"><v>0</v></c>'


def _write_stream(zf: zipfile.ZipFile, name: str, head: bytes, filler: bytes, size: int, tail: bytes) -> None:
    """Write head + filler repeated up to `size` bytes (whole fillers only, so the XML stays well-formed) + tail as one
    deflated member, in chunks."""
    size -= size % len(filler)
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w") as out:
        out.write(head)
        block = filler * max(1, (1 * MiB) // len(filler))
        left = size
        while left > 0:
            piece = block[:left]
            out.write(piece)
            left -= len(piece)
        out.write(tail)


def _workbook(parts: dict[str, str | bytes], streamed: tuple | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        if streamed:
            _write_stream(zf, *streamed)
    return buf.getvalue()


def _base(sheet: str | None = None, shared: str | None = None) -> dict[str, str]:
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
    }
    if sheet is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def xlsx_shared_strings_bomb(inflated: int = 256 * MiB) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'.encode()
    return _workbook(
        _base(sheet=payroll_sheet(SHARED_NAME)),
        ("xl/sharedStrings.xml", head, b"A", inflated, b"</t></si></sst>"),
    )


def xlsx_many_strings_bomb(inflated: int = 64 * MiB) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode()
    return _workbook(
        _base(sheet=payroll_sheet(SHARED_NAME)),
        ("xl/sharedStrings.xml", head, b"<si><t>x</t></si>", inflated, b"</sst>"),
    )


def xlsx_sheet_bomb(inflated: int = 160 * MiB) -> bytes:
    sheet = payroll_sheet(_inline("C2", "Siti"))
    head, tail = sheet.split("</sheetData>")
    return _workbook(
        _base(shared=f'<sst xmlns="{NS}"/>'),
        ("xl/worksheets/sheet1.xml", head.encode(), b"<row/>", inflated, ("</sheetData>" + tail).encode()),
    )


def xlsx_lying_sizes(inflated: int = 256 * MiB, declared: int = 1000) -> bytes:
    """The shared-strings bomb with both zip headers claiming the part inflates to `declared` bytes."""
    data = bytearray(xlsx_shared_strings_bomb(inflated))
    name = b"xl/sharedStrings.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(name.decode())
    # Local header: uncompressed size at +22; central directory entry: at +24, name length at +28, name at +46.
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        n_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + n_len]) == name:
            struct.pack_into("<I", data, central + 24, declared)
            return bytes(data)
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError("central directory entry not found")


def xlsx_many_members(count: int = 20_000) -> bytes:
    parts = _base(sheet=payroll_sheet(_inline("C2", "Siti")), shared=f'<sst xmlns="{NS}"/>')
    parts.update({f"xl/media/junk{i}.bin": b"" for i in range(count)})
    return _workbook(parts)


def xlsx_forged_dimension(rows: int = 100_000) -> bytes:
    """Data rows each with one cell far to the right, under a dimension claiming the whole sheet."""
    extra = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(3, rows + 3))
    return _workbook(
        _base(sheet=payroll_sheet(_inline("C2", "Siti"), dimension="A1:XFD1048576", extra=extra),
              shared=f'<sst xmlns="{NS}"/>')
    )


def xlsx_long_cell(chars: int = 2 * MiB, seed: int = 25) -> bytes:
    rng = random.Random(seed)
    text = "".join(rng.choices(string.ascii_letters, k=chars))
    return _workbook(_base(sheet=payroll_sheet(_inline("C2", text)), shared=f'<sst xmlns="{NS}"/>'))


DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


def docx_bomb(inflated: int = 256 * MiB) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>'.encode()
    return _workbook(
        {"[Content_Types].xml": DOCX_TYPES},
        ("word/document.xml", head, b"A", inflated, b"</w:t></w:r></w:p></w:body></w:document>"),
    )
