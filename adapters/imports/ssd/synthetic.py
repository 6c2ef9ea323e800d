"""A seeded, realistic SSD extract and the staff list that matches it: what ``oversight synth
--ssd FOLDER`` writes, for trying ``oversight import ssd`` on a council's volumes.

``team``: one team (a manager, six social workers) and about forty children over a year.
``large``: a large authority over five years: about 1,500 professionals (1,250 staff in teams
of eight under service managers, the rest GPs, agency and partner-agency workers the staff list
lacks), 7,000 referrals a year, each with its assessment, about a third reallocated, some on a
child protection plan, fewer looked after with their reviews. The same seed and ``until`` write
the same files. The extract also carries columns the import must never keep (names, dates of
birth, sex, ethnicity), as a real one does.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from oversight.adapters.imports.ssd.tables import COLUMNS


@dataclass(frozen=True)
class Size:
    teams: int
    workers_per_team: int
    outsiders: int
    """Professionals with no staff record (GPs, agency, partner agencies)."""
    referrals_per_year: int
    years: int


SIZES = {"team": Size(teams=1, workers_per_team=6, outsiders=3, referrals_per_year=40, years=1),
         "large": Size(teams=155, workers_per_team=7, outsiders=250, referrals_per_year=7000,
                       years=5)}

EXTRA = {"ssd_professionals": ("prof_professional_name",),
         "ssd_person": ("pers_sex", "pers_ethnicity")}
"""Columns a real extract holds and the import never reads."""


def write_extract(folder: Path, size: str, *, until: date, seed: int = 2026) -> dict[str, int]:
    """Write ``<table>.csv`` for each SSD table and ``staff.csv``: the rows of each."""
    spec, rng = SIZES[size], random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    first = until - timedelta(days=365 * spec.years)
    rows: dict[str, list[list[str]]] = {table: [] for table in COLUMNS}
    staff = [["id", "role", "started", "line_manager", "qualified", "team"]]
    teams: list[tuple[str, list[str]]] = []
    """Each team and its members, its manager first."""
    heads = [f"SM{n:03d}" for n in range(1, spec.teams // 8 + 2)]
    for head in heads:
        staff.append([head, "senior_manager", "2015-04-01", "", "2005-07-01", ""])
    number = 0
    for t in range(1, spec.teams + 1):
        team, members = f"T{t:03d}", list[str]()
        for seat in range(spec.workers_per_team + 1):
            number += 1
            professional, staff_id = f"PR{number:05d}", f"E{number:05d}"
            listed = staff_id if rng.random() < 0.85 else professional  # some lack a staff id
            manager = heads[t % len(heads)] if seat == 0 else members[0]
            started = first - timedelta(days=rng.randint(30, 3000))
            staff.append([listed, "manager" if seat == 0 else "qualified_social_worker",
                          started.isoformat(), manager,
                          (started - timedelta(days=400)).isoformat(), team])
            rows["ssd_professionals"].append([
                professional, staff_id if listed == staff_id else "",
                "Team Manager" if seat == 0 else "Social Worker", team, f"Worker {number:05d}"])
            members.append(listed)
        teams.append((team, members))
        rows["ssd_department"].append([team, "CSC"])
    for n in range(1, spec.outsiders + 1):
        rows["ssd_professionals"].append([f"EXT{n:04d}", "", "General Practitioner", "",
                                          f"Partner {n:04d}"])
    professional_of = {row[1] or row[0]: row[0] for row in rows["ssd_professionals"]}
    for n in range(1, spec.referrals_per_year * spec.years + 1):
        _child(rng, n, first, until, teams, professional_of, rows)
    counts = {}
    for table, data in rows.items():
        _write(folder / f"{table}.csv", (*COLUMNS[table], *EXTRA.get(table, ())), data)
        counts[table] = len(data)
    _write(folder / "staff.csv", tuple(staff[0]), staff[1:])
    counts["staff"] = len(staff) - 1
    return counts


def _child(rng: random.Random, n: int, first: date, until: date,
           teams: list[tuple[str, list[str]]], professional_of: dict[str, str],
           rows: dict[str, list[list[str]]]) -> None:
    child, referral = f"C{n:06d}", f"R{n:06d}"
    referred = _weekday(first + timedelta(days=rng.randint(0, (until - first).days - 1)))
    team, members = rng.choice(teams)
    workers = members[1:]
    unborn = rng.random() < 0.03
    born = referred + timedelta(days=rng.randint(20, 120)) if unborn \
        else referred - timedelta(days=rng.randint(30, 6000))
    rows["ssd_person"].append([child, born.isoformat() if born <= until else "",
                               (born - timedelta(days=3)).isoformat() if unborn else "",
                               rng.choice("FMU"), rng.choice(("WBRI", "ABAN", "MOTH"))])
    closed = referred + timedelta(days=rng.randint(20, 720))
    close = closed if closed < until else None
    rows["ssd_cin_episodes"].append([referral, child, referred.isoformat(), _day(close, rng),
                                     f"RC{rng.randint(1, 9)}" if close else "", "N"])
    started = _weekday(referred + timedelta(days=rng.randint(0, 3)))
    authorised = started + timedelta(days=rng.randint(15, 75))
    worker = rng.choice(workers)
    rows["ssd_cin_assessments"].append([
        f"A{n:06d}", child, referral, started.isoformat(),
        _day(authorised if authorised < until and (close is None or authorised <= close)
             else None, rng), team, professional_of[worker]])
    moves = [referred]
    if rng.random() < 0.35:
        moved = referred + timedelta(days=rng.randint(30, 300))
        if moved < (close or until):
            moves.append(moved)
    for index, day in enumerate(moves):
        end = moves[index + 1] if index + 1 < len(moves) else close
        if index:
            worker = rng.choice([w for w in workers if w != worker] or workers)
        rows["ssd_involvements"].append([
            f"I{n:06d}{index}", child, professional_of[worker], "SW", team, day.isoformat(),
            _day(end, rng), rng.choice(("LEFTRL", "ORGRST", "CHCHAN")) if index else "",
            referral])
    low = authorised + timedelta(days=10)
    if rng.random() < 0.15 and low < (close or until):
        end = low + timedelta(days=rng.randint(90, 400))
        rows["ssd_cp_plans"].append([f"CP{n:06d}", child, referral, low.isoformat(),
                                     _day(end if end < (close or until) else None, rng)])
    if rng.random() < 0.06 and low + timedelta(days=30) < (close or until):
        looked = low + timedelta(days=30)
        ceased = looked + timedelta(days=rng.randint(60, 600))
        rows["ssd_cla_episodes"].append([f"CL{n:06d}", child, looked.isoformat(), "S",
                                         _day(ceased if ceased < (close or until) else None,
                                              rng)])
        for index, after in enumerate((20, 122, 305)):
            due = looked + timedelta(days=after)
            if due < until:
                held = due - timedelta(days=rng.randint(0, 5))
                rows["ssd_cla_reviews"].append([f"CR{n:06d}{index}", f"CL{n:06d}",
                                                due.isoformat(), held.isoformat()])


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _day(day: date | None, rng: random.Random) -> str:
    """A date written as extracts write them: most ISO, some with a time, some UK style."""
    if day is None:
        return ""
    style = rng.random()
    if style < 0.7:
        return day.isoformat()
    if style < 0.9:
        return f"{day.isoformat()} 00:00:00.000"
    return day.strftime("%d/%m/%Y")


def _write(path: Path, header: tuple[str, ...], data: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(data)


__all__ = ["SIZES", "write_extract"]
