# Sourced by scripts/bench: builds get-user's release binary at each step of the cold-start work
# (the commits below, each in its own git worktree, one shared target folder) into
# target/ablation/steps/<step>/bootstrap, with an env file of what that build runs with, for the
# cold-start benchmark's ablation rows (tests/benches/lambda.rs). Sets $ablation_dir. Needs $root.
#
# A step: "<name>|<commit>|<build environment>|<trust>", where trust is `platform` (the build reads
# the platform's store: it is given the system bundle with the test CA added, and the certificate
# folder, as the platform probe finds them) or `compiled` (the build's own roots; the test CA comes
# through SSL_CERT_FILE as for every subject).
ablation_steps=(
  "1 platform roots, aws-lc, aws-config (870f297)|870f297||platform"
  "2 compiled-in roots (f334a08)|f334a08||compiled"
  "3 compiled-in roots, AWS_LC_SYS_NO_JITTER_ENTROPY=1 (f334a08)|f334a08|AWS_LC_SYS_NO_JITTER_ENTROPY=1|compiled"
  "4 ring instead of aws-lc (d5269c7)|d5269c7||compiled"
  "5 region and credentials from the environment (e47a5c1)|e47a5c1||compiled"
  "6 stored phone numbers read by their form, not libphonenumber (268cc54)|268cc54||compiled"
)

ablation_root="$root/target/ablation"
ablation_dir="$ablation_root/steps"
rm -rf "$ablation_dir" && mkdir -p "$ablation_dir"
for entry in "${ablation_steps[@]}"; do
  IFS='|' read -r name commit build_env trust <<<"$entry"
  src="$ablation_root/src/$commit"
  if [[ ! -d "$src" ]]; then
    git -C "$root" worktree add --detach --force "$src" "$commit" >/dev/null
  fi
  echo "scripts/bench: building get-user at $commit for \"$name\"" >&2
  # A build environment gets a target folder of its own: a variable a build script watches
  # (AWS_LC_SYS_NO_JITTER_ENTROPY) would otherwise rebuild that crate at every step that flips it.
  target="$ablation_root/target${build_env:+-${build_env//[^A-Za-z0-9]/_}}"
  (cd "$src" && env $build_env CARGO_TARGET_DIR="$target" \
    ROSTER_DEPLOY_FILE="$root/accounts.example.yaml" \
    cargo lambda build --release --x86-64 --locked -p get-user)
  mkdir -p "$ablation_dir/$name"
  cp "$target/lambda/get-user/bootstrap" "$ablation_dir/$name/bootstrap"
  case "$trust" in
    platform)
      printf 'SSL_CERT_FILE=%s\nSSL_CERT_DIR=/etc/ssl/certs\n' \
        "$root/target/tls-front/system-and-test-ca.pem" >"$ablation_dir/$name/env" ;;
    compiled) : >"$ablation_dir/$name/env" ;;
    *) echo "scripts/lib/ablation.sh: step \"$name\": trust is platform or compiled, not $trust" >&2; exit 2 ;;
  esac
done
