# python.install: `cmake --install --component python` into a fresh prefix puts the package in
# <prefix>/<PACKAGE_DIR>/searchtrace, and Python imports it from there (not from the build tree:
# run in the prefix, since `python -c` puts the working directory first on sys.path).
# Arguments: BUILD_DIR, PREFIX, PACKAGE_DIR (relative to the prefix), PYTHON.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                        --component python RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${status})")
endif()
set(package "${PREFIX}/${PACKAGE_DIR}/searchtrace")
foreach(name __init__.py _errors.py torch.py _core.pyi py.typed)
  if(NOT EXISTS "${package}/${name}")
    message(FATAL_ERROR "not installed: ${package}/${name}")
  endif()
endforeach()
file(GLOB module "${package}/_core*.so")
if(NOT module)
  message(FATAL_ERROR "not installed: ${package}/_core*.so")
endif()
set(check "import searchtrace, sys; assert searchtrace.__file__.startswith(sys.argv[1]), \
searchtrace.__file__; print(searchtrace.trace('1,3|2,4|1,2|0,1|0,2|3,4/0,4'))")
execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${PREFIX}/${PACKAGE_DIR}" "${PYTHON}"
                        -c "${check}" "${package}" WORKING_DIRECTORY "${PREFIX}"
                RESULT_VARIABLE status OUTPUT_VARIABLE out
                        ERROR_VARIABLE err)
if(NOT status EQUAL 0 OR NOT out STREQUAL "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4\n")
  message(FATAL_ERROR "the installed package does not work (${status}):\n${out}${err}")
endif()
message(STATUS "installed and imported from ${package}")
