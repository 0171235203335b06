# Policy engine: selectors, policy reader, evaluation, explain.
fp_unit_test(test_selector test_selector.c)
fp_script_test(policy_selector_vectors policy/selector_vectors.sh)
fp_unit_test(test_reader test_reader.c)
fp_unit_test(test_evaluate test_evaluate.c)
fp_script_test(policy_explain policy/explain.sh)

# Fuzz harnesses: with -DFLOWPOL_FUZZ=ON (clang) they are libFuzzer
# programs; in every build their saved corpora are replayed through the
# same entry point by a plain main (tests/fuzz/policy_replay.h).
foreach(h selector policy)
  add_executable(fuzz_${h}_replay fuzz/fuzz_${h}.c)
  target_compile_definitions(fuzz_${h}_replay PRIVATE FLOWPOL_FUZZ_REPLAY)
  target_link_libraries(fuzz_${h}_replay PRIVATE -Wl,--start-group
    ${FLOWPOL_LIBS} -Wl,--end-group PkgConfig::SQLITE3 PkgConfig::YAML
    PkgConfig::NFLOG m)
  add_test(NAME policy_fuzz_${h}_replay
    COMMAND fuzz_${h}_replay ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${h})
  if(FLOWPOL_FUZZ)
    add_executable(fuzz_${h} fuzz/fuzz_${h}.c)
    target_compile_options(fuzz_${h} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_${h} PRIVATE -fsanitize=fuzzer
      -Wl,--start-group ${FLOWPOL_LIBS} -Wl,--end-group
      PkgConfig::SQLITE3 PkgConfig::YAML PkgConfig::NFLOG m)
  endif()
endforeach()

# flowpol diff (issue 6): the cron-style end-to-end run, error paths, and
# grouping/ordering at unit level.
fp_unit_test(test_diff test_diff.c)
fp_script_test(policy_diff_cron policy/diff_cron.sh)
fp_script_test(policy_diff_errors policy/diff_errors.sh)
