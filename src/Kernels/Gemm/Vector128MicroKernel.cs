using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SparseCore.Kernels.Gemm;

/// <summary>
/// 4×16 Vector128 kernel, the portable fallback (Arm64 NEON, pre-AVX2 x86): 16 accumulators,
/// which fits NEON's 32 registers. MultiplyAddEstimate fuses where the hardware can and is
/// deterministic on a given machine. Blocking untuned.
/// </summary>
internal readonly unsafe struct Vector128MicroKernel : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 1024;
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    // AggressiveOptimization: straight to the optimising JIT, so the hot loop never runs as
    // tier-0 or OSR code with accumulators on the stack.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector128<float> c30 = default, c31 = default, c32 = default, c33 = default;

        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var b2 = Vector128.Load(b + 8);
            var b3 = Vector128.Load(b + 12);
            var a0 = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            c02 = Vector128.MultiplyAddEstimate(a0, b2, c02);
            c03 = Vector128.MultiplyAddEstimate(a0, b3, c03);
            var a1 = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            c12 = Vector128.MultiplyAddEstimate(a1, b2, c12);
            c13 = Vector128.MultiplyAddEstimate(a1, b3, c13);
            var a2 = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            c22 = Vector128.MultiplyAddEstimate(a2, b2, c22);
            c23 = Vector128.MultiplyAddEstimate(a2, b3, c23);
            var a3 = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            c32 = Vector128.MultiplyAddEstimate(a3, b2, c32);
            c33 = Vector128.MultiplyAddEstimate(a3, b3, c33);
            a += 4;
            b += 16;
        }

        var va = Vector128.Create(alpha);
        if (beta == 0f)
        {
            (c00 * va).Store(c + 0 * ldc + 0);
            (c01 * va).Store(c + 0 * ldc + 4);
            (c02 * va).Store(c + 0 * ldc + 8);
            (c03 * va).Store(c + 0 * ldc + 12);
            (c10 * va).Store(c + 1 * ldc + 0);
            (c11 * va).Store(c + 1 * ldc + 4);
            (c12 * va).Store(c + 1 * ldc + 8);
            (c13 * va).Store(c + 1 * ldc + 12);
            (c20 * va).Store(c + 2 * ldc + 0);
            (c21 * va).Store(c + 2 * ldc + 4);
            (c22 * va).Store(c + 2 * ldc + 8);
            (c23 * va).Store(c + 2 * ldc + 12);
            (c30 * va).Store(c + 3 * ldc + 0);
            (c31 * va).Store(c + 3 * ldc + 4);
            (c32 * va).Store(c + 3 * ldc + 8);
            (c33 * va).Store(c + 3 * ldc + 12);
            return;
        }

        var vb = Vector128.Create(beta);
        Update(c + 0 * ldc + 0, c00, va, vb);
        Update(c + 0 * ldc + 4, c01, va, vb);
        Update(c + 0 * ldc + 8, c02, va, vb);
        Update(c + 0 * ldc + 12, c03, va, vb);
        Update(c + 1 * ldc + 0, c10, va, vb);
        Update(c + 1 * ldc + 4, c11, va, vb);
        Update(c + 1 * ldc + 8, c12, va, vb);
        Update(c + 1 * ldc + 12, c13, va, vb);
        Update(c + 2 * ldc + 0, c20, va, vb);
        Update(c + 2 * ldc + 4, c21, va, vb);
        Update(c + 2 * ldc + 8, c22, va, vb);
        Update(c + 2 * ldc + 12, c23, va, vb);
        Update(c + 3 * ldc + 0, c30, va, vb);
        Update(c + 3 * ldc + 4, c31, va, vb);
        Update(c + 3 * ldc + 8, c32, va, vb);
        Update(c + 3 * ldc + 12, c33, va, vb);
    }

    // Same rounding as the scalar edge-tile epilogue: fma(c, beta, alpha·acc).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* p, Vector128<float> acc, Vector128<float> va, Vector128<float> vb) =>
        Vector128.MultiplyAddEstimate(Vector128.Load(p), vb, acc * va).Store(p);
}
