#!/usr/bin/env bash
# Checks the deployment files as far as a machine without a Docker engine allows, and runs the
# container's start command against a real, throwaway PostgreSQL.
#
#   scripts/check-deployment.sh           # full check (stages both Dockerfile stages with npm ci)
#   scripts/check-deployment.sh --quick   # reuse ./node_modules instead of the two npm ci runs
#   scripts/check-deployment.sh --ref HEAD  # build what a commit holds instead of the working tree
#
# What it does:
#   1. Static checks: Dockerfile facts and lint (dockerfile-utils or hadolint, when installed),
#      .dockerignore (docker-py's matcher, when installed), docker-compose.yml (`docker-compose config`
#      or `docker compose config`, when installed; yamllint), .env.example against the variables
#      the code reads and API.md's table.
#   2. Stages the image without Docker: copies the build stage's COPY sources into a temp dir, runs
#      the build stage's `npm ci` and `npm run build`, then lays out the runtime stage (its `npm ci`
#      flags, dist/ from the build) and runs everything from there as an unprivileged user, with an
#      environment holding only what the container would have.
#   3. Starts a throwaway PostgreSQL cluster (Debian's, /usr/lib/postgresql/*/bin) on a free port, as
#      the `postgres` user when run as root, and checks: start-up migrations, GET /health 200, the
#      Dockerfile's HEALTHCHECK command, graceful SIGTERM, the separate migration step with
#      DATABASE_MIGRATIONS_RUN=false, 503 from /health when the database goes away, and that
#      production refuses the .env.example placeholder secret with one clear line.
# Everything is removed on exit. Prints PASS/FAIL/SKIP lines and "N passed, N failed" at the end;
# exits non-zero when anything failed.
set -euo pipefail

QUICK=0
REF=""
while [ $# -gt 0 ]; do
  arg=$1
  shift
  case "$arg" in
    --quick) QUICK=1 ;;
    --ref)
      REF=${1:?--ref needs a commit}
      shift
      ;;
    -h | --help)
      sed -n '2,23p' "$0"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
API_MD=${API_MD:-$ROOT/../shared/API.md}

PASSED=0
FAILED=0
SKIPPED=0
pass() {
  echo "PASS: $*"
  PASSED=$((PASSED + 1))
}
fail() {
  echo "FAIL: $*"
  FAILED=$((FAILED + 1))
}
skip() {
  echo "SKIP: $*"
  SKIPPED=$((SKIPPED + 1))
}
note() { echo "      $*"; }
section() { echo "== $*"; }
# check "description" command...: PASS when the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-deploy-check.XXXXXX")
chmod 755 "$WORK"
APP_PID=""
PG_STARTED=0
PGDATA="$WORK/pgdata"

# ---- who runs what ---------------------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  as_postgres() { setpriv --reuid="$(id -u postgres)" --regid="$(id -g postgres)" --clear-groups -- "$@"; }
  # The container runs as the unprivileged `node` user; `nobody` stands in for it here.
  AS_APP=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
  APP_USER=nobody
else
  as_postgres() { "$@"; }
  AS_APP=()
  APP_USER=$(id -un)
fi

PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
  PGBIN=$(find /usr/lib/postgresql -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$PGBIN" ] || PGBIN=$(dirname "$(command -v pg_ctl)")
fi

cleanup() {
  local status=$?
  set +e
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$APP_PID" 2>/dev/null
  fi
  if [ "$PG_STARTED" = 1 ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
random_secret() { node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"; }

# http.mjs URL -> prints "STATUS BODY"; exit 1 when nothing answered.
cat >"$WORK/http.mjs" <<'EOF'
try {
  const res = await fetch(process.argv[2], { signal: AbortSignal.timeout(5000) });
  const body = (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
  console.log(`${res.status} ${body}`);
} catch (error) {
  console.log(`000 ${error.cause?.code ?? error.name}`);
  process.exit(1);
}
EOF
http() { node "$WORK/http.mjs" "$1" || true; }

# Lines of one stage of the Dockerfile (from its FROM ... AS <name> up to the next FROM).
stage_lines() {
  awk -v stage="$1" '
    /^FROM / { inside = (tolower($0) ~ (" as " stage "$")) ; if (inside) { print; next } }
    inside { print }
  ' Dockerfile
}
# The `npm ci ...` command of a stage's RUN line, up to "&&".
stage_npm_ci() { stage_lines "$1" | grep -o 'npm ci[^&]*' | head -n 1 | sed 's/[[:space:]]*$//'; }

# ==================================================================================================
section "Static checks"
for f in Dockerfile .dockerignore docker-compose.yml .env.example docs/deployment.md; do
  check "$f exists" test -s "$f"
done

RUNTIME=$(stage_lines runtime)
check "Dockerfile: multi-stage, build stage runs npm ci and npm run build" \
  bash -c '[ "$(grep -c "^FROM " Dockerfile)" -ge 2 ] && grep -q "^RUN npm ci" Dockerfile && grep -q "^RUN npm run build" Dockerfile'
check "Dockerfile: node base image is an even (LTS) major >= 22" \
  bash -c 'v=$(sed -n "s/^ARG NODE_VERSION=\([0-9]*\).*/\1/p" Dockerfile); [ -n "$v" ] && [ "$v" -ge 22 ] && [ $((v % 2)) = 0 ]'
check "Dockerfile runtime stage: production deps only (npm ci --omit=dev)" \
  grep -q 'npm ci .*--omit=dev' <<<"$RUNTIME"
check "Dockerfile runtime stage: non-root USER" \
  bash -c 'u=$(grep "^USER " <<<"$1" | tail -n 1 | cut -d" " -f2); [ -n "$u" ] && [ "$u" != root ] && [ "$u" != 0 ]' _ "$RUNTIME"
check "Dockerfile runtime stage: NODE_ENV=production, HOST=0.0.0.0, PORT=8000" \
  bash -c 'grep -q "NODE_ENV=production" <<<"$1" && grep -q "HOST=0.0.0.0" <<<"$1" && grep -q "PORT=8000" <<<"$1"' _ "$RUNTIME"
check "Dockerfile runtime stage: EXPOSE 8000, HEALTHCHECK on /health, CMD node dist/src/main.js" \
  bash -c 'grep -q "^EXPOSE 8000" <<<"$1" && grep -q "^HEALTHCHECK" <<<"$1" && grep -q "/health" <<<"$1" && grep -q "^CMD \[\"node\", \"dist/src/main.js\"\]" <<<"$1"' _ "$RUNTIME"

LINTER=${DOCKERFILE_UTILS:-$(command -v dockerfile-utils || true)}
if [ -n "$LINTER" ]; then
  if out=$("$LINTER" lint Dockerfile 2>&1) && [ -z "$out" ]; then
    pass "Dockerfile lint (dockerfile-utils): no findings"
  else
    fail "Dockerfile lint (dockerfile-utils)"
    note "$out"
  fi
elif command -v hadolint >/dev/null; then
  check "Dockerfile lint (hadolint)" hadolint Dockerfile
else
  skip "Dockerfile lint: neither dockerfile-utils (npm i -g dockerfile-utils) nor hadolint installed"
fi

# .dockerignore, with the matcher docker-py (and so docker-compose v1) uses to build the context.
if python3 -c 'import docker.utils.build' 2>/dev/null; then
  if out=$(python3 - <<'EOF' 2>&1
import sys
from docker.utils.build import PatternMatcher
patterns = [l.strip() for l in open('.dockerignore') if l.strip() and not l.startswith('#')]
m = PatternMatcher(patterns)
must_send = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json',
             'src/main.ts', 'src/config/env.ts', 'migrations/index.ts']
must_skip = ['.env', '.env.production', '.data/secrets.json', '.data/pg/PG_VERSION',
             'node_modules/typeorm/package.json', 'dist/src/main.js', '.git/config',
             'test/app.ts', 'src/users/password-hasher.spec.ts', 'coverage/index.html']
bad = [p for p in must_send if m.matches(p)] + [p for p in must_skip if not m.matches(p)]
if bad:
    print('wrong for: ' + ', '.join(bad))
    sys.exit(1)
EOF
  ); then
    pass ".dockerignore: context has package files, tsconfigs, src, migrations; no .env, .data, node_modules, dist, .git, tests"
  else
    fail ".dockerignore"
    note "$out"
  fi
else
  skip ".dockerignore: python3 docker module not installed (apt-get install docker-compose)"
fi

# The build stage's COPY sources exist (they are what the staged build below uses).
mapfile -t BUILD_SOURCES < <(stage_lines build | awk '/^COPY / && !/--from/ { for (i = 2; i < NF; i++) print $i }')
missing=()
for src in "${BUILD_SOURCES[@]}"; do [ -e "$src" ] || missing+=("$src"); done
if [ "${#BUILD_SOURCES[@]}" -gt 0 ] && [ "${#missing[@]}" = 0 ]; then
  pass "Dockerfile build stage COPY sources exist: ${BUILD_SOURCES[*]}"
else
  fail "Dockerfile build stage COPY sources missing: ${missing[*]:-none found}"
fi

# .env.example: every variable the code reads and API.md lists, placeholder secrets, a comment each.
mapfile -t CODE_VARS < <(grep -rhoE "read(String|Int|Bool|Optional|List)\(env, '[A-Z_]+'|process\.env\.[A-Z_]+" src |
  grep -oE "[A-Z][A-Z_]+" | sort -u)
API_VARS=()
if [ -f "$API_MD" ]; then
  mapfile -t API_VARS < <(sed -n '/^## Configuration/,/^## [^C]/p' "$API_MD" | grep '^| `' | cut -d'|' -f2 |
    grep -oE '`[A-Z_]+`' | tr -d '`' | sort -u)
fi
mapfile -t COMPOSE_VARS < <(grep -oE '\$\{[A-Z_]+' docker-compose.yml | tr -d '${' | sort -u)
absent=()
for v in "${CODE_VARS[@]}" "${API_VARS[@]}" "${COMPOSE_VARS[@]}"; do
  grep -qE "^(# )?$v=" .env.example || absent+=("$v")
done
if [ "${#absent[@]}" = 0 ]; then
  pass ".env.example documents all ${#CODE_VARS[@]} variables read in src/, ${#API_VARS[@]} from API.md, ${#COMPOSE_VARS[@]} used by compose"
else
  fail ".env.example lacks: ${absent[*]}"
fi
[ -f "$API_MD" ] || skip "API.md not found at $API_MD: its variable table was not compared"
PLACEHOLDER=$(sed -n "s/^export const SECRET_PLACEHOLDER = '\(.*\)';/\1/p" src/config/auth.config.ts)
# Copied as it is, .env.example serves development: no NODE_ENV, and the secrets commented (generated
# under .data/); production (compose) refuses to start until they are set.
check ".env.example: NODE_ENV, SECRET_KEY, REFRESH_SECRET_KEY and TWO_FACTOR_ENCRYPTION_KEY are left commented" \
  bash -c '! grep -qE "^(NODE_ENV|SECRET_KEY|REFRESH_SECRET_KEY|TWO_FACTOR_ENCRYPTION_KEY)=" .env.example &&
    grep -qx "# SECRET_KEY=" .env.example && grep -qx "# REFRESH_SECRET_KEY=" .env.example'
check ".env.example: each variable line follows a comment line" \
  awk '/^(# )?[A-Z_]+=/ && (prev !~ /^# / || prev ~ /^# [A-Z_]+=/) { print "no comment before: " $0; bad = 1 } { prev = $0 } END { exit bad }' .env.example

# docker-compose.yml with the .env a user would write.
if command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  COMPOSE=()
fi
if [ "${#COMPOSE[@]}" -gt 0 ]; then
  mkdir -p "$WORK/compose"
  cp docker-compose.yml "$WORK/compose/"
  DB_PW=$(node -e "console.log(require('crypto').randomBytes(18).toString('hex'))")
  sed -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$DB_PW|" \
    -e "s|^# SECRET_KEY=.*|SECRET_KEY=$(random_secret)|" \
    -e "s|^# REFRESH_SECRET_KEY=.*|REFRESH_SECRET_KEY=$(random_secret)|" \
    -e "s|^# TWO_FACTOR_ENCRYPTION_KEY=.*|TWO_FACTOR_ENCRYPTION_KEY=$(random_secret)|" .env.example >"$WORK/compose/.env"
  if config=$(cd "$WORK/compose" && "${COMPOSE[@]}" -f docker-compose.yml config 2>&1); then
    pass "compose config is valid (${COMPOSE[*]} $("${COMPOSE[@]}" version --short 2>/dev/null || true))"
    check "compose: api gets DATABASE_URL=postgres://gatehouse:***@db:5432/gatehouse" \
      grep -q "DATABASE_URL: postgres://gatehouse:$DB_PW@db:5432/gatehouse" <<<"$config"
    check "compose: api waits for db service_healthy; db healthcheck uses pg_isready" \
      bash -c 'grep -q "condition: service_healthy" <<<"$1" && grep -q "pg_isready" <<<"$1"' _ "$config"
    check "compose: named volume pgdata, restart policy, port 8000:8000, env_file secrets reach api" \
      bash -c 'grep -q "pgdata:/var/lib/postgresql" <<<"$1" && grep -q "restart: unless-stopped" <<<"$1" &&
        grep -q "published: .\?8000" <<<"$1" && grep -q "SECRET_KEY: " <<<"$1"' _ "$config"
  else
    fail "compose config"
    note "$config"
  fi
  sed -i 's|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=|' "$WORK/compose/.env"
  if out=$(cd "$WORK/compose" && "${COMPOSE[@]}" -f docker-compose.yml config 2>&1); then
    fail "compose accepts an empty POSTGRES_PASSWORD"
  else
    check "compose refuses to start with an empty POSTGRES_PASSWORD" grep -q POSTGRES_PASSWORD <<<"$out"
  fi
  if grep -q 'SECRET_KEY: \|POSTGRES_PASSWORD: [^$]' docker-compose.yml; then
    fail "docker-compose.yml hardcodes a secret"
  else
    pass "docker-compose.yml hardcodes no secret"
  fi
else
  skip "compose config: no docker-compose or docker compose plugin (apt-get install docker-compose)"
fi
if command -v yamllint >/dev/null; then
  check "yamllint docker-compose.yml" yamllint -s -d '{extends: default, rules: {line-length: disable, document-start: disable, comments: {min-spaces-from-content: 1}}}' docker-compose.yml
else
  skip "yamllint not installed"
fi
if command -v shellcheck >/dev/null; then
  check "shellcheck scripts/check-deployment.sh" shellcheck -S warning scripts/check-deployment.sh
else
  skip "shellcheck not installed"
fi

# ==================================================================================================
section "Image stages, reproduced without Docker (Node $(node -v) here; the image uses node:$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile))"
BUILD_CI=$(stage_npm_ci build)
RUNTIME_CI=$(stage_npm_ci runtime)
note "build stage:   $BUILD_CI && npm run build"
note "runtime stage: $RUNTIME_CI"
mkdir -p "$WORK/build" "$WORK/app"
if [ -n "$REF" ]; then
  note "COPY sources taken from $REF ($(git rev-parse --short "$REF")), not from the working tree"
  git archive --format=tar "$REF" -- "${BUILD_SOURCES[@]}" | tar -x -C "$WORK/build"
else
  for src in "${BUILD_SOURCES[@]}"; do cp -R "$src" "$WORK/build/"; done
fi

# npm lists optional platform packages that the registry here does not serve as "Missing ... from
# lock file"; a lock file in that state makes `npm ci`, and so `docker build`, stop. To check the rest,
# the staged copy gets stub entries for them (they are for other platforms and never installed here).
patch_lock() {
  node - "$1" <<'EOF'
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${key ? key + '/' : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    lock.packages[`node_modules/${name}`] = {
      version: range.replace(/^[\^~=]/, ''), dev: pkg.dev || undefined, optional: true, os: ['none'],
    };
    added++;
  }
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(added);
EOF
}

if [ "$QUICK" = 1 ]; then
  skip "npm ci in the staged stages (--quick: ./node_modules is reused)"
  ln -s "$ROOT/node_modules" "$WORK/build/node_modules"
else
  # shellcheck disable=SC2086 # the flags are split on purpose
  if out=$(cd "$WORK/build" && $BUILD_CI 2>&1); then
    pass "build stage: '$BUILD_CI' accepts package-lock.json"
  else
    if grep -q 'from lock file' <<<"$out"; then
      fail "build stage: '$BUILD_CI' refuses package-lock.json (docker build would stop here): $(grep -c 'Missing: .* from lock file' <<<"$out") optional packages missing from the lock, e.g. $(grep -o 'Missing: [^ ]*' <<<"$out" | head -n 1)"
      note "continuing with stub lock entries for them in the staged copy only ($(patch_lock "$WORK/build/package-lock.json") added)"
      # shellcheck disable=SC2086
      if out=$(cd "$WORK/build" && $BUILD_CI 2>&1); then
        note "build stage: '$BUILD_CI' works with the stubbed lock"
      else
        fail "build stage: '$BUILD_CI' with the stubbed lock"
        note "$(tail -n 5 <<<"$out")"
        exit 1
      fi
    else
      fail "build stage: '$BUILD_CI'"
      note "$(tail -n 5 <<<"$out")"
      exit 1
    fi
  fi
fi
if out=$(cd "$WORK/build" && npm run build 2>&1) && [ -f "$WORK/build/dist/src/main.js" ]; then
  pass "build stage: npm run build produced dist/src/main.js from the COPY sources only"
else
  fail "build stage: npm run build"
  note "$(tail -n 10 <<<"$out")"
  exit 1
fi

cp "$WORK/build/package.json" "$WORK/app/"
cp "$WORK/build/package-lock.json" "$WORK/app/"
cp -R "$WORK/build/dist" "$WORK/app/dist"
if [ "$QUICK" = 1 ]; then
  ln -s "$ROOT/node_modules" "$WORK/app/node_modules"
else
  # shellcheck disable=SC2086
  if out=$(cd "$WORK/app" && $RUNTIME_CI 2>&1); then
    pass "runtime stage: '$RUNTIME_CI' ($(du -sh "$WORK/app/node_modules" | cut -f1) of node_modules)"
  else
    fail "runtime stage: '$RUNTIME_CI'"
    note "$(tail -n 5 <<<"$out")"
    exit 1
  fi
  check "runtime stage: no dev dependencies (jest, eslint, @nestjs/testing absent)" \
    bash -c '! [ -e "$1/jest" ] && ! [ -e "$1/eslint" ] && ! [ -e "$1/@nestjs/testing" ]' _ "$WORK/app/node_modules"
fi
chmod -R a+rX "$WORK/app"

# ==================================================================================================
section "Throwaway PostgreSQL ($("$PGBIN/postgres" --version)) and the container's start command"
PGPORT=$(free_port)
PG_SUPER_PW=$(random_secret)
APP_DB_PW=$(node -e "console.log(require('crypto').randomBytes(18).toString('hex'))")
mkdir -p "$PGDATA" "$WORK/pgsock"
printf '%s\n' "$PG_SUPER_PW" >"$WORK/pgpw"
chmod 600 "$WORK/pgpw"
if [ "$(id -u)" = 0 ]; then chown postgres: "$PGDATA" "$WORK/pgsock" "$WORK/pgpw"; fi
chmod 700 "$PGDATA"
if ! out=$(as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=scram-sha-256 --pwfile="$WORK/pgpw" \
  --encoding=UTF8 --locale=C.UTF-8 2>&1); then
  fail "initdb"
  note "$(tail -n 5 <<<"$out")"
  exit 1
fi
if out=$(as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pgsock/postgres.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories='$WORK/pgsock'" start 2>&1); then
  PG_STARTED=1
  pass "PostgreSQL started on 127.0.0.1:$PGPORT"
else
  fail "PostgreSQL start"
  note "$out"
  exit 1
fi
psql_super() { PGPASSWORD=$PG_SUPER_PW "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_app() { PGPASSWORD=$APP_DB_PW "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U gatehouse -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
# An ordinary owner, not a superuser, so nothing relies on superuser rights (citext is a trusted extension).
psql_super -d postgres -c "CREATE ROLE gatehouse LOGIN PASSWORD '$APP_DB_PW'" \
  -c "CREATE DATABASE gatehouse OWNER gatehouse" -c "CREATE DATABASE gatehouse_sep OWNER gatehouse"
URL="postgres://gatehouse:$APP_DB_PW@127.0.0.1:$PGPORT/gatehouse"
URL_SEP="postgres://gatehouse:$APP_DB_PW@127.0.0.1:$PGPORT/gatehouse_sep"
APP_PORT=$(free_port)
SECRET=$(random_secret)
REFRESH_SECRET=$(random_secret)
TWO_FACTOR_KEY=$(random_secret)
BASE="http://127.0.0.1:$APP_PORT"

# in_app VAR=value... -- command...: runs a command in the staged /app as the unprivileged user, with
# the container's environment only (the image's ENV plus what compose passes, nothing from this
# shell). HOST is 127.0.0.1 here, not the image's 0.0.0.0, to stay off this machine's other interfaces.
in_app() {
  local vars=()
  while [ "$1" != -- ]; do
    vars+=("$1")
    shift
  done
  shift
  cd "$WORK/app"
  exec "${AS_APP[@]}" env -i PATH="$PATH" NODE_ENV=production NO_COLOR=1 HOST=127.0.0.1 PORT="$APP_PORT" \
    SECRET_KEY="$SECRET" REFRESH_SECRET_KEY="$REFRESH_SECRET" TWO_FACTOR_ENCRYPTION_KEY="$TWO_FACTOR_KEY" \
    "${vars[@]}" "$@"
}
start_app() { # start_app LOG VAR=value... : `node dist/src/main.js` in the background, APP_PID is node's
  local log=$1
  shift
  (in_app "$@" -- node dist/src/main.js) >"$log" 2>&1 &
  APP_PID=$!
}
wait_healthy() { # wait_healthy LOG SECONDS -> 0 when /health answered 200
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt "$deadline" ]; do
    if ! kill -0 "$APP_PID" 2>/dev/null; then
      note "the app exited early; last lines:"
      tail -n 8 "$1" | sed 's/^/        /'
      return 1
    fi
    case "$(http "$BASE/health")" in 200*) return 0 ;; esac
    sleep 0.3
  done
  note "no 200 from /health within $2 s; last lines:"
  tail -n 8 "$1" | sed 's/^/        /'
  return 1
}
STOP_STATUS=""
stop_app() { # stop_app: SIGTERM, then STOP_STATUS is the exit status ("killed" when still running after 15 s)
  local status=0
  kill -TERM "$APP_PID"
  for _ in $(seq 1 150); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$APP_PID" 2>/dev/null; then
    kill -KILL "$APP_PID"
    wait "$APP_PID" || true
    STOP_STATUS=killed
  else
    wait "$APP_PID" || status=$?
    STOP_STATUS=$status
  fi
  APP_PID=""
}
check_stop() { # check_stop LOG WHAT
  stop_app
  if [ "$STOP_STATUS" = 0 ]; then
    pass "$2: SIGTERM (docker stop) ends the app with status 0"
  else
    fail "$2: SIGTERM (docker stop) ends the app with status $STOP_STATUS, not 0; last lines:"
    tail -n 3 "$1" | sed 's/^/        /'
  fi
}
# The Dockerfile's HEALTHCHECK command, exactly as written there (exec form).
mapfile -d '' -t HEALTHCHECK_CMD < <(node -e '
  const text = require("fs").readFileSync("Dockerfile", "utf8").replace(/\\\n/g, " ");
  const m = text.match(/^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$/m);
  if (!m) process.exit(1);
  for (const a of JSON.parse(m[1])) process.stdout.write(a + "\0");')
healthcheck_status() { # exit status of the HEALTHCHECK command run inside the "container"
  local status=0
  (in_app -- timeout 10 "${HEALTHCHECK_CMD[@]}") >/dev/null 2>&1 || status=$?
  echo "$status"
}

# ---- 1: the default path: migrations at start-up ---------------------------------------------------
LOG1="$WORK/app-start.log"
touch "$WORK/started"
note "starting: node dist/src/main.js as $APP_USER, NODE_ENV=production, DATABASE_URL=postgres://gatehouse:***@127.0.0.1:$PGPORT/gatehouse"
start_app "$LOG1" DATABASE_URL="$URL"
if wait_healthy "$LOG1" 90; then
  pass "start-up: GET /health -> $(http "$BASE/health")"
else
  fail "start-up: GET /health did not answer 200"
  exit 1
fi
check "start-up ran the migrations: table 'migrations' lists Init" \
  test "$(psql_app -d gatehouse -c "SELECT count(*) FROM migrations WHERE name LIKE 'Init%'" 2>&1)" = 1
check "start-up created the schema: tables users and sessions exist" \
  test "$(psql_app -d gatehouse -c "SELECT count(*) FROM pg_tables WHERE tablename IN ('users', 'sessions')" 2>&1)" = 2
if [ "${#HEALTHCHECK_CMD[@]}" -gt 0 ]; then
  check "the Dockerfile's HEALTHCHECK command exits 0 against the running app" \
    test "$(healthcheck_status)" = 0
else
  fail "could not read the HEALTHCHECK CMD from the Dockerfile"
fi
ROOT_ANSWER=$(http "$BASE/")
check "GET / -> 200 naming Gatehouse" grep -q '^200 .*Gatehouse' <<<"$ROOT_ANSWER"
check "GET /docs (Swagger UI assets from production deps) -> 200" grep -q '^200' <<<"$(http "$BASE/docs")"
written=$(find "$WORK/app" -newer "$WORK/started" -print -quit)
check "the app wrote nothing into its directory (read-only for $APP_USER)${written:+: $written}" test -z "$written"
check_stop "$LOG1" "running app"

# ---- 2: production refuses the .env.example placeholder ------------------------------------------
LOG2="$WORK/app-placeholder.log"
status=0
(in_app SECRET_KEY="$PLACEHOLDER" DATABASE_URL="$URL" -- timeout 60 node dist/src/main.js) >"$LOG2" 2>&1 || status=$?
if [ "$status" != 0 ] && [ "$status" != 124 ]; then
  pass "SECRET_KEY=$PLACEHOLDER in production: refused, exit status $status"
else
  fail "SECRET_KEY=$PLACEHOLDER in production: exit status $status (0 = started, 124 = still running after 60 s)"
fi
check "that refusal names SECRET_KEY" grep -q 'SECRET_KEY' "$LOG2"
if [ "$(grep -c . "$LOG2")" -le 2 ] && grep -q '^Gatehouse failed to start: SECRET_KEY' "$LOG2" && ! grep -q '^ *at ' "$LOG2"; then
  pass "that refusal is one clear line: $(grep 'SECRET_KEY' "$LOG2" | head -n 1)"
else
  fail "that refusal is not one clear line: $(grep -c . "$LOG2") lines, $(grep -c '^ *at ' "$LOG2") of them stack frames; the first naming SECRET_KEY: $(grep -m 1 'SECRET_KEY' "$LOG2" || true)"
fi

# ---- 3: migrations as a separate step, DATABASE_MIGRATIONS_RUN=false --------------------------------
out=$(in_app DATABASE_URL="$URL_SEP" -- node dist/src/database/migrate.js run 2>&1) && status=0 || status=$?
check "node dist/src/database/migrate.js run -> $(tail -n 1 <<<"$out")" \
  bash -c '[ "$1" = 0 ] && grep -q "^Applied: Init" <<<"$2"' _ "$status" "$out"
out=$(in_app DATABASE_URL="$URL_SEP" -- node dist/src/database/migrate.js run 2>&1) && status=0 || status=$?
check "running it again -> $(tail -n 1 <<<"$out")" bash -c '[ "$1" = 0 ] && grep -q "^Up to date" <<<"$2"' _ "$status" "$out"
LOG3="$WORK/app-no-migrations.log"
start_app "$LOG3" DATABASE_URL="$URL_SEP" DATABASE_MIGRATIONS_RUN=false
if wait_healthy "$LOG3" 90; then
  pass "DATABASE_MIGRATIONS_RUN=false on the migrated database: GET /health -> 200"
else
  fail "DATABASE_MIGRATIONS_RUN=false: GET /health did not answer 200"
fi

# ---- 4: the database goes away ----------------------------------------------------------------------
if [ -n "$APP_PID" ]; then
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  PG_STARTED=0
  answer=$(http "$BASE/health")
  check "database stopped: GET /health -> ${answer:0:60}" grep -q '^503' <<<"$answer"
  hc=$(healthcheck_status)
  check "database stopped: the HEALTHCHECK command fails (exit $hc)" test "$hc" != 0
  check_stop "$LOG3" "database gone"
fi

echo
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" = 0 ]
