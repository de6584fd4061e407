# lit configuration for the GoogleTest unit tests (cscc-runtime-unittests):
# every test case of every *unittests binary in build/runtime/unittests is a
# lit test. A suite of its own (build/test/Unit/lit.site.cfg.py), so that
# running lit on build/test runs these as well.
import os

import lit.formats

config.name = "CSCC-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.cscc_obj_root, "runtime", "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "unittests")
