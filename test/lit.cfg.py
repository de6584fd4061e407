# lit configuration for cscc's tests (csc-opt and cscc with FileCheck).
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "CSCC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".csc", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
# Unit/ (the runtime's GoogleTest cases) is a suite of its own: lit finds
# build/test/Unit/lit.site.cfg.py there and runs it with Unit/lit.cfg.py,
# not as shell tests of this suite.
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cscc_obj_root, "test")

config.substitutions.append(("%cscc_obj_root", config.cscc_obj_root))
config.substitutions.append(("%cscc_src_root", config.cscc_src_root))
config.substitutions.append(("%examples", os.path.join(config.cscc_src_root, "examples")))
# Generated code allocates through the runtime's checked functions
# (runtime AllocABI.h): under mlir-runner they come from this library.
alloc_lib = os.path.join(config.cscc_obj_root, "lib", "libcscc_runtime_alloc.so")
config.substitutions.append(("%cscc_alloc_lib", alloc_lib))
config.environment["CSCC_ALLOC_LIB"] = alloc_lib
# Debian's python3 (torch, numpy, scipy) in the venv scripts/setup.sh makes
# (adds PyPI's safetensors); plain /usr/bin/python3 before it exists.
venv_python = os.path.join(config.cscc_src_root, ".venv", "bin", "python")
config.substitutions.append(
    ("%PYTHON", venv_python if os.path.exists(venv_python) else "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["cscc", "csc-opt", "cscc-runtime-check"], [config.cscc_tools_dir])

# Feature `cuda-device`: an NVIDIA GPU, its driver and cuDNN 9 are usable
# (`cscc-runtime-check cuda-device-check` exits 0); tests that need one say
# `REQUIRES: cuda-device`. The variables that point the CUDA runtime at a
# device or at cuDNN reach the tests as they reached this check.
for _var in ("CSCC_CUDNN_LIBRARY", "CSCC_CUDA_DEVICE"):
    if _var in os.environ:
        config.environment[_var] = os.environ[_var]
_runtime_check = os.path.join(config.cscc_tools_dir, "cscc-runtime-check")
if os.path.exists(_runtime_check):
    import subprocess

    try:
        if subprocess.run([_runtime_check, "cuda-device-check"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=300).returncode == 0:
            config.available_features.add("cuda-device")
    except (OSError, subprocess.SubprocessError):
        pass

# Feature `cuda-toolkit`: cscc was built with its CUDA runtime (cuda.h and
# cudnn.h found) and the CUDA toolkit is there (ptxas, libdevice, the stub
# driver): the GPU code is compiled and checked without a GPU (PTX, cubins,
# executables built for CUDA, the runtime's no-GPU errors). %cuda_toolkit
# is its directory (CUDA_HOME, else /usr/local/cuda), and ptxas is on PATH.
_cuda_toolkit = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
if "CUDA_HOME" in os.environ:
    config.environment["CUDA_HOME"] = os.environ["CUDA_HOME"]
if (getattr(config, "cscc_have_cuda_runtime", False)
        and os.path.exists(os.path.join(_cuda_toolkit, "bin", "ptxas"))
        and os.path.exists(os.path.join(_cuda_toolkit, "nvvm", "libdevice",
                                        "libdevice.10.bc"))):
    config.available_features.add("cuda-toolkit")
    llvm_config.with_environment(
        "PATH", os.path.join(_cuda_toolkit, "bin"), append_path=True)
config.substitutions.append(("%cuda_toolkit", _cuda_toolkit))
# Feature `nccl`: the toolkit ships NCCL (CUDA 13: lib/libnccl.so.2), which
# the CUDA runtime loads for data-parallel training; %nccl_library is it.
_nccl = [os.path.join(_cuda_toolkit, d, "libnccl.so.2") for d in ("lib", "lib64")]
_nccl = [p for p in _nccl if os.path.exists(p)]
if "cuda-toolkit" in config.available_features and _nccl:
    config.available_features.add("nccl")
config.substitutions.append(("%nccl_library", _nccl[0] if _nccl else "libnccl.so.2"))

# Feature `mpi`: cscc was built with MPI and Open MPI's mpirun is on PATH:
# data-parallel training runs as several processes on this machine.
# `%mpirun -np N CMD` starts them: --oversubscribe (more processes than
# cores: CI has 2), --allow-run-as-root (containers run tests as root), one
# OpenMP thread each. Open MPI reads its settings from the environment
# lit passes (HOME for its session directory, TMPDIR).
import shutil

for _var in ("HOME", "TMPDIR"):
    if _var in os.environ:
        config.environment[_var] = os.environ[_var]
_mpirun = shutil.which("mpirun")
if getattr(config, "cscc_have_mpi", False) and _mpirun:
    config.available_features.add("mpi")
_mpirun_flags = ["--oversubscribe", "-x", "OMP_NUM_THREADS=1"]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    _mpirun_flags.insert(0, "--allow-run-as-root")
config.substitutions.append(
    ("%mpirun", " ".join([_mpirun or "mpirun"] + _mpirun_flags)))
