"""Creates the PostgreSQL database that DATABASE_URL names if it does not exist yet (run by deploy/serve.sh).

    python deploy/create_database.py            # create if missing
    python deploy/create_database.py --fresh    # drop it first (bench/load.sh's scratch database)

Connects to the server's `postgres` database as the same user; a SQLite URL needs nothing and is left alone.
"""

import argparse
import os
import sys

import dj_database_url
import psycopg2
from psycopg2 import sql


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    fresh = parser.parse_args().fresh
    database = dj_database_url.parse(os.environ["DATABASE_URL"])
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    connection = psycopg2.connect(
        dbname="postgres",
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
    )
    connection.autocommit = True  # CREATE and DROP DATABASE cannot run inside a transaction
    name = sql.Identifier(database["NAME"])
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
            print(f"created database {database['NAME']}", file=sys.stderr)
    connection.close()


if __name__ == "__main__":
    main()
