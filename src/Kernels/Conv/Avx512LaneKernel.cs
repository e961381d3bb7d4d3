using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The conv micro-kernel with output channels in the vector lanes: 6 output positions × 64 output
/// channels, 24 zmm accumulators. Step kk reads a tap (input offset o, weight offset v) from the
/// tile's tap table, broadcasts each position's input at x_r + o (a channel, row and column in a
/// zero-bordered image) and multiplies it into the 64 packed weights at w + v. Why this way round:
/// each position has its own input pointer, so the 6 positions can be any outputs — the next ones
/// in an image, across a row's end or into the next image — and no junk position is computed (the
/// shifted kernel computes 23 % junk for 7×7 outputs, the patch matrix route copies every patch);
/// and why a table: a tile of border positions skips the taps that would only read padding
/// (<see cref="LaneTiling"/>). Per step one table load, 4 weight loads, 6 broadcasts and 24 FMAs.
/// </summary>
internal static unsafe class Avx512LaneKernel
{
    public const int Rows = 6, Lanes = 64;

    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// c_r[j] (+)= Σ_kk x_r[o_kk] · w[v_kk + j] for kk &lt; kc, r &lt; 6, j &lt; 64, where taps[kk] = o_kk | v_kk &lt;&lt; 32
    /// and c_r = c + slots[r]·64: started from zero, or from c_r when <paramref name="accumulate"/> (a
    /// later block of the reduction continues the same FMA chain, so blocking it does not change the
    /// result). Rows may share a slot when they are the same position (they store the same sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* w, long* taps, float* x0, float* x1, float* x2, float* x3, float* x4, float* x5,
                           float* c, int* slots, bool accumulate)
    {
        float* r0 = c + (nint)slots[0] * Lanes, r1 = c + (nint)slots[1] * Lanes, r2 = c + (nint)slots[2] * Lanes;
        float* r3 = c + (nint)slots[3] * Lanes, r4 = c + (nint)slots[4] * Lanes, r5 = c + (nint)slots[5] * Lanes;
        Vector512<float> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        Vector512<float> c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (accumulate)
        {
            c00 = Vector512.Load(r0 + 0); c01 = Vector512.Load(r0 + 16); c02 = Vector512.Load(r0 + 32); c03 = Vector512.Load(r0 + 48);
            c10 = Vector512.Load(r1 + 0); c11 = Vector512.Load(r1 + 16); c12 = Vector512.Load(r1 + 32); c13 = Vector512.Load(r1 + 48);
            c20 = Vector512.Load(r2 + 0); c21 = Vector512.Load(r2 + 16); c22 = Vector512.Load(r2 + 32); c23 = Vector512.Load(r2 + 48);
            c30 = Vector512.Load(r3 + 0); c31 = Vector512.Load(r3 + 16); c32 = Vector512.Load(r3 + 32); c33 = Vector512.Load(r3 + 48);
            c40 = Vector512.Load(r4 + 0); c41 = Vector512.Load(r4 + 16); c42 = Vector512.Load(r4 + 32); c43 = Vector512.Load(r4 + 48);
            c50 = Vector512.Load(r5 + 0); c51 = Vector512.Load(r5 + 16); c52 = Vector512.Load(r5 + 32); c53 = Vector512.Load(r5 + 48);
        }
        else
        {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = default;
            c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            long tap = taps[kk];
            nint o = (int)tap;
            float* wk = w + (nint)(tap >>> 32);
            var b0 = Vector512.Load(wk + 0);
            var b1 = Vector512.Load(wk + 16);
            var b2 = Vector512.Load(wk + 32);
            var b3 = Vector512.Load(wk + 48);
            var a0 = Vector512.Create(x0[o]);
            c00 = Avx512F.FusedMultiplyAdd(b0, a0, c00);
            c01 = Avx512F.FusedMultiplyAdd(b1, a0, c01);
            c02 = Avx512F.FusedMultiplyAdd(b2, a0, c02);
            c03 = Avx512F.FusedMultiplyAdd(b3, a0, c03);
            var a1 = Vector512.Create(x1[o]);
            c10 = Avx512F.FusedMultiplyAdd(b0, a1, c10);
            c11 = Avx512F.FusedMultiplyAdd(b1, a1, c11);
            c12 = Avx512F.FusedMultiplyAdd(b2, a1, c12);
            c13 = Avx512F.FusedMultiplyAdd(b3, a1, c13);
            var a2 = Vector512.Create(x2[o]);
            c20 = Avx512F.FusedMultiplyAdd(b0, a2, c20);
            c21 = Avx512F.FusedMultiplyAdd(b1, a2, c21);
            c22 = Avx512F.FusedMultiplyAdd(b2, a2, c22);
            c23 = Avx512F.FusedMultiplyAdd(b3, a2, c23);
            var a3 = Vector512.Create(x3[o]);
            c30 = Avx512F.FusedMultiplyAdd(b0, a3, c30);
            c31 = Avx512F.FusedMultiplyAdd(b1, a3, c31);
            c32 = Avx512F.FusedMultiplyAdd(b2, a3, c32);
            c33 = Avx512F.FusedMultiplyAdd(b3, a3, c33);
            var a4 = Vector512.Create(x4[o]);
            c40 = Avx512F.FusedMultiplyAdd(b0, a4, c40);
            c41 = Avx512F.FusedMultiplyAdd(b1, a4, c41);
            c42 = Avx512F.FusedMultiplyAdd(b2, a4, c42);
            c43 = Avx512F.FusedMultiplyAdd(b3, a4, c43);
            var a5 = Vector512.Create(x5[o]);
            c50 = Avx512F.FusedMultiplyAdd(b0, a5, c50);
            c51 = Avx512F.FusedMultiplyAdd(b1, a5, c51);
            c52 = Avx512F.FusedMultiplyAdd(b2, a5, c52);
            c53 = Avx512F.FusedMultiplyAdd(b3, a5, c53);
        }

        c00.Store(r0 + 0); c01.Store(r0 + 16); c02.Store(r0 + 32); c03.Store(r0 + 48);
        c10.Store(r1 + 0); c11.Store(r1 + 16); c12.Store(r1 + 32); c13.Store(r1 + 48);
        c20.Store(r2 + 0); c21.Store(r2 + 16); c22.Store(r2 + 32); c23.Store(r2 + 48);
        c30.Store(r3 + 0); c31.Store(r3 + 16); c32.Store(r3 + 32); c33.Store(r3 + 48);
        c40.Store(r4 + 0); c41.Store(r4 + 16); c42.Store(r4 + 32); c43.Store(r4 + 48);
        c50.Store(r5 + 0); c51.Store(r5 + 16); c52.Store(r5 + 32); c53.Store(r5 + 48);
    }
}
