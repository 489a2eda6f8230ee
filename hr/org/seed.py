"""Demo organisation: a ministry tree (Kementerian → Direktorat Jenderal → Direktorat → Subdirektorat → Seksi),
positions, employees with valid NIPs, users, an HR and a payroll officer per directorate, and the named demo accounts.
Bulk inserts throughout: 50,000 employees load in well under two minutes."""

import datetime as dt
import math

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from intranet.accounts.models import User
from intranet.accounts.roles import Role

from .models import Employee, HRScope, OrgUnit, Position, bare_name_key
from .nip import build_nip

DEMO_PASSWORD = "Serambi-Demo-2026"  # noqa: S105 - published demo credential, printed by the first-run command
MINISTRY_CODE = "KEM"

# (username, role label, roles) — placed in the first section of the first directorate.
DEMO_ACCOUNTS = [
    ("pegawai", "Employee", [Role.EMPLOYEE]),
    ("atasan", "Direct superior (head of section)", [Role.EMPLOYEE]),
    ("pejabat", "Authorised official (director)", [Role.EMPLOYEE]),
    ("sdm", "HR officer", [Role.EMPLOYEE, Role.HR_OFFICER]),
    ("gaji", "Payroll officer", [Role.EMPLOYEE, Role.PAYROLL_OFFICER]),
    ("editor", "Communications editor", [Role.EMPLOYEE, Role.EDITOR]),
    ("moderator", "Moderator", [Role.EMPLOYEE, Role.MODERATOR]),
    ("admin", "Administrator (local break-glass)", [Role.ADMINISTRATOR]),
]

MALE = (
    "Agus Ahmad Andi Arief Bambang Budi Dedi Dimas Eko Fajar Gilang Hadi Hendra Irfan Joko Kurniawan Made Nyoman "
    "Putu Rizky Rudi Sigit Slamet Taufik Teguh Wahyu Yusuf Bayu Galih Ilham".split()
)
FEMALE = (
    "Ani Ayu Dewi Dian Endang Fitri Indah Intan Kartika Lestari Maya Nur Putri Ratna Rina Sari Siti Sri Tri "
    "Wulan Yuni Zahra Nadia Rahma Anisa Citra Larasati Melati Puspita Kirana".split()
)
FAMILY = (
    "Pratama Saputra Wijaya Santoso Hidayat Nugroho Setiawan Kusuma Siregar Nasution Simanjuntak Harahap Lubis "
    "Hutapea Sinaga Panjaitan Wibowo Gunawan Suryadi Hakim Rahmawati Permata Anggraini Utami Handayani Susanti "
    "Maharani Pangestu Purnomo Syahputra Tanjung Manurung Daulay Rangkuti Lestiani".split()
)
FRONT = ["", "", "", "", "", "", "Dr.", "Ir.", "Drs.", "Hj."]
BACK = [
    "S.Kom.",
    "S.E.",
    "S.H.",
    "S.Sos.",
    "S.Psi.",
    "S.T.",
    "S.Kom., M.T.",
    "S.E., M.Si.",
    "S.H., M.H.",
    "S.Sos., M.A.P.",
    "A.Md.",
    "",
    "",
]
DG_NAMES = [
    "Sumber Daya Manusia",
    "Perencanaan",
    "Pelayanan Publik",
    "Tata Kelola",
    "Pengawasan",
    "Kerja Sama",
    "Infrastruktur Digital",
    "Keuangan Negara",
    "Pembinaan Daerah",
    "Riset dan Inovasi",
    "Kebijakan Strategis",
    "Logistik",
]
TOPICS = [
    "Mutasi",
    "Pengembangan Kompetensi",
    "Data dan Informasi",
    "Anggaran",
    "Evaluasi",
    "Hukum",
    "Umum",
    "Kepegawaian",
    "Sistem Informasi",
    "Kerja Sama",
    "Pengaduan",
    "Program",
    "Pelaporan",
    "Pengadaan",
    "Arsip",
]
FUNCTIONAL = [
    ("Analis Kepegawaian Ahli Muda", "HR Analyst (Associate)"),
    ("Pranata Komputer Ahli Pertama", "Computer Officer (Junior)"),
    ("Analis Kebijakan Ahli Muda", "Policy Analyst (Associate)"),
]
EXECUTOR = [("Pengadministrasi Umum", "General Administrator"), ("Pengolah Data", "Data Processor")]
LEVEL_WORD = {
    1: ("Direktorat Jenderal", "Directorate General"),
    2: ("Direktorat", "Directorate"),
    3: ("Subdirektorat", "Subdirectorate"),
    4: ("Seksi", "Section"),
}
ESELON = {0: "I.a", 1: "I.a", 2: "II.a", 3: "III.a", 4: "IV.a"}
GOLONGAN_BY_LEVEL = {0: "IV/e", 1: "IV/d", 2: "IV/c", 3: "IV/a", 4: "III/d"}
STAFF_GOLONGAN = ["II/c", "II/d", "III/a", "III/a", "III/b", "III/b", "III/c", "III/d"]


def seed(ctx) -> None:
    if OrgUnit.objects.filter(code=MINISTRY_CODE).exists():
        ctx.stdout.write("  organisation already seeded; skipping (idempotent)")
        _print_accounts(ctx)
        return
    with transaction.atomic():
        units = _build_units(ctx)
        _build_people(ctx, units)
    _print_accounts(ctx)


def _build_units(ctx) -> list[OrgUnit]:
    """Build the tree as materialised paths directly (treebeard's add_child costs queries per node)."""
    sections_wanted = max(ctx.employees // 25, 4)
    branch = max(2, round(sections_wanted**0.25))
    per_subdir = math.ceil(sections_wanted / branch**3)
    steplen = OrgUnit.steplen
    alphabet = OrgUnit.alphabet

    def key(i):  # treebeard path segment, base-36
        out = ""
        for _ in range(steplen):
            out = alphabet[i % len(alphabet)] + out
            i //= len(alphabet)
        return out

    rows: list[OrgUnit] = []
    root = OrgUnit(
        code=MINISTRY_CODE,
        name_id="Kementerian Contoh",
        name_en="Ministry of Example",
        level=0,
        path=key(1),
        depth=1,
        numchild=branch,
    )
    rows.append(root)
    counts = {0: branch, 1: branch, 2: branch, 3: per_subdir}
    _children_of(root, 1, ctx, rows, counts, key)
    with ctx.progress("org units", len(rows)) as bar:
        OrgUnit.objects.bulk_create(rows, batch_size=1000)
        bar.advance(len(rows))
    ctx.count("org units", len(rows))
    return list(OrgUnit.objects.order_by("path"))


def _children_of(parent, level, ctx, rows, counts, key):
    n = counts[level - 1]
    parent.numchild = n if level <= 4 else 0
    for i in range(1, n + 1):
        word_id, word_en = LEVEL_WORD[level]
        topic = DG_NAMES[(i - 1) % len(DG_NAMES)] if level == 1 else TOPICS[ctx.rng.randrange(len(TOPICS))]
        code = f"DJ{i}" if level == 1 else f"{parent.code}.{i}"
        node = OrgUnit(
            code=code,
            name_id=f"{word_id} {topic}" + ("" if level == 1 else f" {code}"),
            name_en=f"{word_en} of {topic}" + ("" if level == 1 else f" {code}"),
            level=level,
            path=parent.path + key(i),
            depth=parent.depth + 1,
            numchild=0,
        )
        rows.append(node)
        if level < 4:
            _children_of(node, level + 1, ctx, rows, counts, key)


def _build_people(ctx, units: list[OrgUnit]) -> None:
    rng = ctx.rng
    # Positions: a head per unit; functional and executor positions per section (level 4).
    heads = {
        u.pk: Position(
            unit=u,
            name_id=f"Kepala {u.name_id}" if u.level else "Menteri",
            name_en=f"Head of {u.name_en}" if u.level else "Minister",
            kind=Position.Kind.STRUCTURAL,
            eselon=ESELON[u.level],
        )
        for u in units
    }
    Position.objects.bulk_create(heads.values(), batch_size=2000)
    for u in units:
        u.head_position = heads[u.pk]
    OrgUnit.objects.bulk_update(units, ["head_position"], batch_size=2000)
    sections = [u for u in units if u.level == 4] or units[-1:]
    staff_positions = {}
    rows = []
    for u in sections:
        for name_id, name_en in FUNCTIONAL:
            rows.append(Position(unit=u, name_id=name_id, name_en=name_en, kind=Position.Kind.FUNCTIONAL))
        for name_id, name_en in EXECUTOR:
            rows.append(Position(unit=u, name_id=name_id, name_en=name_en, kind=Position.Kind.EXECUTOR))
    Position.objects.bulk_create(rows, batch_size=2000)
    for p in rows:
        staff_positions.setdefault(p.unit_id, []).append(p)

    # Who goes where: one head per unit, the rest spread over sections.
    placements = [(u, heads[u.pk]) for u in units]
    # The first section (where the named demo accounts live) gets six staff; the rest go round the sections.
    staff_total = max(ctx.employees - len(placements), len(sections) + 6)
    for i in range(staff_total):
        u = sections[0] if i < 6 else sections[(i - 6) % len(sections)]
        placements.append((u, rng.choice(staff_positions[u.pk])))

    password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo account
    used_nips: set[str] = set()
    users, employees = [], []
    seq_by_prefix: dict[str, int] = {}
    today = dt.date.today()
    with ctx.progress("employees", len(placements)) as bar:
        for idx, (u, pos) in enumerate(placements):
            gender = "M" if rng.random() < 0.52 else "F"
            first = rng.choice(MALE if gender == "M" else FEMALE)
            last = rng.choice(FAMILY)
            birth = dt.date(rng.randint(1966, 2000), rng.randint(1, 12), rng.randint(1, 28))
            start_year = min(birth.year + rng.randint(22, 32), today.year - 1)
            start = dt.date(start_year, rng.randint(1, 12), 1)
            username = f"{first}.{last}.{idx + 1}".lower()
            is_head = pos.kind == Position.Kind.STRUCTURAL
            pppk = not is_head and rng.random() < 0.08
            prefix = build_nip(birth_date=birth, cpns_start=start, gender=gender, sequence=0, pppk=pppk)[:15]
            seq = seq_by_prefix.get(prefix, 0) + 1
            seq_by_prefix[prefix] = seq
            nip = build_nip(birth_date=birth, cpns_start=start, gender=gender, sequence=seq, pppk=pppk)
            used_nips.add(nip)
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@kemencontoh.go.id",
                    password=password,
                    source=User.Source.LOCAL,
                )
            )
            employees.append(
                Employee(
                    nip=nip,
                    name=f"{first} {last}",
                    sort_name=bare_name_key(f"{first} {last}"),
                    front_title=rng.choice(FRONT) if is_head or rng.random() < 0.3 else "",
                    back_title=rng.choice(BACK),
                    gender=gender,
                    birth_date=birth,
                    employment_type=Employee.EmploymentType.PPPK if pppk else Employee.EmploymentType.PNS,
                    golongan="" if pppk else (GOLONGAN_BY_LEVEL[u.level] if is_head else rng.choice(STAFF_GOLONGAN)),
                    pppk_grade=rng.choice(["VII", "IX", "X"]) if pppk else "",
                    position=pos,
                    unit=u,
                    tmt_cpns=start,
                    work_email=f"{username}@kemencontoh.go.id",
                    work_phone=f"021-{rng.randint(3000000, 3999999)} ext. {rng.randint(100, 999)}",
                    home_address=f"Jl. {rng.choice(FAMILY)} No. {rng.randint(1, 200)}, Jakarta",
                    personal_phone=f"08{rng.randint(1000000000, 9999999999)}",
                )
            )
            if idx % 1000 == 999:
                bar.advance(1000)
        User.objects.bulk_create(users, batch_size=2000)
        for user, emp in zip(users, employees, strict=True):
            emp.user = user
        Employee.objects.bulk_create(employees, batch_size=2000)
        bar.done = len(placements)

    employee_group = Group.objects.get(name=Role.EMPLOYEE.value)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=employee_group.pk) for u in users], batch_size=5000
    )
    ctx.count("employees", len(employees))
    _named_accounts(ctx, units, employees, password)


def _named_accounts(ctx, units, employees, password) -> None:
    """Rename a few generated people into the published demo accounts and give officers their scope."""
    by_unit: dict[int, list[Employee]] = {}
    for e in employees:
        by_unit.setdefault(e.unit_id, []).append(e)
    directorates = [u for u in units if u.level == 2]
    dir1 = directorates[0]
    section = next(u for u in units if u.level == 4 and u.path.startswith(dir1.path))

    def head_of(u):
        return next(e for e in by_unit[u.pk] if e.position_id == u.head_position_id)

    def staff_of(u, n):
        return [e for e in by_unit[u.pk] if e.position_id != u.head_position_id][:n]

    staff = staff_of(section, 5)
    picks = {
        "pegawai": staff[0],
        "atasan": head_of(section),
        "pejabat": head_of(dir1),
        "sdm": staff[1],
        "gaji": staff[2],
        "editor": staff[3],
        "moderator": staff[4],
    }
    groups = {g.name: g for g in Group.objects.all()}
    for username, _label, roles in DEMO_ACCOUNTS:
        if username == "admin":
            user = User.objects.create(
                username="admin",
                first_name="Admin",
                last_name="Sistem",
                email="admin@kemencontoh.go.id",
                password=password,
                is_staff=True,
                is_superuser=True,
                source=User.Source.LOCAL,
            )
        else:
            user = picks[username].user
            user.username = username
            user.save(update_fields=["username"])
        user.groups.add(*[groups[r.value] for r in roles])
    # An HR officer and a payroll officer per directorate (the named ones serve directorate 1).
    scopes = [
        HRScope(user=picks["sdm"].user, unit=dir1, kind=HRScope.Kind.HR),
        HRScope(user=picks["gaji"].user, unit=dir1, kind=HRScope.Kind.PAYROLL),
    ]
    hr_group, pay_group = groups[Role.HR_OFFICER.value], groups[Role.PAYROLL_OFFICER.value]
    Membership = User.groups.through
    memberships = []
    sections_by_dir: dict[int, list[OrgUnit]] = {}
    for u in units:
        if u.level == 4:
            parent_dir = next(d for d in directorates if u.path.startswith(d.path))
            sections_by_dir.setdefault(parent_dir.pk, []).append(u)
    for d in directorates[1:]:
        people = [e for u in sections_by_dir.get(d.pk, []) for e in staff_of(u, 2)][:2]
        if len(people) < 2:
            continue
        scopes += [
            HRScope(user=people[0].user, unit=d, kind=HRScope.Kind.HR),
            HRScope(user=people[1].user, unit=d, kind=HRScope.Kind.PAYROLL),
        ]
        memberships += [
            Membership(user_id=people[0].user_id, group_id=hr_group.pk),
            Membership(user_id=people[1].user_id, group_id=pay_group.pk),
        ]
    HRScope.objects.bulk_create(scopes)
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    ctx.count("HR/payroll scopes", len(scopes))


def _print_accounts(ctx) -> None:
    ctx.stdout.write(ctx.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
    for username, label, _roles in DEMO_ACCOUNTS:
        ctx.stdout.write(f"  {username:<10} {label}")
