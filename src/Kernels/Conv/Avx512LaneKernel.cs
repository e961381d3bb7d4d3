using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The conv micro-kernel with output channels in the vector lanes: 6 output positions × 64 output
/// channels, 24 zmm accumulators. Step kk broadcasts each position's input at x_r + offsets[kk] (the
/// tap's channel, row and column in a zero-bordered image) and multiplies it into 64 packed weights
/// w[kk·64 …]. Why this way round: each position has its own input pointer, so the 6 positions can
/// be any outputs — the next ones in an image, across a row's end or into the next image — and no
/// junk position is computed (the shifted kernel computes 23 % junk for 7×7 outputs, the patch
/// matrix route copies every patch). Per step 4 loads, 6 broadcasts and 24 FMAs, as Gemm/Avx512MicroKernel.
/// </summary>
internal static unsafe class Avx512LaneKernel
{
    public const int Rows = 6, Lanes = 64;

    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// c[r·64 + j] (+)= Σ_kk x_r[offsets[kk]] · w[kk·64 + j] for kk &lt; kc, r &lt; 6, j &lt; 64: started from
    /// zero, or from c when <paramref name="accumulate"/> (a later block of the reduction continues
    /// the same FMA chain, so blocking it does not change the result).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* w, int* offsets, float* x0, float* x1, float* x2, float* x3, float* x4, float* x5, float* c, bool accumulate)
    {
        Vector512<float> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        Vector512<float> c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (accumulate)
        {
            c00 = Vector512.Load(c + 0); c01 = Vector512.Load(c + 16); c02 = Vector512.Load(c + 32); c03 = Vector512.Load(c + 48);
            c10 = Vector512.Load(c + 64); c11 = Vector512.Load(c + 80); c12 = Vector512.Load(c + 96); c13 = Vector512.Load(c + 112);
            c20 = Vector512.Load(c + 128); c21 = Vector512.Load(c + 144); c22 = Vector512.Load(c + 160); c23 = Vector512.Load(c + 176);
            c30 = Vector512.Load(c + 192); c31 = Vector512.Load(c + 208); c32 = Vector512.Load(c + 224); c33 = Vector512.Load(c + 240);
            c40 = Vector512.Load(c + 256); c41 = Vector512.Load(c + 272); c42 = Vector512.Load(c + 288); c43 = Vector512.Load(c + 304);
            c50 = Vector512.Load(c + 320); c51 = Vector512.Load(c + 336); c52 = Vector512.Load(c + 352); c53 = Vector512.Load(c + 368);
        }
        else
        {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = default;
            c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            nint o = offsets[kk];
            var b0 = Vector512.Load(w + 0);
            var b1 = Vector512.Load(w + 16);
            var b2 = Vector512.Load(w + 32);
            var b3 = Vector512.Load(w + 48);
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
            w += Lanes;
        }

        c00.Store(c + 0); c01.Store(c + 16); c02.Store(c + 32); c03.Store(c + 48);
        c10.Store(c + 64); c11.Store(c + 80); c12.Store(c + 96); c13.Store(c + 112);
        c20.Store(c + 128); c21.Store(c + 144); c22.Store(c + 160); c23.Store(c + 176);
        c30.Store(c + 192); c31.Store(c + 208); c32.Store(c + 224); c33.Store(c + 240);
        c40.Store(c + 256); c41.Store(c + 272); c42.Store(c + 288); c43.Store(c + 304);
        c50.Store(c + 320); c51.Store(c + 336); c52.Store(c + 352); c53.Store(c + 368);
    }
}
