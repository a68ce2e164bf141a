#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager v1.20.2 from Debian bookworm's `kubernetes` source package
# (the full upstream tree, vendor/ included; Debian itself builds only kubectl from it), with Debian's Go 1.19.
# See ../shared/REAL-CONTROL-PLANE.md for the figures. Installs etcd (etcd-server) too.
#
# The binaries go to a cache outside the work tree, by default ~/.cache/lab-provisioner/control-plane/v1.20.2/bin
# (LABS_CONTROL_PLANE_DIR overrides it). When both are there with the right version it does nothing.
# Prints the bin directory on its last line. Needs Debian (or a Debian-like system with apt and bookworm's
# sources) and root or sudo for apt-get install; elsewhere it says so and exits 2, and the sandbox falls back to
# its embedded imitation.
#
# It also unpacks Debian's kubectl of the same version (the kubernetes-client package) into the bin directory, without
# installing it: the tests drive the lab with it, and a system kubectl (another package may own /usr/bin/kubectl) stays.
set -euo pipefail

K8S_VERSION=v1.20.2
DEB_VERSION="1.20.5+really1.20.2-1.1+deb12u1"
DIR="${LABS_CONTROL_PLANE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lab-provisioner/control-plane/$K8S_VERSION}"
BIN="$DIR/bin"

say() { echo "build-control-plane: $*" >&2; }

has_version() { # binary -> 0 when it reports $K8S_VERSION
  [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qx "Kubernetes $K8S_VERSION"
}

has_kubectl() {
  [ -x "$BIN/kubectl" ] && "$BIN/kubectl" version --client --short 2>/dev/null | grep -q "$K8S_VERSION"
}

if has_version "$BIN/kube-apiserver" && has_version "$BIN/kube-controller-manager" && has_kubectl \
    && command -v etcd >/dev/null 2>&1; then
  say "kube-apiserver, kube-controller-manager and kubectl $K8S_VERSION already in $BIN"
  echo "$BIN"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || [ ! -r /etc/debian_version ]; then
  say "cannot build here: this needs a Debian-like system with apt-get (Debian bookworm's kubernetes source package)."
  say "Without the control plane the sandbox runs its embedded imitation of Kubernetes."
  exit 2
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    say "cannot build here: apt-get install needs root or sudo."; exit 2; fi
fi
SOURCES=/etc/apt/sources.list.d/debian.sources
if [ ! -r "$SOURCES" ] || ! grep -q bookworm "$SOURCES"; then
  say "cannot build here: $SOURCES does not list Debian bookworm, whose kubernetes source package is the full $K8S_VERSION tree."
  exit 2
fi

say "installing the toolchain and etcd (golang-1.19-go, rsync, make, dpkg-dev, etcd-server)"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq golang-1.19-go rsync make dpkg-dev etcd-server >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq golang-1.19-go rsync make dpkg-dev etcd-server >/dev/null
fi

WORK="$DIR/src"
mkdir -p "$WORK" "$BIN"

if ! has_kubectl; then
  say "unpacking Debian's kubectl $DEB_VERSION (kubernetes-client) into $BIN"
  DEB="$(mktemp -d)"
  (cd "$DEB" && { apt-get download -qq "kubernetes-client=$DEB_VERSION" 2>/dev/null \
    || { $SUDO apt-get update -qq && apt-get download -qq "kubernetes-client=$DEB_VERSION"; }; } \
    && dpkg-deb -x kubernetes-client_*.deb root)
  install -m 0755 "$DEB/root/usr/bin/kubectl" "$BIN/kubectl"
  rm -rf "$DEB"
  has_kubectl || { say "$BIN/kubectl does not report $K8S_VERSION"; exit 1; }
fi

if has_version "$BIN/kube-apiserver" && has_version "$BIN/kube-controller-manager"; then
  say "kube-apiserver and kube-controller-manager $K8S_VERSION already in $BIN"
  echo "$BIN"
  exit 0
fi
TREE="$WORK/kubernetes-1.20.5+really1.20.2"
if [ ! -f "$TREE/.unpacked" ]; then
  # A private sources list of deb-src entries, so the system's apt configuration stays as it is.
  APT="$WORK/apt"
  mkdir -p "$APT/lists/partial"
  sed 's/^Types: deb$/Types: deb-src/' "$SOURCES" > "$APT/debian-src.sources"
  APT_OPTS=(-o APT::Sandbox::User=root -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$APT" -o "Dir::State::Lists=$APT/lists")
  say "downloading the kubernetes $DEB_VERSION source package (34 MB)"
  apt-get "${APT_OPTS[@]}" update -qq
  rm -rf "$TREE"
  (cd "$WORK" && apt-get "${APT_OPTS[@]}" source --download-only -qq "kubernetes=$DEB_VERSION" \
    && dpkg-source -x --no-check kubernetes_*.dsc >/dev/null)
  touch "$TREE/.unpacked"
fi

say "building (about 5 minutes on 2 cores)"
export PATH="/usr/lib/go-1.19/bin:$PATH" CGO_ENABLED=0 HOME="$WORK/home" GOFLAGS=-mod=vendor
export KUBE_GIT_VERSION="$K8S_VERSION" KUBE_GIT_TREE_STATE=clean KUBE_GIT_MAJOR=1 KUBE_GIT_MINOR=20
mkdir -p "$HOME"
(cd "$TREE" && make generated_files >/dev/null && make WHAT=cmd/kube-apiserver >/dev/null \
  && make WHAT=cmd/kube-controller-manager >/dev/null)
install -m 0755 "$TREE/_output/local/bin/linux/amd64/kube-apiserver" "$TREE/_output/local/bin/linux/amd64/kube-controller-manager" "$BIN/"

for b in kube-apiserver kube-controller-manager; do
  has_version "$BIN/$b" || { say "$BIN/$b does not report Kubernetes $K8S_VERSION: $("$BIN/$b" --version 2>&1 | head -1)"; exit 1; }
done
# The source tree and Go's build cache take about 4 GB; only the binaries are kept.
[ -n "${LABS_CONTROL_PLANE_KEEP_SOURCE:-}" ] || rm -rf "$WORK"
say "built kube-apiserver and kube-controller-manager $K8S_VERSION into $BIN"
echo "$BIN"
