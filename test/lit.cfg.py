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

config.substitutions.append(("%cscc_obj_root", config.cscc_obj_root))
config.substitutions.append(("%examples", os.path.join(config.cscc_src_root, "examples")))
# Debian's python3 (torch, numpy, scipy) in the venv scripts/setup.sh makes
# (adds PyPI's safetensors); plain /usr/bin/python3 before it exists.
venv_python = os.path.join(config.cscc_src_root, ".venv", "bin", "python")
config.substitutions.append(
    ("%PYTHON", venv_python if os.path.exists(venv_python) else "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["cscc", "csc-opt", "cscc-runtime-check"], [config.cscc_tools_dir])
