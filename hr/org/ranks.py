"""Pangkat (rank names) of the PNS golongan/ruang, as letters and forms write them: "Penata, III/c". The names are
fixed by the civil-service pay regulation (PP 7/1977 and its amendments), not agency data."""

PANGKAT = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}


def pangkat_golongan(employee) -> str:
    """'Penata, III/c' for a PNS or CPNS; 'Golongan IX' for a PPPK (they have a grade, no pangkat); '-' when unknown."""
    if employee.employment_type == "PPPK":
        return f"Golongan {employee.pppk_grade}" if employee.pppk_grade else "-"
    if not employee.golongan:
        return "-"
    name = PANGKAT.get(employee.golongan)
    return f"{name}, {employee.golongan}" if name else employee.golongan
