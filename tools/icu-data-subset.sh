#!/usr/bin/env bash
# Writes OUTDIR/libicudata.so.NN: the system's ICU data without the parts
# that askalike never uses, for the wheel (tools/package.sh puts it first on
# LD_LIBRARY_PATH when auditwheel bundles the libraries). About a third of
# the size on Debian 12's ICU 72 (31 MB -> 10 MB).
#
# Kept, because the analyzer and the readers use them: brkitr/ (word-break
# rules and the Chinese/Japanese, Thai, Lao, Burmese and Khmer dictionaries),
# translit/ (Traditional -> Simplified), the normalisers (*.nrm: NFKC,
# NFKC_Casefold), every converter (*.cnv, cnvalias.icu: --encoding takes any
# ICU name) and the small property files.
# Dropped, because askalike formats, sorts and names nothing by locale:
# collation (coll/), time zones, units, currencies, language and region names
# (zone/ unit/ curr/ lang/ region/), spelled-out numbers (rbnf/) and the
# locale bundles of the main tree (root.res, pool.res, res_index.res stay).
#
#   tools/icu-data-subset.sh OUTDIR
# Needs icupkg and genccode (icu-devtools, which libicu-dev brings).
set -euo pipefail
out=${1:?usage: tools/icu-data-subset.sh OUTDIR}
mkdir -p "$out"

libs=(/usr/lib/*-linux-gnu/libicudata.so.[0-9]*[0-9])  # libicudata.so.72.1
lib=${libs[0]}
major=$(readelf -d "$lib" | sed -n 's/.*SONAME.*libicudata\.so\.\([0-9]*\).*/\1/p')
symbol=icudt${major}_dat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The data is one symbol, icudtNN_dat, in .rodata: cut it out of the file.
read -r address size < <(nm -D -S --defined-only "$lib" | awk -v s="$symbol" '$4 == s { print $1, $2 }')
read -r section_address section_offset < <(readelf -W -S "$lib" |
  awk '$2 == ".rodata" { print $4, $5 } $3 == ".rodata" { print $5, $6 }' | head -n 1)
offset=$((0x$address - 0x$section_address + 0x$section_offset))
package=icudt${major}l
mkdir "$work/full" "$work/small"
full=$work/full/$package.dat  # icupkg wants the file named as the package
dd if="$lib" of="$full" iflag=skip_bytes,count_bytes skip="$offset" count=$((0x$size)) status=none

icupkg -l "$full" | awk '
  /^(coll|zone|unit|curr|lang|region|rbnf)\// { print; next }
  /^[^\/]+\.res$/ && $0 != "root.res" && $0 != "pool.res" && $0 != "res_index.res" { print }
' >"$work/drop.txt"
icupkg -r "$work/drop.txt" "$full" "$work/small/$package.dat"

# Back into a shared library with the same name and entry point.
(cd "$work/small" && genccode -q -a gcc -e "icudt${major}" "$package.dat")
gcc -shared -nostdlib -Wl,-soname,"libicudata.so.$major" -o "$out/libicudata.so.$major" "$work/small/${package}_dat.S"
echo "ICU data for the wheel: $out/libicudata.so.$major, $(stat -c %s "$out/libicudata.so.$major") bytes" \
     "(the system's: $(stat -L -c %s "$lib"); $(wc -l <"$work/drop.txt") of $(icupkg -l "$full" | wc -l) items dropped)"
