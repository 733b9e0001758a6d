# run_and_compare.cmake -- run a program, compare its output with expected files byte for byte.
#
#   cmake -DSPEC=<file> -P run_and_compare.cmake
#
# SPEC is written by searchtrace_add_cli_test() (cmake/SearchtraceTesting.cmake) and sets
# ST_NAME, ST_COMMAND, ST_INPUT, ST_EXPECTED, ST_EXPECTED_STDERR, ST_EXIT_CODE ("nonzero" or a
# number), ST_WORKING_DIRECTORY and ST_OUTPUT_PREFIX. Set the environment variable
# SEARCHTRACE_UPDATE_EXPECTED=1 to overwrite the expected files with the actual output.
cmake_minimum_required(VERSION 3.21)

if(NOT SPEC OR NOT EXISTS "${SPEC}")
  message(FATAL_ERROR "run_and_compare.cmake: -DSPEC=<file> is missing or does not exist")
endif()
include("${SPEC}")

set(actual_stdout "${ST_OUTPUT_PREFIX}.stdout")
set(actual_stderr "${ST_OUTPUT_PREFIX}.stderr")
if(ST_INPUT)
  set(stdin "${ST_INPUT}")
else()
  set(stdin "${ST_OUTPUT_PREFIX}.empty-stdin")
  file(WRITE "${stdin}" "")
endif()
file(REMOVE "${actual_stdout}" "${actual_stderr}")

execute_process(
  COMMAND ${ST_COMMAND}
  WORKING_DIRECTORY "${ST_WORKING_DIRECTORY}"
  INPUT_FILE "${stdin}"
  OUTPUT_FILE "${actual_stdout}"
  ERROR_FILE "${actual_stderr}"
  RESULT_VARIABLE status)

# A string, not a list: diffs of C++ output are full of semicolons.
set(failures "")
file(READ "${actual_stderr}" stderr_text)

# 1. How did it end?
if(NOT status MATCHES "^[0-9]+$")
  # Not an exit status: the program could not start, or died on a signal.
  string(APPEND failures "* the program did not exit normally: ${status}\n")
elseif(ST_EXIT_CODE STREQUAL "nonzero")
  if(status EQUAL 0)
    string(APPEND failures "* expected a non-zero exit status, got 0\n")
  endif()
elseif(NOT status EQUAL ST_EXIT_CODE)
  string(APPEND failures "* expected exit status ${ST_EXIT_CODE}, got ${status}\n")
endif()

# 2. Sanitizer reports fail the test whatever the exit status.
if(stderr_text MATCHES "==[0-9]+==ERROR: [A-Za-z]+Sanitizer"
   OR stderr_text MATCHES ":[0-9]+:[0-9]+: runtime error: "
   OR stderr_text MATCHES "SUMMARY: [A-Za-z]+Sanitizer")
  string(APPEND failures "* a sanitizer reported an error (see stderr)\n")
endif()

# 3. Outputs, byte for byte.
find_program(DIFF_PROGRAM diff)
function(compare what expected actual)
  if(NOT EXISTS "${expected}")
    set(problem "the expected ${what} file does not exist: ${expected}")
  else()
    execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${expected}" "${actual}"
                    RESULT_VARIABLE different OUTPUT_QUIET ERROR_QUIET)
    if(NOT different)
      return()
    endif()
    set(problem "${what} differs from ${expected}")
  endif()
  if(DEFINED ENV{SEARCHTRACE_UPDATE_EXPECTED} AND NOT "$ENV{SEARCHTRACE_UPDATE_EXPECTED}" STREQUAL ""
     AND NOT "$ENV{SEARCHTRACE_UPDATE_EXPECTED}" STREQUAL "0")
    file(COPY_FILE "${actual}" "${expected}")
    message(STATUS "[${ST_NAME}] updated ${expected}")
    return()
  endif()
  if(EXISTS "${expected}")
    if(DIFF_PROGRAM)
      execute_process(COMMAND "${DIFF_PROGRAM}" -u --label expected --label actual "${expected}"
                              "${actual}" OUTPUT_VARIABLE diff_text)
      string(APPEND problem "\n${diff_text}")
    else()
      file(READ "${expected}" expected_text)
      file(READ "${actual}" actual_text)
      string(APPEND problem "\n--- expected ---\n${expected_text}\n--- actual ---\n${actual_text}")
    endif()
  endif()
  set(failures "${failures}* ${problem}\n" PARENT_SCOPE)
endfunction()

compare(stdout "${ST_EXPECTED}" "${actual_stdout}")
if(ST_EXPECTED_STDERR)
  compare(stderr "${ST_EXPECTED_STDERR}" "${actual_stderr}")
endif()

if(NOT failures STREQUAL "")
  list(JOIN ST_COMMAND " " command_line)
  set(report "[${ST_NAME}] FAILED\n  command: ${command_line}\n  stdin:   ${stdin}\n")
  string(APPEND report "  stdout:  ${actual_stdout}\n  exit:    ${status}\n")
  string(APPEND report "${failures}")
  if(NOT stderr_text STREQUAL "")
    string(APPEND report "--- stderr ---\n${stderr_text}")
  endif()
  # NOTICE prints the text as is (FATAL_ERROR would re-wrap the diff).
  message(NOTICE "${report}")
  message(FATAL_ERROR "[${ST_NAME}] FAILED (see above)")
endif()
