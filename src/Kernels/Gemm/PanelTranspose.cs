using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Gemm;

/// <summary>
/// Up to eight source rows interleaved into a panel: d[p·ldd + i] = s[i·lds + p] for i &lt; rows, 0 for
/// rows ≤ i &lt; min(8, ldd), p &lt; len — an A micro-panel from a row-major A (ldd = MR), a conv's weight
/// panel, or eight columns of a transposed B panel (ldd = NR).
/// Why: one float per load and store packed a 512×4608 A block at ~1 float/ns, 16 % of a
/// 512×512×4608 GEMM (a ResNet-18 4×4 conv); 8×8 blocks transposed in registers move eight.
/// </summary>
internal static unsafe class PanelTranspose
{
    /// <remarks>
    /// With <paramref name="rowScale"/> each source row i is multiplied by rowScale[i] on the way
    /// (one rounding per product, as a separate scaling pass would round it).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(float* s, nint lds, int rows, int len, float* d, int ldd, float* rowScale = null)
    {
        int lanes = Math.Min(8, ldd), p = 0;
        if (Avx.IsSupported && rows <= 8)
            for (; p + 8 <= len; p += 8)
                Block(s + p, lds, rows, d + (nint)p * ldd, ldd, last: p + 8 == len, rowScale);
        for (; p < len; p++)
            for (int i = 0; i < lanes; i++)
                d[(nint)p * ldd + i] = i >= rows ? 0f : rowScale is null ? s[i * lds + p] : s[i * lds + p] * rowScale[i];
    }

    /// <summary>
    /// One 8×8 block. Each destination row is stored 8 floats wide; with ldd &lt; 8 the lanes past ldd
    /// spill into the next row, which the next store (or the caller's scalar tail) overwrites, so
    /// only the last row of a call is stored masked to ldd lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(float* s, nint lds, int rows, float* d, int ldd, bool last, float* scale)
    {
        var r0 = Row(s, lds, 0, rows, scale); var r1 = Row(s, lds, 1, rows, scale);
        var r2 = Row(s, lds, 2, rows, scale); var r3 = Row(s, lds, 3, rows, scale);
        var r4 = Row(s, lds, 4, rows, scale); var r5 = Row(s, lds, 5, rows, scale);
        var r6 = Row(s, lds, 6, rows, scale); var r7 = Row(s, lds, 7, rows, scale);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        var final = Avx.Permute2x128(u3, u7, 0x31);
        if (last && ldd < 8)
            Avx.MaskStore(d + 7 * ldd, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(ldd)).AsSingle(), final);
        else
            Avx.Store(d + 7 * ldd, final);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(float* s, nint lds, int i, int rows, float* scale) =>
        i >= rows ? Vector256<float>.Zero
        : scale is null ? Avx.LoadVector256(s + i * lds)
        : Avx.Multiply(Avx.LoadVector256(s + i * lds), Vector256.Create(scale[i]));
}
