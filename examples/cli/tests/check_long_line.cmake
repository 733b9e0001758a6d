# cli.check.long_line: a 1 MiB line (a valid start, then 200,000 re-expansions of the source)
# gets one verdict with at most 1000 errors (Classifier::max_errors), in bounded output, exit 1.
# Arguments: -DSEARCHTRACE=<tool> -DWORK=<scratch directory>.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
string(REPEAT ",0,()" 200000 repeated)
set(line "1,3|2,4|1,2|0,1|0,2|3,4/0,4\t<0,(1,2)${repeated}-4,2,0>=0,2,4\n")
file(WRITE "${WORK}/long.input" "${line}")

foreach(mode IN ITEMS text json)
  set(flags "")
  if(mode STREQUAL "json")
    set(flags --json)
  endif()
  execute_process(
    COMMAND "${SEARCHTRACE}" check ${flags} "${WORK}/long.input"
    OUTPUT_FILE "${WORK}/${mode}.out"
    ERROR_VARIABLE err
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 1)
    message(FATAL_ERROR "check ${flags}: exit ${rc}, expected 1; stderr: ${err}")
  endif()
  if(NOT err STREQUAL "")
    message(FATAL_ERROR "check ${flags}: unexpected stderr: ${err}")
  endif()
  file(SIZE "${WORK}/${mode}.out" size)
  if(size GREATER 400000)
    message(FATAL_ERROR "check ${flags}: ${size} bytes of output for one verdict")
  endif()
endforeach()

file(READ "${WORK}/text.out" text)
if(NOT text MATCHES "long.input: line 1: error\\[revisit/reexpanded\\]: expanded 0 again\n")
  message(FATAL_ERROR "check: unexpected first line:\n${text}")
endif()
if(NOT text MATCHES "\n  = 1000\\+ errors: reexpanded at 9, ")
  message(FATAL_ERROR "check: the summary does not say the errors were capped:\n${text}")
endif()
file(READ "${WORK}/json.out" json)
string(JSON count LENGTH "${json}" errors)
string(JSON first GET "${json}" first_error kind)
if(NOT count EQUAL 1000 OR NOT first STREQUAL "reexpanded")
  message(FATAL_ERROR "check --json: ${count} errors, first ${first}")
endif()
