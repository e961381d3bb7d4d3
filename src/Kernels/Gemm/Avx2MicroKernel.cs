using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Gemm;

/// <summary>
/// 6×16 Vector256 kernel for x86 without AVX-512: 12 ymm accumulators + 2 B vectors + 1 broadcast
/// = 15 of the 16 ymm registers. Blocking is a conventional guess for 32–48 KiB L1 / ≥512 KiB L2:
/// not tuned (this VM has AVX-512 and takes the 6×64 kernel).
/// </summary>
internal readonly unsafe struct Avx2MicroKernel : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 512;
    public static int MC => 96;
    public static int NC => 2048;
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

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
            Sse.Prefetch0(row + 15);
        }

        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;

        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }

        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (c00 * va).Store(c + 0 * ldc + 0);
            (c01 * va).Store(c + 0 * ldc + 8);
            (c10 * va).Store(c + 1 * ldc + 0);
            (c11 * va).Store(c + 1 * ldc + 8);
            (c20 * va).Store(c + 2 * ldc + 0);
            (c21 * va).Store(c + 2 * ldc + 8);
            (c30 * va).Store(c + 3 * ldc + 0);
            (c31 * va).Store(c + 3 * ldc + 8);
            (c40 * va).Store(c + 4 * ldc + 0);
            (c41 * va).Store(c + 4 * ldc + 8);
            (c50 * va).Store(c + 5 * ldc + 0);
            (c51 * va).Store(c + 5 * ldc + 8);
            return;
        }

        var vb = Vector256.Create(beta);
        Update(c + 0 * ldc + 0, c00, va, vb);
        Update(c + 0 * ldc + 8, c01, va, vb);
        Update(c + 1 * ldc + 0, c10, va, vb);
        Update(c + 1 * ldc + 8, c11, va, vb);
        Update(c + 2 * ldc + 0, c20, va, vb);
        Update(c + 2 * ldc + 8, c21, va, vb);
        Update(c + 3 * ldc + 0, c30, va, vb);
        Update(c + 3 * ldc + 8, c31, va, vb);
        Update(c + 4 * ldc + 0, c40, va, vb);
        Update(c + 4 * ldc + 8, c41, va, vb);
        Update(c + 5 * ldc + 0, c50, va, vb);
        Update(c + 5 * ldc + 8, c51, va, vb);
    }

    // Same rounding as the scalar edge-tile epilogue: fma(c, beta, alpha·acc).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* p, Vector256<float> acc, Vector256<float> va, Vector256<float> vb) =>
        Fma.MultiplyAdd(Vector256.Load(p), vb, acc * va).Store(p);
}
