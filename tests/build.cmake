# The house itself: floors, the build a user or packager runs, the man page.
fp_script_test(build_layers build/layers.sh)
fp_script_test(build_manpage build/manpage.sh)
fp_script_test(build_install build/build.sh)
fp_script_test(build_docrefs build/docrefs.sh)
