using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The conv micro-kernels with output channels in the vector lanes: 24 accumulators, as 6 output
/// positions × 64 output channels, 8 × 48, 8 × 40 (two zmm and a ymm a position), 12 × 32, 12 × 24
/// (a zmm and a ymm) or 24 × 16.
/// Step kk reads a tap (input offset o, weight offset v) from the tile's tap table, broadcasts each
/// position's input at x + rows[r] + o (a channel, row and column in a zero-bordered image) and
/// multiplies it into the packed weights at w + v. Why this way round: each position has its own
/// input offset, so a tile's positions can be any outputs — the next ones in an image, across a
/// row's end or into the next image — and no junk position is computed (the shifted kernel
/// computes 23 % junk for 7×7 outputs, the patch matrix route copies every patch); and why a
/// table: a tile of border positions skips the taps that would only read padding
/// (<see cref="LaneTiling"/>). Per step one table load, 4 (3, 3, 2, 2, 1) weight loads, 6 (8, 8, 12,
/// 12, 24) broadcasts and 24 FMAs. All compute c_r[j] (+)= Σ_kk x[rows[r] + o_kk] · w[v_kk + j] for kk &lt; kc, where
/// taps[kk] = o_kk | v_kk &lt;&lt; 32 and c_r = c + slots[r]·lanes: started from zero, or from c_r when
/// accumulate (a later block of the reduction continues the same FMA chain, so blocking it does not
/// change the result). Rows may share a slot when they are the same position (they store the same sums).
/// </summary>
internal static unsafe class Avx512LaneKernel
{
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Output positions a tile for <paramref name="lanes"/> (64, 48, 40, 32, 24 or 16) output channels a panel.</summary>
    public static int Rows(int lanes) => lanes switch { 24 => 12, 40 or 48 => 8, _ => 384 / lanes };

    /// <summary>The kernel for a panel of <paramref name="lanes"/> output channels (the forms all call through here, so a new width is one case).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(int lanes, int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        switch (lanes)
        {
            case 64: Run64(kc, w, taps, x, rows, c, slots, accumulate); break;
            case 48: Run48(kc, w, taps, x, rows, c, slots, accumulate); break;
            case 40: Run40(kc, w, taps, x, rows, c, slots, accumulate); break;
            case 32: Run32(kc, w, taps, x, rows, c, slots, accumulate); break;
            case 24: Run24(kc, w, taps, x, rows, c, slots, accumulate); break;
            case 16: Run16(kc, w, taps, x, rows, c, slots, accumulate); break;
            default: throw new ArgumentOutOfRangeException(nameof(lanes), lanes, "a lane panel is 64, 48, 40, 32, 24 or 16 wide");
        }
    }

    /// <summary>6 positions × 64 channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run64(int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        float* x0 = x + rows[0], s0 = c + (nint)slots[0] * 64;
        float* x1 = x + rows[1], s1 = c + (nint)slots[1] * 64;
        float* x2 = x + rows[2], s2 = c + (nint)slots[2] * 64;
        float* x3 = x + rows[3], s3 = c + (nint)slots[3] * 64;
        float* x4 = x + rows[4], s4 = c + (nint)slots[4] * 64;
        float* x5 = x + rows[5], s5 = c + (nint)slots[5] * 64;
        Vector512<float> c0_0, c0_1, c0_2, c0_3;
        Vector512<float> c1_0, c1_1, c1_2, c1_3;
        Vector512<float> c2_0, c2_1, c2_2, c2_3;
        Vector512<float> c3_0, c3_1, c3_2, c3_3;
        Vector512<float> c4_0, c4_1, c4_2, c4_3;
        Vector512<float> c5_0, c5_1, c5_2, c5_3;
        if (accumulate)
        {
            c0_0 = Vector512.Load(s0 + 0); c0_1 = Vector512.Load(s0 + 16); c0_2 = Vector512.Load(s0 + 32); c0_3 = Vector512.Load(s0 + 48);
            c1_0 = Vector512.Load(s1 + 0); c1_1 = Vector512.Load(s1 + 16); c1_2 = Vector512.Load(s1 + 32); c1_3 = Vector512.Load(s1 + 48);
            c2_0 = Vector512.Load(s2 + 0); c2_1 = Vector512.Load(s2 + 16); c2_2 = Vector512.Load(s2 + 32); c2_3 = Vector512.Load(s2 + 48);
            c3_0 = Vector512.Load(s3 + 0); c3_1 = Vector512.Load(s3 + 16); c3_2 = Vector512.Load(s3 + 32); c3_3 = Vector512.Load(s3 + 48);
            c4_0 = Vector512.Load(s4 + 0); c4_1 = Vector512.Load(s4 + 16); c4_2 = Vector512.Load(s4 + 32); c4_3 = Vector512.Load(s4 + 48);
            c5_0 = Vector512.Load(s5 + 0); c5_1 = Vector512.Load(s5 + 16); c5_2 = Vector512.Load(s5 + 32); c5_3 = Vector512.Load(s5 + 48);
        }
        else
        {
            c0_0 = c0_1 = c0_2 = c0_3 = c1_0 = c1_1 = c1_2 = c1_3 = c2_0 = c2_1 = c2_2 = c2_3 = default;
            c3_0 = c3_1 = c3_2 = c3_3 = c4_0 = c4_1 = c4_2 = c4_3 = c5_0 = c5_1 = c5_2 = c5_3 = default;
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
            c0_0 = Avx512F.FusedMultiplyAdd(b0, a0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(b1, a0, c0_1);
            c0_2 = Avx512F.FusedMultiplyAdd(b2, a0, c0_2);
            c0_3 = Avx512F.FusedMultiplyAdd(b3, a0, c0_3);
            var a1 = Vector512.Create(x1[o]);
            c1_0 = Avx512F.FusedMultiplyAdd(b0, a1, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(b1, a1, c1_1);
            c1_2 = Avx512F.FusedMultiplyAdd(b2, a1, c1_2);
            c1_3 = Avx512F.FusedMultiplyAdd(b3, a1, c1_3);
            var a2 = Vector512.Create(x2[o]);
            c2_0 = Avx512F.FusedMultiplyAdd(b0, a2, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(b1, a2, c2_1);
            c2_2 = Avx512F.FusedMultiplyAdd(b2, a2, c2_2);
            c2_3 = Avx512F.FusedMultiplyAdd(b3, a2, c2_3);
            var a3 = Vector512.Create(x3[o]);
            c3_0 = Avx512F.FusedMultiplyAdd(b0, a3, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(b1, a3, c3_1);
            c3_2 = Avx512F.FusedMultiplyAdd(b2, a3, c3_2);
            c3_3 = Avx512F.FusedMultiplyAdd(b3, a3, c3_3);
            var a4 = Vector512.Create(x4[o]);
            c4_0 = Avx512F.FusedMultiplyAdd(b0, a4, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(b1, a4, c4_1);
            c4_2 = Avx512F.FusedMultiplyAdd(b2, a4, c4_2);
            c4_3 = Avx512F.FusedMultiplyAdd(b3, a4, c4_3);
            var a5 = Vector512.Create(x5[o]);
            c5_0 = Avx512F.FusedMultiplyAdd(b0, a5, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(b1, a5, c5_1);
            c5_2 = Avx512F.FusedMultiplyAdd(b2, a5, c5_2);
            c5_3 = Avx512F.FusedMultiplyAdd(b3, a5, c5_3);
        }

        c0_0.Store(s0 + 0); c0_1.Store(s0 + 16); c0_2.Store(s0 + 32); c0_3.Store(s0 + 48);
        c1_0.Store(s1 + 0); c1_1.Store(s1 + 16); c1_2.Store(s1 + 32); c1_3.Store(s1 + 48);
        c2_0.Store(s2 + 0); c2_1.Store(s2 + 16); c2_2.Store(s2 + 32); c2_3.Store(s2 + 48);
        c3_0.Store(s3 + 0); c3_1.Store(s3 + 16); c3_2.Store(s3 + 32); c3_3.Store(s3 + 48);
        c4_0.Store(s4 + 0); c4_1.Store(s4 + 16); c4_2.Store(s4 + 32); c4_3.Store(s4 + 48);
        c5_0.Store(s5 + 0); c5_1.Store(s5 + 16); c5_2.Store(s5 + 32); c5_3.Store(s5 + 48);
    }

    /// <summary>
    /// 8 positions × 48 channels (three zmm a position): 41–48 output channels in one panel, each input
    /// broadcast once for all of them — as 32 + 16 lanes it was broadcast twice, and the conv ran 6 %
    /// slower (two threads; 8 % on one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run48(int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        float* x0 = x + rows[0], s0 = c + (nint)slots[0] * 48;
        float* x1 = x + rows[1], s1 = c + (nint)slots[1] * 48;
        float* x2 = x + rows[2], s2 = c + (nint)slots[2] * 48;
        float* x3 = x + rows[3], s3 = c + (nint)slots[3] * 48;
        float* x4 = x + rows[4], s4 = c + (nint)slots[4] * 48;
        float* x5 = x + rows[5], s5 = c + (nint)slots[5] * 48;
        float* x6 = x + rows[6], s6 = c + (nint)slots[6] * 48;
        float* x7 = x + rows[7], s7 = c + (nint)slots[7] * 48;
        Vector512<float> c0_0, c0_1, c0_2;
        Vector512<float> c1_0, c1_1, c1_2;
        Vector512<float> c2_0, c2_1, c2_2;
        Vector512<float> c3_0, c3_1, c3_2;
        Vector512<float> c4_0, c4_1, c4_2;
        Vector512<float> c5_0, c5_1, c5_2;
        Vector512<float> c6_0, c6_1, c6_2;
        Vector512<float> c7_0, c7_1, c7_2;
        if (accumulate)
        {
            c0_0 = Vector512.Load(s0 + 0); c0_1 = Vector512.Load(s0 + 16); c0_2 = Vector512.Load(s0 + 32);
            c1_0 = Vector512.Load(s1 + 0); c1_1 = Vector512.Load(s1 + 16); c1_2 = Vector512.Load(s1 + 32);
            c2_0 = Vector512.Load(s2 + 0); c2_1 = Vector512.Load(s2 + 16); c2_2 = Vector512.Load(s2 + 32);
            c3_0 = Vector512.Load(s3 + 0); c3_1 = Vector512.Load(s3 + 16); c3_2 = Vector512.Load(s3 + 32);
            c4_0 = Vector512.Load(s4 + 0); c4_1 = Vector512.Load(s4 + 16); c4_2 = Vector512.Load(s4 + 32);
            c5_0 = Vector512.Load(s5 + 0); c5_1 = Vector512.Load(s5 + 16); c5_2 = Vector512.Load(s5 + 32);
            c6_0 = Vector512.Load(s6 + 0); c6_1 = Vector512.Load(s6 + 16); c6_2 = Vector512.Load(s6 + 32);
            c7_0 = Vector512.Load(s7 + 0); c7_1 = Vector512.Load(s7 + 16); c7_2 = Vector512.Load(s7 + 32);
        }
        else
        {
            c0_0 = c0_1 = c0_2 = c1_0 = c1_1 = c1_2 = c2_0 = c2_1 = c2_2 = c3_0 = c3_1 = c3_2 = c4_0 = c4_1 = c4_2 = c5_0 = c5_1 = c5_2 = c6_0 = c6_1 = c6_2 = c7_0 = c7_1 = c7_2 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            long tap = taps[kk];
            nint o = (int)tap;
            float* wk = w + (nint)(tap >>> 32);
            var b0 = Vector512.Load(wk + 0);
            var b1 = Vector512.Load(wk + 16);
            var b2 = Vector512.Load(wk + 32);
            var a0 = Vector512.Create(x0[o]);
            c0_0 = Avx512F.FusedMultiplyAdd(b0, a0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(b1, a0, c0_1);
            c0_2 = Avx512F.FusedMultiplyAdd(b2, a0, c0_2);
            var a1 = Vector512.Create(x1[o]);
            c1_0 = Avx512F.FusedMultiplyAdd(b0, a1, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(b1, a1, c1_1);
            c1_2 = Avx512F.FusedMultiplyAdd(b2, a1, c1_2);
            var a2 = Vector512.Create(x2[o]);
            c2_0 = Avx512F.FusedMultiplyAdd(b0, a2, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(b1, a2, c2_1);
            c2_2 = Avx512F.FusedMultiplyAdd(b2, a2, c2_2);
            var a3 = Vector512.Create(x3[o]);
            c3_0 = Avx512F.FusedMultiplyAdd(b0, a3, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(b1, a3, c3_1);
            c3_2 = Avx512F.FusedMultiplyAdd(b2, a3, c3_2);
            var a4 = Vector512.Create(x4[o]);
            c4_0 = Avx512F.FusedMultiplyAdd(b0, a4, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(b1, a4, c4_1);
            c4_2 = Avx512F.FusedMultiplyAdd(b2, a4, c4_2);
            var a5 = Vector512.Create(x5[o]);
            c5_0 = Avx512F.FusedMultiplyAdd(b0, a5, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(b1, a5, c5_1);
            c5_2 = Avx512F.FusedMultiplyAdd(b2, a5, c5_2);
            var a6 = Vector512.Create(x6[o]);
            c6_0 = Avx512F.FusedMultiplyAdd(b0, a6, c6_0);
            c6_1 = Avx512F.FusedMultiplyAdd(b1, a6, c6_1);
            c6_2 = Avx512F.FusedMultiplyAdd(b2, a6, c6_2);
            var a7 = Vector512.Create(x7[o]);
            c7_0 = Avx512F.FusedMultiplyAdd(b0, a7, c7_0);
            c7_1 = Avx512F.FusedMultiplyAdd(b1, a7, c7_1);
            c7_2 = Avx512F.FusedMultiplyAdd(b2, a7, c7_2);
        }

        c0_0.Store(s0 + 0); c0_1.Store(s0 + 16); c0_2.Store(s0 + 32);
        c1_0.Store(s1 + 0); c1_1.Store(s1 + 16); c1_2.Store(s1 + 32);
        c2_0.Store(s2 + 0); c2_1.Store(s2 + 16); c2_2.Store(s2 + 32);
        c3_0.Store(s3 + 0); c3_1.Store(s3 + 16); c3_2.Store(s3 + 32);
        c4_0.Store(s4 + 0); c4_1.Store(s4 + 16); c4_2.Store(s4 + 32);
        c5_0.Store(s5 + 0); c5_1.Store(s5 + 16); c5_2.Store(s5 + 32);
        c6_0.Store(s6 + 0); c6_1.Store(s6 + 16); c6_2.Store(s6 + 32);
        c7_0.Store(s7 + 0); c7_1.Store(s7 + 16); c7_2.Store(s7 + 32);
    }

    /// <summary>
    /// 8 positions × 40 channels (two zmm and a ymm a position): a pruned layer's 33–40 output channels
    /// in one panel, each input broadcast once for all of them — as 24 + 16 lanes it was broadcast
    /// twice, and the conv ran 6–7 % slower (two threads; 14–15 % on one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run40(int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        float* x0 = x + rows[0], s0 = c + (nint)slots[0] * 40;
        float* x1 = x + rows[1], s1 = c + (nint)slots[1] * 40;
        float* x2 = x + rows[2], s2 = c + (nint)slots[2] * 40;
        float* x3 = x + rows[3], s3 = c + (nint)slots[3] * 40;
        float* x4 = x + rows[4], s4 = c + (nint)slots[4] * 40;
        float* x5 = x + rows[5], s5 = c + (nint)slots[5] * 40;
        float* x6 = x + rows[6], s6 = c + (nint)slots[6] * 40;
        float* x7 = x + rows[7], s7 = c + (nint)slots[7] * 40;
        Vector512<float> c0_0, c0_1; Vector256<float> c0_2;
        Vector512<float> c1_0, c1_1; Vector256<float> c1_2;
        Vector512<float> c2_0, c2_1; Vector256<float> c2_2;
        Vector512<float> c3_0, c3_1; Vector256<float> c3_2;
        Vector512<float> c4_0, c4_1; Vector256<float> c4_2;
        Vector512<float> c5_0, c5_1; Vector256<float> c5_2;
        Vector512<float> c6_0, c6_1; Vector256<float> c6_2;
        Vector512<float> c7_0, c7_1; Vector256<float> c7_2;
        if (accumulate)
        {
            c0_0 = Vector512.Load(s0 + 0); c0_1 = Vector512.Load(s0 + 16); c0_2 = Vector256.Load(s0 + 32);
            c1_0 = Vector512.Load(s1 + 0); c1_1 = Vector512.Load(s1 + 16); c1_2 = Vector256.Load(s1 + 32);
            c2_0 = Vector512.Load(s2 + 0); c2_1 = Vector512.Load(s2 + 16); c2_2 = Vector256.Load(s2 + 32);
            c3_0 = Vector512.Load(s3 + 0); c3_1 = Vector512.Load(s3 + 16); c3_2 = Vector256.Load(s3 + 32);
            c4_0 = Vector512.Load(s4 + 0); c4_1 = Vector512.Load(s4 + 16); c4_2 = Vector256.Load(s4 + 32);
            c5_0 = Vector512.Load(s5 + 0); c5_1 = Vector512.Load(s5 + 16); c5_2 = Vector256.Load(s5 + 32);
            c6_0 = Vector512.Load(s6 + 0); c6_1 = Vector512.Load(s6 + 16); c6_2 = Vector256.Load(s6 + 32);
            c7_0 = Vector512.Load(s7 + 0); c7_1 = Vector512.Load(s7 + 16); c7_2 = Vector256.Load(s7 + 32);
        }
        else
        {
            c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = c7_0 = c7_1 = default;
            c0_2 = c1_2 = c2_2 = c3_2 = c4_2 = c5_2 = c6_2 = c7_2 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            long tap = taps[kk];
            nint o = (int)tap;
            float* wk = w + (nint)(tap >>> 32);
            var b0 = Vector512.Load(wk + 0);
            var b1 = Vector512.Load(wk + 16);
            var b2 = Vector256.Load(wk + 32);
            var a0 = Vector512.Create(x0[o]);
            c0_0 = Avx512F.FusedMultiplyAdd(b0, a0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(b1, a0, c0_1);
            c0_2 = Fma.MultiplyAdd(b2, a0.GetLower(), c0_2);
            var a1 = Vector512.Create(x1[o]);
            c1_0 = Avx512F.FusedMultiplyAdd(b0, a1, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(b1, a1, c1_1);
            c1_2 = Fma.MultiplyAdd(b2, a1.GetLower(), c1_2);
            var a2 = Vector512.Create(x2[o]);
            c2_0 = Avx512F.FusedMultiplyAdd(b0, a2, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(b1, a2, c2_1);
            c2_2 = Fma.MultiplyAdd(b2, a2.GetLower(), c2_2);
            var a3 = Vector512.Create(x3[o]);
            c3_0 = Avx512F.FusedMultiplyAdd(b0, a3, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(b1, a3, c3_1);
            c3_2 = Fma.MultiplyAdd(b2, a3.GetLower(), c3_2);
            var a4 = Vector512.Create(x4[o]);
            c4_0 = Avx512F.FusedMultiplyAdd(b0, a4, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(b1, a4, c4_1);
            c4_2 = Fma.MultiplyAdd(b2, a4.GetLower(), c4_2);
            var a5 = Vector512.Create(x5[o]);
            c5_0 = Avx512F.FusedMultiplyAdd(b0, a5, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(b1, a5, c5_1);
            c5_2 = Fma.MultiplyAdd(b2, a5.GetLower(), c5_2);
            var a6 = Vector512.Create(x6[o]);
            c6_0 = Avx512F.FusedMultiplyAdd(b0, a6, c6_0);
            c6_1 = Avx512F.FusedMultiplyAdd(b1, a6, c6_1);
            c6_2 = Fma.MultiplyAdd(b2, a6.GetLower(), c6_2);
            var a7 = Vector512.Create(x7[o]);
            c7_0 = Avx512F.FusedMultiplyAdd(b0, a7, c7_0);
            c7_1 = Avx512F.FusedMultiplyAdd(b1, a7, c7_1);
            c7_2 = Fma.MultiplyAdd(b2, a7.GetLower(), c7_2);
        }

        c0_0.Store(s0 + 0); c0_1.Store(s0 + 16); c0_2.Store(s0 + 32);
        c1_0.Store(s1 + 0); c1_1.Store(s1 + 16); c1_2.Store(s1 + 32);
        c2_0.Store(s2 + 0); c2_1.Store(s2 + 16); c2_2.Store(s2 + 32);
        c3_0.Store(s3 + 0); c3_1.Store(s3 + 16); c3_2.Store(s3 + 32);
        c4_0.Store(s4 + 0); c4_1.Store(s4 + 16); c4_2.Store(s4 + 32);
        c5_0.Store(s5 + 0); c5_1.Store(s5 + 16); c5_2.Store(s5 + 32);
        c6_0.Store(s6 + 0); c6_1.Store(s6 + 16); c6_2.Store(s6 + 32);
        c7_0.Store(s7 + 0); c7_1.Store(s7 + 16); c7_2.Store(s7 + 32);
    }

    /// <summary>12 positions × 32 channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run32(int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        float* x0 = x + rows[0], s0 = c + (nint)slots[0] * 32;
        float* x1 = x + rows[1], s1 = c + (nint)slots[1] * 32;
        float* x2 = x + rows[2], s2 = c + (nint)slots[2] * 32;
        float* x3 = x + rows[3], s3 = c + (nint)slots[3] * 32;
        float* x4 = x + rows[4], s4 = c + (nint)slots[4] * 32;
        float* x5 = x + rows[5], s5 = c + (nint)slots[5] * 32;
        float* x6 = x + rows[6], s6 = c + (nint)slots[6] * 32;
        float* x7 = x + rows[7], s7 = c + (nint)slots[7] * 32;
        float* x8 = x + rows[8], s8 = c + (nint)slots[8] * 32;
        float* x9 = x + rows[9], s9 = c + (nint)slots[9] * 32;
        float* x10 = x + rows[10], s10 = c + (nint)slots[10] * 32;
        float* x11 = x + rows[11], s11 = c + (nint)slots[11] * 32;
        Vector512<float> c0_0, c0_1;
        Vector512<float> c1_0, c1_1;
        Vector512<float> c2_0, c2_1;
        Vector512<float> c3_0, c3_1;
        Vector512<float> c4_0, c4_1;
        Vector512<float> c5_0, c5_1;
        Vector512<float> c6_0, c6_1;
        Vector512<float> c7_0, c7_1;
        Vector512<float> c8_0, c8_1;
        Vector512<float> c9_0, c9_1;
        Vector512<float> c10_0, c10_1;
        Vector512<float> c11_0, c11_1;
        if (accumulate)
        {
            c0_0 = Vector512.Load(s0 + 0); c0_1 = Vector512.Load(s0 + 16);
            c1_0 = Vector512.Load(s1 + 0); c1_1 = Vector512.Load(s1 + 16);
            c2_0 = Vector512.Load(s2 + 0); c2_1 = Vector512.Load(s2 + 16);
            c3_0 = Vector512.Load(s3 + 0); c3_1 = Vector512.Load(s3 + 16);
            c4_0 = Vector512.Load(s4 + 0); c4_1 = Vector512.Load(s4 + 16);
            c5_0 = Vector512.Load(s5 + 0); c5_1 = Vector512.Load(s5 + 16);
            c6_0 = Vector512.Load(s6 + 0); c6_1 = Vector512.Load(s6 + 16);
            c7_0 = Vector512.Load(s7 + 0); c7_1 = Vector512.Load(s7 + 16);
            c8_0 = Vector512.Load(s8 + 0); c8_1 = Vector512.Load(s8 + 16);
            c9_0 = Vector512.Load(s9 + 0); c9_1 = Vector512.Load(s9 + 16);
            c10_0 = Vector512.Load(s10 + 0); c10_1 = Vector512.Load(s10 + 16);
            c11_0 = Vector512.Load(s11 + 0); c11_1 = Vector512.Load(s11 + 16);
        }
        else
        {
            c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = default;
            c6_0 = c6_1 = c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            long tap = taps[kk];
            nint o = (int)tap;
            float* wk = w + (nint)(tap >>> 32);
            var b0 = Vector512.Load(wk + 0);
            var b1 = Vector512.Load(wk + 16);
            var a0 = Vector512.Create(x0[o]);
            c0_0 = Avx512F.FusedMultiplyAdd(b0, a0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(b1, a0, c0_1);
            var a1 = Vector512.Create(x1[o]);
            c1_0 = Avx512F.FusedMultiplyAdd(b0, a1, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(b1, a1, c1_1);
            var a2 = Vector512.Create(x2[o]);
            c2_0 = Avx512F.FusedMultiplyAdd(b0, a2, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(b1, a2, c2_1);
            var a3 = Vector512.Create(x3[o]);
            c3_0 = Avx512F.FusedMultiplyAdd(b0, a3, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(b1, a3, c3_1);
            var a4 = Vector512.Create(x4[o]);
            c4_0 = Avx512F.FusedMultiplyAdd(b0, a4, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(b1, a4, c4_1);
            var a5 = Vector512.Create(x5[o]);
            c5_0 = Avx512F.FusedMultiplyAdd(b0, a5, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(b1, a5, c5_1);
            var a6 = Vector512.Create(x6[o]);
            c6_0 = Avx512F.FusedMultiplyAdd(b0, a6, c6_0);
            c6_1 = Avx512F.FusedMultiplyAdd(b1, a6, c6_1);
            var a7 = Vector512.Create(x7[o]);
            c7_0 = Avx512F.FusedMultiplyAdd(b0, a7, c7_0);
            c7_1 = Avx512F.FusedMultiplyAdd(b1, a7, c7_1);
            var a8 = Vector512.Create(x8[o]);
            c8_0 = Avx512F.FusedMultiplyAdd(b0, a8, c8_0);
            c8_1 = Avx512F.FusedMultiplyAdd(b1, a8, c8_1);
            var a9 = Vector512.Create(x9[o]);
            c9_0 = Avx512F.FusedMultiplyAdd(b0, a9, c9_0);
            c9_1 = Avx512F.FusedMultiplyAdd(b1, a9, c9_1);
            var a10 = Vector512.Create(x10[o]);
            c10_0 = Avx512F.FusedMultiplyAdd(b0, a10, c10_0);
            c10_1 = Avx512F.FusedMultiplyAdd(b1, a10, c10_1);
            var a11 = Vector512.Create(x11[o]);
            c11_0 = Avx512F.FusedMultiplyAdd(b0, a11, c11_0);
            c11_1 = Avx512F.FusedMultiplyAdd(b1, a11, c11_1);
        }

        c0_0.Store(s0 + 0); c0_1.Store(s0 + 16);
        c1_0.Store(s1 + 0); c1_1.Store(s1 + 16);
        c2_0.Store(s2 + 0); c2_1.Store(s2 + 16);
        c3_0.Store(s3 + 0); c3_1.Store(s3 + 16);
        c4_0.Store(s4 + 0); c4_1.Store(s4 + 16);
        c5_0.Store(s5 + 0); c5_1.Store(s5 + 16);
        c6_0.Store(s6 + 0); c6_1.Store(s6 + 16);
        c7_0.Store(s7 + 0); c7_1.Store(s7 + 16);
        c8_0.Store(s8 + 0); c8_1.Store(s8 + 16);
        c9_0.Store(s9 + 0); c9_1.Store(s9 + 16);
        c10_0.Store(s10 + 0); c10_1.Store(s10 + 16);
        c11_0.Store(s11 + 0); c11_1.Store(s11 + 16);
    }

    /// <summary>
    /// 12 positions × 24 channels: a zmm and a ymm accumulator a position. Why: a pruned layer's 17–24
    /// channels (and 49–56 as 32 + 24) then compute no more than 7 idle lanes, where a 32-channel panel
    /// computed up to 15; on a core whose zmm FMA takes both 256-bit halves of the FMA units (Zen 4) the
    /// ymm half costs half as much, and where it does not, no more than Run32's second zmm.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run24(int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        float* x0 = x + rows[0], s0 = c + (nint)slots[0] * 24;
        float* x1 = x + rows[1], s1 = c + (nint)slots[1] * 24;
        float* x2 = x + rows[2], s2 = c + (nint)slots[2] * 24;
        float* x3 = x + rows[3], s3 = c + (nint)slots[3] * 24;
        float* x4 = x + rows[4], s4 = c + (nint)slots[4] * 24;
        float* x5 = x + rows[5], s5 = c + (nint)slots[5] * 24;
        float* x6 = x + rows[6], s6 = c + (nint)slots[6] * 24;
        float* x7 = x + rows[7], s7 = c + (nint)slots[7] * 24;
        float* x8 = x + rows[8], s8 = c + (nint)slots[8] * 24;
        float* x9 = x + rows[9], s9 = c + (nint)slots[9] * 24;
        float* x10 = x + rows[10], s10 = c + (nint)slots[10] * 24;
        float* x11 = x + rows[11], s11 = c + (nint)slots[11] * 24;
        Vector512<float> c0_0; Vector256<float> c0_1;
        Vector512<float> c1_0; Vector256<float> c1_1;
        Vector512<float> c2_0; Vector256<float> c2_1;
        Vector512<float> c3_0; Vector256<float> c3_1;
        Vector512<float> c4_0; Vector256<float> c4_1;
        Vector512<float> c5_0; Vector256<float> c5_1;
        Vector512<float> c6_0; Vector256<float> c6_1;
        Vector512<float> c7_0; Vector256<float> c7_1;
        Vector512<float> c8_0; Vector256<float> c8_1;
        Vector512<float> c9_0; Vector256<float> c9_1;
        Vector512<float> c10_0; Vector256<float> c10_1;
        Vector512<float> c11_0; Vector256<float> c11_1;
        if (accumulate)
        {
            c0_0 = Vector512.Load(s0 + 0); c0_1 = Vector256.Load(s0 + 16);
            c1_0 = Vector512.Load(s1 + 0); c1_1 = Vector256.Load(s1 + 16);
            c2_0 = Vector512.Load(s2 + 0); c2_1 = Vector256.Load(s2 + 16);
            c3_0 = Vector512.Load(s3 + 0); c3_1 = Vector256.Load(s3 + 16);
            c4_0 = Vector512.Load(s4 + 0); c4_1 = Vector256.Load(s4 + 16);
            c5_0 = Vector512.Load(s5 + 0); c5_1 = Vector256.Load(s5 + 16);
            c6_0 = Vector512.Load(s6 + 0); c6_1 = Vector256.Load(s6 + 16);
            c7_0 = Vector512.Load(s7 + 0); c7_1 = Vector256.Load(s7 + 16);
            c8_0 = Vector512.Load(s8 + 0); c8_1 = Vector256.Load(s8 + 16);
            c9_0 = Vector512.Load(s9 + 0); c9_1 = Vector256.Load(s9 + 16);
            c10_0 = Vector512.Load(s10 + 0); c10_1 = Vector256.Load(s10 + 16);
            c11_0 = Vector512.Load(s11 + 0); c11_1 = Vector256.Load(s11 + 16);
        }
        else
        {
            c0_0 = c1_0 = c2_0 = c3_0 = c4_0 = c5_0 = c6_0 = c7_0 = c8_0 = c9_0 = c10_0 = c11_0 = default;
            c0_1 = c1_1 = c2_1 = c3_1 = c4_1 = c5_1 = c6_1 = c7_1 = c8_1 = c9_1 = c10_1 = c11_1 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            long tap = taps[kk];
            nint o = (int)tap;
            float* wk = w + (nint)(tap >>> 32);
            var b0 = Vector512.Load(wk + 0);
            var b1 = Vector256.Load(wk + 16);
            var a0 = Vector512.Create(x0[o]);
            c0_0 = Avx512F.FusedMultiplyAdd(b0, a0, c0_0);
            c0_1 = Fma.MultiplyAdd(b1, a0.GetLower(), c0_1);
            var a1 = Vector512.Create(x1[o]);
            c1_0 = Avx512F.FusedMultiplyAdd(b0, a1, c1_0);
            c1_1 = Fma.MultiplyAdd(b1, a1.GetLower(), c1_1);
            var a2 = Vector512.Create(x2[o]);
            c2_0 = Avx512F.FusedMultiplyAdd(b0, a2, c2_0);
            c2_1 = Fma.MultiplyAdd(b1, a2.GetLower(), c2_1);
            var a3 = Vector512.Create(x3[o]);
            c3_0 = Avx512F.FusedMultiplyAdd(b0, a3, c3_0);
            c3_1 = Fma.MultiplyAdd(b1, a3.GetLower(), c3_1);
            var a4 = Vector512.Create(x4[o]);
            c4_0 = Avx512F.FusedMultiplyAdd(b0, a4, c4_0);
            c4_1 = Fma.MultiplyAdd(b1, a4.GetLower(), c4_1);
            var a5 = Vector512.Create(x5[o]);
            c5_0 = Avx512F.FusedMultiplyAdd(b0, a5, c5_0);
            c5_1 = Fma.MultiplyAdd(b1, a5.GetLower(), c5_1);
            var a6 = Vector512.Create(x6[o]);
            c6_0 = Avx512F.FusedMultiplyAdd(b0, a6, c6_0);
            c6_1 = Fma.MultiplyAdd(b1, a6.GetLower(), c6_1);
            var a7 = Vector512.Create(x7[o]);
            c7_0 = Avx512F.FusedMultiplyAdd(b0, a7, c7_0);
            c7_1 = Fma.MultiplyAdd(b1, a7.GetLower(), c7_1);
            var a8 = Vector512.Create(x8[o]);
            c8_0 = Avx512F.FusedMultiplyAdd(b0, a8, c8_0);
            c8_1 = Fma.MultiplyAdd(b1, a8.GetLower(), c8_1);
            var a9 = Vector512.Create(x9[o]);
            c9_0 = Avx512F.FusedMultiplyAdd(b0, a9, c9_0);
            c9_1 = Fma.MultiplyAdd(b1, a9.GetLower(), c9_1);
            var a10 = Vector512.Create(x10[o]);
            c10_0 = Avx512F.FusedMultiplyAdd(b0, a10, c10_0);
            c10_1 = Fma.MultiplyAdd(b1, a10.GetLower(), c10_1);
            var a11 = Vector512.Create(x11[o]);
            c11_0 = Avx512F.FusedMultiplyAdd(b0, a11, c11_0);
            c11_1 = Fma.MultiplyAdd(b1, a11.GetLower(), c11_1);
        }

        c0_0.Store(s0 + 0); c0_1.Store(s0 + 16);
        c1_0.Store(s1 + 0); c1_1.Store(s1 + 16);
        c2_0.Store(s2 + 0); c2_1.Store(s2 + 16);
        c3_0.Store(s3 + 0); c3_1.Store(s3 + 16);
        c4_0.Store(s4 + 0); c4_1.Store(s4 + 16);
        c5_0.Store(s5 + 0); c5_1.Store(s5 + 16);
        c6_0.Store(s6 + 0); c6_1.Store(s6 + 16);
        c7_0.Store(s7 + 0); c7_1.Store(s7 + 16);
        c8_0.Store(s8 + 0); c8_1.Store(s8 + 16);
        c9_0.Store(s9 + 0); c9_1.Store(s9 + 16);
        c10_0.Store(s10 + 0); c10_1.Store(s10 + 16);
        c11_0.Store(s11 + 0); c11_1.Store(s11 + 16);
    }

    /// <summary>24 positions × 16 channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run16(int kc, float* w, long* taps, float* x, int* rows, float* c, int* slots, bool accumulate)
    {
        float* x0 = x + rows[0], s0 = c + (nint)slots[0] * 16;
        float* x1 = x + rows[1], s1 = c + (nint)slots[1] * 16;
        float* x2 = x + rows[2], s2 = c + (nint)slots[2] * 16;
        float* x3 = x + rows[3], s3 = c + (nint)slots[3] * 16;
        float* x4 = x + rows[4], s4 = c + (nint)slots[4] * 16;
        float* x5 = x + rows[5], s5 = c + (nint)slots[5] * 16;
        float* x6 = x + rows[6], s6 = c + (nint)slots[6] * 16;
        float* x7 = x + rows[7], s7 = c + (nint)slots[7] * 16;
        float* x8 = x + rows[8], s8 = c + (nint)slots[8] * 16;
        float* x9 = x + rows[9], s9 = c + (nint)slots[9] * 16;
        float* x10 = x + rows[10], s10 = c + (nint)slots[10] * 16;
        float* x11 = x + rows[11], s11 = c + (nint)slots[11] * 16;
        float* x12 = x + rows[12], s12 = c + (nint)slots[12] * 16;
        float* x13 = x + rows[13], s13 = c + (nint)slots[13] * 16;
        float* x14 = x + rows[14], s14 = c + (nint)slots[14] * 16;
        float* x15 = x + rows[15], s15 = c + (nint)slots[15] * 16;
        float* x16 = x + rows[16], s16 = c + (nint)slots[16] * 16;
        float* x17 = x + rows[17], s17 = c + (nint)slots[17] * 16;
        float* x18 = x + rows[18], s18 = c + (nint)slots[18] * 16;
        float* x19 = x + rows[19], s19 = c + (nint)slots[19] * 16;
        float* x20 = x + rows[20], s20 = c + (nint)slots[20] * 16;
        float* x21 = x + rows[21], s21 = c + (nint)slots[21] * 16;
        float* x22 = x + rows[22], s22 = c + (nint)slots[22] * 16;
        float* x23 = x + rows[23], s23 = c + (nint)slots[23] * 16;
        Vector512<float> c0_0;
        Vector512<float> c1_0;
        Vector512<float> c2_0;
        Vector512<float> c3_0;
        Vector512<float> c4_0;
        Vector512<float> c5_0;
        Vector512<float> c6_0;
        Vector512<float> c7_0;
        Vector512<float> c8_0;
        Vector512<float> c9_0;
        Vector512<float> c10_0;
        Vector512<float> c11_0;
        Vector512<float> c12_0;
        Vector512<float> c13_0;
        Vector512<float> c14_0;
        Vector512<float> c15_0;
        Vector512<float> c16_0;
        Vector512<float> c17_0;
        Vector512<float> c18_0;
        Vector512<float> c19_0;
        Vector512<float> c20_0;
        Vector512<float> c21_0;
        Vector512<float> c22_0;
        Vector512<float> c23_0;
        if (accumulate)
        {
            c0_0 = Vector512.Load(s0 + 0);
            c1_0 = Vector512.Load(s1 + 0);
            c2_0 = Vector512.Load(s2 + 0);
            c3_0 = Vector512.Load(s3 + 0);
            c4_0 = Vector512.Load(s4 + 0);
            c5_0 = Vector512.Load(s5 + 0);
            c6_0 = Vector512.Load(s6 + 0);
            c7_0 = Vector512.Load(s7 + 0);
            c8_0 = Vector512.Load(s8 + 0);
            c9_0 = Vector512.Load(s9 + 0);
            c10_0 = Vector512.Load(s10 + 0);
            c11_0 = Vector512.Load(s11 + 0);
            c12_0 = Vector512.Load(s12 + 0);
            c13_0 = Vector512.Load(s13 + 0);
            c14_0 = Vector512.Load(s14 + 0);
            c15_0 = Vector512.Load(s15 + 0);
            c16_0 = Vector512.Load(s16 + 0);
            c17_0 = Vector512.Load(s17 + 0);
            c18_0 = Vector512.Load(s18 + 0);
            c19_0 = Vector512.Load(s19 + 0);
            c20_0 = Vector512.Load(s20 + 0);
            c21_0 = Vector512.Load(s21 + 0);
            c22_0 = Vector512.Load(s22 + 0);
            c23_0 = Vector512.Load(s23 + 0);
        }
        else
        {
            c0_0 = c1_0 = c2_0 = c3_0 = c4_0 = c5_0 = c6_0 = c7_0 = c8_0 = c9_0 = c10_0 = c11_0 = default;
            c12_0 = c13_0 = c14_0 = c15_0 = c16_0 = c17_0 = c18_0 = c19_0 = c20_0 = c21_0 = c22_0 = c23_0 = default;
        }

        for (int kk = 0; kk < kc; kk++)
        {
            long tap = taps[kk];
            nint o = (int)tap;
            float* wk = w + (nint)(tap >>> 32);
            var b0 = Vector512.Load(wk + 0);
            c0_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x0[o]), c0_0);
            c1_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x1[o]), c1_0);
            c2_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x2[o]), c2_0);
            c3_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x3[o]), c3_0);
            c4_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x4[o]), c4_0);
            c5_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x5[o]), c5_0);
            c6_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x6[o]), c6_0);
            c7_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x7[o]), c7_0);
            c8_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x8[o]), c8_0);
            c9_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x9[o]), c9_0);
            c10_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x10[o]), c10_0);
            c11_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x11[o]), c11_0);
            c12_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x12[o]), c12_0);
            c13_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x13[o]), c13_0);
            c14_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x14[o]), c14_0);
            c15_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x15[o]), c15_0);
            c16_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x16[o]), c16_0);
            c17_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x17[o]), c17_0);
            c18_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x18[o]), c18_0);
            c19_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x19[o]), c19_0);
            c20_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x20[o]), c20_0);
            c21_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x21[o]), c21_0);
            c22_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x22[o]), c22_0);
            c23_0 = Avx512F.FusedMultiplyAdd(b0, Vector512.Create(x23[o]), c23_0);
        }

        c0_0.Store(s0 + 0);
        c1_0.Store(s1 + 0);
        c2_0.Store(s2 + 0);
        c3_0.Store(s3 + 0);
        c4_0.Store(s4 + 0);
        c5_0.Store(s5 + 0);
        c6_0.Store(s6 + 0);
        c7_0.Store(s7 + 0);
        c8_0.Store(s8 + 0);
        c9_0.Store(s9 + 0);
        c10_0.Store(s10 + 0);
        c11_0.Store(s11 + 0);
        c12_0.Store(s12 + 0);
        c13_0.Store(s13 + 0);
        c14_0.Store(s14 + 0);
        c15_0.Store(s15 + 0);
        c16_0.Store(s16 + 0);
        c17_0.Store(s17 + 0);
        c18_0.Store(s18 + 0);
        c19_0.Store(s19 + 0);
        c20_0.Store(s20 + 0);
        c21_0.Store(s21 + 0);
        c22_0.Store(s22 + 0);
        c23_0.Store(s23 + 0);
    }
}
