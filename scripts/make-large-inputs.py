#!/usr/bin/env python3
"""Writes the worst-case inputs of the benchmarks into DIR: large.txt (19.9 MB of text with
personal data and a card number on every line), large.csv (99,000 cash rows of 500 customers)
and large.json (a 19.9 MB export of 250,000 transfers, each to a different customer)."""
import json
import sys

w = sys.argv[1]
line = "Name: Daniel Moreno  Date of birth: 12 Oct 1972  Address: 14 Front Street  card 4111 1111 1111 1111\n"
open(f"{w}/large.txt", "w").write(line * (19_900_000 // len(line)))
rows = ["date,customer,amount,currency,type"] + [
    f"2026-10-{1 + i % 28:02d},Customer {i % 500},{(i * 37) % 12000}.00,USD,cash" for i in range(99_000)
]
open(f"{w}/large.csv", "w").write("\n".join(rows) + "\n")
json.dump(
    {"transactions": [{"date": "2026-10-01", "customer": f"C {i}", "amount": i % 9999, "type": "wire"}
                      for i in range(250_000)]},
    open(f"{w}/large.json", "w"),
)
