using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The 6×64 Vector512 GEMM micro-kernel with its B rows read in place: step kk reads the 64 floats
/// at b + offsets[kk] instead of a packed panel. For a stride-1 conv over a zero-bordered image
/// (CpuShiftedConv) row kk of the patch matrix, for 64 consecutive output positions, is exactly such
/// a run of the image, shifted by the tap's offset — so no patch is ever packed. Same register plan
/// as Gemm/Avx512MicroKernel (24 accumulators, 4 B vectors, 1 broadcast); the loads are unaligned.
/// The row count is a type parameter: the JIT compiles each instantiation with the unused rows'
/// code removed, so the last row panel of a kept-channel count (16 = 6 + 6 + 4) does no padding work.
/// </summary>
internal static unsafe class Avx512ShiftedKernel
{
    public const int MR = 6, NR = 64;

    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Runs the tile for the first <paramref name="rows"/> (1 … 6) rows of the panel.</summary>
    public static void Run(int rows, int kc, float* a, float* b, int* offsets, float* c, nint ldc)
    {
        switch (rows)
        {
            case 6: Run<SixRows>(kc, a, b, offsets, c, ldc); break;
            case 5: Run<FiveRows>(kc, a, b, offsets, c, ldc); break;
            case 4: Run<FourRows>(kc, a, b, offsets, c, ldc); break;
            case 3: Run<ThreeRows>(kc, a, b, offsets, c, ldc); break;
            case 2: Run<TwoRows>(kc, a, b, offsets, c, ldc); break;
            case 1: Run<OneRow>(kc, a, b, offsets, c, ldc); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "a micro-panel has 1 to 6 rows");
        }
    }

    /// <summary>tile[r, j] = Σ_kk a[kk·6 + r] · b[offsets[kk] + j] for r &lt; TRows.Count, written (not accumulated) to c with row stride ldc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TRows>(int kc, float* a, float* b, int* offsets, float* c, nint ldc) where TRows : struct, IRowCount
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;

        for (int p = 0; p < kc; p++)
        {
            float* row = b + offsets[p];
            var b0 = Vector512.Load(row + 0);
            var b1 = Vector512.Load(row + 16);
            var b2 = Vector512.Load(row + 32);
            var b3 = Vector512.Load(row + 48);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(a0, b2, c02);
            c03 = Avx512F.FusedMultiplyAdd(a0, b3, c03);
            if (TRows.Count > 1)
            {
                var a1 = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
                c12 = Avx512F.FusedMultiplyAdd(a1, b2, c12);
                c13 = Avx512F.FusedMultiplyAdd(a1, b3, c13);
            }
            if (TRows.Count > 2)
            {
                var a2 = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
                c22 = Avx512F.FusedMultiplyAdd(a2, b2, c22);
                c23 = Avx512F.FusedMultiplyAdd(a2, b3, c23);
            }
            if (TRows.Count > 3)
            {
                var a3 = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
                c32 = Avx512F.FusedMultiplyAdd(a3, b2, c32);
                c33 = Avx512F.FusedMultiplyAdd(a3, b3, c33);
            }
            if (TRows.Count > 4)
            {
                var a4 = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
                c42 = Avx512F.FusedMultiplyAdd(a4, b2, c42);
                c43 = Avx512F.FusedMultiplyAdd(a4, b3, c43);
            }
            if (TRows.Count > 5)
            {
                var a5 = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
                c52 = Avx512F.FusedMultiplyAdd(a5, b2, c52);
                c53 = Avx512F.FusedMultiplyAdd(a5, b3, c53);
            }
            a += 6;
        }

        c00.Store(c + 0 * ldc + 0);
        c01.Store(c + 0 * ldc + 16);
        c02.Store(c + 0 * ldc + 32);
        c03.Store(c + 0 * ldc + 48);
        if (TRows.Count == 1) return;
        c10.Store(c + 1 * ldc + 0);
        c11.Store(c + 1 * ldc + 16);
        c12.Store(c + 1 * ldc + 32);
        c13.Store(c + 1 * ldc + 48);
        if (TRows.Count == 2) return;
        c20.Store(c + 2 * ldc + 0);
        c21.Store(c + 2 * ldc + 16);
        c22.Store(c + 2 * ldc + 32);
        c23.Store(c + 2 * ldc + 48);
        if (TRows.Count == 3) return;
        c30.Store(c + 3 * ldc + 0);
        c31.Store(c + 3 * ldc + 16);
        c32.Store(c + 3 * ldc + 32);
        c33.Store(c + 3 * ldc + 48);
        if (TRows.Count == 4) return;
        c40.Store(c + 4 * ldc + 0);
        c41.Store(c + 4 * ldc + 16);
        c42.Store(c + 4 * ldc + 32);
        c43.Store(c + 4 * ldc + 48);
        if (TRows.Count == 5) return;
        c50.Store(c + 5 * ldc + 0);
        c51.Store(c + 5 * ldc + 16);
        c52.Store(c + 5 * ldc + 32);
        c53.Store(c + 5 * ldc + 48);
    }
}

/// <summary>A micro-panel's row count as a type, so each count compiles to its own kernel.</summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

internal readonly struct OneRow : IRowCount { public static int Count => 1; }
internal readonly struct TwoRows : IRowCount { public static int Count => 2; }
internal readonly struct ThreeRows : IRowCount { public static int Count => 3; }
internal readonly struct FourRows : IRowCount { public static int Count => 4; }
internal readonly struct FiveRows : IRowCount { public static int Count => 5; }
internal readonly struct SixRows : IRowCount { public static int Count => 6; }
