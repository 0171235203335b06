# The emitter's tests (issue 5).
add_executable(emit_fixture tools/emit_fixture.c emitter_gen.c)
target_link_libraries(emit_fixture PRIVATE ${FLOWPOL_LIBS} PkgConfig::SQLITE3 PkgConfig::YAML PkgConfig::NFLOG m)

add_executable(emit_engine_check tools/emit_engine_check.c)
target_link_libraries(emit_engine_check PRIVATE ${FLOWPOL_LIBS} PkgConfig::SQLITE3 PkgConfig::YAML PkgConfig::NFLOG m)
list(APPEND FLOWPOL_TEST_ENV EMIT_FIXTURE=$<TARGET_FILE:emit_fixture>
  EMIT_ENGINE_CHECK=$<TARGET_FILE:emit_engine_check>)

fp_script_test(emit_seed_golden emitter/seed_golden.sh)
fp_script_test(emit_validate emitter/validate.sh)
fp_script_test(emit_proof emitter/proof.sh)
fp_script_test(emit_options emitter/options.sh)
fp_script_test(emit_outdir emitter/outdir.sh)
fp_script_test(emit_version emitter/version.sh)
fp_unit_test(test_emit test_emit.c emitter_gen.c)
fp_script_test(emit_seed_pipeline emitter/seed_pipeline.sh)
fp_script_test(emit_e2e_live emitter/e2e_live.sh)
