# Finds every external dependency and exposes them as one interface target, legocryst::deps.
# Each missing piece stops the configure step with the Debian package that provides it.

find_package(PkgConfig REQUIRED)

find_package(MPI REQUIRED COMPONENTS C)

# Parallel HDF5 (Debian: libhdf5-openmpi-dev). A serial HDF5 cannot write the shared candidate database.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "The HDF5 found (${HDF5_C_INCLUDE_DIRS}) is serial; legocryst needs parallel HDF5 "
                      "(Debian: apt-get install libhdf5-openmpi-dev).")
endif()

find_path(SPGLIB_INCLUDE_DIR spglib.h)
find_library(SPGLIB_LIBRARY symspg)
if(NOT SPGLIB_INCLUDE_DIR OR NOT SPGLIB_LIBRARY)
  message(FATAL_ERROR "spglib not found (Debian: apt-get install libsymspg-dev)")
endif()

# PETSc 3.18 with TAO. Debian installs PETSc.pc in a versioned directory as well as the multiarch one.
set(ENV{PKG_CONFIG_PATH} "$ENV{PKG_CONFIG_PATH}:/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real/lib/pkgconfig")
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc>=3.18)

find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-pthread openblas)
find_library(OPENBLAS_LIBRARY openblas)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found (Debian: apt-get install libopenblas-dev)")
endif()

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h)
if(NOT RANDOM123_INCLUDE_DIR)
  message(FATAL_ERROR "Random123 headers not found (Debian: apt-get install librandom123-dev)")
endif()

# COD's CIF parser; its headers need cexceptions, and its own names (cif.h, common.h) are generic, so its
# include directory is only given to src/io/cif_syntax.c (see src/io/CMakeLists.txt).
find_library(CODCIF_LIBRARY NAMES libcodcif.a codcif)
find_library(CEXCEPTIONS_LIBRARY NAMES cexceptions)
if(NOT CODCIF_LIBRARY OR NOT CEXCEPTIONS_LIBRARY)
  message(FATAL_ERROR "COD CIF parser not found (Debian: apt-get install libcodcif-dev libcexceptions-dev)")
endif()

# libinih reads the input deck (src/cli/deck.c).
pkg_check_modules(INIH IMPORTED_TARGET inih)
if(NOT INIH_FOUND)
  message(FATAL_ERROR "libinih not found (Debian: apt-get install libinih-dev)")
endif()

# zlib compresses the PNG plots of `legocryst report` (src/report/png.c).
find_package(ZLIB)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "zlib not found (Debian: apt-get install zlib1g-dev)")
endif()

# OpenMP for the neural-network loops (src/nn); optional: without it the pragmas are ignored and loops run serially.
find_package(OpenMP COMPONENTS C)

add_library(legocryst_deps INTERFACE)
add_library(legocryst::deps ALIAS legocryst_deps)
target_include_directories(legocryst_deps SYSTEM INTERFACE ${SPGLIB_INCLUDE_DIR} ${OPENBLAS_INCLUDE_DIR}
                           ${RANDOM123_INCLUDE_DIR} ${HDF5_C_INCLUDE_DIRS})
target_link_libraries(legocryst_deps INTERFACE MPI::MPI_C ${HDF5_C_LIBRARIES} ${SPGLIB_LIBRARY}
                      PkgConfig::PETSC ${OPENBLAS_LIBRARY} ${CODCIF_LIBRARY} ${CEXCEPTIONS_LIBRARY}
                      PkgConfig::INIH ZLIB::ZLIB)
target_compile_definitions(legocryst_deps INTERFACE ${HDF5_C_DEFINITIONS})
if(OpenMP_C_FOUND)
  target_link_libraries(legocryst_deps INTERFACE OpenMP::OpenMP_C)
endif()

# CUDA: AUTO builds kernels/ when nvcc is there; ON requires it; OFF never builds it.
set(LEGOCRYST_HAVE_CUDA OFF)
if(NOT LEGOCRYST_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  # Hopper (H100/H200) unless the user names other architectures.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 90)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    find_library(CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
    find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
    find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
    if(NOT CUDNN_LIBRARY OR NOT NCCL_LIBRARY OR NOT NCCL_INCLUDE_DIR)
      message(FATAL_ERROR "CUDA found but cuDNN or NCCL missing under ${CUDAToolkit_LIBRARY_DIR}")
    endif()
    set(LEGOCRYST_HAVE_CUDA ON)
  elseif(LEGOCRYST_CUDA STREQUAL "ON")
    message(FATAL_ERROR "LEGOCRYST_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
message(STATUS "legocryst: CUDA backend ${LEGOCRYST_HAVE_CUDA}")
