#!/usr/bin/env bash
# Re-create src/paperfeed/static/vendor/ from the npm registry: KaTeX (math in titles and
# abstracts) and htmx (for later), pinned, with only the files the pages load plus licences.
# Everything is served locally: the site must work offline and load nothing from a CDN.
# Also re-creates tests/browser/vendor/axe-core/: the accessibility checker the browser tests
# inject into each page. It is for the tests only and never shipped in the package.
#
#   scripts/vendor_assets.sh            # uses the versions pinned below
set -euo pipefail

KATEX_VERSION="0.19.1"
HTMX_VERSION="2.0.11"   # the stable 2.x line; 4.x changes the attribute API
AXE_VERSION="4.14.1"    # tests only; a new minor release may add rules, so update on purpose

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/paperfeed/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v npm >/dev/null || { echo "vendor_assets: npm is required" >&2; exit 1; }

fetch() {  # fetch <package@version> <dir>: the package tarball, unpacked into <dir>/package
    local spec="$1" dir="$2"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz)
}

fetch "katex@$KATEX_VERSION" "$WORK/katex"
fetch "htmx.org@$HTMX_VERSION" "$WORK/htmx"
fetch "axe-core@$AXE_VERSION" "$WORK/axe"

# Build the new tree beside the old one, then swap: a failed run leaves the old files intact.
NEW="$WORK/vendor"
K="$WORK/katex/package"
H="$WORK/htmx/package"
mkdir -p "$NEW/katex/contrib" "$NEW/katex/fonts" "$NEW/htmx"

install -m 0644 "$K/dist/katex.min.js" "$K/dist/katex.min.css" "$K/LICENSE" "$NEW/katex/"
install -m 0644 "$K/dist/contrib/auto-render.min.js" "$NEW/katex/contrib/"
# woff2 only: every browser that runs KaTeX picks woff2 first; the CSS is left untouched.
install -m 0644 "$K"/dist/fonts/*.woff2 "$NEW/katex/fonts/"
install -m 0644 "$H/dist/htmx.min.js" "$H/LICENSE" "$NEW/htmx/"

cat > "$NEW/README.md" <<README
Third-party assets, copied unmodified from their npm packages by scripts/vendor_assets.sh.
Do not edit by hand; change the pinned versions in the script and run it again.

- katex $KATEX_VERSION (MIT, katex/LICENSE): katex.min.js, katex.min.css,
  contrib/auto-render.min.js, fonts/*.woff2
- htmx.org $HTMX_VERSION (0BSD, htmx/LICENSE): htmx.min.js
README

# axe-core: the browser tests read it from the test tree, so it stays out of the wheel.
AXE_DEST="$ROOT/tests/browser/vendor/axe-core"
AXE_NEW="$WORK/axe-core"
mkdir -p "$AXE_NEW"
install -m 0644 "$WORK/axe/package/axe.min.js" "$WORK/axe/package/LICENSE" "$AXE_NEW/"
cat > "$AXE_NEW/README.md" <<README
axe-core $AXE_VERSION (MPL-2.0, LICENSE), axe.min.js copied unmodified from the npm package
by scripts/vendor_assets.sh. Used only by the browser tests (tests/browser/accessibility.py);
never served by the site. To update: change AXE_VERSION in the script and run it again.
README

rm -rf "$DEST" "$AXE_DEST"
mkdir -p "$(dirname "$DEST")" "$(dirname "$AXE_DEST")"
mv "$NEW" "$DEST"
mv "$AXE_NEW" "$AXE_DEST"
echo "vendored katex $KATEX_VERSION and htmx.org $HTMX_VERSION into ${DEST#"$ROOT"/}"
echo "vendored axe-core $AXE_VERSION into ${AXE_DEST#"$ROOT"/}"
