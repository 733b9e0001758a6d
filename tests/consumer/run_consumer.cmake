# run_consumer.cmake -- configure, build and run one consumer project of tests/consumer/.
#
#   cmake -DMODE=find_package|add_subdirectory|fetchcontent -DSOURCE_DIR=<repo>
#         -DCONSUMER_DIR=<tests/consumer/MODE> -DWORK_DIR=<scratch dir> -DGENERATOR=<generator>
#         [-DMAKE_PROGRAM=<make>] -DCXX_COMPILER=<c++> -DEXPECTED_VERSION=<x.y.z>
#         -P run_consumer.cmake
#
# The consumer is built with the same generator and compiler as the main build, without its
# flags (so no sanitizers); for find_package, searchtrace is first installed to WORK_DIR/prefix
# from a fresh configure of SOURCE_DIR with tests, examples and benchmarks off.
cmake_minimum_required(VERSION 3.21)

foreach(var IN ITEMS MODE SOURCE_DIR CONSUMER_DIR WORK_DIR GENERATOR CXX_COMPILER
                     EXPECTED_VERSION)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(common_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
                -DCMAKE_BUILD_TYPE=Debug)
if(MAKE_PROGRAM)
  list(APPEND common_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

function(run step)
  message(STATUS "[consumer.${MODE}] ${step}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "[consumer.${MODE}] ${step} failed (${status}):\n${out}")
  endif()
endfunction()

set(consumer_args "")
if(MODE STREQUAL "find_package")
  set(prefix "${WORK_DIR}/prefix")
  run("configure searchtrace" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/searchtrace"
      ${common_args} "-DCMAKE_INSTALL_PREFIX=${prefix}" -DSEARCHTRACE_BUILD_TESTS=OFF
      -DSEARCHTRACE_BUILD_EXAMPLES=OFF -DSEARCHTRACE_BUILD_BENCHMARKS=OFF)
  run("install searchtrace" "${CMAKE_COMMAND}" --install "${WORK_DIR}/searchtrace" --config Debug)
  foreach(file IN ITEMS include/searchtrace/version.hpp)
    if(NOT EXISTS "${prefix}/${file}")
      message(FATAL_ERROR "[consumer.${MODE}] not installed: ${prefix}/${file}")
    endif()
  endforeach()
  file(GLOB_RECURSE config_files "${prefix}/*/searchtraceConfig.cmake")
  if(NOT config_files)
    message(FATAL_ERROR "[consumer.${MODE}] searchtraceConfig.cmake was not installed")
  endif()
  list(APPEND consumer_args "-DCMAKE_PREFIX_PATH=${prefix}")
elseif(MODE STREQUAL "add_subdirectory" OR MODE STREQUAL "fetchcontent")
  list(APPEND consumer_args "-DSEARCHTRACE_SOURCE_DIR=${SOURCE_DIR}")
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

set(build "${WORK_DIR}/build")
run("configure consumer" "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${build}" ${common_args}
    ${consumer_args})
run("build consumer" "${CMAKE_COMMAND}" --build "${build}" --config Debug)

if(MODE STREQUAL "find_package")
  # Make sure the installed package was used, not something else on the system.
  file(STRINGS "${build}/CMakeCache.txt" found REGEX "^searchtrace_DIR:")
  cmake_path(SET prefix_norm NORMALIZE "${prefix}")
  string(FIND "${found}" "${prefix_norm}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "[consumer.${MODE}] found the wrong searchtrace: ${found}")
  endif()
endif()

file(GLOB_RECURSE programs "${build}/consumer" "${build}/consumer.exe")
list(FILTER programs EXCLUDE REGEX "/CMakeFiles/")
if(NOT programs)
  message(FATAL_ERROR "[consumer.${MODE}] the consumer program was not built")
endif()
list(GET programs 0 program)
execute_process(COMMAND "${program}" RESULT_VARIABLE status OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT status EQUAL 0 OR NOT out STREQUAL "${EXPECTED_VERSION} frontier_order\n")
  message(FATAL_ERROR "[consumer.${MODE}] ${program} exited with ${status}, printed "
                      "'${out}' (expected '${EXPECTED_VERSION} frontier_order\\n')\n${err}")
endif()
message(STATUS "[consumer.${MODE}] OK: ${out}")
