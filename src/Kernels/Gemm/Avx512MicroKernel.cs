using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Gemm;

/// <summary>
/// 6×64 Vector512 kernel: 24 zmm accumulators + 4 B vectors + 1 broadcast = 29 of 32 registers,
/// so nothing spills. Per k step: 4 loads, 6 broadcasts, 24 FMAs = 12 cycles at two 512-bit FMAs
/// per cycle (Zen 5). Blocking, the best of the configurations tried on a 2-vCPU Zen 5 VM (the
/// GEMM's speed on the Zen 4 VM, against ONNX Runtime, is in docs/benchmarks.md):
/// KC = 1024 keeps one K pass for N ≤ 1024 so C is written once; the 6×1024 A micro-panel (24 KiB)
/// sits in L1, the 48×1024 A block (192 KiB) and one 64×1024 B micro-panel (256 KiB) in L2.
/// </summary>
internal readonly unsafe struct Avx512MicroKernel : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 64;
    public static int KC => 1024;
    public static int MC => 48;
    public static int NC => 2048;
    public static bool IsSupported => Avx512F.IsSupported;

    // AggressiveOptimization: straight to the optimising JIT, so the hot loop never runs as
    // tier-0 or OSR code with accumulators on the stack.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        // The tile is read-modified-written once, after ~kc·MR·NR/16 FMAs: fetching it now hides
        // that miss completely (+9–22 %, measured on the 2-vCPU Zen 5 VM the GEMM was tuned on).
        for (int r = 0; r < MR; r++)
        {
            float* row = c + r * ldc;
            Sse.Prefetch0(row + 0);
            Sse.Prefetch0(row + 16);
            Sse.Prefetch0(row + 32);
            Sse.Prefetch0(row + 48);
            Sse.Prefetch0(row + 63);
        }

        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;

        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var b3 = Vector512.Load(b + 48);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(a0, b2, c02);
            c03 = Avx512F.FusedMultiplyAdd(a0, b3, c03);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            c12 = Avx512F.FusedMultiplyAdd(a1, b2, c12);
            c13 = Avx512F.FusedMultiplyAdd(a1, b3, c13);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            c22 = Avx512F.FusedMultiplyAdd(a2, b2, c22);
            c23 = Avx512F.FusedMultiplyAdd(a2, b3, c23);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            c32 = Avx512F.FusedMultiplyAdd(a3, b2, c32);
            c33 = Avx512F.FusedMultiplyAdd(a3, b3, c33);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            c42 = Avx512F.FusedMultiplyAdd(a4, b2, c42);
            c43 = Avx512F.FusedMultiplyAdd(a4, b3, c43);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            c52 = Avx512F.FusedMultiplyAdd(a5, b2, c52);
            c53 = Avx512F.FusedMultiplyAdd(a5, b3, c53);
            a += 6;
            b += 64;
        }

        var va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            (c00 * va).Store(c + 0 * ldc + 0);
            (c01 * va).Store(c + 0 * ldc + 16);
            (c02 * va).Store(c + 0 * ldc + 32);
            (c03 * va).Store(c + 0 * ldc + 48);
            (c10 * va).Store(c + 1 * ldc + 0);
            (c11 * va).Store(c + 1 * ldc + 16);
            (c12 * va).Store(c + 1 * ldc + 32);
            (c13 * va).Store(c + 1 * ldc + 48);
            (c20 * va).Store(c + 2 * ldc + 0);
            (c21 * va).Store(c + 2 * ldc + 16);
            (c22 * va).Store(c + 2 * ldc + 32);
            (c23 * va).Store(c + 2 * ldc + 48);
            (c30 * va).Store(c + 3 * ldc + 0);
            (c31 * va).Store(c + 3 * ldc + 16);
            (c32 * va).Store(c + 3 * ldc + 32);
            (c33 * va).Store(c + 3 * ldc + 48);
            (c40 * va).Store(c + 4 * ldc + 0);
            (c41 * va).Store(c + 4 * ldc + 16);
            (c42 * va).Store(c + 4 * ldc + 32);
            (c43 * va).Store(c + 4 * ldc + 48);
            (c50 * va).Store(c + 5 * ldc + 0);
            (c51 * va).Store(c + 5 * ldc + 16);
            (c52 * va).Store(c + 5 * ldc + 32);
            (c53 * va).Store(c + 5 * ldc + 48);
            return;
        }

        var vb = Vector512.Create(beta);
        Update(c + 0 * ldc + 0, c00, va, vb);
        Update(c + 0 * ldc + 16, c01, va, vb);
        Update(c + 0 * ldc + 32, c02, va, vb);
        Update(c + 0 * ldc + 48, c03, va, vb);
        Update(c + 1 * ldc + 0, c10, va, vb);
        Update(c + 1 * ldc + 16, c11, va, vb);
        Update(c + 1 * ldc + 32, c12, va, vb);
        Update(c + 1 * ldc + 48, c13, va, vb);
        Update(c + 2 * ldc + 0, c20, va, vb);
        Update(c + 2 * ldc + 16, c21, va, vb);
        Update(c + 2 * ldc + 32, c22, va, vb);
        Update(c + 2 * ldc + 48, c23, va, vb);
        Update(c + 3 * ldc + 0, c30, va, vb);
        Update(c + 3 * ldc + 16, c31, va, vb);
        Update(c + 3 * ldc + 32, c32, va, vb);
        Update(c + 3 * ldc + 48, c33, va, vb);
        Update(c + 4 * ldc + 0, c40, va, vb);
        Update(c + 4 * ldc + 16, c41, va, vb);
        Update(c + 4 * ldc + 32, c42, va, vb);
        Update(c + 4 * ldc + 48, c43, va, vb);
        Update(c + 5 * ldc + 0, c50, va, vb);
        Update(c + 5 * ldc + 16, c51, va, vb);
        Update(c + 5 * ldc + 32, c52, va, vb);
        Update(c + 5 * ldc + 48, c53, va, vb);
    }

    // Same rounding as the scalar edge-tile epilogue: fma(c, beta, alpha·acc).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* p, Vector512<float> acc, Vector512<float> va, Vector512<float> vb) =>
        Avx512F.FusedMultiplyAdd(Vector512.Load(p), vb, acc * va).Store(p);
}
