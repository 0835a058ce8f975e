"""Reading hostile workbooks: each shape of tests/imports/test_hostile_workbooks.py, and the longest list an
import takes, read by the nomination import's reader in a child process, as the tests do.

    python bench/hostile_workbooks.py [SHAPE ...]

Prints for each file its size, the reader's outcome (the refusal's code, or the rows read), wall-clock and
CPU seconds of the read, and the child's peak resident memory (VmHWM), Django included.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(shapes):
    sys.path.insert(0, str(ROOT))
    from tests.imports import test_hostile_workbooks as hostile

    makers = {shape: make for shape, (make, _code, _limit) in hostile.SHAPES.items()}
    makers["longest_list"] = hostile.longest_list
    print(f"{'file':<26} {'size':>8}  {'outcome':<18} {'wall':>7} {'cpu':>7} {'peak':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for shape in shapes or makers:
            path = makers[shape](Path(folder) / f"{shape}.xlsx")
            process = subprocess.run(
                [sys.executable, "-c", textwrap.dedent(hostile.SAFETY + hostile.READ), str(path)],
                cwd=ROOT,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
                capture_output=True,
                text=True,
            )
            if process.returncode:
                print(f"{shape:<26} failed: {process.stderr.strip().splitlines()[-1:]}")
                continue
            outcome = json.loads(process.stdout.strip().splitlines()[-1])
            result = outcome["code"] or f"{outcome['rows']} rows"
            print(
                f"{shape:<26} {path.stat().st_size / 1024 / 1024:6.2f} MB  {result:<18} {outcome['seconds']:6.2f}s "
                f"{outcome['cpu_seconds']:6.2f}s {outcome['peak_mb']:5.0f} MB"
            )
            path.unlink()


if __name__ == "__main__":
    main(sys.argv[1:])
