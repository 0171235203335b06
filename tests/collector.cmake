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

# Fuzzing: one harness per parser (see fp_fuzz_harness).
fp_fuzz_harness(decode)
fp_fuzz_harness(pcap)
fp_script_test(collect_loss e2e/collect_loss.sh)
fp_script_test(collect_enobufs e2e/collect_enobufs.sh)
fp_script_test(collect_ebpf e2e/collect_ebpf.sh)
