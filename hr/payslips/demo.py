"""Plausible payroll results for demo data, tests and benchmarks (not payroll computation: Serambi never computes
pay). Deterministic for a given random.Random."""

import csv
import io
import random

BASE_BY_GROUP = {"I": 1_685_700, "II": 2_184_000, "III": 2_785_700, "IV": 3_287_800}
RUANG_STEP = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
STRUCTURAL_ALLOWANCE = {
    "I.a": 5_500_000,
    "I.b": 4_375_000,
    "II.a": 3_250_000,
    "II.b": 2_025_000,
    "III.a": 1_260_000,
    "III.b": 980_000,
    "IV.a": 540_000,
    "IV.b": 490_000,
}
GENERAL_ALLOWANCE = {"I": 175_000, "II": 180_000, "III": 185_000, "IV": 190_000}
RICE_PER_PERSON = 72_420  # 10 kg × Rp7,242
CODES = [
    "gaji_pokok",
    "tunj_suami_istri",
    "tunj_anak",
    "tunj_jabatan",
    "tunj_umum",
    "tunj_beras",
    "tunj_kinerja",
    "pot_iwp",
    "pot_bpjs",
    "pot_pph21",
    "pot_lain",
]
EARNINGS = CODES[:7]


def amounts(rng: random.Random, *, golongan: str = "III/a", eselon: str = "", functional: bool = False) -> dict:
    """{code: int rupiah} for one employee-month; net = earnings - deductions holds by construction."""
    group, _sep, ruang = (golongan or "III/a").partition("/")
    group = group if group in BASE_BY_GROUP else "III"
    gp = BASE_BY_GROUP[group] + RUANG_STEP.get(ruang, 0) * 95_000 + rng.randrange(0, 20) * 52_300
    married = rng.random() < 0.75
    children = rng.choice((0, 1, 2, 2, 3)) if married else 0
    spouse = gp // 10 if married else 0
    child = gp * 2 // 100 * min(children, 2)
    if eselon:
        position = STRUCTURAL_ALLOWANCE.get(eselon, 540_000)
    elif functional:
        position = rng.choice((540_000, 720_000, 1_100_000))
    else:
        position = 0
    general = 0 if position else GENERAL_ALLOWANCE[group]
    rice = RICE_PER_PERSON * (1 + int(married) + min(children, 2))
    performance = rng.randrange(20, 180) * 50_000
    family = gp + spouse + child
    iwp = family // 10
    bpjs = (family + position + general) // 100
    pph = performance * 5 // 100
    other = rng.choice((0, 0, 0, 25_000, 50_000))
    return {
        "gaji_pokok": gp,
        "tunj_suami_istri": spouse,
        "tunj_anak": child,
        "tunj_jabatan": position,
        "tunj_umum": general,
        "tunj_beras": rice,
        "tunj_kinerja": performance,
        "pot_iwp": iwp,
        "pot_bpjs": bpjs,
        "pot_pph21": pph,
        "pot_lain": other,
    }


def net_of(values: dict) -> int:
    return sum(v for c, v in values.items() if c in EARNINGS) - sum(v for c, v in values.items() if c not in EARNINGS)


def _extra_columns(rows: list[dict]) -> list[str]:
    """Columns beyond the fixed ones (the optional NPWP, bank, account, family status), in first-seen order."""
    known = {"period", "nip", "name", "net", *CODES}
    return list(dict.fromkeys(k for row in rows for k in row if k not in known))


def _cells(row: dict, extra: list[str]) -> list:
    values = [row.get(code, 0) for code in CODES]
    net = row["net"] if "net" in row else net_of({c: row.get(c, 0) for c in CODES})
    return [row["period"], row["nip"], row["name"], *values, net, *(row.get(k, "") for k in extra)]


def csv_bytes(rows: list[dict], *, bom: bool = False, delimiter: str = ",") -> bytes:
    """rows: dicts with period, nip, name and component codes (net computed if absent)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    extra = _extra_columns(rows)
    writer.writerow(["period", "nip", "name", *CODES, "net", *extra])
    for row in rows:
        writer.writerow(_cells(row, extra))
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("payroll")
    extra = _extra_columns(rows)
    ws.append(["period", "nip", "name", *CODES, "net", *extra])
    for row in rows:
        ws.append(_cells(row, extra))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


BANKS = ("BRI", "Bank Mandiri", "BNI", "BTN", "Bank Syariah Indonesia")


def particulars(nip: str) -> dict:
    """NPWP, bank, account and family status for a demo payslip, derived from the NIP (no random draw, so the amounts
    drawn for the demo stay as they were)."""
    digits = int(nip)
    return {
        "npwp": f"{digits % 10**15:015d}",
        "bank": BANKS[digits % len(BANKS)],
        "rekening": f"{digits % 10**10:010d}",
        "status_keluarga": ("TK/0", "K/0", "K/1", "K/2", "K/3")[digits // 7 % 5],
    }
