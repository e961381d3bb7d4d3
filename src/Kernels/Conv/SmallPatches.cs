using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The patch matrix of a small image (ResNet-18's 4×4 outputs) and its adjoint, for the convs that
/// batch small images into one GEMM (CpuBatchedConv's forward and data gradient, the one-lane weight
/// gradient of CpuConvWeightGrad). Each channel is first copied into a zero-bordered plane on the stack; then a tap's row of the patch
/// matrix is the plane read at the output pixels' fixed offsets shifted by the tap — with AVX2,
/// one 8-lane gather per 8 pixels. Why: a 512-channel 4×4 layer's patch matrix at batch 32 is
/// 2.4 M floats of 4-float runs, and the element-by-element copy of it, on the caller alone, took
/// a third as long as the GEMM that follows (10.9 against 8.0 ms for 512→512 @4×4).
/// </summary>
internal static unsafe class SmallPatches
{
    private const int Lanes = 8;

    /// <summary>Whether the gather form runs here (otherwise the same offsets are read one by one).</summary>
    public static bool Vectorised => Avx2.IsSupported;

    /// <summary>The padded plane of one channel, which lives on the stack: at most 16 KiB.</summary>
    public const int MaxPaddedPlane = 4096;

    /// <summary>Whether an input plane is small enough for the stack-held padded plane.</summary>
    public static bool Fits(in Conv2dShape s) => (s.H + 2 * s.PadH) * (s.W + 2 * s.PadW) <= MaxPaddedPlane;

    /// <summary>
    /// Images first … end − 1 of x into cols: cols[((ci·KH + r)·KW + t)·rowStride + (n − first)·P + q] =
    /// x[n, ci, oh·sh − ph + r, ow·sw − pw + t] for q = oh·OutW + ow, 0 in the padding (P = OutH·OutW).
    /// <paramref name="vector"/> false reads the same offsets one by one (the tests compare both).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(in Conv2dShape s, float* x, int first, int end, float* cols, long rowStride, bool vector)
    {
        if (!Fits(s)) throw new ArgumentException($"conv2d: the small-image patch matrix needs a padded plane of at most {MaxPaddedPlane} floats, not {s}");
        if (vector && !Vectorised) throw new PlatformNotSupportedException("the gather form of the small-image patch matrix needs AVX2");
        int ph = s.H + 2 * s.PadH, pw = s.W + 2 * s.PadW, p = s.OutH * s.OutW, chunks = (p + Lanes - 1) / Lanes;
        int plane = s.H * s.W, taps = s.KH * s.KW;
        // Offsets of the output pixels in the padded plane for tap (0, 0); the lanes past P read offset 0 and are never stored.
        int* pixel = stackalloc int[chunks * Lanes];
        for (int q = 0; q < chunks * Lanes; q++)
            pixel[q] = q < p ? q / s.OutW * s.StrideH * pw + q % s.OutW * s.StrideW : 0;
        int* tap = stackalloc int[taps];
        for (int r = 0; r < s.KH; r++)
            for (int t = 0; t < s.KW; t++) tap[r * s.KW + t] = r * pw + t;
        float* padded = stackalloc float[ph * pw];
        new Span<float>(padded, ph * pw).Clear();
        float* tail = stackalloc float[Lanes];
        for (int n = first; n < end; n++)
            for (int ci = 0; ci < s.Cin; ci++)
            {
                float* xc = x + ((long)n * s.Cin + ci) * plane;
                for (int ih = 0; ih < s.H; ih++)
                    ShortCopy.Floats(xc + ih * s.W, padded + (ih + s.PadH) * pw + s.PadW, s.W);
                float* rows = cols + (long)ci * taps * rowStride + (long)(n - first) * p;
                for (int k = 0; k < taps; k++)
                {
                    float* source = padded + tap[k], row = rows + k * rowStride;
                    if (!vector)
                    {
                        for (int q = 0; q < p; q++) row[q] = source[pixel[q]];
                        continue;
                    }
                    for (int c = 0; c < chunks; c++)
                    {
                        var v = Avx2.GatherVector256(source, Vector256.Load(pixel + c * Lanes), 4);
                        int left = p - c * Lanes;
                        if (left >= Lanes) v.Store(row + c * Lanes);
                        else
                        {
                            // The row's last pixels: the next image's columns follow, possibly another thread's.
                            v.Store(tail);
                            for (int q = 0; q < left; q++) row[c * Lanes + q] = tail[q];
                        }
                    }
                }
            }
    }

    /// <summary>
    /// The adjoint of <see cref="Gather"/> (col2im) for images first … end − 1: dx[n, ci] = the sum of
    /// every patch-matrix entry that reads it, the taps added in order (r, t) into a zeroed padded
    /// plane on the stack whose interior is then copied out — the same additions in the same order
    /// as CpuConv.Col2Im, so the same floats. Why: Col2Im's 4-float runs (a TensorPrimitives call
    /// each) took longer than the data gradient's GEMM for ResNet-18's 4×4 layers. The adds stay
    /// scalar: as masked vector runs they were 1.7× slower (512 @4×4 at batch 32: 19–20 against
    /// 11.4–11.9 ms), most likely each tap's masked load waiting on the previous tap's overlapping store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(in Conv2dShape s, float* cols, long rowStride, int first, int end, float* dx)
    {
        if (!Fits(s)) throw new ArgumentException($"conv2d data gradient: the small-image col2im needs a padded plane of at most {MaxPaddedPlane} floats, not {s}");
        int ph = s.H + 2 * s.PadH, pw = s.W + 2 * s.PadW, p = s.OutH * s.OutW;
        int plane = s.H * s.W, taps = s.KH * s.KW;
        int* pixel = stackalloc int[p];
        for (int q = 0; q < p; q++) pixel[q] = q / s.OutW * s.StrideH * pw + q % s.OutW * s.StrideW;
        float* padded = stackalloc float[ph * pw];
        for (int n = first; n < end; n++)
            for (int ci = 0; ci < s.Cin; ci++)
            {
                new Span<float>(padded, ph * pw).Clear();
                float* rows = cols + (long)ci * taps * rowStride + (long)(n - first) * p;
                for (int r = 0; r < s.KH; r++)
                    for (int t = 0; t < s.KW; t++)
                    {
                        float* target = padded + r * pw + t, row = rows + (r * s.KW + t) * rowStride;
                        for (int q = 0; q < p; q++) target[pixel[q]] += row[q];
                    }
                float* dxc = dx + ((long)n * s.Cin + ci) * plane;
                for (int ih = 0; ih < s.H; ih++)
                    ShortCopy.Floats(padded + (ih + s.PadH) * pw + s.PadW, dxc + ih * s.W, s.W);
            }
    }
}
