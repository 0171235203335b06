# Learner tests (issue 3).
fp_unit_test(test_inventory test_inventory.c)
fp_unit_test(test_learn test_learn.c)
fp_script_test(learner_seed learner/seed.sh)
fp_script_test(learner_identity learner/identity.sh)
fp_script_test(learner_rollout learner/rollout.sh)
fp_script_test(learner_seed_e2e learner/seed_e2e.sh)
fp_script_test(learner_malformed learner/malformed.sh)
fp_script_test(learner_formats learner/formats.sh)

# Fuzzing the inventory parser: the saved corpus replays in every build (and
# under ASan/UBSan in the sanitizer run); FLOWPOL_FUZZ=ON with CC=clang also
# builds the libFuzzer binary fuzz_inventory.
set(FP_INV_FUZZ_SRCS ${CMAKE_SOURCE_DIR}/learner/inventory.c
  ${CMAKE_SOURCE_DIR}/learner/k8sname.c ${CMAKE_SOURCE_DIR}/policy/labels.c
  ${CMAKE_SOURCE_DIR}/common/err.c ${CMAKE_SOURCE_DIR}/common/ipaddr.c
  ${CMAKE_SOURCE_DIR}/common/timeutil.c ${CMAKE_SOURCE_DIR}/common/store.c
  ${CMAKE_SOURCE_DIR}/common/schema.c)
add_executable(fuzz_replay_inventory fuzz/fuzz_inventory.c fuzz/replay.c
  ${FP_INV_FUZZ_SRCS})
target_link_libraries(fuzz_replay_inventory PRIVATE PkgConfig::YAML PkgConfig::SQLITE3)
add_test(NAME fuzz_replay_inventory COMMAND fuzz_replay_inventory
  ${CMAKE_CURRENT_SOURCE_DIR}/corpus/inventory)
if(FLOWPOL_FUZZ)
  add_executable(fuzz_inventory fuzz/fuzz_inventory.c ${FP_INV_FUZZ_SRCS})
  target_compile_options(fuzz_inventory PRIVATE -fsanitize=fuzzer,address,undefined
    -Wno-format-nonliteral)
  target_link_options(fuzz_inventory PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_inventory PRIVATE PkgConfig::YAML PkgConfig::SQLITE3)
endif()
fp_script_test(learner_watch learner/watch.sh)
