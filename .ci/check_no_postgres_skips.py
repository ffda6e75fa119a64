"""Fail CI when a PostgreSQL-backed test was skipped (they must run wherever CI runs)."""

import sys
import xml.etree.ElementTree as ET


def main(path: str) -> int:
    """Read a JUnit XML report and list skipped tests that mention PostgreSQL."""
    root = ET.parse(path).getroot()  # noqa: S314
    skipped_postgres = []
    ran_postgres = 0
    for case in root.iter("testcase"):
        skipped = case.find("skipped")
        name = f"{case.get('classname')}::{case.get('name')}"
        text = "" if skipped is None else f"{skipped.get('message', '')} {skipped.text or ''}"
        if skipped is not None and "postgres" in text.lower():
            skipped_postgres.append(f"{name}: {text.strip()}")
        elif skipped is None and "postgres" in name.lower():
            ran_postgres += 1
    if skipped_postgres:
        print("PostgreSQL-backed tests were skipped in CI:")
        for line in skipped_postgres:
            print(f"  {line}")
        return 1
    print(f"PostgreSQL-backed tests ran: {ran_postgres}, none skipped")
    return 0 if ran_postgres else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
