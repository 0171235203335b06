# Collector tests: unit tests on crafted messages, the traffic tool, the
# end-to-end tests with the real kernel, the seed capture's golden output.
add_executable(fptraffic tools/fptraffic.c)
target_link_libraries(fptraffic PRIVATE PkgConfig::NFLOG)
list(APPEND FLOWPOL_TEST_ENV FPTRAFFIC=$<TARGET_FILE:fptraffic>)
fp_unit_test(test_decode test_decode.c)
fp_unit_test(test_pcap test_pcap.c)
fp_unit_test(test_aggregate test_aggregate.c)
fp_unit_test(test_nftrule test_nftrule.c)
fp_script_test(collect_seed e2e/collect_seed.sh)
fp_script_test(collect_live e2e/collect.sh)
fp_script_test(collect_bad e2e/collect_bad.sh)
fp_script_test(collect_install_rule e2e/collect_install_rule.sh)

# Fuzzing: one harness per parser. The saved corpus replays in every build
# (and so under ASan/UBSan in the sanitizer run); FLOWPOL_FUZZ=ON (with
# CC=clang) also builds the libFuzzer binaries fuzz_decode and fuzz_pcap.
set(FP_FUZZ_SRCS ${CMAKE_SOURCE_DIR}/collector/decode.c
  ${CMAKE_SOURCE_DIR}/collector/pcap.c ${CMAKE_SOURCE_DIR}/common/err.c)
foreach(h decode pcap)
  add_executable(fuzz_replay_${h} fuzz/fuzz_${h}.c fuzz/replay.c ${FP_FUZZ_SRCS})
  add_test(NAME fuzz_replay_${h} COMMAND fuzz_replay_${h}
    ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${h})
  if(FLOWPOL_FUZZ)
    add_executable(fuzz_${h} fuzz/fuzz_${h}.c ${FP_FUZZ_SRCS})
    # common/err.c forwards its format: clang warns where gcc does not.
    target_compile_options(fuzz_${h} PRIVATE -fsanitize=fuzzer,address,undefined
      -Wno-format-nonliteral)
    target_link_options(fuzz_${h} PRIVATE -fsanitize=fuzzer,address,undefined)
  endif()
endforeach()
fp_script_test(collect_loss e2e/collect_loss.sh)
