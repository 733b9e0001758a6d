# A document quotes a file byte for byte: the first fenced block after the line MARKER in DOC
# is the content of FILE.
#   cmake -DDOC=<doc.md> -DMARKER=<line> -DFILE=<file> -P doc_block.cmake
cmake_minimum_required(VERSION 3.21)

file(READ "${DOC}" doc)
string(FIND "${doc}" "${MARKER}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC} has no '${MARKER}' marker")
endif()
string(SUBSTRING "${doc}" ${at} -1 rest)
string(FIND "${rest}" "```" open)
if(open EQUAL -1)
  message(FATAL_ERROR "no fenced block after '${MARKER}'")
endif()
string(SUBSTRING "${rest}" ${open} -1 rest)
string(FIND "${rest}" "\n" eol) # skip the ```lang line
math(EXPR body_start "${eol} + 1")
string(SUBSTRING "${rest}" ${body_start} -1 rest)
string(FIND "${rest}" "```" close)
if(close EQUAL -1)
  message(FATAL_ERROR "unterminated fenced block after '${MARKER}'")
endif()
string(SUBSTRING "${rest}" 0 ${close} block)
file(READ "${FILE}" actual)
if(NOT block STREQUAL actual)
  message(FATAL_ERROR "${DOC}: the block after '${MARKER}' differs from ${FILE}:\n"
                      "--- document\n${block}--- file\n${actual}")
endif()
message(STATUS "${DOC} quotes ${FILE}")
