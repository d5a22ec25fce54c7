/* The CUDA backend as seen from C (implemented in the .cu files of kernels/). Present only in builds with LEGOCRYST_HAVE_CUDA. */
#ifndef LEGOCRYST_KERNELS_CUDA_BACKEND_H
#define LEGOCRYST_KERNELS_CUDA_BACKEND_H

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the CUDA runtime, cuBLAS and cuDNN versions and the visible devices into buffer.
 * Returns the number of visible devices (0 when there is no device or no driver). */
int lc_cuda_describe(char *buffer, int size);

/* Runs y = a * x + y on device `device` for n elements through a hand-written kernel and through cuBLAS and
 * compares both with the host result. Returns 0 when all agree to float rounding, -1 otherwise (message in
 * buffer). */
int lc_cuda_self_test(int device, int n, char *buffer, int size);

#ifdef __cplusplus
}
#endif

#endif
