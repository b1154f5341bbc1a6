#!/usr/bin/env bash
# Gradescope's setup.sh for a vmlab autograder (`make gradescope LAB=name` makes
# the zip).  Gradescope runs it once, as root, in /autograder/source, on the
# image chosen in the assignment's settings: pick Ubuntu 24.04 (22.04's QEMU,
# 6.2, is too old for the riscv64 port).
#
# It installs what both ports and the graders need (tools/doctor.sh knows the
# package list) and builds the handout once, so that grading a submission
# rebuilds only what the submission changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# At the top of the autograder zip, or in the repo's grade/gradescope/.
if [ -x "$here/tools/doctor.sh" ]; then root=$here; else root=$(cd "$here/../.." && pwd); fi
cd "$root"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q make git
for arch in riscv64 x86_64; do
	tools/doctor.sh -v --install --test "$arch"
done
for arch in riscv64 x86_64; do
	make -s --no-print-directory ARCH="$arch" build
done
