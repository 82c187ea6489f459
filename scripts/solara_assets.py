"""Fill Solara's asset cache from the npm registry, so the app loads with no CDN.

Solara's front-end (its Vue/Vuetify app, requirejs, fonts, echarts...) is fetched from a
CDN through Solara's asset proxy, which first looks in SOLARA_ASSETS_PROXY_CACHE_DIR for
``NAME@VERSION/PATH``.  This script reads the exact versions that the installed solara
names, ``npm pack``s each once and unpacks it to ``DIR/NAME@VERSION/``.  Idempotent: a
package already unpacked is skipped, so a second run takes well under a second.

Usage: python scripts/solara_assets.py [DIR]   (default: .cache/solara-assets)
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".cache" / "solara-assets"
# `{{cdn}}/NAME@X.Y.Z/...` in templates, `${this.getCdn()}/NAME@VERSION/...` in widgets
CDN_REF = re.compile(r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|fontawesome_path: str = \")"
                     r"/((?:@[a-z0-9._-]+/)?[a-z0-9._-]+)@([0-9]+\.[0-9]+\.[0-9][0-9A-Za-z.+-]*)/")
# echarts.vue: `const version = "5.4.0"` then `${this.getCdn()}/echarts@${version}/...`
ECHARTS_REF = re.compile(r'const version = "([0-9][0-9A-Za-z.+-]*)"')


def wanted_packages() -> list[tuple[str, str]]:
    """(name, version) of every package the installed solara loads through its proxy."""
    import solara

    base = pathlib.Path(solara.__file__).parent
    found = set()
    for path in list(base.glob("server/templates/*")) + list(base.glob("server/settings.py")) \
            + list(base.glob("components/*")) + list(base.glob("widgets/vue/*")):
        if path.is_file():
            found.update(CDN_REF.findall(path.read_text(errors="replace")))
    echarts = ECHARTS_REF.search((base / "components" / "echarts.vue").read_text())
    if echarts:
        found.add(("echarts", echarts.group(1)))
    return sorted(found)


def fetch(name: str, version: str, cache: pathlib.Path) -> bool:
    """Unpack NAME@VERSION into the cache unless it is there; True if it was fetched."""
    target = cache / f"{name}@{version}"
    if target.is_dir():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pack-") as tmp:
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}", "--pack-destination", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        tarball = next(pathlib.Path(tmp).glob("*.tgz"))
        unpacked = pathlib.Path(tmp) / "unpacked"
        with tarfile.open(tarball) as tar:
            tar.extractall(unpacked, filter="data")
        # npm tarballs hold one top folder, usually "package/"
        (top,) = list(unpacked.iterdir())
        top.rename(pathlib.Path(tmp) / "done")
        (pathlib.Path(tmp) / "done").rename(target)
    return True


def main(argv: list[str]) -> int:
    cache = pathlib.Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_DIR
    if shutil.which("npm") is None:
        print("solara_assets: npm is missing; install Node.js (apt-get install -y npm)", file=sys.stderr)
        return 1
    packages = wanted_packages()
    fetched = [f"{n}@{v}" for n, v in packages if fetch(n, v, cache)]
    if fetched:
        print(f"solara assets: fetched {', '.join(fetched)} into {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
