#!/usr/bin/env python3
"""Writes a generated federation for benches/federation.sh: MEMBERS member sites of
ROWS ledger rows each (services over 26 weeks, and transfers to three other members,
booked as received by them) and a federation site listing them as folder sources.

usage: federation_sites.py DIR MEMBERS ROWS
"""
import datetime
import os
import random
import sys

out, members, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(21)
kinds = [("food", "kg", "3.80"), ("energy", "kWh", "0.31"), ("care", "h", "24.00")]
start = datetime.date(2026, 5, 25)
names = [f"m{i:03d}" for i in range(members)]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


received = {n: [] for n in names}
for i, name in enumerate(names):
    category, unit, rate = kinds[i % 3]
    site = f"{out}/{name}"
    write(f"{site}/tally.toml", f'title = "Member {name}"\nbase_url = "https://{name}.example/"\ncurrency = "EUR"\n')
    write(f"{site}/data/rates.csv", "unit,category,rate,currency,valid_from,source\n"
          + "".join(f"{u},{c},{r},EUR,2026-01-01,bench\n" for c, u, r in kinds))
    write(f"{site}/data/city-budget.csv", f"year,category,amount,currency,line,source\n2026,{category},50000,EUR,line,bench\n")
    lines = ["date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo"]
    for r in range(rows - 6):
        day = start + datetime.timedelta(days=r * 182 // rows)
        lines.append(f"{day},{category}-cell,{category},service,{random.randint(1, 40) / 4},{unit},{name}-{r:06d},,,")
    for k, step in enumerate([1, 7, 31]):
        to = names[(i + step) % members]
        day = start + datetime.timedelta(days=10 + 50 * k)
        q = random.randint(10, 200)
        lines.append(f"{day},{category}-cell,{category},transfer,{q},{unit},,{to}:{category}-cell,,")
        # every 50th flow is booked short by its receiver: the reconciliation has work to do
        booked = q - 1 if (i * 3 + k) % 50 == 0 else q
        received[to].append(f"{day},{name}:{category}-cell,{category},transfer,{booked},{unit},,{category}-cell,,")
    write(f"{site}/data/ledger/ledger.csv", "\n".join(lines) + "\n")
    write(f"{site}/content/minutes/2026-06-01-assembly.md",
          '+++\ntitle = "Assembly"\ndate = 2026-06-01\nassembly = "all"\nattendance = 12\n'
          '[[decisions]]\ntext = "Join the federation"\noutcome = "passed"\n+++\nWe met.\n')
for name in names:
    with open(f"{out}/{name}/data/ledger/ledger.csv", "a") as f:
        f.write("\n".join(received[name]) + "\n")
toml = 'title = "Bench federation"\nbase_url = "https://federation.example/"\ncurrency = "EUR"\n'
for name in names:
    toml += f'\n[[federation.members]]\nname = "{name}"\ntitle = "Member {name}"\nsource = "../{name}/public"\n'
write(f"{out}/federation/tally.toml", toml)
write(f"{out}/federation/content/pages/about.md", '+++\ntitle = "About"\n+++\nA generated federation.\n')
