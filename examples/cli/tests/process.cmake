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
foreach(broken IN ITEMS full broken-pipe)
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

