// A tiny host emulator of the CUDA features our kernels use, so that their index arithmetic, tiling and
// reductions can be checked on a machine without a GPU (emu_test.cpp, run by emu_test.sh). Each block runs
// on its own: its threads are std::threads, __syncthreads is a std::barrier over the block, a warp shuffle
// is an exchange through memory between two barriers over the warp. __shared__ becomes static storage,
// which is per block because blocks run one after another. Floating point is IEEE without contraction
// (-ffp-contract=off), so an explicit __fmaf_rn is the only fused operation, as on the GPU.
// It checks logic, not speed, memory coalescing, or the GPU's exp/log ulps.
#pragma once
#include <barrier>
#include <cmath>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

struct emu_dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local emu_dim3 threadIdx, blockIdx;
inline emu_dim3 blockDim, gridDim;
inline std::barrier<>* emu_block_barrier = nullptr;
inline std::vector<std::barrier<>*> emu_warp_barriers;
inline double emu_xchg[1024];

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(x)
#define __shared__ static

inline void __syncthreads() { emu_block_barrier->arrive_and_wait(); }
inline float __fmaf_rn(float a, float b, float c) { return std::fmaf(a, b, c); }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
template <class A, class B> inline auto min(A a, B b) { return a < b ? a : b; }
template <class A, class B> inline auto max(A a, B b) { return a > b ? a : b; }
using std::exp; using std::log; using std::sqrt; using std::fmax;

template <class T> inline T __shfl_xor_sync(unsigned, T v, int o) {
    unsigned tid = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    unsigned w = tid / 32;
    emu_xchg[tid] = (double)v;
    emu_warp_barriers[w]->arrive_and_wait();
    T r = (T)emu_xchg[(tid ^ o)];
    emu_warp_barriers[w]->arrive_and_wait();     // nobody overwrites before everyone has read
    return r;
}

// launch(kernel, grid, block, args...): blocks in order, each block's threads concurrently.
template <class... P, class... A>
void emu_launch(void (*k)(P...), emu_dim3 grid, unsigned threads, A... args) {
    gridDim = grid;
    blockDim = emu_dim3{threads, 1, 1};
    for (unsigned z = 0; z < grid.z; z++)
        for (unsigned y = 0; y < grid.y; y++)
            for (unsigned x = 0; x < grid.x; x++) {
                std::barrier<> bb(threads);
                emu_block_barrier = &bb;
                std::vector<std::barrier<>*> wb;
                for (unsigned w = 0; w < (threads + 31) / 32; w++) wb.push_back(new std::barrier<>(std::min(32u, threads - 32 * w)));
                emu_warp_barriers = wb;
                std::vector<std::thread> ts;
                for (unsigned t = 0; t < threads; t++)
                    ts.emplace_back([=] { threadIdx = emu_dim3{t, 0, 0}; blockIdx = emu_dim3{x, y, z}; k(((P)args)...); });
                for (auto& t : ts) t.join();
                for (auto* b : wb) delete b;
            }
}
