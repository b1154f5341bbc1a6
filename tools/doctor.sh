#!/usr/bin/env bash
# doctor.sh [--install] [--test] [-q|-v] ARCH
#
# Checks that this machine can build, boot and debug the ARCH port of vmlab:
# the cross compiler and binutils, QEMU (new enough), gdb-multiarch, graphviz's dot
# (the GDB commands' pictures), the host gcc that builds mkfs, and make; with --test
# also qemu-img and /usr/bin/python3 with pytest and pytest-xdist for the graders.
# Each problem is one line that says what is wrong and which Debian package fixes it.
#
#   --install  apt-get install the missing packages (as root, or through sudo -n),
#              then check again.  Every `make qemu` / `make test` runs this first.
#   --test     also check what the graders need.
#   -v         print one OK line per item (the default without --install,
#              which is what `make doctor` runs); -q prints only problems.
#
# Exit status 0 when everything is there, 1 otherwise, so that a missing or too
# old tool stops the build with a message here instead of a hang in QEMU later.
# It runs before every `make qemu`, so the all-present path forks little.

install=0 test=0 verbose= arch=
for a in "$@"; do
	case $a in
	--install) install=1 ;;
	--test) test=1 ;;
	-v|--verbose) verbose=1 ;;
	-q|--quiet) verbose=0 ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "doctor: unknown option $a (try --help)" >&2; exit 2 ;;
	*) arch=$a ;;
	esac
done
[ -n "$verbose" ] || verbose=$((1 - install))
case $arch in
riscv64|x86_64) ;;
"") echo "usage: tools/doctor.sh [--install] [--test] [-q|-v] riscv64|x86_64" >&2; exit 2 ;;
*) echo "doctor: ARCH=$arch is not a port; choose one of: riscv64 x86_64" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)

# The oldest QEMU each port boots on; the arch.mk (QEMU_MIN_VERSION) has the last word.
case $arch in
riscv64) qemu=qemu-system-riscv64 qemu_pkg=qemu-system-misc min=7.2
	 why="-bios none and the sstc timer" ;;
x86_64)  qemu=qemu-system-x86_64 qemu_pkg=qemu-system-x86 min=6.2
	 why="the machine the x86_64 port boots on" ;;
esac
if [ -r "$root/kernel/arch/$arch/arch.mk" ]; then
	v=$(sed -n 's/^QEMU_MIN_VERSION[ :?]*=[ \t]*\([0-9.]*\).*/\1/p' "$root/kernel/arch/$arch/arch.mk")
	[ -n "$v" ] && min=$v
fi

# check_all fills $problems ("what is wrong|package" lines), $missing (packages)
# and $oks (the OK lines).
check_all() {
	problems= missing= oks=
	ok() { oks+="doctor: ok: $*"$'\n'; }
	bad() { problems+="$1|$2"$'\n'; case " $missing " in *" $2 "*) ;; *) missing+=" $2" ;; esac; }

	# The compiler for the kernel and user programs, found as the arch.mk finds it.
	local p= cc=
	case $arch in
	riscv64)
		if [ -n "$TOOLPREFIX" ]; then p=$TOOLPREFIX; else
			for q in riscv64-unknown-elf- riscv64-linux-gnu- riscv64-elf- riscv64-unknown-linux-gnu-; do
				if command -v "${q}gcc" >/dev/null; then p=$q; break; fi
			done
		fi
		if [ -n "$p" ] && command -v "${p}gcc" >/dev/null; then cc=${p}gcc; fi
		if [ -z "$cc" ]; then
			bad "no RISC-V cross compiler (${p:-riscv64-unknown-elf-}gcc not found)" gcc-riscv64-unknown-elf
		else
			ok "compiler $(command -v "$cc")"
			for t in ld objcopy objdump; do
				command -v "$p$t" >/dev/null ||
					bad "$cc is there but ${p}$t is not" binutils-riscv64-unknown-elf
			done
		fi ;;
	x86_64)
		if [ -n "$TOOLPREFIX" ]; then p=$TOOLPREFIX
		elif [ "$(uname -m)" != x86_64 ]; then p=x86_64-linux-gnu-; fi
		if command -v "${p}gcc" >/dev/null; then
			ok "compiler $(command -v "${p}gcc")"
			command -v "${p}ld" >/dev/null ||
				bad "${p}gcc is there but ${p}ld is not" "binutils${p:+-x86-64-linux-gnu}"
		elif [ -n "$p" ]; then
			bad "no x86-64 cross compiler (${p}gcc not found)" gcc-x86-64-linux-gnu
		else
			bad "no gcc for the x86_64 kernel" gcc
		fi ;;
	esac

	# QEMU, and new enough: an old one fails in ways that look like a kernel hang.
	if ! command -v $qemu >/dev/null; then
		bad "$qemu not found" $qemu_pkg
	else
		local line ver=
		line=$($qemu --version 2>/dev/null)
		line=${line%%$'\n'*}
		[[ $line =~ version\ ([0-9]+\.[0-9]+(\.[0-9]+)?) ]] && ver=${BASH_REMATCH[1]}
		if [ -z "$ver" ]; then
			bad "$qemu does not run or says no version ('$line')" $qemu_pkg
		elif ! version_ge "$ver" "$min"; then
			bad "$qemu is version $ver, need >= $min (for $why; Debian 12 or newer has it)" $qemu_pkg
		else
			ok "$qemu $ver (>= $min)"
		fi
	fi

	if command -v gdb-multiarch >/dev/null; then ok "gdb-multiarch"
	else bad "gdb-multiarch not found (make qemu-gdb, the GDB grader)" gdb-multiarch; fi
	if command -v dot >/dev/null; then ok "dot (graphviz)"
	else bad "dot not found (GDB's vmtree/vmmap/vmobj --dot FILE.svg, make figures)" graphviz; fi

	if ! command -v gcc >/dev/null; then bad "no host gcc (needed to build mkfs)" gcc
	elif [ ! -e /usr/include/stdio.h ]; then bad "host gcc has no C library headers (mkfs)" libc6-dev
	else ok "host gcc (for mkfs)"; fi
	if command -v make >/dev/null; then ok "make"
	else bad "make not found" make; fi

	if [ $test = 1 ]; then
		# make grade RECORD=1 and its test: the disks' qcow2 overlays.
		if command -v qemu-img >/dev/null; then ok "qemu-img"
		else bad "qemu-img not found (make grade RECORD=1)" qemu-utils; fi
		if [ ! -x /usr/bin/python3 ]; then
			bad "/usr/bin/python3 not found (the graders)" python3
		else
			# find_spec only looks, without importing: ~20 ms instead of ~120.
			local r
			r=$(/usr/bin/python3 -c 'import importlib.util as u
print(*(m for m in ("pytest", "xdist") if u.find_spec(m) is None))' 2>&1)
			case " $r " in *" pytest "*) bad "/usr/bin/python3 has no pytest" python3-pytest ;; esac
			case " $r " in *" xdist "*) bad "/usr/bin/python3 has no pytest-xdist" python3-pytest-xdist ;; esac
			[ -n "$r" ] || ok "/usr/bin/python3 with pytest and xdist"
			# The reference tree's own tests read GitHub Classroom's workflow.
			if [ -e "$(dirname "$0")/classroom.py" ]; then
				if /usr/bin/python3 -c 'import yaml' 2>/dev/null; then ok "/usr/bin/python3 with yaml"
				else bad "/usr/bin/python3 has no yaml (tools/classroom.py)" python3-yaml; fi
			fi
		fi
	fi
}

# version_ge A B: is dotted version A >= B?
version_ge() {
	local IFS=. i
	local -a a=($1) b=($2)
	for i in 0 1 2; do
		[ "${a[i]:-0}" -gt "${b[i]:-0}" ] && return 0
		[ "${a[i]:-0}" -lt "${b[i]:-0}" ] && return 1
	done
	return 0
}

report() {
	local line
	while IFS= read -r line; do
		[ -n "$line" ] && echo "doctor: ${line%|*} -- install Debian package ${line##*|}" >&2
	done <<<"$problems"
}

# apt PKG...: apt-get install, refreshing the package lists only when they are
# empty or the install fails (they may just be stale).
apt() {
	local sudo=
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"
		else
			echo "doctor: cannot install as $(id -un) without a password; run:" >&2
			echo "    sudo apt-get install$missing" >&2
			return 1
		fi
	fi
	if ! command -v apt-get >/dev/null; then
		echo "doctor: no apt-get here: install the packages above by hand" >&2
		return 1
	fi
	local aptget="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q"
	local log
	log=$(mktemp) || return 1
	if ! ls /var/lib/apt/lists/ 2>/dev/null | grep -q '_Packages'; then
		$aptget update >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
	fi
	if ! $aptget install --no-install-recommends "$@" >"$log" 2>&1; then
		echo "doctor: install failed; updating the package lists and trying again" >&2
		if ! { $aptget update && $aptget install --no-install-recommends "$@"; } >"$log" 2>&1; then
			tail -n 20 "$log" >&2; rm -f "$log"; return 1
		fi
	fi
	rm -f "$log"
}

check_all
if [ -n "$problems" ] && [ $install = 1 ]; then
	for p in $missing; do echo "doctor: installing $p..." >&2; done
	apt $missing
	hash -r
	check_all
fi
[ $verbose = 1 ] && printf %s "$oks"
if [ -n "$problems" ]; then
	report
	echo "doctor: ARCH=$arch cannot be built or run here until the above is fixed" \
		"(tools/doctor.sh --install $arch installs it)" >&2
	exit 1
fi
exit 0
