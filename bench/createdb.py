"""`python -m bench.createdb URL`: create the PostgreSQL database of URL if it is missing."""

import sys
from urllib.parse import urlsplit

import psycopg


def main(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


if __name__ == "__main__":
    main(sys.argv[1])
