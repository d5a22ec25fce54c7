// Device discovery and a self-test of the toolchain: a hand-written kernel and cuBLAS against the host.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cuda_backend.h"

#define CUDA_TRY(call, buffer, size)                                                                           \
    do {                                                                                                       \
        cudaError_t status_ = (call);                                                                          \
        if (status_ != cudaSuccess) {                                                                          \
            snprintf(buffer, (size_t)(size), "%s:%d: %s: %s", __FILE__, __LINE__, #call,                       \
                     cudaGetErrorString(status_));                                                             \
            return -1;                                                                                         \
        }                                                                                                      \
    } while (0)

extern "C" int lc_cuda_describe(char *buffer, int size) {
    int runtime = 0, cublas_version = 0, devices = 0;
    cudaRuntimeGetVersion(&runtime);
    cublasGetProperty(MAJOR_VERSION, &cublas_version);
    int cublas_minor = 0;
    cublasGetProperty(MINOR_VERSION, &cublas_minor);
    size_t cudnn = cudnnGetVersion();
    if (cudaGetDeviceCount(&devices) != cudaSuccess) devices = 0;
    int used = snprintf(buffer, (size_t)size, "CUDA runtime %d.%d, cuBLAS %d.%d, cuDNN %zu.%zu.%zu, %d device(s)",
                        runtime / 1000, (runtime % 1000) / 10, cublas_version, cublas_minor, cudnn / 10000,
                        (cudnn % 10000) / 100, cudnn % 100, devices);
    for (int d = 0; d < devices && used > 0 && used < size; d++) {
        cudaDeviceProp prop;
        if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) break;
        used += snprintf(buffer + used, (size_t)(size - used), "\n  GPU %d: %s, sm_%d%d, %.1f GiB", d, prop.name,
                         prop.major, prop.minor, prop.totalGlobalMem / 1073741824.0);
    }
    return devices;
}

// y[i] = a * x[i] + y[i]; one thread per element.
__global__ void saxpy_kernel(int n, float a, const float *x, float *y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

extern "C" int lc_cuda_self_test(int device, int n, char *buffer, int size) {
    CUDA_TRY(cudaSetDevice(device), buffer, size);
    float *x = (float *)malloc(sizeof(float) * (size_t)n);
    float *y = (float *)malloc(sizeof(float) * (size_t)n);
    float *result = (float *)malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++) x[i] = (float)((i % 97) - 48) / 7.0f, y[i] = (float)(i % 13) - 6.0f;
    const float a = 1.5f;
    float *dx = NULL, *dy = NULL;
    int status = -1;
    cublasHandle_t handle = NULL;
    if (cudaMalloc(&dx, sizeof(float) * (size_t)n) != cudaSuccess ||
        cudaMalloc(&dy, sizeof(float) * (size_t)n) != cudaSuccess ||
        cudaMemcpy(dx, x, sizeof(float) * (size_t)n, cudaMemcpyHostToDevice) != cudaSuccess ||
        cudaMemcpy(dy, y, sizeof(float) * (size_t)n, cudaMemcpyHostToDevice) != cudaSuccess) {
        snprintf(buffer, (size_t)size, "device %d: allocation or copy failed", device);
        goto done;
    }
    // kernel once, then cuBLAS once: y_final = y + 2 a x
    saxpy_kernel<<<(n + 255) / 256, 256>>>(n, a, dx, dy);
    if (cudaGetLastError() != cudaSuccess || cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS ||
        cublasSaxpy(handle, n, &a, dx, 1, dy, 1) != CUBLAS_STATUS_SUCCESS ||
        cudaMemcpy(result, dy, sizeof(float) * (size_t)n, cudaMemcpyDeviceToHost) != cudaSuccess) {
        snprintf(buffer, (size_t)size, "device %d: kernel or cuBLAS call failed", device);
        goto done;
    }
    status = 0;
    for (int i = 0; i < n && status == 0; i++) {
        float expected = y[i] + a * x[i] + a * x[i];
        if (fabsf(result[i] - expected) > 1e-5f * (1.0f + fabsf(expected))) {
            snprintf(buffer, (size_t)size, "device %d: element %d is %g, host %g", device, i, result[i], expected);
            status = -1;
        }
    }
    if (status == 0) snprintf(buffer, (size_t)size, "device %d: kernel and cuBLAS saxpy agree with host on %d elements", device, n);
done:
    if (handle) cublasDestroy(handle);
    cudaFree(dx);
    cudaFree(dy);
    free(x);
    free(y);
    free(result);
    return status;
}
