using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The weight-gradient micro-kernel of the shifted layout (CpuShiftedWeightGrad): a 4 × 6 tile of
/// dW = Σ_q dy[co, q] · x[q + offset(tap)] over 16 consecutive wide positions per step — 4 output-
/// gradient rows and 6 taps (input channel, kernel row, kernel column) read in place through their
/// offsets, 24 Vector512 accumulators, 10 loads per 24 FMAs. The sum runs along the positions, the
/// long axis of a weight gradient (images × pixels), so unlike a GEMM over a patch matrix nothing
/// is ever copied per tap; each accumulator is reduced once at the end of a block of positions.
/// </summary>
internal static unsafe class Avx512WeightGradKernel
{
    /// <summary>Output-gradient rows and taps per tile; positions are consumed 16 per step.</summary>
    public const int MR = 4, NR = 6, Step = 16;

    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// c[i·ldc + j] += Σ over steps·16 positions q of dy[i·ldd + q] · x[offsets[j] + q], for i &lt; 4, j &lt; 6;
    /// each accumulator's 16 lanes reduced in a fixed order, so the result is deterministic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int steps, float* dy, nint ldd, float* x, int* offsets, float* c, nint ldc)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c24 = default, c25 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default, c34 = default, c35 = default;
        float* d0 = dy, d1 = dy + ldd, d2 = dy + 2 * ldd, d3 = dy + 3 * ldd;
        float* x0 = x + offsets[0], x1 = x + offsets[1], x2 = x + offsets[2];
        float* x3 = x + offsets[3], x4 = x + offsets[4], x5 = x + offsets[5];
        nint end = (nint)steps * Step;
        for (nint q = 0; q < end; q += Step)
        {
            var a0 = Vector512.Load(d0 + q);
            var a1 = Vector512.Load(d1 + q);
            var a2 = Vector512.Load(d2 + q);
            var a3 = Vector512.Load(d3 + q);
            var b = Vector512.Load(x0 + q);
            c00 = Avx512F.FusedMultiplyAdd(a0, b, c00); c10 = Avx512F.FusedMultiplyAdd(a1, b, c10);
            c20 = Avx512F.FusedMultiplyAdd(a2, b, c20); c30 = Avx512F.FusedMultiplyAdd(a3, b, c30);
            b = Vector512.Load(x1 + q);
            c01 = Avx512F.FusedMultiplyAdd(a0, b, c01); c11 = Avx512F.FusedMultiplyAdd(a1, b, c11);
            c21 = Avx512F.FusedMultiplyAdd(a2, b, c21); c31 = Avx512F.FusedMultiplyAdd(a3, b, c31);
            b = Vector512.Load(x2 + q);
            c02 = Avx512F.FusedMultiplyAdd(a0, b, c02); c12 = Avx512F.FusedMultiplyAdd(a1, b, c12);
            c22 = Avx512F.FusedMultiplyAdd(a2, b, c22); c32 = Avx512F.FusedMultiplyAdd(a3, b, c32);
            b = Vector512.Load(x3 + q);
            c03 = Avx512F.FusedMultiplyAdd(a0, b, c03); c13 = Avx512F.FusedMultiplyAdd(a1, b, c13);
            c23 = Avx512F.FusedMultiplyAdd(a2, b, c23); c33 = Avx512F.FusedMultiplyAdd(a3, b, c33);
            b = Vector512.Load(x4 + q);
            c04 = Avx512F.FusedMultiplyAdd(a0, b, c04); c14 = Avx512F.FusedMultiplyAdd(a1, b, c14);
            c24 = Avx512F.FusedMultiplyAdd(a2, b, c24); c34 = Avx512F.FusedMultiplyAdd(a3, b, c34);
            b = Vector512.Load(x5 + q);
            c05 = Avx512F.FusedMultiplyAdd(a0, b, c05); c15 = Avx512F.FusedMultiplyAdd(a1, b, c15);
            c25 = Avx512F.FusedMultiplyAdd(a2, b, c25); c35 = Avx512F.FusedMultiplyAdd(a3, b, c35);
        }
        Add(c, c00, c01, c02, c03, c04, c05);
        Add(c + ldc, c10, c11, c12, c13, c14, c15);
        Add(c + 2 * ldc, c20, c21, c22, c23, c24, c25);
        Add(c + 3 * ldc, c30, c31, c32, c33, c34, c35);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* row, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2,
                            Vector512<float> v3, Vector512<float> v4, Vector512<float> v5)
    {
        row[0] += Vector512.Sum(v0); row[1] += Vector512.Sum(v1); row[2] += Vector512.Sum(v2);
        row[3] += Vector512.Sum(v3); row[4] += Vector512.Sum(v4); row[5] += Vector512.Sum(v5);
    }
}
