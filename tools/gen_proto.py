"""Generate the Python gRPC and protobuf code from proto/ into libs/proto/src.

Run by `make proto` (and so by every install): the generated package is never committed, so
it can never drift from the .proto files.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "libs" / "proto" / "src"


def main() -> int:
    """Regenerate everything; returns protoc's exit code."""
    target = OUT_DIR / "ratsraum"
    if target.exists():
        shutil.rmtree(target)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    well_known = str(resources.files("grpc_tools") / "_proto")
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO_DIR}",
            f"-I{well_known}",
            f"--python_out={OUT_DIR}",
            f"--pyi_out={OUT_DIR}",
            f"--grpc_python_out={OUT_DIR}",
            *files,
        ]
    )
    if code != 0:
        return int(code)
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    print(f"generated {len(files)} proto files into {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
