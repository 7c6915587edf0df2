#!/usr/bin/env bash
# Proves `paperfeed backup` and `paperfeed restore` end to end on a throwaway site: load the
# bundled sample, add a user, back up, damage the data, restore, then check that every table
# holds what it held before, that the secret key is back, and that keyword search finds a
# known paper again.
#
#   scripts/check_backup_restore.sh [WORK_DIR]
#
# WORK_DIR (default: a new temporary directory, removed afterwards) receives the data directory
# and the archive; it must be empty or absent. With DATABASE_URL unset the site is SQLite in that
# data directory. With DATABASE_URL=postgresql://… the damage and the restore happen in that
# database, which must be a throwaway one: the script refuses a database that holds any data.
# PAPERFEED names the paperfeed program (default: the repository's .venv/bin/paperfeed, else
# `paperfeed` on PATH); PAPERFEED_PG_BIN where pg_dump and pg_restore are, if not on PATH.
#
# Prints PASS and exits 0, or FAIL and the reason and exits non-zero.
set -euo pipefail

trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited with $?" >&2' ERR

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -n "${PAPERFEED:-}" ]]; then
    pf="$PAPERFEED"
elif [[ -x "$here/../.venv/bin/paperfeed" ]]; then
    pf="$here/../.venv/bin/paperfeed"
else
    pf=paperfeed
fi

if [[ $# -ge 1 ]]; then
    work="$1"
    mkdir -p "$work"
    [[ -z "$(ls -A "$work")" ]] || fail "$work is not empty"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/paperfeed-check-XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi
export PAPERFEED_DATA_DIR="$work/data"
# The check is about the secret_key file of the data directory, which this variable overrides.
unset PAPERFEED_SECRET_KEY
# A paper of the sample, and a word of its title that few others have.
known_paper=2410.18977
known_word=MotionCLR

# Rows per table of every installed model, counted through the ORM (independently of the
# counting that backup and restore do themselves).
count_rows='
from django.apps import apps
from django.db import connection
existing = set(connection.introspection.table_names())
for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table):
    if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing:
        print(model._meta.db_table, model._base_manager.count())
'
counts() {
    "$pf" shell --no-imports -c "$count_rows"
}

finds_known_paper() {
    "$pf" search "$known_word" --mode lexical --json | grep -q "\"id\": \"$known_paper\""
}

run_quietly() {  # run a command, showing its output only when it fails
    local log="$work/last-command.log"
    "$@" >"$log" 2>&1 || {
        cat "$log" >&2
        fail "$* exited with an error"
    }
}

echo "data directory: $PAPERFEED_DATA_DIR; database: ${DATABASE_URL:-SQLite in the data directory}"

# 0. Only ever on an empty database: the steps below delete data.
mkdir -p "$PAPERFEED_DATA_DIR"
if counts | awk '$1 != "django_content_type" && $1 != "auth_permission" && $2 > 0 {found = 1} END {exit !found}'; then
    fail "the database already holds data; point DATABASE_URL at a new, empty database"
fi

# 1. A site with papers and a user.
run_quietly "$pf" demo --no-serve
printf '%s\n' 'a long enough passphrase 42' | run_quietly "$pf" user add checker --email checker@example.org
finds_known_paper || fail "keyword search does not find $known_paper in the sample"
counts >"$work/counts-before"
"$pf" status --json >"$work/status-before"
cp "$PAPERFEED_DATA_DIR/secret_key" "$work/secret_key-before"

# 2. The backup.
"$pf" backup --out "$work/backups"
archives=("$work"/backups/paperfeed-backup-*.tar)
[[ ${#archives[@]} -eq 1 && -f "${archives[0]}" ]] || fail "expected one archive in $work/backups"
archive="${archives[0]}"

# 3. Damage: papers (with the known one) and the user deleted, the secret key overwritten.
"$pf" shell --no-imports -c '
from django.contrib.auth import get_user_model
from paperfeed.papers.models import Paper
Paper.objects.filter(arxiv_id__startswith="2410.18").delete()
get_user_model().objects.filter(username="checker").delete()
'
echo "not the key" >"$PAPERFEED_DATA_DIR/secret_key"
counts >"$work/counts-damaged"
! cmp -s "$work/counts-before" "$work/counts-damaged" || fail "the damage changed no table"
! finds_known_paper || fail "$known_paper is still found after deleting it"

# 4. The restore: refused without --yes (the database holds data), done with it.
status=0
"$pf" restore "$archive" >"$work/refused.log" 2>&1 || status=$?
[[ $status -eq 2 ]] || {
    cat "$work/refused.log" >&2
    fail "restore without --yes exited with $status, not 2"
}
"$pf" restore "$archive" --yes

# 5. Everything as before the backup.
counts >"$work/counts-after"
diff -u "$work/counts-before" "$work/counts-after" >&2 || fail "row counts after the restore differ from before"
"$pf" status --json >"$work/status-after"
diff -u "$work/status-before" "$work/status-after" >&2 || fail "paperfeed status differs from before the backup"
cmp -s "$work/secret_key-before" "$PAPERFEED_DATA_DIR/secret_key" || fail "the secret key was not restored"
finds_known_paper || fail "keyword search does not find $known_paper after the restore"

echo "PASS: backup and restore of $(awk '$1 == "papers_paper" {print $2}' "$work/counts-after") papers," \
    "$(awk '$1 == "auth_user" {print $2}' "$work/counts-after") user(s) and $(wc -l <"$work/counts-after") tables"
