# Sourced by the scripts: `usage` prints the calling script's header comment (every `#` line
# after the shebang, up to the first line of code), so --help says what the header says,
# however long it grows.
usage() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}
