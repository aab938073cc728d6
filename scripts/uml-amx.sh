#!/usr/bin/env bash
# The lab kernel for hosts whose CPU has AMX. Debian 12's UML 6.1 (and Debian 13's 6.12) panic there at
# their first process: "ptrace set fp regs failed, errno = 14" (src/lab/boot-failure.ts says why). UML
# 7.2 boots. Debian ships it only in unstable, built against glibc 2.38 or later, so this installs that
# package's kernel and modules with Debian 13's glibc beside it, both pinned by SHA-256:
#   /usr/local/lib/lvsdeck-uml/    linux.uml (its interpreter and library path set to lib/ with patchelf)
#   /usr/local/bin/linux.uml       a link to it, first on PATH
#   /usr/lib/uml/modules/7.2.7/    its modules, where the lab looks for them
# Nothing on a host without AMX, or once installed. Needs root, curl, dpkg-deb and patchelf.
set -euo pipefail

grep -qw amx_tile /proc/cpuinfo 2>/dev/null || exit 0

DEST=/usr/local/lib/lvsdeck-uml
POOL=http://deb.debian.org/debian/pool/main
UML_DEB="$POOL/u/user-mode-linux/user-mode-linux_7.2um1_amd64.deb"
UML_SHA=f947c9244fd79d481299df2ad68961f6b3b7703bff38c4b0e726f861161da62c
LIBC_DEB="$POOL/g/glibc/libc6_2.41-12+deb13u5_amd64.deb"
LIBC_SHA=b59b0625cd1a791375d40dab23a4d5d3d0641e3d0a773501becdc3725b7f99cf
STAMP="$DEST/.installed"
want="$UML_SHA $LIBC_SHA"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ "$(readlink /usr/local/bin/linux.uml 2>/dev/null)" = "$DEST/linux.uml" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup: this CPU has AMX, where Debian 12's UML kernel cannot boot the lab; run setup as root to install UML 7.2 (scripts/uml-amx.sh)" >&2
  exit 0
fi
command -v patchelf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patchelf >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { # URL SHA256 FILE
  curl -fsSL --retry 3 -o "$work/$3" "$1" || { echo "setup: could not download $1 (the lab kernel for AMX hosts); see README, the practice lab" >&2; exit 1; }
  echo "$2  $work/$3" | sha256sum -c --quiet - || { echo "setup: $1 does not have the pinned SHA-256; not installing it" >&2; exit 1; }
}
echo "setup: this CPU has AMX; installing Debian's UML 7.2 kernel for the lab into $DEST" >&2
fetch "$UML_DEB" "$UML_SHA" uml.deb
fetch "$LIBC_DEB" "$LIBC_SHA" libc.deb
dpkg-deb -x "$work/uml.deb" "$work/uml"
dpkg-deb -x "$work/libc.deb" "$work/libc"

rm -rf "$DEST.new" && mkdir -p "$DEST.new/lib"
cp -a "$work/libc/usr/lib/x86_64-linux-gnu/." "$DEST.new/lib/"
cp "$work/uml/usr/bin/linux.uml" "$DEST.new/linux.uml"
patchelf --set-interpreter "$DEST/lib/ld-linux-x86-64.so.2" --set-rpath "$DEST/lib" "$DEST.new/linux.uml"
mkdir -p /usr/lib/uml/modules
for dir in "$work/uml/usr/lib/uml/modules/"*; do
  rm -rf "/usr/lib/uml/modules/$(basename "$dir")"
  cp -a "$dir" /usr/lib/uml/modules/
done
rm -rf "$DEST" && mv "$DEST.new" "$DEST"
ln -sfn "$DEST/linux.uml" /usr/local/bin/linux.uml
echo "$want" > "$STAMP"
