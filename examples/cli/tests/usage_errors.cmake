# cli.usage_errors: every bad option value of trace and generate is a usage error: exit 2, nothing
# on stdout, and a message on stderr that names the option, with what the user typed shown
# escaped (no raw control bytes reach the terminal).
#   cmake -DSEARCHTRACE=<tool> -DDATA=<examples/cli/tests> -P usage_errors.cmake
cmake_minimum_required(VERSION 3.21)

string(ASCII 27 esc)
string(ASCII 7 bel)

# expect_usage_error(<text stderr must start with> <tool arguments>...)
function(expect_usage_error prefix)
  execute_process(COMMAND "${SEARCHTRACE}" ${ARGN} WORKING_DIRECTORY "${DATA}"
                  INPUT_FILE "${DATA}/seed.input" RESULT_VARIABLE rc OUTPUT_VARIABLE stdout
                  ERROR_VARIABLE stderr)
  if(NOT rc STREQUAL "2")
    message(FATAL_ERROR "'${ARGN}': expected exit 2, got ${rc}\nstdout: ${stdout}\nstderr: ${stderr}")
  endif()
  if(NOT stdout STREQUAL "")
    message(FATAL_ERROR "'${ARGN}': expected nothing on stdout, got:\n${stdout}")
  endif()
  string(LENGTH "${prefix}" n)
  string(SUBSTRING "${stderr}" 0 ${n} head)
  if(NOT head STREQUAL prefix)
    message(FATAL_ERROR "'${ARGN}': stderr does not start with '${prefix}':\n${stderr}")
  endif()
  if(stderr MATCHES "[${esc}${bel}]")
    message(FATAL_ERROR "'${ARGN}': a raw control byte on stderr:\n${stderr}")
  endif()
endfunction()

set(u64 "from 0 to 18446744073709551615, got")

# Integers: plain decimal digits in range, no wrap-around, no sign, base prefix or exponent.
foreach(option IN ITEMS --count --seed --chunk --split-key)
  foreach(value IN ITEMS -1 +1 0x10 010x 1e3 1.0 " 1" "1 " 18446744073709551616
                         99999999999999999999999)
    expect_usage_error("${option}: expected a decimal integer ${u64} '${value}'\n" generate
                       ${option} "${value}")
  endforeach()
  expect_usage_error("${option}: 1 required" generate "${option}=")
endforeach()
expect_usage_error("--threads: expected a decimal integer from 0 to 4294967295, got '-1'\n"
                   generate --threads -1)
expect_usage_error("--threads: expected a decimal integer from 0 to 4294967295, got '4294967296'"
                   generate --threads 4294967296)
expect_usage_error("--count: expected a decimal integer ${u64} '1\\x1b[2J'" generate --count
                   "1${esc}[2J")
foreach(value IN ITEMS 0 -1 0x10 4611686018427387904)
  expect_usage_error(
    "--max-line-bytes: expected a decimal integer from 1 to 4611686018427387903, got '${value}'\n"
    trace --max-line-bytes ${value})
endforeach()

# Shards: i/N with 0 <= i < N, both plain decimal.
foreach(value IN ITEMS 4/4 -1/4 1/-4 +1/4 0x1/4 1/0 /4 1/ 1 1/2/3 " 1/4" 18446744073709551616/1
                       0/18446744073709551616)
  expect_usage_error("searchtrace generate: error: --shard '${value}': expected i/N" generate
                     --shard "${value}")
endforeach()
expect_usage_error("searchtrace generate: error: --shard '1\\x1b/4': expected i/N" generate
                   --shard "1${esc}/4")

# Fractions: a finite number from 0 to 1.
foreach(value IN ITEMS nan NaN inf -inf infinity -0.1 1.0000001 2 0x1p-2 " 0.5" 0.5x 1e400)
  expect_usage_error("--test-fraction: expected a number from 0 to 1, got '${value}'\n" generate
                     --test-fraction "${value}")
endforeach()
expect_usage_error("--test-fraction: 1 required" generate "--test-fraction=")

# Choices and families: CLI11's messages and ours, escaped.
expect_usage_error("--algo: astar not in {bfs,dfs}\n" trace --algo astar)
expect_usage_error("--algo: x\\x1b[31m not in {bfs,dfs}\n" trace --algo "x${esc}[31m")
expect_usage_error("--format: csv not in" generate --format csv)
expect_usage_error("--vocab: big not in" generate --vocab big --format ids -o x)
expect_usage_error("--split: none not in" generate --split none)
expect_usage_error(
  "searchtrace generate: error: --family, offset 12: expected ',' or ')', found '\\x07'\n  tree(n=3,L=3\\x07)\n              ^\n"
  generate "--family=tree(n=3,L=3${bel})")
expect_usage_error("searchtrace generate: error: --family, offset 3: bad family name 'G15'"
                   generate "--family=G15${esc}[2J")
expect_usage_error("searchtrace generate: error: --format ids writes four files" generate
                   --format ids)
expect_usage_error("The following argument was not expected: --bogus" generate --bogus)
expect_usage_error("--count: 1 required N missing" generate --count)
