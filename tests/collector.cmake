# Collector tests: unit tests on crafted messages, the traffic tool, the
# end-to-end tests with the real kernel, the seed capture's golden output.
add_executable(fptraffic tools/fptraffic.c)
target_link_libraries(fptraffic PRIVATE PkgConfig::NFLOG)
list(APPEND FLOWPOL_TEST_ENV FPTRAFFIC=$<TARGET_FILE:fptraffic>)
fp_unit_test(test_decode test_decode.c)
fp_unit_test(test_pcap test_pcap.c)
fp_unit_test(test_aggregate test_aggregate.c)
fp_script_test(collect_seed e2e/collect_seed.sh)
fp_script_test(collect_live e2e/collect.sh)
