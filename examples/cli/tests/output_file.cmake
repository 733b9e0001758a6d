# cli.trace.output_file: `searchtrace trace -o FILE` writes FILE atomically.
#   cmake -DSEARCHTRACE=<binary> -DDATA=<examples/cli/tests> -DWORK=<scratch dir> -P output_file.cmake
cmake_minimum_required(VERSION 3.21)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(out "${WORK}/out.txt")

function(run expected_rc)
  execute_process(COMMAND "${SEARCHTRACE}" ${ARGN} WORKING_DIRECTORY "${DATA}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(NOT rc STREQUAL expected_rc)
    message(FATAL_ERROR "'${ARGN}': expected exit ${expected_rc}, got ${rc}\n${stderr}")
  endif()
  if(NOT stdout STREQUAL "")
    message(FATAL_ERROR "'${ARGN}': expected nothing on stdout with -o, got:\n${stdout}")
  endif()
endfunction()

function(expect_output expected_file)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${out}" "${expected_file}"
                  RESULT_VARIABLE different)
  if(different)
    file(READ "${out}" actual)
    message(FATAL_ERROR "${out} differs from ${expected_file}:\n${actual}")
  endif()
  # Nothing else in the directory: no temporary file left behind.
  file(GLOB left "${WORK}/*" "${WORK}/.*")
  if(NOT left STREQUAL "${out}")
    message(FATAL_ERROR "unexpected files in ${WORK}: ${left}")
  endif()
endfunction()

# A clean run creates the file.
run(0 trace -o "${out}" seed.input)
expect_output("${DATA}/seed_bfs.expected")

# Bad lines still make a complete output (exit 1): the file replaces the previous one.
run(1 trace --output "${out}" bad_lines.input)
expect_output("${DATA}/bad_lines.expected")

# A fatal error (a missing input) leaves the previous file exactly as it was.
run(2 trace -o "${out}" seed.input no_such_file.input)
expect_output("${DATA}/bad_lines.expected")

# An output directory that does not exist: exit 2, and nothing is created.
run(2 trace -o "${WORK}/no_such_dir/out.txt" seed.input)
expect_output("${DATA}/bad_lines.expected")
