# readme.quickstart: the README's program and its output are examples/quickstart.cpp and
# examples/quickstart.expected, byte for byte, so the README cannot drift from code that is
# compiled and run as a test (example.quickstart).
#   cmake -DREADME=<README.md> -DEXAMPLES=<examples dir> -P readme_quickstart.cmake
#
# In the README, the program is the first ```cpp block after the line
# "<!-- quickstart.cpp -->" and its output the first ``` block after "<!-- quickstart.expected -->".
cmake_minimum_required(VERSION 3.21)

file(READ "${README}" readme)

function(fenced_block_after marker out_var)
  string(FIND "${readme}" "${marker}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "README.md has no '${marker}' marker")
  endif()
  string(SUBSTRING "${readme}" ${at} -1 rest)
  string(FIND "${rest}" "```" open)
  if(open EQUAL -1)
    message(FATAL_ERROR "no fenced block after '${marker}'")
  endif()
  string(SUBSTRING "${rest}" ${open} -1 rest)
  string(FIND "${rest}" "\n" eol) # skip the ```lang line
  math(EXPR body_start "${eol} + 1")
  string(SUBSTRING "${rest}" ${body_start} -1 rest)
  string(FIND "${rest}" "```" close)
  if(close EQUAL -1)
    message(FATAL_ERROR "unterminated fenced block after '${marker}'")
  endif()
  string(SUBSTRING "${rest}" 0 ${close} body)
  set(${out_var} "${body}" PARENT_SCOPE)
endfunction()

foreach(kind IN ITEMS cpp expected)
  fenced_block_after("<!-- quickstart.${kind} -->" snippet)
  file(READ "${EXAMPLES}/quickstart.${kind}" actual)
  if(NOT snippet STREQUAL actual)
    message(FATAL_ERROR "README.md's quickstart.${kind} block differs from "
                        "examples/quickstart.${kind}:\n--- README\n${snippet}--- file\n${actual}")
  endif()
endforeach()
message(STATUS "README quickstart matches examples/quickstart.cpp and .expected")

# The completions the README quotes elsewhere are the ones the CLI tests expect.
foreach(name IN ITEMS seed_bfs seed_pretty seed_dfs listing_undiscovered stop_on_pop)
  file(READ "${EXAMPLES}/cli/tests/${name}.expected" completion)
  string(STRIP "${completion}" completion)
  string(FIND "${readme}" "${completion}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "README.md does not quote examples/cli/tests/${name}.expected: "
                        "${completion}")
  endif()
endforeach()
