# cli.generate.state: what `searchtrace generate --format ids --state` promises about its files.
#   cmake -DSEARCHTRACE=<binary> -DWORK=<scratch dir> -DEXPECTED=<state_files.expected> -P state.cmake
# The bytes of two small sets are a golden (hex, one file per line: regenerate with
# SEARCHTRACE_UPDATE_EXPECTED=1 and review); the files do not depend on --threads or --chunk
# (also where a chunk stops at its memory bound); --dedup drops rows with their ids; a failed run
# leaves no file. numpy's view of the same files: state_npy.py (cli.generate.state_npy).
cmake_minimum_required(VERSION 3.21)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

function(run expected_rc)
  execute_process(COMMAND "${SEARCHTRACE}" ${ARGN} WORKING_DIRECTORY "${WORK}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(NOT rc STREQUAL expected_rc)
    message(FATAL_ERROR "${ARGN}: expected exit ${expected_rc}, got ${rc}\n${stderr}")
  endif()
  if(stderr MATCHES "AddressSanitizer|runtime error:|LeakSanitizer")
    message(FATAL_ERROR "${ARGN}: sanitizer report\n${stderr}")
  endif()
  set(last_stderr "${stderr}" PARENT_SCOPE)
endfunction()

# The files of a set BASE with --state LAYOUT (and BASE.samples.npy).
function(set_files base layout out)
  set(files ids.bin offsets.bin vocab.json meta.json samples.npy state.phase.npy
            state.current.npy)
  if(layout STREQUAL "packed")
    list(APPEND files state.frontier_bits.npy state.expanded_bits.npy)
  else()
    list(APPEND files state.in_frontier.npy state.expanded.npy state.discovered.npy
         state.frontier_rank.npy state.parent.npy)
  endif()
  list(TRANSFORM files PREPEND "${base}.")
  set(${out} ${files} PARENT_SCOPE)
endfunction()

function(same_set a b layout why)
  set_files(${a} ${layout} files)
  foreach(f IN LISTS files)
    string(REPLACE "${a}." "${b}." g "${f}")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/${f}" "${WORK}/${g}"
                    RESULT_VARIABLE different)
    if(different)
      message(FATAL_ERROR "${why}: ${f} and ${g} differ")
    endif()
  endforeach()
endfunction()

# The golden: G15_2_4 in numeral ids, packed; a small tree in standard ids, dense.
run(0 generate --count 2 --seed 1 --format ids --vocab numeral --state packed -o packed)
run(0 generate "--family=tree(n=5,L=6)" --count 2 --seed 1 --format ids --state dense -o dense)
set(dump "")
foreach(set packed dense)
  set_files(${set} ${set} files)
  foreach(f IN LISTS files)
    file(READ "${WORK}/${f}" hex HEX)
    string(APPEND dump "${f} ${hex}\n")
  endforeach()
endforeach()
if(DEFINED ENV{SEARCHTRACE_UPDATE_EXPECTED})
  file(WRITE "${EXPECTED}" "${dump}")
endif()
file(READ "${EXPECTED}" expected)
if(NOT dump STREQUAL expected)
  file(WRITE "${WORK}/state_files.actual" "${dump}")
  message(FATAL_ERROR "the files differ from ${EXPECTED} (actual: ${WORK}/state_files.actual)")
endif()

# Threads and chunks: the same bytes, packed and dense, with and without --dedup.
set(common --family G15_2_4 --count 3001 --seed 12345 --format ids)
foreach(layout packed dense)
  run(0 generate ${common} --state ${layout} -o ${layout}1)
  run(0 generate ${common} --state ${layout} --threads 2 --chunk 5 -o ${layout}2)
  same_set(${layout}1 ${layout}2 ${layout} "--state ${layout}: --threads 1 vs 2 --chunk 5")
  run(0 generate ${common} --state ${layout} --threads 3 --chunk 1 -o ${layout}3)
  same_set(${layout}1 ${layout}3 ${layout} "--state ${layout}: --threads 1 vs 3 --chunk 1")
endforeach()
# Labels do not change the ids, and --samples-npy alone writes the same samples.npy.
run(0 generate ${common} --samples-npy -o plain)
foreach(ext ids.bin offsets.bin vocab.json samples.npy)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/plain.${ext}"
                          "${WORK}/packed1.${ext}" RESULT_VARIABLE different)
  if(different)
    message(FATAL_ERROR "--samples-npy vs --state packed: ${ext} differs")
  endif()
endforeach()
if(EXISTS "${WORK}/plain.state.phase.npy")
  message(FATAL_ERROR "--samples-npy alone wrote state files")
endif()
set(tiny --family "tree(n=4,L=4)" --count 500 --seed 5 --dedup --format ids --state dense)
run(0 generate ${tiny} -o dedup1)
run(0 generate ${tiny} --threads 2 --chunk 3 -o dedup2)
same_set(dedup1 dedup2 dense "--dedup --state dense: --threads 1 vs 2 --chunk 3")
# Dense rows of L = 200 take about 1.5 MB a sample in a chunk: a chunk stops at its memory bound
# after a sample or two, whatever --chunk says, and the calling thread draws the rest.
set(large --family "connected(n=100,dist=2..12,L=200)" --count 6 --seed 3 --format ids
          --state dense)
run(0 generate ${large} --chunk 1 -o large1)
run(0 generate ${large} --chunk 100000 --threads 2 -o large2)
same_set(large1 large2 dense "large dense rows: --chunk 1 vs --chunk 100000 --threads 2")

# A run that fails leaves none of the files (and nothing else).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
run(1 generate "--family=tree(n=30,dist=29)" --count 5 --format ids --state dense -o never)
file(GLOB left RELATIVE "${WORK}" "${WORK}/*" "${WORK}/.*")
if(left)
  message(FATAL_ERROR "a failed --state run left '${left}'")
endif()
