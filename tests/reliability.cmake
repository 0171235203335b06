# Reliability: hostile databases and files, read-only places, concurrency,
# privileges. Each test reproduces one way flowpol could be made to lie,
# write where it must not, hang, or keep more privilege than it needs.
fp_script_test(reliability_hostile_db reliability/hostile_db.sh)
fp_script_test(reliability_readonly reliability/readonly.sh)
fp_script_test(reliability_replay_race reliability/replay_race.sh)
fp_script_test(reliability_concurrent_open reliability/concurrent_open.sh)
fp_script_test(reliability_emit_files reliability/emit_files.sh)
fp_script_test(reliability_times reliability/times.sh)
fp_script_test(reliability_privileges reliability/privileges.sh)
fp_script_test(reliability_configmap reliability/configmap.sh)
fp_script_test(reliability_watch_signals reliability/watch_signals.sh)
fp_script_test(reliability_kill9 reliability/kill9.sh)
