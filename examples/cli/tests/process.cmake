# cli.process: the tool's behaviour towards its process environment: standard descriptors that
# are closed, full or broken pipes; -o targets that are devices, FIFOs, descriptors or symbolic
# links; permissions of a replaced file; leftovers of a killed run; memory under a hard limit.
#   cmake -DSEARCHTRACE=<tool> -DRUN=<searchtrace_run_with_fds> -DDATA=<examples/cli/tests>
#         -DWORK=<scratch dir> -DSANITIZED=<ON|OFF> -P process.cmake
# Linux (POSIX) only: it uses mkfifo, stat, /dev/full, /dev/fd and /proc/self/fd.
cmake_minimum_required(VERSION 3.21)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# run(<expected exit code> [harness options] -- <tool arguments>): runs the tool through the
# harness in DATA; its stdout and stderr land in ${last_stdout} and ${last_stderr}.
function(run expected_rc)
  set(args ${ARGN})
  list(FIND args "--" at)
  if(at LESS 0)
    message(FATAL_ERROR "run(): no '--' in ${ARGN}")
  endif()
  math(EXPR after "${at} + 1")
  list(INSERT args ${after} "${SEARCHTRACE}")
  execute_process(COMMAND "${RUN}" ${args} WORKING_DIRECTORY "${DATA}" TIMEOUT 120
                  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(NOT rc STREQUAL expected_rc)
    message(FATAL_ERROR "${ARGN}: expected exit ${expected_rc}, got ${rc}\nstderr: ${stderr}")
  endif()
  if(stderr MATCHES "AddressSanitizer|runtime error:|LeakSanitizer")
    message(FATAL_ERROR "${ARGN}: sanitizer report\n${stderr}")
  endif()
  set(last_stdout "${stdout}" PARENT_SCOPE)
  set(last_stderr "${stderr}" PARENT_SCOPE)
endfunction()

function(expect_text what actual expected_file)
  file(READ "${expected_file}" expected)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "${what}: got\n${actual}\nexpected (${expected_file}):\n${expected}")
  endif()
endfunction()

function(expect_file what file expected_file)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${file}" "${expected_file}"
                  RESULT_VARIABLE different)
  if(different)
    file(READ "${file}" actual)
    message(FATAL_ERROR "${what}: ${file} differs from ${expected_file}:\n${actual}")
  endif()
endfunction()

# expect_type(<what> <path> <test flag>): `test <flag> <path>` holds (-c device, -p FIFO, -f
# regular file, -h symbolic link).
function(expect_type what path flag)
  execute_process(COMMAND test ${flag} "${path}" RESULT_VARIABLE not_so)
  if(not_so)
    message(FATAL_ERROR "${what}: ${path} is no longer what 'test ${flag}' expects")
  endif()
endfunction()

function(expect_mode what path mode)
  execute_process(COMMAND stat -c %a "${path}" OUTPUT_VARIABLE actual
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT actual STREQUAL mode)
    message(FATAL_ERROR "${what}: ${path} has mode ${actual}, expected ${mode}")
  endif()
endfunction()

# expect_files(<what> <names>...): exactly these names (hidden ones included) in WORK/<sub>.
function(expect_files what dir)
  file(GLOB left RELATIVE "${dir}" "${dir}/*" "${dir}/.*")
  list(SORT left)
  set(expected ${ARGN})
  list(SORT expected)
  if(NOT "${left}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: expected '${expected}' in ${dir}, found '${left}'")
  endif()
endfunction()

# --- stderr that cannot be written: the work and the exit code stay --------------------------
# Closed: the output file must not receive the diagnostics (it would get descriptor 2).
run(1 --stderr closed -- trace -o "${WORK}/closed.txt" bad_lines.input)
expect_file("stderr closed, -o" "${WORK}/closed.txt" "${DATA}/bad_lines.expected")
foreach(broken IN ITEMS closed full broken-pipe)
  run(1 --stderr ${broken} -- trace bad_lines.input)
  expect_text("stderr ${broken}: trace" "${last_stdout}" "${DATA}/bad_lines.expected")
  # A finished dataset is kept although its report on stderr cannot be written.
  run(0 --stderr ${broken} -- generate "--family=tree(n=3,L=3)" --count 40 --dedup
      -o "${WORK}/dedup-${broken}.txt")
  expect_file("stderr ${broken}: generate --dedup" "${WORK}/dedup-${broken}.txt"
              "${DATA}/generate_dedup.expected")
  run(0 --stderr ${broken} -- generate --progress -o "${WORK}/progress-${broken}.txt")
  expect_file("stderr ${broken}: generate --progress" "${WORK}/progress-${broken}.txt"
              "${DATA}/generate_default.expected")
  # CLI11's own error message, and run_guarded's: still exit 2.
  run(2 --stderr ${broken} -- trace --algo astar seed.input)
  run(2 --stderr ${broken} -- trace -o "${WORK}/no_such_dir/out.txt" seed.input)
  run(2 --stderr ${broken} -- generate --count -1)
endforeach()

# --- stdout and stdin -------------------------------------------------------------------------
run(2 --stdout full -- trace --help)
if(NOT last_stderr MATCHES "cannot write to stdout")
  message(FATAL_ERROR "--help > /dev/full: unexpected stderr '${last_stderr}'")
endif()
run(2 --stdout closed -- generate --count 3)
if(NOT last_stderr MATCHES "cannot write to stdout")
  message(FATAL_ERROR "stdout closed: unexpected stderr '${last_stderr}'")
endif()
run(2 --stdin closed -- trace)
if(NOT last_stderr MATCHES "<stdin>")
  message(FATAL_ERROR "stdin closed: unexpected stderr '${last_stderr}'")
endif()
# With stdout closed, -o still works (and its file does not take descriptor 1 for stdout).
run(0 --stdout closed -- trace -o "${WORK}/stdout-closed.txt" seed.input)
expect_file("stdout closed, -o" "${WORK}/stdout-closed.txt" "${DATA}/seed_bfs.expected")


# --- -o to what is not a regular file ---------------------------------------------------------
# Devices: written in place, never replaced. Private device nodes when we may make them (root),
# so that a regression cannot turn the system's /dev/null into a regular file.
file(MAKE_DIRECTORY "${WORK}/dev")
execute_process(COMMAND mknod "${WORK}/dev/null" c 1 3 RESULT_VARIABLE no_mknod
                OUTPUT_QUIET ERROR_QUIET)
if(no_mknod)
  set(null /dev/null)
  set(full /dev/full)
else()
  execute_process(COMMAND mknod "${WORK}/dev/full" c 1 7)
  set(null "${WORK}/dev/null")
  set(full "${WORK}/dev/full")
endif()
run(0 -- trace -o "${null}" seed.input)
expect_type("-o ${null}" "${null}" -c)
run(0 -- generate --format ids -o "${WORK}/dev/ids") # four files through the same class
run(2 -- trace -o "${full}" seed.input)
expect_type("-o ${full}" "${full}" -c)
if(NOT last_stderr MATCHES "No space left on device")
  message(FATAL_ERROR "-o ${full}: unexpected stderr '${last_stderr}'")
endif()
run(2 -- generate --count 100000 -o "${full}")
run(1 --stderr full -- trace -o "${null}" bad_lines.input)

# A FIFO: its reader gets the output, and it stays a FIFO.
execute_process(COMMAND mkfifo "${WORK}/fifo" COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND "${SEARCHTRACE}" trace -o "${WORK}/fifo" seed.input
                COMMAND cat "${WORK}/fifo" WORKING_DIRECTORY "${DATA}"
                TIMEOUT 60 RESULTS_VARIABLE rcs OUTPUT_VARIABLE through_fifo)
if(NOT rcs STREQUAL "0;0")
  message(FATAL_ERROR "-o FIFO: exit codes ${rcs}")
endif()
expect_text("-o FIFO" "${through_fifo}" "${DATA}/seed_bfs.expected")
expect_type("-o FIFO" "${WORK}/fifo" -p)

# /dev/stdout (a descriptor): the output reaches whatever stdout is.
run(0 -- trace -o /dev/stdout seed.input)
expect_text("-o /dev/stdout" "${last_stdout}" "${DATA}/seed_bfs.expected")

# --- -o through symbolic links; kept permissions ----------------------------------------------
file(MAKE_DIRECTORY "${WORK}/links/real")
file(WRITE "${WORK}/links/real/out.txt" "old\n")
file(CREATE_LINK "real/out.txt" "${WORK}/links/link1" SYMBOLIC)
file(CREATE_LINK "link1" "${WORK}/links/link2" SYMBOLIC)
execute_process(COMMAND chmod 600 "${WORK}/links/real/out.txt" COMMAND_ERROR_IS_FATAL ANY)
run(0 -- trace -o "${WORK}/links/link2" seed.input)
expect_type("-o link2" "${WORK}/links/link1" -h)
expect_type("-o link2" "${WORK}/links/link2" -h)
expect_file("-o link2" "${WORK}/links/real/out.txt" "${DATA}/seed_bfs.expected")
expect_mode("-o link2" "${WORK}/links/real/out.txt" 600)
expect_files("-o link2" "${WORK}/links/real" out.txt)
execute_process(COMMAND chmod 640 "${WORK}/links/real/out.txt" COMMAND_ERROR_IS_FATAL ANY)
run(0 -- generate --count 3 -o "${WORK}/links/real/out.txt")
expect_mode("generate -o" "${WORK}/links/real/out.txt" 640)

# --- leftovers of a killed run ----------------------------------------------------------------
# SIGKILL as soon as the temporary file exists: no handler runs, the file stays behind.
file(MAKE_DIRECTORY "${WORK}/killed")
run(137 --kill-when "${WORK}/killed" ".big.txt.tmp-" -- generate --count 100000000
    -o "${WORK}/killed/big.txt")
file(GLOB leftover RELATIVE "${WORK}/killed" "${WORK}/killed/.big.txt.tmp-*")
list(LENGTH leftover n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "SIGKILL: expected one leftover, found '${leftover}'")
endif()
# Another host's leftover and one of a live process (pid 1) must survive the next run.
file(WRITE "${WORK}/killed/.big.txt.tmp-1-0badf00d-other-host.invalid" "x")
cmake_host_system_information(RESULT host QUERY HOSTNAME)
file(WRITE "${WORK}/killed/.big.txt.tmp-1-0badf00d-${host}" "x")
run(0 -- trace -o "${WORK}/killed/big.txt" seed.input)
expect_files("the next run" "${WORK}/killed" big.txt ".big.txt.tmp-1-0badf00d-${host}"
             .big.txt.tmp-1-0badf00d-other-host.invalid)

# --- memory has a bound whatever --chunk and --threads ----------------------------------------
# Under RLIMIT_DATA (heap and thread stacks; sanitizers reserve far more, so not with them).
# Before the bound: --chunk 10000000 kept the whole run in one chunk (285 MB for 1M samples),
# --threads 100000 started threads until the system refused (exit 2).
if(NOT SANITIZED)
  file(MAKE_DIRECTORY "${WORK}/memory")
  set(mem "${WORK}/memory")
  run(0 -- generate --count 500000 --seed 5 -o "${mem}/reference.txt")
  run(0 --data-limit-mib 96 -- generate --count 500000 --seed 5 --chunk 10000000
      -o "${mem}/huge_chunk.txt")
  expect_file("--chunk 10000000 in 96 MiB" "${mem}/huge_chunk.txt" "${mem}/reference.txt")
  # Capped at 4 threads per hardware thread: each costs an 8 MiB stack and two chunks.
  cmake_host_system_information(RESULT cores QUERY NUMBER_OF_LOGICAL_CORES)
  math(EXPR limit "64 + ${cores} * 4 * 16")
  run(0 --data-limit-mib ${limit} -- generate --count 500000 --seed 5 --chunk 50
      --threads 100000 -o "${mem}/many_threads.txt")
  expect_file("--threads 100000 in ${limit} MiB" "${mem}/many_threads.txt"
              "${mem}/reference.txt")
  if(NOT last_stderr MATCHES "^searchtrace generate: note: --threads 100000 lowered to [0-9]+ \\(4 per hardware thread")
    message(FATAL_ERROR "--threads 100000: unexpected stderr '${last_stderr}'")
  endif()
endif()
