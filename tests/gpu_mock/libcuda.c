/* A stand-in for the CUDA driver (libcuda.so) for the host side of VeZ's GPU support in CI,
   where there is no GPU: "device" memory is host memory, a module is the PTX text, and a
   launch runs nothing but prints what it was given on stderr:
       mock launch NAME<<<(gx, gy, gz), (bx, by, bz)>>>(P0, P1, ...)
   reading each parameter with the width its `.param` declaration in the PTX gives it; a
   parameter that holds the address of mock device memory prints as `buf`. A kernel whose
   name starts with `fails` makes the launch fail with CUDA_ERROR_LAUNCH_FAILED (719).
   Build: cc -shared -fPIC libcuda.c -o DIR/libcuda.so, then run with LD_LIBRARY_PATH=DIR. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef uint64_t CUdeviceptr;

#define MAX_BUFS 256
static void *bufs[MAX_BUFS];
static int nbufs;

CUresult cuInit(unsigned flags) { (void)flags; return 0; }

CUresult cuDeviceGet(int *dev, int ordinal) {
    if (ordinal != 0) return 101; /* CUDA_ERROR_INVALID_DEVICE */
    *dev = 0;
    return 0;
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void)dev; *ctx = (void *)0x1000; return 0; }
CUresult cuCtxSetCurrent(void *ctx) { (void)ctx; return 0; }
CUresult cuCtxSynchronize(void) { return 0; }

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
    if (nbufs == MAX_BUFS) return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
    void *m = malloc(n);
    if (!m) return 2;
    bufs[nbufs++] = m;
    *p = (CUdeviceptr)(uintptr_t)m;
    return 0;
}

CUresult cuMemsetD8_v2(CUdeviceptr p, unsigned char v, size_t n) {
    memset((void *)(uintptr_t)p, v, n);
    return 0;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
    memcpy((void *)(uintptr_t)dst, src, n);
    return 0;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
    memcpy(dst, (void *)(uintptr_t)src, n);
    return 0;
}

CUresult cuModuleLoadData(void **module, const void *image) {
    if (!strstr((const char *)image, ".entry")) return 218; /* CUDA_ERROR_INVALID_PTX */
    *module = (void *)image;
    return 0;
}

/* A function is the text of its `.entry NAME(` in the PTX. */
CUresult cuModuleGetFunction(void **f, void *module, const char *name) {
    char pat[256];
    snprintf(pat, sizeof pat, ".entry %s(", name);
    char *at = strstr((char *)module, pat);
    if (!at) return 500; /* CUDA_ERROR_NOT_FOUND */
    *f = at;
    return 0;
}

static int is_buf(uint64_t v) {
    for (int i = 0; i < nbufs; i++)
        if ((uint64_t)(uintptr_t)bufs[i] == v) return 1;
    return 0;
}

CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shmem, void *stream, void **params, void **extra) {
    (void)shmem; (void)stream; (void)extra;
    const char *entry = (const char *)f + strlen(".entry ");
    const char *open = strchr(entry, '(');
    const char *close = strchr(entry, ')');
    fprintf(stderr, "mock launch %.*s<<<(%u, %u, %u), (%u, %u, %u)>>>(", (int)(open - entry), entry,
            gx, gy, gz, bx, by, bz);
    int k = 0;
    for (const char *p = strstr(open, ".param"); p && p < close; p = strstr(p + 1, ".param"), k++) {
        const char *ty = p + strlen(".param .");
        int bits = atoi(ty + 1);
        if (k) fprintf(stderr, ", ");
        if (bits == 64) {
            uint64_t v = *(uint64_t *)params[k];
            if (is_buf(v)) fprintf(stderr, "buf");
            else fprintf(stderr, "%llu", (unsigned long long)v);
        } else if (bits == 32) {
            fprintf(stderr, "%u", *(uint32_t *)params[k]);
        } else {
            fprintf(stderr, "%u", (unsigned)*(uint8_t *)params[k]);
        }
    }
    fprintf(stderr, ")\n");
    return strncmp(entry, "fails", 5) == 0 ? 719 : 0;
}
