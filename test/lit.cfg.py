# lit configuration for cscc's tests (csc-opt and cscc with FileCheck).
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "CSCC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".csc", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cscc_obj_root, "test")

config.substitutions.append(("%examples", os.path.join(config.cscc_src_root, "examples")))
config.substitutions.append(("%PYTHON", "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["cscc", "csc-opt", "cscc-runtime-check"], [config.cscc_tools_dir])
